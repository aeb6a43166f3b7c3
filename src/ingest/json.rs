//! JSON (`.json`) and JSON Lines (`.jsonl`, `.ndjson`) files.
//!
//! A `.json` file holds one of:
//! - an article object (one article, id `{rel}` or `{rel}#{id}`);
//! - an array of article objects (records 1.., each with the line it starts on); a
//!   syntax error inside the array stops the file there, the records before it stay;
//! - an object without article fields holding an array of articles under some key
//!   (`{"articles": [...]}`, `{"status": "ok", "items": [...]}`): the first array of
//!   objects, preferring the keys `articles`, `items`, `data`, `results`, `documents`,
//!   `docs`, `records`, `entries`, `stories`, `news`. Records get no line numbers.
//!
//! A JSON Lines file is streamed line by line, so it may be larger than memory.
//! Each non-blank line is a record; a bad line is reported with its line number and
//! the others still go in. A line longer than [`MAX_LINE`](super::MAX_LINE) (or twice
//! the body limit, if more) is skipped without being held in memory.

use std::io::{self, BufRead, BufReader};

use serde_json::{Map, Value};

use crate::article::Article;

use super::decode::{self, Sniff};
use super::fields::{Fields, Ids};
use super::{FileEntry, Problem, Resume};

pub(crate) fn read_json_file(
    entry: &FileEntry,
    input: Box<dyn io::Read>,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let bytes = super::read_whole(entry, input)?;
    let text = super::decode_whole(&entry.rel, &bytes, report)?;
    drop(bytes);
    parse_json(&entry.rel, &text, sink, report)
}

/// Parses a whole `.json` document.
pub(crate) fn parse_json(
    rel: &str,
    text: &str,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let start = text.len() - text.trim_start().len();
    match text[start..].chars().next() {
        None => {
            report(super::empty_file(rel));
            Ok(0)
        }
        Some('[') => parse_array(rel, text, start, sink, report),
        Some('{') => {
            let value: Value = serde_json::from_str(text).map_err(|e| json_problem(rel, 0, &e))?;
            let Value::Object(map) = value else {
                return Err(Problem::error(rel, "expected a JSON object"));
            };
            parse_object(rel, map, sink, report)
        }
        Some(_) => Err(
            Problem::error(rel, "not JSON: expected an object or an array")
                .at_line(1 + text[..start].matches('\n').count() as u64),
        ),
    }
}

/// A top-level object: one article, or a wrapper around an array of them.
fn parse_object(
    rel: &str,
    map: Map<String, Value>,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let mut ids = Ids::default();
    let mut fields = Fields::default();
    // Held back: they matter only if the object turns out to be an article.
    let mut warnings = Vec::new();
    for (k, v) in &map {
        if let Err(msg) = fields.set_json(k, v) {
            warnings.push(Problem::warning(rel, msg));
        }
    }
    if fields.has_content_field() {
        warnings.into_iter().for_each(&mut *report);
        return Ok(emit(
            fields.into_article(rel, None, None, &mut ids, report),
            sink,
        ));
    }
    const WRAPPERS: &[&str] = &[
        "articles",
        "items",
        "data",
        "results",
        "documents",
        "docs",
        "records",
        "entries",
        "stories",
        "news",
    ];
    let is_records = |v: &Value| matches!(v, Value::Array(a) if a.iter().any(Value::is_object));
    let key = WRAPPERS
        .iter()
        .find_map(|w| {
            map.iter()
                .find(|(k, v)| k.eq_ignore_ascii_case(w) && is_records(v))
        })
        .or_else(|| map.iter().find(|(_, v)| is_records(v)))
        .map(|(k, _)| k.clone());
    let mut map = map;
    let Some(Value::Array(records)) = key.and_then(|k| map.remove(&k)) else {
        return Err(Problem::error(
            rel,
            "JSON object has no title or body field and holds no array of articles",
        )
        .with_hint("expected fields such as title/headline and body/text/content"));
    };
    let mut emitted = 0;
    for (i, value) in records.into_iter().enumerate() {
        emitted += record(rel, value, i as u64 + 1, None, &mut ids, sink, report);
    }
    Ok(emitted)
}

