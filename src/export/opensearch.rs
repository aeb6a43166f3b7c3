//! The OpenSearch (and Elasticsearch) side of an export: the index's settings and
//! mappings, and a search as the request body that runs it on the exported index.
//!
//! Text is analysed as newsidx analyses it (`schema::news_analyzer`), token for token:
//! words cut where `index::tokenizer::NewsTokenizer` cuts them (at anything not a letter
//! or digit; runs of Chinese, Japanese and Korean characters as overlapping pairs), by
//! the `pattern` tokenizer with a regular expression that finds each word (or pair)
//! with a look-ahead; words of 48 characters or more dropped, lower case, ASCII folding,
//! Snowball English stemming (`porter2`) but for the people's names newsidx keeps
//! whole (a `keyword_marker` filter before the stemmer), and no stop words. The `standard` tokenizer
//! would keep `U.S`, `3.5`, `don't` and `example.com` whole and cut CJK text into single
//! characters, so exact searches would count differently. The one difference left is
//! the stemmer's version: Lucene's `porter2` is Snowball's English stemmer from before
//! its 2025 revision, tantivy's the revised one: 83 of 46,510 distinct words of the
//! check's archive stem differently (`international`: `intern` there, `internat` here).
//! `tools/opensearch-analysis-check.sh` runs this analyser through Lucene's own classes
//! over a corpus and compares it with newsidx's, word for word.
//! The mapping is `dynamic: strict`: a document with a field it does not name is
//! refused rather than mapped by guess.

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

/// The ranges of `index::tokenizer::is_cjk`, for the Java regular expression.
const CJK_RANGES: [(u32, u32); 14] = [
    (0x1100, 0x11FF),
    (0x3005, 0x3007),
    (0x3040, 0x30FF),
    (0x3130, 0x318F),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7AF),
    (0xD7B0, 0xD7FF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
    (0xFFA0, 0xFFDC),
    (0x20000, 0x3134F),
];

/// The regular expression (Java's syntax, as OpenSearch's `pattern` tokenizer takes it)
/// whose group 1 is each token `NewsTokenizer` gives: a run of letters and digits that
/// are not CJK, a pair of CJK letters (one at each position of a run, so the pairs
/// overlap), or a CJK letter standing alone. The token is captured by a look-ahead, so
/// a CJK match is empty and the next search starts one character on: overlapping pairs
/// come out in order.
pub fn token_pattern() -> String {
    let ranges: String = CJK_RANGES
        .iter()
        .map(|(a, b)| format!("\\x{{{a:X}}}-\\x{{{b:X}}}"))
        .collect();
    let alnum = "\\p{IsAlphabetic}\\p{N}";
    let word = format!("[{alnum}&&[^{ranges}]]");
    let cjk = format!("[{alnum}&&[{ranges}]]");
    // After the look-ahead, the rest of a non-CJK word is consumed, so the search goes
    // on after it instead of trying each of its letters (three times faster in Java).
    format!("(?=({word}+|{cjk}{cjk}|(?<!{cjk}){cjk}(?!{cjk}))){word}*")
}

/// The longest keyword value indexed, in characters. Lucene refuses a whole document
/// with a term over 32,766 bytes ("immense term"); 8,191 characters of UTF-8 always fit.
/// A longer value (an author or source field gone wrong, an id of a huge web address)
/// is kept in `_source` and not indexed, and the article still loads.
pub const KEYWORD_MAX_CHARS: u32 = 8191;

/// The deepest page a request body asks for: `from` + `size` at newsidx's own limits
/// (`--offset` up to 100 pages of the largest `--limit`). OpenSearch refuses a search
/// past `index.max_result_window` (10,000 by default), so the index allows these.
pub fn max_result_window() -> usize {
    crate::search::MAX_LIMIT * 100 + crate::search::MAX_LIMIT
}

