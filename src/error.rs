//! The library's error type. Each variant names what it is about (a path, a value)
//! and, where there is one, the next step for the user.
//!
//! Also the rules every printed message follows: one line ([`one_line`]), of bounded
//! length ([`bounded`]) however long the value it quotes (a CSV header, a JSON
//! field, a damaged file's content echoed back by tantivy or serde).

use std::borrow::Cow;
use std::path::PathBuf;

/// Longest quoted value kept whole in a message; a longer one keeps its start and
/// end around an ellipsis.
pub const QUOTE_MAX: usize = 60;

/// Longest message line, in characters.
pub const LINE_MAX: usize = 400;

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

    /// The archive given to ingest exists but is not a folder.
    #[error("{}: is {kind}, not a folder; give the folder that holds your articles (`newsidx ingest DIR`)", .path.display())]
    NotADir { path: PathBuf, kind: &'static str },

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

    #[error("{}: {}; choose another --index path", .path.display(), bounded(.reason, LINE_MAX / 2))]
    UnusableIndexPath { path: PathBuf, reason: String },

    #[error("{}: index was built from {}, not {}; pass --index PATH for a separate index or --rebuild to replace it", .path.display(), .root.display(), .requested.display())]
    OtherRoot {
        path: PathBuf,
        root: PathBuf,
        requested: PathBuf,
    },

    #[error("{}: the index is damaged ({}); run `newsidx ingest --rebuild` to rebuild it", .path.display(), bounded(.reason, LINE_MAX / 2))]
    Damaged { path: PathBuf, reason: String },

    #[error("{}: cannot write the index ({}); it keeps its last commit: free space or fix permissions, then run ingest again", .path.display(), bounded(.reason, LINE_MAX / 2))]
    Write { path: PathBuf, reason: String },

    #[error("unknown {kind} '{}'{}", clip(.value, QUOTE_MAX), suggest(.kind, .suggestions))]
    UnknownTag {
        kind: &'static str,
        value: String,
        suggestions: Vec<String>,
    },

    /// A short name that several tags answer to ("bush", "kim"): the user picks one.
    #[error("{kind} '{}' is ambiguous: {} Give the full name", clip(.value, QUOTE_MAX), either(.candidates))]
    AmbiguousTag {
        kind: &'static str,
        value: String,
        candidates: Vec<String>,
    },

    /// A tag of another kind typed to a filter (`--country EU`): names the filter
    /// that takes it.
    #[error("'{}' is an {is} ({}), not a {asked}: filter with --{flag} instead", clip(.value, QUOTE_MAX), clip(.name, QUOTE_MAX))]
    OtherTagKind {
        value: String,
        asked: &'static str,
        is: &'static str,
        /// The tag the value names ("European Union").
        name: String,
        flag: &'static str,
    },

    #[error("{}", bounded(.0, LINE_MAX))]
    InvalidArgument(String),

    /// A request parameter the user gave is not usable (a bad date, a word where a
    /// number goes, an unknown parameter). `name` is the parameter as the request
    /// spells it (`from`, `snippet_chars`); the CLI shows it as its flag.
    #[error("{}: {}", clip(.name, QUOTE_MAX), bounded(.reason, LINE_MAX / 2))]
    InvalidParameter { name: String, reason: String },

    #[error("no article with id '{}'", clip(.0, QUOTE_MAX))]
    UnknownArticle(String),

    #[error("{}: {source}{}", .path.display(), io_hint(.source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}; give --gazetteer a file in the format of src/enrich/data/README.md", bounded(.0, LINE_MAX / 2))]
    Gazetteer(String),

    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),

    /// The sentence-embedding model an index was built with does not load.
    #[error("{}", bounded(.0, LINE_MAX))]
    Model(String),
}

