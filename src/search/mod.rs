//! Search: turn a user's query and filters into a tantivy query, run it, and return
//! ranked hits with snippets; count tags over all matches.

pub mod bm25f;
mod conjunction;
pub mod correct;
pub mod facets;
pub mod feedback;
mod near;
pub(crate) mod phrases;
pub mod query_fields;
pub mod rank;
pub mod relevance;
pub mod resolve;
pub mod snippet;
pub mod spelling;
#[cfg(test)]
mod test_index;
pub mod timeline;

use crate::enrich::dates;
use crate::error::{Error, Result};
use crate::index::{date_from_tantivy, date_limits, date_to_tantivy, Fields, NewsIndex};
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Bound;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{
    intersect_scorers, AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, ConstScorer,
    EmptyQuery, EnableScoring, Explanation, Occur, PhraseQuery, Query, RangeQuery, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Order, Score, Searcher, SegmentOrdinal, SegmentReader,
    TantivyDocument, Term, TERMINATED,
};

/// Filters, already resolved to the values the index holds.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// ISO codes; each must be present.
    pub countries: Vec<String>,
    /// Also accept countries found only through a city or region.
    pub via_place: bool,
    pub leaders: Vec<String>,
    pub orgs: Vec<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    /// Mention terms ("2019", "2019-03", "2019-03-05").
    pub mentions: Vec<String>,
    /// Sources as the index holds them; an article from any one of them matches (an
    /// article has one source, so requiring all would match nothing).
    pub sources: Vec<String>,
    /// Authors: for each one asked for, the names the index holds that it matches
    /// (any one of them).
    pub authors: Vec<Vec<String>>,
    /// Articles that hold any of these values are left out (`-source:cnn`).
    pub excluded: Vec<(Excluded, Vec<String>)>,
    /// Addresses as `index::schema::url_key` writes them; an article at any of them
    /// matches.
    pub urls: Vec<String>,
}

/// The kind of value an excluded filter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excluded {
    /// An ISO code (and, with `via_place`, a country named through a place).
    Country,
    Leader,
    Org,
    Mentions,
    Source,
    Author,
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub limit: usize,
    pub offset: usize,
    pub snippet_chars: usize,
    /// Fragments per hit.
    pub snippets: usize,
    pub sort: Sort,
    pub ranking: rank::Ranking,
    /// Show every copy of a near-duplicate group instead of one with "+N similar".
    pub all_copies: bool,
}

/// Result order. With no words to match, relevance means newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Serialize)]
pub struct SnippetOut {
    pub text: String,
    /// Byte offsets of `text` within the article body (within the subtitle where
    /// `field` says so).
    pub start: usize,
    pub end: usize,
    /// Byte ranges of the matched words within `text`.
    pub highlights: Vec<[usize; 2]>,
    /// `"subtitle"` for a snippet of the subtitle: where the body holds no query word
    /// and the subtitle does. Absent for the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub id: String,
    pub title: String,
    pub published: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub path: String,
    pub record: Option<u64>,
    pub countries: Vec<String>,
    pub leaders: Vec<String>,
    pub orgs: Vec<String>,
    pub snippets: Vec<SnippetOut>,
    /// Byte ranges of matched words within `title`.
    pub title_highlights: Vec<[usize; 2]>,
    /// The near-duplicate group (the id of the article that started it).
    pub group: String,
    /// Other matching articles of the same group, folded under this one.
    pub similar: usize,
    /// The article holds only some of the query's words: ranked among the full matches
    /// where it scores well enough (see [`partial_weight`]), else after all of them.
    pub partial: bool,
    /// The query's words (each clause as typed: `Taiwan`, `"post-war order"`,
    /// `china OR taiwan`) that a partial match lacks; empty for a full match.
    pub missing: Vec<String>,
    /// A partial hit listed for its meaning (an index with a model): it holds fewer of
    /// the words than a partial match needs, none it may be, and is listed where its
    /// meaning lifts it among the best matches or after a short list of them. Always
    /// `partial` too.
    pub related: bool,
}

pub struct Results {
    /// Articles that match every word (and the filters).
    pub total: usize,
    /// Stories among them: near-duplicate groups shown once each (`total` when every
    /// copy is shown). Pages count stories.
    pub stories: usize,
    /// Articles that match only some of the words (the partial query), counted when the
    /// page shows one of them or reaches the end of the full matches (0 otherwise).
    pub partial_total: usize,
    /// Stories among the partial matches (counted with `partial_total`).
    pub partial_stories: usize,
    /// Partial matches follow the full ones but were not counted: `partial_total` is
    /// 0 here (the page showed none and did not reach the end of the full matches),
    /// and a later page counts them.
    pub partial_uncounted: bool,
    /// More articles match than `total` says: counting stopped at [`COUNT_BOUND`]
    /// (`stories` then counts the stories among those). False: `total` is exact.
    pub total_is_lower_bound: bool,
    pub hits: Vec<Hit>,
}

/// Ranked by relevance, matches are counted up to this many and no further: a common
/// word matched by half the archive is then not counted and folded match by match
/// (at 1M, `trump` went from about 105 to 25 ms). `--limit 0` and the other orders
/// still count every match.
pub const COUNT_BOUND: usize = 10_000;

/// The shortest snippet: a smaller `--snippet-chars` is taken as this, since a
/// fragment must hold a query word with some words around it.
pub const MIN_SNIPPET_CHARS: usize = 40;

/// The largest page a search returns; a larger `--limit` is cut to it.
pub const MAX_LIMIT: usize = 10_000;

/// Leniency before parsing: a dangling `OR`/`AND` or a lone `-` means nothing, and an
/// unmatched quote is dropped (so `"Taiwan post-war order` still finds the words), or,
/// where it opens a field's value (`title:"brexit bill`), closed at the end.
pub(crate) fn tidy_operators(query: &str) -> String {
    let mut q: String = cap_nesting(query);
    if let Some(i) = open_quote(&q) {
        // A quote left open is a phrase to the end of the query (`"post-war order`), as
        // a field's is (`title:"brexit bill`); one with no word after it is dropped.
        let len = q[i..].chars().next().map_or(1, char::len_utf8);
        if q[..i].ends_with(':') || q[i + len..].chars().any(char::is_alphanumeric) {
            q.push('"');
        } else {
            q.replace_range(i..i + len, " ");
        }
    }
    let mut words: Vec<&str> = q
        .split_whitespace()
        .filter(|w| *w != "-" && *w != "+")
        .collect();
    let is_op = |w: &&str| matches!(*w, "OR" | "AND" | "||" | "&&");
    while words.first().is_some_and(is_op) {
        words.remove(0);
    }
    while words.last().is_some_and(is_op) {
        words.pop();
    }
    // Two operators in a row: keep the first.
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    for w in words {
        if is_op(&w) && out.last().is_some_and(is_op) {
            continue;
        }
        out.push(w);
    }
    out.join(" ")
}

/// Where the query's last quote opens a phrase it never closes (an odd number of
/// quotes, straight or curly): its byte offset.
pub(crate) fn open_quote(q: &str) -> Option<usize> {
    let quotes: Vec<usize> = q
        .char_indices()
        .filter(|(_, c)| matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}'))
        .map(|(i, _)| i)
        .collect();
    (quotes.len() % 2 == 1).then(|| quotes[quotes.len() - 1])
}

/// Parentheses nested deeper than this are dropped: the query parser recurses once
/// per level, and nobody means 5,000 levels.
const MAX_NESTING: usize = 32;
/// Words beyond this many are dropped (a pasted article is not a query).
const MAX_WORDS: usize = 1_000;

fn cap_nesting(query: &str) -> String {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for c in query.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let q: String = if deepest > MAX_NESTING || depth > 0 {
        query
            .chars()
            .map(|c| if c == '(' || c == ')' { ' ' } else { c })
            .collect()
    } else {
        query.to_string()
    };
    let words: Vec<&str> = q.split_whitespace().take(MAX_WORDS).collect();
    words.join(" ")
}