/// Settings and mappings, as `PUT /INDEX` takes them.
pub fn mapping() -> Value {
    let text = || json!({"type": "text", "analyzer": ANALYZER});
    let keyword = || json!({"type": "keyword", "ignore_above": KEYWORD_MAX_CHARS});
    // Mentions (where a tag's words stand in the text) are kept in `_source` for
    // display, not indexed.
    let stored_only = || json!({"type": "object", "enabled": false});
    json!({
        "settings": {
            "index": {
                "max_result_window": max_result_window(),
                // Highlighting re-analyses the body; past this many characters OpenSearch
                // fails the whole search. newsidx bounds bodies itself (--max-body-bytes,
                // 1 MiB by default: over the engine's default of 1,000,000), so the engine
                // need not.
                "highlight": {"max_analyzed_offset": i32::MAX}
            },
            "analysis": {
                "tokenizer": {
                    "news_words": {"type": "pattern", "pattern": token_pattern(), "group": 1}
                },
                "filter": {
                    // newsidx drops a word of 48 bytes or more (`MAX_TOKEN_BYTES`); this
                    // filter counts characters, the same for ASCII words.
                    "news_length": {"type": "length", "max": crate::index::schema::MAX_TOKEN_BYTES - 1},
                    // The people's names newsidx keeps whole (`normalize::kept_whole`):
                    // marked, they pass the stemmer as they are.
                    "news_names": {"type": "keyword_marker", "keywords": crate::index::normalize::names_kept_whole()},
                    "news_stemmer": {"type": "stemmer", "language": "porter2"}
                },
                "analyzer": {
                    ANALYZER: {
                        "type": "custom",
                        "tokenizer": "news_words",
                        "filter": ["news_length", "lowercase", "asciifolding", "news_names", "news_stemmer"]
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
            // A CJK word is cut into overlapping pairs: newsidx searches them as a
            // phrase (any one pair alone would match far more).
            if w.chars()
                .any(|c| c.is_alphanumeric() && crate::index::tokenizer::is_cjk(c))
            {
                return json!({"multi_match": {"query": w, "type": "phrase", "fields": fields}});
            }
            // The other spelling (defence, defense) and a headline's plain word (blaze,
            // fire), as newsidx also searches them.
            let lower = w.to_lowercase();
            let mut variants = crate::search::spelling::variants(&lower);
            variants.extend(crate::search::spelling::plain_words(w));
            if !variants.is_empty() {
                let should: Vec<Value> = std::iter::once(w.to_string())
                    .chain(variants)
                    .map(|v| json!({"multi_match": {"query": v, "type": "most_fields", "fields": fields}}))
                    .collect();
                return json!({"bool": {"should": should, "minimum_should_match": 1}});
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
/// `stories`), the page as `from`/`size`. `tagged`: words typed in capitals that name a
/// tag (`US`, `WHO`: `search::resolve::abbreviation`), each with its flat tag field
/// (`country`, `org`) and value; a required clause of one such word is held only with
/// the tag, as newsidx holds it.
pub fn request(
    clauses: &[crate::search::rank::Clause],
    tagged: &[(String, &str, String)],
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
        let mut q = if pieces.len() == 1 {
            pieces.remove(0)
        } else {
            json!({"bool": {"should": pieces, "minimum_should_match": 1}})
        };
        if let ([crate::search::rank::Piece::Word(w)], false, false) =
            (&c.pieces[..], c.excluded, c.title_only)
        {
            let w = w.strip_suffix("'s").unwrap_or(w);
            if let Some((_, field, tag)) = tagged.iter().find(|(t, _, _)| t == w) {
                q = json!({"bool": {"must": [q], "filter": [{"term": {*field: tag}}]}});
            }
        }
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
    if !filters.urls.is_empty() {
        // The export holds each url as the article gave it: its usual forms.
        let forms: Vec<String> = filters
            .urls
            .iter()
            .flat_map(|k| {
                ["https://", "http://", "https://www.", "http://www."]
                    .into_iter()
                    .flat_map(move |s| [format!("{s}{k}"), format!("{s}{k}/")])
            })
            .collect();
        filter.push(json!({"terms": {"url": forms}}));
    }
    for (kind, values) in &filters.excluded {
        use crate::search::Excluded;
        let fields: &[&str] = match kind {
            Excluded::Country if filters.via_place => &["country", "place_country"],
            Excluded::Country => &["country"],
            Excluded::Leader => &["leader"],
            Excluded::Org => &["org"],
            Excluded::Mentions => &["mentions"],
            Excluded::Source => &["source_raw"],
            Excluded::Author => &["authors"],
        };
        for field in fields {
            must_not.push(json!({"terms": {*field: values}}));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_ranges_are_those_of_the_tokenizer() {
        let in_ranges = |c: u32| CJK_RANGES.iter().any(|&(a, b)| (a..=b).contains(&c));
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(
                in_ranges(c as u32),
                crate::index::tokenizer::is_cjk(c),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn token_pattern_is_one_look_ahead_with_the_token_as_group_1() {
        let p = token_pattern();
        assert!(p.starts_with("(?=([") && p.ends_with("]]*"), "{p}");
        assert!(p.contains("\\x{4E00}-\\x{9FFF}") && p.contains("\\x{20000}-\\x{3134F}"));
    }
}
