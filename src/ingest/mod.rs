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
//! | `.html`, `.htm`, `.xhtml` (or `.gz`) | [`Format::Html`] | one saved web page; its main text and metadata |
//! | `.warc`, `.warc.gz` | [`Format::Warc`] | each HTML response of a web archive, streamed |
//!
//! The table of formats (suffixes, whole or streamed, compressed) is
//! [`formats::FORMATS`]: one row per format.
//!
//! Field names in JSON, CSV and front matter are matched case-insensitively against
//! aliases (`title`/`headline`, `body`/`text`/`content`/`maintext`/`article`,
//! `date`/`published`/`publishedAt`/`pubDate`…); the full list is in `fields.rs`.

use std::fmt;
use std::path::Path;

use crate::article::Article;

mod csvfile;
mod decode;
mod enriched;
mod fields;
pub mod formats;
mod json;
mod limits;
mod open;
mod tap;
mod text;
mod walk;

pub(crate) use decode::windows_1252_char;
pub use decode::{decode, DecodeError, Decoded};
pub use enriched::{record_at, scan as scan_records, Scanned};
pub use limits::{ReadOptions, DEFAULT_MAX_BODY};
pub use open::{is_not_regular, open_regular, read_head};
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
    Html,
    Warc,
}

impl Format {
    /// Formats read into memory whole (and so subject to [`MAX_WHOLE_FILE`]).
    pub fn is_whole_file(self) -> bool {
        formats::spec(self).reading == formats::Reading::Whole
    }

    /// Formats whose files may be compressed, and so binary on disk.
    pub fn is_compressed(self) -> bool {
        formats::spec(self).compressed
    }

    pub fn name(self) -> &'static str {
        formats::spec(self).name
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The format of a file, by the end of its name (case-insensitive); `None` if
/// unsupported.
pub fn format_of(path: &Path) -> Option<Format> {
    formats::format_of(path)
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
    /// What this problem reports as skipped, by reason code (`not_article_login`,
    /// `warc_revisit`…) and count: the ingest summary adds them up.
    pub skipped: Vec<(&'static str, u64)>,
}

impl Problem {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            line: None,
            message: message.into(),
            hint: None,
            severity: Severity::Error,
            skipped: Vec::new(),
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

    /// Says that `n` items were skipped for the reason `code`.
    pub fn counting(mut self, code: &'static str, n: u64) -> Problem {
        self.skipped.push((code, n));
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
    read_articles_with(entry, &ReadOptions::default(), sink, report)
}

/// [`read_articles`] with limits and a stop flag: text fields over
/// `max_body_bytes` are cut (a warning each); once `stop` is set a read stops at the
/// next buffer and no more problems are reported. Web pages that are not articles
/// are kept when `keep_non_articles` is set.
pub fn read_articles_with(
    entry: &FileEntry,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    match read_file(entry, ReadPlan::Whole, opts, sink, report) {
        Ok(read) => Ok(read.articles),
        Err(ReadError::Io(p) | ReadError::Bad(p)) => Err(p),
    }
}

/// Where a streamed file (JSON Lines, CSV) was read to, kept in the manifest so that
/// a later run can read only what was appended. Stored only when the read ended
/// between two records, at a line end, with nothing skipped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StreamState {
    /// Bytes read: the file's length then. The record's hash covers exactly these.
    pub len: u64,
    /// Newlines in them: the next line's number is one more.
    pub lines: u64,
    /// Records numbered so far (JSON Lines: non-blank lines; CSV: rows after the header).
    pub records: u64,
    /// CSV: unreadable rows in a row at the end (the reader gives up at 100).
    #[serde(default)]
    pub errors: u32,
    /// CSV: the bytes up to the end of the header row, and the newlines in them.
    #[serde(default)]
    pub header_len: u64,
    #[serde(default)]
    pub header_lines: u64,
    /// Web archives: per target URI, the hash of the text last kept for it (the
    /// first 8 bytes of blake3 of each, as numbers), so that an appended capture
    /// with the same text is still skipped as a repeat.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<[u64; 2]>,
}

/// How [`read_file`] reads a file.
pub enum ReadPlan<'a> {
    /// From the start.
    Whole,
    /// Only what follows the `state.len` bytes an earlier run read, which the caller
    /// has checked are unchanged (`prefix` has hashed them). `ids` are the ids the
    /// earlier run gave, so the new records' ids are those a whole read would give.
    Append {
        state: &'a StreamState,
        ids: &'a [String],
        prefix: Box<blake3::Hasher>,
    },
}

/// What [`read_file`] read.
#[derive(Debug, Clone)]
pub struct FileRead {
    /// Articles emitted.
    pub articles: usize,
    /// blake3 of the file's bytes up to the size the walk saw (all of them read).
    pub hash: String,
    /// Set when a later run may read only what is appended after these bytes.
    pub stream: Option<StreamState>,
}

/// Why [`read_file`] read nothing that may be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The file could not be read whole (it could not be opened, or a read failed
    /// partway): articles emitted before the error are good, but the file must be read
    /// again.
    Io(Problem),
    /// The file is not what its extension says (binary, not JSON, no title column...):
    /// nothing was emitted.
    Bad(Problem),
}

