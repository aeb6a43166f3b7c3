//! What flows between the stages: an [`Article`] as read from a file, and the
//! [`Enriched`] article that the index stores.
//!
//! The path is one-way: `ingest` produces `Article`s, `enrich` turns each into an
//! `Enriched`, `index` writes those, `search` reads hits back.

use serde::Serialize;

/// One article as read from the archive, before enrichment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Article {
    /// Stable id: the file's path relative to the ingest root, plus `#` and the
    /// record's own id (or its 1-based position) for files that hold several records.
    pub id: String,
    /// Path relative to the ingest root, with `/` separators.
    pub path: String,
    /// 1-based record number within a multi-article file (`None` for one-article files).
    pub record: Option<u64>,
    /// 1-based line in the file where the record starts, for error messages.
    pub line: Option<u64>,
    pub title: String,
    /// True when the title was derived from the body rather than given.
    pub title_derived: bool,
    pub subtitle: Option<String>,
    pub body: String,
    /// The publication date exactly as the source gave it (metadata), unparsed.
    pub date_raw: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub authors: Vec<String>,
}

/// A byte span of text that triggered a tag or a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    pub text: String,
    /// Byte offsets into the article body (or into the title when `field` is "title").
    pub start: usize,
    pub end: usize,
    #[serde(skip_serializing_if = "is_body")]
    pub field: &'static str,
}

fn is_body(f: &&'static str) -> bool {
    *f == "body"
}
