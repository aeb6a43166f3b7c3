//! Ingest: find every article file under a root and read each one into
//! [`Article`]s, whatever its format or encoding.
//!
//! Two steps, kept apart so the caller can parallelise the second:
//!
//! 1. [`walk`] lists the files under a root ([`FileEntry`]), skipping hidden files,
//!    unsupported ones and the archive's own `README`/`LICENSE`, and reporting
//!    anything it cannot read as a [`Problem`].
//! 2. [`read_articles`] reads one file and hands each article to a sink.
//!
//! The rule throughout: one bad input never stops the run. A bad record is reported
//! and its neighbours still go in; a bad file is reported and the walk goes on.
//!
//! Supported formats ([`format_of`]):
//!
//! | extension | format | articles per file |
//! |---|---|---|
//! | `.txt`, `.text` | [`Format::Text`] | one, optional front matter, first line may be the title |
//! | `.md`, `.markdown` | [`Format::Markdown`] | one, same as text; a leading `# Heading` is the title |
//! | `.json` | [`Format::Json`] | an object, an array of objects, or an object holding such an array (`{"articles": [...]}`) |
//! | `.jsonl`, `.ndjson` | [`Format::JsonLines`] | one object per line, streamed |
//! | `.csv` | [`Format::Csv`] | a header row, then one article per row, streamed |
//!
//! Field names in JSON, CSV and front matter are matched case-insensitively against
//! aliases (`title`/`headline`, `body`/`text`/`content`/`maintext`/`article`,
//! `date`/`published`/`publishedAt`/`pubDate`…); the full list is in `fields.rs`.

use std::fmt;
use std::path::Path;

use crate::article::Article;

mod csvfile;
mod decode;
mod fields;
mod json;
mod text;
mod walk;

pub use decode::{decode, DecodeError, Decoded};
pub use walk::{walk, FileEntry, SkipReason, Walk, WalkEvent, WalkStats};

/// Files in these formats are read whole, so they are refused above this size.
/// Streamed formats (JSON Lines, CSV) have no file size limit.
pub const MAX_WHOLE_FILE: u64 = 64 * 1024 * 1024;

/// A JSON Lines line longer than this is skipped (without being held in memory).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// The file formats ingest understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Text,
    Markdown,
    Json,
    JsonLines,
    Csv,
}

impl Format {
    /// Formats read into memory whole (and so subject to [`MAX_WHOLE_FILE`]).
    pub fn is_whole_file(self) -> bool {
        matches!(self, Format::Text | Format::Markdown | Format::Json)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::JsonLines => "jsonl",
            Format::Csv => "csv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The format of a file, by its extension (case-insensitive); `None` if unsupported.
pub fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "text" => Some(Format::Text),
        "md" | "markdown" => Some(Format::Markdown),
        "json" => Some(Format::Json),
        "jsonl" | "ndjson" => Some(Format::JsonLines),
        "csv" => Some(Format::Csv),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Something was read, but not quite as written (a lossy decode, a coerced field).
    Warning,
    /// Something was not read: a record or a whole file is missing from the output.
    Error,
}

/// Something wrong with the input, tied to the file (and line) it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The path relative to the ingest root, `/`-separated.
    pub path: String,
    /// 1-based line, when the problem is about one place in the file.
    pub line: Option<u64>,
    pub message: String,
    /// What the user could do about it.
    pub hint: Option<String>,
    pub severity: Severity,
}

impl Problem {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            line: None,
            message: message.into(),
            hint: None,
            severity: Severity::Error,
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(path, message)
        }
    }

    pub fn at_line(mut self, line: u64) -> Problem {
        self.line = Some(line);
        self
    }

    pub fn at(mut self, line: Option<u64>) -> Problem {
        self.line = line;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `path:line: message (hint)`, on one line, like a compiler diagnostic.
/// Control characters (a newline in a file name or a CSV header cell) are escaped,
/// so a problem is always exactly one line; long quoted values (a field, a header
/// list, a parser's echo of the input) are cut, so it is at most a few hundred
/// characters however big the input.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::error::{bounded, clip, one_line};
        f.write_str(&clip(&one_line(&self.path), PATH_MAX))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        f.write_str(&bounded(&self.message, MESSAGE_MAX))?;
        if let Some(hint) = &self.hint {
            write!(f, " ({})", bounded(hint, HINT_MAX))?;
        }
        Ok(())
    }
}