/// Where a streamed reader starts, and where it ended.
#[derive(Default)]
pub(crate) struct Resume {
    /// Lines before the first byte the reader sees that are not in it (an appended
    /// part's offset; for CSV, less the header's lines, which it sees again).
    pub line: u64,
    pub record: u64,
    pub errors: u32,
    pub ids: fields::Ids,
    /// Web archives: where the bytes the reader sees start in the file (offsets in
    /// messages are the file's), the texts kept so far (see [`StreamState::kept`]),
    /// and whether a record was damaged or cut short (then nothing may be appended
    /// to this read: the next run reads the archive again).
    pub offset: u64,
    pub kept: Vec<[u64; 2]>,
    pub damaged: bool,
}

/// The hasher after a file's first `len` bytes, to compare with a stored hash or go
/// on with; `None` when the file is now shorter. The file is opened with
/// [`open_regular`] (a FIFO or device put in its place is refused, not waited on),
/// and once `stop` is set the hashing gives up at the next buffer.
pub fn hash_prefix(
    path: &Path,
    len: u64,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> std::io::Result<Option<blake3::Hasher>> {
    tap::hash_prefix(path, len, stop)
}

/// Reads one file's articles in one pass over its bytes, no further than the size
/// the walk saw (a file that grows during the run is read as it was when the run
/// began), hashing exactly the bytes read.
///
/// The file is opened with [`open_regular`]; once `opts.stop` is set the read fails
/// at the next buffer (an [`ReadError::Io`]: the file is not read whole) and no more
/// problems are reported. Each article's control characters are dropped and its
/// title, subtitle and body cut to `opts.max_body_bytes` (a warning each); CSV cells
/// are cut as they stream in, and a JSON Lines line may be as long as an escaped body
/// at that limit.
pub fn read_file(
    entry: &FileEntry,
    plan: ReadPlan<'_>,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<FileRead, ReadError> {
    read_file_as(entry, plan, opts, None, sink, report)
}

/// [`read_file`] for a file of enriched records (`newsidx enrich --records`, JSON
/// Lines): each record goes to `sink` as the enriched article it holds, as written
/// (no limits cut it: its mentions' offsets are into its text). Hashing, the size
/// the walk saw, appended reads and the stop flag work as for any JSON Lines file.
pub fn read_enriched_file(
    entry: &FileEntry,
    plan: ReadPlan<'_>,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(crate::enrich::Enriched),
    report: &mut dyn FnMut(Problem),
) -> Result<FileRead, ReadError> {
    if entry.format != Format::JsonLines {
        return Err(ReadError::Bad(
            Problem::error(&entry.rel, "not a file of enriched records").with_hint(
                "--enriched reads the .jsonl or .ndjson files `newsidx enrich --records` writes",
            ),
        ));
    }
    read_file_as(entry, plan, opts, Some(sink), &mut |_| {}, report)
}

/// [`read_file`], or with `records` set, [`read_enriched_file`].
fn read_file_as(
    entry: &FileEntry,
    plan: ReadPlan<'_>,
    opts: &ReadOptions,
    records: Option<&mut dyn FnMut(crate::enrich::Enriched)>,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<FileRead, ReadError> {
    use std::cell::RefCell;
    use std::io::{Read, Seek};
    use std::rc::Rc;
    let stopped = || {
        opts.stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    };
    let report = RefCell::new(report);
    let mut report_live = |p: Problem| {
        if !stopped() {
            (report.borrow_mut())(p);
        }
    };
    let max = opts.max_body_bytes;
    let mut cut_sink = |mut a: Article| {
        let controls = limits::drop_field_controls(&mut a);
        for p in controls.into_iter().chain(limits::cut_fields(&mut a, max)) {
            if !stopped() {
                (report.borrow_mut())(p);
            }
        }
        sink(a);
    };
    let (sink, report) = (&mut cut_sink, &mut report_live);
    // A line may hold a body up to the body limit, escaped.
    let max_line = MAX_LINE.max(opts.max_body_bytes.saturating_mul(2));
    let mut file = open(entry).map_err(ReadError::Io)?;
    let csv = entry.format == Format::Csv;
    let mut at = Resume::default();
    let (seen, result) = match plan {
        ReadPlan::Whole => {
            let seen = Rc::new(RefCell::new(tap::Seen::new(blake3::Hasher::new(), csv)));
            let input = Box::new(tap::Tap::new(
                stoppable(file.take(entry.size), opts),
                Rc::clone(&seen),
            ));
            let result = match entry.format {
                Format::Text | Format::Markdown => text::read_file(entry, input, sink, report),
                Format::Json => json::read_json_file(entry, input, sink, report),
                Format::JsonLines => match records {
                    Some(records) => json::open_text_stream(&entry.rel, input).and_then(|r| {
                        enriched::read_at(&entry.rel, r, &mut at, &[], max_line, records, report)
                    }),
                    None => json::read_jsonl_file(entry, input, &mut at, max_line, sink, report),
                },
                Format::Csv => csvfile::read_file(entry, input, &mut at, max, sink, report),
                Format::Html => formats::html::read_file(entry, input, opts, sink, report),
                Format::Warc => formats::warc::read_file(entry, input, &mut at, opts, sink, report),
            };
            (seen, result)
        }
        ReadPlan::Append { state, ids, prefix } if entry.format == Format::Warc => {
            // Records appended to a web archive: they start where the last complete
            // record (or gzip member) ended, which was the file's end then.
            let io = |e: std::io::Error| ReadError::Io(io_problem(&entry.rel, "cannot read", &e));
            file.seek(std::io::SeekFrom::Start(state.len)).map_err(io)?;
            let seen = Rc::new(RefCell::new(tap::Seen::resume(*prefix, state, false)));
            let rest = tap::Tap::new(
                stoppable(file.take(entry.size.saturating_sub(state.len)), opts),
                Rc::clone(&seen),
            );
            at = Resume {
                record: state.records,
                ids: fields::Ids::from_ids(&entry.rel, ids),
                offset: state.len,
                kept: state.kept.clone(),
                ..Resume::default()
            };
            let result =
                formats::warc::read_stream_at(&entry.rel, rest, &mut at, opts, sink, report);
            (seen, result)
        }
        ReadPlan::Append { state, ids, prefix } => {
            let io = |e: std::io::Error| ReadError::Io(io_problem(&entry.rel, "cannot read", &e));
            // CSV: the header row again (the file's own bytes, checked unchanged).
            let mut header = vec![0u8; if csv { state.header_len as usize } else { 0 }];
            file.read_exact(&mut header).map_err(io)?;
            file.seek(std::io::SeekFrom::Start(state.len)).map_err(io)?;
            let seen = Rc::new(RefCell::new(tap::Seen::resume(*prefix, state, csv)));
            let rest = tap::Tap::new(
                stoppable(file.take(entry.size.saturating_sub(state.len)), opts),
                Rc::clone(&seen),
            );
            at = Resume {
                line: state.lines - if csv { state.header_lines } else { 0 },
                record: state.records,
                errors: state.errors,
                ids: fields::Ids::from_ids(&entry.rel, ids),
                ..Resume::default()
            };
            // The encoding was settled by the first read (UTF-8, maybe with a BOM):
            // the new bytes are not sniffed again.
            let bom = if header.starts_with(&[0xEF, 0xBB, 0xBF]) {
                3
            } else {
                0
            };
            let mut head = std::io::Cursor::new(header);
            head.set_position(bom);
            let stream = std::io::BufReader::with_capacity(64 * 1024, head.chain(rest));
            let result = if csv {
                csvfile::read_csv_at(
                    &entry.rel,
                    decode::CrlfReader::new(stream),
                    &mut at,
                    max,
                    sink,
                    report,
                )
            } else if let Some(records) = records {
                enriched::read_at(&entry.rel, stream, &mut at, ids, max_line, records, report)
            } else {
                json::read_jsonl_at(&entry.rel, stream, &mut at, max_line, sink, report)
            };
            (seen, result)
        }
    };
    let mut seen = Rc::try_unwrap(seen)
        .ok()
        .expect("the reader has dropped its input")
        .into_inner();
    if let Some(e) = seen.io_error.take() {
        return Err(ReadError::Io(match result {
            Err(p) => p,
            Ok(_) => Problem::error(&entry.rel, format!("read error: {e}")),
        }));
    }
    let articles = result.map_err(ReadError::Bad)?;
    // A reader that stopped early (it gave up on the file) left bytes unhashed: the
    // hash is of the file, and nothing may be appended to a read that did not finish.
    let whole = seen.bytes == entry.size;
    if !whole && seen.bytes < entry.size {
        let mut f = open(entry).map_err(ReadError::Io)?;
        f.seek(std::io::SeekFrom::Start(seen.bytes))
            .and_then(|_| {
                std::io::copy(
                    &mut stoppable(f.take(entry.size - seen.bytes), opts),
                    &mut seen.hasher,
                )
            })
            .map_err(|e| ReadError::Io(io_problem(&entry.rel, "read error", &e)))?;
    }
    let streamed = formats::spec(entry.format).appendable;
    let csv_ok = seen
        .csv
        .as_ref()
        .is_none_or(|s| s.between_records() && s.header_len.is_some());
    // Text streams must end at a line end between two records; a web archive with
    // its last record (or gzip member) whole, and none damaged.
    let ends_clean = if entry.format == Format::Warc {
        !at.damaged
    } else {
        csv_ok && !seen.utf16() && seen.last == Some(b'\n')
    };
    let stream = (streamed && whole && ends_clean).then(|| StreamState {
        len: seen.bytes,
        lines: seen.newlines,
        records: at.record,
        errors: at.errors,
        header_len: seen.csv.as_ref().and_then(|s| s.header_len).unwrap_or(0),
        header_lines: seen.csv.as_ref().map_or(0, |s| s.header_lines),
        kept: std::mem::take(&mut at.kept),
    });
    Ok(FileRead {
        articles,
        hash: seen.hasher.finalize().to_hex().to_string(),
        stream,
    })
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
            json::read_jsonl(rel, reader, MAX_LINE, sink, report)
        }
        Format::Csv => {
            let reader = json::open_text_stream(rel, std::io::Cursor::new(bytes.to_vec()))?;
            csvfile::read_csv(rel, decode::CrlfReader::new(reader), sink, report)
        }
        Format::Html => {
            formats::html::read_bytes(rel, bytes, &ReadOptions::default(), sink, report)
        }
        Format::Warc => {
            formats::warc::read_stream(rel, bytes, &ReadOptions::default(), sink, report)
        }
    }
}

