//! Saved web pages (`.html`, `.htm`, `.xhtml`, and any of them gzip-compressed):
//! one article per page, read by [`crate::extract`]. A page that is not an article
//! (a home page, a section listing, an error or login page) is skipped with the
//! reason, unless the reader is told to keep such pages.

use std::io::Read;

use chrono::NaiveDate;

use crate::article::{Article, DateSource};
use crate::extract::{self, Hints, Page};

use super::super::fields::{derive_title, one_line, Ids};
use super::super::{FileEntry, Problem, ReadOptions, MAX_WHOLE_FILE};

/// The reason code of a page with neither title nor text.
pub(crate) const NO_TEXT: &str = "no_text";

pub(crate) fn read_file(
    entry: &FileEntry,
    input: Box<dyn Read>,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let bytes = super::super::read_whole(entry, input)?;
    read_bytes(&entry.rel, &bytes, opts, sink, report)
}

/// One page's bytes, compressed or not.
pub(crate) fn read_bytes(
    rel: &str,
    bytes: &[u8],
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let plain;
    let bytes = if super::is_gzip(bytes) {
        plain = gunzip(bytes, MAX_WHOLE_FILE).map_err(|e| {
            Problem::error(rel, format!("not a readable gzip file: {e}"))
                .with_hint("check the file is complete; `gzip -t` tests it")
        })?;
        &plain[..]
    } else {
        bytes
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        report(super::super::empty_file(rel));
        return Ok(0);
    }
    // The same sniffing as for text files, on the page itself (after any gzip the
    // format table allows): a known magic number or mostly control bytes. A stray NUL
    // in a page costs nothing.
    if let super::super::decode::Sniff::Binary(kind) = super::super::decode::sniff(bytes) {
        return Err(
            Problem::error(rel, format!("binary data ({kind}), not a web page"))
                .with_hint("rename or remove it"),
        );
    }
    let (page, warning) = extract::extract_bytes(bytes, &Hints::default());
    if let Some(w) = warning {
        report(Problem::warning(rel, w));
    }
    if let Some(why) = &page.not_article {
        if !opts.keep_non_articles {
            report(
                Problem::warning(rel, format!("not an article: {why}; skipped"))
                    .with_hint("--keep-non-articles indexes such pages too")
                    .counting(why.code, 1),
            );
            return Ok(0);
        }
    }
    match to_article(rel, None, &mut Ids::default(), None, None, page) {
        Some(a) => {
            sink(a);
            Ok(1)
        }
        None => {
            report(Problem::warning(rel, "no text in this page; skipped").counting(NO_TEXT, 1));
            Ok(0)
        }
    }
}

/// Decompresses gzip data (every member), refusing more than `limit` bytes.
pub(crate) fn gunzip(bytes: &[u8], limit: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "more than {} MiB uncompressed",
            limit >> 20
        )));
    }
    Ok(out)
}

/// The article a page makes: `None` when it has neither title nor text. `key` is the
/// record's own id within a file of several pages; `captured` the capture date that
/// stands in for a publication date the page does not give.
pub(crate) fn to_article(
    rel: &str,
    record: Option<u64>,
    ids: &mut Ids,
    key: Option<&str>,
    captured: Option<NaiveDate>,
    page: Page,
) -> Option<Article> {
    let body = page.body;
    let (title, title_derived) = match page.title.map(|t| one_line(&t)).filter(|t| !t.is_empty()) {
        Some(t) => (t, false),
        None => (derive_title(&body)?, true),
    };
    let (date_raw, date_from) = match (page.published, captured) {
        (Some(d), _) => (Some(d.date.to_string()), Some(d.from)),
        (None, Some(c)) => (Some(c.to_string()), Some(DateSource::Captured)),
        (None, None) => (None, None),
    };
    let (id, _) = ids.assign(rel, key, record);
    Some(Article {
        id,
        path: rel.to_string(),
        record,
        line: None,
        title,
        title_derived,
        subtitle: None,
        body,
        date_raw,
        url: page.url,
        source: page.source,
        authors: page.authors,
        date_from,
        modified: page.modified.map(|d| d.date.to_string()),
        modified_from: page.modified.map(|d| d.from),
        captured: captured.map(|c| c.to_string()),
        language: page.language,
    })
}