/// The next step after an I/O error, where the error kind says what it is.
fn io_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "; check its permissions",
        std::io::ErrorKind::NotFound => "; check the path",
        _ => "",
    }
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
            | Error::UnreadableDir { .. }
            | Error::NotADir { .. }
            | Error::UnusableIndexPath { .. }
            | Error::UnknownTag { .. }
            | Error::AmbiguousTag { .. }
            | Error::OtherTagKind { .. }
            | Error::InvalidArgument(_)
            | Error::InvalidParameter { .. } => ErrorClass::Invalid,
            Error::UnknownArticle(_) => ErrorClass::NotFound,
            Error::IndexLocked { .. }
            | Error::IncompatibleIndex { .. }
            | Error::OtherRoot { .. } => ErrorClass::Conflict,
            Error::NoIndex(_) | Error::Damaged { .. } | Error::Model(_) => ErrorClass::Unavailable,
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
            Error::UnreadableDir { .. } => "unreadable_dir",
            Error::NotADir { .. } => "not_a_dir",
            Error::IndexLocked { .. } => "index_locked",
            Error::IncompatibleIndex { .. } => "incompatible_index",
            Error::NoIndex(_) => "no_index",
            Error::UnusableIndexPath { .. } => "unusable_index_path",
            Error::OtherRoot { .. } => "other_root",
            Error::Damaged { .. } => "damaged_index",
            Error::Write { .. } => "write_failed",
            Error::UnknownTag { .. } => "unknown_tag",
            Error::AmbiguousTag { .. } => "ambiguous_tag",
            Error::OtherTagKind { .. } => "other_tag_kind",
            Error::InvalidArgument(_) => "invalid_argument",
            Error::InvalidParameter { .. } => "invalid_parameter",
            Error::UnknownArticle(_) => "unknown_article",
            Error::Io { .. } => "io",
            Error::Gazetteer(_) => "gazetteer",
            Error::Tantivy(_) => "index_error",
            Error::Model(_) => "model",
        }
    }

    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::InvalidParameter {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

/// "A or B?", "A, B or C?"; at most eight names, then how many more.
fn either(c: &[String]) -> String {
    const SHOWN: usize = 8;
    let shown: Vec<String> = c
        .iter()
        .take(SHOWN)
        .map(|s| clip(s, QUOTE_MAX).into_owned())
        .collect();
    let more = c.len().saturating_sub(SHOWN);
    let list = match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() && more == 0 => {
            format!("{} or {last}", rest.join(", "))
        }
        _ => shown.join(", "),
    };
    if more > 0 {
        format!("{list} or {more} more?")
    } else {
        format!("{list}?")
    }
}

fn suggest(kind: &str, s: &[String]) -> String {
    if s.is_empty() && kind == "author" {
        // (`tags` counts countries, leaders, organisations and sources, not authors.)
        "; give part of the name as the articles write it (a surname), or see an article's authors with `newsidx show ID`".to_string()
    } else if s.is_empty() {
        "; run `newsidx tags` to see the values in the index".to_string()
    } else {
        format!("; closest known: {}", s.join(", "))
    }
}

/// What a path is, in words, for "is {kind}, not a folder/file" messages.
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_file() {
        "a file"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// `s` with control characters (a newline in a file name or a CSV cell) escaped, so
/// it prints as one line.
pub fn one_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` cut to at most `max` characters by dropping its middle for "…": the start
/// (which names the path) and the end (which says what to do next) both stay.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    let n = s.chars().count();
    if n <= max {
        return Cow::Borrowed(s);
    }
    let keep = max.saturating_sub(1);
    let head = keep - keep * 2 / 5;
    let tail = keep - head;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(n - tail));
    Cow::Owned(out)
}

/// A message made fit to print: one line, every quoted value (`"…"` or `` `…` ``)
/// cut to [`QUOTE_MAX`] characters, and the whole cut to `max` characters.
pub fn bounded(s: &str, max: usize) -> String {
    let s = one_line(s);
    let mut out = String::with_capacity(s.len().min(4 * max));
    let mut rest: &str = &s;
    while let Some(open) = rest.find(['"', '`']) {
        let q = rest.as_bytes()[open];
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        // The closing quote, past backslash escapes (Rust's `{:?}` of a string).
        let mut close = None;
        let mut escaped = false;
        for (i, b) in rest.bytes().enumerate() {
            if escaped {
                escaped = false;
            } else if b == b'\\' && q == b'"' {
                escaped = true;
            } else if b == q {
                close = Some(i);
                break;
            }
        }
        // An unclosed quote is left to the cut of the whole line.
        let Some(c) = close else { break };
        out.push_str(&clip(&rest[..c], QUOTE_MAX));
        out.push(q as char);
        rest = &rest[c + 1..];
    }
    out.push_str(rest);
    clip(&out, max).into_owned()
}

