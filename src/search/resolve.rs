//! What the user typed after `--country`, `--leader`, `--org` → the exact tag the
//! index holds. A tag typed exactly as the index holds it (`US`, `NATO`, `Xi Jinping`)
//! is taken as it is, without loading the gazetteer (a few milliseconds of start-up).
//! Otherwise the shipped gazetteer answers (names, demonyms, surnames), and the
//! index's own tag values answer for what it does not know (inferred leaders, a user's
//! own gazetteer entries).

use crate::enrich::gazetteer::levenshtein;
use crate::enrich::Gazetteer;
use crate::error::{Error, Result};
use crate::index::NewsIndex;
use std::collections::BTreeSet;
use tantivy::schema::Field;

/// The shipped gazetteer, or another, loaded only when asked for.
pub type Lazy<'a> = &'a dyn Fn() -> &'a Gazetteer;

pub fn country(g: Lazy, idx: &NewsIndex, q: &str) -> Result<String> {
    if held(idx, idx.fields.countries, q) {
        return Ok(q.to_string());
    }
    match g().resolve_country(q) {
        Ok((code, _)) => Ok(code),
        Err(suggestions) => {
            let values = values(idx, idx.fields.countries);
            if let Some(v) = find_in(&values, q) {
                return Ok(v);
            }
            // "EU", "nato": an organisation typed where a country goes.
            if let Ok(name) = g().resolve_org(q) {
                return Err(Error::OtherTagKind {
                    value: q.to_string(),
                    asked: "country",
                    is: "organisation",
                    name,
                    flag: "org",
                });
            }
            Err(unknown("country", q, suggestions, &values))
        }
    }
}

pub fn leader(g: Lazy, idx: &NewsIndex, q: &str) -> Result<String> {
    if held(idx, idx.fields.leaders, q) {
        return Ok(q.to_string());
    }
    let values = values(idx, idx.fields.leaders);
    match g().resolve_leader(q) {
        Ok(name) => Ok(name),
        Err(suggestions) => {
            if let Some(v) = find_in(&values, q) {
                return Ok(v);
            }
            // A surname that names exactly one leader in this index.
            let fq = fold(q);
            let by_surname: Vec<&String> = values
                .iter()
                .filter(|v| fold(v).split_whitespace().last() == Some(fq.as_str()))
                .collect();
            if by_surname.len() == 1 {
                return Ok(by_surname[0].clone());
            }
            let candidates = g().leader_candidates(q);
            if !candidates.is_empty() {
                // Of several people of that name, the one the index holds: a filter on
                // the others would match nothing anyway.
                let held: Vec<&String> =
                    candidates.iter().filter(|c| values.contains(*c)).collect();
                if held.len() == 1 {
                    return Ok(held[0].clone());
                }
                return Err(Error::AmbiguousTag {
                    kind: "leader",
                    value: q.to_string(),
                    candidates,
                });
            }
            Err(unknown("leader", q, suggestions, &values))
        }
    }
}

pub fn org(g: Lazy, idx: &NewsIndex, q: &str) -> Result<String> {
    if held(idx, idx.fields.orgs, q) {
        return Ok(q.to_string());
    }
    match g().resolve_org(q) {
        Ok(name) => Ok(name),
        Err(suggestions) => {
            let values = values(idx, idx.fields.orgs);
            find_in(&values, q).ok_or_else(|| unknown("organisation", q, suggestions, &values))
        }
    }
}

/// A source as typed — any name or host of an outlet, in any case (`cnn`,
/// `edition.cnn.com`, `Cable News Network`) — → every source value the index holds for
/// that outlet (`CNN`, `cnn.com`, …): an article from any of them matches.
pub fn source(idx: &NewsIndex, q: &str) -> Result<Vec<String>> {
    let values = values(idx, idx.fields.source);
    let want = idx.canonical_source(q);
    let fw = fold(&want);
    let mut outlets = BTreeSet::new();
    let mut found = Vec::new();
    for v in &values {
        let c = idx.canonical_source(v);
        if c == want || (!fw.is_empty() && fold(&c) == fw) {
            found.push(v.clone());
        }
        outlets.insert(c.into_owned());
    }
    if found.is_empty() {
        return Err(unknown("source", q, Vec::new(), &outlets));
    }
    Ok(found)
}

/// An author: every name the index holds whose words include the words typed, in any
/// case (`author:smith` → "John Smith", "Jane Smith").
pub fn author(idx: &NewsIndex, q: &str) -> Result<Vec<String>> {
    let values = values(idx, idx.fields.authors);
    // An archive whose files name no author (a CSV without a byline column) is said
    // so, not sent to look for authors that `show` cannot show.
    if values.is_empty() {
        return Err(crate::error::Error::InvalidParameter {
            name: "author".into(),
            reason: format!(
                "no article in this index names an author (its files give no byline), so none is '{}'; search the name as words instead",
                q.chars().take(60).collect::<String>()
            ),
        });
    }
    let fq = fold(q);
    let words: Vec<&str> = fq.split_whitespace().collect();
    let found: Vec<String> = values
        .iter()
        .filter(|v| {
            let fv = fold(v);
            let have: Vec<&str> = fv.split_whitespace().collect();
            !words.is_empty() && words.iter().all(|w| have.contains(w))
        })
        .cloned()
        .collect();
    if found.is_empty() {
        return Err(unknown("author", q, Vec::new(), &values));
    }
    Ok(found)
}