/// Reads the articles of a stream that is not a file of the archive (standard input),
/// named `rel` in ids and messages, as [`read_file`] reads a file in `format`: the
/// same limits and control-byte dropping, the same readers. Streamed formats (JSON
/// Lines, CSV, web archives) are read record by record in bounded memory, whatever
/// the stream's length; the others are read whole, up to [`MAX_WHOLE_FILE`].
pub fn read_stream(
    rel: &str,
    format: Format,
    input: Box<dyn std::io::Read>,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    use std::cell::RefCell;
    let report = RefCell::new(report);
    let max = opts.max_body_bytes;
    let mut cut_sink = |mut a: Article| {
        let controls = limits::drop_field_controls(&mut a);
        for p in controls.into_iter().chain(limits::cut_fields(&mut a, max)) {
            (report.borrow_mut())(p);
        }
        sink(a);
    };
    let mut report_each = |p: Problem| (report.borrow_mut())(p);
    let (sink, report) = (&mut cut_sink, &mut report_each);
    let input = stoppable(input, opts);
    let max_line = MAX_LINE.max(opts.max_body_bytes.saturating_mul(2));
    match format {
        Format::JsonLines => {
            let reader = json::open_text_stream(rel, input)?;
            json::read_jsonl_at(rel, reader, &mut Resume::default(), max_line, sink, report)
        }
        Format::Csv => {
            let reader = json::open_text_stream(rel, input)?;
            csvfile::read_csv_at(
                rel,
                decode::CrlfReader::new(reader),
                &mut Resume::default(),
                max,
                sink,
                report,
            )
        }
        Format::Warc => formats::warc::read_stream(rel, input, opts, sink, report),
        Format::Html => {
            let bytes = read_whole_stream(rel, input)?;
            formats::html::read_bytes(rel, &bytes, opts, sink, report)
        }
        Format::Text | Format::Markdown | Format::Json => {
            let bytes = read_whole_stream(rel, input)?;
            read_articles_from_bytes(rel, format, &bytes, sink, report)
        }
    }
}