/// The filters as clauses that must all hold; with `articles_only`, also the one
/// that keeps the manifest's file records out.
fn filter_query(
    f: &Fields,
    filters: &Filters,
    articles_only: bool,
) -> Vec<(Occur, Box<dyn Query>)> {
    let term = |field, v: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, v),
            IndexRecordOption::Basic,
        ))
    };
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if articles_only {
        out.push((Occur::Must, term(f.kind, "article")));
    }
    for c in &filters.countries {
        if filters.via_place {
            let either = BooleanQuery::new(vec![
                (Occur::Should, term(f.countries, c)),
                (Occur::Should, term(f.place_countries, c)),
            ]);
            out.push((Occur::Must, Box::new(either)));
        } else {
            out.push((Occur::Must, term(f.countries, c)));
        }
    }
    for l in &filters.leaders {
        out.push((Occur::Must, term(f.leaders, l)));
    }
    for o in &filters.orgs {
        out.push((Occur::Must, term(f.orgs, o)));
    }
    for m in &filters.mentions {
        out.push((Occur::Must, term(f.mentioned, m)));
    }
    if !filters.sources.is_empty() {
        let any: Vec<(Occur, Box<dyn Query>)> = filters
            .sources
            .iter()
            .map(|s| (Occur::Should, term(f.source, s)))
            .collect();
        out.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    if let (false, Some(field)) = (filters.urls.is_empty(), f.url_key) {
        let any: Vec<(Occur, Box<dyn Query>)> = filters
            .urls
            .iter()
            .map(|u| (Occur::Should, term(field, u)))
            .collect();
        out.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    for names in &filters.authors {
        let any: Vec<(Occur, Box<dyn Query>)> = names
            .iter()
            .map(|a| (Occur::Should, term(f.authors, a)))
            .collect();
        out.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    for (kind, values) in &filters.excluded {
        let fields: &[Field] = match kind {
            Excluded::Country if filters.via_place => &[f.countries, f.place_countries],
            Excluded::Country => &[f.countries],
            Excluded::Leader => &[f.leaders],
            Excluded::Org => &[f.orgs],
            Excluded::Mentions => &[f.mentioned],
            Excluded::Source => &[f.source],
            Excluded::Author => &[f.authors],
        };
        // Every article but those: a filter clause like the others, so that each
        // search, count and timeline takes it as it takes them.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        for field in fields {
            for v in values {
                clauses.push((Occur::MustNot, term(*field, v)));
            }
        }
        out.push((Occur::Must, Box::new(BooleanQuery::new(clauses))));
    }
    if filters.from.is_some() || filters.to.is_some() {
        // The index holds dates of `date_limits` only: a bound outside it is moved to
        // its edge, and a range that ends before it (or starts after it) holds nothing.
        let (first, last) = date_limits();
        let bound = |d: chrono::NaiveDate| {
            let t = date_to_tantivy(d.clamp(first, last)).expect("within the index's range");
            Bound::Included(Term::from_field_date(f.published, t))
        };
        if filters.from.is_some_and(|d| d > last) || filters.to.is_some_and(|d| d < first) {
            out.push((Occur::Must, Box::new(EmptyQuery)));
        }
        let lo = filters.from.map(bound).unwrap_or(Bound::Unbounded);
        let hi = filters.to.map(bound).unwrap_or(Bound::Unbounded);
        out.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
    }
    out
}

/// The full query: text (scored) and filters (not scored).
/// A search's queries: the full query (words and filters), the words alone (for
/// snippets), and the partial-match query (some of the words, with the filters).
pub struct Built {
    pub query: Box<dyn Query>,
    pub text: Option<Box<dyn Query>>,
    pub partial: Option<Box<dyn Query>>,
    /// Added to the scores of the best matches of `query`: see [`ranked`].
    pub bonus: Vec<Box<dyn Query>>,
    /// The words the best matches of `query` are scored again by (BM25F): see [`ranked`].
    pub words: Vec<bm25f::Word>,
    /// Any of the words, with the filters: where the partial matches blended among the
    /// full ones come from (see [`blend_pool`]).
    pub any: Option<Box<dyn Query>>,
    /// The required clauses as typed, each with its query (no filters).
    pub required: Vec<(String, Box<dyn Query>)>,
    /// The excluded clauses' queries.
    pub excluded: Vec<Box<dyn Query>>,
}

/// The full query: text (scored) and filters (not scored).
pub fn build_query(
    idx: &NewsIndex,
    query: &str,
    filters: &Filters,
    ranking: rank::Ranking,
) -> Built {
    let query = tidy_operators(query);
    let scored = rank::scored_query(idx, &query, ranking);
    let (text, partial, bonus, words, any, required, excluded) = match scored {
        Some(s) => (
            Some(s.strict),
            s.partial,
            s.bonus,
            s.words,
            s.any,
            s.required,
            s.excluded,
        ),
        None => Default::default(),
    };
    // Plain words are searched as a conjunction that prunes (same matches, same scores);
    // a phrase's clause prunes on its own (`phrases`). Where words are excluded, the
    // required ones prune so, and each article they offer is checked against the
    // excluded ones (see `Exclusion`).
    let (main, exclusion) = match &text {
        Some(q) => {
            let filtered = !filter_query(&idx.fields, filters, false).is_empty();
            let split = Exclusion::split(&**q);
            let required = split.as_ref().map_or(&**q, |e| &*e.required);
            let pruned =
                conjunction::wrap(&idx.fields, required, &words, filtered || split.is_some())
                    .or_else(|| phrases::PhrasesAnd::wrap(required));
            match split {
                Some(e) => (
                    q.box_clone(),
                    Some(Exclusion {
                        required: unwrap_single(pruned.unwrap_or(e.required)),
                        excluded: e.excluded,
                    }),
                ),
                None => (pruned.unwrap_or_else(|| q.box_clone()), None),
            }
        }
        None => (Box::new(AllQuery) as Box<dyn Query>, None),
    };
    Built {
        query: with_filters(idx, main, filters, exclusion),
        partial: partial.map(|p| with_filters(idx, p, filters, None)),
        any: any.map(|q| with_filters(idx, q, filters, None)),
        text,
        bonus,
        words,
        required,
        excluded,
    }
}

/// Filters select; they do not change how well an article matches. File records
/// hold no text, so a query that needs a word of the title, subtitle or body leaves
/// them out by itself: it goes to tantivy without the clause that would, as a bare
/// union of words where it is one (then a top-k search prunes with block-max WAND).
fn with_filters(
    idx: &NewsIndex,
    scored: Box<dyn Query>,
    filters: &Filters,
    exclusion: Option<Exclusion>,
) -> Box<dyn Query> {
    let f = &idx.fields;
    let articles_only = !needs_text(&*scored, &[f.title, f.subtitle, f.body]);
    let filters: Vec<Box<dyn Query>> = filter_query(f, filters, articles_only)
        .into_iter()
        .map(|(_, q)| q)
        .collect();
    let scored = unwrap_single(scored);
    if filters.is_empty() && exclusion.is_none() {
        return scored;
    }
    Box::new(Filtered {
        scored,
        filters,
        exclusion,
    })
}

/// A query that excludes words (`trump -obama`, `"white house" -trump`), split for
/// the top-k search: its required clauses alone (pruned as they would be without the
/// exclusion: a union of words by block-max WAND, several words or a phrase by their
/// own bounds), and the excluded clauses, against which each article they offer is
/// checked. An exclusion removes matches and leaves the others' scores as they are:
/// the same page as the whole query's. tantivy's exclusion scored every match of the
/// required clauses.
#[derive(Debug)]
struct Exclusion {
    required: Box<dyn Query>,
    excluded: Vec<Box<dyn Query>>,
}

impl Clone for Exclusion {
    fn clone(&self) -> Exclusion {
        Exclusion {
            required: self.required.box_clone(),
            excluded: self.excluded.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl Exclusion {
    /// A boolean query of required and excluded clauses (nothing optional) as its
    /// required clauses (a boolean query of them) and its excluded ones.
    fn split(q: &dyn Query) -> Option<Exclusion> {
        let clauses = q.downcast_ref::<BooleanQuery>()?.clauses();
        let mut required = Vec::new();
        let mut excluded = Vec::new();
        for (occur, c) in clauses {
            match occur {
                Occur::Must => required.push((Occur::Must, c.box_clone())),
                Occur::MustNot => excluded.push(c.box_clone()),
                Occur::Should => return None,
            }
        }
        if required.is_empty() || excluded.is_empty() {
            return None;
        }
        Some(Exclusion {
            required: Box::new(BooleanQuery::new(required)),
            excluded,
        })
    }
}

/// Does `q` match only documents that hold a word in one of `text` (title, subtitle,
/// body)? File records hold no text, so such a query needs no clause to keep them out.
/// Proved from the query's shape: a term or phrase in one of those fields, a boolean
/// query with a required clause that needs text (or only optional clauses, each
/// needing text), a boost of words that all lie in those fields (the ranking boosts
/// words and phrases only), or the empty query. Anything else is not proved.
fn needs_text(q: &dyn Query, text: &[Field]) -> bool {
    if let Some(t) = q.downcast_ref::<TermQuery>() {
        return text.contains(&t.term().field());
    }
    if let Some(p) = q.downcast_ref::<PhraseQuery>() {
        return text.contains(&p.field());
    }
    if q.is::<EmptyQuery>() {
        return true;
    }
    if let Some(c) = q.downcast_ref::<conjunction::Conjunction>() {
        return needs_text(c.inner(), text);
    }
    if let Some(p) = q.downcast_ref::<phrases::Phrases>() {
        return needs_text(p.inner(), text);
    }
    if let Some(p) = q.downcast_ref::<phrases::PhrasesAnd>() {
        return needs_text(p.inner(), text);
    }
    if q.is::<BoostQuery>() {
        let mut terms = 0;
        let mut all_text = true;
        q.query_terms(&mut |t, _| {
            terms += 1;
            all_text &= text.contains(&t.field());
        });
        return terms > 0 && all_text;
    }
    if let Some(b) = q.downcast_ref::<BooleanQuery>() {
        let clauses = b.clauses();
        let mut should = clauses
            .iter()
            .filter(|(o, _)| *o == Occur::Should)
            .peekable();
        let has_must = clauses.iter().any(|(o, _)| *o == Occur::Must);
        return clauses
            .iter()
            .any(|(o, c)| *o == Occur::Must && needs_text(&**c, text))
            || (!has_must
                && should.peek().is_some()
                && should.all(|(_, c)| needs_text(&**c, text)));
    }
    false
}

/// `BooleanQuery[Must(q)]` is `q`, with the same scores; unwrapped, a union of words
/// reaches tantivy as one, so that a top-k search can skip with block-max WAND.
fn unwrap_single(q: Box<dyn Query>) -> Box<dyn Query> {
    if let Some(b) = q.downcast_ref::<BooleanQuery>() {
        if let [(Occur::Must, inner)] = b.clauses() {
            return unwrap_single(inner.box_clone());
        }
    }
    q
}

/// A scored query and filters that select without scoring: what
/// `BooleanQuery[Must(scored), Must(ConstScoreQuery(filter, 0.0)), …]` matches, with
/// the same scores. What it adds is the top-k search: where the filters let most of a
/// segment through, the scored query runs its own pruned search (block-max WAND for a
/// union of words) and each candidate it offers is checked against the filters; a
/// boolean query would have hidden the union's shape inside an intersection.
#[derive(Debug)]
struct Filtered {
    scored: Box<dyn Query>,
    filters: Vec<Box<dyn Query>>,
    /// Where `scored` excludes words: what its top-k search runs instead.
    exclusion: Option<Exclusion>,
}

impl Clone for Filtered {
    fn clone(&self) -> Filtered {
        Filtered {
            scored: self.scored.box_clone(),
            filters: self.filters.iter().map(|q| q.box_clone()).collect(),
            exclusion: self.exclusion.clone(),
        }
    }
}

/// Filters that let through at least one document in this many take the pruned path
/// (a date range counts as one in ten: tantivy does not estimate its size). Below
/// that, too few candidates of the words pass for their threshold to rise, and an
/// intersection led by the filter costs less.
const PRUNE_FILTER_SHARE: u64 = 16;

impl Query for Filtered {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let unscored = match scoring.searcher() {
            Some(s) => EnableScoring::disabled_from_searcher(s),
            None => EnableScoring::disabled_from_schema(scoring.schema()),
        };
        let (required, excluded) = match &self.exclusion {
            Some(e) => (
                Some(e.required.weight(scoring)?),
                e.excluded
                    .iter()
                    .map(|q| q.weight(unscored))
                    .collect::<tantivy::Result<_>>()?,
            ),
            None => (None, Vec::new()),
        };
        Ok(Box::new(FilteredWeight {
            scored: self.scored.weight(scoring)?,
            filters: self
                .filters
                .iter()
                .map(|q| q.weight(unscored))
                .collect::<tantivy::Result<_>>()?,
            required,
            excluded,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.scored.query_terms(visitor);
        for q in &self.filters {
            q.query_terms(visitor);
        }
    }
}

struct FilteredWeight {
    scored: Box<dyn Weight>,
    filters: Vec<Box<dyn Weight>>,
    /// The required clauses of an [`Exclusion`], and its excluded ones.
    required: Option<Box<dyn Weight>>,
    excluded: Vec<Box<dyn Weight>>,
}

impl FilteredWeight {
    fn filter_scorers(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Box<dyn Scorer>>> {
        self.filters.iter().map(|w| w.scorer(reader, 1.0)).collect()
    }
}

impl Weight for FilteredWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut all = vec![self.scored.scorer(reader, boost)?];
        for s in self.filter_scorers(reader)? {
            all.push(Box::new(ConstScorer::new(s, 0.0)));
        }
        Ok(intersect_scorers(all, reader.num_docs()))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        for mut s in self.filter_scorers(reader)? {
            if s.seek(doc) != doc {
                return Err(tantivy::TantivyError::InvalidArgument(format!(
                    "document #({doc}) does not match the filters"
                )));
            }
        }
        self.scored.explain(reader, doc)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut filters = self.filter_scorers(reader)?;
        let passing = filters
            .iter()
            .map(|s| u64::from(s.size_hint()))
            .min()
            .unwrap_or(u64::from(reader.max_doc()));
        if passing * PRUNE_FILTER_SHARE < u64::from(reader.max_doc()) {
            let mut scorer = self.scorer(reader, 1.0)?;
            let mut threshold = threshold;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                let score = scorer.score();
                if score > threshold {
                    threshold = callback(doc, score);
                }
                doc = scorer.advance();
            }
            return Ok(());
        }
        let mut excluded: Vec<Box<dyn Scorer>> = self
            .excluded
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<_>>()?;
        let mut current = threshold;
        self.required
            .as_ref()
            .unwrap_or(&self.scored)
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                if filters.iter_mut().all(|f| holds(f, doc))
                    && !excluded.iter_mut().any(|e| holds(e, doc))
                {
                    current = callback(doc, score);
                }
                current
            })
    }
}

/// Whether `s` matches `doc`, moved there unless it stands there or past it already
/// (the documents asked about come in order).
fn holds(s: &mut Box<dyn Scorer>, doc: DocId) -> bool {
    if s.doc() < doc {
        s.seek(doc);
    }
    s.doc() == doc
}

/// The best `k` matches by score (as `TopDocs::with_limit(k).order_by_score()` finds
/// them: of equal scores, the lower address first) and how many match, counted up to
/// `bound`, in one pass. While the count is below its bound, a segment is read match
/// by match, and each match is counted and offered to the page; once the bound is
/// passed, the remaining segments only look for matches that beat the page's worst
/// score, and the query's own pruning (block-max WAND for a union of words) skips the
/// rest. The k-th best score of the segments already searched is where the next
/// segment starts (segments are searched one after another, in order), so most of a
/// common word's segments are skipped block by block. Counting in a pass of its own
/// read every match of a query that cannot prune (several words, phrases) twice.
/// With `bound` 0 nothing is counted: every segment prunes.
struct TopCounted {
    k: usize,
    bound: usize,
    /// Counted so far over the segments.
    seen: std::sync::atomic::AtomicUsize,
    /// The k best scores found so far (a min-heap).
    best: std::sync::Mutex<std::collections::BinaryHeap<std::cmp::Reverse<OrdScore>>>,
    /// Where only the best few are sure to be needed (see [`TopCounted::narrowing`]).
    narrow: Option<Narrow>,
}

/// A search for the best `k` that needs only the best `first` when those hold
/// `stories` distinct stories (near-duplicate groups): a collapsed page's first window
/// and, read ahead, the next one, which it needs when the first window holds copies of
/// too few stories.
struct Narrow {
    first: usize,
    stories: usize,
    /// Documents in the index, and in the segments searched so far.
    docs: u64,
    searched: std::sync::atomic::AtomicU64,
    /// The best `first` of the segments searched: score, address, group key.
    lead: std::sync::Mutex<Vec<(Score, DocAddress, Option<u64>)>>,
    /// Set once `lead` holds `stories` stories: the segments after it look for the best
    /// `first` only (from the `first`-th best score so far), and the matches past them
    /// are not the best `k`.
    on: std::sync::atomic::AtomicBool,
}

/// A score ordered by `total_cmp`, for a heap.
#[derive(Clone, Copy, PartialEq)]
struct OrdScore(Score);
impl Eq for OrdScore {}
impl PartialOrd for OrdScore {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrdScore {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl TopCounted {
    fn new(k: usize, bound: usize) -> TopCounted {
        TopCounted {
            k,
            bound,
            seen: Default::default(),
            best: Default::default(),
            narrow: None,
        }
    }

    /// [`TopCounted::new`], for the best `k` where the best `first` may be enough: once
    /// the best `first` of the segments searched hold `stories` stories, the later
    /// segments look for the best `first` only, which prunes more. The best `first` are
    /// always found; the best `k` only where [`TopCounted::exact`] says so.
    fn narrowing(
        searcher: &Searcher,
        k: usize,
        bound: usize,
        first: usize,
        stories: usize,
    ) -> TopCounted {
        let docs = searcher
            .segment_readers()
            .iter()
            .map(|r| u64::from(r.max_doc()))
            .sum();
        TopCounted {
            narrow: (first < k).then(|| Narrow {
                first,
                stories,
                docs,
                searched: Default::default(),
                lead: Default::default(),
                on: Default::default(),
            }),
            ..TopCounted::new(k, bound)
        }
    }

    /// How many of the best matches found are the best ones, after a search.
    fn exact(&self) -> usize {
        match &self.narrow {
            Some(n) if n.on.load(std::sync::atomic::Ordering::Relaxed) => n.first,
            _ => self.k,
        }
    }

    /// The score a match must beat to enter the page, from the segments searched.
    fn floor(&self) -> Score {
        if let Some(n) = &self.narrow {
            if n.on.load(std::sync::atomic::Ordering::Relaxed) {
                let lead = n.lead.lock().unwrap_or_else(|e| e.into_inner());
                return match lead.get(n.first - 1) {
                    Some(&(s, _, _)) => s,
                    None => Score::MIN,
                };
            }
        }
        let best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        match best.peek() {
            Some(std::cmp::Reverse(s)) if best.len() == self.k => s.0,
            _ => Score::MIN,
        }
    }
}

/// One segment's best `k` (a min-heap: the worst kept on top; of equal scores the
/// later document is the worse).
struct SegmentTop {
    k: usize,
    ord: SegmentOrdinal,
    heap: std::collections::BinaryHeap<std::cmp::Reverse<(OrdScore, std::cmp::Reverse<DocId>)>>,
}

impl SegmentTop {
    /// The score a match must beat to enter, once `k` are kept.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(std::cmp::Reverse((s, _))) if self.heap.len() == self.k => s.0,
            _ => Score::MIN,
        }
    }
}

impl SegmentTop {
    /// Offers a match; returns the score the next one must beat.
    fn offer(&mut self, doc: DocId, score: Score) -> Score {
        let item = std::cmp::Reverse((OrdScore(score), std::cmp::Reverse(doc)));
        if self.heap.len() < self.k {
            self.heap.push(item);
        } else if self.heap.peek().is_some_and(|worst| item < *worst) {
            self.heap.pop();
            self.heap.push(item);
        }
        self.threshold()
    }

    fn harvest(self) -> Vec<(Score, DocAddress)> {
        let ord = self.ord;
        self.heap
            .into_iter()
            .map(|std::cmp::Reverse((s, std::cmp::Reverse(d)))| (s.0, DocAddress::new(ord, d)))
            .collect()
    }
}

/// A segment's part of [`TopCounted`].
struct TopCountedSegment {
    top: SegmentTop,
    count: MatchesSegment,
}

type CountFruit = (usize, GroupKeys, usize);

/// Group keys already seen. A key is the start of a blake3 hash (`index::groups`), so
/// it is its own hash: hashing it again (SipHash) was a tenth of a common word's search.
type GroupKeys = std::collections::HashSet<u64, std::hash::BuildHasherDefault<KeyHasher>>;

#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not used for u64 keys; any bytes still spread over the table.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl SegmentCollector for TopCountedSegment {
    type Fruit = (Vec<(Score, DocAddress)>, CountFruit);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.top.offer(doc, score);
        self.count.collect(doc, score);
    }

    fn harvest(self) -> Self::Fruit {
        (self.top.harvest(), self.count.harvest())
    }
}

