//! Every request newsidx answers and every answer it gives, in one place: search (with
//! facets), one article, similar articles, the timeline, tag counts and index figures.
//! The command line and the HTTP server are adapters over it: they build a request
//! (from flags, or from a URL query through [`Params`]), call the function here, and
//! render the response (text, or its JSON).
//!
//! A request type holds the defaults (10 hits, one snippet of 220 characters, …) and
//! takes filter values as a user types them (`taiwan`, `xi`); they are checked and
//! resolved to the index's own values when the request runs. A response serialises
//! to the JSON that `--json` prints, which is a contract: fields may be added, never
//! renamed or dropped. Errors are [`crate::error::Error`]s, whose
//! [`class`](crate::error::Error::class) tells a user's mistake from a missing article,
//! an unusable index or an internal fault.

pub mod long_tail;
pub mod params;

use crate::enrich::Gazetteer;
use crate::error::{Error, Result};
use crate::index::{NewsIndex, Stats};
use crate::search::{self, resolve, timeline::Period, Excluded, Filters, Hit};
use serde::Serialize;
use std::collections::BTreeMap;

pub use params::Params;

/// Of two date bounds as typed, the one `keeps` prefers over the other; one that is no
/// date stays, for its error.
fn narrower(
    old: Option<String>,
    new: String,
    keeps: impl Fn(
        (chrono::NaiveDate, chrono::NaiveDate),
        (chrono::NaiveDate, chrono::NaiveDate),
    ) -> bool,
) -> String {
    let Some(old) = old else {
        return new;
    };
    match (search::date_range(&old), search::date_range(&new)) {
        (Ok(a), Ok(b)) if keeps(a, b) => old,
        (Ok(_), Ok(_)) => new,
        (Err(_), _) => old,
        (_, Err(_)) => new,
    }
}

/// The longest filter value looked up: names, hosts and links are shorter; a longer
/// one is an error at once, rather than compared with every value the index holds.
const MAX_VALUE_CHARS: usize = 2048;

/// Filter values as the user typed them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterQuery {
    /// Countries (code, name or demonym, any case); every one must be present.
    pub country: Vec<String>,
    /// Let `country` also match articles that name it only through a city or region.
    pub via_place: bool,
    /// Leaders (full name or unambiguous surname).
    pub leader: Vec<String>,
    /// International organisations.
    pub org: Vec<String>,
    /// Published on or after this period: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Published on or before this period (its last day).
    pub to: Option<String>,
    /// Mentions a date within each of these periods.
    pub mentions: Vec<String>,
    /// Sources (any case); an article from any of them matches.
    pub source: Vec<String>,
    /// Authors (a full name or a part of one, any case); every one must be present.
    pub author: Vec<String>,
    /// Addresses (a link as pasted: `https://www.bbc.co.uk/news/…`); an article at any
    /// of them matches.
    pub url: Vec<String>,
    /// Values whose articles are left out, as typed in a query with a minus
    /// (`-source:cnn`, `-country:RU`): (`country`, `leader`, `org`, `mentions`,
    /// `source` or `author`, the value as typed).
    pub excluded: Vec<(&'static str, String)>,
}

impl FilterQuery {
    pub const PARAMS: [&'static str; 10] = [
        "country",
        "via_place",
        "leader",
        "org",
        "from",
        "to",
        "mentions",
        "source",
        "author",
        "url",
    ];

    fn take(p: &mut Params) -> Result<FilterQuery> {
        Ok(FilterQuery {
            country: p.take_all("country"),
            via_place: p.take_bool("via_place", false)?,
            leader: p.take_all("leader"),
            org: p.take_all("org"),
            from: p.take_one("from")?,
            to: p.take_one("to")?,
            mentions: p.take_all("mentions"),
            source: p.take_all("source"),
            author: p.take_all("author"),
            url: p.take_all("url"),
            excluded: Vec::new(),
        })
    }

    /// Every value as typed, of every kind.
    fn values_typed(&self) -> impl Iterator<Item = &String> {
        self.country
            .iter()
            .chain(&self.leader)
            .chain(&self.org)
            .chain(&self.source)
            .chain(&self.author)
            .chain(self.excluded.iter().map(|(_, v)| v))
    }

