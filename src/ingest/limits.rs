//! Limits that keep reading in memory bounded by configuration, not by the input:
//! an article's text fields are cut to [`ReadOptions::max_body_bytes`] (with a
//! warning), and a CSV cell longer than that is cut while it streams past, before
//! the CSV parser would hold it whole.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::article::Article;

use super::Problem;

/// The default limit on an article's body (and title, subtitle): 1 MiB of text. The
/// longest real news articles (long-form features, full speeches) are a few hundred
/// KiB; the news-2017 set's longest body is 52 KiB.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

/// How to read a file: limits, and a flag that stops the read early.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Text fields longer than this are cut to it (at a character boundary).
    pub max_body_bytes: usize,
    /// Once set, streamed reads give up at the next buffer and problems are no
    /// longer reported (the run is stopping; the file is read again next time).
    pub stop: Option<Arc<AtomicBool>>,
    /// Keep web pages that are not articles (home pages, listings, error pages).
    pub keep_non_articles: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_body_bytes: DEFAULT_MAX_BODY,
            stop: None,
            keep_non_articles: false,
        }
    }
}

/// Cuts the article's title, subtitle and body to `max` bytes each; returns a warning
/// for each field cut.
pub(crate) fn cut_fields(a: &mut Article, max: usize) -> Vec<Problem> {
    // (name, length before, length after) of each field cut; the warnings, and the
    // path they name, are built only when one was.
    let mut cuts = Vec::new();
    let mut check = |name: &'static str, s: &mut String| {
        if let Some(len) = cut(s, max) {
            cuts.push((name, len, s.len()));
        }
    };
    check("title", &mut a.title);
    if let Some(s) = a.subtitle.as_mut() {
        check("subtitle", s);
    }
    check("body", &mut a.body);
    cuts.into_iter()
        .map(|(name, len, kept)| {
            Problem::warning(
                a.path.clone(),
                format!("{name} is {len} bytes, over the {max}-byte limit; cut to {kept} bytes"),
            )
            .with_hint("raise the limit with --max-body-bytes")
            .at(a.line)
        })
        .collect()
}

/// Drops control characters that reached a text field through a JSON escape
/// (`"\u0000"`, `"\u001b[2J"`): raw ones are dropped before parsing, and these would
/// be as wrong in a search result or on a terminal. Returns a warning if any went.
pub(crate) fn drop_field_controls(a: &mut Article) -> Option<Problem> {
    let mut count = 0;
    let mut first = None;
    let fields = [Some(&mut a.title), a.subtitle.as_mut(), Some(&mut a.body)];
    for s in fields.into_iter().flatten() {
        if let Some(d) = super::decode::drop_controls(s) {
            count += d.count;
            first.get_or_insert(d.first);
        }
    }
    let first = first?;
    let d = super::decode::DroppedControls {
        count,
        first,
        line: 1,
    };
    Some(Problem::warning(a.path.clone(), d.describe()).at(a.line))
}

/// Cuts `s` to at most `max` bytes, at the last whitespace of the final 1 KiB when
/// there is one (so no word is cut in half), else at a character boundary. Returns
/// the length before the cut, or `None` if `s` was short enough.
pub(crate) fn cut(s: &mut String, max: usize) -> Option<usize> {
    if s.len() <= max {
        return None;
    }
    let len = s.len();
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut window = end.saturating_sub(1024);
    while !s.is_char_boundary(window) {
        window += 1;
    }
    if let Some(ws) = s[window..end].rfind(char::is_whitespace) {
        end = window + ws;
    }
    s.truncate(end);
    s.truncate(s.trim_end().len());
    s.shrink_to_fit();
    Some(len)
}

/// A CSV cell cut by a [`CellLimiter`]: where it ended in the limited stream, and
/// how long it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CutCell {
    pub end: u64,
    pub len: u64,
}

/// Where the CSV parser stands, as far as telling cell bytes from structure needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvState {
    /// At the start of a record or a field.
    Start,
    InField,
    InQuoted,
    /// After a `"` inside a quoted field: `""` is a quote, else the field ends.
    AfterQuote,
}

/// Streams CSV (comma, `"`-quoted, doubled quotes; the csv crate's defaults) and
/// drops the bytes of any cell beyond `max` bytes, so a huge cell never reaches the
/// parser whole. Only bytes that leave the parser's state unchanged are dropped
/// (plain cell content, never a quote, comma or line end), so records, fields and
/// line numbers stay as they were; a cut starts at a character boundary. Each cut
/// cell is noted in `cut` for the reader to report.
pub(crate) struct CellLimiter<R> {
    inner: R,
    max: u64,
    state: CsvState,
    /// Text bytes of the current cell so far (dropped ones included; quoting not).
    cell: u64,
    cutting: bool,
    /// Bytes handed out so far.
    out: u64,
    buf: Vec<u8>,
    pub(crate) cut: Rc<RefCell<VecDeque<CutCell>>>,
}

impl<R: Read> CellLimiter<R> {
    pub(crate) fn new(inner: R, max: usize) -> Self {
        CellLimiter {
            inner,
            max: max as u64,
            state: CsvState::Start,
            cell: 0,
            cutting: false,
            out: 0,
            buf: Vec::new(),
            cut: Rc::default(),
        }
    }

    fn end_cell(&mut self) {
        if self.cutting {
            self.cut.borrow_mut().push_back(CutCell {
                end: self.out,
                len: self.cell,
            });
        }
        self.cell = 0;
        self.cutting = false;
    }