impl Collector for TopCounted {
    type Fruit = (Vec<(Score, DocAddress)>, Counts);
    type Child = TopCountedSegment;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TopCountedSegment> {
        Ok(TopCountedSegment {
            top: SegmentTop {
                k: self.k,
                ord,
                heap: Default::default(),
            },
            count: Matches.for_segment(ord, reader)?,
        })
    }

    /// A count alone (`k` 0) scores nothing: optional clauses beside required ones
    /// (the proximity bonuses) are then not even read.
    fn requires_scoring(&self) -> bool {
        self.k > 0
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<<TopCountedSegment as SegmentCollector>::Fruit> {
        use std::sync::atomic::Ordering::Relaxed;
        let TopCountedSegment { mut top, mut count } = self.for_segment(ord, reader)?;
        if let Some(n) = self.narrow.as_ref().filter(|n| n.on.load(Relaxed)) {
            top.k = n.first;
        }
        let floor = self.floor();
        let alive = reader.alive_bitset();
        let mut threshold = floor;
        // One past the bound, to know that more match (with no bound, nothing counts).
        let room = match self.bound {
            0 => 0,
            b => (b + 1).saturating_sub(self.seen.load(Relaxed)),
        };
        if room > 0 {
            let mut scorer = weight.scorer(reader, 1.0)?;
            let mut doc = scorer.doc();
            // The last document counted, once the count reaches its bound.
            let mut counted_to = None;
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    count.collect(doc, 0.0);
                    // A count alone (`k` 0) has nothing to score.
                    if self.k > 0 {
                        let score = scorer.score();
                        if score > threshold {
                            threshold = floor.max(top.offer(doc, score));
                        }
                    }
                    if count.articles == room {
                        counted_to = Some(doc);
                        break;
                    }
                }
                doc = scorer.advance();
            }
            self.seen.fetch_add(count.articles, Relaxed);
            // Past the bound, the rest of this segment prunes as the later segments do,
            // instead of scoring every remaining match. Pruning starts from the
            // segment's first document; those up to the last one counted were offered
            // already.
            if let (Some(last), true) = (counted_to, self.k > 0) {
                weight.for_each_pruning(threshold, reader, &mut |doc, score| {
                    if doc > last && alive.is_none_or(|a| a.is_alive(doc)) {
                        threshold = floor.max(top.offer(doc, score));
                    }
                    threshold
                })?;
            }
        } else if self.k > 0 {
            weight.for_each_pruning(floor, reader, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    threshold = floor.max(top.offer(doc, score));
                }
                threshold
            })?;
        }
        let fruit = top.harvest();
        let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        for (s, _) in &fruit {
            best.push(std::cmp::Reverse(OrdScore(*s)));
            if best.len() > self.k {
                best.pop();
            }
        }
        drop(best);
        if let Some(n) = &self.narrow {
            let mut lead = n.lead.lock().unwrap_or_else(|e| e.into_inner());
            let column = count.column.as_ref();
            lead.extend(
                fruit
                    .iter()
                    .map(|&(s, a)| (s, a, column.and_then(|c| c.first(a.doc_id)))),
            );
            lead.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            lead.truncate(n.first);
            let searched = n.searched.fetch_add(u64::from(reader.max_doc()), Relaxed)
                + u64::from(reader.max_doc());
            if lead.len() == n.first && !n.on.load(Relaxed) {
                // The best of a part of the index are spread over the best of the
                // whole: with half the documents searched, the first window's best
                // half is about what they will fill of it. Those must hold the stories
                // already (copies of a few gather as more segments are searched).
                let share = (n.first as u64 * searched).div_ceil(n.docs.max(1)) as usize;
                let mut seen = GroupKeys::default();
                let stories = lead[..share.min(n.first)]
                    .iter()
                    .filter(|(_, _, k)| k.is_none_or(|k| seen.insert(k)))
                    .count();
                if stories >= n.stories {
                    n.on.store(true, Relaxed);
                }
            }
        }
        Ok((fruit, count.harvest()))
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<TopCountedSegment as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        let (tops, counts): (Vec<_>, Vec<_>) = fruits.into_iter().unzip();
        let mut all: Vec<(Score, DocAddress)> = tops.into_iter().flatten().collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        all.truncate(self.k);
        let mut n = Matches.merge_fruits(counts)?;
        if n.articles > self.bound {
            n.articles = self.bound;
            n.stories = n.stories.min(self.bound);
            n.lower_bound = true;
        }
        Ok((all, n))
    }
}

pub fn search(idx: &NewsIndex, req: &SearchRequest) -> Result<Results> {
    let searcher = idx.searcher()?;
    // The query's vector (where the index has a model) is made on a thread of its own
    // from the start: the encoder's few milliseconds overlap the parsing of the query
    // and the reading of the matches, and the first rerank that needs it waits.
    let embedding = match req.sort {
        Sort::Relevance if req.limit > 0 => query_meaning(idx, &req.query)?.map(Embedding::start),
        _ => None,
    };
    let Built {
        query,
        text,
        partial,
        bonus,
        words,
        any,
        required,
        excluded,
    } = build_query(idx, &req.query, &req.filters, req.ranking);
    if req.limit == 0 {
        // `--limit 0`: how many match, and no hit; ordered by relevance, the partial
        // matches that a list would follow the full ones with, too.
        let n = searcher.search(&*query, &Matches)?;
        let mut p = match (&partial, req.sort, &text) {
            (Some(p), Sort::Relevance, Some(_)) => Some(searcher.search(&**p, &Matches)?),
            _ => None,
        };
        // With them, the articles a list ranks after every full match that hold fewer
        // words (see `after_full`): listed where every full match is scored again.
        let meaning = idx.meta.model.is_some() && meaning_text(&req.query).is_some();
        if let (Some(p), Some(any)) = (p.as_mut(), &any) {
            if !meaning && !n.lower_bound && n.articles <= region_size(!bonus.is_empty(), false) {
                let fewer = blend_pool(&searcher, &**any, &required, &excluded, 0, None)?.fewer;
                p.articles += fewer.len();
                p.stories += if req.all_copies {
                    fewer.len()
                } else {
                    distinct_stories(&searcher, &fewer)
                };
            }
        }
        let stories = |n: &Counts| {
            if req.all_copies {
                n.articles
            } else {
                n.stories
            }
        };
        return Ok(Results {
            total: n.articles,
            stories: stories(&n),
            partial_total: p.as_ref().map_or(0, |p| p.articles),
            partial_stories: p.as_ref().map_or(0, stories),
            partial_uncounted: false,
            total_is_lower_bound: false,
            hits: Vec::new(),
        });
    }
    let limit = req.limit.min(MAX_LIMIT);
    let offset = req.offset.min(MAX_LIMIT * 100);
    let sort = match (req.sort, &text) {
        (Sort::Relevance, None) => Sort::Newest,
        (s, _) => s,
    };
    let page = |q: &dyn Query, rerank: &Rerank, limit: usize, offset: usize| {
        if req.all_copies {
            let (docs, n) = ranked_counted(&searcher, q, rerank, sort, offset + limit)?;
            let n = Counts {
                stories: n.articles,
                ..n
            };
            Ok((docs.into_iter().skip(offset).collect(), n))
        } else {
            collapsed(&searcher, q, rerank, sort, limit, offset)
        }
    };
    // The any-word query's best partial matches are ranked among the full ones. They
    // are found on a second thread while the full matches are read: the two reads are
    // independent until the best candidates are scored again.
    let any_pool = match (sort, &any, &partial) {
        (Sort::Relevance, Some(any), Some(_)) if !words.is_empty() => Some(&**any),
        _ => None,
    };
    // (A query of filters alone is listed newest first: its vector is not waited for.)
    let embedding = embedding.filter(|_| sort == Sort::Relevance);
    // Ordered by meaning, the any-word query's best are read deeper: an article about
    // the query in other words may hold one of its words only.
    let related = if embedding.is_some() {
        crate::semantic::RELATED_DEPTH
    } else {
        0
    };
    // … and the articles nearest the query in meaning among all of them, where the
    // index keeps every vector in one file.
    let nearby = embedding.as_ref().and_then(|e| {
        let file = idx.neighbours()?;
        let filter: Vec<(Occur, Box<dyn Query>)> = filter_query(&idx.fields, &req.filters, true);
        Some(Nearby {
            vector: e,
            file,
            filter: Box::new(BooleanQuery::new(filter)),
        })
    });
    let blended = std::sync::Mutex::new(Blended::default());
    let rerank = Rerank {
        bonus: &bonus,
        words: &words,
        fields: idx.fields,
        partial: Partial::Found(&[]),
        meaning: embedding.as_ref().map(|e| e as &dyn PendingVector),
        blended: Some(&blended),
    };
    let (mut top, strict, found) = match any_pool {
        Some(any) => std::thread::scope(|s| -> Result<_> {
            let finding = Finding::new(s.spawn(|| {
                blend_pool(
                    &searcher,
                    any,
                    &required,
                    &excluded,
                    related,
                    nearby.as_ref(),
                )
            }));
            let partial = Partial::Finding(&finding);
            let (top, strict) = page(&*query, &Rerank { partial, ..rerank }, limit, offset)?;
            // (An error of the pool's thread is the search's, even where no page read it.)
            let found = finding.join()?;
            Ok((top, strict, Some(found)))
        })?,
        None => {
            let (top, strict) = page(&*query, &rerank, limit, offset)?;
            (top, strict, None)
        }
    };
    // The partial matches ranked among the full ones, and the related articles that
    // the meaning lifted there (partial matches too: they lack words), are listed there,
    // before the partial matches that follow every full one; a related one is counted
    // with them. A partial match of the pool that ranked below every full match scored
    // again follows them, in its place among the other partial ones.
    let blended = blended
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    // Counted with the partial matches where listed, as the partial query does not
    // find them: the related articles kept and the blended ones holding fewer words.
    let mut listed_apart = blended.related.clone();
    if let Some(found) = &found {
        listed_apart.extend(blended.partial.iter().filter(|a| found.fewer.contains(a)));
    }
    let mut pool = blended.partial;
    pool.extend(&blended.related);
    let f = idx.fields;
    let strict_hits = top.len();
    let pooled: std::collections::HashSet<DocAddress> = pool.iter().copied().collect();
    // Past the full matches and the partial ones ranked among them, the other partial
    // matches follow, paged on from the entries before them.
    let mut partial_n = None;
    if let (Sort::Relevance, Some(p)) = (sort, &partial) {
        // (None while full matches remain beyond the count's bound.)
        if top.len() < limit && !strict.lower_bound {
            let before =
                strict.stories + blended_entries(&searcher, &*query, &f, &pool, req.all_copies)?;
            let skip = offset.saturating_sub(before);
            let need = limit - top.len();
            let tail = Rerank {
                partial: Partial::Only,
                blended: None,
                ..rerank
            };
            let (more, n) = page(&**p, &tail, skip + need + pool.len(), 0)?;
            // A blended partial match, or (folded) a copy of one, is not listed again.
            let mut columns = KeyColumns::new(&searcher);
            let keys: std::collections::HashSet<u64> = if req.all_copies {
                Default::default()
            } else {
                pool.iter().filter_map(|&a| columns.get(a)).collect()
            };
            let more = more
                .into_iter()
                .filter(|d| {
                    !pooled.contains(&d.1) && columns.get(d.1).is_none_or(|k| !keys.contains(&k))
                })
                .skip(skip)
                .take(need);
            partial_n = Some(n);
            top.extend(more);
        }
        // Partial matches ranked among the full ones on this page, or (past the first
        // page) possibly on an earlier one, pushing full matches later: say how many
        // there are, so that a pager counts every entry (the first page, the one
        // searched most, pays this only when it shows one).
        let shown_here = top.iter().any(|d| pooled.contains(&d.1));
        // A page filled exactly by the last full matches: the partial ones start on
        // the next page, which a pager must offer.
        let full_end_here = !strict.lower_bound && strict.stories <= offset + limit;
        if partial_n.is_none() && (shown_here || full_end_here || (offset > 0 && !pool.is_empty()))
        {
            let (_, n) = searcher.search(&**p, &TopCounted::new(0, COUNT_BOUND))?;
            partial_n = Some(if req.all_copies {
                Counts {
                    stories: n.articles,
                    ..n
                }
            } else {
                n
            });
        }
    }
    let mut partial_n = partial_n.map(|mut n| {
        n.articles += listed_apart.len();
        n.stories += if req.all_copies {
            listed_apart.len()
        } else {
            distinct_stories(&searcher, &listed_apart)
        };
        n
    });
    // With a model, a short list of matches (fewer entries than `semantic::FILL_UPTO`,
    // full and partial) is followed by the articles nearest the query in meaning that
    // match too few of its words, where they are close enough: entries past the
    // matches, paged and counted with the partial ones.
    if let (Some(n), Some(found), Some(p)) = (partial_n.as_mut(), &found, &partial) {
        let listed = strict.stories + n.stories;
        if !strict.lower_bound && top.len() < limit && listed < crate::semantic::FILL_UPTO {
            let room = crate::semantic::FILL_UPTO - listed;
            let fill = nearest_unlisted(
                &searcher,
                &f,
                found,
                [&*query, &**p],
                &listed_apart,
                req.all_copies,
                room,
            )?;
            let skip = offset.saturating_sub(listed);
            let need = limit - top.len();
            top.extend(fill.iter().skip(skip).take(need).map(|&d| (0.0, d)));
            n.articles += fill.len();
            n.stories += fill.len();
        }
    }
    // Partial matches follow that this page did not count: known where the best of
    // them ranked below it, else looked for (the first two found end the look).
    let partial_uncounted = partial_n.is_none()
        && match (sort, &partial) {
            (Sort::Relevance, Some(p)) => {
                !pool.is_empty() || searcher.search(&**p, &TopCounted::new(0, 1))?.1.articles > 0
            }
            _ => false,
        };
    let partial_n = partial_n.unwrap_or_default();
    let is_partial: Vec<bool> = top
        .iter()
        .enumerate()
        .map(|(i, d)| i >= strict_hits || pooled.contains(&d.1))
        .collect();
    let partial_addrs: Vec<DocAddress> = top
        .iter()
        .zip(&is_partial)
        .filter(|(_, p)| **p)
        .map(|(d, _)| d.1)
        .collect();
    let mut missing = missing_words(&searcher, &required, &partial_addrs)?.into_iter();
    // Only a search ordered by meaning lists articles that are no partial match.
    let by_meaning = found
        .as_ref()
        .is_some_and(|f| !f.related.is_empty() || !f.nearest.is_empty());
    let mut related = match (by_meaning, &partial) {
        (true, Some(p)) => matching(&searcher, &**p, &partial_addrs)?
            .into_iter()
            .map(|m| !m)
            .collect(),
        _ => Vec::new(),
    }
    .into_iter();
    let (body_terms, title_terms, subtitle_terms) = match &text {
        Some(q) => (
            snippet::query_terms(&**q, f.body),
            snippet::query_terms(&**q, f.title),
            snippet::query_terms(&**q, f.subtitle),
        ),
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let mut hits = Vec::with_capacity(top.len());
    for (i, (score, addr)) in top.into_iter().enumerate() {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let mut hit = hit_from_doc(idx, &doc, offset + i + 1, score);
        hit.partial = is_partial[i];
        if hit.partial {
            hit.missing = missing.next().unwrap_or_default();
            hit.related = related.next().unwrap_or_default();
        }
        let body = first_str(&doc, f.body).unwrap_or_default();
        let chars = req.snippet_chars.max(MIN_SNIPPET_CHARS);
        let mut frags = snippet::fragments(&body, &body_terms, req.snippets, chars);
        // A query word only the subtitle holds: the snippet shows it there, not the
        // body's opening without it.
        let mut field = None;
        if frags.is_empty() && req.snippets > 0 && !subtitle_terms.is_empty() {
            let sub = first_str(&doc, f.subtitle).unwrap_or_default();
            frags = snippet::fragments(&sub, &subtitle_terms, req.snippets, chars);
            field = (!frags.is_empty()).then_some("subtitle");
        }
        for fr in frags {
            hit.snippets.push(SnippetOut {
                text: fr.text,
                start: fr.start,
                end: fr.end,
                highlights: fr.highlights,
                field,
            });
        }
        // (`--snippets 0`: none at all, not even the lead.)
        if hit.snippets.is_empty() && req.snippets > 0 {
            hit.snippets.push(lead_snippet(&body, chars));
        }
        hit.title_highlights = snippet::highlight_all(&hit.title, &title_terms);
        hits.push(hit);
    }
    // Each shown story's other matches, the full hits' and the partial ones' each
    // counted in one pass.
    if !req.all_copies {
        for is_partial in [false, true] {
            let q = if is_partial {
                partial.as_deref().unwrap_or(&*query)
            } else {
                &*query
            };
            let shown: Vec<&mut Hit> = hits
                .iter_mut()
                .filter(|h| h.partial == is_partial && !h.group.is_empty())
                .collect();
            let groups: Vec<&str> = shown.iter().map(|h| h.group.as_str()).collect();
            let counts = groups_matches(&searcher, q, &f, &groups)?;
            for (hit, n) in shown.into_iter().zip(counts) {
                hit.similar = n.saturating_sub(1);
            }
        }
    }
    Ok(Results {
        total: strict.articles,
        stories: strict.stories,
        partial_total: partial_n.articles,
        partial_stories: partial_n.stories,
        partial_uncounted,
        total_is_lower_bound: strict.lower_bound,
        hits,
    })
}

/// With no words to match (filters only), the opening of the body.
fn lead_snippet(body: &str, chars: usize) -> SnippetOut {
    let mut end = body.len().min(chars);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    if end < body.len() {
        if let Some(sp) = body[..end].rfind(char::is_whitespace) {
            end = sp;
        }
    }
    SnippetOut {
        text: body[..end].trim_end().to_string(),
        start: 0,
        end: body[..end].trim_end().len(),
        highlights: vec![],
        field: None,
    }
}

fn first_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

fn all_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str())
        .map(str::to_string)
        .collect()
}

