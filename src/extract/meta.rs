//! What a page says about itself: title, authors, dates, canonical url, site name,
//! language — from JSON-LD, `<meta>` tags (OpenGraph, `article:*`, Dublin Core…),
//! microdata (`itemprop`), `<time>` elements, the url and, last, the text.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use super::dom::{Dom, NodeId, Tag};
use crate::article::DateSource;
use crate::enrich::dates::{date_from_path, parse_date};

/// The page's `<meta>` values by lower-case key (`property`, `name`, `itemprop` or
/// `http-equiv`), first one kept; plus what its JSON-LD says about the article.
#[derive(Debug, Default)]
pub struct Meta {
    pairs: Vec<(String, String)>,
    pub ld: LinkedData,
}

/// The parts of a page's JSON-LD that describe its article.
#[derive(Debug, Default)]
pub struct LinkedData {
    /// An `Article` type (or a subtype) was found.
    pub is_article: bool,
    pub headline: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub authors: Vec<String>,
    pub publisher: Option<String>,
    pub language: Option<String>,
    pub url: Option<String>,
}

impl Meta {
    pub fn read(dom: &Dom) -> Meta {
        let mut meta = Meta::default();
        for id in dom.elements(Tag::Meta) {
            let key = ["property", "name", "itemprop", "http-equiv"]
                .iter()
                .find_map(|k| dom.attr(id, k))
                .map(|k| k.trim().to_ascii_lowercase());
            let (Some(key), Some(value)) = (key, dom.attr(id, "content")) else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() || meta.get(&key).is_some() {
                continue;
            }
            meta.pairs.push((key, value.to_string()));
        }
        for id in dom.elements(Tag::Script) {
            let ty = dom.attr(id, "type").unwrap_or("");
            if !ty.trim().eq_ignore_ascii_case("application/ld+json") {
                continue;
            }
            let raw = dom.raw_text(id);
            let raw = raw
                .trim()
                .trim_start_matches("<!--")
                .trim_start_matches("//<![CDATA[")
                .trim_end_matches("-->")
                .trim_end_matches("//]]>");
            if let Ok(v) = serde_json::from_str::<Value>(raw.trim()) {
                meta.ld.absorb(&v, 0);
            }
        }
        meta
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| self.get(k))
    }
}

const ARTICLE_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "techarticle",
    "scholarlyarticle",
    "report",
];

fn types_of(v: &Value) -> Vec<String> {
    match v.get("@type") {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect(),
        _ => Vec::new(),
    }
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Array(a) => a.iter().find_map(string_of),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("@value"))
            .or_else(|| o.get("@id"))
            .and_then(string_of),
        _ => None,
    }
}

fn names_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let s = s.trim();
            if !s.is_empty() && !s.starts_with("http") {
                out.push(s.to_string());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| names_of(x, out)),
        Value::Object(o) => {
            if let Some(n) = o.get("name") {
                names_of(n, out);
            }
        }
        _ => {}
    }
}