    /// Takes the filter fields typed in a query (`source:cnn`, `country:TW`, …: see
    /// [`search::query_fields`]) into these filters, resolved later like the flags.
    /// Returns the text left to search and a warning for each field not used as typed.
    pub fn with_query_fields(
        &self,
        idx: &NewsIndex,
        q: &str,
    ) -> (String, FilterQuery, Vec<String>) {
        // An unquoted value of several words (`leader:kim jong un`) is told from the
        // words after it by what the index's filters know.
        let resolves = |field: &'static str, v: &str| {
            let one = FilterQuery {
                excluded: vec![(field, v.to_string())],
                ..FilterQuery::default()
            };
            // A name several leaders share is a value too: its error then lists them
            // (`leader:george bush iraq` names both Bushes, not an unknown 'george').
            matches!(one.resolve(idx), Ok(_) | Err(Error::AmbiguousTag { .. }))
        };
        let cleaned = search::rank::clean_query(q);
        let split = search::query_fields::split_with(&cleaned, &resolves);
        let same_text = split.text == cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        if split.filters.is_empty()
            && split.excluded.is_empty()
            && split.warnings.is_empty()
            && same_text
        {
            // Nothing of the kind: the query is searched exactly as typed.
            return (q.to_string(), self.clone(), Vec::new());
        }
        let mut f = self.clone();
        for (field, v) in split.filters {
            match field {
                "source" => f.source.push(v),
                "author" => f.author.push(v),
                "country" => f.country.push(v),
                "leader" => f.leader.push(v),
                "org" => f.org.push(v),
                // Two bounds of one kind (a flag and a field, or two fields): the
                // narrower holds, as both must.
                "from" => f.from = Some(narrower(f.from.take(), v, |a, b| a.0 >= b.0)),
                "to" => f.to = Some(narrower(f.to.take(), v, |a, b| a.1 <= b.1)),
                "url" => f.url.push(v),
                _ => f.mentions.push(v),
            }
        }
        f.excluded.extend(split.excluded);
        (split.text, f, split.warnings)
    }

    /// The values the index holds: `taiwan` → `TW`, `xi` → `Xi Jinping`, `2017-02` → its
    /// first (for `from`) or last (for `to`) day. An unknown value is an error that
    /// names the closest known ones.
    pub fn resolve(&self, idx: &NewsIndex) -> Result<Filters> {
        let long = std::iter::empty()
            .chain(self.country.iter().map(|v| ("country", v)))
            .chain(self.leader.iter().map(|v| ("leader", v)))
            .chain(self.org.iter().map(|v| ("org", v)))
            .chain(self.source.iter().map(|v| ("source", v)))
            .chain(self.author.iter().map(|v| ("author", v)))
            .chain(self.url.iter().map(|v| ("url", v)))
            .chain(self.excluded.iter().map(|(f, v)| (*f, v)))
            .find(|(_, v)| v.chars().count() > MAX_VALUE_CHARS);
        if let Some((name, _)) = long {
            return Err(Error::invalid(
                name,
                format!("longer than {MAX_VALUE_CHARS} characters; no value is that long"),
            ));
        }
        // The gazetteer is loaded only when a tag filter needs it: a plain search does
        // not pay for it. An index ingested with the user's gazetteer resolves its
        // names too (`--country atlantis`).
        let tagged = !(self.country.is_empty() && self.leader.is_empty() && self.org.is_empty())
            || self
                .excluded
                .iter()
                .any(|(f, _)| matches!(*f, "country" | "leader" | "org"));
        let user = if tagged { idx.user_gazetteer()? } else { None };
        let with_user = move || -> &Gazetteer {
            match user {
                Some(g) => g,
                None => Gazetteer::shipped(),
            }
        };
        let g: resolve::Lazy<'_> = &with_user;
        let mut out = Filters {
            via_place: self.via_place,
            ..Filters::default()
        };
        for c in &self.country {
            out.countries.push(resolve::country(g, idx, c)?);
        }
        for l in &self.leader {
            out.leaders.push(resolve::leader(g, idx, l)?);
        }
        for o in &self.org {
            out.orgs.push(resolve::org(g, idx, o)?);
        }
        let date = |name: &str, v: &str| {
            search::date_range(v).map_err(|e| Error::invalid(name, e.to_string()))
        };
        if let Some(d) = &self.from {
            out.from = Some(date("from", d)?.0);
        }
        if let Some(d) = &self.to {
            out.to = Some(date("to", d)?.1);
        }
        if let (Some(from), Some(to), Some(f), Some(t)) = (out.from, out.to, &self.from, &self.to) {
            if from > to {
                return Err(Error::invalid(
                    "to",
                    format!("{t} ends before from ({f}) begins; swap the two dates"),
                ));
            }
        }
        for m in &self.mentions {
            date("mentions", m)?;
            out.mentions.push(m.trim().to_string());
        }
        for s in &self.source {
            out.sources.extend(resolve::source(idx, s)?);
        }
        for a in &self.author {
            out.authors.push(resolve::author(idx, a)?);
        }
        if self.url.iter().any(|u| u.trim().is_empty()) {
            return Err(Error::invalid("url", "empty; give the article's link"));
        }
        if !self.url.is_empty() {
            if idx.fields.url_key.is_none() {
                return Err(Error::invalid(
                    "url",
                    "this index was written before articles could be found by their address; rebuild it (`newsidx ingest ARCHIVE --index INDEX --rebuild`) to find them so",
                ));
            }
            // A link with a query no article was indexed under (a feed's parameters
            // other than the archive's, `?maca=…`, `?ref=…`) is looked up without it
            // where one article is at that address: where several are (`view.php?id=1`,
            // `?id=2`), the query tells them apart, and one that none has finds none.
            let searcher = idx.searcher()?;
            let field = idx.fields.url_key;
            let held = |k: &str| {
                field.map_or(0, |f| {
                    searcher
                        .doc_freq(&tantivy::Term::from_field_text(f, k))
                        .unwrap_or(0)
                })
            };
            out.urls = self
                .url
                .iter()
                .map(|u| crate::index::schema::url_key(u))
                .filter(|k| !k.is_empty())
                .map(|k| match crate::index::schema::url_key_without_query(&k) {
                    Some(path) if held(&k) == 0 && held(path) == 1 => path.to_string(),
                    _ => k,
                })
                .collect();
        }
        for (field, v) in &self.excluded {
            let (kind, values) = match *field {
                "country" => (Excluded::Country, vec![resolve::country(g, idx, v)?]),
                "leader" => (Excluded::Leader, vec![resolve::leader(g, idx, v)?]),
                "org" => (Excluded::Org, vec![resolve::org(g, idx, v)?]),
                "mentions" => {
                    date("mentions", v)?;
                    (Excluded::Mentions, vec![v.trim().to_string()])
                }
                "source" => (Excluded::Source, resolve::source(idx, v)?),
                _ => (Excluded::Author, resolve::author(idx, v)?),
            };
            out.excluded.push((kind, values));
        }
        Ok(out)
    }
}

/// The order of search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (with no words to match, newest first).
    #[default]
    Relevance,
    Newest,
    Oldest,
}

impl Sort {
    const NAMES: [&'static str; 3] = ["relevance", "newest", "oldest"];
    fn from_name(s: &str) -> Sort {
        match s {
            "newest" => Sort::Newest,
            "oldest" => Sort::Oldest,
            _ => Sort::Relevance,
        }
    }
}

/// `GET /api/search`, `newsidx search`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "Params")]
pub struct SearchQuery {
    /// Words (all required), "a phrase", -excluded, a OR b; empty: every article.
    pub q: String,
    pub filters: FilterQuery,
    pub sort: Sort,
    /// Hits per page (at most [`search::MAX_LIMIT`]).
    pub limit: usize,
    pub offset: usize,
    /// Snippets per hit, best first.
    pub snippets: usize,
    /// Characters per snippet.
    pub snippet_chars: usize,
    /// Every copy of near-duplicate articles (by default a group shows once).
    pub all: bool,
    /// Also count the top countries, leaders, organisations and sources over all matches.
    pub facets: bool,
    /// Search the words as typed: no typo correction.
    pub exact: bool,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            q: String::new(),
            filters: FilterQuery::default(),
            sort: Sort::Relevance,
            limit: 10,
            offset: 0,
            snippets: 1,
            snippet_chars: 220,
            all: false,
            facets: false,
            exact: false,
        }
    }
}

/// How many values of each kind the facets list.
pub const FACET_TOP: usize = 10;
/// The kinds the facets count, in the order they are shown.
pub const FACET_KINDS: [&str; 4] = ["country", "leader", "org", "source"];

impl SearchQuery {
    pub const PARAMS: [&'static str; 10] = [
        "q",
        "exact",
        "sort",
        "limit",
        "offset",
        "snippets",
        "snippet_chars",
        "all",
        "facets",
        "(filters)",
    ];

