//! CSV files: a header row naming the columns, then one article per row, streamed.
//!
//! Columns are matched to fields by name (see [`fields`](super::fields)); unknown
//! columns are ignored, but at least a title or a body column must be present.
//! Rows are read leniently: a row with too few fields is kept when it still reaches
//! a title or body column (the missing cells count as empty), a row with too many
//! has the extra cells ignored; both are reported as warnings with the row's line.
//! Cells are decoded one by one, so a stray Latin-1 cell costs only a warning.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use crate::article::Article;

use super::decode;
use super::fields::{field_of, Field, Fields};
use super::limits::CellLimiter;
use super::{FileEntry, Problem, Resume};

/// Reads a CSV file's rows from `input` (the file's bytes), cells cut to `max_cell`
/// bytes as they stream in, numbered on from `at`.
pub(crate) fn read_file(
    entry: &FileEntry,
    input: Box<dyn Read>,
    at: &mut Resume,
    max_cell: usize,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let reader = super::json::open_text_stream(&entry.rel, input)?;
    read_csv_at(
        &entry.rel,
        decode::CrlfReader::new(reader),
        at,
        max_cell,
        sink,
        report,
    )
}

/// Gives up on a file after this many unreadable rows in a row: it is likely not CSV.
const MAX_CONSECUTIVE_ERRORS: u32 = 100;

pub(crate) fn read_csv(
    rel: &str,
    reader: impl Read,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    read_csv_at(
        rel,
        reader,
        &mut Resume::default(),
        super::DEFAULT_MAX_BODY,
        sink,
        report,
    )
}

/// Reads CSV rows, numbering them on from `at`: for the rows appended since an
/// earlier run, `reader` holds the header row followed by the new rows, and `at` the
/// rows, line count and id state that run ended with; `at` is left at the end. An
/// I/O error stops the file: it could not be read whole. Cells are cut to `max_cell`
/// bytes as they stream in (a warning each), so one huge cell never sits in memory
/// whole.
pub(crate) fn read_csv_at(
    rel: &str,
    reader: impl Read,
    at: &mut Resume,
    max_cell: usize,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let tail = Rc::new(Cell::new(Tail::default()));
    let limiter = CellLimiter::new(reader, max_cell);
    let cut = Rc::clone(&limiter.cut);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(Tracking {
            inner: limiter,
            tail: Rc::clone(&tail),
        });
    let headers = rdr
        .byte_headers()
        .map_err(|e| csv_problem(rel, &e))?
        .clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| decode::decode_bytes_lossy(h).0.trim().to_string())
        .collect();
    if names.iter().all(String::is_empty) {
        report(super::empty_file(rel));
        return Ok(0);
    }
    let content_cols: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(field_of(n), Some((Field::Title | Field::Body, _))))
        .map(|(i, _)| i)
        .collect();
    let Some(&first_content) = content_cols.iter().min() else {
        return Err(Problem::error(
            rel,
            format!(
                "no title or body column in the header ({})",
                names.join(", ")
            ),
        )
        .at_line(1)
        .with_hint("name a column title/headline or body/text/content"));
    };

    let line_base = at.line;
    let ids = &mut at.ids;
    let mut record = csv::ByteRecord::new();
    let (mut n, mut emitted, mut errors) = (at.record, 0usize, at.errors);
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => errors = 0,
            Err(e) => {
                let mut p = csv_problem(rel, &e);
                p.line = p.line.map(|l| l + line_base);
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(p);
                }
                report(p);
                errors += 1;
                if errors >= MAX_CONSECUTIVE_ERRORS {
                    break;
                }
                continue;
            }
        }
        n += 1;
        let line = record_line(&record, rdr.position(), tail.get()).map(|l| l + line_base);
        let end = rdr.position().byte();
        while let Some(c) = pop_cut_before(&cut, end) {
            report(
                Problem::warning(
                    rel,
                    format!(
                        "a cell is {} bytes, over the {max_cell}-byte limit; cut",
                        c.len
                    ),
                )
                .at(line)
                .with_hint("raise the limit with --max-body-bytes"),
            );
        }
        if record.len() != names.len() {
            if record.len() <= first_content {
                report(
                    Problem::error(
                        rel,
                        format!(
                            "row has {} field(s), too few to reach a title or body column; skipped",
                            record.len()
                        ),
                    )
                    .at(line),
                );
                continue;
            }
            report(
                Problem::warning(
                    rel,
                    format!(
                        "row has {} field(s) but the header has {}; read leniently",
                        record.len(),
                        names.len()
                    ),
                )
                .at(line),
            );
        }
        let mut fields = Fields::default();
        let mut lossy = None;
        let mut controls: Option<decode::DroppedControls> = None;
        for (name, cell) in names.iter().zip(record.iter()) {
            let (mut text, warning) = decode::decode_bytes_lossy(cell);
            lossy = lossy.or(warning);
            if let Some(d) = decode::drop_controls(&mut text) {
                controls = Some(match controls {
                    Some(c) => decode::DroppedControls {
                        count: c.count + d.count,
                        ..c
                    },
                    None => d,
                });
            }
            fields.set_string(name, text);
        }
        if let Some(w) = lossy {
            report(Problem::warning(rel, w).at(line));
        }
        if let Some(d) = controls {
            report(Problem::warning(rel, d.describe()).at(line));
        }
        if let Some(article) = fields.into_article(rel, Some(n), line, ids, report) {
            sink(article);
            emitted += 1;
        }
    }
    (at.record, at.errors) = (n, errors);
    Ok(emitted)
}

