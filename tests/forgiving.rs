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
