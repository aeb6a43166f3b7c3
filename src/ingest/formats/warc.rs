//! Web archives (`.warc`, `.warc.gz`; WARC 1.0 and 1.1, gzip-compressed one member
//! per record as crawlers write them, or uncompressed), read as a stream, one record
//! at a time: memory holds one page, whatever the archive's size.
//!
//! Each `response` record whose HTTP payload is HTML (and each `resource` record of
//! HTML) with status 200 is a candidate article, read by [`crate::extract`]. Other
//! records — `request`, `metadata`, `warcinfo`, `revisit`, other content types,
//! redirects and errors, pages that are not articles — are skipped and counted; one
//! line per file gives the counts.
//!
//! Ids: `{path}#{WARC-Target-URI}@{WARC-Date}` — stable however often the archive is
//! read, and readable. The same URI captured several times gives one article per
//! capture whose text differs from the last one kept for that URI (a page updated
//! between captures keeps each version; near-duplicate grouping shows them as one
//! story in search); a capture whose text is the same as the one before is skipped
//! as a repeat, as `revisit` records are.
//!
//! A damaged or truncated record is reported with its byte offset (of its gzip
//! member in a `.warc.gz`) and reading goes on at the next record.
//!
//! Records appended to an archive (a crawler writing on) are read on their own on
//! the next ingest: the archive's read ends where its last record did, and what the
//! repeat test needs (per URI, the hash of the text last kept) is kept beside it
//! (`StreamState::kept`).

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};

use crate::article::Article;
use crate::extract::{self, Hints};

use super::super::fields::Ids;
use super::super::{FileEntry, Problem, ReadOptions, Resume, MAX_WHOLE_FILE};
use super::html::to_article;

/// The longest header line read; a longer one means the record is damaged.
const MAX_LINE: u64 = 64 * 1024;
/// The most header lines in a WARC or HTTP header block.
const MAX_HEADERS: usize = 500;

pub(crate) fn read_file(
    entry: &FileEntry,
    input: Box<dyn Read>,
    at: &mut Resume,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    read_stream_at(&entry.rel, input, at, opts, sink, report)
}

/// Byte counts of what was read, for offsets.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

type Outer<R> = BufReader<Counting<R>>;

fn position<R: Read>(r: &Outer<R>) -> u64 {
    r.get_ref().count - r.buffer().len() as u64
}

/// Is this error the data's fault (damaged, truncated) rather than the disk's?
fn is_damage(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    )
}

pub(crate) fn read_stream(
    rel: &str,
    input: impl Read,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    read_stream_at(rel, input, &mut Resume::default(), opts, sink, report)
}

/// Reads the records in `input`, which starts at byte `at.offset` of the archive
/// (0, or where an earlier read ended) with the record count, ids and kept texts
/// of `at`; leaves in `at` those after the last record, and whether any record was
/// damaged or cut short.
pub(crate) fn read_stream_at(
    rel: &str,
    input: impl Read,
    at: &mut Resume,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let mut state = State::new(rel, opts);
    state.base = at.offset;
    state.record = at.record;
    state.first = at.record;
    state.ids = std::mem::take(&mut at.ids);
    state.kept = at.kept.iter().map(|&[u, t]| (u, t)).collect();
    let result = read_records(rel, input, &mut state, sink, report);
    at.record = state.record;
    at.ids = std::mem::take(&mut state.ids);
    let mut kept: Vec<[u64; 2]> = state.kept.iter().map(|(&u, &t)| [u, t]).collect();
    kept.sort_unstable();
    at.kept = kept;
    at.damaged = state.damaged > 0 || state.cut;
    result
}

