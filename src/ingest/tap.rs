//! The one pass over a file's bytes that the readers parse: it hashes exactly what is
//! parsed, stops at the size the walk saw (a file that grows during the run is read
//! as it was when the run began), notes any I/O error (whatever the reader then does
//! with it), and remembers what a later run needs to read only what was appended.

use std::cell::RefCell;
use std::io::{self, Read};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a [`Tap`] has seen so far.
pub(crate) struct Seen {
    pub hasher: blake3::Hasher,
    /// Bytes passed on.
    pub bytes: u64,
    pub newlines: u64,
    pub last: Option<u8>,
    /// The first two bytes (to recognise a UTF-16 byte-order mark).
    pub head: Vec<u8>,
    /// The first I/O error a read returned.
    pub io_error: Option<String>,
    /// CSV files: where the parser would stand (see [`CsvScan`]).
    pub csv: Option<CsvScan>,
}

impl Seen {
    pub fn new(hasher: blake3::Hasher, csv: bool) -> Seen {
        Seen {
            hasher,
            bytes: 0,
            newlines: 0,
            last: None,
            head: Vec::new(),
            io_error: None,
            csv: csv.then(CsvScan::default),
        }
    }

    fn update(&mut self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        self.hasher.update(data);
        if self.head.len() < 2 {
            let take = (2 - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..take]);
        }
        self.newlines += memchr::memchr_iter(b'\n', data).count() as u64;
        self.last = data.last().copied();
        if let Some(scan) = &mut self.csv {
            scan.feed_all(data, self.bytes);
        }
        self.bytes += data.len() as u64;
    }

    /// Goes on where an earlier read of `state.len` bytes ended (between two records,
    /// at a line end), with the hasher that has hashed them.
    pub fn resume(hasher: blake3::Hasher, state: &super::StreamState, csv: bool) -> Seen {
        Seen {
            hasher,
            bytes: state.len,
            newlines: state.lines,
            last: Some(b'\n'),
            // Not a byte-order mark: the first read found none.
            head: vec![0, 0],
            io_error: None,
            csv: csv.then(|| CsvScan {
                header_len: Some(state.header_len),
                header_lines: state.header_lines,
                ..CsvScan::default()
            }),
        }
    }

    pub fn utf16(&self) -> bool {
        self.head == [0xFF, 0xFE] || self.head == [0xFE, 0xFF]
    }
}

/// A reader that passes bytes through to the parser and records them in a shared
/// [`Seen`].
pub(crate) struct Tap<R> {
    inner: R,
    seen: Rc<RefCell<Seen>>,
}

impl<R: Read> Tap<R> {
    pub fn new(inner: R, seen: Rc<RefCell<Seen>>) -> Tap<R> {
        Tap { inner, seen }
    }
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.seen.borrow_mut().update(&buf[..n]);
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    let mut seen = self.seen.borrow_mut();
                    if seen.io_error.is_none() {
                        seen.io_error = Some(e.to_string());
                    }
                }
                Err(e)
            }
        }
    }
}