    pub fn from_params(mut p: Params) -> Result<SearchQuery> {
        p.check_size()?;
        let d = SearchQuery::default();
        let q = SearchQuery {
            q: p.take_one("q")?.unwrap_or_default(),
            filters: FilterQuery::take(&mut p)?,
            sort: p
                .take_choice("sort", &Sort::NAMES)?
                .map_or(d.sort, Sort::from_name),
            limit: p.take_usize("limit", d.limit)?,
            offset: p.take_usize("offset", d.offset)?,
            snippets: p.take_usize("snippets", d.snippets)?,
            snippet_chars: p.take_usize("snippet_chars", d.snippet_chars)?,
            all: p.take_bool("all", d.all)?,
            facets: p.take_bool("facets", d.facets)?,
            exact: p.take_bool("exact", d.exact)?,
        };
        p.finish(&known(&Self::PARAMS))?;
        Ok(q)
    }
}

/// The parameter names, with the filters spelt out, for an "unknown parameter" message.
fn known(own: &[&'static str]) -> Vec<&'static str> {
    own.iter()
        .flat_map(|p| {
            if *p == "(filters)" {
                FilterQuery::PARAMS.to_vec()
            } else {
                vec![*p]
            }
        })
        .collect()
}

/// One counted tag value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetValue {
    pub count: u64,
    pub value: String,
}

/// The most frequent values of each tag kind over all matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    pub country: Vec<FacetValue>,
    pub leader: Vec<FacetValue>,
    pub org: Vec<FacetValue>,
    pub source: Vec<FacetValue>,
}

impl Facets {
    /// (kind, values) in display order.
    pub fn kinds(&self) -> [(&'static str, &[FacetValue]); 4] {
        [
            ("country", &self.country),
            ("leader", &self.leader),
            ("org", &self.org),
            ("source", &self.source),
        ]
    }
}

/// The answer to a [`SearchQuery`]. `newsidx search --json` prints each hit as one
/// line and, with facets, [`SearchResponse::facets_line`] last.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    pub hits: Vec<Hit>,
    /// Articles that match every word and the filters.
    pub total: usize,
    /// Stories among them: each near-duplicate group counts once (`total` with
    /// `all`). `offset` and `limit` count stories (entries shown), not articles.
    pub stories: usize,
    /// Articles that match only some of the words (two at least, or one of two),
    /// counted when the page shows one or reaches the end of the full matches (0
    /// otherwise; up to 10,000). The best of them rank among the full matches (a hit
    /// with `partial` true and the words it lacks in `missing`), the rest follow every
    /// full match. With a model, where the matches make fewer than ten entries, the
    /// articles nearest the query in meaning that are no match follow them, as partial
    /// hits (every word they lack in `missing`, score 0, `related` true), counted here
    /// too, as are the related articles a model lifts among the best matches.
    pub partial_total: usize,
    /// Stories among those partial matches.
    pub partial_stories: usize,
    /// True where partial matches follow the full ones but were not counted
    /// (`partial_total` 0): the page showed none of them and did not reach the end of
    /// the full matches. A later page counts them.
    pub partial_uncounted: bool,
    /// True when more articles match than `total` (and `stories`) say: ranked by
    /// relevance, matches are counted up to 10,000 (`search::COUNT_BOUND`).
    pub total_is_lower_bound: bool,
    /// The page as served: `limit` after the cap (0: no hits, only the counts and
    /// facets).
    pub offset: usize,
    pub limit: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    /// What was searched other than as typed, one line each: a field the query named
    /// that does not exist (`foo:bar`, searched as words), a corrected word.
    pub warnings: Vec<String>,
    /// The query as searched when a word of it was corrected (null otherwise).
    pub corrected_query: Option<String>,
}

/// The last line of `newsidx search --json` with `--facets`, or when the query was
/// searched other than as typed (then without `facets`).
#[derive(Debug, Serialize)]
pub struct FacetsLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<&'a Facets>,
    pub total: usize,
    pub stories: usize,
    /// The partial matches, counted as the API's `partial_total`/`partial_stories`.
    pub partial_total: usize,
    pub partial_stories: usize,
    pub partial_uncounted: bool,
    pub total_is_lower_bound: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_query: Option<&'a str>,
}

impl SearchResponse {
    /// The last line of `search --json`, where there is something to say beyond the
    /// hits: facets, warnings or a corrected query.
    pub fn facets_line(&self) -> Option<FacetsLine<'_>> {
        if self.facets.is_none() && self.warnings.is_empty() && self.corrected_query.is_none() {
            return None;
        }
        Some(self.counts_line())
    }

    /// The counts (with facets, warnings and a corrected query where there are any).
    pub fn counts_line(&self) -> FacetsLine<'_> {
        FacetsLine {
            facets: self.facets.as_ref(),
            total: self.total,
            stories: self.stories,
            partial_total: self.partial_total,
            partial_stories: self.partial_stories,
            partial_uncounted: self.partial_uncounted,
            total_is_lower_bound: self.total_is_lower_bound,
            warnings: &self.warnings,
            corrected_query: self.corrected_query.as_deref(),
        }
    }
}

/// Is the organisation tag `name` another than the one typed (an agency or organ
/// folded into its parent: UNICEF, United Nations), rather than the same one by
/// another name (UN, U.N., North Atlantic Treaty Organization for NATO)?
fn org_broader(typed: &str, name: &str) -> bool {
    let letters = |s: &str| -> String {
        search::resolve::fold(s)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect()
    };
    // The first letters of the words, with and without the function words ("of",
    // "the"): OIC, LoA.
    let initials = |s: &str, all: bool| -> String {
        search::resolve::fold(&s.replace(|c: char| !c.is_alphanumeric(), " "))
            .split_whitespace()
            .filter(|w| all || !matches!(*w, "of" | "the" | "for" | "and"))
            .filter_map(|w| w.chars().next())
            .collect()
    };
    let (t, n) = (letters(typed), letters(name));
    let abbreviates =
        |long: &str, short: &str| initials(long, false) == short || initials(long, true) == short;
    !(t.is_empty() || t == n || abbreviates(name, &t) || abbreviates(typed, &n))
}

/// A query as it is searched: misspelt words corrected, `name:value` fields taken out
/// as filters, the filters resolved to index values, and what was searched other
/// than as typed said in `warnings`.
struct Prepared {
    text: String,
    filters: Filters,
    warnings: Vec<String>,
    corrected: Option<String>,
}

fn prepare(idx: &NewsIndex, q: &SearchQuery) -> Result<Prepared> {
    prepare_query(idx, &q.q, &q.filters, q.exact)
}