fn read_records(
    rel: &str,
    input: impl Read,
    state: &mut State<'_>,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let io_err = |e: io::Error| Problem::error(rel, format!("read error: {e}"));
    let mut outer = BufReader::with_capacity(
        64 * 1024,
        Counting {
            inner: input,
            count: 0,
        },
    );
    let gzip = super::is_gzip(outer.fill_buf().map_err(io_err)?);
    if !gzip {
        match state.records(&mut outer, None, sink, report) {
            // Reported where it happened; nothing after it can be found again.
            Err(e) if is_damage(&e) => state.cut = true,
            Err(e) => return Err(io_err(e)),
            Ok(()) => {}
        }
    } else {
        loop {
            let head = outer.fill_buf().map_err(io_err)?;
            if head.is_empty() {
                break;
            }
            let gz = super::is_gzip(head);
            let at = position(&outer);
            if !gz {
                // Garbage between members: find the next one.
                state.damaged(at, "not the start of a gzip member", report);
                if !skip_to_gzip(&mut outer).map_err(io_err)? {
                    break;
                }
                continue;
            }
            let mut member = BufReader::new(flate2::bufread::GzDecoder::new(&mut outer));
            let before = state.damaged;
            let result = state
                .records(&mut member, Some(at), sink, report)
                // Whatever the record left unread in its member (padding).
                .and_then(|()| io::copy(&mut member, &mut io::sink()).map(drop));
            drop(member);
            match result {
                Ok(()) => {}
                Err(e) if is_damage(&e) => {
                    state.cut = true;
                    if state.damaged == before {
                        state.damaged(
                            at,
                            &format!("damaged or truncated gzip member: {e}"),
                            report,
                        );
                    }
                    // Go on at the next member header after what the decoder took.
                    if !skip_to_gzip(&mut outer).map_err(io_err)? {
                        break;
                    }
                }
                Err(e) => return Err(io_err(e)),
            }
        }
    }
    state.summary(report);
    Ok(state.articles)
}

/// Skips bytes up to the next gzip header (`1f 8b 08`); false at the end of input.
fn skip_to_gzip<R: Read>(r: &mut Outer<R>) -> io::Result<bool> {
    // The first byte is skipped: the member that failed started there.
    let mut first = true;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        let from = usize::from(first);
        first = false;
        let found = memchr::memmem::find(&buf[from.min(buf.len())..], &[0x1f, 0x8b, 0x08]);
        match found {
            Some(k) => {
                r.consume(from + k);
                return Ok(true);
            }
            None => {
                // Keep the last two bytes: a header may straddle the buffer's end.
                let n = buf.len().saturating_sub(2).max(from.min(buf.len()));
                r.consume(n);
                if n == 0 {
                    // Fewer than three bytes left and no header in them.
                    let rest = r.fill_buf()?.len();
                    r.consume(rest);
                    return Ok(false);
                }
            }
        }
    }
}

/// Why records were skipped, and how many: by reason code (for the ingest summary)
/// and the reason in words (for the archive's line).
#[derive(Default)]
struct Counts {
    by_reason: Vec<(&'static str, String, u64)>,
}

impl Counts {
    fn add(&mut self, code: &'static str, reason: &str) {
        match self
            .by_reason
            .iter_mut()
            .find(|(c, r, _)| *c == code && r == reason)
        {
            Some((_, _, n)) => *n += 1,
            None => self.by_reason.push((code, reason.to_string(), 1)),
        }
    }
}

/// The reason code of a record of WARC type `kind` that is never an article.
fn type_code(kind: &str) -> &'static str {
    match kind {
        "request" => "warc_request",
        "revisit" => "warc_revisit",
        "metadata" => "warc_metadata",
        "warcinfo" => "warc_warcinfo",
        "conversion" => "warc_conversion",
        "continuation" => "warc_continuation",
        _ => "warc_other_type",
    }
}

struct State<'a> {
    rel: &'a str,
    opts: &'a ReadOptions,
    ids: Ids,
    record: u64,
    articles: usize,
    skipped: Counts,
    damaged: u64,
    /// Per target URI (hashed), the hash of the text last kept.
    kept: HashMap<u64, u64>,
    /// Where the input starts in the archive: added to the offsets reported.
    base: u64,
    /// A record's data ended in an error (damaged, truncated).
    cut: bool,
    /// Records counted before this read (an appended part's predecessors).
    first: u64,
}