/// One page of matches in the requested order, and the number of matches.
fn top_docs(
    searcher: &Searcher,
    query: &dyn Query,
    sort: Sort,
    limit: usize,
    offset: usize,
) -> Result<(Vec<(f32, DocAddress)>, Counts)> {
    let page = TopDocs::with_limit(limit).and_offset(offset);
    Ok(match sort {
        // One pass: the count stops at its bound, and past it only matches that beat
        // the page's worst score are pushed (block-max WAND, where tantivy can use it,
        // skips the rest). Counting every match and hashing its group was 4x slower
        // for a common word.
        Sort::Relevance => {
            let bound = COUNT_BOUND.max(limit + offset);
            let (docs, n) = searcher.search(query, &TopCounted::new(limit + offset, bound))?;
            (docs.into_iter().skip(offset).collect(), n)
        }
        Sort::Newest | Sort::Oldest => {
            let order = if sort == Sort::Newest {
                Order::Desc
            } else {
                Order::Asc
            };
            let (docs, n) = searcher.search(
                query,
                &(
                    page.order_by_fast_field::<tantivy::DateTime>("published", order),
                    Matches,
                ),
            )?;
            (docs.into_iter().map(|(_, a)| (0.0, a)).collect(), n)
        }
    })
}

/// How many of the best plain matches are scored again before the final order.
pub const RERANK_DEPTH: usize = 300;

/// How the best matches of a search by relevance are scored again.
#[derive(Clone, Copy)]
pub struct Rerank<'a> {
    /// Added to the score of each candidate they match (proximity).
    pub bonus: &'a [Box<dyn Query>],
    /// The candidates' base score is BM25F over these words, in place of the query's
    /// own (tantivy sums a BM25 per field); none: the query's own score.
    pub words: &'a [bm25f::Word],
    pub fields: Fields,
    /// Partial matches scored with the candidates and ordered among them (see
    /// [`blend_pool`]); none of them a match of the query.
    pub partial: Partial<'a>,
    /// The query's vector, where the index has a model (made on another thread, see
    /// [`Embedding`]): the best matches are ordered again by meaning too
    /// (`crate::semantic::rerank`).
    pub meaning: Option<&'a (dyn PendingVector + 'a)>,
    /// Where the partial matches and related articles placed among the best matches
    /// are written ([`Blended`]), for the search to list them there (and only there) and
    /// count them.
    pub blended: Option<&'a std::sync::Mutex<Blended>>,
}

/// The articles of a [`Pool`] that an ordering placed among the best matches: the
/// others are not listed there (a partial match then follows every full one).
#[derive(Debug, Default, Clone)]
pub struct Blended {
    pub partial: Vec<DocAddress>,
    pub related: Vec<DocAddress>,
}

/// A query's vector that may still be being made.
pub trait PendingVector {
    fn get(&self) -> &[f32];
}

/// A query's vector being made on a thread of its own; the first to ask waits. A
/// search that never asks (no match) or stops early leaves the thread to finish its
/// few milliseconds alone.
struct Embedding {
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<Vec<f32>>>>,
    made: std::sync::OnceLock<Vec<f32>>,
}

impl Embedding {
    fn start((model, text): (std::sync::Arc<crate::semantic::Model>, String)) -> Embedding {
        let thread =
            std::thread::spawn(move || model.embed(&text, crate::semantic::ARTICLE_TOKENS));
        Embedding {
            thread: std::sync::Mutex::new(Some(thread)),
            made: std::sync::OnceLock::new(),
        }
    }
}

impl PendingVector for Embedding {
    fn get(&self) -> &[f32] {
        if let Some(v) = self.made.get() {
            return v;
        }
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let made = match thread {
            // A panic there is one here, as if the search had not been split.
            Some(t) => t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            // Taken by a call that panicked: no vector, no reordering by meaning.
            None => Vec::new(),
        };
        self.made.get_or_init(|| made)
    }
}

/// The partial matches to blend among the full ones (see [`Rerank`]).
#[derive(Clone, Copy)]
pub enum Partial<'a> {
    /// Known already.
    Found(&'a [DocAddress]),
    /// Being found on another thread (a [`Finding`]).
    Finding(&'a (dyn Pending + 'a)),
    /// The query's matches are all partial ones (the partial query's): each is
    /// weighed as a blended one is.
    Only,
}

/// Partial matches that may still be being found.
pub trait Pending {
    fn get(&self) -> Result<&Pool>;
}

impl Partial<'_> {
    fn get(&self) -> Result<&[DocAddress]> {
        match self {
            Partial::Found(p) => Ok(p),
            Partial::Finding(f) => Ok(&f.get()?.partial),
            Partial::Only => Ok(&[]),
        }
    }

    /// Of [`Partial::get`], those that hold fewer words than a partial match
    /// ([`Pool::fewer`]).
    fn fewer(&self) -> Result<&[DocAddress]> {
        match self {
            Partial::Finding(f) => Ok(&f.get()?.fewer),
            Partial::Found(_) | Partial::Only => Ok(&[]),
        }
    }

    /// What the pool found for ordering by meaning: the articles that may be ordered
    /// among the best matches ([`Pool::related`]), and those nearest the query in the
    /// model's order ([`Pool::nearest`]).
    fn by_meaning(&self) -> Result<(&[DocAddress], &[DocAddress])> {
        match self {
            Partial::Finding(f) => {
                let pool = f.get()?;
                Ok((&pool.related, &pool.nearest))
            }
            Partial::Found(_) | Partial::Only => Ok((&[], &[])),
        }
    }
}

/// Partial matches being found on a thread of their own; the first to ask waits.
struct Finding<'scope> {
    thread: std::sync::Mutex<Option<ScopedPool<'scope>>>,
    found: std::sync::OnceLock<Pool>,
}

type ScopedPool<'scope> = std::thread::ScopedJoinHandle<'scope, Result<Pool>>;

impl<'scope> Finding<'scope> {
    fn new(thread: ScopedPool<'scope>) -> Finding<'scope> {
        Finding {
            thread: std::sync::Mutex::new(Some(thread)),
            found: std::sync::OnceLock::new(),
        }
    }

    /// Waits for the thread: what it found, or its error if it failed and no one
    /// asked before.
    fn join(self) -> Result<Pool> {
        self.get()?;
        Ok(self.found.into_inner().unwrap_or_default())
    }
}

impl Pending for Finding<'_> {
    fn get(&self) -> Result<&Pool> {
        if let Some(found) = self.found.get() {
            return Ok(found);
        }
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let found = match thread {
            // A panic there is one here, as if the search had not been split.
            Some(t) => t.join().unwrap_or_else(|e| std::panic::resume_unwind(e))?,
            // Joined by a call that failed.
            None => Pool::default(),
        };
        Ok(self.found.get_or_init(|| found))
    }
}

impl Rerank<'_> {
    /// The query's own score, nothing added.
    pub fn none(fields: Fields) -> Rerank<'static> {
        Rerank {
            bonus: &[],
            words: &[],
            fields,
            partial: Partial::Found(&[]),
            meaning: None,
            blended: None,
        }
    }
}

/// Among the best matches scored again, a partial match's score is multiplied by this:
/// `(held + 1) / (words + 1)`, for one that holds `held` of the query's `words`. A
/// strong title match that lacks one word outranks weak full matches, and a weak one
/// does not climb above a good full match; each word lacked costs the same share, so
/// lacking one of five costs less than lacking one of two (two thirds, as the flat
/// weight chosen before on the dev queries: see `tests/data/relevance/README.md`).
/// Below half the words, it is also multiplied by the share of half held: such a
/// match is kept for a query whose relevant articles use other words for its common
/// ones, and stays below those that hold more.
pub fn partial_weight(held: usize, words: usize) -> f32 {
    let w = (held.min(words) + 1) as f32 / (words + 1) as f32;
    let half = words.div_ceil(2);
    if held < half {
        w * held as f32 / half as f32
    } else {
        w
    }
}

/// How many of the query's `words` a partial match holds at least: two (one of two).
/// Half of them was the rule before; a query of five words or more, whose relevant
/// articles often say its common words otherwise (`sweden brings back military
/// draft`: "Sweden reintroduces conscription", holding two), then found none of them.
/// One word of three or more is not asked: it lists every article naming any of them.
pub fn partial_least(words: usize) -> usize {
    words.div_ceil(2).min(2)
}

/// How many of the any-word query's best matches are candidates for the blend: 20 to
/// 300 measured within 0.003 nDCG@10 of each other, and 20 cost 0.2–0.35 ms at 100k.
pub const BLEND_DEPTH: usize = 20;

/// The top `n` matches of `query` and how many there are. By relevance with a
/// rerank, the best [`RERANK_DEPTH`] (without a bonus, [`BLOCK`]) by the plain score
/// are scored again (BM25F over the words, plus the bonus) and ordered again together;
/// past them, the matches are ordered in blocks of [`BLOCK`]. With the query's own
/// score as the base, that is the same score as one query with the bonus as optional
/// clauses, at a fraction of the cost, unless an article beyond that depth would have
/// climbed into the top `n` on its bonus alone.
pub fn ranked(
    searcher: &Searcher,
    query: &dyn Query,
    rerank: &Rerank,
    sort: Sort,
    n: usize,
) -> Result<(Vec<(f32, DocAddress)>, usize)> {
    let (docs, n) = ranked_counted(searcher, query, rerank, sort, n)?;
    Ok((docs, n.articles))
}

/// [`ranked`], with the number of stories beside the number of matches.
fn ranked_counted(
    searcher: &Searcher,
    query: &dyn Query,
    rerank: &Rerank,
    sort: Sort,
    n: usize,
) -> Result<(Vec<(f32, DocAddress)>, Counts)> {
    let read = top_docs(searcher, query, sort, read_depth(rerank, sort, n), 0)?;
    ranked_from(searcher, rerank, sort, read, n)
}