/// [`prepare`] for any command that takes a query: search, timeline, tags.
fn prepare_query(
    idx: &NewsIndex,
    query: &str,
    filters: &FilterQuery,
    exact: bool,
) -> Result<Prepared> {
    // A misspelt word is corrected first (fields are left as typed), so that
    // `corrected_query` is the whole query as searched.
    // Fields are read from the query as typed; the words of a field's value
    // (`country:american samoa`) are not corrected. A corrected query is read again
    // (its words changed, its fields did not); one that stands is read once.
    // Marks of other engines' syntax (`|`, `~2`, a leading `*`) are read as newsidx's
    // or left out, and said.
    let (marked, mut said_of_marks) = foreign_marks(query);
    let query = marked.as_deref().unwrap_or(query);
    let as_typed = filters.with_query_fields(idx, query);
    let corrected = if exact {
        None
    } else {
        let keep: Vec<String> = as_typed
            .1
            .values_typed()
            .filter(|v| !filters.values_typed().any(|f| f == *v))
            .flat_map(|v| v.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect();
        search::correct::correct_keeping(idx, query, &keep)
    };
    let typed = corrected.as_ref().map_or(query, |c| c.query.as_str());
    let (text, filters, mut warnings) = match &corrected {
        Some(c) => filters.with_query_fields(idx, &c.query),
        None => as_typed,
    };
    // An organisation's abbreviation typed in capitals (`WHO`, `UN`, `NATO`), or a
    // country's name (`US`, `UK`), names it, as the tagger reads it in the articles (it
    // reads capitals as written): the word is held by the articles tagged with it
    // (`rank::tagged`; a partial match may lack it). The index holds words without
    // case, so `WHO` alone had matched every "who", `UN` "Kim Jong Un", `US` every "us".
    for (word, a) in search::rank::abbreviations(idx, &text) {
        warnings.push(match word.strip_prefix("the ") {
            Some(w) => format!(
                "\"{word}\" is read as the {} {}: the articles tagged with it (type \"{w}\" in quotes for the word alone)",
                a.kind.noun(),
                a.name
            ),
            None => format!(
                "{word} in capitals is read as the {} {}: the articles tagged with it (type \"{}\" in lower case for the word alone)",
                a.kind.noun(),
                a.name,
                word.to_lowercase()
            ),
        });
    }
    if filters.via_place
        && filters.country.is_empty()
        && !filters.excluded.iter().any(|(f, _)| *f == "country")
    {
        warnings.push(
            "--via-place (via_place in the API) widens a country filter to articles that name the country through a city or region; with no country given it changes nothing"
                .to_string(),
        );
    }
    if let Some(c) = &corrected {
        warnings.push(format!(
            "showing results for {}; search exactly for {} with --exact (exact=true in the API)",
            c.query.trim(),
            query.trim()
        ));
    }
    // A query of marks alone (`!!!`, `OR`, an emoji) has no word to search: every
    // article the filters allow is listed, and the warning says why.
    // An excluded word beside OR is excluded from the whole query (`rank::parse`).
    let words: Vec<&str> = text.split_whitespace().collect();
    for (k, w) in words.iter().enumerate() {
        let beside_or = (k > 0 && words[k - 1] == "OR") || words.get(k + 1) == Some(&"OR");
        if beside_or && w.starts_with('-') && w.len() > 1 {
            warnings.push(format!(
                "{w}: an excluded word is no alternative of OR; it is excluded from the whole query"
            ));
        }
    }
    if let Some(w) = lowercase_operator(&text) {
        warnings.push(w);
    }
    // A quote left open is searched as a phrase to the end of the query: said, since
    // the words might have been meant apart.
    if let Some(at) = search::open_quote(query) {
        let rest = query[at..].chars().skip(1).collect::<String>();
        if rest.chars().any(char::is_alphanumeric) {
            warnings.push(format!(
                "the quote before {:?} is not closed; searched as one phrase to the end of the query (close it where the phrase ends, or drop it to search the words apart)",
                rest.trim()
            ));
        }
    }
    warnings.append(&mut said_of_marks);
    // An excluded word no article holds leaves nothing out (`refugees -Merkle`): said,
    // so that the list is not taken for one without those articles.
    for w in text.split_whitespace() {
        let Some(searched) = w.strip_prefix('-') else {
            continue;
        };
        // (`-title:Merkle`: no title holds it.)
        let word = search::rank::strip_title(searched).unwrap_or(searched);
        if word.chars().all(char::is_alphanumeric)
            && !word.is_empty()
            && search::rank::text_query(idx, searched, search::rank::Ranking::News).and_then(|q| {
                idx.searcher()
                    .ok()?
                    .search(&*q, &tantivy::collector::Count)
                    .ok()
            }) == Some(0)
        {
            let place = if word.len() < searched.len() {
                " in its title"
            } else {
                ""
            };
            warnings.push(format!(
                "-{searched}: no article holds \"{word}\"{place}, so nothing was left out; check its spelling"
            ));
        }
    }
    // (An operator that fields left alone, the `OR` of `source:cnn OR source:bbc`, is
    // dropped in the search: nothing to say of it. `OR` typed alone is said.)
    let left = if text.trim() != typed.trim() {
        search::tidy_operators(&text)
    } else {
        text.clone()
    };
    if !left.trim().is_empty()
        && search::rank::text_query(idx, &left, search::rank::Ranking::News).is_none()
    {
        warnings.push(format!(
            "nothing in {:?} can be searched (no word, number or name); listing every article the filters allow, newest first",
            left.trim()
        ));
    }
    let resolved = filters.resolve(idx)?;
    // An agency or organ is counted as its parent organisation (UNICEF as the United
    // Nations): said, so that the parent's articles are not taken for the agency's.
    for (typed, name) in filters.org.iter().zip(&resolved.orgs) {
        if org_broader(typed, name) {
            warnings.push(format!(
                "organisation '{}' is counted as {name}, which covers it (an agency or organ counts as its parent): every article tagged {name} matches",
                typed.trim()
            ));
        }
    }
    // A field typed twice is said once.
    let mut said = std::collections::HashSet::new();
    warnings.retain(|w| said.insert(w.clone()));
    Ok(Prepared {
        text,
        filters: resolved,
        warnings,
        corrected: corrected.map(|c| c.query),
    })
}

/// Other engines' marks in `query`, outside quotes: `|` and `||` between words are read
/// as OR; `~N` after a word or phrase (Lucene's fuzzy and proximity searches) is left
/// out, as misspelt words are corrected on their own and words near each other rank
/// higher; a `*` before a word (no word starts with anything) is left out. The query
/// as searched, where it changed, and what to say of it.
fn foreign_marks(query: &str) -> (Option<String>, Vec<String>) {
    let mut out: Vec<String> = Vec::new();
    let mut said: Vec<String> = Vec::new();
    let mut in_quotes = false;
    let mut changed = false;
    for w in query.split(' ') {
        let quoted = in_quotes;
        if w.matches('"').count() % 2 == 1 {
            in_quotes = !in_quotes;
        }
        if quoted && !w.contains('"') {
            out.push(w.to_string());
            continue;
        }
        let mut w = w.to_string();
        if !quoted && matches!(w.as_str(), "|" | "||") {
            said.push(format!(
                "'{w}' is read as OR (newsidx writes OR in capitals)"
            ));
            out.push("OR".into());
            changed = true;
            continue;
        }
        // word~2, "a phrase"~3, word~
        if let Some(at) = w.rfind('~') {
            let (head, tail) = w.split_at(at);
            if !head.is_empty()
                && head
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_alphanumeric() || c == '"')
                && tail[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
            {
                said.push(format!(
                    "'{tail}' after {head} is left out: misspelt words are corrected without it, and words near each other rank higher"
                ));
                w = head.to_string();
                changed = true;
            }
        }
        if !quoted && w.len() > 1 && w.starts_with('*') && w[1..].starts_with(char::is_alphanumeric)
        {
            said.push(format!(
                "{w}: a word cannot start with '*'; searched as {}",
                &w[1..]
            ));
            w = w[1..].to_string();
            changed = true;
        }
        out.push(w);
    }
    (changed.then(|| out.join(" ")), said)
}

/// A lower-case `or` or `not` between two words, outside quotes, is searched as a
/// word (a function word: not required), not as the operator a user of Google or
/// Elasticsearch may mean: `trump or clinton` finds the articles naming both. Said,
/// with the query as the operator would have it.
fn lowercase_operator(text: &str) -> Option<String> {
    let mut in_quotes = false;
    let mut words: Vec<(&str, bool)> = Vec::new();
    for w in text.split_whitespace() {
        let quoted = in_quotes || w.contains('"');
        if w.matches('"').count() % 2 == 1 {
            in_quotes = !in_quotes;
        }
        words.push((w, quoted));
    }
    let plain = |k: usize| {
        words.get(k).is_some_and(|&(w, quoted)| {
            !quoted && !w.starts_with('-') && !matches!(w, "OR" | "AND" | "NOT")
        })
    };
    let k = (1..words.len().saturating_sub(1)).find(|&k| {
        !words[k].1 && matches!(words[k].0, "or" | "not") && plain(k - 1) && plain(k + 1)
    })?;
    let (w, next) = (words[k].0, words[k + 1].0);
    let mut as_meant: Vec<String> = words.iter().map(|w| w.0.to_string()).collect();
    if w == "or" {
        as_meant[k] = "OR".into();
        Some(format!(
            "'or' in lower case is searched as a word, so every other word is required; for articles with either word write OR in capitals: {}",
            as_meant.join(" ")
        ))
    } else {
        as_meant.remove(k);
        as_meant[k] = format!("-{next}");
        Some(format!(
            "'not' in lower case is searched as a word; to leave out the articles that hold a word, put a minus before it: {}",
            as_meant.join(" ")
        ))
    }
}

impl From<Sort> for search::Sort {
    fn from(s: Sort) -> search::Sort {
        match s {
            Sort::Relevance => search::Sort::Relevance,
            Sort::Newest => search::Sort::Newest,
            Sort::Oldest => search::Sort::Oldest,
        }
    }
}

pub fn search(idx: &NewsIndex, q: &SearchQuery) -> Result<SearchResponse> {
    let Prepared {
        text,
        filters,
        warnings,
        corrected,
    } = prepare(idx, q)?;
    let req = search::SearchRequest {
        query: text,
        filters,
        limit: q.limit,
        offset: q.offset,
        snippet_chars: q.snippet_chars,
        snippets: q.snippets,
        sort: q.sort.into(),
        ranking: search::rank::Ranking::News,
        all_copies: q.all,
    };
    let res = search::search(idx, &req)?;
    let facets = if q.facets {
        Some(facets(idx, &req.query, &req.filters)?)
    } else {
        None
    };
    // Nothing found: the archive's closest words to those it does not hold, offered;
    // with dates asked, the days the archive spans.
    let mut warnings = warnings;
    let nothing = res.total == 0 && res.hits.is_empty() && q.offset == 0;
    if nothing && (req.filters.from.is_some() || req.filters.to.is_some()) {
        if let (Some(first), Some(last)) = crate::index::published_span(&idx.searcher()?) {
            warnings.push(format!(
                "the archive's articles were published from {first} to {last}"
            ));
        }
    }
    if nothing && !q.exact {
        for (typed, close, n) in search::correct::suggestions(idx, &req.query) {
            warnings.push(format!(
                "no article holds \"{typed}\"; the closest word the archive holds is \"{close}\" ({n} {})",
                if n == 1 { "article" } else { "articles" }
            ));
        }
    }
    Ok(SearchResponse {
        hits: res.hits,
        total: res.total,
        stories: res.stories,
        partial_total: res.partial_total,
        partial_stories: res.partial_stories,
        partial_uncounted: res.partial_uncounted,
        total_is_lower_bound: res.total_is_lower_bound,
        offset: q.offset,
        limit: q.limit.min(search::MAX_LIMIT),
        facets,
        warnings,
        corrected_query: corrected,
    })
}

/// The OpenSearch request body that runs this search on an index written by
/// `newsidx export --to opensearch`, with the warnings a search would give (a
/// corrected word is searched corrected, filter values are resolved as for a search).
pub fn opensearch_request(
    idx: &NewsIndex,
    q: &SearchQuery,
) -> Result<(serde_json::Value, Vec<String>)> {
    let Prepared {
        text,
        filters,
        warnings,
        ..
    } = prepare(idx, q)?;
    let opts = crate::export::opensearch::RequestOptions {
        limit: q.limit,
        offset: q.offset,
        sort: q.sort.into(),
        all: q.all,
        facets: q.facets,
        snippets: q.snippets,
        snippet_chars: q.snippet_chars,
    };
    let tagged: Vec<(String, &str, String)> = search::rank::abbreviations(idx, &text)
        .into_iter()
        .map(|(word, a)| {
            // (`the us`: the clause is the word.)
            let word = word
                .strip_prefix("the ")
                .map_or(word.clone(), str::to_string);
            (word, a.kind.flag(), a.tag)
        })
        .collect();
    let body =
        crate::export::opensearch::request(&search::rank::clauses(&text), &tagged, &filters, &opts);
    Ok((body, warnings))
}

fn facets(idx: &NewsIndex, query: &str, filters: &Filters) -> Result<Facets> {
    let (_, counts) = search::tag_counts(idx, query, filters, &FACET_KINDS)?;
    let mut lists = counts.iter().map(|c| {
        search::facets::top(c, FACET_TOP)
            .into_iter()
            .map(|(value, count)| FacetValue { count, value })
            .collect::<Vec<_>>()
    });
    let mut next = || lists.next().unwrap_or_default();
    Ok(Facets {
        country: next(),
        leader: next(),
        org: next(),
        source: next(),
    })
}

/// Another article of the same near-duplicate group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    pub id: String,
    pub title: String,
}

