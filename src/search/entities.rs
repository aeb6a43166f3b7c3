//! Which words of a query name a country, a leader or an organisation, through the
//! gazetteer the tags are made with: "Dutch" is the Netherlands (NL), "Erdogan" is
//! Recep Tayyip Erdoğan, "NATO" is NATO.
//!
//! Names of several words are read first and never in part: "South Sudan" is SS, not
//! Sudan; "Northern Ireland" is a part of the United Kingdom, so neither Ireland nor a
//! country at all; "New Mexico" and "South China Sea" (a place, a phrase that hides a
//! name) name no country. Only names that stand for the country itself count — its
//! name, other names and demonyms, its ISO code typed in capitals (`US`, never `us`) —
//! not its capital, cities or parts, whose articles are about a place in it. A leader
//! counts by full name or alias, or by surname when the surname alone names one
//! leader (Erdogan, Merkel; not May, Bush or Kim).

use crate::enrich::gazetteer::{lookup_key, Gazetteer};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The longest name looked for, in words ("United Kingdom of Great Britain and
/// Northern Ireland" is longer, and nobody types it).
const MAX_WORDS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Country,
    Leader,
    Org,
    /// A name of several words that holds an entity's name without being it (Northern
    /// Ireland, New Mexico, South China Sea): read as one name, so that no part of it
    /// counts alone.
    Place,
}

/// A name found in the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: Kind,
    /// The tag value as the index holds it (`NL`, `Recep Tayyip Erdoğan`, `NATO`).
    pub value: String,
    /// The words of the query it spans: `start..start + len`.
    pub start: usize,
    pub len: usize,
    /// Every name the gazetteer knows it by (for a country: name, other names and
    /// demonyms), the query's own words included.
    pub names: Vec<String>,
}

/// Names that hold a country's, leader's or organisation's name without being it:
/// places, parts, seats of government, capitals, the tagger's stop phrases.
fn blocking(g: &Gazetteer) -> &'static HashSet<String> {
    static KEYS: OnceLock<HashSet<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: HashSet<String> = HashSet::new();
        keys.extend(g.stop_phrases.iter().map(|s| lookup_key(s)));
        for p in g.places.iter().chain(&g.metonyms).chain(&g.parts) {
            keys.insert(lookup_key(&p.name));
        }
        for c in &g.countries {
            keys.extend(c.capitals.iter().map(|s| lookup_key(s)));
        }
        // A name that is also the country's own name stays the country ("Singapore",
        // "Kuwait"; "Georgia" the state is a place, the country comes first).
        for c in &g.countries {
            for n in own_names(c) {
                keys.remove(&lookup_key(n));
            }
        }
        keys
    })
}

fn own_names(c: &crate::enrich::gazetteer::Country) -> impl Iterator<Item = &String> {
    std::iter::once(&c.name)
        .chain(&c.aliases)
        .chain(&c.demonyms)
        .chain(&c.ambiguous)
}

/// An acronym (`US`, `U.S.`, `UK`) counts only typed in capitals: "us" is a word.
fn case_fits(name: &str, typed: &str) -> bool {
    let letters: String = name.chars().filter(|c| *c != '.').collect();
    let acronym = letters.len() <= 4 && letters.chars().all(|c| c.is_ascii_uppercase());
    !acronym || !typed.chars().any(|c| c.is_lowercase())
}

