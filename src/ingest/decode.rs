//! Bytes to text: encodings, byte-order marks, binary files and line endings.
//!
//! Archives collect files from many tools, so we accept UTF-8 (with or without a
//! BOM), UTF-16 with a BOM, and — for files that are not valid UTF-8 and hold no
//! UTF-8 at all — Windows-1252, the superset of Latin-1 that old news files use.
//! Only a file that mixes valid UTF-8 with invalid bytes gets U+FFFD replacements.
//! Every lossy or guessed decode comes with a warning so the user can fix the file.
//!
//! A file is binary when its first bytes say so: a known magic number (PNG, gzip,
//! PDF, zip…) or a high share of control bytes. A stray NUL in a text file does not
//! make it binary: control characters are dropped from the text with a warning
//! ([`drop_controls`]), so one bad byte never costs the articles around it.

use std::io::{self, Read};

/// How far into a file we look for control bytes to call it binary.
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
    /// What the first bytes look like ("PNG image", "control bytes near the start").
    #[error("binary file ({0}), skipped")]
    Binary(&'static str),
}

/// What the first bytes of a file say about its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    /// UTF-8 with a BOM; the BOM is this many bytes long.
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// What kind of binary file, as [`binary_kind`] names it.
    Binary(&'static str),
    /// No BOM: treat as UTF-8 (falling back per [`decode_bytes_lossy`]).
    Plain,
}

