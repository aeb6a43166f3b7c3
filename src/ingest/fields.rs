//! Turning a record's named fields into an [`Article`], whatever the fields are called.
//!
//! Field names are compared case-insensitively and ignoring `_`, `-` and spaces, so
//! `publishedAt`, `published_at` and `Published At` are one name. Aliases, in order of
//! preference when a record has several (the first non-empty one wins):
//!
//! | field | aliases |
//! |---|---|
//! | title | `title`, `headline` |
//! | body | `body`, `text`, `content`, `maintext`, `article`, `articlebody` |
//! | date | `date`, `published`, `publish_date`, `publishedAt`, `date_publish`, `pubDate`, `datePublished`, `published_at` |
//! | url | `url`, `link`, `article_source_link` |
//! | source | `source`, `publication`, `outlet`, `source_domain`, `publisher` |
//! | authors | `authors`, `author`, `byline` |
//! | id | `id`, `article_id`, `_id` |
//! | subtitle | `subtitle`, `description`, `summary` |
//!
//! JSON values of the wrong type are coerced when the meaning is clear (a number as a
//! title or id, an array of paragraphs as a body, `{"name": …}` as a source or author)
//! and reported otherwise; other fields are ignored.

use std::collections::HashSet;

use serde_json::Value;

use crate::article::Article;

use super::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Title,
    Body,
    Date,
    Url,
    Source,
    Authors,
    Id,
    Subtitle,
}

impl Field {
    fn slot(self) -> usize {
        self as usize
    }
}

const ALIASES: &[(Field, &[&str])] = &[
    (Field::Title, &["title", "headline"]),
    (
        Field::Body,
        &[
            "body",
            "text",
            "content",
            "maintext",
            "article",
            "articlebody",
        ],
    ),
    (
        Field::Date,
        &[
            "date",
            "published",
            "publishdate",
            "publishedat",
            "datepublish",
            "pubdate",
            "datepublished",
        ],
    ),
    (Field::Url, &["url", "link", "articlesourcelink"]),
    (
        Field::Source,
        &[
            "source",
            "publication",
            "outlet",
            "sourcedomain",
            "publisher",
        ],
    ),
    (Field::Authors, &["authors", "author", "byline"]),
    (Field::Id, &["id", "articleid"]),
    (Field::Subtitle, &["subtitle", "description", "summary"]),
];

/// The field a key names, and its rank among that field's aliases (0 = preferred).
pub(crate) fn field_of(key: &str) -> Option<(Field, usize)> {
    let norm: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    ALIASES.iter().find_map(|(field, names)| {
        names
            .iter()
            .position(|n| *n == norm)
            .map(|rank| (*field, rank))
    })
}

/// The fields of one record as they are collected, before they become an [`Article`].
#[derive(Debug, Default)]
pub(crate) struct Fields {
    /// Per [`Field`] except authors: (alias rank, value).
    slots: [Option<(usize, String)>; 8],
    authors: Option<(usize, Vec<String>)>,
    pub title_derived: bool,
}

impl Fields {
    pub fn get(&self, field: Field) -> Option<&str> {
        self.slots[field.slot()].as_ref().map(|(_, v)| v.as_str())
    }

    /// Sets a field directly (bypassing aliases), e.g. a title found in a text file.
    pub fn put(&mut self, field: Field, value: String) {
        self.slots[field.slot()] = Some((0, value));
    }

    /// True if any key seen so far named a title or a body.
    pub fn has_content_field(&self) -> bool {
        self.slots[Field::Title.slot()].is_some() || self.slots[Field::Body.slot()].is_some()
    }

    fn keep(&mut self, field: Field, rank: usize, value: String) {
        let slot = &mut self.slots[field.slot()];
        let better = match slot {
            None => true,
            Some((r, v)) => v.trim().is_empty() || (rank < *r && !value.trim().is_empty()),
        };
        if better {
            *slot = Some((rank, value));
        }
    }

    fn keep_authors(&mut self, rank: usize, authors: Vec<String>) {
        let better = match &self.authors {
            None => true,
            Some((r, v)) => v.is_empty() || (rank < *r && !authors.is_empty()),
        };
        if better {
            self.authors = Some((rank, authors));
        }
    }