/// The parts of a problem line, in characters: together at most about 500.
const PATH_MAX: usize = 160;
const MESSAGE_MAX: usize = 220;
const HINT_MAX: usize = 120;

impl std::error::Error for Problem {}

/// Reads every article in one file: each goes to `sink`, each problem with a record
/// (or a warning about the file) goes to `report`.
///
/// Returns how many articles were emitted, or the problem that stopped the file from
/// being read at all (cannot open, binary, oversized, not JSON). A file with nothing
/// in it (0 bytes or only whitespace) is reported as a warning and yields `Ok(0)`.
pub fn read_articles(
    entry: &FileEntry,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    match entry.format {
        Format::Text | Format::Markdown => text::read_file(entry, sink, report),
        Format::Json => json::read_json_file(entry, sink, report),
        Format::JsonLines => json::read_jsonl_file(entry, sink, report),
        Format::Csv => csvfile::read_file(entry, sink, report),
    }
}

/// Reads the articles in a file's bytes already in memory, as [`read_articles`]
/// would read a file named `rel` in `format` holding them (minus the size checks).
/// Used by the property tests and the fuzz targets.
pub fn read_articles_from_bytes(
    rel: &str,
    format: Format,
    bytes: &[u8],
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    match format {
        Format::Text | Format::Markdown => {
            let text = decode_whole(rel, bytes, report)?;
            if text.trim().is_empty() {
                report(empty_file(rel));
                return Ok(0);
            }
            Ok(text::parse(
                rel,
                &text,
                format == Format::Markdown,
                sink,
                report,
            ))
        }
        Format::Json => {
            let text = decode_whole(rel, bytes, report)?;
            json::parse_json(rel, &text, sink, report)
        }
        Format::JsonLines => {
            let reader = json::open_text_stream(rel, std::io::Cursor::new(bytes.to_vec()))?;
            json::read_jsonl(rel, reader, sink, report)
        }
        Format::Csv => {
            let reader = json::open_text_stream(rel, std::io::Cursor::new(bytes.to_vec()))?;
            csvfile::read_csv(rel, decode::CrlfReader::new(reader), sink, report)
        }
    }
}

/// Opens a file for reading, turning the I/O error into a [`Problem`].
fn open(entry: &FileEntry) -> Result<std::fs::File, Problem> {
    std::fs::File::open(&entry.abs).map_err(|e| io_problem(&entry.rel, "cannot open", &e))
}

fn io_problem(rel: &str, what: &str, e: &std::io::Error) -> Problem {
    let p = Problem::error(rel, format!("{what}: {e}"));
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => p.with_hint("check the file's permissions"),
        std::io::ErrorKind::NotFound => p.with_hint("the file vanished during the walk"),
        _ => p,
    }
}

/// Reads a whole file, refusing it if it is larger than [`MAX_WHOLE_FILE`] (checked
/// while reading too, in case it grew since the walk).
fn read_whole(entry: &FileEntry) -> Result<Vec<u8>, Problem> {
    use std::io::Read;
    let too_big = || {
        Problem::error(
            &entry.rel,
            format!(
                "file is larger than {} MiB, skipped",
                MAX_WHOLE_FILE / (1024 * 1024)
            ),
        )
        .with_hint("split it, or convert it to JSON Lines, which is streamed")
    };
    if entry.size > MAX_WHOLE_FILE {
        return Err(too_big());
    }
    let file = open(entry)?;
    let mut bytes = Vec::with_capacity(entry.size as usize);
    file.take(MAX_WHOLE_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_problem(&entry.rel, "cannot read", &e))?;
    if bytes.len() as u64 > MAX_WHOLE_FILE {
        return Err(too_big());
    }
    Ok(bytes)
}

/// Decodes a whole file's bytes, reporting a lossy decode as a warning.
fn decode_whole(
    rel: &str,
    bytes: &[u8],
    report: &mut dyn FnMut(Problem),
) -> Result<String, Problem> {
    let decoded = decode::decode(bytes).map_err(|e| {
        Problem::error(rel, e.to_string()).with_hint("not a text file; rename or remove it")
    })?;
    if let Some(w) = decoded.warning {
        report(Problem::warning(rel, w));
    }
    Ok(decoded.text)
}

