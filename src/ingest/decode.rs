//! Bytes to text: encodings, byte-order marks, binary files and line endings.
//!
//! Archives collect files from many tools, so we accept UTF-8 (with or without a
//! BOM), UTF-16 with a BOM, and — for files that are not valid UTF-8 and hold no
//! UTF-8 at all — Windows-1252, the superset of Latin-1 that old news files use.
//! Only a file that mixes valid UTF-8 with invalid bytes gets U+FFFD replacements.
//! Every lossy or guessed decode comes with a warning so the user can fix the file.

use std::io::{self, Read};

/// How far into a file we look for NUL bytes to call it binary.
pub const SNIFF_LEN: usize = 8 * 1024;

/// Decoded text, with a warning if the decode guessed or lost something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with `\r\n` and lone `\r` turned into `\n`.
    pub text: String,
    pub warning: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("binary file (NUL bytes near the start), skipped")]
    Binary,
}

/// What the first bytes of a file say about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    /// UTF-8 with a BOM; the BOM is this many bytes long.
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Binary,
    /// No BOM: treat as UTF-8 (falling back per [`decode_bytes_lossy`]).
    Plain,
}

impl Sniff {
    /// Length of the byte-order mark to drop.
    pub fn bom_len(self) -> usize {
        match self {
            Sniff::Utf8Bom => 3,
            Sniff::Utf16Le | Sniff::Utf16Be => 2,
            Sniff::Binary | Sniff::Plain => 0,
        }
    }
}

/// Looks at the start of a file (at least the first [`SNIFF_LEN`] bytes if it has them).
pub fn sniff(head: &[u8]) -> Sniff {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Sniff::Utf8Bom
    } else if head.starts_with(&[0xFF, 0xFE]) {
        Sniff::Utf16Le
    } else if head.starts_with(&[0xFE, 0xFF]) {
        Sniff::Utf16Be
    } else if head[..head.len().min(SNIFF_LEN)].contains(&0) {
        Sniff::Binary
    } else {
        Sniff::Plain
    }
}

/// Decodes a whole file.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let sniffed = sniff(bytes);
    let body = &bytes[sniffed.bom_len()..];
    let (text, warning) = match sniffed {
        Sniff::Binary => return Err(DecodeError::Binary),
        Sniff::Utf16Le | Sniff::Utf16Be => {
            let (text, lossy) = decode_utf16(body, sniffed == Sniff::Utf16Be);
            let warning = lossy.then(|| {
                "invalid UTF-16 (an odd byte count or unpaired surrogate), replaced with U+FFFD"
                    .to_string()
            });
            (text, warning)
        }
        Sniff::Utf8Bom | Sniff::Plain => decode_bytes_lossy(body),
    };
    Ok(Decoded {
        text: normalize_newlines(text),
        warning,
    })
}

/// UTF-8 if valid; else Windows-1252 when the bytes hold no valid multi-byte UTF-8
/// sequence (a Latin-1 file); else UTF-8 with U+FFFD for the invalid bytes.
/// Returns the text and a warning for the two fallbacks. Newlines are left alone.
pub fn decode_bytes_lossy(bytes: &[u8]) -> (String, Option<String>) {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), None);
    }
    let mut utf8_multibyte = 0usize;
    let mut invalid = 0usize;
    for chunk in bytes.utf8_chunks() {
        utf8_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    if utf8_multibyte == 0 {
        (
            decode_windows_1252(bytes),
            Some("not valid UTF-8; decoded as Windows-1252 (Latin-1)".to_string()),
        )
    } else {
        (
            String::from_utf8_lossy(bytes).into_owned(),
            Some(format!(
                "invalid UTF-8: {invalid} byte sequence(s) replaced with U+FFFD"
            )),
        )
    }
}

/// Windows-1252: Latin-1 plus printable characters in 0x80–0x9F.
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[(b - 0x80) as usize],
            _ => char::from(b),
        })
        .collect()
}