/// [`ranked_counted`] from `read`: the best matches by the plain score (at least
/// [`read_depth`] of them, or every one) and how many match.
fn ranked_from(
    searcher: &Searcher,
    rerank: &Rerank,
    sort: Sort,
    read: (Vec<(f32, DocAddress)>, Counts),
    n: usize,
) -> Result<(Vec<(f32, DocAddress)>, Counts)> {
    let (mut docs, total) = read;
    docs.truncate(read_depth(rerank, sort, n));
    if sort != Sort::Relevance {
        return Ok((docs, total));
    }
    if rerank.bonus.is_empty() && rerank.words.is_empty() {
        // The plain order: nothing is scored again but by meaning.
        by_meaning(searcher, rerank, &mut docs, &[], &[])?;
        docs.truncate(n);
        return Ok((docs, total));
    }
    let only = matches!(rerank.partial, Partial::Only);
    let words = rerank.words.len();
    // Scored again: every match read, the pool's partial matches and related articles.
    let rest = docs.split_off(region_len(rerank).min(docs.len()));
    let region = docs.len();
    let pool = rerank.partial.get()?;
    // Related articles (one word held), for the meaning to order among the best, are
    // scored as partial matches are.
    let (related, nearest): (&[DocAddress], &[DocAddress]) = if rerank.meaning.is_some() {
        rerank.partial.by_meaning()?
    } else {
        (&[], &[])
    };
    docs.extend(pool.iter().chain(related).map(|&a| (0.0, a)));
    let partial_end = docs.len();
    docs.extend(rest);
    let mut held = Vec::new();
    if !rerank.words.is_empty() {
        held = bm25f::rescore(
            searcher,
            &rerank.fields,
            rerank.words,
            &bm25f::Params::default(),
            &mut docs,
        )?;
    }
    add_bonus(searcher, rerank.bonus, &mut docs)?;
    // A partial match lacks one word at least (a phrase's words may all be there, apart).
    // Without the words, how many it holds is not known: its score stays.
    for (i, (d, &h)) in docs.iter_mut().zip(&held).enumerate() {
        if only || (region..partial_end).contains(&i) {
            d.0 *= partial_weight(h.min(words.saturating_sub(1)), words);
        }
    }
    let rest = docs.split_off(partial_end);
    let related = docs.split_off(region + pool.len());
    let full = if only { 0 } else { region };
    // Every match is read where they are all partial ones (none is left for later).
    let every_match = only || (full >= total.articles && !total.lower_bound);
    blend_in(&mut docs, full, every_match);
    // Without a model, the best matches of a query of several words, scored again by
    // BM25F, are ordered again by what the very best share; with one, by meaning
    // (below).
    if rerank.meaning.is_none() && !rerank.bonus.is_empty() && !rerank.words.is_empty() {
        feedback::reorder(searcher, &rerank.fields, &mut docs)?;
    }
    after_full(&mut docs, pool, rerank.partial.fewer()?, every_match);
    let pooled: std::collections::HashSet<DocAddress> = pool.iter().copied().collect();
    let kept_partial: Vec<DocAddress> = docs
        .iter()
        .map(|d| d.1)
        .filter(|a| pooled.contains(a))
        .collect();
    let kept_related = by_meaning(searcher, rerank, &mut docs, &related, nearest)?;
    if let Some(out) = rerank.blended {
        *out.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Blended {
            partial: kept_partial,
            related: kept_related,
        };
    }
    // Past the region, each block in its own order.
    for mut block in rest.chunks(BLOCK).map(<[_]>::to_vec) {
        block.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        docs.extend(block);
    }
    docs.truncate(n);
    Ok((docs, total))
}

/// Orders the best of `docs` (in order, best first) again by how close each article's
/// stored vector is to the query's, where the search has one (see `crate::semantic`),
/// with the `related` articles among them, then fuses that order with `nearest`, the
/// model's own order of the articles nearest the query (`semantic::fuse`); returns the
/// related articles it keeps there.
fn by_meaning(
    searcher: &Searcher,
    rerank: &Rerank,
    docs: &mut Vec<(f32, DocAddress)>,
    related: &[(f32, DocAddress)],
    nearest: &[DocAddress],
) -> Result<Vec<DocAddress>> {
    let Some(field) = rerank.fields.semantic else {
        return Ok(Vec::new());
    };
    let Some(query) = rerank.meaning.map(|m| m.get()).filter(|v| !v.is_empty()) else {
        return Ok(Vec::new());
    };
    let name = searcher.schema().get_field_name(field).to_string();
    let n = docs.len().min(crate::semantic::RERANK_DEPTH);
    let mut columns: HashMap<u32, Option<tantivy::columnar::BytesColumn>> = HashMap::new();
    let mut bytes = Vec::new();
    // An article without a vector (or in a segment without the column) counts as no
    // closeness at all (`semantic::rerank`).
    let mut cosine = |addr: DocAddress| -> Result<Option<f32>> {
        let column = match columns.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .bytes(&name)?,
            ),
        };
        let found = match column {
            Some(c) => crate::semantic::stored_vector(c, addr.doc_id, &mut bytes)
                .map_err(tantivy::TantivyError::from)?,
            None => false,
        };
        Ok(if found {
            crate::semantic::cosine(query, &bytes)
        } else {
            None
        })
    };
    let cosines = docs[..n]
        .iter()
        .map(|d| cosine(d.1))
        .collect::<Result<Vec<_>>>()?;
    let related_cosines = related
        .iter()
        .map(|d| cosine(d.1))
        .collect::<Result<Vec<_>>>()?;
    let kept = crate::semantic::rerank_with(docs, &cosines, related, &related_cosines);
    crate::semantic::fuse(docs, n + kept.len(), nearest);
    Ok(kept)
}

/// The query's words as the search reads them (`rank::searched_text`), where they are
/// enough to be ordered by meaning: [`crate::semantic::LEAST_WORDS`] words at least,
/// function words aside. `None`: the search orders its matches by words alone.
pub fn meaning_text(query: &str) -> Option<String> {
    let text = rank::searched_text(query);
    let words = text
        .split_whitespace()
        .filter(|w| !rank::is_function_word(w))
        .count();
    (words >= crate::semantic::LEAST_WORDS).then_some(text)
}

/// The model and the query's words as the search reads them (`rank::searched_text`),
/// to make the query's vector from, where the index was built with a model; `None`
/// without one. A model that no longer loads is an error that names it.
fn query_meaning(
    idx: &NewsIndex,
    query: &str,
) -> Result<Option<(std::sync::Arc<crate::semantic::Model>, String)>> {
    // An index without a model reads nothing more; then words first: a search of
    // filters alone, or of a word or two, loads no model.
    if idx.meta.model.is_none() {
        return Ok(None);
    }
    let Some(text) = meaning_text(query) else {
        return Ok(None);
    };
    let Some(model) = idx.model()? else {
        return Ok(None);
    };
    Ok(Some((model, text)))
}

/// Matches in order with their scores, and how many match.
type Ranked = (Vec<(f32, DocAddress)>, Counts);

/// How many matches [`ranked_counted`] reads for its best `n`.
fn read_depth(rerank: &Rerank, sort: Sort, n: usize) -> usize {
    if sort != Sort::Relevance {
        return n;
    }
    // The region, then whole blocks: a block read in part would be ordered otherwise
    // than when read in full, by a later page.
    let region = region_len(rerank);
    region + n.saturating_sub(region).div_ceil(BLOCK) * BLOCK
}

/// How many of the best matches by the plain score are scored again and ordered
/// together (with the partial matches blended among them, and by meaning): with a
/// bonus, [`RERANK_DEPTH`]; without one, a [`BLOCK`] (a one-word query reads no more
/// matches for its first page than it shows).
fn region_len(rerank: &Rerank) -> usize {
    region_size(!rerank.bonus.is_empty(), rerank.meaning.is_some())
}

/// [`region_len`] of a rerank with a bonus or not, and by meaning or not.
fn region_size(bonus: bool, meaning: bool) -> usize {
    if bonus {
        RERANK_DEPTH
    } else if meaning {
        crate::semantic::RERANK_DEPTH.max(BLOCK)
    } else {
        BLOCK
    }
}

/// Past the region ([`region_len`]), the matches are scored again and ordered in
/// blocks of this many, each by itself, in the plain score's order of blocks. Which
/// matches are ordered together then depends on the query alone, not on the page asked:
/// every page slices one order, and no article is listed twice or never.
pub const BLOCK: usize = 10;

/// Orders the candidates scored again: `docs[..full]` full matches, the rest partial
/// ones (their scores weighed by [`partial_weight`]). Where more full matches
/// remain than were scored (`every_match` false), a partial match that ranks below
/// all the scored ones is left out: its place would be among full matches not scored
/// again, so it keeps its place after every full match.
fn blend_in(docs: &mut Vec<(f32, DocAddress)>, full: usize, every_match: bool) {
    let partial: std::collections::HashSet<DocAddress> = docs[full..].iter().map(|d| d.1).collect();
    docs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    if !every_match && !partial.is_empty() {
        let last_full = docs.iter().rposition(|d| !partial.contains(&d.1));
        docs.truncate(last_full.map_or(0, |i| i + 1));
    }
}

/// Keeps the candidates that hold fewer words than a partial match (`fewer`, of
/// `pool`) below every full match of `docs` (ordered): after the last one, among the
/// partial matches there by score, where every match was scored (`every_match`); else
/// out, as unscored full matches follow.
fn after_full(
    docs: &mut Vec<(f32, DocAddress)>,
    pool: &[DocAddress],
    fewer: &[DocAddress],
    every_match: bool,
) {
    if fewer.is_empty() {
        return;
    }
    let (lone, mut kept): (Vec<_>, Vec<_>) = docs.drain(..).partition(|d| fewer.contains(&d.1));
    if every_match {
        let last_full = kept
            .iter()
            .rposition(|d| !pool.contains(&d.1))
            .map_or(0, |i| i + 1);
        kept.extend(lone);
        kept[last_full..].sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    *docs = kept;
}

/// How many stories `docs` are (an article without a group key is one of its own).
fn distinct_stories(searcher: &Searcher, docs: &[DocAddress]) -> usize {
    let mut keys = KeyColumns::new(searcher);
    let mut seen = std::collections::HashSet::new();
    docs.iter()
        .filter(|&&a| keys.get(a).is_none_or(|k| seen.insert(k)))
        .count()
}

/// Articles to rank among the full matches, from the any-word query's best.
#[derive(Debug, Default)]
pub struct Pool {
    /// Partial matches: of the any-word query's best [`BLEND_DEPTH`], those that hold
    /// [`partial_least`] of the required clauses (what the partial query asks; without
    /// a model, one) but not all of them, and no excluded one.
    pub partial: Vec<DocAddress>,
    /// Of `partial`, those (without a model) that hold fewer clauses than the partial
    /// query asks: not among its matches, so counted with them where listed.
    pub fewer: Vec<DocAddress>,
    /// For a search ordered by meaning: of its best `related` (see [`blend_pool`]),
    /// those that hold fewer than that, and no excluded clause. They are not matches:
    /// one is listed only where its meaning lifts it among the best matches
    /// (`semantic::rerank_with`).
    pub related: Vec<DocAddress>,
    /// Where the index keeps every article's vector in one file: the
    /// [`crate::semantic::FUSED_NEAREST`] articles nearest the query in meaning, in the
    /// model's own order, of those that pass the filters and hold no excluded clause
    /// (matches or not), for the best matches' order to be fused with
    /// (`semantic::fuse`).
    pub nearest: Vec<DocAddress>,
    /// The cosine of each of `nearest` with the query, in the same order.
    pub nearest_closeness: Vec<f32>,
}

/// The articles nearest a query in meaning, for [`blend_pool`]: the query's vector,
/// the index's file of vectors, and the search's filters (an article must pass them).
struct Nearby<'a> {
    vector: &'a Embedding,
    file: std::sync::Arc<crate::semantic::neighbours::Neighbours>,
    filter: Box<dyn Query>,
}

/// The [`Pool`] of the any-word query `any`: its best [`BLEND_DEPTH`] read for the
/// partial matches, and its best `related` (none: 0) for articles that hold fewer words;
/// with `nearby`, the [`crate::semantic::NEAREST`] articles nearest the query in
/// meaning are related ones too where they hold fewer words than a partial match (none
/// at all, it may be), pass the filters and hold no excluded clause.
fn blend_pool(
    searcher: &Searcher,
    any: &dyn Query,
    required: &[(String, Box<dyn Query>)],
    excluded: &[Box<dyn Query>],
    related: usize,
    nearby: Option<&Nearby<'_>>,
) -> Result<Pool> {
    // The best few as `TopDocs` finds them, each segment starting from the best score
    // found so far (`TopDocs` starts every segment from nothing).
    let depth = BLEND_DEPTH.max(related);
    let (top, _) = searcher.search(any, &TopCounted::new(depth, 0))?;
    let docs: Vec<DocAddress> = top.into_iter().map(|(_, a)| a).collect();
    let mut held = vec![0usize; docs.len()];
    for (_, q) in required {
        for (n, m) in held.iter_mut().zip(matching(searcher, &**q, &docs)?) {
            *n += usize::from(m);
        }
    }
    let mut out_ = vec![false; docs.len()];
    for q in excluded {
        for (o, m) in out_.iter_mut().zip(matching(searcher, &**q, &docs)?) {
            *o |= m;
        }
    }
    let least = partial_least(required.len());
    let mut pool = Pool::default();
    for (i, (&d, (n, out))) in docs.iter().zip(held.into_iter().zip(out_)).enumerate() {
        if out || n >= required.len() {
            continue;
        }
        // Without a model, one that holds fewer words than a partial match is blended
        // too (weighed down by `partial_weight`): the any-word query put it among its
        // best for a rare word (`macedonia political crisis`: an article naming
        // Macedonia alone). With one, the meaning decides where it is listed (`related`).
        if n >= least || (related == 0 && n > 0) {
            if i < BLEND_DEPTH {
                pool.partial.push(d);
                if n < least {
                    pool.fewer.push(d);
                }
            }
        } else if i < related && n > 0 {
            pool.related.push(d);
        }
    }
    if let Some(nb) = nearby {
        let seen: std::collections::HashSet<DocAddress> = docs.iter().copied().collect();
        let (closeness, near): (Vec<f32>, Vec<DocAddress>) = nb
            .file
            .nearest(searcher, nb.vector.get(), crate::semantic::NEAREST_READ)
            .into_iter()
            .unzip();
        // How many words each holds, for the first few only: the rest are read for
        // their order alone.
        let first = &near[..near.len().min(crate::semantic::NEAREST)];
        let mut held = vec![0usize; first.len()];
        for (_, q) in required {
            for (n, m) in held.iter_mut().zip(matching(searcher, &**q, first)?) {
                *n += usize::from(m);
            }
        }
        let mut keep = matching(searcher, &*nb.filter, &near)?;
        for q in excluded {
            for (k, m) in keep.iter_mut().zip(matching(searcher, &**q, &near)?) {
                *k &= !m;
            }
        }
        for (i, ((d, k), c)) in near.into_iter().zip(keep).zip(closeness).enumerate() {
            if !k {
                continue;
            }
            if pool.nearest.len() < crate::semantic::FUSED_NEAREST {
                pool.nearest.push(d);
                pool.nearest_closeness.push(c);
            }
            // Related: of the first few, one close enough that holds fewer words than a
            // partial match and is not among the any-word query's best.
            if held.get(i).is_some_and(|&n| n < least)
                && c >= crate::semantic::RELATED_CLOSENESS
                && !seen.contains(&d)
            {
                pool.related.push(d);
            }
        }
    }
    Ok(pool)
}

