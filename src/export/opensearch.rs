//! The OpenSearch (and Elasticsearch) side of an export: the index's settings and
//! mappings, and a search as the request body that runs it on the exported index.
//!
//! Text is analysed as newsidx analyses it (`schema::news_analyzer`): words split at
//! anything not a letter or digit (the `standard` tokenizer; a possessive `'s` is
//! removed, as the query side of newsidx does), lower case, ASCII folding, English
//! stemming with Porter2 (the Snowball English stemmer tantivy's `Stemmer` uses), and
//! no stop words. The mapping is `dynamic: strict`: a document with a field it does not
//! name is refused rather than mapped by guess.

use serde_json::{json, Value};

/// The name of the analyser the mapping defines for title, subtitle and body.
pub const ANALYZER: &str = "news";

/// The weights of title and subtitle against the body, as newsidx ranks them.
fn weighted_fields() -> Vec<String> {
    use crate::search::rank::weights;
    vec![
        format!("title^{}", weights::TITLE),
        format!("subtitle^{}", weights::SUBTITLE),
        "body".to_string(),
    ]
}

/// Settings and mappings, as `PUT /INDEX` takes them.
pub fn mapping() -> Value {
    let text = || json!({"type": "text", "analyzer": ANALYZER});
    let keyword = || json!({"type": "keyword"});
    // Mentions (where a tag's words stand in the text) are kept in `_source` for
    // display, not indexed.
    let stored_only = || json!({"type": "object", "enabled": false});
    json!({
        "settings": {
            "analysis": {
                "filter": {
                    "news_possessive": {"type": "stemmer", "language": "possessive_english"},
                    "news_stemmer": {"type": "stemmer", "language": "porter2"}
                },
                "analyzer": {
                    ANALYZER: {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["news_possessive", "lowercase", "asciifolding", "news_stemmer"]
                    }
                }
            }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "authors": keyword(),
                "body": text(),
                "countries": {
                    "type": "object",
                    "properties": {
                        "code": keyword(),
                        "name": keyword(),
                        "via_place": {"type": "boolean"},
                        "mentions": stored_only()
                    }
                },
                "date_raw": {"type": "keyword", "ignore_above": 256},
                "dates": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "keyword", "ignore_above": 256},
                        "start": {"type": "long"},
                        "end": {"type": "long"},
                        "value": keyword(),
                        "granularity": keyword()
                    }
                },
                "group": keyword(),
                "id": keyword(),
                "leaders": {
                    "type": "object",
                    "properties": {
                        "name": keyword(),
                        "country": keyword(),
                        "inferred": {"type": "boolean"},
                        "mentions": stored_only()
                    }
                },
                "orgs": {
                    "type": "object",
                    "properties": {
                        "name": keyword(),
                        "mentions": stored_only()
                    }
                },
                "path": keyword(),
                "published": {"type": "date", "format": "strict_date"},
                "published_from": keyword(),
                "record": {"type": "long"},
                "similar": stored_only(),
                "source": keyword(),
                "subtitle": text(),
                "title": text(),
                "url": {"type": "keyword", "ignore_above": 2048},
                "country": keyword(),
                "place_country": keyword(),
                "leader": keyword(),
                "org": keyword(),
                "mentions": keyword(),
                "published_at": {"type": "date", "format": "strict_date_time_no_millis"}
            }
        }
    })
}

/// `multi_match` fields with newsidx's weights (title above subtitle above body).
pub fn text_fields() -> Vec<String> {
    weighted_fields()
}
