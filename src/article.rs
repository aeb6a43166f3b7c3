//! What flows between the stages: an [`Article`] as read from a file, and the
//! [`Enriched`] article that the index stores.
//!
//! The path is one-way: `ingest` produces `Article`s, `enrich` turns each into an
//! `Enriched`, `index` writes those, `search` reads hits back.

use serde::{Deserialize, Serialize};

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
    /// Where `date_raw` was found, when the reader knows better than "metadata" (a
    /// web page: JSON-LD, a `<meta>` tag, the url…).
    pub date_from: Option<DateSource>,
    /// The last-modified date the page gives (`YYYY-MM-DD`), and where it was found.
    pub modified: Option<String>,
    pub modified_from: Option<DateSource>,
    /// When a web archive captured the page (`YYYY-MM-DD`), kept apart from the
    /// publication date.
    pub captured: Option<String>,
    /// The language the page declares, as a primary subtag (`en`).
    pub language: Option<String>,
}

/// Where a publication date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateSource {
    /// A field of the record (front matter, a JSON or CSV column).
    Metadata,
    /// A date in the file's path.
    Path,
    /// A dateline at the top of the body.
    Dateline,
    /// A web page's JSON-LD (`datePublished`).
    JsonLd,
    /// A web page's `<meta>` tags (`article:published_time`, Dublin Core…).
    Meta,
    /// A web page's microdata (`itemprop="datePublished"`).
    #[serde(rename = "itemprop")]
    Microdata,
    /// A web page's `<time>` element.
    Time,
    /// A date in the page's url.
    Url,
    /// A date written in the page's text (a byline's date line).
    Text,
    /// No date of its own: the day a web archive captured it.
    Captured,
}

impl DateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Metadata => "metadata",
            DateSource::Path => "path",
            DateSource::Dateline => "dateline",
            DateSource::JsonLd => "json-ld",
            DateSource::Meta => "meta",
            DateSource::Microdata => "itemprop",
            DateSource::Time => "time",
            DateSource::Url => "url",
            DateSource::Text => "text",
            DateSource::Captured => "captured",
        }
    }
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

/// A mention as read back (an enriched record): `field` is one of the names the
/// tagger writes, "body" when left out.
#[derive(Deserialize)]
struct MentionRead {
    text: String,
    start: usize,
    end: usize,
    #[serde(default)]
    field: Option<String>,
}

impl<'de> Deserialize<'de> for Mention {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Mention, D::Error> {
        Mention::try_from(MentionRead::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<MentionRead> for Mention {
    type Error = String;
    fn try_from(m: MentionRead) -> Result<Mention, String> {
        let field = match m.field.as_deref() {
            None => "body",
            Some(f) => ["title", "subtitle", "body"]
                .into_iter()
                .find(|x| *x == f)
                .ok_or_else(|| format!("unknown mention field \"{f}\""))?,
        };
        Ok(Mention {
            text: m.text,
            start: m.start,
            end: m.end,
            field,
        })
    }
}
