//! Tags in the long tail, through the real binary: `eval --long-tail` computes the
//! figures it names on a small copy of the judged set, and a user's gazetteer is
//! remembered by the index it was ingested with.

use crate::util::TestEnv;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The articles of the subset: values with right and wrong pairs (MR: one of each),
/// values whose pairs are all wrong (RE, Imran Khan, Giorgio Napolitano).
const ARTICLES: [&str; 9] = [
    "2282", "1191", "3037", "689", "903", "341", "1919", "2739", "2807",
];

/// `news-2017.csv` holding only the subset's rows, from the archive packed in the repo.
fn subset_csv(env: &TestEnv) {
    let packed = std::fs::File::open(repo().join("tests/data/relevance/articles.csv.zst")).unwrap();
    let mut raw = Vec::new();
    zstd::stream::copy_decode(packed, &mut raw).unwrap();
    let mut rdr = csv::Reader::from_reader(raw.as_slice());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(rdr.headers().unwrap()).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if ARTICLES.contains(&rec.get(0).unwrap()) {
            w.write_record(&rec).unwrap();
        }
    }
    env.write("news-2017.csv", w.into_inner().unwrap());
}

fn key(kind: &str, value: &str) -> (String, String) {
    let v = if kind == "leader" {
        // Leader names compare without diacritics; the subset's names have none.
        value.to_lowercase()
    } else {
        value.to_string()
    };
    (kind.to_string(), v)
}

/// The (kind, value) pairs `show --json` says an article carries (countries named
/// directly, not only through a city).
fn shown_tags(env: &TestEnv, id: &str) -> HashSet<(String, String)> {
    let a = env
        .run(&["show", id, "--index", env.index.to_str().unwrap(), "--json"])
        .success()
        .json();
    let mut out = HashSet::new();
    for c in a["countries"].as_array().unwrap() {
        if c["via_place"] != true {
            out.insert(key("country", c["code"].as_str().unwrap()));
        }
    }
    for l in a["leaders"].as_array().unwrap() {
        out.insert(key("leader", l["name"].as_str().unwrap()));
    }
    for o in a["orgs"].as_array().unwrap() {
        out.insert(key("org", o["name"].as_str().unwrap()));
    }
    out
}

fn close(a: &Value, b: f64, what: &str) {
    let a = a.as_f64().unwrap_or_else(|| panic!("{what}: not a number"));
    assert!((a - b).abs() < 1e-9, "{what}: reported {a}, expected {b}");
}