/// Where a CSV parser (the csv crate's defaults: `"` quotes, `""` an escaped quote,
/// `\r`, `\n` or `\r\n` ending a record, blank lines skipped) stands after each byte;
/// enough to tell whether the bytes so far end between records, and where the header
/// row ends.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CsvScan {
    state: CsvState,
    prev: u8,
    newlines: u64,
    /// The byte offset just past the header row's line ending.
    pub header_len: Option<u64>,
    /// Newlines up to there.
    pub header_lines: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum CsvState {
    #[default]
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl CsvScan {
    /// Feeds `data`, which starts at offset `at`. A run of bytes that leaves the state
    /// as it is (anything but a quote inside quotes; anything but a comma or line end
    /// in an unquoted cell) is passed over at once: within it only the newline count
    /// and the last byte change.
    fn feed_all(&mut self, data: &[u8], mut at: u64) {
        let mut i = 0;
        while i < data.len() {
            let rest = &data[i..];
            let run = match self.state {
                CsvState::Quoted => memchr::memchr(b'"', rest).unwrap_or(rest.len()),
                CsvState::Unquoted => {
                    memchr::memchr3(b',', b'\n', b'\r', rest).unwrap_or(rest.len())
                }
                _ => 0,
            };
            if run > 0 {
                let seg = &rest[..run];
                self.newlines += memchr::memchr_iter(b'\n', seg).count() as u64;
                self.prev = seg[run - 1];
                i += run;
                at += run as u64;
                continue;
            }
            self.feed(data[i], at);
            i += 1;
            at += 1;
        }
    }

    fn feed(&mut self, b: u8, at: u64) {
        use CsvState::*;
        let end = b == b'\n' || b == b'\r';
        let before = self.state;
        self.state = match (before, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted, b'"') => Quoted,
            (RecordStart | FieldStart, b'"') => Quoted,
            (_, b',') => FieldStart,
            (_, _) if end => RecordStart,
            (_, _) => Unquoted,
        };
        self.newlines += u64::from(b == b'\n');
        match self.header_len {
            None if before != RecordStart && self.state == RecordStart => {
                self.header_len = Some(at + 1);
                self.header_lines = self.newlines;
            }
            // A `\r\n` after the header: its `\n` belongs to the header's line.
            Some(h) if h == at && self.prev == b'\r' && b == b'\n' => {
                self.header_len = Some(at + 1);
                self.header_lines = self.newlines;
            }
            _ => {}
        }
        self.prev = b;
    }

    /// True when the bytes so far end between two records.
    pub fn between_records(&self) -> bool {
        self.state == CsvState::RecordStart
    }
}

/// The hash of a file's first `len` bytes, and the hasher to go on with; `None` when
/// the file is now shorter than that. Opened with [`open_regular`](super::open_regular)
/// (a FIFO or device is refused, never waited on); once `stop` is set, the hashing
/// fails at the next buffer.
pub(crate) fn hash_prefix(
    path: &Path,
    len: u64,
    stop: Option<&AtomicBool>,
) -> io::Result<Option<blake3::Hasher>> {
    let f = super::open_regular(path)?;
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut r = f.take(len);
    let mut n_total = 0u64;
    loop {
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Err(io::Error::other(super::open::STOPPED));
        }
        let n = match r.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        n_total += n as u64;
    }
    Ok((n_total == len).then_some(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(data: &[u8]) -> CsvScan {
        let mut s = CsvScan::default();
        for (i, &b) in data.iter().enumerate() {
            s.feed(b, i as u64);
        }
        s
    }

    #[test]
    fn csv_scan_finds_record_ends_and_the_header() {
        let s = scan(b"\n\ntitle,body\r\nA,\"x\ny\"\n");
        assert!(s.between_records());
        assert_eq!(s.header_len, Some(14));
        assert!(!scan(b"title,body\nA,\"x\n").between_records());
        assert!(scan(b"title,body\nA,\"x\"\"\n\"\n").between_records());
        assert!(!scan(b"title,body\nA,\"x\"\"\n").between_records());
        assert!(!scan(b"title,body\nA,x").between_records());
        assert!(scan(b"t\nA,b\"c\n").between_records());
        assert_eq!(scan(b"t,\"a\nb\"\rX").header_len, Some(8));
    }

    proptest::proptest! {
        /// Fed in pieces with runs passed over at once, the scan ends where feeding
        /// byte by byte ends.
        #[test]
        fn runs_are_scanned_as_bytes_are(
            data in proptest::collection::vec(
                proptest::sample::select(b"ab,\"\n\r ".to_vec()), 0..200),
            chunk in 1usize..50,
        ) {
            let want = scan(&data);
            let mut got = CsvScan::default();
            for (k, piece) in data.chunks(chunk).enumerate() {
                got.feed_all(piece, (k * chunk) as u64);
            }
            proptest::prop_assert_eq!(format!("{got:?}"), format!("{want:?}"));
        }
    }
}