/// One whole article: `GET /api/articles/{id}`, `newsidx show --json`. The tag and
/// date lists are the enrichment as stored at ingest (`countries`: `code`, `name`,
/// `via_place`, `mentions`; `leaders`: `name`, `country`, `inferred`, `mentions`;
/// `orgs`: `name`, `mentions`; `dates`: `text`, `start`, `end`, `value`, `granularity`;
/// `date_raw`: the date field as written in the file, or null).
/// Fields are in the order `show --json` has always printed them.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleResponse {
    pub authors: Vec<String>,
    pub body: String,
    pub countries: serde_json::Value,
    /// The date field as the article's file wrote it (kept also when it could not be
    /// read as a date or lies outside the index's range), or null.
    pub date_raw: serde_json::Value,
    pub dates: serde_json::Value,
    pub group: String,
    pub id: String,
    pub leaders: serde_json::Value,
    pub orgs: serde_json::Value,
    pub path: String,
    pub published: Option<String>,
    pub published_from: Option<String>,
    pub record: Option<u64>,
    /// The other members of its near-duplicate group.
    pub similar: Vec<GroupMember>,
    /// The outlet (`CNN`), as in a hit.
    pub source: Option<String>,
    /// The source as the article's file gave it (`edition.cnn.com`), or null.
    pub source_raw: Option<String>,
    pub subtitle: Option<String>,
    pub title: String,
    pub url: Option<String>,
}