/// The first cell cut before byte `end` of the stream, if any (cuts come in order).
fn pop_cut_before(
    cut: &std::cell::RefCell<std::collections::VecDeque<super::limits::CutCell>>,
    end: u64,
) -> Option<super::limits::CutCell> {
    let mut cut = cut.borrow_mut();
    match cut.front() {
        Some(c) if c.end <= end => cut.pop_front(),
        _ => None,
    }
}

/// What a [`Tracking`] reader has handed out so far.
#[derive(Debug, Clone, Copy, Default)]
struct Tail {
    bytes: u64,
    last: Option<u8>,
    eof: bool,
}

/// Passes bytes through, noting how many, the last one and whether the end was seen.
struct Tracking<R> {
    inner: R,
    tail: Rc<Cell<Tail>>,
}

impl<R: Read> Read for Tracking<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut t = self.tail.get();
        if n == 0 {
            t.eof = !buf.is_empty();
        } else {
            t.bytes += n as u64;
            t.last = Some(buf[n - 1]);
        }
        self.tail.set(t);
        Ok(n)
    }
}

/// The 1-based line a record starts on. The csv crate dates a record from where the
/// reader stood before it, which is too early when blank lines (skipped) come
/// first; so count back from where the record ends instead: its own newlines (in
/// quoted cells) and the newline that ends it, if one does.
fn record_line(record: &csv::ByteRecord, end: &csv::Position, tail: Tail) -> Option<u64> {
    let before = record.position()?.line();
    let inside = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    let at_end = tail.eof && end.byte() == tail.bytes;
    let terminated = !(at_end && tail.last != Some(b'\n'));
    let start = end.line().saturating_sub(inside + u64::from(terminated));
    Some(start.max(before))
}

