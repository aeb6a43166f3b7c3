//! Files of enriched records (`newsidx enrich --records`, one JSON object per line),
//! read for `ingest --enriched`: each line becomes the enriched article it holds, with
//! no enrichment run again. Streamed like JSON Lines, in bounded memory; a bad line (not
//! JSON, not a record, a record of a newer version, an id given twice in the file) is
//! one problem naming the line, and the rest of the file goes in.

use std::collections::HashSet;
use std::io::BufRead;

use crate::enrich::Enriched;
use crate::record::EnrichedRecord;

use super::json::{read_line_limited, too_long_line, LineRead};
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
        buf.clear();
        let read = read_line_limited(&mut reader, &mut buf, max_line)
            .map_err(|e| super::io_problem(rel, "read error", &e).at_line(line + 1))?;
        line += 1;
        match read {
            LineRead::Eof => break,
            LineRead::TooLong(len) => {
                n += 1;
                report(too_long_line(rel, len, max_line).at_line(line));
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
