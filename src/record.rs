//! The enriched record: one article with everything enrichment found in it, as one
//! JSON object. `newsidx enrich --records` writes one per line, `newsidx ingest
//! --enriched` indexes them without enriching again, and exporters start from them.
//!
//! Its fields are those of `show --json` under the same names (`id`, `path`,
//! `record`, `title`, `subtitle`, `body`, `published`, `published_from`, `date_raw`,
//! `url`, `source`, `source_raw`, `authors`, `countries`, `leaders`, `orgs`, `dates`;
//! `source` is the outlet's name by the shipped table of outlets, `source_raw` the
//! source as the file wrote it, which is what an index stores), plus what
//! indexing needs that `show` does not print: the near-duplicate signature
//! (`minhash`), whether the title was derived from the body (`title_derived`), the
//! record's line in its source file, and the page metadata `extract` prints
//! (`modified`, `modified_from`, `captured`, `language`). The near-duplicate group
//! (`group`, `similar`) is not in it: it depends on the other articles of an index,
//! and the index assigns it from `minhash`.
//!
//! `newsidx_record` is the version of this shape. A reader refuses a record of a newer
//! version with a message that says so, rather than reading part of it. Fields may be
//! added within a version (a reader ignores those it does not know); renaming or
//! dropping one is a new version.

use crate::article::{Article, DateSource};
use crate::enrich::tags::{CountryTag, LeaderTag, OrgTag, Tags};
use crate::enrich::{minhash, DateMention, Enriched};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The version of the record's shape this build writes and reads.
pub const RECORD_VERSION: u32 = 1;

/// One enriched article, as written by `newsidx enrich --records`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichedRecord {
    /// The version of this shape ([`RECORD_VERSION`]).
    pub newsidx_record: u32,
    pub id: String,
    /// The source file's path, relative to the archive root (or the name given to
    /// standard input).
    pub path: String,
    /// 1-based record number in a file holding several.
    pub record: Option<u64>,
    /// 1-based line where the record starts in its source file.
    #[serde(default)]
    pub line: Option<u64>,
    pub title: String,
    #[serde(default)]
    pub title_derived: bool,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub body: String,
    /// `YYYY-MM-DD`: the publication date enrichment found (`show --json` leaves out
    /// a date the index cannot hold, before 1677-09-22 or after 2262-04-11).
    pub published: Option<String>,
    pub published_from: Option<DateSource>,
    /// The date field as the source wrote it.
    #[serde(default)]
    pub date_raw: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// The outlet's name (the shipped table of outlets: CNN for cnn.com).
    #[serde(default)]
    pub source: Option<String>,
    /// The source as the file wrote it; what `ingest --enriched` indexes (a record
    /// without it is read by `source`).
    #[serde(default)]
    pub source_raw: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub modified_from: Option<DateSource>,
    #[serde(default)]
    pub captured: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// Where the source said the date came from, when the reader knew better than
    /// "metadata" (a web page's JSON-LD, a web archive's capture date).
    #[serde(default)]
    pub date_from: Option<DateSource>,
    #[serde(default)]
    pub countries: Vec<CountryTag>,
    #[serde(default)]
    pub leaders: Vec<LeaderTag>,
    #[serde(default)]
    pub orgs: Vec<OrgTag>,
    #[serde(default)]
    pub dates: Vec<DateMention>,
    /// The body's MinHash signature (64 values), or null for a body too short to
    /// compare (under 25 words).
    pub minhash: Option<Vec<u32>>,
}

/// Just the version, to say why a line did not read as a record.
#[derive(Deserialize)]
struct VersionOnly {
    newsidx_record: Option<serde_json::Value>,
}

impl EnrichedRecord {
    pub fn from_enriched(e: &Enriched) -> EnrichedRecord {
        let a = &e.article;
        EnrichedRecord {
            newsidx_record: RECORD_VERSION,
            id: a.id.clone(),
            path: a.path.clone(),
            record: a.record,
            line: a.line,
            title: a.title.clone(),
            title_derived: a.title_derived,
            subtitle: a.subtitle.clone(),
            body: a.body.clone(),
            published: e.published.map(|d| d.to_string()),
            published_from: e.published_from,
            date_raw: a.date_raw.clone(),
            url: a.url.clone(),
            source: a.source.as_deref().map(|s| {
                crate::sources::SourceTable::shipped()
                    .canonical(s)
                    .into_owned()
            }),
            source_raw: a.source.clone(),
            authors: a.authors.clone(),
            modified: a.modified.clone(),
            modified_from: a.modified_from,
            captured: a.captured.clone(),
            language: a.language.clone(),
            date_from: a.date_from,
            countries: e.tags.countries.clone(),
            leaders: e.tags.leaders.clone(),
            orgs: e.tags.orgs.clone(),
            dates: e.dates.clone(),
            minhash: e.signature.map(|s| s.to_vec()),
        }
    }