/// What `words` (as typed) name, if anything: `Some(None)` for a name that is not an
/// entity of its own (a place, a part, a stop phrase), whose words must not be read
/// apart.
fn lookup(g: &Gazetteer, words: &[&str]) -> Option<Option<(Kind, String, Vec<String>)>> {
    let typed = words.join(" ");
    let key = lookup_key(&typed);
    if key.is_empty() {
        return None;
    }
    if let Some(c) = g.country_by_key(&key) {
        let code_typed = words.len() == 1 && typed == c.code;
        if code_typed || own_names(c).any(|n| lookup_key(n) == key && case_fits(n, &typed)) {
            let mut names: Vec<String> = own_names(c).cloned().collect();
            if code_typed {
                names.push(c.code.clone());
            }
            return Some(Some((Kind::Country, c.code.clone(), names)));
        }
    }
    if blocking(g).contains(&key) {
        return Some(None);
    }
    if let Some(l) = g.leader_by_key(&key) {
        let by_surname = lookup_key(&l.surname) == key
            && lookup_key(&l.name) != key
            && !l.aliases.iter().any(|a| lookup_key(a) == key);
        if !by_surname || l.alone {
            let mut names = vec![l.name.clone()];
            names.extend(l.aliases.iter().cloned());
            if l.alone && !l.surname.is_empty() {
                names.push(l.surname.clone());
            }
            return Some(Some((Kind::Leader, l.name.clone(), names)));
        }
    }
    if let Some(o) = g.org_by_key(&key) {
        let named = std::iter::once(&o.name)
            .chain(&o.aliases)
            .any(|n| lookup_key(n) == key && case_fits(n, &typed));
        if named {
            let mut names = vec![o.name.clone()];
            names.extend(o.aliases.iter().cloned());
            return Some(Some((Kind::Org, o.name.clone(), names)));
        }
    }
    None
}

/// The entities `words` (a query's words in order, as typed) name, and the names of
/// several words that hold one without being it ([`Kind::Place`]), longest names
/// first, left to right; a word belongs to at most one name.
pub fn recognise(g: &Gazetteer, words: &[&str]) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut step = 1;
        for len in (1..=MAX_WORDS.min(words.len() - i)).rev() {
            match lookup(g, &words[i..i + len]) {
                None => continue,
                Some(found) => {
                    let (kind, value, names) = found
                        .unwrap_or_else(|| (Kind::Place, words[i..i + len].join(" "), Vec::new()));
                    if kind != Kind::Place || len > 1 {
                        out.push(Entity {
                            kind,
                            value,
                            start: i,
                            len,
                            names,
                        });
                    }
                    step = len;
                    break;
                }
            }
        }
        i += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(q: &str) -> Vec<(String, usize, usize)> {
        let words: Vec<&str> = q.split_whitespace().collect();
        recognise(Gazetteer::shipped(), &words)
            .into_iter()
            .filter(|e| e.kind != Kind::Place)
            .map(|e| (e.value, e.start, e.len))
            .collect()
    }

    #[test]
    fn several_word_names_first_and_never_in_part() {
        assert_eq!(found("South Sudan famine"), [("SS".into(), 0, 2)]);
        assert_eq!(found("Northern Ireland election"), []);
        assert_eq!(found("south china sea dispute"), []);
        let words = ["Northern", "Ireland", "election"];
        let place = &recognise(Gazetteer::shipped(), &words)[0];
        assert_eq!((place.kind, place.start, place.len), (Kind::Place, 0, 2));
        assert_eq!(
            found("THAAD South Korea China"),
            [("KR".into(), 1, 2), ("CN".into(), 3, 1)]
        );
    }

    #[test]
    fn names_demonyms_leaders_and_orgs() {
        assert_eq!(found("Wilders Dutch election"), [("NL".into(), 1, 1)]);
        assert_eq!(
            found("erdogan nato"),
            [("Recep Tayyip Erdoğan".into(), 0, 1), ("NATO".into(), 1, 1)]
        );
        assert_eq!(found("Xi Jinping Davos")[0].0, "Xi Jinping");
    }

    #[test]
    fn capitals_codes_in_lower_case_and_shared_surnames_are_not_entities() {
        assert_eq!(found("Beijing air quality"), []);
        assert_eq!(found("us trade"), []);
        assert_eq!(found("US trade"), [("US".into(), 0, 1)]);
        assert_eq!(found("may bush"), []);
    }
}