impl Error {
    /// A failure of the index writer, said once and plainly (tantivy's own text
    /// repeats the cause).
    pub fn write(path: impl Into<PathBuf>, e: tantivy::TantivyError) -> Error {
        use tantivy::directory::error::OpenWriteError;
        let io: Option<&std::io::Error> = match &e {
            tantivy::TantivyError::IoError(io) => Some(io),
            tantivy::TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, .. }) => {
                Some(io_error)
            }
            _ => None,
        };
        // tantivy wraps the OS error in its own (a debug dump of nested types, with the
        // file's path): the kind is what the user can act on.
        let plain = io.and_then(|io| match io.kind() {
            std::io::ErrorKind::StorageFull => Some("No space left on device"),
            std::io::ErrorKind::QuotaExceeded => Some("Disk quota exceeded"),
            std::io::ErrorKind::ReadOnlyFilesystem => Some("Read-only file system"),
            std::io::ErrorKind::PermissionDenied => Some("Permission denied"),
            _ => None,
        });
        let reason = match (plain, &e) {
            (Some(p), _) => p.to_string(),
            (None, tantivy::TantivyError::IoError(io)) => io.to_string(),
            (None, tantivy::TantivyError::OpenWriteError(w)) => w.to_string(),
            (None, other) => other.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ambiguous_tag_is_a_users_mistake_that_lists_the_candidates() {
        let e = Error::AmbiguousTag {
            kind: "leader",
            value: "bush".into(),
            candidates: vec!["George H. W. Bush".into(), "George W. Bush".into()],
        };
        assert_eq!(e.class(), ErrorClass::Invalid);
        assert_eq!(e.code(), "ambiguous_tag");
        assert_eq!(
            e.to_string(),
            "leader 'bush' is ambiguous: George H. W. Bush or George W. Bush? Give the full name"
        );
        let many: Vec<String> = (0..10).map(|i| format!("Kim {i}")).collect();
        let e = Error::AmbiguousTag {
            kind: "leader",
            value: "kim".into(),
            candidates: many,
        };
        assert!(e.to_string().contains("Kim 7 or 2 more?"), "{e}");
        let e = Error::OtherTagKind {
            value: "EU".into(),
            asked: "country",
            is: "organisation",
            name: "European Union".into(),
            flag: "org",
        };
        assert_eq!(e.class(), ErrorClass::Invalid);
        assert_eq!(e.code(), "other_tag_kind");
        assert_eq!(
            e.to_string(),
            "'EU' is an organisation (European Union), not a country: filter with --org instead"
        );
    }

    #[test]
    fn clip_keeps_start_and_end() {
        assert_eq!(clip("short", 10), "short");
        let s = clip("abcdefghijklmnopqrstuvwxyz", 11);
        assert_eq!(s.chars().count(), 11);
        assert_eq!(s, "abcdef…wxyz");
        // Characters, not bytes: never cut inside one.
        let e = "é".repeat(100);
        assert_eq!(clip(&e, 9).chars().count(), 9);
    }

    #[test]
    fn bounded_cuts_quoted_values_and_escapes_control_characters() {
        let long = "x".repeat(1000);
        let s = bounded(
            &format!("bad value \"{long}\" in `{long}`; fix it"),
            LINE_MAX,
        );
        assert!(s.starts_with("bad value \"xxx"), "{s}");
        assert!(s.ends_with("x`; fix it"), "{s}");
        assert_eq!(s.matches('…').count(), 2, "{s}");
        assert!(s.chars().count() < 2 * QUOTE_MAX + 40, "{s}");
        // An escaped quote inside a Debug-printed string does not end the value.
        let s = bounded(&format!("Content: \"a\\\"{long}\"; rebuild"), LINE_MAX);
        assert!(s.ends_with("\"; rebuild") && s.len() < 200, "{s}");
        // An unclosed quote leaves the cut to the whole line, which keeps the end.
        let s = bounded(&format!("oops \"{long}; do this"), 100);
        assert_eq!(s.chars().count(), 100);
        assert!(s.starts_with("oops \"") && s.ends_with("; do this"), "{s}");
        assert_eq!(bounded("a\nb\tc", LINE_MAX), "a\\nb\\tc");
    }
}