/// A hash that stays the same from one build to the next: it is stored with the
/// archive's read (`StreamState::kept`).
fn hash64(s: &str) -> u64 {
    let h = blake3::hash(s.as_bytes());
    u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// A record's WARC header fields that matter here.
#[derive(Default, Debug)]
struct Header {
    kind: String,
    uri: Option<String>,
    date: Option<String>,
    content_type: Option<String>,
    length: Option<u64>,
}

impl State<'_> {
    fn new<'a>(rel: &'a str, opts: &'a ReadOptions) -> State<'a> {
        State {
            rel,
            opts,
            ids: Ids::default(),
            record: 0,
            articles: 0,
            skipped: Counts::default(),
            damaged: 0,
            kept: HashMap::new(),
            base: 0,
            cut: false,
            first: 0,
        }
    }

    fn damaged(&mut self, at: u64, what: &str, report: &mut dyn FnMut(Problem)) {
        self.damaged += 1;
        let at = self.base + at;
        report(
            Problem::error(self.rel, format!("record at byte {at}: {what}; skipped"))
                .with_hint("the rest of the archive is still read"),
        );
    }

    /// Reads the records in `r`: a whole uncompressed archive, or one gzip member
    /// (`member`: its offset, which stands for the offsets of the records in it). A
    /// damaged record is reported, and its error returned when it is the data's.
    fn records(
        &mut self,
        r: &mut impl BufRead,
        member: Option<u64>,
        sink: &mut dyn FnMut(Article),
        report: &mut dyn FnMut(Problem),
    ) -> io::Result<()> {
        let mut offset = 0u64;
        loop {
            // The version line, after any blank lines.
            let mut line = Vec::new();
            loop {
                line.clear();
                let n = read_line(r, &mut line)?;
                offset += n as u64;
                if n == 0 {
                    return Ok(());
                }
                if !trim_eol(&line).is_empty() {
                    break;
                }
            }
            let at = member.unwrap_or(offset - line.len() as u64);
            if !line.starts_with(b"WARC/") {
                self.damaged(
                    at,
                    "no WARC version line where a record should start",
                    report,
                );
                // Find the next record start.
                loop {
                    line.clear();
                    let n = read_line(r, &mut line)?;
                    offset += n as u64;
                    if n == 0 {
                        return Ok(());
                    }
                    if line.starts_with(b"WARC/1.") {
                        break;
                    }
                }
            }
            let (header, n) = match read_header(r) {
                Ok(h) => h,
                Err(e) => {
                    if is_damage(&e) {
                        self.damaged(at, &format!("damaged header: {e}"), report);
                    }
                    return Err(e);
                }
            };
            offset += n;
            let Some(length) = header.length else {
                self.damaged(at, "no valid Content-Length", report);
                continue;
            };
            self.record += 1;
            let mut block = r.take(length);
            let result = self.record_block(&header, &mut block, sink, report);
            // Whatever the handler left of the block.
            let rest = io::copy(&mut block, &mut io::sink());
            if let (Err(e), _) | (_, Err(e)) = (result, rest) {
                if is_damage(&e) {
                    self.damaged(at, &format!("damaged record: {e}"), report);
                }
                return Err(e);
            }
            if block.limit() > 0 {
                self.damaged(
                    at,
                    &format!(
                        "truncated: {} of its {length} bytes are missing",
                        block.limit()
                    ),
                    report,
                );
                return Ok(());
            }
            offset += length;
        }
    }

    fn record_block(
        &mut self,
        h: &Header,
        block: &mut io::Take<&mut impl BufRead>,
        sink: &mut dyn FnMut(Article),
        report: &mut dyn FnMut(Problem),
    ) -> io::Result<()> {
        let ct = h.content_type.as_deref().unwrap_or("").to_ascii_lowercase();
        let (status, payload_type, charset, encoding, chunked) = match h.kind.as_str() {
            "response" if ct.starts_with("application/http") => {
                let http = read_http_header(block)?;
                (
                    http.status,
                    http.content_type,
                    http.charset,
                    http.encoding,
                    http.chunked,
                )
            }
            "resource" => {
                let charset = charset_param(&ct);
                (
                    200,
                    ct.split(';').next().unwrap_or("").trim().to_string(),
                    charset,
                    None,
                    false,
                )
            }
            "response" => {
                self.skipped
                    .add("warc_not_http", "response records that are not HTTP");
                return Ok(());
            }
            other => {
                let kind = if other.is_empty() { "untyped" } else { other };
                self.skipped
                    .add(type_code(other), &format!("{kind} records"));
                return Ok(());
            }
        };
        if !is_html(&payload_type) {
            self.skipped
                .add("warc_non_html", "responses that are not HTML");
            return Ok(());
        }
        if status != 200 {
            let (code, why) = match status {
                300..=399 => ("warc_redirect", "redirects"),
                400..=599 => ("warc_http_error", "HTTP errors"),
                _ => ("warc_other_status", "responses without status 200"),
            };
            self.skipped.add(code, why);
            return Ok(());
        }
        // The page, cut at the whole-file limit: memory never holds more of a record
        // than that, whatever its length says.
        let mut raw = Vec::new();
        block.take(MAX_WHOLE_FILE).read_to_end(&mut raw)?;
        let over = block.limit() > 0 && {
            io::copy(block, &mut io::sink())?;
            block.limit() == 0
        };
        if block.limit() > 0 {
            // Cut short: the caller reports it; half a page is not an article.
            return Ok(());
        }
        if over {
            report(Problem::warning(
                self.rel,
                format!(
                    "record {}: a page over {} MiB; only its first {} MiB read",
                    self.record,
                    MAX_WHOLE_FILE >> 20,
                    MAX_WHOLE_FILE >> 20
                ),
            ));
        }
        if chunked {
            match dechunk(&raw) {
                Some(b) => raw = b,
                None => {
                    self.skipped
                        .add("warc_bad_encoding", "pages with broken chunked encoding");
                    return Ok(());
                }
            }
        }
        match encoding.as_deref() {
            None | Some("identity") => {}
            Some("gzip" | "x-gzip") => match super::html::gunzip(&raw, MAX_WHOLE_FILE) {
                Ok(b) => raw = b,
                Err(_) => {
                    self.skipped
                        .add("warc_bad_encoding", "pages with a broken gzip encoding");
                    return Ok(());
                }
            },
            Some("deflate") => {
                let mut out = Vec::new();
                let ok = flate2::read::ZlibDecoder::new(&raw[..])
                    .take(MAX_WHOLE_FILE)
                    .read_to_end(&mut out)
                    .is_ok()
                    || {
                        out.clear();
                        flate2::read::DeflateDecoder::new(&raw[..])
                            .take(MAX_WHOLE_FILE)
                            .read_to_end(&mut out)
                            .is_ok()
                    };
                if !ok {
                    self.skipped
                        .add("warc_bad_encoding", "pages with a broken deflate encoding");
                    return Ok(());
                }
                raw = out;
            }
            Some(_) => {
                self.skipped.add(
                    "warc_unread_encoding",
                    "pages in a content encoding not read (br, zstd…)",
                );
                return Ok(());
            }
        }
        let captured = h.date.as_deref().and_then(crate::enrich::dates::parse_date);
        let hints = Hints {
            url: h.uri.as_deref(),
            charset: charset.as_deref(),
            captured,
        };
        let (page, _lossy) = extract::extract_bytes(&raw, &hints);
        if let Some(why) = &page.not_article {
            if !self.opts.keep_non_articles {
                let kind = why.why.split(" (").next().unwrap_or(&why.why);
                self.skipped.add(why.code, &format!("not articles: {kind}"));
                return Ok(());
            }
        }
        let uri_key = hash64(h.uri.as_deref().unwrap_or(""));
        let text_key = hash64(&page.body);
        if h.uri.is_some() && self.kept.get(&uri_key) == Some(&text_key) {
            self.skipped
                .add("warc_repeat", "repeat captures with the same text");
            return Ok(());
        }
        let key = format!(
            "{}@{}",
            h.uri.as_deref().unwrap_or("record"),
            h.date.as_deref().unwrap_or("")
        );
        match to_article(
            self.rel,
            Some(self.record),
            &mut self.ids,
            Some(&key),
            captured,
            page,
        ) {
            Some(a) => {
                self.kept.insert(uri_key, text_key);
                self.articles += 1;
                sink(a);
            }
            None => self.skipped.add(super::html::NO_TEXT, "pages without text"),
        }
        Ok(())
    }

    /// One line per archive: what it held and what was skipped.
    fn summary(&self, report: &mut dyn FnMut(Problem)) {
        if self.skipped.by_reason.is_empty() && self.damaged == 0 {
            return;
        }
        let mut parts: Vec<String> = self
            .skipped
            .by_reason
            .iter()
            .map(|(_, r, n)| format!("{n} {r}"))
            .collect();
        if self.damaged > 0 {
            parts.push(format!("{} damaged", self.damaged));
        }
        let mut p = Problem::warning(
            self.rel,
            format!(
                "web archive: {} records, {} articles; skipped {}",
                self.record - self.first,
                self.articles,
                parts.join(", ")
            ),
        );
        for (code, _, n) in &self.skipped.by_reason {
            p = p.counting(code, *n);
        }
        if self.damaged > 0 {
            p = p.counting("warc_damaged", self.damaged);
        }
        report(
            if self
                .skipped
                .by_reason
                .iter()
                .any(|(_, r, _)| r.starts_with("not articles"))
            {
                p.with_hint("--keep-non-articles indexes pages that are not articles too")
            } else {
                p
            },
        );
    }
}