    /// The enriched article this record holds, as enrichment gave it.
    pub fn into_enriched(self) -> Result<Enriched, String> {
        let published = match &self.published {
            None => None,
            Some(s) => Some(
                s.parse::<NaiveDate>()
                    .map_err(|_| format!("published \"{s}\" is not a YYYY-MM-DD date"))?,
            ),
        };
        let signature: Option<minhash::Signature> = match &self.minhash {
            None => None,
            Some(v) => Some(v.as_slice().try_into().map_err(|_| {
                format!("minhash holds {} values, not {}", v.len(), minhash::HASHES)
            })?),
        };
        let article = Article {
            id: self.id,
            path: self.path,
            record: self.record,
            line: self.line,
            title: self.title,
            title_derived: self.title_derived,
            subtitle: self.subtitle,
            body: self.body,
            date_raw: self.date_raw,
            url: self.url,
            source: self.source_raw.or(self.source),
            authors: self.authors,
            date_from: self.date_from,
            modified: self.modified,
            modified_from: self.modified_from,
            captured: self.captured,
            language: self.language,
        };
        Ok(Enriched {
            article,
            published,
            published_from: self.published_from,
            tags: Tags {
                countries: self.countries,
                leaders: self.leaders,
                orgs: self.orgs,
            },
            dates: self.dates,
            bands: signature.as_ref().map(minhash::bands),
            signature,
        })
    }

    /// One line of JSON (no newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a record serialises")
    }

    /// Reads one line. The error says what is wrong in words: not JSON, not a
    /// record, a record of a newer version, a bad field.
    pub fn from_line(line: &str) -> Result<EnrichedRecord, String> {
        match serde_json::from_str::<EnrichedRecord>(line) {
            Ok(r) if r.newsidx_record > RECORD_VERSION => Err(newer(r.newsidx_record)),
            Ok(r) => Ok(r),
            Err(e) => {
                let version = serde_json::from_str::<VersionOnly>(line)
                    .ok()
                    .map(|v| v.newsidx_record);
                Err(match version {
                    None => format!("invalid JSON: {e}"),
                    Some(None) => "not an enriched record (no \"newsidx_record\" field); \
                                   make records with `newsidx enrich --records`"
                        .to_string(),
                    Some(Some(v)) => match v.as_u64() {
                        Some(n) if n > u64::from(RECORD_VERSION) => newer(n),
                        _ => format!("not a readable enriched record: {e}"),
                    },
                })
            }
        }
    }
}

fn newer(v: impl std::fmt::Display) -> String {
    format!(
        "enriched record version {v} is newer than this newsidx reads (version {RECORD_VERSION}); \
         upgrade newsidx, or make the records again with this version's `newsidx enrich --records`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::{Enricher, Gazetteer};

    fn sample() -> Enriched {
        let a = Article {
            id: "a.md".into(),
            path: "a.md".into(),
            title: "Xi tells Trump Taiwan's return is part of post-war order".into(),
            body: "US President Donald Trump and Chinese President Xi Jinping spoke by \
                   phone on Monday, and the leaders of Japan and France said on Tuesday \
                   that the G20 would meet in Johannesburg next week to talk about trade, \
                   Ukraine and the order that followed the Second World War in Asia."
                .into(),
            date_raw: Some("2025-11-24".into()),
            authors: vec!["A. Writer".into()],
            ..Article::default()
        };
        Enricher::new(Gazetteer::shipped()).enrich(a, None)
    }

    #[test]
    fn round_trips_through_a_line() {
        let e = sample();
        assert!(e.signature.is_some() && !e.tags.countries.is_empty());
        let line = EnrichedRecord::from_enriched(&e).to_line();
        assert!(!line.contains('\n'));
        let back = EnrichedRecord::from_line(&line)
            .unwrap()
            .into_enriched()
            .unwrap();
        assert_eq!(back.article, e.article);
        assert_eq!(back.published, e.published);
        assert_eq!(back.published_from, e.published_from);
        assert_eq!(back.tags, e.tags);
        assert_eq!(back.dates, e.dates);
        assert_eq!(back.signature, e.signature);
        assert_eq!(back.bands, e.bands);
    }

    #[test]
    fn refuses_newer_and_foreign_lines_clearly() {
        let mut v: serde_json::Value =
            serde_json::from_str(&EnrichedRecord::from_enriched(&sample()).to_line()).unwrap();
        v["newsidx_record"] = 2.into();
        let err = EnrichedRecord::from_line(&v.to_string()).unwrap_err();
        assert!(err.contains("version 2 is newer"), "{err}");
        // A newer version may also change a field's type: still "newer", not a type error.
        v["countries"] = "CN".into();
        let err = EnrichedRecord::from_line(&v.to_string()).unwrap_err();
        assert!(err.contains("version 2 is newer"), "{err}");
        let err = EnrichedRecord::from_line(r#"{"title": "x", "body": "y"}"#).unwrap_err();
        assert!(err.contains("not an enriched record"), "{err}");
        let err = EnrichedRecord::from_line("{oops").unwrap_err();
        assert!(err.starts_with("invalid JSON"), "{err}");
        v["newsidx_record"] = 1.into();
        v["minhash"] = serde_json::json!([1, 2, 3]);
        v["countries"] = serde_json::json!([]);
        let err = EnrichedRecord::from_line(&v.to_string())
            .unwrap()
            .into_enriched()
            .unwrap_err();
        assert!(err.contains("minhash holds 3 values"), "{err}");
    }
}