fn empty_file(rel: &str) -> Problem {
    Problem::warning(rel, "empty file, skipped")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(format_of(Path::new("a/b.TXT")), Some(Format::Text));
        assert_eq!(format_of(Path::new("a.md")), Some(Format::Markdown));
        assert_eq!(format_of(Path::new("a.json")), Some(Format::Json));
        assert_eq!(format_of(Path::new("a.ndjson")), Some(Format::JsonLines));
        assert_eq!(format_of(Path::new("a.jsonl")), Some(Format::JsonLines));
        assert_eq!(format_of(Path::new("a.Csv")), Some(Format::Csv));
        assert_eq!(format_of(Path::new("a.html")), None);
        assert_eq!(format_of(Path::new("README")), None);
    }

    /// Random and truncated inputs in every format: problems, never a panic.
    #[test]
    fn no_panic_on_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let seeds: [&[u8]; 6] = [
            b"---\ntitle: \"x\nauthors: [a, 'b\n---\n# \n",
            b"[{\"title\": [1, {\"a\": null}], \"authors\": [[]], \"id\": 1.5e400},",
            b"{\"articles\": [1, \"x\", {\"text\": {}}]}",
            b"title,body\n\"unclosed,\n\xff\xfe\x00",
            b"\xef\xbb\xbf{\"headline\": 1}\n{\n}\n\xfe\xff",
            b"\xff\xfe\x00\xd8a\x00",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut count = 0;
        for ext in ["txt", "md", "json", "jsonl", "csv"] {
            for seed in seeds {
                for round in 0..40 {
                    let mut bytes = seed.to_vec();
                    // Truncate, then splice in random bytes.
                    bytes.truncate((next() as usize) % (bytes.len() + 1));
                    for _ in 0..round % 8 {
                        let at = (next() as usize) % (bytes.len() + 1);
                        bytes.insert(at, next() as u8);
                    }
                    let path = dir.path().join(format!("f{count}.{ext}"));
                    count += 1;
                    std::fs::write(&path, &bytes).unwrap();
                    let entry = FileEntry::for_path(dir.path(), &path).unwrap();
                    let _ = read_articles(&entry, &mut |_| {}, &mut |_| {});
                }
            }
        }
    }

    #[test]
    fn problem_display_is_one_line() {
        let p = Problem::error("a/b.jsonl", "expected value")
            .at_line(3)
            .with_hint("fix the line");
        assert_eq!(p.to_string(), "a/b.jsonl:3: expected value (fix the line)");
        assert_eq!(Problem::warning("x.txt", "m").to_string(), "x.txt: m");
        let p = Problem::error("a\nb.csv", "no title column (x\r\ny)").with_hint("\u{1b}[31m");
        assert_eq!(
            p.to_string(),
            "a\\nb.csv: no title column (x\\r\\ny) (\\u{1b}[31m)"
        );
    }

    /// A 100,000-column header or a 2 MB field quoted in a message: the line stays
    /// short, names the file, and keeps the hint at its end.
    #[test]
    fn problem_display_is_bounded() {
        let header: Vec<String> = (0..100_000).map(|i| format!("col{i}")).collect();
        let p = Problem::error(
            "news/wide.csv",
            format!(
                "no title or body column in the header ({})",
                header.join(", ")
            ),
        )
        .at_line(1)
        .with_hint("name a column title or body");
        let s = p.to_string();
        assert!(s.chars().count() <= 510, "{} chars", s.chars().count());
        assert!(
            s.starts_with("news/wide.csv:1: no title or body column in the header (col0, col1"),
            "{s}"
        );
        assert!(s.contains('…'), "{s}");
        assert!(
            s.ends_with("col99999) (name a column title or body)"),
            "{s}"
        );

        let field = "x".repeat(2_000_000);
        let p = Problem::error(
            "a.jsonl",
            format!("invalid JSON: invalid type: string \"{field}\", expected a map (column 9)"),
        )
        .at_line(4);
        let s = p.to_string();
        assert!(s.len() < 400, "{} bytes", s.len());
        assert!(s.ends_with("\", expected a map (column 9)"), "{s}");

        let deep = "d/".repeat(2000) + "f.txt";
        let s = Problem::error(deep, "cannot read").to_string();
        assert!(
            s.chars().count() <= 200 && s.ends_with("d/f.txt: cannot read"),
            "{s}"
        );
    }
}