/// The format of a stream, from its first bytes (a few KiB): a web archive (also
/// gzip-compressed), a web page, JSON Lines (an object on the first line), a JSON
/// array or document; `None` when they do not say (CSV and plain text look alike).
pub fn sniff_format(head: &[u8]) -> Option<Format> {
    let plain;
    let head = if formats::is_gzip(head) {
        // Enough of the first member to see what it holds.
        use std::io::Read;
        let mut out = Vec::new();
        let _ = flate2::read::GzDecoder::new(head)
            .take(4096)
            .read_to_end(&mut out);
        plain = out;
        &plain[..]
    } else {
        head
    };
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = &head[start..];
    let lower: Vec<u8> = text.iter().take(512).map(u8::to_ascii_lowercase).collect();
    if text.starts_with(b"WARC/") {
        return Some(Format::Warc);
    }
    if lower.starts_with(b"<!doctype html")
        || lower.starts_with(b"<html")
        || lower.starts_with(b"<?xml")
        || lower.starts_with(b"<!--")
        || lower.starts_with(b"<head")
    {
        return Some(Format::Html);
    }
    match text[0] {
        b'[' => Some(Format::Json),
        b'{' => {
            // An object that closes on its first line is a JSON Lines record (a bad
            // one too: its neighbours still count); one spread over lines is a JSON
            // document.
            match text.iter().position(|b| *b == b'\n') {
                None => Some(Format::JsonLines),
                Some(end) if text[..end].trim_ascii_end().ends_with(b"}") => {
                    Some(Format::JsonLines)
                }
                Some(_) => Some(Format::Json),
            }
        }
        _ => None,
    }
}

