//! The long tail of tags, for auditing, through the real binary on the sample corpus:
//! `tags --rare` lists exactly the values carried by few articles, and the words it
//! says triggered them are the mentions stored with those articles.

use crate::api::sample_server;
use crate::util::{sample, strs};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Every (kind, value) → count, from the plain `tags --json`.
fn all_counts() -> BTreeMap<(String, String), u64> {
    sample()
        .env
        .run(&["tags", "--json", "--limit", "100000"])
        .success()
        .json_lines()
        .iter()
        .map(|t| {
            (
                (
                    t["kind"].as_str().unwrap().to_string(),
                    t["value"].as_str().unwrap().to_string(),
                ),
                t["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn rare_lists_exactly_the_values_with_few_articles_and_their_trigger_words() {
    let env = &sample().env;
    let max = 3u64;
    let rare = env
        .run(&["tags", "--rare", "--max-articles", "3", "--json"])
        .success()
        .json_lines();
    let counts = all_counts();
    let expected: BTreeMap<_, _> = counts
        .iter()
        .filter(|(_, n)| **n <= max)
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    let listed: BTreeMap<_, _> = rare
        .iter()
        .map(|t| {
            (
                (
                    t["kind"].as_str().unwrap().to_string(),
                    t["value"].as_str().unwrap().to_string(),
                ),
                t["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed.len(), rare.len(), "a value listed twice");
    assert_eq!(listed, expected);
    // The sample has a long tail of every kind, and values above the bound too.
    for kind in ["country", "leader", "org"] {
        assert!(listed.keys().any(|(k, _)| k == kind), "no rare {kind}");
    }
    assert!(counts.values().any(|n| *n > max));

    // Kind by kind, rarest first.
    let order: Vec<(&str, u64)> = rare
        .iter()
        .map(|t| (t["kind"].as_str().unwrap(), t["count"].as_u64().unwrap()))
        .collect();
    let mut sorted = order.clone();
    let rank = |k: &str| ["country", "leader", "org"].iter().position(|x| *x == k);
    sorted.sort_by_key(|(k, n)| (rank(k), *n));
    assert_eq!(order, sorted);

    // Each value lists all its (at most 3) articles; its triggers are the mentions
    // `show` gives for that tag in them, and each is written in the article.
    let mut shown: HashMap<String, Value> = HashMap::new();
    for t in &rare {
        let (kind, value) = (t["kind"].as_str().unwrap(), t["value"].as_str().unwrap());
        let ids = strs(&t["articles"]);
        assert_eq!(ids.len() as u64, t["count"].as_u64().unwrap(), "{t}");
        let triggers: BTreeSet<String> = strs(&t["triggers"]).into_iter().collect();
        assert!(!triggers.is_empty(), "no trigger words: {t}");
        let mut from_show = BTreeSet::new();
        let mut text = String::new();
        for id in &ids {
            let a = shown
                .entry(id.clone())
                .or_insert_with(|| env.run(&["show", id, "--json"]).success().json());
            for f in ["title", "subtitle", "body"] {
                text.push_str(a[f].as_str().unwrap_or_default());
                text.push('\n');
            }
            let (list, key) = match kind {
                "country" => ("countries", "code"),
                "leader" => ("leaders", "name"),
                _ => ("orgs", "name"),
            };
            let tag = a[list]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x[key] == value && x["via_place"] != true)
                .unwrap_or_else(|| panic!("{id} does not carry {kind} {value}"));
            for m in tag["mentions"].as_array().unwrap() {
                from_show.insert(m["text"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(triggers, from_show, "{kind} {value}");
        for w in &triggers {
            assert!(text.contains(w.as_str()), "{w:?} not in {ids:?}");
        }
    }
}

#[test]
fn rare_reads_as_text_by_kind_and_through_the_api() {
    let env = &sample().env;
    let lines = env
        .run(&["tags", "--rare", "--kind", "org", "--json"])
        .success()
        .json_lines();
    assert!(!lines.is_empty());
    // The default bound is 8 articles; at most 3 ids are listed.
    for t in &lines {
        assert_eq!(t["kind"], "org");
        let n = t["count"].as_u64().unwrap();
        assert!((1..=8).contains(&n), "{t}");
        assert_eq!(strs(&t["articles"]).len() as u64, n.min(3), "{t}");
    }
    let text = env
        .run(&["tags", "--rare", "--kind", "org", "--color", "never"])
        .success()
        .stdout;
    assert!(text.starts_with("org: "), "{text}");
    for t in &lines {
        let value = t["value"].as_str().unwrap();
        let words = strs(&t["triggers"]).join(" · ");
        assert!(
            text.contains(&format!("  {value}\n           words: {words}\n")),
            "{value} missing from:\n{text}"
        );
    }
    // The API answers the same values, rarest first, in `tags` and `rare`.
    let (srv, _) = sample_server();
    let api = srv.json("/api/tags?rare=true&kind=org");
    let limit = 20.min(lines.len());
    assert_eq!(api["rare"].as_array().unwrap(), &lines[..limit]);
    let tags = api["tags"].as_array().unwrap();
    assert_eq!(tags.len(), limit);
    for (t, r) in tags.iter().zip(&lines) {
        assert_eq!((&t["value"], &t["count"]), (&r["value"], &r["count"]));
    }
    // A source has no trigger words: refused with the reason.
    let r = env.run(&["tags", "--rare", "--kind", "source"]);
    assert_ne!(r.code, Some(0));
    assert!(r.stderr.contains("rare"), "{r:?}");
    // No value is carried by fewer than one article.
    let none = env
        .run(&["tags", "--rare", "--max-articles", "0", "--json"])
        .success();
    assert!(none.json_lines().is_empty(), "{none:?}");
}
