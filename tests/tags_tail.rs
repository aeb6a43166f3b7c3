//! Tags in the long tail, through the real binary: the same article gets the same tags
//! in every process, one tag per person, filter names as users type them.

use crate::util::TestEnv;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tags-tail")
        .join(name)
}

fn leader_tags(v: &Value) -> Vec<(String, usize)> {
    v["leaders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_string(),
                l["mentions"].as_array().unwrap().len(),
            )
        })
        .collect()
}

/// A news-2017 article where "Deby" named Idriss Déby in some runs and his son in
/// others: the surname's two spellings sat in two candidate groups, and which one a
/// hit saw depended on a hash map's order, which differs per process.
#[test]
fn the_same_article_gets_the_same_tags_in_every_process() {
    let env = TestEnv::new();
    let article = fixture("au-commission-chad.txt");
    let runs: Vec<String> = (0..6)
        .map(|_| {
            let r = env
                .run(&["enrich", article.to_str().unwrap(), "--json"])
                .success();
            r.stdout.clone()
        })
        .collect();
    for r in &runs[1..] {
        assert_eq!(r, &runs[0], "tags differ between processes");
    }
    let v: Value = serde_json::from_str(&runs[0]).unwrap();
    let deby: Vec<(String, usize)> = leader_tags(&v)
        .into_iter()
        .filter(|(n, _)| n.contains("Deby") || n.contains("Déby"))
        .collect();
    // "President Idriss Deby" names the father; the three bare "Deby" are his.
    assert_eq!(deby.len(), 1, "{deby:?}");
    assert!(deby[0].0.starts_with("Idriss"), "{deby:?}");
    assert_eq!(deby[0].1, 4, "{deby:?}");
}

fn country_codes(v: &Value) -> Vec<String> {
    v["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect()
}

/// Pieces of gazetteer junk used to tag small territories: "Henderson" (a piece of
/// "Pitcairn, Henderson, Ducie, and Oeno Islands"), "Wallis" (a piece of "Wallis and
/// Futuna Islanders"), "Jersey" the garment.
#[test]
fn surnames_and_words_are_not_small_territories() {
    let env = TestEnv::new();
    let f = env.write(
        "sport.txt",
        "Wallabies win in Sydney\n\nHenderson scored twice as Australia beat the All Blacks. \
         Jim Wallis, the coach, said the team would wear a new jersey. Jersey sales rose.\n",
    );
    let v = env
        .run(&["enrich", f.to_str().unwrap(), "--json"])
        .success()
        .json();
    let codes = country_codes(&v);
    assert!(codes.contains(&"AU".to_string()), "{codes:?}");
    for c in ["PN", "WF", "JE"] {
        assert!(!codes.contains(&c.to_string()), "{c} in {codes:?}");
    }
    // The real names still tag.
    let f = env.write(
        "islands.txt",
        "Island news\n\nThe Pitcairn Islands and Wallis and Futuna are in the Pacific. \
         Ferries from France to Jersey and Guernsey were cancelled.\n",
    );
    let v = env
        .run(&["enrich", f.to_str().unwrap(), "--json"])
        .success()
        .json();
    let codes = country_codes(&v);
    for c in ["PN", "WF", "JE"] {
        assert!(codes.contains(&c.to_string()), "{c} not in {codes:?}");
    }
}