/// Reads a whole stream into memory, refusing one larger than [`MAX_WHOLE_FILE`].
fn read_whole_stream(rel: &str, input: Box<dyn std::io::Read>) -> Result<Vec<u8>, Problem> {
    use std::io::Read;
    let mut bytes = Vec::new();
    input
        .take(MAX_WHOLE_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_problem(rel, "cannot read", &e))?;
    if bytes.len() as u64 > MAX_WHOLE_FILE {
        return Err(Problem::error(
            rel,
            format!(
                "input is larger than {} MiB, the most read whole in this format",
                MAX_WHOLE_FILE / (1024 * 1024)
            ),
        )
        .with_hint("split it, or give it as JSON Lines or a web archive, which are streamed"));
    }
    Ok(bytes)
}

/// Whether a file's first bytes (see [`read_head`]) are those of a binary file: a
/// known magic number or a high share of control bytes, and no UTF-16 byte-order mark.
pub fn is_binary_head(head: &[u8]) -> bool {
    matches!(decode::sniff(head), decode::Sniff::Binary(_))
}

/// Opens a file for reading, turning the I/O error into a [`Problem`]. A FIFO,
/// socket or device (put in the file's place since the walk) is refused, not waited on.
fn open(entry: &FileEntry) -> Result<std::fs::File, Problem> {
    open::open_regular(&entry.abs).map_err(|e| io_problem(&entry.rel, "cannot open", &e))
}

