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
                "source_raw": keyword(),
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

/// How a search is paged, ordered and shown, for [`request`].
#[derive(Debug, Clone)]
pub struct RequestOptions {
    pub limit: usize,
    pub offset: usize,
    pub sort: crate::search::Sort,
    /// Every copy of near-duplicate articles (no `collapse`).
    pub all: bool,
    pub facets: bool,
    pub snippets: usize,
    pub snippet_chars: usize,
}

/// One piece of the query: a word in every text field (scores summed over the fields,
/// as newsidx sums them), a phrase, or a prefix (`brex*`: at most 50 words, as in
/// newsidx).
fn piece_query(piece: &crate::search::rank::Piece, fields: &[String]) -> Value {
    use crate::search::rank::Piece;
    match piece {
        Piece::Word(w) => {
            let w = w.strip_suffix("'s").filter(|s| !s.is_empty()).unwrap_or(w);
            // A hyphenated word is the phrase of its parts or the joined word
            // (post-war: "post war" or postwar), as newsidx reads it.
            let parts: Vec<&str> = w
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| !p.is_empty())
                .collect();
            if parts.len() > 1 {
                return json!({"bool": {"should": [
                    {"multi_match": {"query": parts.join(" "), "type": "phrase", "fields": fields}},
                    {"multi_match": {"query": parts.concat(), "type": "most_fields", "fields": fields}}
                ], "minimum_should_match": 1}});
            }
            json!({"multi_match": {"query": w, "type": "most_fields", "fields": fields}})
        }
        Piece::Phrase(p) => {
            let should: Vec<Value> = fields
                .iter()
                .map(|f| {
                    let (name, boost) = match f.split_once('^') {
                        Some((n, b)) => (n, b.parse::<f64>().unwrap_or(1.0)),
                        None => (f.as_str(), 1.0),
                    };
                    json!({"match_phrase": {name: {"query": p, "boost": boost}}})
                })
                .collect();
            json!({"bool": {"should": should, "minimum_should_match": 1}})
        }
        Piece::Prefix(p) => json!({"multi_match": {
            "query": p, "type": "phrase_prefix", "fields": fields,
            "max_expansions": crate::search::rank::MAX_PREFIX_TERMS
        }}),
    }
}

/// The request body (`POST /INDEX/_search`) that runs a search on an exported index:
/// every clause required (a OR b: either), exclusions as `must_not`, filters as
/// unscored `filter` clauses on the flat tag fields, the date range, facets as `terms`
/// aggregations, near copies folded with `collapse` on `group` (and counted as
/// `stories`), the page as `from`/`size`.
pub fn request(
    clauses: &[crate::search::rank::Clause],
    filters: &crate::search::Filters,
    o: &RequestOptions,
) -> Value {
    use crate::search::Sort;
    let all_fields = text_fields();
    let title_field = vec![all_fields[0].clone()];
    let mut must: Vec<Value> = Vec::new();
    let mut must_not: Vec<Value> = Vec::new();
    for c in clauses {
        let fields = if c.title_only {
            &title_field
        } else {
            &all_fields
        };
        let mut pieces: Vec<Value> = c.pieces.iter().map(|p| piece_query(p, fields)).collect();
        let q = if pieces.len() == 1 {
            pieces.remove(0)
        } else {
            json!({"bool": {"should": pieces, "minimum_should_match": 1}})
        };
        if c.excluded {
            must_not.push(q);
        } else {
            must.push(q);
        }
    }
    let has_words = !must.is_empty();
    let mut filter: Vec<Value> = Vec::new();
    for c in &filters.countries {
        if filters.via_place {
            filter.push(json!({"bool": {"should": [
                {"term": {"country": c}}, {"term": {"place_country": c}}
            ], "minimum_should_match": 1}}));
        } else {
            filter.push(json!({"term": {"country": c}}));
        }
    }
    for l in &filters.leaders {
        filter.push(json!({"term": {"leader": l}}));
    }
    for org in &filters.orgs {
        filter.push(json!({"term": {"org": org}}));
    }
    for m in &filters.mentions {
        filter.push(json!({"term": {"mentions": m}}));
    }
    if !filters.sources.is_empty() {
        // The filter holds the outlet's spellings as the index stores them.
        filter.push(json!({"terms": {"source_raw": filters.sources}}));
    }
    for names in &filters.authors {
        filter.push(json!({"terms": {"authors": names}}));
    }
    if filters.from.is_some() || filters.to.is_some() {
        let mut range = serde_json::Map::new();
        if let Some(d) = filters.from {
            range.insert("gte".into(), json!(d.format("%Y-%m-%d").to_string()));
        }
        if let Some(d) = filters.to {
            range.insert("lte".into(), json!(d.format("%Y-%m-%d").to_string()));
        }
        range.insert("format".into(), json!("strict_date"));
        filter.push(json!({"range": {"published": range}}));
    }
    let query = if must.is_empty() && must_not.is_empty() && filter.is_empty() {
        json!({"match_all": {}})
    } else {
        let mut b = serde_json::Map::new();
        if !must.is_empty() {
            b.insert("must".into(), json!(must));
        }
        if !must_not.is_empty() {
            b.insert("must_not".into(), json!(must_not));
        }
        if !filter.is_empty() {
            b.insert("filter".into(), json!(filter));
        }
        json!({ "bool": b })
    };
    let mut body = serde_json::Map::new();
    body.insert("query".into(), query);
    body.insert(
        "from".into(),
        json!(o.offset.min(crate::search::MAX_LIMIT * 100)),
    );
    body.insert("size".into(), json!(o.limit.min(crate::search::MAX_LIMIT)));
    body.insert("track_total_hits".into(), json!(true));
    let sort = match (o.sort, has_words) {
        (Sort::Relevance, false) => Sort::Newest,
        (s, _) => s,
    };
    match sort {
        Sort::Relevance => {}
        Sort::Newest | Sort::Oldest => {
            let order = if sort == Sort::Newest { "desc" } else { "asc" };
            body.insert(
                "sort".into(),
                json!([{"published": {"order": order, "missing": "_last"}}]),
            );
        }
    }
    // The body is for reading the article whole; hits show title and snippets.
    body.insert("_source".into(), json!({"excludes": ["body"]}));
    if has_words {
        body.insert(
            "highlight".into(),
            json!({"fields": {
                "title": {"number_of_fragments": 0},
                "body": {"fragment_size": o.snippet_chars, "number_of_fragments": o.snippets}
            }}),
        );
    }
    let mut aggs = serde_json::Map::new();
    if !o.all {
        body.insert("collapse".into(), json!({"field": "group"}));
        // Exact up to 40,000 stories (the most `precision_threshold` takes).
        aggs.insert(
            "stories".into(),
            json!({"cardinality": {"field": "group", "precision_threshold": 40000}}),
        );
    }
    if o.facets {
        for (kind, field) in [
            ("country", "country"),
            ("leader", "leader"),
            ("org", "org"),
            ("source", "source"),
        ] {
            aggs.insert(
                kind.into(),
                json!({"terms": {"field": field, "size": crate::service::FACET_TOP}}),
            );
        }
    }
    if !aggs.is_empty() {
        body.insert("aggs".into(), Value::Object(aggs));
    }
    Value::Object(body)
}