impl LinkedData {
    fn absorb(&mut self, v: &Value, depth: usize) {
        if depth > 8 {
            return;
        }
        match v {
            Value::Array(a) => a.iter().for_each(|x| self.absorb(x, depth + 1)),
            Value::Object(o) => {
                if let Some(g) = o.get("@graph") {
                    self.absorb(g, depth + 1);
                }
                let types = types_of(v);
                let article = types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str()));
                let page = types.iter().any(|t| t == "webpage");
                if article || (page && !self.is_article) {
                    // The first article wins; a plain WebPage fills only what is missing.
                    let fill = |slot: &mut Option<String>, key: &str| {
                        if slot.is_none() {
                            *slot = o.get(key).and_then(string_of);
                        }
                    };
                    fill(&mut self.headline, "headline");
                    fill(&mut self.published, "datePublished");
                    fill(&mut self.modified, "dateModified");
                    fill(&mut self.language, "inLanguage");
                    if article {
                        fill(&mut self.published, "dateCreated");
                        fill(&mut self.url, "url");
                        if self.publisher.is_none() {
                            self.publisher = o.get("publisher").and_then(string_of);
                        }
                        if self.authors.is_empty() {
                            if let Some(a) = o.get("author").or_else(|| o.get("creator")) {
                                names_of(a, &mut self.authors);
                            }
                        }
                    }
                    if article {
                        self.is_article = true;
                    }
                }
                if let Some(m) = o.get("mainEntity") {
                    self.absorb(m, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// A date and where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    pub date: NaiveDate,
    pub from: DateSource,
}

/// Dates a page can carry: not before the web's news archives, not after `latest`
/// (the capture date, or today).
fn plausible(d: NaiveDate, latest: NaiveDate) -> bool {
    d >= NaiveDate::from_ymd_opt(1995, 1, 1).expect("valid") && d <= latest
}

const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "og:published_time",
    "published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published-date",
    "article.published",
    "article_date_original",
    "original-publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "cxenseparse:recs:publishtime",
    "citation_publication_date",
    "citation_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
    "displaydate",
    "dateline",
    "og:pubdate",
    "rnews:datepublished",
    "bt:pubdate",
    "datecreated",
];

const MODIFIED_META: &[&str] = &[
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "modified_time",
    "lastmod",
    "last-modified",
    "dc.date.modified",
    "dcterms.modified",
    "parsely-updated",
    "revised",
];

/// The publication date, in htmldate's order: a full date in the url's path, JSON-LD,
/// `<meta>`, microdata, `<time>` elements, then a date written near the headline.
///
/// Metadata often gives the instant in UTC (or mislabels the zone), so for an
/// evening story in the Americas it names the next day; the url and the byline
/// carry the site's own calendar day. So when the page *shows* a date (the byline's
/// date line, a `<time>` element's text) one day from the one found in that order,
/// the shown one wins: one day earlier always (an update is never before the
/// publication), one day later unless it is marked as an update.
pub fn published(dom: &Dom, meta: &Meta, url: Option<&str>, latest: NaiveDate) -> Option<Dated> {
    let Some(found) = structured_published(dom, meta, url, latest) else {
        return text_date(dom, latest)
            .map(|s| s.date)
            .or_else(|| before_headline_date(dom, latest))
            .map(|d| Dated {
                date: d,
                from: DateSource::Text,
            });
    };
    if let Some(shown) = shown_date(dom, latest) {
        let days = (shown.date - found.date).num_days();
        if days == -1 || (days == 1 && !shown.updated) {
            return Some(Dated {
                date: shown.date,
                from: shown.from,
            });
        }
    }
    Some(found)
}

fn structured_published(
    dom: &Dom,
    meta: &Meta,
    url: Option<&str>,
    latest: NaiveDate,
) -> Option<Dated> {
    let ok = |s: Option<&str>| s.and_then(parse_date).filter(|&d| plausible(d, latest));
    if let Some(d) = url
        .and_then(url_path)
        .and_then(date_from_path)
        .filter(|&d| plausible(d, latest))
    {
        return Some(Dated {
            date: d,
            from: DateSource::Url,
        });
    }
    if let Some(d) = ok(meta.ld.published.as_deref()) {
        return Some(Dated {
            date: d,
            from: DateSource::JsonLd,
        });
    }
    for k in PUBLISHED_META {
        if let Some(d) = ok(meta.get(k)) {
            return Some(Dated {
                date: d,
                from: DateSource::Meta,
            });
        }
    }
    if let Some(d) = itemprop_date(dom, "datepublished", latest)
        .or_else(|| itemprop_date(dom, "datecreated", latest))
    {
        return Some(Dated {
            date: d,
            from: DateSource::Microdata,
        });
    }
    time_element(dom, latest).map(|(_, d)| Dated {
        date: d,
        from: DateSource::Time,
    })
}

/// A date the page shows its readers, and whether it is marked as an update.
struct Shown {
    date: NaiveDate,
    from: DateSource,
    updated: bool,
}

/// The date in the byline (see `text_date`), else the text of the `<time>` element
/// `time_element` picks: "Nov 18, 2019 at 9:24 pm ET" where its `datetime` says
/// 2019-11-19 UTC; "Posted Nov 18, 8:19 PM" takes its year from `datetime`.
fn shown_date(dom: &Dom, latest: NaiveDate) -> Option<Shown> {
    if let Some(s) = text_date(dom, latest) {
        return Some(s);
    }
    let (id, machine) = time_element(dom, latest)?;
    let text = dom.text_content(id);
    let date = text_dates(&text)
        .into_iter()
        .next()
        .or_else(|| month_day(&text, machine))
        .filter(|&d| plausible(d, latest))?;
    Some(Shown {
        date,
        from: DateSource::Time,
        updated: marks_update(&text) || marks_update(dom.attr(id, "class").unwrap_or("")),
    })
}

/// "Updated …", "Last modified …" (and the same in a few other languages), unless
/// the text also says when it was published.
fn marks_update(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "updat",
        "modif",
        "aktualisiert",
        "atualizad",
        "actualizad",
        "aggiornat",
    ]
    .iter()
    .any(|w| t.contains(w))
        && !["publi", "posted", "erschienen"]
            .iter()
            .any(|w| t.contains(w))
}

/// A month and day without a year ("Nov 18", "18 Nov"), given the year by a nearby
/// full date `near` and kept only within a day of it.
fn month_day(text: &str, near: NaiveDate) -> Option<NaiveDate> {
    let words = date_words(text);
    for (i, w) in words.iter().enumerate() {
        let Some(m) = month(w) else { continue };
        let day = words
            .get(i + 1)
            .and_then(|x| day_number(x))
            .or_else(|| i.checked_sub(1).and_then(|k| day_number(words[k])));
        let Some(d) = day else { continue };
        for y in [near.year(), near.year() - 1, near.year() + 1] {
            if let Some(v) = NaiveDate::from_ymd_opt(y, m, d) {
                if (v - near).num_days().abs() <= 1 {
                    return Some(v);
                }
            }
        }
    }
    None
}

pub fn modified(dom: &Dom, meta: &Meta, latest: NaiveDate) -> Option<Dated> {
    let ok = |s: Option<&str>| s.and_then(parse_date).filter(|&d| plausible(d, latest));
    if let Some(d) = ok(meta.ld.modified.as_deref()) {
        return Some(Dated {
            date: d,
            from: DateSource::JsonLd,
        });
    }
    if let Some(d) = MODIFIED_META.iter().find_map(|k| ok(meta.get(k))) {
        return Some(Dated {
            date: d,
            from: DateSource::Meta,
        });
    }
    itemprop_date(dom, "datemodified", latest).map(|d| Dated {
        date: d,
        from: DateSource::Microdata,
    })
}

fn itemprop_date(dom: &Dom, prop: &str, latest: NaiveDate) -> Option<NaiveDate> {
    (0..dom.len() as NodeId)
        .filter(|&i| {
            dom.tag(i) != Tag::Text
                && dom.tag(i) != Tag::Meta
                && dom.attr(i, "itemprop").is_some_and(|p| {
                    p.split_ascii_whitespace()
                        .any(|w| w.eq_ignore_ascii_case(prop))
                })
        })
        .find_map(|i| {
            let v = dom
                .attr(i, "datetime")
                .or_else(|| dom.attr(i, "content"))
                .map(str::to_string)
                .unwrap_or_else(|| dom.text_content(i));
            parse_date(&v).or_else(|| text_dates(&v).into_iter().next())
        })
        .filter(|&d| plausible(d, latest))
}

/// A `<time>` element's date: one marked as the publication date (`pubdate`, or a
/// class or parent that says "publish"), else the first one.
fn time_element(dom: &Dom, latest: NaiveDate) -> Option<(NodeId, NaiveDate)> {
    let mut first = None;
    for id in dom.elements(Tag::Time) {
        let value = dom
            .attr(id, "datetime")
            .map(str::to_string)
            .unwrap_or_else(|| dom.text_content(id));
        let Some(d) = parse_date(&value)
            .or_else(|| text_dates(&value).into_iter().next())
            .filter(|&d| plausible(d, latest))
        else {
            continue;
        };
        let parent = dom.node(id).parent;
        let marked = dom.attr(id, "pubdate").is_some()
            || [id, parent].iter().any(|&e| {
                let c = format!(
                    "{} {}",
                    dom.attr(e, "class").unwrap_or(""),
                    dom.attr(e, "id").unwrap_or("")
                )
                .to_ascii_lowercase();
                c.contains("publish") || c.contains("posted") || c.contains("created")
            });
        if marked {
            return Some((id, d));
        }
        let c = dom.attr(id, "class").unwrap_or("").to_ascii_lowercase();
        if first.is_none() && !c.contains("updat") && !c.contains("modif") {
            first = Some((id, d));
        }
    }
    first
}

/// The path of an absolute or relative url.
pub fn url_path(url: &str) -> Option<&str> {
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None => return Some(url),
    };
    Some(rest.find('/').map_or("", |i| &rest[i..]))
}