/// A file's reader that fails once the options' stop flag is set, so a parser in the
/// middle of a huge file or record gives up within one buffer.
fn stoppable<R: std::io::Read + 'static>(r: R, opts: &ReadOptions) -> Box<dyn std::io::Read> {
    match &opts.stop {
        Some(stop) => Box::new(open::StopReader::new(r, stop.clone())),
        None => Box::new(r),
    }
}

fn io_problem(rel: &str, what: &str, e: &std::io::Error) -> Problem {
    let p = Problem::error(rel, format!("{what}: {e}"));
    if open::is_not_regular(e) {
        return p.with_hint("it took the place of a file found by the walk; skipped");
    }
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => p.with_hint("check the file's permissions"),
        std::io::ErrorKind::NotFound => p.with_hint("the file vanished during the walk"),
        _ => p,
    }
}

/// Reads a whole file, refusing it if it is larger than [`MAX_WHOLE_FILE`] (checked
/// while reading too, in case it grew since the walk).
fn read_whole(entry: &FileEntry, input: Box<dyn std::io::Read>) -> Result<Vec<u8>, Problem> {
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
    let mut bytes = Vec::with_capacity(entry.size as usize);
    input
        .take(MAX_WHOLE_FILE + 1)
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
    let mut decoded = decode::decode(bytes).map_err(|e| {
        Problem::error(rel, e.to_string()).with_hint("not a text file; rename or remove it")
    })?;
    if let Some(w) = decoded.warning {
        report(Problem::warning(rel, w));
    }
    if let Some(d) = decode::drop_controls(&mut decoded.text) {
        report(Problem::warning(rel, d.describe()).at_line(d.line));
    }
    Ok(decoded.text)
}

fn empty_file(rel: &str) -> Problem {
    Problem::warning(rel, "empty file, skipped").counting("empty", 1)
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
        assert_eq!(format_of(Path::new("a.html")), Some(Format::Html));
        assert_eq!(format_of(Path::new("a/B.HTM")), Some(Format::Html));
        assert_eq!(format_of(Path::new("a.html.gz")), Some(Format::Html));
        assert_eq!(format_of(Path::new("a.warc.gz")), Some(Format::Warc));
        assert_eq!(format_of(Path::new("a.warc")), Some(Format::Warc));
        assert_eq!(format_of(Path::new("a.gz")), None);
        assert_eq!(format_of(Path::new(".html")), None);
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
        for ext in ["txt", "md", "json", "jsonl", "csv", "html", "warc"] {
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
