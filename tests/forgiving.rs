//! Queries that forgive: possessives and clitics, prefixes, fields in the query string
//! and misspelt words, each through the real binary on the sample corpus, with the
//! notices that say what was searched, and exact queries unchanged.

use crate::util::sample;

fn titles(query: &str, args: &[&str]) -> Vec<String> {
    sample()
        .env
        .hits(query, args)
        .iter()
        .map(|h| h["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

const TAIWAN_RETURN: &str = "Xi tells Trump Taiwan's return to China is part of post-war order";

#[test]
fn a_phrase_finds_the_possessive_form() {
    // The article says "Taiwan's return"; the phrase without the possessive finds it.
    assert!(titles("\"taiwan return\"", &["--limit", "50"]).contains(&TAIWAN_RETURN.to_string()));
    // Written with the possessive, straight or curly, the phrase finds it too.
    assert!(titles("\"Taiwan’s return\"", &["--limit", "50"]).contains(&TAIWAN_RETURN.to_string()));
    assert!(titles("\"taiwan's return\"", &["--limit", "50"]).contains(&TAIWAN_RETURN.to_string()));
    // The possessive is only a possessive: other words between still break the phrase.
    assert!(!titles("\"taiwan china\"", &["--limit", "50"]).contains(&TAIWAN_RETURN.to_string()));
}

#[test]
fn a_name_finds_its_possessive() {
    // "Xi's" in the text is found by "xi", and the query "Xi's" finds "Xi".
    let xi = titles("xi", &["--limit", "50"]);
    assert!(xi.contains(&TAIWAN_RETURN.to_string()), "{xi:?}");
    assert_eq!(titles("Xi's", &["--limit", "50"]), xi);
}

fn ids(query: &str) -> Vec<String> {
    let mut v = sample().env.ids(query, &["--limit", "100", "--all"]);
    v.sort();
    v
}

#[test]
fn a_prefix_matches_the_words_that_start_with_it() {
    let brexit = ids("brexit");
    assert!(!brexit.is_empty());
    let brex = ids("brex*");
    for id in &brexit {
        assert!(brex.contains(id), "brex* misses {id}");
    }
    // The snippet highlights the word the prefix found.
    let hit = &sample().env.hits("brex*", &["--limit", "1"])[0];
    let marks = crate::util::highlighted(&hit["snippets"][0]);
    assert!(
        marks.iter().any(|m| m.to_lowercase().starts_with("brex")),
        "{marks:?}"
    );
    // A word whose stem is shorter than the prefix: negotiat* → negotiate (negoti).
    assert_eq!(
        ids("negotiat*"),
        ids("negotiation OR negotiate OR negotiations OR negotiating")
    );
    // Nothing starts with it: nothing matches, and a required prefix still requires
    // (what follows are partial matches, as for any word the index lacks).
    assert!(ids("zzqx*").is_empty());
    let hits = sample().env.hits("brexit zzqx*", &["--limit", "100"]);
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["partial"] == true), "{hits:#?}");
    // Without the star the word is the word.
    assert!(ids("brex").is_empty());
}