impl Sniff {
    /// Length of the byte-order mark to drop.
    pub fn bom_len(self) -> usize {
        match self {
            Sniff::Utf8Bom => 3,
            Sniff::Utf16Le | Sniff::Utf16Be => 2,
            Sniff::Binary(_) | Sniff::Plain => 0,
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
    } else if let Some(kind) = binary_kind(head) {
        Sniff::Binary(kind)
    } else {
        Sniff::Plain
    }
}

/// Magic numbers of binary formats that end up in archives under a text extension,
/// as (offset, bytes, name).
const MAGIC: &[(usize, &[u8], &str)] = &[
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
    (0, b"\xFF\xD8\xFF", "JPEG image"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (0, b"%PDF-", "PDF document"),
    (0, b"\x1F\x8B\x08", "gzip archive"),
    (0, b"PK\x03\x04", "zip archive or office document"),
    (0, b"PK\x05\x06", "zip archive"),
    (0, b"\x28\xB5\x2F\xFD", "zstd archive"),
    (0, b"\xFD7zXZ\x00", "xz archive"),
    (0, b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
    (0, b"Rar!\x1A\x07", "RAR archive"),
    (4, b"1AY&SY", "bzip2 archive"),
    (257, b"ustar", "tar archive"),
    (0, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "office document"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"\x7FELF", "executable"),
    (0, b"\xCA\xFE\xBA\xBE", "executable or Java class"),
    (0, b"\x00asm", "WebAssembly module"),
    (0, b"OggS\x00", "Ogg media"),
    (0, b"\x1A\x45\xDF\xA3", "Matroska or WebM video"),
    (4, b"ftyp", "MP4 or QuickTime media"),
    (8, b"WAVE", "WAV audio"),
    (8, b"AVI ", "AVI video"),
    (8, b"WEBP", "WebP image"),
];

/// Bytes that no text holds: C0 controls other than tab, line feed, vertical tab,
/// form feed and carriage return, and DEL.
pub fn is_control_byte(b: u8) -> bool {
    matches!(b, 0x00..=0x08 | 0x0E..=0x1F | 0x7F)
}

/// The offset of the first [`is_control_byte`], if any. Every article's text is
/// checked, and nearly all of it holds none: eight bytes are tested at once for any
/// byte under 0x20 or equal to 0x7F, and only a word that has one (most often a line
/// end or a tab) is looked at byte by byte.
pub fn first_control_byte(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    for (i, w) in words.by_ref().enumerate() {
        let x = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        // A byte under 0x20 (exact for any word: Hacker's Delight "hasless"), or a
        // byte equal to 0x7F (a zero byte of x ^ 0x7F…).
        let del = x ^ (0x7F * ONES);
        let suspect =
            (x.wrapping_sub(0x20 * ONES) & !x & HIGHS) | (del.wrapping_sub(ONES) & !del & HIGHS);
        if suspect != 0 {
            if let Some(j) = w.iter().position(|&b| is_control_byte(b)) {
                return Some(i * 8 + j);
            }
        }
    }
    let tail = words.remainder();
    let base = bytes.len() - tail.len();
    tail.iter()
        .position(|&b| is_control_byte(b))
        .map(|j| base + j)
}

/// Whether the first bytes of a file (its first [`SNIFF_LEN`] bytes, or all of a
/// shorter file) are those of a binary file, and what kind. A known magic number
/// decides; otherwise a high share of control bytes does: at least 16 of them
/// making at least 5% of the bytes (random or compressed data has about 11%), or
/// 30% of a shorter head. One stray NUL, or a few, is damage in a text file.
pub fn binary_kind(head: &[u8]) -> Option<&'static str> {
    let head = &head[..head.len().min(SNIFF_LEN)];
    for &(at, magic, name) in MAGIC {
        if head.get(at..at + magic.len()) == Some(magic) {
            // Formats whose magic sits past a short prefix say what they are at 0.
            let prefix_ok = match magic {
                b"1AY&SY" => head.starts_with(b"BZh") && head[3].is_ascii_digit(),
                b"WAVE" | b"AVI " | b"WEBP" => head.starts_with(b"RIFF"),
                _ => true,
            };
            if prefix_ok {
                return Some(name);
            }
        }
    }
    let controls = head.iter().filter(|&&b| is_control_byte(b)).count();
    let share_over = |pct: usize| controls * 100 >= head.len() * pct;
    if (controls >= 16 && share_over(5)) || (controls > 0 && share_over(30)) {
        return Some("control bytes near the start");
    }
    None
}

/// Control characters dropped from a text by [`drop_controls`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DroppedControls {
    pub count: usize,
    /// The first one dropped.
    pub first: char,
    /// The 1-based line of the text it was on.
    pub line: u64,
}

impl DroppedControls {
    /// "2 control characters (the first U+0000) dropped".
    pub fn describe(&self) -> String {
        let plural = if self.count == 1 { "" } else { "s" };
        format!(
            "{} control character{plural} (the first U+{:04X}) dropped",
            self.count, self.first as u32
        )
    }
}

/// Removes the characters [`is_control_byte`] names (NUL and other C0 controls but
/// tab and line ends, and DEL): they are damage, not text, and would break a JSON
/// parse or a terminal. Returns what was dropped, `None` (and no copy) when none was.
pub fn drop_controls(text: &mut String) -> Option<DroppedControls> {
    let offset = first_control_byte(text.as_bytes())?;
    let first = char::from(text.as_bytes()[offset]);
    let line = 1 + text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64;
    let before = text.len();
    text.retain(|c| !(c.is_ascii() && is_control_byte(c as u8)));
    Some(DroppedControls {
        count: before - text.len(),
        first,
        line,
    })
}

/// Decodes a whole file.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let sniffed = sniff(bytes);
    let body = &bytes[sniffed.bom_len()..];
    let (text, warning) = match sniffed {
        Sniff::Binary(kind) => return Err(DecodeError::Binary(kind)),
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
    bytes.iter().map(|&b| windows_1252_char(b)).collect()
}

/// One Windows-1252 byte as a character (the five bytes it leaves undefined keep
/// their Latin-1 code point, as browsers do).
pub(crate) fn windows_1252_char(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => char::from(b),
    }
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
    fn binary_from_magic_or_a_high_share_of_controls() {
        assert_eq!(
            decode(b"PK\x03\x04\x00\x00"),
            Err(DecodeError::Binary("zip archive or office document"))
        );
        assert_eq!(
            binary_kind(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            Some("PNG image")
        );
        assert_eq!(binary_kind(b"%PDF-1.4\n%text\n"), Some("PDF document"));
        assert_eq!(binary_kind(b"BZh91AY&SY\x01"), Some("bzip2 archive"));
        assert_eq!(binary_kind(b"BZh is not bzip2"), None);
        assert!(decode(&utf16("a", false)).is_ok());
        // Pseudo-random bytes (compressed data without a header) are binary.
        let mut x: u32 = 1;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect();
        assert_eq!(binary_kind(&noise), Some("control bytes near the start"));
        assert!(decode(b"\x00\x01\x02\x03binary").is_err());
        // A few stray controls in text are not.
        assert_eq!(
            binary_kind(b"Title\n\nbody \x00\x01\x02 with NUL bytes\n"),
            None
        );
        let mut text = b"word ".repeat(1000);
        text[7] = 0;
        assert_eq!(binary_kind(&text), None);
    }

    #[test]
    fn controls_dropped() {
        let mut s = "x\na\u{0}b\tc\u{1b}[31m\u{7f}\n\u{c}é".to_string();
        let d = drop_controls(&mut s).unwrap();
        assert_eq!(s, "x\nab\tc[31m\n\u{c}é");
        assert_eq!((d.count, d.first, d.line), (3, '\0', 2));
        assert_eq!(
            d.describe(),
            "3 control characters (the first U+0000) dropped"
        );
        let mut clean = "no controls\r\n".to_string();
        assert_eq!(drop_controls(&mut clean), None);
    }

    #[test]
    fn the_first_control_byte_is_found_wherever_it_stands() {
        // Every byte value at every offset of a word and of the tail, among text
        // bytes of every other kind (line ends, tabs, high bytes, 0x20, 0x7E, 0x80).
        let filler = b"ab\n\t\r \x7e\x80\xff\x0b\x0c\x1fq";
        for len in [1usize, 7, 8, 9, 16, 23] {
            for at in 0..len {
                for v in 0..=255u8 {
                    let mut bytes: Vec<u8> = (0..len)
                        .map(|i| filler[i % filler.len()])
                        .map(|b| if is_control_byte(b) { b'z' } else { b })
                        .collect();
                    bytes[at] = v;
                    let want = bytes.iter().position(|&b| is_control_byte(b));
                    assert_eq!(first_control_byte(&bytes), want, "len {len} at {at} v {v}");
                }
            }
        }
        assert_eq!(first_control_byte(b""), None);
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