    /// A string-valued field (CSV cell, front matter value). Returns false if the
    /// key is not a known field.
    pub fn set_text(&mut self, key: &str, value: &str) -> bool {
        self.set_string(key, value.to_string())
    }

    /// [`Fields::set_text`] with a string of the caller's, kept rather than copied (a
    /// body is a few kB, copied for every article of an archive).
    pub fn set_string(&mut self, key: &str, value: String) -> bool {
        let Some((field, rank)) = field_of(key) else {
            return false;
        };
        if field == Field::Authors {
            self.keep_authors(rank, split_authors(&value));
        } else {
            self.keep(field, rank, value);
        }
        true
    }

    /// A list-valued field (front matter `[a, b]`).
    pub fn set_list(&mut self, key: &str, items: Vec<String>) -> bool {
        let Some((field, rank)) = field_of(key) else {
            return false;
        };
        match field {
            Field::Authors => {
                let authors = items.iter().flat_map(|s| split_authors(s)).collect();
                self.keep_authors(rank, authors);
            }
            Field::Body => self.keep(field, rank, items.join("\n\n")),
            _ => self.keep(field, rank, items.join(", ")),
        }
        true
    }

    /// [`Fields::set_json`] with a value of the caller's: a string is kept rather than
    /// copied.
    pub fn set_json_owned(&mut self, key: &str, value: Value) -> Result<(), String> {
        match value {
            Value::String(s) => {
                self.set_string(key, s);
                Ok(())
            }
            v => self.set_json(key, &v),
        }
    }

    /// A JSON-valued field. Unknown keys are ignored; a known key with a value that
    /// cannot be made sense of yields a warning message (and the field stays unset).
    pub fn set_json(&mut self, key: &str, value: &Value) -> Result<(), String> {
        let Some((field, rank)) = field_of(key) else {
            return Ok(());
        };
        let wrong = |what: &str| format!("field `{key}`: expected a string, got {what}; ignored");
        match (field, value) {
            (_, Value::Null) => Ok(()),
            (Field::Authors, Value::Array(items)) => {
                let mut authors = Vec::new();
                for item in items {
                    match scalar_or_name(item) {
                        Some(s) => authors.extend(split_authors(&s)),
                        None if item.is_null() => {}
                        None => return Err(wrong("an array holding non-strings")),
                    }
                }
                self.keep_authors(rank, authors);
                Ok(())
            }
            (Field::Authors, v) => match scalar_or_name(v) {
                Some(s) => {
                    self.keep_authors(rank, split_authors(&s));
                    Ok(())
                }
                None => Err(wrong(type_name(v))),
            },
            // A body given as paragraphs.
            (Field::Body, Value::Array(items)) if items.iter().all(|i| i.is_string()) => {
                let paras: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
                self.keep(field, rank, paras.join("\n\n"));
                Ok(())
            }
            (_, Value::Array(items)) if items.len() == 1 && scalar(&items[0]).is_some() => {
                self.keep(field, rank, scalar(&items[0]).unwrap_or_default());
                Ok(())
            }
            (_, Value::Array(items)) if items.is_empty() => Ok(()),
            (Field::Source, v @ Value::Object(_)) => match scalar_or_name(v) {
                Some(s) => {
                    self.keep(field, rank, s);
                    Ok(())
                }
                None => Err(wrong("an object without a `name`")),
            },
            (_, Value::Bool(_)) => Err(wrong("a boolean")),
            (_, v) => match scalar(v) {
                Some(s) => {
                    self.keep(field, rank, s);
                    Ok(())
                }
                None => Err(wrong(type_name(v))),
            },
        }
    }