#[test]
fn eval_long_tail_reports_macro_precision_kept_and_unjudged_pairs() {
    let env = TestEnv::new();
    subset_csv(&env);
    env.ingest(&[]).success();
    // The subset of the judged set: every pair of these articles, less one right pair
    // (then unjudged, if the tagger still makes it), plus one right pair the tagger
    // cannot make (no Barbados in a story about Egyptian NGOs: lost).
    let ids: Vec<String> = ARTICLES
        .iter()
        .map(|n| format!("news-2017.csv#{n}"))
        .collect();
    let dropped = ("country", "BF", "news-2017.csv#2282");
    let lost = json!({"kind": "country", "value": "BB", "article": "news-2017.csv#1191", "right": true, "why": "made up"});
    let mut set: Vec<Value> =
        std::fs::read_to_string(repo().join("tests/data/long-tail/judged.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|j| ids.iter().any(|i| j["article"] == i.as_str()))
            .filter(|j| !(j["value"] == dropped.1 && j["article"] == dropped.2))
            .collect();
    assert!(set.len() >= 14, "the subset holds {} pairs", set.len());
    set.push(lost.clone());
    let dir = env.root.join("long-tail");
    std::fs::create_dir_all(&dir).unwrap();
    let lines: Vec<String> = set.iter().map(Value::to_string).collect();
    std::fs::write(dir.join("judged.jsonl"), lines.join("\n") + "\n").unwrap();

    let labels = repo().join("tests/data/labels");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--labels",
            labels.to_str().unwrap(),
            "--long-tail",
            dir.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        env.run(&args).success()
    };
    let report = run(&["--json"]).json()["long_tail"].clone();

    // The same figures from what `show` and `tags --rare` print.
    let shown: BTreeMap<&str, HashSet<(String, String)>> = ids
        .iter()
        .map(|i| (i.as_str(), shown_tags(&env, i)))
        .collect();
    let mut judged = HashSet::new();
    for kind in ["country", "leader", "org"] {
        let mut per_value: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let (mut right, mut right_made, mut wrong, mut wrong_made) = (0, 0, 0, 0);
        for j in set.iter().filter(|j| j["kind"] == kind) {
            let k = key(kind, j["value"].as_str().unwrap());
            let article = j["article"].as_str().unwrap();
            judged.insert((k.clone(), article.to_string()));
            let made = shown[article].contains(&k);
            let slot = per_value.entry(k.1.clone()).or_default();
            if j["right"] == true {
                right += 1;
                if made {
                    right_made += 1;
                    slot.0 += 1;
                }
            } else {
                wrong += 1;
                if made {
                    wrong_made += 1;
                    slot.1 += 1;
                }
            }
        }
        let shares: Vec<f64> = per_value
            .values()
            .filter(|(r, w)| r + w > 0)
            .map(|&(r, w)| r as f64 / (r + w) as f64)
            .collect();
        let k = &report["kinds"][kind];
        assert_eq!(k["values"], per_value.len(), "{kind}");
        assert_eq!(k["values_produced"], shares.len(), "{kind}");
        assert_eq!(k["right"], right, "{kind}");
        assert_eq!(k["right_produced"], right_made, "{kind}");
        assert_eq!(k["wrong"], wrong, "{kind}");
        assert_eq!(k["wrong_produced"], wrong_made, "{kind}");
        let macro_p = if shares.is_empty() {
            1.0
        } else {
            shares.iter().sum::<f64>() / shares.len() as f64
        };
        close(&k["macro_precision"], macro_p, &format!("{kind} macro"));
        close(
            &k["kept"],
            if right == 0 {
                1.0
            } else {
                right_made as f64 / right as f64
            },
            &format!("{kind} kept"),
        );
    }
    // MR has one right and one wrong pair: unless a rule drops one, macro and micro
    // precision of the countries differ, which is the point of reporting both.
    let lost_pairs: Vec<(String, String)> = report["right_lost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["value"].as_str().unwrap().into(),
                p["article"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(lost_pairs.contains(&("BB".into(), "news-2017.csv#1191".into())));
    let rare = env
        .run(&[
            "tags",
            "--rare",
            "--json",
            "--index",
            env.index.to_str().unwrap(),
        ])
        .success()
        .json_lines();
    let mut unjudged = BTreeSet::new();
    for t in &rare {
        let k = key(t["kind"].as_str().unwrap(), t["value"].as_str().unwrap());
        for a in t["articles"].as_array().unwrap() {
            let a = a.as_str().unwrap().to_string();
            if !judged.contains(&(k.clone(), a.clone())) {
                unjudged.insert((k.0.clone(), k.1.clone(), a));
            }
        }
    }
    let reported: BTreeSet<(String, String, String)> = report["unjudged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let k = key(p["kind"].as_str().unwrap(), p["value"].as_str().unwrap());
            (k.0, k.1, p["article"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(reported, unjudged);
    // Burkina Faso, named in full, is tagged: its pair left out of the set is unjudged.
    assert!(unjudged.contains(&(dropped.0.into(), dropped.1.into(), dropped.2.into())));
    assert_eq!(report["articles_missing"], 0);

    // The table says the same.
    let text = run(&["--verbose"]).stdout;
    assert!(text.contains("long tail: "), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("long tail right lost: country \"BB\" news-2017.csv#1191")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("long tail unjudged: country \"BF\"")),
        "{text}"
    );
}

#[test]
fn eval_long_tail_names_a_bad_line_and_an_index_of_another_archive() {
    let env = TestEnv::new();
    env.write("a.txt", "Protesters gathered in Burkina Faso on Monday.\n");
    env.ingest(&[]).success();
    let dir = env.root.join("set");
    std::fs::create_dir_all(&dir).unwrap();
    let labels = repo().join("tests/data/labels");
    let eval = |d: &Path| {
        env.run(&[
            "eval",
            "--labels",
            labels.to_str().unwrap(),
            "--long-tail",
            d.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
        ])
    };
    std::fs::write(
        dir.join("judged.jsonl"),
        "{\"kind\":\"country\",\"value\":\"BF\",\"article\":\"a.txt\",\"right\":true}\n{\"kind\":\"country\",\"value\":\"BF\"}\n",
    )
    .unwrap();
    let r = eval(&dir);
    assert_ne!(r.code, Some(0));
    assert!(r.stderr.contains("judged.jsonl:2:"), "{}", r.stderr);
    std::fs::write(
        dir.join("judged.jsonl"),
        "{\"kind\":\"country\",\"value\":\"BF\",\"article\":\"news-2017.csv#2282\",\"right\":true}\n",
    )
    .unwrap();
    let r = eval(&dir);
    assert_ne!(r.code, Some(0));
    assert!(
        r.stderr.contains("holds none of the 1 articles"),
        "{}",
        r.stderr
    );
}

/// The example gazetteer of README, as a user would copy it.
fn readme_gazetteer() -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let start = readme
        .find("```\n# kind")
        .expect("README shows a gazetteer example")
        + 4;
    let len = readme[start..].find("```").unwrap();
    readme[start..start + len].to_string()
}

/// (country codes, leader names) `show --json` gives an article.
fn tags_of(env: &TestEnv, id: &str) -> (Vec<String>, Vec<String>) {
    let a = env
        .run(&["show", id, "--index", env.index.to_str().unwrap(), "--json"])
        .success()
        .json();
    let list = |k: &str, f: &str| -> Vec<String> {
        a[k].as_array()
            .unwrap()
            .iter()
            .map(|t| t[f].as_str().unwrap().to_string())
            .collect()
    };
    (list("countries", "code"), list("leaders", "name"))
}

#[test]
fn the_users_gazetteer_from_readme_is_remembered_by_the_index() {
    let env = TestEnv::new();
    let example = readme_gazetteer();
    assert!(
        example.contains('\t') && example.contains("# CODE"),
        "{example}"
    );
    let file = env.root.join("my.tsv");
    std::fs::write(&file, &example).unwrap();
    env.write(
        "a.txt",
        "Atlantis votes\n\nPresident Jane Roe of Atlantis spoke in Poseidonia on Monday.\n",
    );
    env.ingest(&["--gazetteer", file.to_str().unwrap()])
        .success();
    let (countries, leaders) = tags_of(&env, "a.txt");
    assert!(countries.contains(&"XA".to_string()), "{countries:?}");
    assert_eq!(leaders, ["Jane Roe"]);
    let copy = env.index.join("newsidx-gazetteer.tsv");
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), example);

    // Filters resolve the user's names without the flag.
    assert_eq!(env.ids("", &["--country", "atlantis"]), ["a.txt"]);
    assert_eq!(env.ids("", &["--country", "Atlanteans"]), ["a.txt"]);
    assert_eq!(env.ids("", &["--leader", "President Roe"]), ["a.txt"]);
    let tags = env
        .run(&[
            "tags",
            "--index",
            env.index.to_str().unwrap(),
            "--country",
            "atlantis",
            "--json",
        ])
        .success()
        .json_lines();
    assert!(tags.iter().any(|t| t["value"] == "Jane Roe"), "{tags:?}");

    // A later ingest and a rebuild, without the flag, tag with it.
    env.write(
        "b.txt",
        "Atlanteans vote\n\nThe Atlanteans voted for the League of Atlantis.\n",
    );
    env.ingest(&[]).success();
    assert!(tags_of(&env, "b.txt").0.contains(&"XA".to_string()));
    env.ingest(&["--rebuild"]).success();
    assert!(tags_of(&env, "a.txt").0.contains(&"XA".to_string()));
    assert_eq!(env.ids("", &["--country", "atlantis"]).len(), 2);
    assert_eq!(env.ids("", &["--org", "LoA"]), ["b.txt"]);

    // Fields separated by spaces, as a page may turn the TABs into, read the same; the
    // new file replaces the copy.
    let spaced = example
        .replace('\t', "    ")
        .replace("Jane Roe", "Jane Doe");
    std::fs::write(&file, &spaced).unwrap();
    env.ingest(&["--gazetteer", file.to_str().unwrap(), "--rebuild"])
        .success();
    assert_eq!(tags_of(&env, "a.txt").1, Vec::<String>::new());
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), spaced);
    assert_eq!(env.ids("", &["--country", "atlantis"]).len(), 2);

    // A damaged copy is named, with what to do.
    std::fs::write(&copy, "country\tXA\tAtlantis\nleader\tJohn Doe\tZZ\n").unwrap();
    let r = env.search("", &["--country", "atlantis"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains("newsidx-gazetteer.tsv:2") && r.stderr.contains("--gazetteer FILE"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_running_server_uses_a_gazetteer_given_to_a_later_ingest() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        "Atlantis votes\n\nPresident Jane Roe of Atlantis spoke in Poseidonia on Monday.\n",
    );
    env.ingest(&[]).success();
    let srv = crate::api::Server::start(&env, &[], &[]);
    let before = srv.get("/api/search?q=&country=atlantis");
    assert_eq!(before.status, 400, "{before:?}");
    let file = env.root.join("my.tsv");
    std::fs::write(&file, readme_gazetteer()).unwrap();
    // Not a rebuild (which a server follows anyway): an ingest of one new article
    // with the gazetteer, which keeps the index's generation.
    env.write(
        "b.txt",
        "Atlanteans vote\n\nThe Atlanteans voted for the League of Atlantis.\n",
    );
    env.ingest(&["--gazetteer", file.to_str().unwrap()])
        .success();
    // No restart: the server sees the index's new gazetteer at its next request.
    let after = srv.json("/api/search?q=&country=atlantis");
    let ids: Vec<&str> = after["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["b.txt"], "{after:#}");
}