fn csv_problem(rel: &str, e: &csv::Error) -> Problem {
    let line = e.position().map(|p| p.line());
    let msg = match e.kind() {
        csv::ErrorKind::Io(io) => format!("read error: {io}"),
        _ => format!("invalid CSV: {e}"),
    };
    Problem::error(rel, msg).at(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(data: &[u8]) -> (Result<usize, Problem>, Vec<Article>, Vec<Problem>) {
        let (mut arts, mut probs) = (Vec::new(), Vec::new());
        let r = read_csv(
            "a.csv",
            decode::CrlfReader::new(data),
            &mut |a| arts.push(a),
            &mut |p| probs.push(p),
        );
        (r, arts, probs)
    }

    #[test]
    fn news_2017_columns() {
        let data = b"article_id,publish_date,article_source_link,title,subtitle,text\n\
1,2017/2/7,http://abcnews.go.com/Politics/x,\"Betsy DeVos, Confirmed\",,\"Body \"\"quoted\"\"\"\n\
2,2017/2/8,http://www.aljazeera.com/news/y,,,\n\
3,2017/2/9,http://www.aljazeera.com/news/z,Title only,,\n";
        let (r, arts, probs) = run(data);
        assert_eq!(r, Ok(2));
        assert_eq!(arts[0].id, "a.csv#1");
        assert_eq!(arts[0].title, "Betsy DeVos, Confirmed");
        assert_eq!(arts[0].body, "Body \"quoted\"");
        assert_eq!(arts[0].date_raw.as_deref(), Some("2017/2/7"));
        assert_eq!(arts[0].source.as_deref(), Some("abcnews.go.com"));
        assert_eq!(arts[0].subtitle, None);
        assert_eq!(arts[1].id, "a.csv#3");
        assert_eq!(arts[1].record, Some(3));
        assert_eq!(arts[1].line, Some(4));
        assert_eq!(probs.len(), 1);
        assert_eq!(probs[0].line, Some(3));
    }

    #[test]
    fn quoted_newlines_keep_line_numbers() {
        let data = b"title,body\r\nA,\"line1\r\nline2\r\n\r\nline4\"\r\nB,x\r\n";
        let (r, arts, _) = run(data);
        assert_eq!(r, Ok(2));
        assert_eq!(arts[0].body, "line1\nline2\n\nline4");
        assert_eq!(arts[0].line, Some(2));
        assert_eq!(arts[1].line, Some(6));
        assert_eq!(arts[1].id, "a.csv#2");
    }

    #[test]
    fn blank_lines_before_a_row_do_not_shift_its_line() {
        let cases: [(&[u8], &[u64]); 6] = [
            (b"title,body\n\nA,x\n", &[3]),
            (b"title,body\n\n\n\nA,x\nB,y", &[5, 6]),
            (b"title,body\r\n\r\nA,x\r\n", &[3]),
            (b"title,body\nA,x\n\nB,\"y\n\nz\"\n\nC,c", &[2, 4, 8]),
            (b"\ntitle,body\nA,x\n", &[3]),
            (b"title,body\nA,\"x\ny\"", &[2]),
        ];
        for (data, lines) in cases {
            let (r, arts, _) = run(data);
            assert_eq!(r, Ok(lines.len()));
            let got: Vec<u64> = arts.iter().filter_map(|a| a.line).collect();
            assert_eq!(got, lines, "{:?}", String::from_utf8_lossy(data));
        }
        // A too-short row after a blank line is reported at its own line.
        let (_, _, probs) = run(b"id,title\n1,A\n\n2\n");
        assert_eq!(probs[0].line, Some(4), "{probs:?}");
    }

    #[test]
    fn ragged_rows() {
        let data = b"id,title,body,author\n1,A,a body\n2\n3,C,c body,X and Y,extra\n";
        let (r, arts, probs) = run(data);
        assert_eq!(r, Ok(2));
        assert_eq!(arts[0].title, "A");
        assert_eq!(arts[1].authors, ["X", "Y"]);
        assert_eq!(probs.len(), 3, "{probs:?}");
        assert_eq!((probs[0].line, probs[0].is_error()), (Some(2), false));
        assert_eq!((probs[1].line, probs[1].is_error()), (Some(3), true));
        assert_eq!(probs[2].line, Some(4));
    }

    #[test]
    fn duplicate_ids_and_aliases() {
        let data = b"ARTICLE_ID,Headline,MainText,pubDate,Outlet\n5,A,x,Feb 7 2017,DW\n5,B,y,,\n";
        let (_, arts, probs) = run(data);
        assert_eq!(arts[0].id, "a.csv#5");
        assert_eq!(arts[1].id, "a.csv#5-2");
        assert_eq!(arts[0].source.as_deref(), Some("DW"));
        assert_eq!(arts[0].date_raw.as_deref(), Some("Feb 7 2017"));
        assert!(probs[0].message.contains("duplicate"));
    }

    #[test]
    fn no_content_column_fails_the_file() {
        let (r, _, _) = run(b"a,b\n1,2\n");
        let p = r.unwrap_err();
        assert!(p
            .to_string()
            .starts_with("a.csv:1: no title or body column in the header (a, b) (name a column"));
    }

    #[test]
    fn latin1_cell_and_bom() {
        let (_, arts, probs) = run(b"title,text\ncaf\xe9,x\n");
        assert_eq!(arts[0].title, "café");
        assert_eq!(probs.len(), 1);
        let stream = super::super::json::open_text_stream(
            "a.csv",
            std::io::Cursor::new(b"\xEF\xBB\xBFtitle,text\nA,b\n".to_vec()),
        )
        .unwrap();
        let mut arts = Vec::new();
        assert_eq!(
            read_csv("a.csv", stream, &mut |a| arts.push(a), &mut |_| {}),
            Ok(1)
        );
    }
}