    /// Builds the article: title derived from the body if missing, source from the
    /// url if missing. `None` (and an error reported) when there is neither a title
    /// nor a body.
    pub fn into_article(
        mut self,
        rel: &str,
        record: Option<u64>,
        line: Option<u64>,
        ids: &mut Ids,
        report: &mut dyn FnMut(Problem),
    ) -> Option<Article> {
        let mut take = |f: Field| {
            self.slots[f.slot()]
                .take()
                .map(|(_, v)| v)
                .filter(|v| !v.trim().is_empty())
        };
        let body = take(Field::Body)
            .map(super::decode::normalize_newlines)
            .unwrap_or_default();
        let mut title = take(Field::Title).map(|t| one_line(&t)).unwrap_or_default();
        let subtitle = take(Field::Subtitle).map(|t| one_line(&t));
        let date_raw = take(Field::Date).map(|t| one_line(&t));
        let url = take(Field::Url).map(|t| t.trim().to_string());
        let source = take(Field::Source)
            .map(|t| one_line(&t))
            .or_else(|| url.as_deref().and_then(host_of));
        let own_id = take(Field::Id).map(|t| one_line(&t));
        let mut title_derived = self.title_derived;
        if title.is_empty() {
            match derive_title(&body) {
                Some(t) => {
                    title = t;
                    title_derived = true;
                }
                None => {
                    report(
                        Problem::error(rel, "record has neither a title nor a body, skipped")
                            .at(line),
                    );
                    return None;
                }
            }
        }
        let (id, dup) = ids.assign(rel, own_id.as_deref(), record);
        if let Some(msg) = dup {
            report(Problem::warning(rel, msg).at(line));
        }
        Some(Article {
            id,
            path: rel.to_string(),
            record,
            line,
            title,
            title_derived,
            subtitle,
            body,
            date_raw,
            url,
            source,
            authors: self.authors.map(|(_, a)| a).unwrap_or_default(),
            ..Article::default()
        })
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string, a number, or an object's `name` (NewsAPI's `"source": {"name": …}`).
fn scalar_or_name(v: &Value) -> Option<String> {
    match v {
        Value::Object(map) => map.get("name").and_then(|n| n.as_str()).map(str::to_string),
        Value::Number(_) => None,
        v => scalar(v),
    }
}

/// How a JSON value's type reads in a message ("a number").
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Collapses runs of whitespace (newlines included) into single spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits a byline: `By A, B and C` → `[A, B, C]`; a name written surname first,
/// `Smith, Anna` (one comma between a word and one or two), is one author, `Anna Smith`.
pub(crate) fn split_authors(s: &str) -> Vec<String> {
    let s = s.trim();
    let s = s
        .strip_prefix("By ")
        .or_else(|| s.strip_prefix("by "))
        .or_else(|| s.strip_prefix("BY "))
        .unwrap_or(s);
    if let Some(name) = surname_first(s) {
        return vec![name];
    }
    s.split([',', ';', '&'])
        .flat_map(|part| part.split(" and "))
        .map(|a| {
            let a = a.trim();
            one_line(a.strip_prefix("and ").unwrap_or(a))
        })
        .filter(|a| !a.is_empty())
        .collect()
}

/// `Smith, Anna` or `Smith, Anna M.` → `Anna Smith` / `Anna M. Smith`: one comma, a
/// capitalised surname of one word before it, one or two capitalised words after it.
/// Two outlets or agencies (`Reuters, AFP`, `AP, Bloomberg`) are not a name: a part in
/// capitals, or a news agency's name, keeps the byline a list.
fn surname_first(s: &str) -> Option<String> {
    const AGENCIES: [&str; 16] = [
        "reuters",
        "bloomberg",
        "xinhua",
        "kyodo",
        "yonhap",
        "interfax",
        "anadolu",
        "bernama",
        "antara",
        "agencies",
        "staff",
        "sputnik",
        "ria",
        "efe",
        "ansa",
        "wires",
    ];
    if s.contains([';', '&']) || s.contains(" and ") || s.matches(',').count() != 1 {
        return None;
    }
    let (last, first) = s.split_once(',')?;
    let last = last.trim();
    let first: Vec<&str> = first.split_whitespace().collect();
    let name_word = |w: &str| {
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
        letters.first().is_some_and(|c| c.is_uppercase())
            && (letters.len() == 1 || letters[1..].iter().any(|c| c.is_lowercase()))
            && !AGENCIES.contains(&w.to_lowercase().trim_end_matches('.'))
    };
    let ok = !last.contains(char::is_whitespace)
        && name_word(last)
        && (1..=2).contains(&first.len())
        && first.iter().all(|w| name_word(w));
    ok.then(|| format!("{} {last}", first.join(" ")))
}

/// The host of a url, lowercased, without `www.`; `None` if it is not a url.
pub(crate) fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None if url.to_ascii_lowercase().starts_with("www.") => url,
        None => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty() && host.contains('.')).then_some(host)
}