/// Which of `docs` match `query` (filters aside): each segment's scorer seeks the
/// candidates in order.
fn matching(searcher: &Searcher, query: &dyn Query, docs: &[DocAddress]) -> Result<Vec<bool>> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| docs[i]);
    let mut out = vec![false; docs.len()];
    let mut current: Option<(SegmentOrdinal, Box<dyn Scorer>)> = None;
    for i in order {
        let a = docs[i];
        if current
            .as_ref()
            .is_none_or(|(seg, _)| *seg != a.segment_ord)
        {
            let reader = searcher.segment_reader(a.segment_ord);
            current = Some((a.segment_ord, weight.scorer(reader, 1.0)?));
        }
        if let Some((_, s)) = current.as_mut() {
            let doc = if s.doc() < a.doc_id {
                s.seek(a.doc_id)
            } else {
                s.doc()
            };
            out[i] = doc == a.doc_id;
        }
    }
    Ok(out)
}

/// For each of `docs`, the required clauses (as typed) it does not hold.
fn missing_words(
    searcher: &Searcher,
    required: &[(String, Box<dyn Query>)],
    docs: &[DocAddress],
) -> Result<Vec<Vec<String>>> {
    let mut out = vec![Vec::new(); docs.len()];
    for (typed, q) in required {
        for (m, held) in out.iter_mut().zip(matching(searcher, &**q, docs)?) {
            if !held {
                m.push(typed.clone());
            }
        }
    }
    Ok(out)
}

/// Of the articles nearest the query in meaning that the pool found ([`Pool::nearest`]:
/// they pass the filters and hold no excluded word), the first `room` close enough to
/// be listed after a short list of matches (`semantic::FILL_CLOSENESS`), in the model's
/// order. None is a match of `queries` (the full and the partial query: those are
/// listed already) or one of the `related` articles listed among the best matches;
/// folding copies, none is a copy of a match, and each tells a story of its own.
fn nearest_unlisted(
    searcher: &Searcher,
    f: &Fields,
    pool: &Pool,
    queries: [&dyn Query; 2],
    related: &[DocAddress],
    all_copies: bool,
    room: usize,
) -> Result<Vec<DocAddress>> {
    let close: Vec<DocAddress> = pool
        .nearest
        .iter()
        .zip(&pool.nearest_closeness)
        .filter(|&(d, &c)| c >= crate::semantic::FILL_CLOSENESS && !related.contains(d))
        .map(|(&d, _)| d)
        .collect();
    let mut unmatched = vec![true; close.len()];
    for q in queries {
        for (u, m) in unmatched.iter_mut().zip(matching(searcher, q, &close)?) {
            *u &= !m;
        }
    }
    let mut keys = KeyColumns::new(searcher);
    let mut seen: std::collections::HashSet<u64> = if all_copies {
        Default::default()
    } else {
        related.iter().filter_map(|&a| keys.get(a)).collect()
    };
    let mut out = Vec::new();
    for (d, unmatched) in close.into_iter().zip(unmatched) {
        if out.len() == room {
            break;
        }
        if !unmatched {
            continue;
        }
        if !all_copies {
            if keys.get(d).is_some_and(|k| !seen.insert(k)) {
                continue;
            }
            if copies_match(searcher, f, d, &queries)? {
                continue;
            }
        }
        out.push(d);
    }
    Ok(out)
}

/// Whether another article of `doc`'s near-duplicate group matches one of `queries`
/// (then its story is listed already).
fn copies_match(
    searcher: &Searcher,
    f: &Fields,
    doc: DocAddress,
    queries: &[&dyn Query],
) -> Result<bool> {
    let stored: TantivyDocument = searcher.doc(doc)?;
    let group = first_str(&stored, f.group).unwrap_or_default();
    if group.is_empty() {
        return Ok(false);
    }
    for q in queries {
        if group_matches_any(searcher, *q, f, &group)? > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Near-duplicate group keys of documents, from each segment's fast column, opened
/// once per segment: loading each candidate's stored document, or its group's name
/// from the column dictionary, would dominate.
struct KeyColumns<'a> {
    searcher: &'a Searcher,
    columns: HashMap<u32, Option<tantivy::columnar::Column<u64>>>,
}

impl<'a> KeyColumns<'a> {
    fn new(searcher: &'a Searcher) -> KeyColumns<'a> {
        KeyColumns {
            searcher,
            columns: HashMap::new(),
        }
    }

    /// The group key of a document, if it has one.
    fn get(&mut self, addr: DocAddress) -> Option<u64> {
        let searcher = self.searcher;
        self.columns
            .entry(addr.segment_ord)
            .or_insert_with(|| {
                searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64("group_key")
                    .ok()
            })
            .as_ref()
            .and_then(|c| c.first(addr.doc_id))
    }
}

/// The entries the blended partial matches add to the full matches' stories: each
/// one (every copy shown), or each story of theirs that no full match belongs to.
fn blended_entries(
    searcher: &Searcher,
    query: &dyn Query,
    f: &Fields,
    pool: &[DocAddress],
    all_copies: bool,
) -> Result<usize> {
    if all_copies {
        return Ok(pool.len());
    }
    let mut seen = std::collections::HashSet::new();
    let mut n = 0;
    let mut keys = KeyColumns::new(searcher);
    for &a in pool {
        if let Some(k) = keys.get(a) {
            if !seen.insert(k) {
                continue;
            }
        }
        let doc: TantivyDocument = searcher.doc(a)?;
        let group = first_str(&doc, f.group).unwrap_or_default();
        if group.is_empty() || group_matches_any(searcher, query, f, &group)? == 0 {
            n += 1;
        }
    }
    Ok(n)
}

/// How many matches of `query` belong to `group` (counted even where the group has one
/// article).
fn group_matches_any(
    searcher: &Searcher,
    query: &dyn Query,
    f: &Fields,
    group: &str,
) -> Result<usize> {
    if searcher.doc_freq(&Term::from_field_text(f.group, group))? <= 1 {
        // The group is this partial match alone.
        return Ok(0);
    }
    group_matches(searcher, query, f, group)
}

/// Adds each bonus query's score to the documents it matches. Each query's scorer
/// jumps straight to the next candidate and checks that document alone
/// (`seek_danger`): a plain `seek`, or a union of the bonus queries, would look for
/// the next phrase match past every candidate, reading positions all the way.
fn add_bonus(
    searcher: &Searcher,
    bonus: &[Box<dyn Query>],
    docs: &mut [(f32, DocAddress)],
) -> Result<()> {
    use tantivy::{SeekDangerResult, TERMINATED};
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| docs[i].1);
    for q in bonus {
        let weight = q.weight(tantivy::query::EnableScoring::enabled_from_searcher(
            searcher,
        ))?;
        let mut i = 0;
        while i < order.len() {
            let seg = docs[order[i]].1.segment_ord;
            let first = docs[order[i]].1.doc_id;
            let (mut res, mut scorer) =
                weight.scorer_danger(searcher.segment_reader(seg), first, 1.0)?;
            // Candidates below `bound` are known not to match.
            let mut bound = first;
            loop {
                let doc = docs[order[i]].1.doc_id;
                if doc != first && doc >= bound {
                    res = scorer.seek_danger(doc);
                }
                match res {
                    SeekDangerResult::Found if doc >= bound => {
                        docs[order[i]].0 += scorer.score();
                        bound = doc + 1;
                    }
                    SeekDangerResult::SeekLowerBound(lb) => bound = bound.max(lb),
                    SeekDangerResult::Found => {}
                }
                i += 1;
                if bound == TERMINATED || i == order.len() || docs[order[i]].1.segment_ord != seg {
                    while i < order.len() && docs[order[i]].1.segment_ord == seg {
                        i += 1;
                    }
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Like [`top_docs`], with each near-duplicate group shown once, by its best match.
/// Reads a growing window of matches until the page is full of distinct groups.
fn collapsed(
    searcher: &Searcher,
    query: &dyn Query,
    rerank: &Rerank,
    sort: Sort,
    limit: usize,
    offset: usize,
) -> Result<(Vec<(f32, DocAddress)>, Counts)> {
    let want = offset + limit;
    let mut window = want * 3 + 20;
    // A wider window searches again only where it reads deeper: up to the rerank
    // depth, its matches are the first ones of the same list.
    let mut read: Option<(usize, Ranked)> = None;
    // Without a bonus, a window is the first of the best matches by the plain score
    // (each scored again alone): the first search reads those of the next window too,
    // which a common word needs (its first window can hold few stories: copies of a
    // few), while the count's bound stays the same. Once the best of the first window
    // hold the page's stories, the rest of that search looks for the first window only
    // (most words need no more; the next window, if then needed, is searched again).
    let ahead = sort == Sort::Relevance && rerank.bonus.is_empty() && window * 4 <= COUNT_BOUND;
    let mut plain: Option<(usize, Ranked)> = None;
    loop {
        let deep = read_depth(rerank, sort, window);
        let (all, total) = match read.take() {
            Some((d, ranked)) if d == deep => ranked,
            _ => {
                if ahead && plain.is_none() {
                    let top =
                        TopCounted::narrowing(searcher, window * 4, COUNT_BOUND, window, want);
                    let read = searcher.search(query, &top)?;
                    plain = Some((top.exact(), read));
                }
                match &plain {
                    Some((k, (docs, n))) if *k >= deep => {
                        ranked_from(searcher, rerank, sort, (docs.clone(), *n), deep)?
                    }
                    _ => ranked_counted(searcher, query, rerank, sort, deep)?,
                }
            }
        };
        let docs = &all[..window.min(all.len())];
        let mut seen = std::collections::HashSet::new();
        let mut kept = Vec::with_capacity(want);
        let mut keys = KeyColumns::new(searcher);
        for (score, addr) in docs {
            if keys.get(*addr).is_none_or(|k| seen.insert(k)) {
                kept.push((*score, *addr));
                if kept.len() == want {
                    break;
                }
            }
        }
        // Every full match, every blended partial one (see `blend_in`) and every related
        // article kept among them (see `by_meaning`).
        let blended = match rerank.blended {
            Some(b) => {
                let b = b.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                b.partial.len() + b.related.len()
            }
            None => rerank.partial.get()?.len(),
        };
        let all_read = docs.len() >= total.articles + blended && !total.lower_bound;
        if kept.len() == want || all_read || window >= MAX_LIMIT * 4 {
            return Ok((kept.into_iter().skip(offset).collect(), total));
        }
        read = Some((deep, (all, total)));
        window *= 4;
    }
}

/// How many articles match, and how many stories (near-duplicate groups) they make.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub articles: usize,
    pub stories: usize,
    /// More than `articles` match: counting stopped at a bound.
    pub lower_bound: bool,
}

/// Counts matches and their distinct groups (by the `group_key` fast column; an
/// article without one counts as a story of its own).
struct Matches;

struct MatchesSegment {
    column: Option<tantivy::columnar::Column<u64>>,
    articles: usize,
    keys: GroupKeys,
    keyless: usize,
    /// Matches whose keys are not read yet: read [`KEY_BATCH`] at a time, in a loop of
    /// their own, the column's cache misses overlap (read one by one between the
    /// query's steps, they were an eighth of a search of several words).
    pending: Vec<DocId>,
}

/// See [`MatchesSegment::pending`].
const KEY_BATCH: usize = 64;

impl MatchesSegment {
    fn read_keys(&mut self) {
        let Some(column) = &self.column else {
            self.keyless += self.pending.len();
            self.pending.clear();
            return;
        };
        let mut keys = [None; KEY_BATCH];
        let keys = &mut keys[..self.pending.len()];
        column.first_vals(&self.pending, keys);
        for k in keys.iter() {
            match k {
                Some(k) => {
                    self.keys.insert(*k);
                }
                None => self.keyless += 1,
            }
        }
        self.pending.clear();
    }
}

impl Collector for Matches {
    type Fruit = Counts;
    type Child = MatchesSegment;

    fn for_segment(
        &self,
        _: tantivy::SegmentOrdinal,
        seg: &tantivy::SegmentReader,
    ) -> tantivy::Result<MatchesSegment> {
        Ok(MatchesSegment {
            column: seg.fast_fields().u64("group_key").ok(),
            articles: 0,
            keys: Default::default(),
            keyless: 0,
            pending: Vec::with_capacity(KEY_BATCH),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(usize, GroupKeys, usize)>) -> tantivy::Result<Counts> {
        // Into the largest set, sized once for all of them.
        let mut fruits = fruits;
        let largest = (0..fruits.len()).max_by_key(|&i| fruits[i].1.len());
        let mut keys = largest
            .map(|i| std::mem::take(&mut fruits[i].1))
            .unwrap_or_default();
        keys.reserve(fruits.iter().map(|f| f.1.len()).sum());
        let (mut articles, mut keyless) = (0, 0);
        for (n, k, none) in fruits {
            articles += n;
            keyless += none;
            keys.extend(k);
        }
        Ok(Counts {
            articles,
            stories: keys.len() + keyless,
            lower_bound: false,
        })
    }
}

impl SegmentCollector for MatchesSegment {
    type Fruit = (usize, GroupKeys, usize);

    fn collect(&mut self, doc: tantivy::DocId, _: tantivy::Score) {
        self.articles += 1;
        self.pending.push(doc);
        if self.pending.len() == KEY_BATCH {
            self.read_keys();
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        self.read_keys();
        (self.articles, self.keys, self.keyless)
    }
}

/// How many matches belong to each of `groups` (as [`group_matches`] counts them), in
/// one pass per segment: each segment's scorer for `query` is built once, and seeks
/// the groups' articles in order (built for each group, it was most of the cost of a
/// page of common words: each group's copies lie in most segments).
fn groups_matches(
    searcher: &Searcher,
    query: &dyn Query,
    f: &Fields,
    groups: &[&str],
) -> Result<Vec<usize>> {
    let mut out = vec![0; groups.len()];
    let mut wanted = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let term = Term::from_field_text(f.group, g);
        // Most groups are one article: then the only match is that article.
        if searcher.doc_freq(&term)? <= 1 {
            out[i] = 1;
        } else {
            wanted.push((i, term));
        }
    }
    if wanted.is_empty() {
        return Ok(out);
    }
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for reader in searcher.segment_readers() {
        let index = reader.inverted_index(f.group)?;
        let alive = reader.alive_bitset();
        let mut docs: Vec<(DocId, usize)> = Vec::new();
        for (i, term) in &wanted {
            if let Some(mut p) = index
                .read_postings(term, IndexRecordOption::Basic)
                .map_err(tantivy::TantivyError::from)?
            {
                let mut d = p.doc();
                while d != TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(d)) {
                        docs.push((d, *i));
                    }
                    d = p.advance();
                }
            }
        }
        if docs.is_empty() {
            continue;
        }
        docs.sort_unstable();
        let mut scorer = weight.scorer(reader, 1.0)?;
        for (d, i) in docs {
            let at = if scorer.doc() < d {
                scorer.seek(d)
            } else {
                scorer.doc()
            };
            if at == d {
                out[i] += 1;
            }
        }
    }
    Ok(out)
}

/// How many matches belong to `group`.
fn group_matches(searcher: &Searcher, query: &dyn Query, f: &Fields, group: &str) -> Result<usize> {
    // Most groups are one article: then the only match is that article.
    if searcher.doc_freq(&Term::from_field_text(f.group, group))? <= 1 {
        return Ok(1);
    }
    // The group first: in a segment without it, the intersection ends before the
    // query's scorers are built (their terms looked up in every segment were most of
    // this count's cost).
    let q = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(f.group, group),
                IndexRecordOption::Basic,
            )),
        ),
        (Occur::Must, query.box_clone()),
    ]);
    Ok(searcher.search(&q, &Count)?)
}

