//! Files of enriched records (`newsidx enrich --records`, one JSON object per line),
//! read for `ingest --enriched`: each line becomes the enriched article it holds, with
//! no enrichment run again. Streamed like JSON Lines, in bounded memory; a bad line (not
//! JSON, not a record, a record of a newer version, an id given twice in the file) is
//! one problem naming the line, and the rest of the file goes in.

use std::collections::HashSet;
use std::io::BufRead;

use crate::enrich::Enriched;
use crate::record::EnrichedRecord;

use super::json::{next_line, LineRead};
use super::{decode, Problem, Resume};

/// Reads records from where `at` says the stream begins; `known` holds the ids of the
/// file's records already read (an appended part's predecessors).
pub(crate) fn read_at(
    rel: &str,
    mut reader: impl BufRead,
    at: &mut Resume,
    known: &[String],
    max_line: usize,
    sink: &mut dyn FnMut(Enriched),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let mut ids: HashSet<String> = known.iter().cloned().collect();
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
        let (text, _) = decode::decode_bytes_lossy(&buf);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        n += 1;
        let e = match EnrichedRecord::from_line(text).and_then(EnrichedRecord::into_enriched) {
            Ok(e) => e,
            Err(msg) => {
                report(Problem::error(rel, msg).at_line(line));
                continue;
            }
        };
        if !ids.insert(e.article.id.clone()) {
            report(
                Problem::error(
                    rel,
                    format!(
                        "id \"{}\" is given to an earlier record of this file too; skipped",
                        e.article.id
                    ),
                )
                .at_line(line)
                .with_hint("each article's record once per file"),
            );
            continue;
        }
        sink(e);
        emitted += 1;
    }
    if emitted == 0 && n == 0 {
        report(super::empty_file(rel));
    }
    at.record = n;
    Ok(emitted)
}

/// One line of a file of records, as [`scan`] finds it.
pub enum Scanned {
    /// A record, with where its line lies in the file (`offset` and `len` in bytes)
    /// so that it can be read again by [`record_at`].
    Record {
        line: u64,
        offset: u64,
        len: u32,
        record: Box<EnrichedRecord>,
    },
    /// A deletion as a sink of records writes it
    /// (`{"newsidx_delete":1,"origin":…,"except":[ids]}`): the articles read from the
    /// file `origin` before this line, but those in `except`.
    Delete {
        line: u64,
        origin: String,
        except: Vec<String>,
    },
}

/// The version of the deletion line this build reads.
const DELETE_VERSION: u64 = 1;

#[derive(serde::Deserialize)]
struct DeleteLine {
    #[serde(rename = "newsidx_delete")]
    _version: u64,
    origin: String,
    #[serde(default)]
    except: Vec<String>,
}

/// Streams a file of records (UTF-8, as `newsidx enrich --records` writes them), one
/// line at a time, telling `each` where every record lies; `each` returns false to
/// stop. A bad line is one problem naming the line, and the rest goes on. Returns the
/// number of records found. Unlike [`read_at`], nothing is made of the records here:
/// an exporter keeps only their ids and places, and reads them again in id order.
pub fn scan(
    rel: &str,
    input: impl std::io::Read,
    max_line: usize,
    each: &mut dyn FnMut(Scanned) -> bool,
    report: &mut dyn FnMut(Problem),
) -> Result<u64, Problem> {
    let mut reader = std::io::BufReader::with_capacity(256 * 1024, input);
    let head = reader
        .fill_buf()
        .map_err(|e| super::io_problem(rel, "cannot read", &e))?;
    let mut offset = match decode::sniff(head) {
        decode::Sniff::Binary(kind) => {
            return Err(
                Problem::error(rel, decode::DecodeError::Binary(kind).to_string())
                    .with_hint("not a file of enriched records; give the files `newsidx enrich --records` writes"),
            )
        }
        decode::Sniff::Utf16Le | decode::Sniff::Utf16Be => {
            return Err(Problem::error(rel, "records in UTF-16, not UTF-8").with_hint(
                "convert the file to UTF-8 (`iconv -f UTF-16 -t UTF-8`), as `newsidx enrich --records` writes records",
            ))
        }
        s => s.bom_len() as u64,
    };
    reader.consume(offset as usize);
    let mut buf = Vec::new();
    let (mut line, mut n) = (0u64, 0u64);
    let mut lines = 0u64;
    loop {
        let start = offset;
        match next_line(rel, &mut reader, &mut buf, max_line, &mut line, report)? {
            LineRead::Eof => break,
            LineRead::TooLong(len) => {
                offset += len;
                lines += 1;
                continue;
            }
            LineRead::Line => offset += buf.len() as u64,
        }
        let (text, _) = decode::decode_bytes_lossy(&buf);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        lines += 1;
        let d = match EnrichedRecord::from_line(text) {
            Ok(record) => {
                n += 1;
                let go_on = each(Scanned::Record {
                    line,
                    offset: start,
                    len: (offset - start) as u32,
                    record: Box::new(record),
                });
                if !go_on {
                    break;
                }
                continue;
            }
            Err(msg) => match delete_line(text) {
                Some(d) => d,
                None => Err(msg),
            },
        };
        match d {
            Ok(d) => {
                let go_on = each(Scanned::Delete {
                    line,
                    origin: d.origin,
                    except: d.except,
                });
                if !go_on {
                    break;
                }
            }
            Err(msg) => report(Problem::error(rel, msg).at_line(line)),
        }
    }
    if lines == 0 {
        report(super::empty_file(rel));
    }
    Ok(n)
}

/// A deletion line, read (or why it cannot be); `None` for a line that is not one.
fn delete_line(text: &str) -> Option<Result<DeleteLine, String>> {
    #[derive(serde::Deserialize)]
    struct Kind {
        newsidx_delete: Option<serde_json::Value>,
    }
    let version = serde_json::from_str::<Kind>(text).ok()?.newsidx_delete?;
    if version.as_u64().is_some_and(|v| v > DELETE_VERSION) {
        return Some(Err(format!(
            "deletion line version {version} is newer than this newsidx reads (version {DELETE_VERSION}); upgrade newsidx"
        )));
    }
    Some(
        serde_json::from_str::<DeleteLine>(text)
            .map_err(|e| format!("not a readable deletion line: {e}")),
    )
}

/// The record whose line [`scan`] found at `offset` (`len` bytes) of `file`.
pub fn record_at(file: &std::fs::File, offset: u64, len: u32) -> std::io::Result<EnrichedRecord> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; len as usize];
    file.read_exact_at(&mut buf, offset)?;
    let (text, _) = decode::decode_bytes_lossy(&buf);
    EnrichedRecord::from_line(text.trim()).map_err(std::io::Error::other)
}