fn is_html(content_type: &str) -> bool {
    let t = content_type.trim().to_ascii_lowercase();
    t.starts_with("text/html") || t.starts_with("application/xhtml") || t.is_empty()
}

fn charset_param(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// Reads one line (up to `\n`), at most [`MAX_LINE`] bytes; returns bytes read.
fn read_line(r: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<usize> {
    let n = r.take(MAX_LINE).read_until(b'\n', line)?;
    if n as u64 == MAX_LINE && line.last() != Some(&b'\n') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "header line too long",
        ));
    }
    Ok(n)
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let mut l = line;
    while let [rest @ .., b'\r' | b'\n'] = l {
        l = rest;
    }
    l
}

/// `Name: value` lines up to a blank line, as (lower-case name, value).
fn header_lines(r: &mut impl BufRead) -> io::Result<(Vec<(String, String)>, u64)> {
    let mut out = Vec::new();
    let mut total = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = read_line(r, &mut line)?;
        total += n as u64;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "header block ends early",
            ));
        }
        let l = trim_eol(&line);
        if l.is_empty() {
            return Ok((out, total));
        }
        if out.len() >= MAX_HEADERS {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "too many header lines",
            ));
        }
        let text = String::from_utf8_lossy(l);
        if let Some((k, v)) = text.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
}

