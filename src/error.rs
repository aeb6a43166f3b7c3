//! The library's error type. Each variant names what it is about (a path, a value)
//! and, where there is one, the next step for the user.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: no such folder; give the folder that holds your articles (`newsidx ingest DIR`)", .0.display())]
    MissingDir(PathBuf),

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

    /// A request parameter the user gave is not usable (a bad date, a word where a
    /// number goes, an unknown parameter). `name` is the parameter as the request
    /// spells it (`from`, `snippet_chars`); the CLI shows it as its flag.
    #[error("{name}: {reason}")]
    InvalidParameter { name: String, reason: String },

    #[error("no article with id '{0}'")]
    UnknownArticle(String),

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

/// What kind of failure an error is, for a caller that answers someone else: a user's
/// mistake, something that does not exist, a state of the index that has to change
/// first, an index that cannot be read now, or a fault of the program or the machine.
/// An HTTP server maps these to 400, 404, 409, 503 and 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    Invalid,
    NotFound,
    Conflict,
    Unavailable,
    Internal,
}

impl Error {
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::MissingDir(_)
            | Error::UnusableIndexPath { .. }
            | Error::UnknownTag { .. }
            | Error::InvalidArgument(_)
            | Error::InvalidParameter { .. } => ErrorClass::Invalid,
            Error::UnknownArticle(_) => ErrorClass::NotFound,
            Error::IndexLocked { .. }
            | Error::IncompatibleIndex { .. }
            | Error::OtherRoot { .. } => ErrorClass::Conflict,
            Error::NoIndex(_) | Error::Damaged { .. } => ErrorClass::Unavailable,
            Error::Write { .. } | Error::Io { .. } | Error::Gazetteer(_) | Error::Tantivy(_) => {
                ErrorClass::Internal
            }
        }
    }

    /// A stable, machine-readable name of the variant (`unknown_tag`, `no_index`, …):
    /// part of the HTTP API's contract, like the JSON fields.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingDir(_) => "missing_dir",
            Error::IndexLocked { .. } => "index_locked",
            Error::IncompatibleIndex { .. } => "incompatible_index",
            Error::NoIndex(_) => "no_index",
            Error::UnusableIndexPath { .. } => "unusable_index_path",
            Error::OtherRoot { .. } => "other_root",
            Error::Damaged { .. } => "damaged_index",
            Error::Write { .. } => "write_failed",
            Error::UnknownTag { .. } => "unknown_tag",
            Error::InvalidArgument(_) => "invalid_argument",
            Error::InvalidParameter { .. } => "invalid_parameter",
            Error::UnknownArticle(_) => "unknown_article",
            Error::Io { .. } => "io",
            Error::Gazetteer(_) => "gazetteer",
            Error::Tantivy(_) => "index_error",
        }
    }

    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::InvalidParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }
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