/// How far a derived title may run before it is cut.
pub(crate) const TITLE_MAX: usize = 100;

/// A title from the body's first sentence (within its first paragraph), cut at a
/// word boundary near [`TITLE_MAX`] characters with `…`.
pub(crate) fn derive_title(body: &str) -> Option<String> {
    // The first paragraph, its lines joined (hard-wrapped text), read no further
    // than needed: a sentence beyond this length is cut anyway.
    let mut para = String::new();
    for line in body.lines().map(str::trim) {
        if line.is_empty() {
            if para.is_empty() {
                continue;
            }
            break;
        }
        if !para.is_empty() {
            para.push(' ');
        }
        para.push_str(line);
        if para.len() > 8 * TITLE_MAX {
            break;
        }
    }
    if para.is_empty() {
        return None;
    }
    let sentence = one_line(first_sentence(&para));
    if sentence.chars().count() > TITLE_MAX {
        return Some(shorten(&sentence, TITLE_MAX));
    }
    // A title does not end with a full stop (but keeps `?` and `!`).
    let t = sentence.strip_suffix('.').unwrap_or(&sentence);
    if t.trim().is_empty() {
        // A body that starts with a bare "." (or is one): the paragraph as it is,
        // never an empty title.
        let p = one_line(&para);
        return Some(if p.chars().count() > TITLE_MAX {
            shorten(&p, TITLE_MAX)
        } else {
            p
        });
    }
    Some(t.to_string())
}

fn first_sentence(s: &str) -> &str {
    for (i, c) in s.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let after = &s[i + c.len_utf8()..];
        let rest = after.trim_start_matches(['"', '\'', '”', '’', ')', ']']);
        let end = s.len() - rest.len();
        if rest.is_empty() {
            return &s[..end];
        }
        // "3.5", "U.S." and "…said.He" are not sentence ends.
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        if rest
            .trim_start()
            .chars()
            .next()
            .is_some_and(char::is_lowercase)
        {
            continue;
        }
        if c == '.' && is_abbreviation(&s[..i]) {
            continue;
        }
        return &s[..end];
    }
    s
}

fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
    let word = word.trim_start_matches(['(', '"', '“', '\'']);
    let mut chars = word.chars();
    // An initial: "J. Smith".
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_uppercase() {
            return true;
        }
    }
    word.contains('.')
        || matches!(
            word,
            "Mr" | "Mrs"
                | "Ms"
                | "Dr"
                | "Prof"
                | "St"
                | "Sen"
                | "Rep"
                | "Gov"
                | "Gen"
                | "Lt"
                | "Col"
                | "Sgt"
                | "Capt"
                | "Jr"
                | "Sr"
                | "No"
                | "vs"
                | "Jan"
                | "Feb"
                | "Mar"
                | "Apr"
                | "Aug"
                | "Sep"
                | "Sept"
                | "Oct"
                | "Nov"
                | "Dec"
        )
}

/// Cuts `s` to at most `max` characters at a word boundary, adding `…`.
fn shorten(s: &str, max: usize) -> String {
    let cut = s.char_indices().nth(max).map_or(s.len(), |(i, _)| i);
    let head = &s[..cut];
    // Cut right at `max` if a word ends there; else at the last space before it,
    // unless that would lose more than half the text.
    let word_ends_at_cut = !s[cut..].starts_with(char::is_alphanumeric);
    let at = if word_ends_at_cut {
        cut
    } else {
        head.rfind(char::is_whitespace)
            .filter(|&i| i >= head.len() / 2)
            .unwrap_or(cut)
    };
    let t = s[..at]
        .trim_end()
        .trim_end_matches([',', ';', ':', '-', '–', '—'])
        .trim_end();
    format!("{t}…")
}

/// Assigns unique ids within one file.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    used: HashSet<String>,
}

impl Ids {
    /// The state after a read of `rel` that gave these ids (each is `{rel}#{key}`).
    pub fn from_ids(rel: &str, ids: &[String]) -> Ids {
        let prefix = format!("{rel}#");
        Ids {
            used: ids
                .iter()
                .filter_map(|id| id.strip_prefix(&prefix))
                .map(str::to_string)
                .collect(),
        }
    }

