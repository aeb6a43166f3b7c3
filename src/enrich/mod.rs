//! Enrichment: which countries, leaders and international organisations an article is
//! about, when it was published, and which dates it mentions.
//!
//! [`Enricher::enrich`] turns an [`Article`] into an [`Enriched`] article. It is pure:
//! the only outside input is the file's modification date, passed in by the caller, used
//! to give a year to a dateline that has none.

pub mod dates;
pub mod dates_eval;
pub mod eval;
pub mod gazetteer;
pub mod minhash;
pub mod tags;

use crate::article::Article;
pub use crate::article::DateSource;
use chrono::NaiveDate;
use serde::Serialize;

pub use dates::{DateMention, Granularity};
pub use eval::{evaluate_tags, TagScores};
pub use gazetteer::Gazetteer;
pub use tags::{Tagger, Tags};

/// An article with everything enrichment found in it.
#[derive(Debug, Clone, Serialize)]
pub struct Enriched {
    pub article: Article,
    pub published: Option<NaiveDate>,
    pub published_from: Option<DateSource>,
    pub tags: Tags,
    pub dates: Vec<DateMention>,
    /// The body's near-duplicate band keys (`None` for very short bodies).
    #[serde(skip)]
    pub bands: Option<[u64; minhash::BANDS]>,
    /// The body's MinHash signature the bands are cut from (`None` likewise).
    #[serde(skip)]
    pub signature: Option<minhash::Signature>,
}

/// Holds the matchers, built once and shared by every enrichment thread.
pub struct Enricher {
    tagger: Tagger,
}

impl Enricher {
    pub fn new(gazetteer: &Gazetteer) -> Enricher {
        Enricher {
            tagger: Tagger::new(gazetteer),
        }
    }

    /// `file_date` is the file's modification date. It is not used to give a year to
    /// a dateline that has none: a file copied today would date a 2017 wire story
    /// to this year, and a wrong date is worse than none.
    pub fn enrich(&self, article: Article, file_date: Option<NaiveDate>) -> Enriched {
        self.findings(&article, file_date).with(article)
    }

    /// What enrichment finds in `article`, without taking it: a caller that must
    /// still hold the article should this fail keeps it without a copy.
    pub fn findings(&self, article: &Article, file_date: Option<NaiveDate>) -> Findings {
        let _ = file_date;
        let (published, published_from) = publication_date(article, None);
        let tags = self.tagger.tag_on(article, published);
        let dates = dates::extract(&article.body, published);
        let signature = minhash::signature(&article.body);
        let bands = signature.as_ref().map(minhash::bands);
        Findings {
            published,
            published_from,
            tags,
            dates,
            bands,
            signature,
        }
    }
}

/// Everything of an [`Enriched`] article but the article.
pub struct Findings {
    published: Option<NaiveDate>,
    published_from: Option<DateSource>,
    tags: Tags,
    dates: Vec<DateMention>,
    bands: Option<[u64; minhash::BANDS]>,
    signature: Option<minhash::Signature>,
}

impl Findings {
    /// The enriched article.
    pub fn with(self, article: Article) -> Enriched {
        Enriched {
            article,
            published: self.published,
            published_from: self.published_from,
            tags: self.tags,
            dates: self.dates,
            bands: self.bands,
            signature: self.signature,
        }
    }
}

/// Metadata first (where the reader found it, if it says), then a date in the path,
/// then a dateline at the top of the body; a web archive's capture date only when
/// none of these gives one.
pub fn publication_date(
    article: &Article,
    file_date: Option<NaiveDate>,
) -> (Option<NaiveDate>, Option<DateSource>) {
    let captured = article.date_from == Some(DateSource::Captured);
    if !captured {
        if let Some(d) = article.date_raw.as_deref().and_then(dates::parse_date) {
            return (
                Some(d),
                Some(article.date_from.unwrap_or(DateSource::Metadata)),
            );
        }
    }
    if let Some(d) = dates::date_from_path(&article.path) {
        return (Some(d), Some(DateSource::Path));
    }
    if let Some(d) = dates::dateline_date(&article.body, file_date) {
        return (Some(d), Some(DateSource::Dateline));
    }
    if captured {
        if let Some(d) = article.date_raw.as_deref().and_then(dates::parse_date) {
            return (Some(d), Some(DateSource::Captured));
        }
    }
    (None, None)
}
