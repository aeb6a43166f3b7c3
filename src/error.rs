//! The library's error type. Each variant names what it is about (a path, a value)
//! and, where there is one, the next step for the user.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: no such folder; give the folder that holds your articles (`newsidx ingest DIR`)", .0.display())]
    MissingDir(PathBuf),

    #[error("{}: cannot list this folder ({source}); check its permissions; the index was not changed", .path.display())]
    UnreadableDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: is being written by another ingest (lock file {}); wait for it to finish", .path.display(), .lock.display())]
    IndexLocked { path: PathBuf, lock: PathBuf },

    #[error("{}: index has schema version {found}, this newsidx reads version {expected}; run `newsidx ingest --rebuild` to rebuild it", .path.display())]
    IncompatibleIndex {
        path: PathBuf,
        found: u32,
        expected: u32,
    },

    #[error("{}: no index here; run `newsidx ingest` first (or pass --index PATH)", .0.display())]
    NoIndex(PathBuf),

    #[error("{}: {reason}; choose another --index path", .path.display())]
    UnusableIndexPath { path: PathBuf, reason: String },

    #[error("{}: index was built from {}, not {}; pass --index PATH for a separate index or --rebuild to replace it", .path.display(), .root.display(), .requested.display())]
    OtherRoot {
        path: PathBuf,
        root: PathBuf,
        requested: PathBuf,
    },

    #[error("{}: the index is damaged ({reason}); run `newsidx ingest --rebuild` to rebuild it", .path.display())]
    Damaged { path: PathBuf, reason: String },

    #[error("{}: cannot write the index ({reason}); it keeps its last commit: free space or fix permissions, then run ingest again", .path.display())]
    Write { path: PathBuf, reason: String },

    #[error("unknown {kind} '{value}'{}", suggest(.suggestions))]
    UnknownTag {
        kind: &'static str,
        value: String,
        suggestions: Vec<String>,
    },

    #[error("{0}")]
    InvalidArgument(String),

    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    Gazetteer(String),

    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        "; run `newsidx tags` to see the values in the index".to_string()
    } else {
        format!("; closest known: {}", s.join(", "))
    }
}

impl Error {
    /// A failure of the index writer, said once and plainly (tantivy's own text
    /// repeats the cause).
    pub fn write(path: impl Into<PathBuf>, e: tantivy::TantivyError) -> Error {
        let reason = match &e {
            tantivy::TantivyError::IoError(io) => io.to_string(),
            tantivy::TantivyError::OpenWriteError(w) => w.to_string(),
            other => other.to_string(),
        };
        Error::Write {
            path: path.into(),
            reason,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