    /// `{rel}#{own}` or `{rel}#{record}`, or just `{rel}` for a one-article file
    /// without an id. A repeated id gets `-{record}` appended; the message says so.
    pub fn assign(
        &mut self,
        rel: &str,
        own: Option<&str>,
        record: Option<u64>,
    ) -> (String, Option<String>) {
        let key = match (own, record) {
            (Some(own), _) => own.to_string(),
            (None, Some(n)) => n.to_string(),
            (None, None) => return (rel.to_string(), None),
        };
        let mut unique = key.clone();
        let suffix = record.unwrap_or(0);
        while self.used.contains(&unique) {
            unique = format!("{unique}-{suffix}");
        }
        let msg = (unique != key && own.is_some()).then(|| {
            format!("duplicate id `{key}` in this file; this record's id is `{rel}#{unique}`")
        });
        self.used.insert(unique.clone());
        (format!("{rel}#{unique}"), msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn article(fields: Fields) -> (Option<Article>, Vec<Problem>) {
        let mut probs = Vec::new();
        let a = fields.into_article("f.json", Some(1), Some(1), &mut Ids::default(), &mut |p| {
            probs.push(p)
        });
        (a, probs)
    }

    #[test]
    fn derived_title_is_never_empty() {
        for body in [
            ".",
            "..",
            ". x",
            " .\n\nmore",
            "!",
            "?!",
            "\u{201C}.\u{201D}",
        ] {
            let t = derive_title(body).unwrap();
            assert!(!t.trim().is_empty(), "{body:?} -> {t:?}");
        }
    }

    #[test]
    fn every_alias_maps() {
        let cases = [
            ("title", Field::Title),
            ("Headline", Field::Title),
            ("body", Field::Body),
            ("text", Field::Body),
            ("content", Field::Body),
            ("maintext", Field::Body),
            ("article", Field::Body),
            ("date", Field::Date),
            ("published", Field::Date),
            ("publish_date", Field::Date),
            ("publishedAt", Field::Date),
            ("date_publish", Field::Date),
            ("pubDate", Field::Date),
            ("url", Field::Url),
            ("link", Field::Url),
            ("article_source_link", Field::Url),
            ("source", Field::Source),
            ("publication", Field::Source),
            ("outlet", Field::Source),
            ("source_domain", Field::Source),
            ("authors", Field::Authors),
            ("author", Field::Authors),
            ("BYLINE", Field::Authors),
            ("id", Field::Id),
            ("article_id", Field::Id),
            ("subtitle", Field::Subtitle),
            ("description", Field::Subtitle),
            ("summary", Field::Subtitle),
        ];
        for (key, field) in cases {
            assert_eq!(field_of(key).map(|f| f.0), Some(field), "{key}");
        }
        assert_eq!(field_of("image"), None);
    }

    #[test]
    fn preferred_alias_wins_but_not_when_empty() {
        let mut f = Fields::default();
        f.set_text("content", "from content");
        f.set_text("body", "");
        f.set_text("headline", "H");
        f.set_text("title", "T");
        let (a, _) = article(f);
        let a = a.unwrap();
        assert_eq!(a.body, "from content");
        assert_eq!(a.title, "T");
    }

    #[test]
    fn json_coercions() {
        let mut f = Fields::default();
        assert!(f.set_json("title", &json!(2017)).is_ok());
        assert!(f.set_json("body", &json!(["p1", "p2"])).is_ok());
        assert!(f.set_json("date", &json!(["2017-02-07", "x"])).is_err());
        assert!(f
            .set_json("source", &json!({"id": "bbc", "name": "BBC News"}))
            .is_ok());
        assert!(f
            .set_json("author", &json!([{"name": "A B"}, "C D and E F"]))
            .is_ok());
        assert!(f.set_json("id", &json!(true)).is_err());
        assert!(f.set_json("subtitle", &json!({"x": 1})).is_err());
        assert!(f.set_json("unknown", &json!({"x": 1})).is_ok());
        let a = article(f).0.unwrap();
        assert_eq!(a.title, "2017");
        assert_eq!(a.body, "p1\n\np2");
        assert_eq!(a.date_raw, None);
        assert_eq!(a.source.as_deref(), Some("BBC News"));
        assert_eq!(a.authors, ["A B", "C D", "E F"]);
    }

    #[test]
    fn authors_split() {
        assert_eq!(
            split_authors("By Jane Doe, John Roe and Max Mustermann"),
            ["Jane Doe", "John Roe", "Max Mustermann"]
        );
        assert_eq!(split_authors("A, B, and C"), ["A", "B", "C"]);
        // Surname first: one author.
        assert_eq!(split_authors("Smith, Anna"), ["Anna Smith"]);
        assert_eq!(split_authors("By O'Neil, Bob J."), ["Bob J. O'Neil"]);
        // Agencies and outlets stay a list; so do full names.
        assert_eq!(
            split_authors("Reuters, Bloomberg"),
            ["Reuters", "Bloomberg"]
        );
        assert_eq!(split_authors("AP, Reuters"), ["AP", "Reuters"]);
        assert_eq!(
            split_authors("Jane Doe, John Roe"),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(
            split_authors("Smith, Anna and Bob"),
            ["Smith", "Anna", "Bob"]
        );
        assert!(split_authors("  ").is_empty());
    }

    #[test]
    fn source_from_url() {
        assert_eq!(
            host_of("http://www.aljazeera.com/news/2017/x.html").as_deref(),
            Some("aljazeera.com")
        );
        assert_eq!(
            host_of("https://user@Edition.CNN.com:443/x").as_deref(),
            Some("edition.cnn.com")
        );
        assert_eq!(host_of("www.bbc.co.uk/news").as_deref(), Some("bbc.co.uk"));
        assert_eq!(host_of("not a url"), None);
        let mut f = Fields::default();
        f.set_text("title", "T");
        f.set_text("link", "https://www.dw.com/en/a");
        assert_eq!(article(f).0.unwrap().source.as_deref(), Some("dw.com"));
    }

    #[test]
    fn empty_title_and_body_is_skipped_title_only_kept() {
        let mut f = Fields::default();
        f.set_text("title", " ");
        f.set_text("text", "\n");
        let (a, probs) = article(f);
        assert!(a.is_none());
        assert_eq!(probs.len(), 1);
        assert!(probs[0].is_error());
        let mut f = Fields::default();
        f.set_text("title", "Only a title");
        let a = article(f).0.unwrap();
        assert_eq!(a.body, "");
        assert!(!a.title_derived);
    }

    #[test]
    fn title_from_first_sentence() {
        assert_eq!(
            derive_title("Mr. J. Smith went to Washington D.C. on Monday. He left.").unwrap(),
            "Mr. J. Smith went to Washington D.C. on Monday"
        );
        assert_eq!(derive_title("\n\nWhy now? Because.").unwrap(), "Why now?");
        assert_eq!(
            derive_title("Growth was 3.5 per cent. Next.").unwrap(),
            "Growth was 3.5 per cent"
        );
        let long = "US President Donald Trump and Chinese President Xi Jinping spoke by phone on Monday to discuss trade, Taiwan and Ukraine, the White House and Chinese officials said.";
        let t = derive_title(long).unwrap();
        assert_eq!(
            t,
            "US President Donald Trump and Chinese President Xi Jinping spoke by phone on Monday to discuss trade…"
        );
        assert!(t.chars().count() <= TITLE_MAX + 1);
        // No space at all: a hard cut.
        let t = derive_title(&"x".repeat(300)).unwrap();
        assert_eq!(t.chars().count(), TITLE_MAX + 1);
        assert_eq!(derive_title(" \n "), None);
    }

    #[test]
    fn ids_unique() {
        let mut ids = Ids::default();
        assert_eq!(ids.assign("a.csv", Some("7"), Some(1)).0, "a.csv#7");
        assert_eq!(ids.assign("a.csv", None, Some(2)).0, "a.csv#2");
        let (id, msg) = ids.assign("a.csv", Some("7"), Some(3));
        assert_eq!(id, "a.csv#7-3");
        assert!(msg.unwrap().contains("duplicate id `7`"));
        // A number id that an own id already took.
        assert_eq!(ids.assign("a.csv", None, Some(7)).0, "a.csv#7-7");
        assert_eq!(ids.assign("a.txt", None, None).0, "a.txt");
    }
}