pub fn article(idx: &NewsIndex, id: &str) -> Result<ArticleResponse> {
    let Some((searcher, _, doc)) = search::find(idx, id)? else {
        return Err(Error::UnknownArticle(id.to_string()));
    };
    article_from_doc(idx, &searcher, &doc)
}

/// One stored article as `show --json` prints it. `show`, the API and `export` all go
/// through it, and through [`article_from_stored`], the one place that turns a
/// document into that record.
pub fn article_from_doc(
    idx: &NewsIndex,
    searcher: &tantivy::Searcher,
    doc: &tantivy::TantivyDocument,
) -> Result<ArticleResponse> {
    use tantivy::schema::Value;
    let f = idx.fields;
    let group = doc
        .get_first(f.group)
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let id = doc
        .get_first(f.id)
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    // Most groups are one article: a group term in at most one document (deleted
    // ones counted) has no other member, and the lookup is skipped.
    let alone = || -> Result<bool> {
        let t = tantivy::Term::from_field_text(f.group, group);
        Ok(searcher.doc_freq(&t)? <= 1)
    };
    let similar = if group.is_empty() || alone()? {
        vec![]
    } else {
        search::group_members(idx, searcher, group)?
            .into_iter()
            .filter(|m| m.id != id)
            .map(|m| GroupMember {
                id: m.id,
                title: m.title,
            })
            .collect()
    };
    Ok(article_from_stored(
        &f,
        doc,
        &|raw| idx.canonical_source(raw).into_owned(),
        similar,
    ))
}

/// The record `show --json` prints of an article's document (as stored, or as
/// [`crate::index::article_doc_from`] makes it, its `group` added), given how to name
/// a source's outlet and the other members of its near-duplicate group. An export of
/// enriched records makes its documents through this too, so an exported document is
/// the same whichever the source.
pub fn article_from_stored(
    f: &crate::index::schema::Fields,
    doc: &tantivy::TantivyDocument,
    outlet: &dyn Fn(&str) -> String,
    similar: Vec<GroupMember>,
) -> ArticleResponse {
    use tantivy::schema::Value;
    let get = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let (title, subtitle, body) = (get(f.title), get(f.subtitle), get(f.body));
    let mut enrichment = crate::index::stored::read(
        &get(f.enrichment).unwrap_or_default(),
        [
            title.as_deref().unwrap_or_default(),
            subtitle.as_deref().unwrap_or_default(),
            body.as_deref().unwrap_or_default(),
        ],
    );
    let take =
        |v: &mut serde_json::Value, k: &str| v.get_mut(k).map(std::mem::take).unwrap_or_default();
    let mut tags = take(&mut enrichment, "tags");
    let source_raw = get(f.source);
    ArticleResponse {
        authors: doc
            .get_all(f.authors)
            .filter_map(|v| v.as_str())
            .map(str::to_string)
            .collect(),
        body: body.unwrap_or_default(),
        countries: take(&mut tags, "countries"),
        date_raw: take(&mut enrichment, "date_raw"),
        dates: take(&mut enrichment, "dates"),
        leaders: take(&mut tags, "leaders"),
        orgs: take(&mut tags, "orgs"),
        group: get(f.group).unwrap_or_default(),
        id: get(f.id).unwrap_or_default(),
        path: get(f.path).unwrap_or_default(),
        published: doc
            .get_first(f.published)
            .and_then(|v| v.as_datetime())
            .and_then(crate::index::date_from_tantivy)
            .map(|d| d.format("%Y-%m-%d").to_string()),
        published_from: get(f.published_from),
        record: doc.get_first(f.record).and_then(|v| v.as_u64()),
        similar,
        source: source_raw.as_deref().map(outlet),
        source_raw,
        subtitle,
        title: title.unwrap_or_default(),
        url: get(f.url),
    }
}

/// `GET /api/articles/{id}/similar`, `newsidx similar`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimilarQuery {
    pub id: String,
    pub filters: FilterQuery,
    pub limit: usize,
}