/// A date written in the text: in an element whose class or id names a publication
/// date (`publish`, `posted`, `byline`…); else just after the headline (`<h1>`),
/// where bylines stand; else in an element named more loosely (`date`, `time`,
/// `meta`). Dates in links (other stories) do not count.
fn text_date(dom: &Dom, latest: NaiveDate) -> Option<Shown> {
    const STRONG: &[&str] = &[
        "publish", "posted", "pubdate", "byline", "dateline", "created",
    ];
    const WEAK: &[&str] = &["date", "time", "meta"];
    let classed = |words: &[&str]| {
        (0..dom.len() as NodeId).find_map(|i| {
            let tag = dom.tag(i);
            if matches!(tag, Tag::Text | Tag::Script | Tag::Style | Tag::A)
                || dom.node(i).end - i > 40
            {
                return None;
            }
            let (class, id) = (
                dom.attr(i, "class").unwrap_or(""),
                dom.attr(i, "id").unwrap_or(""),
            );
            if class.is_empty() && id.is_empty() {
                return None;
            }
            let c = format!("{class} {id}").to_ascii_lowercase();
            if !words.iter().any(|w| c.contains(w)) || c.contains("update") || c.contains("modif") {
                return None;
            }
            let t = dom.text_content(i);
            if t.len() > 300 {
                return None;
            }
            let date = text_dates(&t).into_iter().find(|&d| plausible(d, latest))?;
            Some(Shown {
                date,
                from: DateSource::Text,
                updated: marks_update(&t),
            })
        })
    };
    if let Some(d) = classed(STRONG) {
        return Some(d);
    }
    if let Some(h1) = dom.elements(Tag::H1).next() {
        let mut in_link_until = 0;
        let mut texts = 0;
        for i in dom.node(h1).end..dom.len() as NodeId {
            let tag = dom.tag(i);
            // Other stories' links and photo captions ("… in Madrid, Nov. 18, 2019")
            // are not the byline.
            let caption = matches!(tag, Tag::Figure | Tag::Figcaption)
                || dom
                    .attr(i, "class")
                    .is_some_and(|c| c.to_ascii_lowercase().contains("caption"));
            if tag == Tag::A || caption {
                in_link_until = in_link_until.max(dom.node(i).end);
            }
            if tag != Tag::Text || i < in_link_until {
                continue;
            }
            let t = dom.text(i).trim();
            if t.is_empty() {
                continue;
            }
            texts += 1;
            if texts > 40 {
                break;
            }
            if t.len() <= 200 {
                if let Some(d) = text_dates(t).into_iter().find(|&d| plausible(d, latest)) {
                    return Some(Shown {
                        date: d,
                        from: DateSource::Text,
                        updated: marks_update(t),
                    });
                }
            }
        }
    }
    classed(WEAK)
}