fn read_header(r: &mut impl BufRead) -> io::Result<(Header, u64)> {
    let (lines, n) = header_lines(r)?;
    let mut h = Header::default();
    for (k, v) in lines {
        match k.as_str() {
            "warc-type" => h.kind = v.to_ascii_lowercase(),
            "warc-target-uri" => h.uri = Some(v.trim_matches(['<', '>']).to_string()),
            "warc-date" => h.date = Some(v),
            "content-type" => h.content_type = Some(v),
            "content-length" => h.length = v.parse().ok(),
            _ => {}
        }
    }
    Ok((h, n))
}

struct Http {
    status: u16,
    content_type: String,
    charset: Option<String>,
    encoding: Option<String>,
    chunked: bool,
}

fn read_http_header(r: &mut impl BufRead) -> io::Result<Http> {
    let mut status_line = Vec::new();
    read_line(r, &mut status_line)?;
    let status = String::from_utf8_lossy(&status_line)
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (lines, _) = header_lines(r)?;
    let get = |name: &str| {
        lines
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let ct = get("content-type").unwrap_or_default();
    Ok(Http {
        status,
        content_type: ct.split(';').next().unwrap_or("").trim().to_string(),
        charset: charset_param(&ct),
        encoding: get("content-encoding").map(|e| e.trim().to_ascii_lowercase()),
        chunked: get("transfer-encoding")
            .is_some_and(|t| t.to_ascii_lowercase().contains("chunked")),
    })
}

/// Undoes HTTP chunked transfer encoding; `None` when the chunks do not add up.
fn dechunk(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    loop {
        let eol = memchr::memchr(b'\n', &raw[i..])? + i;
        let size_text = std::str::from_utf8(&raw[i..eol]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        i = eol + 1;
        if size == 0 {
            return Some(out);
        }
        let end = i.checked_add(size)?;
        if end > raw.len() {
            // A capture cut short: keep what there is.
            out.extend_from_slice(&raw[i..]);
            return Some(out);
        }
        out.extend_from_slice(&raw[i..end]);
        i = end;
        while i < raw.len() && (raw[i] == b'\r' || raw[i] == b'\n') {
            i += 1;
        }
        if i >= raw.len() {
            return Some(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn record(kind: &str, uri: &str, ct: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2019-11-19T10:00:00Z\r\n\
             WARC-Record-ID: <urn:uuid:x>\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn page(text: &str) -> Vec<u8> {
        let body = format!(
            "<html><head><title>{text}</title></head><body><article><p>{}</p></article></body></html>",
            format!("{text} is what this paragraph is about, said the officials on Tuesday. ").repeat(12)
        );
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body.as_bytes());
        r
    }

    fn read(bytes: &[u8]) -> (Vec<Article>, Vec<Problem>) {
        let mut arts = Vec::new();
        let mut probs = Vec::new();
        let opts = ReadOptions::default();
        read_stream("a.warc.gz", bytes, &opts, &mut |a| arts.push(a), &mut |p| {
            probs.push(p)
        })
        .unwrap();
        (arts, probs)
    }

    #[test]
    fn records_read_skipped_and_damaged() {
        let http = "application/http; msgtype=response";
        let recs = [
            record(
                "warcinfo",
                "",
                "application/warc-fields",
                b"software: test\r\n",
            ),
            record(
                "request",
                "https://a.example/1",
                "application/http; msgtype=request",
                b"GET /1 HTTP/1.1\r\n\r\n",
            ),
            record(
                "response",
                "https://a.example/1",
                http,
                &page("Harbour bridge"),
            ),
            record(
                "response",
                "https://a.example/1",
                http,
                &page("Harbour bridge"),
            ),
            record(
                "revisit",
                "https://a.example/1",
                http,
                b"HTTP/1.1 200 OK\r\n\r\n",
            ),
            record(
                "response",
                "https://a.example/i.png",
                http,
                b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
            ),
            record(
                "response",
                "https://a.example/2",
                http,
                &page("Mountain pass"),
            ),
        ];
        for compressed in [false, true] {
            let mut file = Vec::new();
            for r in &recs {
                file.extend(if compressed { gz(r) } else { r.clone() });
            }
            // A truncated last record.
            let last = record("response", "https://a.example/3", http, &page("River ford"));
            let cut = if compressed { gz(&last) } else { last };
            file.extend_from_slice(&cut[..cut.len() / 2]);
            let (arts, probs) = read(&file);
            let titles: Vec<&str> = arts.iter().map(|a| a.title.as_str()).collect();
            assert_eq!(
                titles,
                ["Harbour bridge", "Mountain pass"],
                "compressed: {compressed}"
            );
            assert_eq!(
                arts[0].id,
                "a.warc.gz#https://a.example/1@2019-11-19T10:00:00Z"
            );
            assert_eq!(arts[0].captured.as_deref(), Some("2019-11-19"));
            let errors: Vec<String> = probs
                .iter()
                .filter(|p| p.is_error())
                .map(|p| p.to_string())
                .collect();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].contains("record at byte"), "{errors:?}");
            let summary = probs.iter().find(|p| !p.is_error()).unwrap().to_string();
            for part in [
                "1 warcinfo",
                "1 request",
                "1 revisit",
                "1 responses that are not HTML",
                "1 repeat captures",
            ] {
                assert!(summary.contains(part), "{summary}");
            }
        }
    }

    #[test]
    fn chunked_bodies() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        assert_eq!(dechunk(b"zz\r\n"), None);
    }
}