impl SimilarQuery {
    pub const PARAMS: [&'static str; 2] = ["limit", "(filters)"];

    /// The parameters besides the id (which an HTTP route takes from its path).
    pub fn from_params(id: &str, mut p: Params) -> Result<SimilarQuery> {
        p.check_size()?;
        let q = SimilarQuery {
            id: id.to_string(),
            filters: FilterQuery::take(&mut p)?,
            limit: p.take_usize("limit", 10)?,
        };
        p.finish(&known(&Self::PARAMS))?;
        Ok(q)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SimilarResponse {
    pub hits: Vec<Hit>,
}

pub fn similar(idx: &NewsIndex, q: &SimilarQuery) -> Result<SimilarResponse> {
    let filters = q.filters.resolve(idx)?;
    match search::similar(idx, &q.id, &filters, q.limit)? {
        Some(hits) => Ok(SimilarResponse { hits }),
        None => Err(Error::UnknownArticle(q.id.clone())),
    }
}

/// `GET /api/timeline`, `newsidx timeline`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "Params")]
pub struct TimelineQuery {
    pub q: String,
    pub filters: FilterQuery,
    pub by: Period,
    /// Split each period's count by the most frequent values of this tag kind.
    pub split_by: Option<&'static str>,
    /// How many values to split by.
    pub top: usize,
    /// Count the words as typed: no typo correction.
    pub exact: bool,
}

impl Default for TimelineQuery {
    fn default() -> Self {
        TimelineQuery {
            q: String::new(),
            filters: FilterQuery::default(),
            by: Period::Month,
            split_by: None,
            top: 5,
            exact: false,
        }
    }
}

/// Tag kinds that can split a timeline or be counted.
pub const TAG_KINDS: [&str; 4] = ["country", "leader", "org", "source"];

impl TimelineQuery {
    pub const PARAMS: [&'static str; 6] = ["q", "by", "split_by", "top", "exact", "(filters)"];

    pub fn from_params(mut p: Params) -> Result<TimelineQuery> {
        p.check_size()?;
        let d = TimelineQuery::default();
        let q = TimelineQuery {
            q: p.take_one("q")?.unwrap_or_default(),
            filters: FilterQuery::take(&mut p)?,
            by: match p.take_choice("by", &["day", "week", "month", "year"])? {
                Some("day") => Period::Day,
                Some("week") => Period::Week,
                Some("year") => Period::Year,
                Some(_) => Period::Month,
                None => d.by,
            },
            split_by: p.take_choice("split_by", &TAG_KINDS)?,
            top: p.take_usize("top", d.top)?,
            exact: p.take_bool("exact", d.exact)?,
        };
        p.finish(&known(&Self::PARAMS))?;
        Ok(q)
    }
}

/// Matches per period, oldest first, empty periods included. `newsidx timeline --json`
/// prints each period as one line.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineResponse {
    pub periods: Vec<search::timeline::Row>,
    /// Matches without a publication date (not in any period).
    pub undated: u64,
    /// What was counted other than as typed, as in a search.
    pub warnings: Vec<String>,
    /// The query as counted when a word of it was corrected (null otherwise).
    pub corrected_query: Option<String>,
}

pub fn timeline(idx: &NewsIndex, q: &TimelineQuery) -> Result<TimelineResponse> {
    let Prepared {
        text,
        filters,
        warnings,
        corrected,
    } = prepare_query(idx, &q.q, &q.filters, q.exact)?;
    let (periods, undated) =
        search::timeline(idx, &text, &filters, q.by, q.split_by, q.top.max(1))?;
    Ok(TimelineResponse {
        periods,
        undated,
        warnings,
        corrected_query: corrected,
    })
}

/// `GET /api/tags`, `newsidx tags`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "Params")]
pub struct TagsQuery {
    /// Count over the matches of this query (empty: the whole index).
    pub q: String,
    pub filters: FilterQuery,
    /// One kind (default: country, leader and org).
    pub kind: Option<&'static str>,
    /// Values per kind.
    pub limit: usize,
    /// List the rare values instead (carried by at most `max_articles` matches),
    /// rarest first, each with its articles and the words that triggered it.
    pub rare: bool,
    /// The most articles a rare value is carried by.
    pub max_articles: usize,
    /// Count over the words as typed: no typo correction.
    pub exact: bool,
}

impl Default for TagsQuery {
    fn default() -> Self {
        TagsQuery {
            q: String::new(),
            filters: FilterQuery::default(),
            kind: None,
            limit: 20,
            rare: false,
            max_articles: 8,
            exact: false,
        }
    }
}

impl TagsQuery {
    pub const PARAMS: [&'static str; 7] = [
        "q",
        "kind",
        "limit",
        "rare",
        "max_articles",
        "exact",
        "(filters)",
    ];

    pub fn from_params(mut p: Params) -> Result<TagsQuery> {
        p.check_size()?;
        let d = TagsQuery::default();
        let q = TagsQuery {
            q: p.take_one("q")?.unwrap_or_default(),
            filters: FilterQuery::take(&mut p)?,
            kind: p.take_choice("kind", &TAG_KINDS)?,
            limit: p.take_usize("limit", d.limit)?,
            rare: p.take_bool("rare", d.rare)?,
            max_articles: p.take_usize("max_articles", d.max_articles)?,
            exact: p.take_bool("exact", d.exact)?,
        };
        p.finish(&known(&Self::PARAMS))?;
        Ok(q)
    }
}

/// How many article ids a rare value lists.
pub const RARE_ARTICLES_SHOWN: usize = 3;

/// A value carried by few matching articles, with what to audit it by (one line of
/// `newsidx tags --rare --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RareTag {
    pub kind: &'static str,
    pub value: String,
    /// Matching articles that carry it.
    pub count: u64,
    /// The ids of the first [`RARE_ARTICLES_SHOWN`] of them.
    pub articles: Vec<String>,
    /// The distinct texts that triggered the tag in those articles (all of them, not
    /// only the ones listed), sorted.
    pub triggers: Vec<String>,
}

/// One tag value and how many matching articles carry it (one line of
/// `newsidx tags --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagCount {
    pub count: u64,
    pub kind: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagsResponse {
    /// Matching articles.
    pub articles: usize,
    /// How many different values of each counted kind the matches carry.
    pub distinct: BTreeMap<&'static str, usize>,
    /// The most frequent values, kind by kind, most frequent first (with `rare`: the
    /// rare values, kind by kind, rarest first).
    pub tags: Vec<TagCount>,
    /// With `rare`: the same values with their articles and trigger words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare: Option<Vec<RareTag>>,
    /// What was counted other than as typed, as in a search.
    pub warnings: Vec<String>,
    /// The query as counted when a word of it was corrected (null otherwise).
    pub corrected_query: Option<String>,
}

pub fn tags(idx: &NewsIndex, q: &TagsQuery) -> Result<TagsResponse> {
    let Prepared {
        text,
        filters,
        warnings,
        corrected,
    } = prepare_query(idx, &q.q, &q.filters, q.exact)?;
    let kinds: Vec<&'static str> = match q.kind {
        Some(k) => vec![k],
        None => vec!["country", "leader", "org"],
    };
    if q.rare && q.kind == Some("source") {
        return Err(Error::invalid(
            "kind",
            "rare lists country, leader or org tags: a source is not found by words",
        ));
    }
    let (articles, counts) = search::tag_counts(idx, &text, &filters, &kinds)?;
    let mut distinct = BTreeMap::new();
    let mut tags = Vec::new();
    for (kind, c) in kinds.iter().zip(&counts) {
        distinct.insert(*kind, c.len());
        let values = if q.rare {
            rarest(c, q.max_articles, q.limit)
        } else {
            search::facets::top(c, q.limit)
        };
        for (value, count) in values {
            tags.push(TagCount { count, kind, value });
        }
    }
    let rare = if q.rare {
        Some(rare_tags(idx, &text, &filters, &kinds, &tags)?)
    } else {
        None
    };
    Ok(TagsResponse {
        articles,
        distinct,
        tags,
        rare,
        warnings,
        corrected_query: corrected,
    })
}

/// The values carried by at most `max` matches, rarest first, ties by name.
fn rarest(
    counts: &std::collections::HashMap<String, u64>,
    max: usize,
    limit: usize,
) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts
        .iter()
        .filter(|(_, n)| **n <= max as u64)
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(limit);
    v
}