/// A hit as shown, its source named by its outlet (`cnn.com` → `CNN`).
pub fn hit_from_doc(idx: &NewsIndex, doc: &TantivyDocument, rank: usize, score: f32) -> Hit {
    let f = &idx.fields;
    Hit {
        rank,
        score,
        id: first_str(doc, f.id).unwrap_or_default(),
        title: first_str(doc, f.title).unwrap_or_default(),
        published: doc
            .get_first(f.published)
            .and_then(|v| v.as_datetime())
            .and_then(date_from_tantivy)
            .map(|d| d.format("%Y-%m-%d").to_string()),
        source: first_str(doc, f.source).map(|s| idx.canonical_source(&s).into_owned()),
        url: first_str(doc, f.url),
        path: first_str(doc, f.path).unwrap_or_default(),
        record: doc.get_first(f.record).and_then(|v| v.as_u64()),
        countries: all_str(doc, f.countries),
        leaders: all_str(doc, f.leaders),
        orgs: all_str(doc, f.orgs),
        snippets: vec![],
        title_highlights: vec![],
        group: first_str(doc, f.group).unwrap_or_default(),
        similar: 0,
        partial: false,
        missing: Vec::new(),
        related: false,
    }
}

/// Tag kinds that can be counted.
pub const TAG_FIELDS: [(&str, &str); 4] = [
    ("country", "countries"),
    ("leader", "leaders"),
    ("org", "orgs"),
    ("source", "source"),
];