/// Reads an array element by element so each record knows its line, and a syntax
/// error late in the file does not lose the records before it.
fn parse_array(
    rel: &str,
    text: &str,
    open: usize,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let mut ids = Ids::default();
    let mut lines = LineCounter::default();
    let mut pos = open + 1;
    let mut n: u64 = 0;
    let mut emitted = 0;
    loop {
        pos = skip_ws(text, pos);
        match text.as_bytes().get(pos) {
            None => {
                let p = Problem::error(rel, "JSON array is not closed (missing `]`)")
                    .at_line(lines.line_at(text, pos));
                if n == 0 {
                    return Err(p);
                }
                report(p);
                return Ok(emitted);
            }
            Some(b']') => break,
            Some(b',') if n > 0 => {
                pos = skip_ws(text, pos + 1);
                // A trailing comma before `]`: forgive it.
                if text.as_bytes().get(pos) == Some(&b']') {
                    break;
                }
            }
            Some(_) if n > 0 => {
                report(
                    Problem::error(
                        rel,
                        "expected `,` or `]` after a record; rest of file skipped",
                    )
                    .at_line(lines.line_at(text, pos)),
                );
                return Ok(emitted);
            }
            Some(_) => {}
        }
        let line = lines.line_at(text, pos);
        let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                pos += stream.byte_offset();
                n += 1;
                emitted += record(rel, value, n, Some(line), &mut ids, sink, report);
            }
            Some(Err(e)) => {
                let p = json_problem(rel, line - 1, &e);
                if n == 0 {
                    return Err(p);
                }
                report(Problem {
                    message: format!("{}; rest of file skipped", p.message),
                    ..p
                });
                return Ok(emitted);
            }
            None => {
                return Err(Problem::error(
                    rel,
                    "JSON array is not closed (missing `]`)",
                ));
            }
        }
    }
    if !text[pos + 1..].trim().is_empty() {
        report(
            Problem::warning(rel, "text after the closing `]` ignored")
                .at_line(lines.line_at(text, pos + 1)),
        );
    }
    Ok(emitted)
}

/// Counts lines up to a byte offset, incrementally (offsets only grow).
#[derive(Default)]
struct LineCounter {
    pos: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, pos: usize) -> u64 {
        let pos = pos.min(text.len());
        if pos >= self.pos {
            self.newlines += text.as_bytes()[self.pos..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.pos = pos;
        }
        self.newlines + 1
    }
}