/// The rare values' articles and trigger words, read from each article's stored
/// enrichment (the mentions `show` prints), in one pass over the matches.
fn rare_tags(
    idx: &NewsIndex,
    text: &str,
    filters: &Filters,
    kinds: &[&'static str],
    tags: &[TagCount],
) -> Result<Vec<RareTag>> {
    use std::collections::{BTreeSet, HashMap, HashSet};
    use tantivy::schema::Value;
    let wanted = kinds
        .iter()
        .map(|k| {
            let values: HashSet<String> = tags
                .iter()
                .filter(|t| t.kind == *k)
                .map(|t| t.value.clone())
                .collect();
            (*k, values)
        })
        .collect();
    let (searcher, found) = search::tag_articles(idx, text, filters, wanted)?;
    // An article carrying several rare values is read once.
    let mut docs: HashMap<tantivy::DocAddress, (String, serde_json::Value)> = HashMap::new();
    let mut out = Vec::with_capacity(tags.len());
    for t in tags {
        let i = kinds.iter().position(|k| *k == t.kind).unwrap_or(0);
        let addrs = found
            .get(i)
            .and_then(|m| m.get(&t.value))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut ids = Vec::new();
        let mut triggers = BTreeSet::new();
        for addr in addrs {
            if !docs.contains_key(addr) {
                let doc: tantivy::TantivyDocument = searcher.doc(*addr)?;
                let get = |field| {
                    doc.get_first(field)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string()
                };
                let f = &idx.fields;
                let enrichment = crate::index::stored::read(
                    &get(f.enrichment),
                    [&get(f.title), &get(f.subtitle), &get(f.body)],
                );
                docs.insert(*addr, (get(idx.fields.id), enrichment));
            }
            let (id, enrichment) = &docs[addr];
            ids.push(id.clone());
            triggers.extend(mention_texts(enrichment, t.kind, &t.value));
        }
        ids.sort();
        ids.truncate(RARE_ARTICLES_SHOWN);
        out.push(RareTag {
            kind: t.kind,
            value: t.value.clone(),
            count: t.count,
            articles: ids,
            triggers: triggers.into_iter().collect(),
        });
    }
    Ok(out)
}

/// The texts of the mentions that gave an article this tag, from its stored
/// enrichment (`tags.countries[].code`, `tags.leaders[].name`, `tags.orgs[].name`).
fn mention_texts(enrichment: &serde_json::Value, kind: &str, value: &str) -> Vec<String> {
    let (list, key) = match kind {
        "country" => ("countries", "code"),
        "leader" => ("leaders", "name"),
        _ => ("orgs", "name"),
    };
    enrichment["tags"][list]
        .as_array()
        .into_iter()
        .flatten()
        // A country named only through a place is counted apart (`--via-place`).
        .filter(|t| t[key] == value && t["via_place"] != true)
        .flat_map(|t| t["mentions"].as_array().into_iter().flatten())
        .filter_map(|m| m["text"].as_str().map(str::to_string))
        .collect()
}

/// `GET /api/stats`, `newsidx stats --json`.
pub fn stats(idx: &NewsIndex) -> Result<Stats> {
    crate::index::stats(idx)
}

impl TryFrom<Params> for SearchQuery {
    type Error = Error;
    fn try_from(p: Params) -> Result<Self> {
        SearchQuery::from_params(p)
    }
}

impl TryFrom<Params> for TimelineQuery {
    type Error = Error;
    fn try_from(p: Params) -> Result<Self> {
        TimelineQuery::from_params(p)
    }
}

impl TryFrom<Params> for TagsQuery {
    type Error = Error;
    fn try_from(p: Params) -> Result<Self> {
        TagsQuery::from_params(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisation_by_another_name_is_the_same_an_agency_is_not() {
        for (typed, name) in [
            ("UN", "United Nations"),
            ("U.N.", "United Nations"),
            ("united nations", "United Nations"),
            ("North Atlantic Treaty Organization", "NATO"),
            ("Nato", "NATO"),
            ("G-20", "G20"),
            ("World Health Organisation", "WHO"),
            ("Asia-Pacific Economic Cooperation", "APEC"),
            ("EU", "European Union"),
            ("LoA", "League of Atlantis"),
            ("Organisation of Islamic Cooperation", "OIC"),
        ] {
            assert!(!org_broader(typed, name), "{typed}");
        }
        for (typed, name) in [
            ("UNICEF", "United Nations"),
            ("Security Council", "United Nations"),
            ("European Commission", "European Union"),
            ("G8", "G7"),
        ] {
            assert!(org_broader(typed, name), "{typed}");
        }
    }

    #[test]
    fn requests_read_the_same_from_a_url_query_and_json() {
        let from_url = SearchQuery::from_params(Params::from_query(
            "q=taiwan&country=TW&country=us&limit=5&facets&sort=newest&snippet-chars=80",
        ))
        .unwrap();
        let from_json: SearchQuery = serde_json::from_str(
            r#"{"q":"taiwan","country":["TW","us"],"limit":5,"facets":true,"sort":"newest","snippet_chars":80}"#,
        )
        .unwrap();
        assert_eq!(from_url, from_json);
        assert_eq!(from_url.filters.country, vec!["TW", "us"]);
        assert_eq!((from_url.snippets, from_url.offset), (1, 0));
        let e = serde_json::from_str::<SearchQuery>(r#"{"limit":"many"}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("limit: 'many' is not a whole number"),
            "{e}"
        );
        let t: TimelineQuery = serde_json::from_str(r#"{"by":"year","split_by":"org"}"#).unwrap();
        assert_eq!((t.by, t.split_by, t.top), (Period::Year, Some("org"), 5));
        let g: TagsQuery = serde_json::from_str(r#"{"kind":"source"}"#).unwrap();
        assert_eq!((g.kind, g.limit), (Some("source"), 20));
        let r = TagsQuery::from_params(Params::from_query("rare&max_articles=2")).unwrap();
        assert_eq!((r.rare, r.max_articles, r.limit), (true, 2, 20));
        assert_eq!(
            SearchQuery::from_params(Params::default()).unwrap(),
            SearchQuery::default()
        );
    }
}