/// Counts of every tag over all matches of `query` and `filters`, per kind.
pub fn tag_counts(
    idx: &NewsIndex,
    query: &str,
    filters: &Filters,
    kinds: &[&'static str],
) -> Result<(usize, Vec<HashMap<String, u64>>)> {
    let searcher: Searcher = idx.searcher()?;
    let q = build_query(idx, query, filters, rank::Ranking::News).query;
    let fields: Vec<&'static str> = kinds
        .iter()
        .filter_map(|k| {
            TAG_FIELDS
                .iter()
                .find(|(kind, _)| kind == k)
                .map(|(_, f)| *f)
        })
        .collect();
    let (n, mut counts) = searcher.search(&q, &(Count, facets::TagCounts { fields }))?;
    for (kind, c) in kinds.iter().zip(counts.iter_mut()) {
        if *kind == "source" {
            *c = by_outlet(idx, std::mem::take(c));
        }
    }
    Ok((n, counts))
}

/// Counts of sources as stored (`CNN`, `cnn.com`) → counts of outlets (`CNN`). An
/// article has one source, so the sums count each article once.
fn by_outlet(idx: &NewsIndex, counts: HashMap<String, u64>) -> HashMap<String, u64> {
    let mut out: HashMap<String, u64> = HashMap::with_capacity(counts.len());
    for (k, n) in counts {
        *out.entry(idx.canonical_source(&k).into_owned())
            .or_insert(0) += n;
    }
    out
}

/// The matches of `query` and `filters` that carry given tag values: per (kind,
/// values) asked, each value's matches in index order, with the searcher to load them.
pub fn tag_articles(
    idx: &NewsIndex,
    query: &str,
    filters: &Filters,
    wanted: Vec<(&'static str, std::collections::HashSet<String>)>,
) -> Result<(Searcher, facets::ArticlesByValue)> {
    let searcher: Searcher = idx.searcher()?;
    let q = build_query(idx, query, filters, rank::Ranking::News).query;
    let wanted = wanted
        .into_iter()
        .filter_map(|(k, values)| {
            TAG_FIELDS
                .iter()
                .find(|(kind, _)| *kind == k)
                .map(|(_, f)| (*f, values))
        })
        .collect();
    let found = searcher.search(&q, &facets::TagArticles { wanted })?;
    Ok((searcher, found))
}

/// A filter date ("2019", "2019-03", "2019-03-05") as the inclusive day range it names.
pub fn date_range(s: &str) -> Result<(chrono::NaiveDate, chrono::NaiveDate)> {
    dates::parse_filter_date(s).map_err(Error::InvalidArgument)
}

/// Matches of `query` and `filters` per period, optionally split by a tag kind.
pub fn timeline(
    idx: &NewsIndex,
    query: &str,
    filters: &Filters,
    by: timeline::Period,
    split_kind: Option<&str>,
    top: usize,
) -> Result<(Vec<timeline::Row>, u64)> {
    let searcher = idx.searcher()?;
    let q = build_query(idx, query, filters, rank::Ranking::News).query;
    let split_field = split_kind.and_then(|k| {
        TAG_FIELDS
            .iter()
            .find(|(kind, _)| *kind == k)
            .map(|(_, f)| *f)
    });
    let mut fruit = searcher.search(&q, &timeline::DatesCollector { split_field })?;
    if split_kind == Some("source") {
        for m in fruit.counts.values_mut() {
            let stored = std::mem::take(m);
            for (k, n) in stored {
                // "" counts the day's articles: it stays as it is.
                let k = if k.is_empty() {
                    k
                } else {
                    idx.canonical_source(&k).into_owned()
                };
                *m.entry(k).or_insert(0) += n;
            }
        }
    }
    Ok((timeline::rows(&fruit, by, top), fruit.undated))
}

/// The article with this id, as stored.
pub fn find(idx: &NewsIndex, id: &str) -> Result<Option<(Searcher, DocAddress, TantivyDocument)>> {
    let searcher = idx.searcher()?;
    let q = TermQuery::new(
        Term::from_field_text(idx.fields.id, id),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
    match top.into_iter().next() {
        Some((_, addr)) => {
            let doc = searcher.doc(addr)?;
            Ok(Some((searcher, addr, doc)))
        }
        None => Ok(None),
    }
}

/// The ids a mistyped `id` may have meant, at most `max`, in the index's order: the
/// record number alone (`542` → `articles.csv#542`), written after `:` or a space
/// (`articles.csv:542`), with the path cut short (`articles#542`, a file's name
/// without its folders). Reads the id column's terms (an error's path only).
pub fn ids_like(idx: &NewsIndex, id: &str, max: usize) -> Result<Vec<String>> {
    let id = id.trim();
    let (path, num) = match id.rfind(['#', ':', ' ']) {
        Some(at) if id[at + 1..].chars().all(|c| c.is_ascii_digit()) && at + 1 < id.len() => {
            (id[..at].trim(), Some(&id[at + 1..]))
        }
        _ if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) => ("", Some(id)),
        _ => (id, None),
    };
    // (A number as typed with zeros before it is the same record.)
    let num = num
        .map(|n| n.trim_start_matches('0'))
        .map(|n| if n.is_empty() { "0" } else { n });
    let path_fits = |p: &str| {
        let no_ext = match p.rsplit_once('.') {
            Some((head, ext)) if !ext.contains('/') => head,
            _ => p,
        };
        path.is_empty()
            || [p, no_ext]
                .iter()
                .any(|c| *c == path || c.ends_with(&format!("/{path}")))
    };
    let searcher = idx.searcher()?;
    let mut out: Vec<String> = Vec::new();
    for seg in searcher.segment_readers() {
        let inv = seg.inverted_index(idx.fields.id)?;
        let Ok(mut stream) = inv.terms().stream() else {
            continue;
        };
        while stream.advance() {
            let Ok(term) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let fits = match (num, term.rsplit_once('#')) {
                (Some(n), Some((p, r))) => r == n && path_fits(p),
                (None, None) => !path.is_empty() && term != path && path_fits(term),
                _ => false,
            };
            // (A deleted article's id stays among the terms until its segment merges.)
            if fits && !out.iter().any(|o| o == term) && find(idx, term)?.is_some() {
                out.push(term.to_string());
                if out.len() >= max {
                    return Ok(out);
                }
            }
        }
    }
    Ok(out)
}

/// Every member of a near-duplicate group (the first 1,000 the index holds), by id:
/// where each lies in the index depends on which writer thread took it, and a list in
/// that order would differ between two ingests of one archive.
pub fn group_members(idx: &NewsIndex, searcher: &Searcher, group: &str) -> Result<Vec<Hit>> {
    let f = idx.fields;
    let q = TermQuery::new(
        Term::from_field_text(f.group, group),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(&q, &TopDocs::with_limit(1000).order_by_score())?;
    let mut out = Vec::new();
    for (_, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        out.push(hit_from_doc(idx, &doc, 0, 0.0));
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    for (i, h) in out.iter_mut().enumerate() {
        h.rank = i + 1;
    }
    Ok(out)
}

/// The articles most like the one with `id` (by their distinctive words), outside its
/// own near-duplicate group, within `filters`.
pub fn similar(
    idx: &NewsIndex,
    id: &str,
    filters: &Filters,
    limit: usize,
) -> Result<Option<Vec<Hit>>> {
    use tantivy::query::MoreLikeThisQuery;
    let Some((searcher, _addr, doc)) = find(idx, id)? else {
        return Ok(None);
    };
    let f = idx.fields;
    let values = |field| -> Vec<tantivy::schema::OwnedValue> {
        doc.get_all(field).map(|v| v.as_value().into()).collect()
    };
    let mlt = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(1)
        // Words in more than a fifth of the archive say little about a story; in a
        // small archive that cut would drop every shared word, so it starts at 10.
        .with_max_doc_frequency((searcher.num_docs() / 5).max(10))
        .with_min_term_frequency(1)
        .with_max_query_terms(30)
        .with_min_word_length(3)
        .with_document_fields(vec![(f.title, values(f.title)), (f.body, values(f.body))]);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(mlt))];
    for (o, q) in filter_query(&f, filters, true) {
        clauses.push((o, Box::new(ConstScoreQuery::new(q, 0.0))));
    }
    let group = first_str(&doc, f.group).unwrap_or_default();
    for (field, v) in [(f.id, id), (f.group, group.as_str())] {
        if !v.is_empty() {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, v),
                    IndexRecordOption::Basic,
                )),
            ));
        }
    }
    let q = BooleanQuery::new(clauses);
    if limit == 0 {
        return Ok(Some(Vec::new()));
    }
    let limit = limit.min(MAX_LIMIT);
    let top = searcher.search(&q, &TopDocs::with_limit(limit * 3 + 10).order_by_score())?;
    let mut out: Vec<Hit> = Vec::with_capacity(limit);
    let mut groups = std::collections::HashSet::new();
    for (score, addr) in top {
        if out.len() == limit {
            break;
        }
        let d: TantivyDocument = searcher.doc(addr)?;
        let mut h = hit_from_doc(idx, &d, out.len() + 1, score);
        // One article per near-duplicate group.
        if !h.group.is_empty() && !groups.insert(h.group.clone()) {
            continue;
        }
        let body = first_str(&d, f.body).unwrap_or_default();
        h.snippets.push(lead_snippet(&body, 220));
        out.push(h);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::{
        build_query, needs_text, search, tidy_operators, unwrap_single, Exclusion, Filtered,
        Filters, Matches, SearchRequest, Sort, TopCounted,
    };
    use crate::index::NewsIndex;
    use tantivy::collector::TopDocs;
    use tantivy::query::{
        AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, Query, TermQuery,
    };
    use tantivy::schema::IndexRecordOption;
    use tantivy::Term;

    #[test]
    fn a_query_of_three_words_or_more_is_ordered_by_meaning() {
        use super::meaning_text;
        assert_eq!(meaning_text("white house"), None);
        assert_eq!(
            meaning_text("\"white house\""),
            None,
            "a phrase's words count"
        );
        assert_eq!(
            meaning_text("storm doris -ireland"),
            None,
            "not an excluded word"
        );
        assert_eq!(meaning_text("the who"), None, "not a function word");
        assert_eq!(
            meaning_text("\"white house\" intruder").as_deref(),
            Some("white house intruder")
        );
        assert_eq!(
            meaning_text("will robots take our jobs?").as_deref(),
            Some("will robots take our jobs")
        );
        assert_eq!(meaning_text(""), None);
    }

    /// A small archive ingested for real: its index holds a file record per file
    /// beside the articles.
    fn ingested() -> (tempfile::TempDir, NewsIndex) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("archive");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(
            root.join("paris.txt"),
            "Trade talks in Paris\n\nFrance and Germany held trade talks in Paris.",
        )
        .unwrap();
        std::fs::write(
            root.join("berlin.txt"),
            "Rain in Berlin\n\nIt rained in Berlin, and talks were put off.",
        )
        .unwrap();
        let path = dir.path().join("index");
        let opts = crate::pipeline::IngestOptions::new(root, path.clone());
        crate::pipeline::ingest(&opts, &mut |_| {}, &mut crate::pipeline::NoProgress).unwrap();
        let idx = NewsIndex::open(&path).unwrap();
        (dir, idx)
    }

    fn request(query: &str, filters: Filters) -> SearchRequest {
        SearchRequest {
            query: query.to_string(),
            filters,
            limit: 10,
            offset: 0,
            snippet_chars: 100,
            snippets: 1,
            sort: Sort::Relevance,
            ranking: super::rank::Ranking::News,
            all_copies: false,
        }
    }

    #[test]
    fn a_query_of_words_is_searched_without_the_article_kind_clause() {
        let (_dir, idx) = ingested();
        let f = idx.fields;
        let has_kind = |q: &dyn Query| {
            let mut found = false;
            q.query_terms(&mut |t, _| found |= t.field() == f.kind);
            found
        };
        // One word, no filter: the bare union of its fields, as tantivy prunes it.
        let q = build_query(
            &idx,
            "talks",
            &Filters::default(),
            super::rank::Ranking::News,
        )
        .query;
        assert!(!has_kind(&*q));
        let b = q.downcast_ref::<BooleanQuery>().expect("a union");
        assert!(b.clauses().iter().all(|(o, _)| *o == Occur::Should));
        // With a filter: the filter, and still no kind clause.
        let filters = Filters {
            countries: vec!["FR".into()],
            ..Filters::default()
        };
        let q = build_query(&idx, "talks", &filters, super::rank::Ranking::News).query;
        assert!(q.is::<Filtered>() && !has_kind(&*q));
        // Only excluded words, or no words: the kind clause stays.
        for text in ["", "-rain"] {
            let q = build_query(&idx, text, &filters, super::rank::Ranking::News).query;
            assert!(has_kind(&*q), "{text:?}");
        }
    }

    #[test]
    fn searches_without_a_required_word_still_leave_file_records_out() {
        let (_dir, idx) = ingested();
        let files = idx
            .searcher()
            .unwrap()
            .doc_freq(&Term::from_field_text(idx.fields.kind, "file"))
            .unwrap();
        assert_eq!(files, 2, "the index holds the two file records");
        for (text, want) in [
            ("", 2),
            ("-rain", 1),
            ("\"!!\" -rain", 1),
            ("talks", 2),
            ("talks -rain", 1),
        ] {
            let r = search(&idx, &request(text, Filters::default())).unwrap();
            assert_eq!((r.total, r.hits.len()), (want, want), "{text:?}");
            assert!(r.hits.iter().all(|h| !h.id.is_empty()), "{text:?}");
        }
    }

    #[test]
    fn only_queries_that_need_a_word_of_the_text_are_said_to() {
        let text = |field| {
            TermQuery::new(
                Term::from_field_text(field, "w"),
                IndexRecordOption::WithFreqs,
            )
        };
        let (_dir, idx) = ingested();
        let f = idx.fields;
        let fields = [f.title, f.subtitle, f.body];
        let body: Box<dyn Query> = Box::new(text(f.body));
        let kind: Box<dyn Query> = Box::new(text(f.kind));
        let boosted: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(text(f.title)), 1.5));
        let yes: Vec<Box<dyn Query>> = vec![
            body.box_clone(),
            boosted.box_clone(),
            Box::new(EmptyQuery),
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, boosted.box_clone()),
                (Occur::Should, body.box_clone()),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::Must, body.box_clone()),
                (Occur::MustNot, kind.box_clone()),
            ])),
        ];
        let no: Vec<Box<dyn Query>> = vec![
            kind.box_clone(),
            Box::new(AllQuery),
            Box::new(BoostQuery::new(Box::new(AllQuery), 2.0)),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, body.box_clone()),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, Box::new(AllQuery)),
                (Occur::Should, body.box_clone()),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, body.box_clone()),
                (Occur::Should, kind.box_clone()),
            ])),
            Box::new(BooleanQuery::new(vec![(Occur::MustNot, body.box_clone())])),
            Box::new(ConstScoreQuery::new(body.box_clone(), 1.0)),
        ];
        for q in &yes {
            assert!(needs_text(&**q, &fields), "{q:?}");
        }
        for q in &no {
            assert!(!needs_text(&**q, &fields), "{q:?}");
        }
        let single = Box::new(BooleanQuery::new(vec![(Occur::Must, body.box_clone())]));
        assert!(unwrap_single(single).is::<TermQuery>());
    }

    /// Documents 0..n with "word" repeated 1 + i % 7 times in a body of 1 + i % 5
    /// other words (so scores vary and tie), "even" on every second one and "rare"
    /// on every 50th, in `segments` segments.
    fn scored_index(n: u64, segments: u64) -> (tantivy::Index, tantivy::schema::Field) {
        use tantivy::schema::{Schema, TEXT};
        let mut b = Schema::builder();
        let text = b.add_text_field("text", TEXT);
        let index = tantivy::Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        w.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for i in 0..n {
            let mut t = "word ".repeat(1 + (i % 7) as usize);
            t.push_str(&"pad ".repeat(1 + (i % 5) as usize));
            if i % 2 == 0 {
                t.push_str("even ");
            }
            if i % 50 == 0 {
                t.push_str("rare");
            }
            w.add_document(tantivy::doc!(text => t)).unwrap();
            if (i + 1) % n.div_ceil(segments) == 0 {
                w.commit().unwrap();
            }
        }
        w.commit().unwrap();
        (index, text)
    }

    #[test]
    fn the_pruned_page_is_the_page_tantivy_finds() {
        let (index, text) = scored_index(20_000, 5);
        let searcher = index.reader().unwrap().searcher();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let words: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (Occur::Should, term("word")),
            (Occur::Should, Box::new(BoostQuery::new(term("pad"), 0.5))),
        ]));
        // A filter most documents pass (the pruned path) and a rare one (the
        // intersection), and words excluded (half the documents, or a few) with and
        // without a filter, each beside the same query as a boolean one.
        // "even" or "rare": the rare ones, which hold both, rank first unless excluded.
        let either: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (Occur::Should, term("even")),
            (Occur::Should, term("rare")),
        ]));
        let cases: [(&dyn Query, &[&str], &[&str]); 7] = [
            (&*words, &["even"], &[]),
            (&*words, &["rare"], &[]),
            (&*words, &[], &["even"]),
            (&*words, &[], &["rare"]),
            (&*words, &["even"], &["rare"]),
            (&*either, &[], &["rare"]),
            (&*either, &["even"], &["rare"]),
        ];
        for (words, filters, excluded) in cases {
            let label = format!("{words:?} {filters:?} -{excluded:?}");
            let mut scored = vec![(Occur::Must, words.box_clone())];
            scored.extend(excluded.iter().map(|w| (Occur::MustNot, term(w))));
            let scored: Box<dyn Query> = Box::new(BooleanQuery::new(scored));
            let filtered = Filtered {
                scored: scored.box_clone(),
                filters: filters.iter().map(|w| term(w)).collect(),
                exclusion: (!excluded.is_empty()).then(|| Exclusion {
                    required: words.box_clone(),
                    excluded: excluded.iter().map(|w| term(w)).collect(),
                }),
            };
            let mut boolean = vec![(Occur::Must, scored)];
            for f in filters {
                boolean.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(term(f), 0.0)) as Box<dyn Query>,
                ));
            }
            let boolean = BooleanQuery::new(boolean);
            for k in [1, 10, 300] {
                let want = searcher
                    .search(&boolean, &TopDocs::with_limit(k).order_by_score())
                    .unwrap();
                for bound in [5, 10_000] {
                    let (got, n) = searcher
                        .search(&filtered, &TopCounted::new(k, bound))
                        .unwrap();
                    assert_eq!(got, want, "{label} k={k} bound={bound}");
                    let all = searcher
                        .search(&boolean, &tantivy::collector::Count)
                        .unwrap();
                    assert_eq!((n.articles, n.lower_bound), (all.min(bound), all > bound));
                }
                // No count: every segment prunes.
                let (got, _) = searcher.search(&filtered, &TopCounted::new(k, 0)).unwrap();
                assert_eq!(got, want, "{label} k={k} no count");
            }
        }
        // The words alone, pruned by tantivy past the count's bound.
        for k in [1, 10, 300] {
            let want = searcher
                .search(&*words, &TopDocs::with_limit(k).order_by_score())
                .unwrap();
            let (got, n) = searcher.search(&*words, &TopCounted::new(k, 100)).unwrap();
            assert_eq!(got, want, "k={k}");
            assert_eq!((n.articles, n.lower_bound), (100, true));
            let (got, _) = searcher.search(&*words, &TopCounted::new(k, 0)).unwrap();
            assert_eq!(got, want, "k={k} no count");
        }
    }

    #[test]
    fn a_narrowed_search_finds_the_first_window_and_says_how_far_it_is_exact() {
        // No group keys here: every match is a story of its own.
        let (index, text) = scored_index(20_000, 5);
        let searcher = index.reader().unwrap().searcher();
        let words: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(text, "word"),
            IndexRecordOption::WithFreqs,
        ));
        let best = |k| {
            searcher
                .search(&*words, &TopDocs::with_limit(k).order_by_score())
                .unwrap()
        };
        for bound in [100, 10_000] {
            // The first window holds the stories once a segment is searched: the later
            // segments look for it alone.
            let top = TopCounted::narrowing(&searcher, 200, bound, 50, 5);
            let (got, _) = searcher.search(&*words, &top).unwrap();
            assert_eq!(top.exact(), 50, "bound={bound}");
            assert_eq!(got[..50], best(50)[..], "bound={bound}");
            // More stories than the window holds: never narrowed, the best 200 found.
            let top = TopCounted::narrowing(&searcher, 200, bound, 50, 51);
            let (got, n) = searcher.search(&*words, &top).unwrap();
            assert_eq!(top.exact(), 200, "bound={bound}");
            assert_eq!(got, best(200), "bound={bound}");
            let plain = searcher
                .search(&*words, &TopCounted::new(200, bound))
                .unwrap();
            assert_eq!(
                (n.articles, n.lower_bound),
                (plain.1.articles, plain.1.lower_bound)
            );
        }
    }

    #[test]
    fn partial_matches_are_ordered_among_full_ones_and_kept_above_the_last_scored() {
        use super::blend_in;
        use tantivy::DocAddress;
        let a = |d| DocAddress::new(0, d);
        // Full matches 0..3 (scores 9, 5, 2), partial ones 10..13 (already weighed).
        let docs = vec![
            (9.0, a(0)),
            (5.0, a(1)),
            (2.0, a(2)),
            (12.0, a(10)),
            (3.0, a(11)),
            (1.0, a(12)),
        ];
        let order = |v: &[(f32, DocAddress)]| v.iter().map(|d| d.1.doc_id).collect::<Vec<_>>();
        let mut all = docs.clone();
        blend_in(&mut all, 3, true);
        assert_eq!(order(&all), [10, 0, 1, 11, 2, 12]);
        assert!((all[0].0 - 12.0).abs() < 1e-6, "scores are kept");
        // More full matches than were scored: a partial match below all of them waits
        // for the end of the full matches.
        let mut some = docs;
        blend_in(&mut some, 3, false);
        assert_eq!(order(&some), [10, 0, 1, 11, 2]);
    }

    #[test]
    fn a_partial_match_weighs_less_the_more_words_it_lacks() {
        use super::partial_weight;
        let w = |held, words| partial_weight(held, words);
        // one of two words: two thirds; one of five lacked: five sixths
        assert!((w(1, 2) - 2.0 / 3.0).abs() < 1e-6);
        assert!((w(4, 5) - 5.0 / 6.0).abs() < 1e-6);
        // each word lacked costs the same share; holding every word costs nothing
        assert!(w(2, 5) < w(3, 5) && w(3, 5) < w(4, 5) && w(4, 5) < w(5, 5));
        assert_eq!(w(3, 3), 1.0);
        assert_eq!(w(9, 3), 1.0);
        // lacking one word costs less in a longer query
        assert!(w(1, 2) < w(2, 3) && w(2, 3) < w(3, 4));
    }

    #[test]
    fn dangling_operators_and_quotes_are_dropped() {
        assert_eq!(
            tidy_operators("Taiwan post-war order OR"),
            "Taiwan post-war order"
        );
        assert_eq!(tidy_operators("OR AND taiwan"), "taiwan");
        assert_eq!(tidy_operators("- taiwan -"), "taiwan");
        assert_eq!(tidy_operators("a OR OR b"), "a OR b");
        assert_eq!(tidy_operators(&format!("{}x", "(".repeat(5000))), "x");
        assert_eq!(tidy_operators("(a OR b) c"), "(a OR b) c");
        assert_eq!(tidy_operators(&"w ".repeat(5000)).split(' ').count(), 1000);
        // A quote left open is a phrase to the end; one with no word after it is dropped.
        assert_eq!(
            tidy_operators("\"Taiwan post-war order"),
            "\"Taiwan post-war order\""
        );
        assert_eq!(
            tidy_operators("taiwan \u{201C}post-war order"),
            "taiwan \u{201C}post-war order\""
        );
        assert_eq!(tidy_operators("taiwan \""), "taiwan");
        assert_eq!(tidy_operators("\"a b\" c \"!"), "\"a b\" c !");
        assert_eq!(
            tidy_operators("\"post-war order\" -trade"),
            "\"post-war order\" -trade"
        );
        // A field's quoted value closes at the end: the words stay in the title.
        assert_eq!(
            tidy_operators("trade title:\"brexit bill"),
            "trade title:\"brexit bill\""
        );
    }

    /// An index of `n` documents holding "word", in `segments` segments; documents
    /// `i` and `i + 1` (i even) share a group key, and every fifth is deleted.
    fn counted_index(n: u64, segments: u64) -> tantivy::Index {
        use tantivy::schema::{Schema, FAST, STRING};
        let mut b = Schema::builder();
        let text = b.add_text_field("text", STRING);
        let key = b.add_u64_field("group_key", FAST);
        let id = b.add_u64_field("id", tantivy::schema::INDEXED);
        let index = tantivy::Index::create_in_ram(b.build());
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        w.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for i in 0..n {
            w.add_document(tantivy::doc!(text => "word", key => i / 2, id => i))
                .unwrap();
            if (i + 1) % n.div_ceil(segments) == 0 {
                w.commit().unwrap();
            }
        }
        for i in (0..n).step_by(5) {
            w.delete_term(Term::from_field_u64(id, i));
        }
        w.commit().unwrap();
        index
    }

    #[test]
    fn a_bounded_count_is_exact_below_its_bound_and_says_more_above_it() {
        let index = counted_index(1000, 4);
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() >= 4);
        let f = index.schema().get_field("text").unwrap();
        let q = TermQuery::new(Term::from_field_text(f, "word"), IndexRecordOption::Basic);
        let exact = searcher.search(&q, &Matches).unwrap();
        assert_eq!(exact.articles, 800, "deleted documents are not counted");
        assert_eq!(exact.stories, 500);
        assert!(!exact.lower_bound);
        // A bound at or above the number of matches changes nothing.
        for bound in [800, 801, 10_000] {
            let (_, n) = searcher.search(&q, &TopCounted::new(3, bound)).unwrap();
            assert_eq!(
                (n.articles, n.stories, n.lower_bound),
                (800, 500, false),
                "bound {bound}"
            );
        }
        // Below it: the bound, said to be a lower bound, across segments (a count alone
        // as well).
        for bound in [1, 150, 399, 799] {
            let (_, n) = searcher.search(&q, &TopCounted::new(3, bound)).unwrap();
            assert_eq!((n.articles, n.lower_bound), (bound, true), "bound {bound}");
            let (page, alone) = searcher.search(&q, &TopCounted::new(0, bound)).unwrap();
            assert!(page.is_empty());
            assert_eq!(
                (alone.articles, alone.lower_bound),
                (bound, true),
                "bound {bound}"
            );
            assert!(
                n.stories <= bound && n.stories * 2 >= bound,
                "bound {bound}"
            );
        }
    }
}