fn unknown(
    kind: &'static str,
    q: &str,
    mut suggestions: Vec<String>,
    values: &BTreeSet<String>,
) -> Error {
    if suggestions.is_empty() {
        let fq = fold(q);
        // Values with a word that starts with what was typed (`abc` → ABC News) first,
        // then the closest by edits.
        let starts = |v: &str| {
            let fv = fold(v);
            fq.chars().count() >= 2 && fv.split_whitespace().any(|w| w.starts_with(fq.as_str()))
        };
        let mut scored: Vec<(bool, usize, &String)> = values
            .iter()
            .map(|v| (!starts(v), levenshtein(&fold(v), &fq), v))
            .collect();
        scored.sort();
        suggestions = scored
            .into_iter()
            .take(3)
            .map(|(_, _, v)| v.clone())
            .collect();
    }
    Error::UnknownTag {
        kind,
        value: q.to_string(),
        suggestions,
    }
}

fn find_in(values: &BTreeSet<String>, q: &str) -> Option<String> {
    let fq = fold(q);
    values.iter().find(|v| fold(v) == fq).cloned()
}

/// Whether the index holds exactly this tag value.
pub(crate) fn held(idx: &NewsIndex, field: Field, q: &str) -> bool {
    let Ok(searcher) = idx.searcher() else {
        return false;
    };
    searcher.segment_readers().iter().any(|seg| {
        seg.inverted_index(field)
            .ok()
            .and_then(|inv| inv.terms().get(q.as_bytes()).ok().flatten())
            .is_some()
    })
}

/// Every value of a tag field in the index (its term dictionary).
fn values(idx: &NewsIndex, field: Field) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Ok(searcher) = idx.searcher() else {
        return out;
    };
    for seg in searcher.segment_readers() {
        let Ok(inv) = seg.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inv.terms().stream() else {
            continue;
        };
        while stream.advance() {
            if let Ok(s) = std::str::from_utf8(stream.key()) {
                out.insert(s.to_string());
            }
        }
    }
    out
}

/// Lower case, diacritics removed, punctuation dropped.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggestions_start_with_values_that_have_a_word_starting_so() {
        let values: BTreeSet<String> = ["ABC News", "BBC", "CNN", "DW"].map(String::from).into();
        let Error::UnknownTag { suggestions, .. } = unknown("source", "abc", Vec::new(), &values)
        else {
            panic!("not an unknown tag");
        };
        assert_eq!(suggestions[0], "ABC News");
    }

    use super::*;

    #[test]
    fn fold_removes_case_diacritics_and_punctuation() {
        assert_eq!(fold("Recep Tayyip Erdoğan"), "recep tayyip erdogan");
        assert_eq!(fold("  U.S. "), "us");
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(levenshtein("taiwan", "taiwan"), 0);
        assert_eq!(levenshtein("taiwn", "taiwan"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
    }
}

/// A word typed in capitals that names a tag the index holds (see [`abbreviation`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abbreviation {
    pub kind: TagKind,
    /// The tag's name, as said (`United States`).
    pub name: String,
    /// The tags' field, and the tag's value there (an organisation's name, a
    /// country's code).
    pub field: Field,
    pub tag: String,
}

/// The kind of tag an [`Abbreviation`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    Country,
    Org,
}

impl TagKind {
    /// As said: `country`, `organisation`.
    pub fn noun(self) -> &'static str {
        match self {
            TagKind::Country => "country",
            TagKind::Org => "organisation",
        }
    }

    /// The filter's name (`--country`, `--org`; the flat tag fields of an export).
    pub fn flag(self) -> &'static str {
        match self {
            TagKind::Country => "country",
            TagKind::Org => "org",
        }
    }
}

/// What a word typed in capitals (two to five letters, a trailing `'s` aside) names:
/// an organisation whose abbreviation it is in the shipped gazetteer (`WHO`, `UN`,
/// `NATO`), else a country one of whose names is written so (`US`, `UK`, `UAE`; not its
/// ISO code alone: `IT` and `AI` are words), where the index holds that tag. The index
/// holds words without case, so `WHO` alone matches every "who" and `US` every "us";
/// the tagger reads capitals as written.
pub fn abbreviation(idx: &NewsIndex, word: &str) -> Option<Abbreviation> {
    let word = word.strip_suffix("'s").unwrap_or(word);
    if !(2..=5).contains(&word.len()) || !word.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let g = Gazetteer::shipped();
    let (kind, name, field, tag) = if let Ok(name) = g.resolve_org(word) {
        (TagKind::Org, name.clone(), idx.fields.orgs, name)
    } else {
        let c = g
            .countries
            .iter()
            .find(|c| c.aliases.iter().any(|a| a == word))?;
        (
            TagKind::Country,
            c.name.clone(),
            idx.fields.countries,
            c.code.clone(),
        )
    };
    held(idx, field, &tag).then_some(Abbreviation {
        kind,
        name,
        field,
        tag,
    })
}