/// A date in the few texts just before the headline, where a kicker or a date line
/// stands above the title ("publiziert am 25. September 2018"); asked only when the
/// page has no date anywhere else, as a site's header may show today's date.
fn before_headline_date(dom: &Dom, latest: NaiveDate) -> Option<NaiveDate> {
    let h1 = dom.elements(Tag::H1).next()?;
    let mut texts = 0;
    for i in (0..h1).rev() {
        if dom.tag(i) != Tag::Text {
            continue;
        }
        let t = dom.text(i).trim();
        if t.is_empty() {
            continue;
        }
        texts += 1;
        if texts > 8 {
            break;
        }
        let mut in_link = false;
        let mut p = dom.node(i).parent;
        for _ in 0..4 {
            if p == dom.root() {
                break;
            }
            in_link |= dom.tag(p) == Tag::A;
            p = dom.node(p).parent;
        }
        if t.len() <= 200 && !in_link {
            if let Some(d) = text_dates(t).into_iter().find(|&d| plausible(d, latest)) {
                return Some(d);
            }
        }
    }
    None
}

/// Month names of the languages news pages are most often written in besides
/// English (which `enrich::dates` knows, abbreviations too): full names only, as
/// short forms there collide with words ("set", "ago", "out").
#[rustfmt::skip]
const OTHER_MONTHS: &[(&str, u32)] = &[
    // German, Dutch, Indonesian
    ("januar", 1), ("jänner", 1), ("januari", 1), ("februar", 2), ("februari", 2),
    ("märz", 3), ("maart", 3), ("maret", 3), ("mai", 5), ("mei", 5), ("juni", 6),
    ("juli", 7), ("augustus", 8), ("agustus", 8), ("oktober", 10), ("dezember", 12),
    ("desember", 12),
    // French
    ("janvier", 1), ("février", 2), ("fevrier", 2), ("mars", 3), ("avril", 4), ("juin", 6),
    ("juillet", 7), ("août", 8), ("aout", 8), ("septembre", 9), ("octobre", 10),
    ("novembre", 11), ("décembre", 12), ("decembre", 12),
    // Spanish, Portuguese, Italian
    ("enero", 1), ("febrero", 2), ("marzo", 3), ("abril", 4), ("mayo", 5), ("junio", 6),
    ("julio", 7), ("agosto", 8), ("septiembre", 9), ("setiembre", 9), ("octubre", 10),
    ("noviembre", 11), ("diciembre", 12), ("janeiro", 1), ("fevereiro", 2), ("março", 3),
    ("marco", 3), ("maio", 5), ("junho", 6), ("julho", 7), ("setembro", 9), ("outubro", 10),
    ("novembro", 11), ("dezembro", 12), ("gennaio", 1), ("febbraio", 2), ("aprile", 4),
    ("maggio", 5), ("giugno", 6), ("luglio", 7), ("settembre", 9), ("ottobre", 10),
    ("dicembre", 12),
    // Russian (the genitive of a date)
    ("января", 1), ("февраля", 2), ("марта", 3), ("апреля", 4), ("мая", 5), ("июня", 6),
    ("июля", 7), ("августа", 8), ("сентября", 9), ("октября", 10), ("ноября", 11),
    ("декабря", 12),
];

fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    crate::enrich::dates::month_word(w)
        .map(|(m, _)| m)
        .or_else(|| {
            let lw = w.to_lowercase();
            OTHER_MONTHS.iter().find(|(n, _)| *n == lw).map(|&(_, m)| m)
        })
}

/// The words of a short text that can make a date: split at spaces and the
/// separators bylines use, without the "de"/"di" of "22 de outubro de 2010".
fn date_words(t: &str) -> Vec<&str> {
    t.split(|c: char| c.is_whitespace() || c == ',' || c == '|' || c == '·')
        .filter(|w| !w.is_empty() && !matches!(*w, "de" | "del" | "di" | "of"))
        .collect()
}

/// A day of the month: "19", "19th", "19.".
fn day_number(w: &str) -> Option<u32> {
    let w = w.trim_end_matches(['.', 's', 't', 'n', 'd', 'r', 'h']);
    (!w.is_empty() && w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
        .filter(|d| (1..=31).contains(d))
}

/// Full dates written in a short text: `2019-11-19`, `2019/11/19`, `19.11.2019`,
/// `November 19, 2019`, `19 Nov 2019`, `2019年11月19日`.
pub fn text_dates(t: &str) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let words = date_words(t);
    let num = day_number;
    let year = |w: &str| -> Option<i32> {
        let w = w.trim_end_matches(['.', ')', ';', ':']);
        (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
            .then(|| w.parse().ok())
            .flatten()
    };
    for (i, w) in words.iter().enumerate() {
        // Numeric forms inside one word.
        let core = w.trim_matches(|c: char| !c.is_ascii_digit());
        if core.len() >= 8
            && core.len() <= 10
            && core.bytes().filter(|b| !b.is_ascii_digit()).count() == 2
        {
            if let Some(d) = numeric_date(core) {
                out.push(d);
                continue;
            }
        }
        if let Some(d) = cjk_date(w) {
            out.push(d);
            continue;
        }
        if let Some(m) = month(w) {
            // Month Day Year
            if let (Some(d), Some(y)) = (
                words.get(i + 1).and_then(|x| num(x)),
                words.get(i + 2).and_then(|x| year(x)),
            ) {
                if let Some(v) = NaiveDate::from_ymd_opt(y, m, d) {
                    out.push(v);
                    continue;
                }
            }
            // Day Month Year
            if let (Some(d), Some(y)) = (
                i.checked_sub(1)
                    .and_then(|k| words.get(k))
                    .and_then(|x| num(x)),
                words.get(i + 1).and_then(|x| year(x)),
            ) {
                if let Some(v) = NaiveDate::from_ymd_opt(y, m, d) {
                    out.push(v);
                }
            }
        }
    }
    out
}

fn numeric_date(s: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if parts.len() != 3 {
        return None;
    }
    let n: Vec<u32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if parts[0].len() == 4 {
        NaiveDate::from_ymd_opt(n[0] as i32, n[1], n[2])
    } else if parts[2].len() == 4 {
        // D.M.Y with dots is European; with slashes, US order unless impossible.
        let (m, d) = if s.contains('.') || n[0] > 12 {
            (n[1], n[0])
        } else {
            (n[0], n[1])
        };
        NaiveDate::from_ymd_opt(n[2] as i32, m, d)
    } else {
        None
    }
}

fn cjk_date(w: &str) -> Option<NaiveDate> {
    let y = w.find('年')?;
    let m = w.find('月')?;
    let d = w.find('日')?;
    let digits = |s: &str| s.trim().parse::<u32>().ok();
    let year = digits(
        &w[..y]
            .chars()
            .rev()
            .take(4)
            .collect::<String>()
            .chars()
            .rev()
            .collect::<String>(),
    )?;
    let month = digits(&w[y + '年'.len_utf8()..m])?;
    let day = digits(&w[m + '月'.len_utf8()..d])?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// The page's title: the headline the page shows (`<h1>`) when the `<title>` or
/// OpenGraph title agrees with it, else the OpenGraph/JSON-LD headline, else the
/// `<title>` without its " | Site" part.
pub fn title(dom: &Dom, meta: &Meta, site: Option<&str>) -> Option<String> {
    let doc_title = dom
        .elements(Tag::Title)
        .next()
        .map(|t| dom.text_content(t))
        .filter(|t| !t.is_empty());
    let og = meta
        .first(&["og:title", "twitter:title", "title", "dc.title", "headline"])
        .map(collapse);
    let ld = meta.ld.headline.as_deref().map(collapse);
    let h1s: Vec<String> = dom
        .elements(Tag::H1)
        .map(|h| dom.text_content(h))
        .filter(|t| t.chars().count() >= 4)
        .take(5)
        .collect();
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let references: Vec<String> = [doc_title.as_deref(), og.as_deref(), ld.as_deref()]
        .into_iter()
        .flatten()
        .map(norm)
        .filter(|s| !s.is_empty())
        .collect();
    // An `<h1>` that the metadata titles contain is the headline as shown.
    for h in &h1s {
        let n = norm(h);
        if n.len() >= 4
            && references
                .iter()
                .any(|r| r.contains(&n) && n.len() * 3 >= r.len())
        {
            return Some(h.clone());
        }
    }
    for cand in [ld, og].into_iter().flatten() {
        let cut = strip_site(&cand, site);
        if !cut.is_empty() {
            return Some(cut);
        }
    }
    if let Some(t) = doc_title {
        let cut = strip_site(&t, site);
        if !cut.is_empty() {
            return Some(cut);
        }
    }
    h1s.into_iter().next()
}

fn collapse(s: &str) -> String {
    let mut out = String::new();
    super::dom::push_collapsed(&mut out, s);
    out.trim().to_string()
}

/// "Headline | Site" → "Headline": the part that names the site (or, when no part
/// does, the shorter parts at either end) is dropped.
pub fn strip_site(title: &str, site: Option<&str>) -> String {
    const SEPS: &[&str] = &[
        " | ", " - ", " – ", " — ", " :: ", " · ", " » ", " « ", " / ", "｜",
    ];
    let title = title.trim();
    let Some(sep) = SEPS.iter().find(|s| title.contains(*s)) else {
        return title.to_string();
    };
    let parts: Vec<&str> = title.split(sep).map(str::trim).collect();
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    if let Some(site) = site.map(fold).filter(|s| s.len() >= 2) {
        let kept: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|p| {
                let f = fold(p);
                !(f == site
                    || (f.len() >= 3 && (site.contains(&f) || f.contains(&site)) && p.len() < 40))
            })
            .collect();
        if !kept.is_empty() && kept.len() < parts.len() {
            return kept.join(sep);
        }
    }
    // No part names the site. A dash is common in headlines, so only a bar (or a
    // like separator) says that the short last (or first) part is the site's name.
    if matches!(*sep, " - " | " – " | " — " | " / ") {
        return title.to_string();
    }
    let words = |s: &str| s.split_whitespace().count();
    let longest = parts
        .iter()
        .copied()
        .max_by_key(|p| p.len())
        .unwrap_or(title);
    if parts.len() >= 2 {
        let last = parts[parts.len() - 1];
        let first = parts[0];
        if words(last) <= 4 && words(first) > words(last) {
            return parts[..parts.len() - 1].join(sep);
        }
        if words(first) <= 3 && words(last) > words(first) + 2 {
            return parts[1..].join(sep);
        }
    }
    longest.to_string()
}

/// Authors: JSON-LD, `<meta name=author>`, `rel=author` links, `itemprop=author`,
/// then a byline element's text.
pub fn authors(dom: &Dom, meta: &Meta) -> Vec<String> {
    let mut names: Vec<String> = meta.ld.authors.clone();
    if names.is_empty() {
        if let Some(a) = meta.first(&[
            "author",
            "article:author",
            "dc.creator",
            "byl",
            "sailthru.author",
            "parsely-author",
            "citation_author",
        ]) {
            if !a.starts_with("http") {
                names.push(a.to_string());
            }
        }
    }
    if names.is_empty() {
        for i in 0..dom.len() as NodeId {
            let t = dom.tag(i);
            if t == Tag::Text || t == Tag::Meta || t == Tag::Link {
                continue;
            }
            let rel_author = dom
                .attr(i, "rel")
                .is_some_and(|r| r.split_ascii_whitespace().any(|w| w == "author"));
            let prop_author = dom.attr(i, "itemprop").is_some_and(|p| {
                p.split_ascii_whitespace()
                    .any(|w| w == "author" || w == "creator")
            });
            if !(rel_author || prop_author) {
                continue;
            }
            // `itemprop=author` on a container: its `name` inside.
            let name_el = dom
                .subtree(i)
                .find(|&k| k != i && dom.attr(k, "itemprop") == Some("name"));
            let name = match name_el {
                Some(k) => dom
                    .attr(k, "content")
                    .map(str::to_string)
                    .unwrap_or_else(|| dom.text_content(k)),
                None => dom.text_content(i),
            };
            let name = clean_byline(&name);
            if !name.is_empty() && name.len() < 80 && !names.contains(&name) {
                names.push(name);
            }
            if names.len() >= 8 {
                break;
            }
        }
    }
    if names.is_empty() {
        for i in 0..dom.len() as NodeId {
            if dom.tag(i) == Tag::Text || dom.node(i).end - i > 20 {
                continue;
            }
            let c = format!(
                "{} {}",
                dom.attr(i, "class").unwrap_or(""),
                dom.attr(i, "id").unwrap_or("")
            )
            .to_ascii_lowercase();
            if !(c.contains("byline") || c.contains("author-name") || c.contains("authorname")) {
                continue;
            }
            let name = clean_byline(&dom.text_content(i));
            if !name.is_empty() && name.len() < 100 {
                names.push(name);
                break;
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    for n in names {
        for part in split_names(&n) {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(&part)) {
                out.push(part);
            }
        }
    }
    out
}

fn clean_byline(s: &str) -> String {
    let s = collapse(s);
    let lower = s.to_ascii_lowercase();
    let s = if lower.starts_with("by ") {
        &s[3..]
    } else {
        &s[..]
    };
    s.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == '|' || c == '-')
        .to_string()
}

fn split_names(s: &str) -> Vec<String> {
    let s = clean_byline(s);
    s.split([',', ';', '&', '|'])
        .flat_map(|p| p.split(" and "))
        .map(|p| p.trim().to_string())
        .filter(|p| {
            !p.is_empty()
                && p.len() < 60
                && p.split_whitespace().count() <= 5
                && p.chars().any(char::is_alphabetic)
        })
        .collect()
}

/// The canonical url (`<link rel=canonical>`, `og:url`, JSON-LD), made absolute
/// against `base` when relative.
pub fn canonical(dom: &Dom, meta: &Meta, base: Option<&str>) -> Option<String> {
    let link = dom.elements(Tag::Link).find_map(|l| {
        let rel = dom.attr(l, "rel")?;
        rel.split_ascii_whitespace()
            .any(|w| w.eq_ignore_ascii_case("canonical"))
            .then(|| dom.attr(l, "href"))
            .flatten()
    });
    let found = link
        .or_else(|| meta.get("og:url"))
        .or(meta.ld.url.as_deref())
        .map(str::trim)
        .filter(|u| !u.is_empty())?;
    if found.starts_with("http://") || found.starts_with("https://") {
        return Some(found.to_string());
    }
    let base = base?;
    let scheme_end = base.find("://")? + 3;
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    if let Some(rest) = found.strip_prefix("//") {
        return Some(format!("{}{}", &base[..scheme_end], rest));
    }
    if found.starts_with('/') {
        return Some(format!("{}{}", &base[..host_end], found));
    }
    None
}

/// The host of an absolute url, without `www.`.
pub fn host(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    let host = rest.split(['/', '?', '#', ':']).next()?;
    let host = host.rsplit('@').next()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

/// The site's name: OpenGraph, the JSON-LD publisher, the application name.
pub fn site_name(meta: &Meta) -> Option<String> {
    meta.first(&[
        "og:site_name",
        "application-name",
        "publisher",
        "dc.publisher",
        "twitter:site",
    ])
    .map(|s| s.trim_start_matches('@').to_string())
    .or_else(|| meta.ld.publisher.clone())
    .map(|s| collapse(&s))
    .filter(|s| !s.is_empty() && s.len() < 100)
}

/// The language as a lower-case primary subtag (`en`, `pt`, `zh`).
pub fn language(dom: &Dom, meta: &Meta) -> Option<String> {
    let html_lang = dom
        .elements(Tag::Html)
        .next()
        .and_then(|h| dom.attr(h, "lang").or_else(|| dom.attr(h, "xml:lang")));
    let raw = html_lang
        .or_else(|| meta.first(&["content-language", "og:locale", "language", "dc.language"]))
        .or(meta.ld.language.as_deref())?;
    let primary = raw
        .trim()
        .split(['-', '_', ',', ' '])
        .next()?
        .to_ascii_lowercase();
    (primary.len() >= 2 && primary.len() <= 3 && primary.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some(primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_loses_its_site_part() {
        assert_eq!(
            strip_site("Storm hits coast | Daily Planet", Some("Daily Planet")),
            "Storm hits coast"
        );
        assert_eq!(
            strip_site("Daily Planet - Storm hits coast", Some("dailyplanet.com")),
            "Storm hits coast"
        );
        assert_eq!(
            strip_site("Storm hits the coast again | Planet", None),
            "Storm hits the coast again"
        );
        assert_eq!(strip_site("Budget – a reply", None), "Budget – a reply");
        assert_eq!(strip_site("No separator here", None), "No separator here");
    }

    #[test]
    fn dates_in_text() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            text_dates("Published November 19, 2019 at 5pm"),
            [d(2019, 11, 19)]
        );
        assert_eq!(text_dates("Updated: 19 Nov. 2019"), [d(2019, 11, 19)]);
        assert_eq!(text_dates("on 19.11.2019"), [d(2019, 11, 19)]);
        assert_eq!(text_dates("2019年11月19日 10:00"), [d(2019, 11, 19)]);
        assert!(text_dates("May I help you in 2019").is_empty());
    }

    #[test]
    fn dates_in_other_languages() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            text_dates("publiziert am 25. September 2018"),
            [d(2018, 9, 25)]
        );
        assert_eq!(text_dates("30. Juli 2018"), [d(2018, 7, 30)]);
        assert_eq!(
            text_dates("sexta-feira, 22 de outubro de 2010 às 20:13"),
            [d(2010, 10, 22)]
        );
        assert_eq!(text_dates("Posted on Maret 30, 2015"), [d(2015, 3, 30)]);
        assert_eq!(text_dates("Текст·24 сентября 2018"), [d(2018, 9, 24)]);
    }

    fn published_of(html: &str) -> (String, DateSource) {
        let dom = Dom::parse(html);
        let m = Meta::read(&dom);
        let today = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        let p = published(&dom, &m, None, today).unwrap();
        (p.date.to_string(), p.from)
    }

    #[test]
    fn the_day_the_page_shows_beats_a_utc_timestamp_a_day_off() {
        // An evening story in the Americas: metadata in UTC names the next day.
        let utc = r#"<meta property="article:published_time" content="2019-11-19T02:24:00Z">"#;
        let shown = format!(
            "{utc}<h1>Headline</h1><p>By A. Writer</p><time datetime=\"2019-11-19 02:24:00 UTC\">Nov 18, 2019 at 9:24 pm ET</time><p>Body text.</p>"
        );
        assert_eq!(
            published_of(&shown),
            ("2019-11-18".into(), DateSource::Text)
        );
        // A shown date without a year takes it from the element's datetime.
        let no_year = format!(
            "{utc}<h1>Headline</h1><time datetime=\"2019-11-19T02:24:00Z\">Posted Nov 18, 9:24 PM</time>"
        );
        assert_eq!(
            published_of(&no_year),
            ("2019-11-18".into(), DateSource::Time)
        );
        // An update the next day, or a date further off, leaves the metadata's day.
        let updated = format!("{utc}<h1>Headline</h1><p>Updated November 20, 2019</p>");
        assert_eq!(
            published_of(&updated),
            ("2019-11-19".into(), DateSource::Meta)
        );
        let far = format!("{utc}<h1>Headline</h1><p>November 13, 2019</p>");
        assert_eq!(published_of(&far), ("2019-11-19".into(), DateSource::Meta));
        // A photo caption is not the byline.
        let caption = format!(
            "{utc}<h1>Headline</h1><figure><figcaption>Traders on Nov. 18, 2019.</figcaption></figure><p>Text</p>"
        );
        assert_eq!(
            published_of(&caption),
            ("2019-11-19".into(), DateSource::Meta)
        );
    }

    #[test]
    fn a_date_above_the_headline_when_nothing_else_dates_the_page() {
        let html = r#"<p><span>Von</span> <a href="/a">M. B.</a> <span>publiziert am 25. September 2018</span></p><h1>Die Akte</h1><p>Text.</p>"#;
        assert_eq!(published_of(html), ("2018-09-25".into(), DateSource::Text));
    }

    #[test]
    fn json_ld_article() {
        let html = r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","name":"X"},
            {"@type":["NewsArticle"],"headline":"H","datePublished":"2019-11-19T10:00:00-05:00",
             "author":[{"@type":"Person","name":"Jane Roe"},{"name":"John Doe"}],
             "publisher":{"@type":"Organization","name":"The Paper"}}]}</script>"#;
        let dom = Dom::parse(html);
        let m = Meta::read(&dom);
        assert!(m.ld.is_article);
        assert_eq!(m.ld.headline.as_deref(), Some("H"));
        assert_eq!(m.ld.authors, ["Jane Roe", "John Doe"]);
        assert_eq!(m.ld.publisher.as_deref(), Some("The Paper"));
        let today = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        let p = published(&dom, &m, None, today).unwrap();
        assert_eq!(
            (p.date.to_string().as_str(), p.from),
            ("2019-11-19", DateSource::JsonLd)
        );
    }
}