/// Decodes UTF-16 without its BOM; the flag says whether anything was replaced.
fn decode_utf16(bytes: &[u8], big_endian: bool) -> (String, bool) {
    let units = bytes.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let mut lossy = !bytes.len().is_multiple_of(2);
    let mut text: String = char::decode_utf16(units)
        .map(|r| {
            r.unwrap_or_else(|_| {
                lossy = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    if !bytes.len().is_multiple_of(2) {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    (text, lossy)
}

/// Turns `\r\n` and lone `\r` into `\n` (without copying when there is no `\r`).
pub fn normalize_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// A reader that turns UTF-16 (BOM already consumed) into UTF-8, for the streamed
/// formats. Invalid units become U+FFFD.
pub struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16Reader {
            inner,
            big_endian,
            raw: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            eof: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        let mut buf = [0u8; 8192];
        let n = self.inner.read(&mut buf)?;
        if n == 0 {
            self.eof = true;
        }
        self.raw.extend_from_slice(&buf[..n]);
        // Decode whole units, holding back a trailing odd byte or high surrogate
        // that the next read may complete.
        let mut usable = self.raw.len() & !1;
        if !self.eof && usable >= 2 {
            let last = &self.raw[usable - 2..usable];
            let unit = if self.big_endian {
                u16::from_be_bytes([last[0], last[1]])
            } else {
                u16::from_le_bytes([last[0], last[1]])
            };
            if (0xD800..0xDC00).contains(&unit) {
                usable -= 2;
            }
        }
        if self.eof {
            usable = self.raw.len();
        }
        let (text, _) = decode_utf16(&self.raw[..usable], self.big_endian);
        self.out.extend_from_slice(text.as_bytes());
        self.raw.drain(..usable);
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// A reader that turns `\r\n` into `\n` as it streams. The csv crate numbers lines
/// one short for CRLF files (it counts the header's line ending as part of the first
/// record), so CSV goes through this first; it also normalises newlines in cells.
pub struct CrlfReader<R> {
    inner: R,
    /// A `\r` ended the last chunk: drop it if the next byte is `\n`.
    pending_cr: bool,
}

impl<R: io::BufRead> CrlfReader<R> {
    pub fn new(inner: R) -> Self {
        CrlfReader {
            inner,
            pending_cr: false,
        }
    }
}

impl<R: io::BufRead> Read for CrlfReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let avail = self.inner.fill_buf()?;
            let mut written = 0;
            if avail.is_empty() {
                if std::mem::take(&mut self.pending_cr) {
                    out[0] = b'\r';
                    return Ok(1);
                }
                return Ok(0);
            }
            if std::mem::take(&mut self.pending_cr) && avail[0] != b'\n' {
                out[0] = b'\r';
                written = 1;
            }
            let mut consumed = 0;
            while consumed < avail.len() && written < out.len() {
                let b = avail[consumed];
                consumed += 1;
                if b == b'\r' {
                    match avail.get(consumed) {
                        None => {
                            self.pending_cr = true;
                            continue;
                        }
                        Some(b'\n') => continue,
                        Some(_) => {}
                    }
                }
                out[written] = b;
                written += 1;
            }
            self.inner.consume(consumed);
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, be: bool) -> Vec<u8> {
        let mut v = if be {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in s.encode_utf16() {
            v.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        v
    }

    #[test]
    fn plain_utf8() {
        let d = decode("Zürich “quoted”".as_bytes()).unwrap();
        assert_eq!(d.text, "Zürich “quoted”");
        assert_eq!(d.warning, None);
    }

    #[test]
    fn strips_utf8_bom() {
        let d = decode(b"\xEF\xBB\xBFtitle\r\nbody").unwrap();
        assert_eq!(d.text, "title\nbody");
        assert_eq!(d.warning, None);
    }

    #[test]
    fn utf16_both_endians() {
        for be in [false, true] {
            let d = decode(&utf16("Héllo\r\nwörld 😀", be)).unwrap();
            assert_eq!(d.text, "Héllo\nwörld 😀");
            assert_eq!(d.warning, None);
        }
    }

    #[test]
    fn utf16_odd_length_warns() {
        let mut b = utf16("ab", false);
        b.push(b'x');
        let d = decode(&b).unwrap();
        assert_eq!(d.text, "ab\u{fffd}");
        assert!(d.warning.is_some());
    }

    #[test]
    fn latin1_becomes_windows_1252() {
        // "café – 5 €" in Windows-1252.
        let d = decode(b"caf\xe9 \x96 5 \x80").unwrap();
        assert_eq!(d.text, "café – 5 €");
        assert!(d.warning.unwrap().contains("Windows-1252"));
    }

    #[test]
    fn mixed_invalid_utf8_is_lossy() {
        let d = decode(
            "café "
                .as_bytes()
                .iter()
                .chain(b"\xff!")
                .copied()
                .collect::<Vec<_>>()
                .as_slice(),
        )
        .unwrap();
        assert_eq!(d.text, "café \u{fffd}!");
        assert!(d.warning.unwrap().contains("U+FFFD"));
    }

    #[test]
    fn nul_means_binary_unless_utf16() {
        assert_eq!(decode(b"PK\x03\x04\x00\x00"), Err(DecodeError::Binary));
        assert!(decode(&utf16("a", false)).is_ok());
        // A NUL beyond the sniffed prefix does not make a file binary.
        let mut late = vec![b'a'; SNIFF_LEN + 10];
        late[SNIFF_LEN + 5] = 0;
        assert!(decode(&late).is_ok());
    }

    #[test]
    fn newlines() {
        assert_eq!(normalize_newlines("a\r\nb\rc\n".into()), "a\nb\nc\n");
    }

    #[test]
    fn utf16_reader_streams_across_boundaries() {
        let s = "x😀y".repeat(5000);
        for be in [false, true] {
            let bytes = utf16(&s, be);
            let mut r = Utf16Reader::new(&bytes[2..], be);
            let mut out = String::new();
            r.read_to_string(&mut out).unwrap();
            assert_eq!(out, s);
        }
    }

    #[test]
    fn crlf_reader() {
        let input = b"a\r\nb\rc\r\n\r\nd\r";
        // A tiny buffer puts CRs at chunk ends.
        for cap in [1, 2, 3, 64] {
            let mut r = CrlfReader::new(io::BufReader::with_capacity(cap, &input[..]));
            let mut out = Vec::new();
            r.read_to_end(&mut out).unwrap();
            assert_eq!(out, b"a\nb\rc\n\nd\r", "cap {cap}");
        }
    }
}