    /// Steps the state for one byte; returns whether to keep it.
    fn step(&mut self, b: u8) -> bool {
        use CsvState::*;
        let line_end = b == b'\n' || b == b'\r';
        let (next, content) = match (self.state, b) {
            (Start, b'"') => (InQuoted, false),
            (AfterQuote, b'"') => (InQuoted, false),
            (Start | InField | AfterQuote, b',') => (Start, false),
            (Start | InField | AfterQuote, _) if line_end => (Start, false),
            (Start | AfterQuote, _) => (InField, false),
            (InField, _) => (InField, true),
            (InQuoted, b'"') => (AfterQuote, false),
            (InQuoted, _) => (InQuoted, true),
        };
        // Cell text: content bytes, a field's first byte, the second quote of `""`.
        let text = content
            || (next == InField && self.state != InField)
            || (self.state == AfterQuote && next == InQuoted);
        if next == Start {
            self.end_cell();
        } else if text {
            self.cell += 1;
        }
        self.state = next;
        if content && !line_end && self.cell > self.max {
            // Start cutting at a character's first byte, never inside one.
            if !self.cutting && (b & 0xC0) != 0x80 {
                self.cutting = true;
            }
            if self.cutting {
                return false;
            }
        }
        true
    }
}

impl<R: Read> Read for CellLimiter<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            self.buf.resize(out.len(), 0);
            let n = self.inner.read(&mut self.buf)?;
            if n == 0 {
                self.end_cell();
                return Ok(0);
            }
            let mut w = 0;
            let mut i = 0;
            while i < n {
                // Plain cell content up to the next byte that could change the state
                // (a quote in a quoted cell; a comma or line end in another), while
                // the cell stays within the limit: every byte of it is kept, as
                // `step` would keep it, in one copy.
                let run = if self.cutting {
                    0
                } else {
                    let rest = &self.buf[i..n];
                    let to_stop = match self.state {
                        CsvState::InQuoted => memchr::memchr(b'"', rest),
                        CsvState::InField => memchr::memchr3(b',', b'\n', b'\r', rest),
                        _ => Some(0),
                    }
                    .unwrap_or(rest.len());
                    to_stop.min(self.max.saturating_sub(self.cell) as usize)
                };
                if run > 0 {
                    out[w..w + run].copy_from_slice(&self.buf[i..i + run]);
                    w += run;
                    i += run;
                    self.cell += run as u64;
                    self.out += run as u64;
                    continue;
                }
                let b = self.buf[i];
                if self.step(b) {
                    out[w] = b;
                    w += 1;
                    self.out += 1;
                }
                i += 1;
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(data: &[u8], max: usize, chunk: usize) -> (Vec<u8>, Vec<CutCell>) {
        let mut r = CellLimiter::new(data, max);
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        let cut = r.cut.borrow().iter().copied().collect();
        (out, cut)
    }

    #[test]
    fn long_cells_are_cut_structure_kept() {
        let data = b"id,body,date\n1,abcdefghij,2017\n2,\"ab\"\"cdefgh\nij\",2018\n3,sh,x";
        for chunk in [1, 3, 64] {
            let (out, cut) = limit(data, 4, chunk);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "id,body,date\n1,abcd,2017\n2,\"ab\"\"c\n\",2018\n3,sh,x",
                "chunk {chunk}"
            );
            assert_eq!(
                cut,
                [CutCell { end: 19, len: 10 }, CutCell { end: 35, len: 12 }]
            );
        }
    }

    proptest::proptest! {
        /// The runs copied whole give what stepping byte by byte gives: the same
        /// bytes out and the same cells noted as cut, whatever the read sizes.
        #[test]
        fn runs_are_limited_as_bytes_are(
            data in proptest::collection::vec(
                proptest::sample::select(b"ab,\"\n\r\xc3\xa9 ".to_vec()), 0..300),
            max in 0usize..12,
            chunk in 1usize..70,
        ) {
            let mut want = Vec::new();
            let mut r = CellLimiter::new(&data[..], max);
            for &b in &data {
                if r.step(b) {
                    want.push(b);
                    r.out += 1;
                }
            }
            r.end_cell();
            let want_cut: Vec<CutCell> = r.cut.borrow().iter().copied().collect();
            let (got, got_cut) = limit(&data, max, chunk);
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(got_cut, want_cut);
        }
    }

    #[test]
    fn cut_at_char_and_word_boundaries() {
        let mut s = "aé".repeat(10);
        assert_eq!(cut(&mut s, 5), Some(30));
        assert_eq!(s, "aéa");
        let mut s = "one two three".to_string();
        assert_eq!(cut(&mut s, 9), Some(13));
        assert_eq!(s, "one two");
        // Multi-byte text with no whitespace near the limit.
        let mut s = "€".repeat(2000);
        assert_eq!(cut(&mut s, 3000), Some(6000));
        assert_eq!(s.len(), 3000);
        let mut s = format!("{} {}", "€".repeat(100), "€".repeat(1000));
        assert_eq!(cut(&mut s, 1000), Some(3301));
        assert_eq!(s, "€".repeat(100));
        // Every limit, over text of 1- to 4-byte characters and spaces.
        let mixed = "a€ b😀 cé\u{a0}d".repeat(300);
        for max in 0..mixed.len() {
            let mut s = mixed.clone();
            cut(&mut s, max);
            assert!(s.len() <= max && mixed.starts_with(&s), "max {max}");
        }
        let mut short = "ok".to_string();
        assert_eq!(cut(&mut short, 5), None);
        // A multi-byte character at the cut is not split by the limiter either.
        let (out, cut) = limit("t\n\"aéé\"\n".as_bytes(), 2, 64);
        assert_eq!(String::from_utf8(out).unwrap(), "t\n\"aé\"\n");
        assert_eq!(cut.len(), 1);
    }
}