fn skip_ws(text: &str, mut pos: usize) -> usize {
    let b = text.as_bytes();
    while pos < b.len() && b[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

/// One record of a multi-record file; returns 1 if an article was emitted.
fn record(
    rel: &str,
    value: Value,
    n: u64,
    line: Option<u64>,
    ids: &mut Ids,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> usize {
    let map = match value {
        Value::Object(map) => map,
        value => {
            report(
                Problem::error(
                    rel,
                    format!(
                        "record {n}: expected a JSON object, got {}",
                        super::fields::type_name(&value)
                    ),
                )
                .at(line),
            );
            return 0;
        }
    };
    let mut fields = Fields::default();
    for (k, v) in map {
        if let Err(msg) = fields.set_json_owned(&k, v) {
            report(Problem::warning(rel, msg).at(line));
        }
    }
    emit(fields.into_article(rel, Some(n), line, ids, report), sink)
}

fn emit(article: Option<Article>, sink: &mut dyn FnMut(Article)) -> usize {
    match article {
        Some(a) => {
            sink(a);
            1
        }
        None => 0,
    }
}

/// A serde_json error as a problem; `line_base` is added to the error's line (for
/// errors in a slice of the file).
fn json_problem(rel: &str, line_base: u64, e: &serde_json::Error) -> Problem {
    // serde_json's message ends in " at line L column C"; we say the line our way.
    let msg = e.to_string();
    let msg = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m);
    let line = line_base + e.line().max(1) as u64;
    Problem::error(rel, format!("invalid JSON: {msg} (column {})", e.column())).at_line(line)
}

pub(crate) fn read_jsonl_file(
    entry: &FileEntry,
    input: Box<dyn io::Read>,
    at: &mut Resume,
    max_line: usize,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let reader = open_text_stream(&entry.rel, input)?;
    read_jsonl_at(&entry.rel, reader, at, max_line, sink, report)
}

/// Wraps a file for streaming: drops a UTF-8 BOM, transcodes UTF-16, refuses binary.
pub(crate) fn open_text_stream<R: io::Read + 'static>(
    rel: &str,
    inner: R,
) -> Result<Box<dyn BufRead>, Problem> {
    let mut reader = BufReader::with_capacity(64 * 1024, inner);
    let head = reader
        .fill_buf()
        .map_err(|e| super::io_problem(rel, "cannot read", &e))?;
    let sniffed = decode::sniff(head);
    reader.consume(sniffed.bom_len());
    Ok(match sniffed {
        Sniff::Binary(kind) => {
            return Err(
                Problem::error(rel, decode::DecodeError::Binary(kind).to_string())
                    .with_hint("not a text file; rename or remove it"),
            )
        }
        Sniff::Utf16Le => Box::new(BufReader::new(decode::Utf16Reader::new(reader, false))),
        Sniff::Utf16Be => Box::new(BufReader::new(decode::Utf16Reader::new(reader, true))),
        Sniff::Utf8Bom | Sniff::Plain => Box::new(reader),
    })
}

/// Streams JSON Lines records.
pub(crate) fn read_jsonl(
    rel: &str,
    reader: impl BufRead,
    max_line: usize,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    read_jsonl_at(rel, reader, &mut Resume::default(), max_line, sink, report)
}

/// Streams JSON Lines records from where `at` says the stream begins (the start of
/// the file, or the end of what an earlier run read), and leaves `at` at the end.
/// An I/O error stops the file: it could not be read whole.
pub(crate) fn read_jsonl_at(
    rel: &str,
    mut reader: impl BufRead,
    at: &mut Resume,
    max_line: usize,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let ids = &mut at.ids;
    let mut buf = Vec::new();
    let (mut line, mut n, mut emitted) = (at.line, at.record, 0usize);
    loop {
        match next_line(rel, &mut reader, &mut buf, max_line, &mut line, report)? {
            LineRead::Eof => break,
            LineRead::TooLong(_) => {
                n += 1;
                continue;
            }
            LineRead::Line => {}
        }
        let (mut text, warning) = decode::decode_bytes_lossy(&buf);
        // Raw control bytes are never valid JSON: drop them rather than the record.
        let dropped = decode::drop_controls(&mut text);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        n += 1;
        if let Some(w) = warning {
            report(Problem::warning(rel, w).at_line(line));
        }
        if let Some(d) = dropped {
            report(Problem::warning(rel, d.describe()).at_line(line));
        }
        match serde_json::from_str::<Value>(text) {
            Ok(value) => emitted += record(rel, value, n, Some(line), ids, sink, report),
            Err(e) => report(json_problem(rel, line - 1, &e)),
        }
    }
    if emitted == 0 && n == 0 {
        report(super::empty_file(rel));
    }
    at.record = n;
    Ok(emitted)
}

/// The problem of a line longer than `max_line` bytes, which is skipped.
pub(crate) fn too_long_line(rel: &str, len: u64, max_line: usize) -> Problem {
    Problem::error(
        rel,
        format!(
            "line is {len} bytes, longer than the {} MiB limit; skipped",
            max_line / (1024 * 1024)
        ),
    )
}

/// Reads the next line of a line-oriented file into `buf` (cleared first) and counts
/// it in `line`. A line over `max_line` bytes is reported, naming it, and returned as
/// `TooLong` for the caller to step over; a read error is the file's problem, naming
/// the line it stopped at.
pub(crate) fn next_line(
    rel: &str,
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max_line: usize,
    line: &mut u64,
    report: &mut dyn FnMut(Problem),
) -> Result<LineRead, Problem> {
    buf.clear();
    let read = read_line_limited(reader, buf, max_line)
        .map_err(|e| super::io_problem(rel, "read error", &e).at_line(*line + 1))?;
    *line += 1;
    if let LineRead::TooLong(len) = read {
        report(too_long_line(rel, len, max_line).at_line(*line));
    }
    Ok(read)
}

pub(crate) enum LineRead {
    Eof,
    Line,
    /// The line's length in bytes; its content was dropped as it was read.
    TooLong(u64),
}

/// Reads one line (with its `\n`) into `buf`, but stops storing it beyond `max`
/// bytes and reads on to the end of the line, so one huge line costs no memory.
pub(crate) fn read_line_limited(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    let (mut total, mut too_long, mut any) = (0u64, false, false);
    loop {
        let avail = match reader.fill_buf() {
            Ok(avail) => avail,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(match (any, too_long) {
                (false, _) => LineRead::Eof,
                (true, true) => LineRead::TooLong(total),
                (true, false) => LineRead::Line,
            });
        }
        any = true;
        let (len, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        total += len as u64;
        if !too_long {
            if buf.len() + len > max {
                too_long = true;
                buf.clear();
                buf.shrink_to_fit();
            } else {
                buf.extend_from_slice(&avail[..len]);
            }
        }
        reader.consume(len);
        if done {
            return Ok(if too_long {
                LineRead::TooLong(total)
            } else {
                LineRead::Line
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::MAX_LINE;
    use super::*;

    fn run_json(text: &str) -> (Result<usize, Problem>, Vec<Article>, Vec<Problem>) {
        let (mut arts, mut probs) = (Vec::new(), Vec::new());
        let r = parse_json("a.json", text, &mut |a| arts.push(a), &mut |p| {
            probs.push(p)
        });
        (r, arts, probs)
    }

    fn run_jsonl(bytes: &[u8]) -> (Result<usize, Problem>, Vec<Article>, Vec<Problem>) {
        let (mut arts, mut probs) = (Vec::new(), Vec::new());
        let r = read_jsonl(
            "a.jsonl",
            bytes,
            MAX_LINE,
            &mut |a| arts.push(a),
            &mut |p| probs.push(p),
        );
        (r, arts, probs)
    }

    #[test]
    fn single_object() {
        let (r, arts, _) = run_json(r#"{"headline": "H", "maintext": "B", "id": "x1"}"#);
        assert_eq!(r, Ok(1));
        assert_eq!(arts[0].id, "a.json#x1");
        assert_eq!(arts[0].record, None);
        assert_eq!((arts[0].title.as_str(), arts[0].body.as_str()), ("H", "B"));
        let (_, arts, _) = run_json(r#"{"title": "H", "text": "B"}"#);
        assert_eq!(arts[0].id, "a.json");
    }

    #[test]
    fn array_with_lines_and_duplicate_ids() {
        let text = "[\n  {\"title\": \"A\", \"id\": 7},\n  {\"title\": \"B\"},\n  {\n    \"title\": \"C\", \"id\": 7\n  },\n  42\n]\n";
        let (r, arts, probs) = run_json(text);
        assert_eq!(r, Ok(3));
        let ids: Vec<_> = arts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a.json#7", "a.json#2", "a.json#7-3"]);
        let lines: Vec<_> = arts.iter().map(|a| a.line.unwrap()).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert_eq!(arts[2].record, Some(3));
        assert_eq!(probs.len(), 2, "{probs:?}");
        assert_eq!(probs[0].line, Some(4));
        assert!(probs[0].message.contains("duplicate"));
        assert_eq!(
            probs[1].to_string(),
            "a.json:7: record 4: expected a JSON object, got a number"
        );
    }

    #[test]
    fn array_syntax_error_keeps_earlier_records() {
        let (r, arts, probs) = run_json("[\n{\"title\": \"A\"},\n{\"title\": oops}\n]");
        assert_eq!(r, Ok(1));
        assert_eq!(arts.len(), 1);
        assert_eq!(probs[0].line, Some(3));
        assert!(probs[0].message.starts_with("invalid JSON"), "{}", probs[0]);
        let (r, _, _) = run_json("[{\"title\": ");
        assert!(r.is_err());
        let (r, _, _) = run_json("{\"title\": \"x\",\n\"body\": }");
        assert_eq!(r.unwrap_err().line, Some(2));
    }

    #[test]
    fn wrapped_articles() {
        let (r, arts, _) = run_json(
            r#"{"status": "ok", "totalResults": 2, "articles": [
                {"source": {"id": null, "name": "Reuters"}, "author": "A B", "title": "T1",
                 "description": "D", "url": "https://www.reuters.com/x", "publishedAt": "2017-02-07T10:00:00Z", "content": "C"},
                {"title": "T2"}]}"#,
        );
        assert_eq!(r, Ok(2));
        assert_eq!(arts[0].source.as_deref(), Some("Reuters"));
        assert_eq!(arts[0].subtitle.as_deref(), Some("D"));
        assert_eq!(arts[0].date_raw.as_deref(), Some("2017-02-07T10:00:00Z"));
        assert_eq!(arts[1].id, "a.json#2");
        let (r, _, _) = run_json(r#"{"foo": 1}"#);
        assert!(r.is_err());
    }

    #[test]
    fn not_json() {
        let (r, _, _) = run_json("\n\nhello");
        assert_eq!(r.unwrap_err().line, Some(3));
    }

    #[test]
    fn jsonl_bad_line_reported_with_line_number() {
        let data = b"{\"title\": \"A\", \"text\": \"x\"}\n\n{\"title\": \"B\",\n{\"headline\": \"C\", \"publishedAt\": \"Feb 7, 2017\"}\r\n[1]\n";
        let (r, arts, probs) = run_jsonl(data);
        assert_eq!(r, Ok(2));
        assert_eq!(arts[0].line, Some(1));
        assert_eq!(arts[1].line, Some(4));
        assert_eq!(arts[1].record, Some(3));
        assert_eq!(arts[1].id, "a.jsonl#3");
        assert_eq!(arts[1].date_raw.as_deref(), Some("Feb 7, 2017"));
        assert_eq!(probs.len(), 2);
        assert_eq!(probs[0].line, Some(3));
        assert!(
            probs[0].to_string().starts_with("a.jsonl:3: invalid JSON"),
            "{}",
            probs[0]
        );
        assert_eq!(probs[1].line, Some(5));
    }

    #[test]
    fn jsonl_overlong_line_skipped() {
        let mut data = Vec::new();
        data.extend_from_slice(b"{\"title\": \"A\"}\n{\"title\": \"");
        data.extend(std::iter::repeat_n(b'x', 200));
        data.extend_from_slice(b"\"}\n{\"title\": \"C\"}");
        let (mut arts, mut probs) = (Vec::new(), Vec::new());
        let mut reader = &data[..];
        let mut buf = Vec::new();
        // The limit is 16 MiB in production; test the reader with a small one.
        assert!(matches!(
            read_line_limited(&mut reader, &mut buf, 50),
            Ok(LineRead::Line)
        ));
        assert!(matches!(
            read_line_limited(&mut reader, &mut buf, 50),
            Ok(LineRead::TooLong(214))
        ));
        buf.clear();
        assert!(matches!(
            read_line_limited(&mut reader, &mut buf, 50),
            Ok(LineRead::Line)
        ));
        assert_eq!(buf, b"{\"title\": \"C\"}");
        assert!(matches!(
            read_line_limited(&mut reader, &mut buf, 50),
            Ok(LineRead::Eof)
        ));
        let r = read_jsonl(
            "a.jsonl",
            &data[..],
            MAX_LINE,
            &mut |a| arts.push(a),
            &mut |p| probs.push(p),
        );
        assert_eq!(r, Ok(3));
    }

    #[test]
    fn jsonl_latin1_line_and_bom() {
        let (r, arts, probs) = run_jsonl(b"{\"title\": \"caf\xe9\"}\n");
        assert_eq!(r, Ok(1));
        assert_eq!(arts[0].title, "café");
        assert_eq!(probs[0].severity, super::super::Severity::Warning);
        let stream = open_text_stream(
            "a.jsonl",
            std::io::Cursor::new(b"\xEF\xBB\xBF{\"title\": \"T\"}\n".to_vec()),
        )
        .unwrap();
        let mut arts = Vec::new();
        assert_eq!(
            read_jsonl(
                "a.jsonl",
                stream,
                MAX_LINE,
                &mut |a| arts.push(a),
                &mut |_| {}
            ),
            Ok(1)
        );
        assert!(open_text_stream("a.jsonl", std::io::Cursor::new(b"\x00\x01".to_vec())).is_err());
    }

    #[test]
    fn jsonl_utf16() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "{\"title\": \"Zürich\"}\r\n{\"title\": \"B\"}\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let stream = open_text_stream("a.jsonl", std::io::Cursor::new(bytes)).unwrap();
        let mut arts = Vec::new();
        assert_eq!(
            read_jsonl(
                "a.jsonl",
                stream,
                MAX_LINE,
                &mut |a| arts.push(a),
                &mut |_| {}
            ),
            Ok(2)
        );
        assert_eq!(arts[0].title, "Zürich");
    }
}
