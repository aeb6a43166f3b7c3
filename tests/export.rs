//! `newsidx export` and `search --as opensearch`: golden files for a small archive
//! (mapping, bulk lines, Quickwit config, request bodies), every field of the bulk
//! documents checked against the mapping and OpenSearch's documented field types, the
//! NDJSON records against `show --json`, incremental exports (a removed article is a
//! delete action, an unchanged one is not written again), and the folder rules.

use crate::util::{sample, TestEnv};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Three short articles (two of them near copies) with tags and dates.
const ARTICLES: [(&str, &str); 3] = [
    (
        "wire/taiwan.md",
        "---\ntitle: Xi tells Trump Taiwan's return is part of the post-war order\ndate: 2017-03-06\nsource: Wire\nauthors: Jane Doe\n---\n\nChinese President Xi Jinping told US President Donald Trump on Monday that Taiwan's return to China is part of the post-war international order. The two leaders spoke by phone about trade, tariffs and North Korea, and agreed to meet at the G20 summit in Germany in July 2017. Officials in Beijing and Washington said the call was candid and constructive, and that trade talks would go on.\n",
    ),
    (
        "wire/taiwan-copy.md",
        "---\ntitle: Xi tells Trump Taiwan's return is part of post-war order\ndate: 2017-03-07\nsource: Repost\n---\n\nChinese President Xi Jinping told US President Donald Trump on Monday that Taiwan's return to China is part of the post-war international order. The two leaders spoke by phone about trade, tariffs and North Korea, and agreed to meet at the G20 summit in Germany in July 2017. Officials in Beijing and Washington said the call was candid and constructive, and that trade talks would go on.\n",
    ),
    (
        "wire/brexit.md",
        "---\ntitle: Brexit talks resume in Brussels\ndate: 2017-06-19\nsource: Wire\n---\n\nBritish and European Union negotiators resumed Brexit talks in Brussels on Monday. Theresa May said the United Kingdom would leave the single market in 2019.\n",
    ),
];

/// Ingested on four enrichment threads: the articles still reach the index in walk
/// order, so the near copies' group is named after the same one every time (the
/// golden files hold it).
fn small_env() -> TestEnv {
    let env = TestEnv::new();
    for (rel, text) in ARTICLES {
        env.write(rel, text);
    }
    env.ingest(&["--threads", "4"]).success();
    env
}

fn export(env: &TestEnv, to: &str, dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "export",
        "--to",
        to,
        dir.to_str().unwrap(),
        "--index",
        env.index.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    env.run(&args).success().json()
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/export")
        .join(name)
}

/// Compares `actual` with `tests/data/export/NAME`; `NEWSIDX_UPDATE_SNAPSHOTS=1`
/// writes it instead.
fn golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("NEWSIDX_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with NEWSIDX_UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{name} differs from {} (run with NEWSIDX_UPDATE_SNAPSHOTS=1 to accept):\n{actual}",
        path.display()
    );
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn lines(dir: &Path, files: &Value) -> Vec<Value> {
    files
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            read(dir, f.as_str().unwrap())
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn opensearch_export_of_a_small_archive_matches_its_golden_files() {
    let env = small_env();
    let dir = env.root.join("os");
    let sum = export(&env, "opensearch", &dir, &[]);
    assert_eq!(sum["articles"], 3);
    assert_eq!(sum["written"], 3);
    assert_eq!(
        sum["files"],
        serde_json::json!(["bulk-000001-000001.ndjson"])
    );
    golden("mapping.json", &read(&dir, "mapping.json"));
    golden("bulk.ndjson", &read(&dir, "bulk-000001-000001.ndjson"));
    // Actions and documents alternate; each _id is the article's id.
    let l = lines(&dir, &sum["files"]);
    assert_eq!(l.len(), 6);
    for pair in l.chunks(2) {
        assert_eq!(pair[0]["index"]["_id"], pair[1]["id"]);
    }
    // The near copies share a group (what `collapse` folds on) and name each other.
    let copy = &l[3];
    assert_eq!(copy["id"], "wire/taiwan-copy.md");
    assert_eq!(copy["group"], l[5]["group"]);
    assert_eq!(copy["similar"][0]["id"], "wire/taiwan.md");
    assert!(strs(&copy["country"]).contains(&"TW".to_string()));
    assert!(strs(&copy["leader"]).contains(&"Xi Jinping".to_string()));
    assert!(strs(&copy["mentions"]).contains(&"2017-07".to_string()));
    assert!(check_bulk(&dir, &sum).contains("authors"));
}

fn strs(v: &Value) -> Vec<String> {
    crate::util::strs(v)
}

#[test]
fn quickwit_export_matches_its_golden_files_and_names_every_flat_field() {
    let env = small_env();
    let dir = env.root.join("qw");
    let sum = export(&env, "quickwit", &dir, &[]);
    assert_eq!(sum["files"], serde_json::json!(["docs-000001.ndjson"]));
    let config = read(&dir, "index-config.yaml");
    golden("index-config.yaml", &config);
    golden("docs.ndjson", &read(&dir, "docs-000001.ndjson"));
    // Every mapped field: a name Quickwit accepts, and title/body with positions and
    // field norms (phrases, BM25).
    let mapped = quickwit_fields(&config);
    for (name, ty) in &mapped {
        assert!(
            name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)),
            "{name}"
        );
        assert!(
            ["text", "array<text>", "u64", "datetime"].contains(&ty.as_str()),
            "{name}: {ty}"
        );
    }
    for f in ["title", "body"] {
        let block = config.split("- name: ").find(|b| b.starts_with(f)).unwrap();
        assert!(block.contains("record: position") && block.contains("fieldnorms: true"));
    }
    // Each document's flat values fit their mapped types (arrays of objects are left to
    // the dynamic mode, which stores them unindexed).
    for doc in lines(&dir, &sum["files"]) {
        for (name, ty) in &mapped {
            let v = &doc[name.as_str()];
            let ok = match ty.as_str() {
                "text" => v.is_string() || v.is_null(),
                "array<text>" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
                "u64" => v.is_u64() || v.is_null(),
                "datetime" => v.as_str().is_some_and(is_rfc3339_midnight),
                _ => false,
            };
            assert!(ok, "{name} ({ty}) = {v}");
        }
    }
}

fn is_rfc3339_midnight(s: &str) -> bool {
    s.len() == 20 && s.ends_with("T00:00:00Z") && is_day(&s[..10])
}

fn is_day(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
}

/// (name, type) of each `field_mappings` entry.
fn quickwit_fields(config: &str) -> Vec<(String, String)> {
    let body = config.split("field_mappings:").nth(1).unwrap();
    body.split("- name: ")
        .skip(1)
        .map(|b| {
            let name = b.lines().next().unwrap().trim().to_string();
            let ty = b
                .lines()
                .find_map(|l| l.trim().strip_prefix("type: "))
                .unwrap()
                .to_string();
            (name, ty)
        })
        .collect()
}

/// Field types documented by OpenSearch ("Supported field types") that the mapping may use.
const DOCUMENTED_TYPES: [&str; 7] = [
    "text", "keyword", "date", "long", "boolean", "object", "integer",
];

/// Checks `v` against the mapping `m` of one field; `path` names it in messages.
fn check_value(path: &str, m: &Value, v: &Value) {
    let ty = m["type"].as_str().unwrap_or("object");
    assert!(DOCUMENTED_TYPES.contains(&ty), "{path}: type {ty}");
    if v.is_null() {
        return;
    }
    if let Some(items) = v.as_array() {
        for item in items {
            check_value(path, m, item);
        }
        return;
    }
    match ty {
        "text" | "keyword" => assert!(v.is_string(), "{path}: {v}"),
        "long" | "integer" => assert!(v.is_i64() || v.is_u64(), "{path}: {v}"),
        "boolean" => assert!(v.is_boolean(), "{path}: {v}"),
        "date" => {
            let s = v.as_str().unwrap_or_else(|| panic!("{path}: {v}"));
            match m["format"].as_str() {
                Some("strict_date") => assert!(is_day(s), "{path}: {s}"),
                Some("strict_date_time_no_millis") => {
                    assert!(is_rfc3339_midnight(s), "{path}: {s}")
                }
                f => panic!("{path}: undocumented date format {f:?}"),
            }
        }
        "object" => {
            let obj = v.as_object().unwrap_or_else(|| panic!("{path}: {v}"));
            if m["enabled"] == false {
                return; // kept in _source, not parsed
            }
            for (k, x) in obj {
                let sub = &m["properties"][k];
                assert!(sub.is_object(), "{path}.{k} is not in the mapping");
                check_value(&format!("{path}.{k}"), sub, x);
            }
        }
        _ => unreachable!(),
    }
}

/// Checks every document of an OpenSearch export against its mapping; returns the
/// fields seen with a value.
fn check_bulk(dir: &Path, sum: &Value) -> std::collections::BTreeSet<String> {
    let mapping: Value = serde_json::from_str(&read(dir, "mapping.json")).unwrap();
    let m = &mapping["mappings"];
    assert_eq!(m["dynamic"], "strict");
    let analysis = &mapping["settings"]["analysis"];
    for (name, f) in analysis["filter"].as_object().unwrap() {
        match f["type"].as_str().unwrap() {
            // Languages the stemmer token filter documents for English.
            "stemmer" => assert!(
                ["english", "porter2", "possessive_english", "light_english"]
                    .contains(&f["language"].as_str().unwrap()),
                "{name}"
            ),
            // The length filter takes `min` and `max` (characters).
            "length" => assert!(
                f.as_object()
                    .unwrap()
                    .keys()
                    .all(|k| ["type", "min", "max"].contains(&k.as_str()))
                    && f["max"].as_u64().is_some_and(|m| m > 0),
                "{name}"
            ),
            // keyword_marker takes `keywords` (or a path or pattern) and `ignore_case`:
            // the words it marks pass the stemmer after it unstemmed.
            "keyword_marker" => assert!(
                f.as_object()
                    .unwrap()
                    .keys()
                    .all(|k| ["type", "keywords", "ignore_case"].contains(&k.as_str()))
                    && f["keywords"]
                        .as_array()
                        .is_some_and(|k| !k.is_empty() && k.iter().all(|w| w.is_string())),
                "{name}"
            ),
            t => panic!("{name}: filter type {t}"),
        }
    }
    // A marker stands before the stemmer, or it marks nothing the stemmer sees.
    let chain: Vec<&str> = analysis["analyzer"]["news"]["filter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let at = |t: &str| {
        chain
            .iter()
            .position(|n| analysis["filter"][*n]["type"] == t)
            .unwrap_or_else(|| panic!("no {t} filter in {chain:?}"))
    };
    assert!(at("keyword_marker") < at("stemmer"), "{chain:?}");
    // The pattern tokenizer takes `pattern` (Java's syntax), `flags` and `group`.
    for (name, t) in analysis["tokenizer"].as_object().unwrap() {
        assert_eq!(t["type"], "pattern", "{name}");
        assert!(t["pattern"].is_string() && t["group"].as_i64().is_some_and(|g| g >= -1));
    }
    // Settings OpenSearch checks when the index is created: the deepest page a request
    // body asks for, and how much of a body highlighting may analyse.
    let index = &mapping["settings"]["index"];
    assert!(index["max_result_window"].as_u64().unwrap() >= 10_000 * 101);
    assert!(index["highlight"]["max_analyzed_offset"].as_u64().unwrap() >= 1 << 20);
    let mut seen = std::collections::BTreeSet::new();
    let l = lines(dir, &sum["files"]);
    assert_eq!(l.len() as u64, 2 * sum["articles"].as_u64().unwrap());
    for pair in l.chunks(2) {
        let id = pair[1]["id"].as_str().unwrap();
        assert_eq!(pair[0]["index"]["_id"], id);
        for (k, v) in pair[1].as_object().unwrap() {
            let field = &m["properties"][k];
            assert!(field.is_object(), "{k} is not in the mapping");
            if let Some(a) = field["analyzer"].as_str() {
                assert!(analysis["analyzer"][a].is_object(), "{k}: analyzer {a}");
            }
            check_value(k, field, v);
            if !v.is_null() && v != &serde_json::json!([]) {
                seen.insert(k.clone());
            }
        }
    }
    seen
}

#[test]
fn every_field_of_the_bulk_documents_is_in_the_mapping_with_a_documented_type() {
    // The whole sample archive: tags of every kind, dates, subtitles, raw dates.
    let s = sample();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("os");
    let sum = export(&s.env, "opensearch", &dir, &[]);
    assert_eq!(sum["articles"], s.env.article_count());
    let seen = check_bulk(&dir, &sum);
    // The check saw real values of the fields that matter (not only nulls).
    for k in [
        "subtitle",
        "countries",
        "leaders",
        "orgs",
        "dates",
        "mentions",
        "published",
        "published_at",
        "group",
        "source",
        "country",
        "leader",
        "org",
    ] {
        assert!(seen.contains(k), "no article of the sample has {k}");
    }
}

#[test]
fn ndjson_export_is_show_json_line_for_line_in_id_order() {
    let env = small_env();
    let dir = env.root.join("nd");
    let sum = export(&env, "ndjson", &dir, &[]);
    let text = read(&dir, "articles-000001.ndjson");
    let mut ids = Vec::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_str().unwrap().to_string();
        let shown = env.run(&[
            "show",
            &id,
            "--index",
            env.index.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(shown.success().stdout.trim_end(), line);
        ids.push(id);
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert_eq!(sum["written"], 3);
}

#[test]
fn incremental_export_deletes_removed_articles_and_skips_unchanged_ones() {
    let env = small_env();
    let dir = env.root.join("os");
    let first = export(&env, "opensearch", &dir, &[]);
    assert_eq!(first["run"], 1);
    // Nothing changed: no file, the run is not counted.
    let again = export(&env, "opensearch", &dir, &[]);
    assert_eq!(
        (&again["written"], &again["unchanged"], &again["deleted"]),
        (
            &serde_json::json!(0),
            &serde_json::json!(3),
            &serde_json::json!(0)
        )
    );
    assert_eq!(again["files"], serde_json::json!([]));
    assert_eq!(again["run"], 1);
    // One removed, one changed, one added.
    env.remove("wire/brexit.md");
    env.write(
        "wire/taiwan.md",
        ARTICLES[0].1.replace("candid and constructive", "frank"),
    );
    env.write(
        "wire/nato.md",
        "---\ntitle: NATO ministers meet\ndate: 2017-03-31\n---\n\nNATO foreign ministers met in Brussels.\n",
    );
    env.ingest(&["--threads", "1"]).success();
    let second = export(&env, "opensearch", &dir, &[]);
    assert_eq!(second["run"], 2);
    assert_eq!(
        second["files"],
        serde_json::json!(["bulk-000002-000001.ndjson"])
    );
    let l = lines(&dir, &second["files"]);
    let actions: Vec<String> = l
        .iter()
        .filter_map(|v| {
            let (kind, a) = v.as_object()?.iter().next()?;
            let id = a.get("_id")?.as_str()?;
            Some(format!("{kind} {id}"))
        })
        .collect();
    // In id order: the deletion where the removed id stood, the copy (its near copy
    // changed, so its `similar` did not) left out.
    assert_eq!(
        actions,
        [
            "delete wire/brexit.md",
            "index wire/nato.md",
            "index wire/taiwan.md"
        ]
    );
    assert_eq!(
        (&second["written"], &second["unchanged"], &second["deleted"]),
        (
            &serde_json::json!(2),
            &serde_json::json!(1),
            &serde_json::json!(1)
        )
    );
    // The first run's file stays (loading the runs in order gives the same index).
    assert!(dir.join("bulk-000001-000001.ndjson").exists());
    let changed = l.iter().find(|v| v["id"] == "wire/taiwan.md").unwrap();
    assert!(changed["body"].as_str().unwrap().contains("frank"));
}

#[test]
fn export_splits_bulk_files_at_the_size_given_and_never_splits_an_action() {
    let env = small_env();
    let dir = env.root.join("os");
    let sum = export(&env, "opensearch", &dir, &["--max-file-bytes", "1500"]);
    let files = sum["files"].as_array().unwrap();
    assert_eq!(files.len(), 3, "{sum}");
    for f in files {
        let text = read(&dir, f.as_str().unwrap());
        // One article each here (each is over 750 bytes): an action and its document.
        assert_eq!(text.lines().count(), 2, "{f}");
        assert!(text.ends_with('\n'));
    }
}

#[test]
fn export_refuses_a_folder_with_files_it_did_not_write_and_touches_nothing() {
    let env = small_env();
    let dir = env.root.join("mine");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "keep me").unwrap();
    let r = env
        .run(&[
            "export",
            "--to",
            "opensearch",
            dir.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
        ])
        .code(2);
    assert!(
        r.stderr.contains("notes.txt") && r.stderr.contains("did not write"),
        "{}",
        r.stderr
    );
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
    assert_eq!(read(&dir, "notes.txt"), "keep me");
    // An export to one engine is not overwritten by an export to another.
    let os = env.root.join("os");
    export(&env, "opensearch", &os, &[]);
    let r = env
        .run(&[
            "export",
            "--to",
            "quickwit",
            os.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
        ])
        .code(2);
    assert!(
        r.stderr.contains("holds an export to opensearch"),
        "{}",
        r.stderr
    );
}

/// `search … --as opensearch` for a few queries.
#[test]
fn search_as_opensearch_matches_its_golden_files() {
    let env = small_env();
    let index = env.index.to_str().unwrap().to_string();
    let cases: [(&str, &[&str]); 4] = [
        (
            "words-phrase-filters",
            &[
                "Taiwan \"post-war order\" -tariffs",
                "--country",
                "taiwan",
                "--from",
                "2017-02",
                "--to",
                "2017",
            ],
        ),
        (
            "or-prefix-title-facets",
            &[
                "brex* OR title:trade",
                "--facets",
                "--limit",
                "5",
                "--offset",
                "5",
                "--all",
            ],
        ),
        (
            "filters-only",
            &[
                "",
                "--leader",
                "xi",
                "--source",
                "wire",
                "--mentions",
                "2017",
            ],
        ),
        (
            "hyphen-oldest",
            &[
                "post-war",
                "--sort",
                "oldest",
                "--author",
                "doe",
                "--via-place",
                "--country",
                "DE",
            ],
        ),
    ];
    for (name, args) in cases {
        let mut a = vec!["search"];
        a.extend_from_slice(&args[..1]);
        a.extend_from_slice(&["--index", &index, "--as", "opensearch"]);
        a.extend_from_slice(&args[1..]);
        let r = env.run(&a).success();
        let body: Value = serde_json::from_str(&r.stdout).unwrap();
        assert!(body["query"].is_object(), "{name}");
        golden(&format!("search-{name}.json"), &r.stdout);
    }
}

#[test]
fn search_as_opensearch_keeps_the_searchs_semantics() {
    let env = small_env();
    let index = env.index.to_str().unwrap();
    let run = |args: &[&str]| -> Value {
        let mut a = vec!["search"];
        a.extend_from_slice(&args[..1]);
        a.extend_from_slice(&["--index", index, "--as", "opensearch"]);
        a.extend_from_slice(&args[1..]);
        serde_json::from_str(&env.run(&a).success().stdout).unwrap()
    };
    // Every word required; an excluded one in must_not; near copies collapsed.
    let b = run(&["trade talks -tariffs"]);
    assert_eq!(b["query"]["bool"]["must"].as_array().unwrap().len(), 2);
    assert_eq!(b["query"]["bool"]["must_not"].as_array().unwrap().len(), 1);
    assert_eq!(b["collapse"]["field"], "group");
    assert_eq!(
        (&b["size"], &b["from"]),
        (&serde_json::json!(10), &serde_json::json!(0))
    );
    // --all: no collapse; a country typed as a name is the code the export holds.
    let b = run(&["trade", "--all", "--country", "germany"]);
    assert!(b.get("collapse").is_none());
    assert_eq!(b["query"]["bool"]["filter"][0]["term"]["country"], "DE");
    // A country's name in capitals holds its clause to the tag, as newsidx does.
    let b = run(&["US trade"]);
    let us = &b["query"]["bool"]["must"][0]["bool"];
    assert_eq!(us["filter"][0]["term"]["country"], "US", "{b:#}");
    assert!(us["must"][0].is_object(), "{b:#}");
    assert!(b["query"]["bool"]["must"][1].get("bool").is_none(), "{b:#}");
    // A pasted link: the forms an exported url may have.
    let b = run(&["https://www.example.com/a/?utm_source=x"]);
    let forms = b["query"]["bool"]["filter"][0]["terms"]["url"]
        .as_array()
        .unwrap();
    assert!(
        forms.contains(&"https://www.example.com/a".into()),
        "{forms:?}"
    );
    assert!(forms.contains(&"http://example.com/a/".into()), "{forms:?}");
    // A filter field with a minus in the query leaves its articles out: must_not.
    let b = run(&["trade -country:germany"]);
    assert_eq!(
        b["query"]["bool"]["must_not"][0]["terms"]["country"],
        serde_json::json!(["DE"])
    );
    // An unknown filter value is the search's own error.
    let r = env.run(&[
        "search",
        "x",
        "--index",
        index,
        "--as",
        "opensearch",
        "--country",
        "narnia",
    ]);
    assert!(r.code(2).stderr.contains("unknown country"));
    // A Japanese word is cut into overlapping pairs of characters, in the index and in
    // OpenSearch alike: searched as the phrase of its pairs, not any one pair.
    let b = run(&["トランプ"]);
    let mm = &b["query"]["bool"]["must"][0]["multi_match"];
    assert_eq!(
        (&mm["query"], &mm["type"]),
        (&"トランプ".into(), &"phrase".into())
    );
    // The other spelling and a headline's plain word, as newsidx searches them.
    for (typed, other) in [("defense", "defence"), ("blaze", "fire")] {
        let b = run(&[typed]);
        let forms: Vec<&str> = b["query"]["bool"]["must"][0]["bool"]["should"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["multi_match"]["query"].as_str())
            .collect();
        assert_eq!(forms, [typed, other], "{b:#}");
    }
    // The deepest page newsidx takes is a page the exported index answers.
    let b = run(&["trade", "--offset", "999999", "--limit", "10000"]);
    let mapping = opensearch_mapping();
    let window = mapping["settings"]["index"]["max_result_window"]
        .as_u64()
        .unwrap();
    assert!(b["from"].as_u64().unwrap() + b["size"].as_u64().unwrap() <= window);
}

/// The mapping an OpenSearch export writes.
fn opensearch_mapping() -> Value {
    let env = small_env();
    let dir = env.root.join("os-mapping");
    export(&env, "opensearch", &dir, &[]);
    serde_json::from_str(&read(&dir, "mapping.json")).unwrap()
}

/// `newsidx ARGS` with `input` on standard input.
fn piped(env: &TestEnv, args: &[&str], input: &[u8]) -> crate::util::Run {
    let out = env
        .cmd()
        .args(args)
        .write_stdin(input.to_vec())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    crate::util::Run::from_output(args, out)
}

/// The export files of `dir` other than the definition (written whole each time, the
/// same for any source), with their bytes.
fn data_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_str().unwrap().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Runs `newsidx export --records` into `dir`, its arguments after `--records`.
fn export_records(env: &TestEnv, to: &str, dir: &Path, records: &[&str]) -> crate::util::Run {
    let mut args = vec![
        "export",
        "--to",
        to,
        dir.to_str().unwrap(),
        "--json",
        "--records",
    ];
    args.extend_from_slice(records);
    env.run(&args)
}

/// The counts of an export's summary that say what it did.
fn counts(sum: &Value) -> Value {
    serde_json::json!([
        sum["articles"],
        sum["written"],
        sum["unchanged"],
        sum["deleted"],
        sum["files"]
    ])
}

#[test]
fn an_export_of_enriched_records_is_byte_for_byte_the_export_of_their_index() {
    let env = TestEnv::new();
    for (rel, text) in ARTICLES {
        env.write(rel, text);
    }
    // A third copy, so that a `similar` list of two is compared in its order, and a
    // feed of two records.
    env.write(
        "wire/taiwan-third.md",
        ARTICLES[0].1.replace("source: Wire", "source: Third"),
    );
    env.write(
        "feeds/wire.jsonl",
        concat!(
            r#"{"id": "a1", "title": "Merkel meets Macron in Berlin", "date": "2019-08-20", "source": "cnn.com", "body": "German Chancellor Angela Merkel met French President Emmanuel Macron in Berlin on Tuesday to talk about the European Union budget and NATO spending, officials in Paris said."}"#,
            "\n",
            r#"{"id": "a2", "title": "Floods in Kerala", "date": "2019-08-21", "body": "Floods in the Indian state of Kerala have left thousands of people without homes, the United Nations said on Wednesday."}"#,
            "\n"
        ),
    );
    // One thread: the articles reach the index in walk order, the order the records
    // are read in below (a group is named after the first of its articles met).
    env.ingest(&["--threads", "1"]).success();

    // The same archive enriched on its own (as on a cluster), file by file in the
    // walk's order, into two files of records in a folder.
    let r = env
        .enrich_records(&[
            "feeds/wire.jsonl",
            "wire/brexit.md",
            "wire/taiwan-copy.md",
            "wire/taiwan-third.md",
            "wire/taiwan.md",
        ])
        .success();
    let recs: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(recs.len(), 6, "{r:?}");
    let records = env.root.join("records");
    std::fs::create_dir_all(&records).unwrap();
    std::fs::write(records.join("part-0.ndjson"), recs[..3].join("\n") + "\n").unwrap();
    std::fs::write(records.join("part-1.ndjson"), recs[3..].join("\n") + "\n").unwrap();
    let records_arg = records.to_str().unwrap();

    for to in ["opensearch", "quickwit", "ndjson"] {
        let from_index = env.root.join(format!("{to}-index"));
        let from_records = env.root.join(format!("{to}-records"));
        let a = export(&env, to, &from_index, &[]);
        let b = export_records(&env, to, &from_records, &[records_arg])
            .success()
            .json();
        assert_eq!(counts(&a), counts(&b), "{to}");
        assert_eq!(b["errors"], 0);
        assert_eq!(data_files(&from_index), data_files(&from_records), "{to}");
        if to == "ndjson" {
            // The comparison covers the near-duplicate group and its `similar` list.
            let l = lines(&from_records, &b["files"]);
            let copy = l.iter().find(|v| v["id"] == "wire/taiwan.md").unwrap();
            assert_eq!(
                copy["similar"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["id"].as_str().unwrap())
                    .collect::<Vec<_>>(),
                ["wire/taiwan-copy.md", "wire/taiwan-third.md"]
            );
            assert_eq!(copy["group"], "wire/taiwan-copy.md");
        }
    }

    // The second run of each: an article removed from the archive (so from the
    // records too) is a delete action both ways, the rest unchanged.
    env.remove("wire/brexit.md");
    env.ingest(&["--threads", "1"]).success();
    let kept: Vec<&str> = recs[..3]
        .iter()
        .copied()
        .filter(|l| !l.contains("\"id\":\"wire/brexit.md\""))
        .collect();
    assert_eq!(kept.len(), 2);
    std::fs::write(records.join("part-0.ndjson"), kept.join("\n") + "\n").unwrap();
    for to in ["opensearch", "quickwit", "ndjson"] {
        let from_index = env.root.join(format!("{to}-index"));
        let from_records = env.root.join(format!("{to}-records"));
        let a = export(&env, to, &from_index, &[]);
        let b = export_records(&env, to, &from_records, &[records_arg])
            .success()
            .json();
        assert_eq!(counts(&a), counts(&b), "{to}");
        assert_eq!(data_files(&from_index), data_files(&from_records), "{to}");
        if to == "opensearch" {
            assert_eq!(
                (&b["run"], &b["deleted"], &b["written"]),
                (&2.into(), &1.into(), &0.into())
            );
            let actions = read(&from_records, "bulk-000002-000001.ndjson");
            assert_eq!(actions, "{\"delete\":{\"_id\":\"wire/brexit.md\"}}\n");
        }
    }

    // Standard input gives the same as the files.
    let stdin_dir = env.root.join("opensearch-stdin");
    let first = export_records(&env, "opensearch", &stdin_dir, &[records_arg]).success();
    let all = std::fs::read(records.join("part-0.ndjson"))
        .into_iter()
        .chain(std::fs::read(records.join("part-1.ndjson")))
        .flatten()
        .collect::<Vec<u8>>();
    let piped_dir = env.root.join("opensearch-piped");
    let args = [
        "export",
        "--to",
        "opensearch",
        piped_dir.to_str().unwrap(),
        "--json",
        "--records",
        "-",
    ];
    let second = piped(&env, &args, &all).success();
    assert_eq!(counts(&first.json()), counts(&second.json()));
    assert_eq!(data_files(&stdin_dir), data_files(&piped_dir));

    // No record found where the last export had some: refused, nothing deleted.
    let empty = env.root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("part-00000"), recs[0]).unwrap();
    let from_records = env.root.join("opensearch-records");
    let before = data_files(&from_records);
    let r = export_records(
        &env,
        "opensearch",
        &from_records,
        &[empty.to_str().unwrap()],
    )
    .code(2);
    assert!(r.stderr.contains("no record was read"), "{r:?}");
    assert!(r.stderr.contains("1 files passed over"), "{r:?}");
    assert_eq!(data_files(&from_records), before);
}

#[test]
fn bad_records_are_one_line_each_and_the_rest_is_exported() {
    let (env, stdout) = records_of(&["wire/brexit.md", "wire/taiwan.md"]);
    let lines: Vec<&str> = stdout.lines().collect();
    let mut newer: Value = serde_json::from_str(lines[1]).unwrap();
    newer["newsidx_record"] = 2.into();
    newer["id"] = "future.md".into();
    // Line 2 not JSON, line 3 a newer version, line 4 an id given again, line 5
    // the other article.
    let file = env.root.join("part.ndjson");
    std::fs::write(
        &file,
        format!(
            "{}\n{{oops\n{newer}\n{}\n{}\n",
            lines[0], lines[0], lines[1]
        ),
    )
    .unwrap();
    let dir = env.root.join("out");
    let r = export_records(&env, "ndjson", &dir, &[file.to_str().unwrap()]).code(1);
    let shown = file.to_str().unwrap();
    assert!(
        r.problem("error", shown, Some(2)).contains("invalid JSON"),
        "{r:?}"
    );
    assert!(
        r.problem("error", shown, Some(3))
            .contains("version 2 is newer"),
        "{r:?}"
    );
    assert!(
        r.problem("error", shown, Some(4))
            .contains("given to an earlier record"),
        "{r:?}"
    );
    assert_eq!(r.stderr.lines().count(), 3, "{r:?}");
    let sum = r.json();
    assert_eq!((&sum["articles"], &sum["errors"]), (&2.into(), &3.into()));
    let ids: Vec<String> = lines_of(&dir, &sum["files"]);
    assert_eq!(ids, ["wire/brexit.md", "wire/taiwan.md"]);
    // An index named on the command line beside records is refused, not ignored.
    let r = env
        .run(&[
            "export",
            "--to",
            "ndjson",
            env.root.join("out2").to_str().unwrap(),
            "--records",
            file.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
        ])
        .code(2);
    assert!(
        r.stderr
            .contains("--index and --records cannot be used together"),
        "{r:?}"
    );
    assert!(!env.root.join("out2").exists(), "{r:?}");
    // So is `--index=PATH`; an index named by NEWSIDX_INDEX is simply not read.
    let out3 = env.root.join("out3");
    let index_eq = format!("--index={}", env.index.to_str().unwrap());
    let args = [
        "export",
        "--to",
        "ndjson",
        out3.to_str().unwrap(),
        "--json",
        "--records",
        file.to_str().unwrap(),
    ];
    let r = env.run(&[&args[..], &[index_eq.as_str()]].concat()).code(2);
    assert!(r.stderr.contains("cannot be used together"), "{r:?}");
    let out = env
        .cmd()
        .env("NEWSIDX_INDEX", env.root.join("no-such-index"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let sum: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(lines_of(&out3, &sum["files"]).len(), 2, "{out:?}");
}

/// A test archive of [`ARTICLES`] and the enriched records of `rels` in it, as
/// `enrich --records --root CORPUS` prints them.
fn records_of(rels: &[&str]) -> (TestEnv, String) {
    let env = TestEnv::new();
    for (rel, text) in ARTICLES {
        env.write(rel, text);
    }
    let stdout = env.enrich_records(rels).success().stdout;
    (env, stdout)
}

fn lines_of(dir: &Path, files: &Value) -> Vec<String> {
    lines(dir, files)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_file_of_records_that_cannot_be_read_deletes_nothing() {
    let (env, stdout) = records_of(&["wire/brexit.md", "wire/taiwan.md"]);
    let lines: Vec<&str> = stdout.lines().collect();
    let records = env.root.join("records");
    std::fs::create_dir_all(&records).unwrap();
    std::fs::write(records.join("a.ndjson"), format!("{}\n", lines[0])).unwrap();
    std::fs::write(records.join("b.ndjson"), format!("{}\n", lines[1])).unwrap();
    let dir = env.root.join("os");
    let arg = records.to_str().unwrap();
    let first = export_records(&env, "opensearch", &dir, &[arg])
        .success()
        .json();
    assert_eq!(first["articles"], 2);
    // b.ndjson turns binary: its article is not taken for deleted.
    std::fs::write(records.join("b.ndjson"), b"\x00\x01\x02binary\x00").unwrap();
    let r = export_records(&env, "opensearch", &dir, &[arg]).code(1);
    r.problem(
        "error",
        &records.join("b.ndjson").display().to_string(),
        None,
    );
    let sum = r.json();
    assert_eq!(
        (&sum["deleted"], &sum["kept"], &sum["unchanged"]),
        (&0.into(), &1.into(), &1.into())
    );
    // Readable again and gone from it: now it is deleted.
    std::fs::write(records.join("b.ndjson"), "").unwrap();
    let sum = export_records(&env, "opensearch", &dir, &[arg])
        .success()
        .json();
    assert_eq!((&sum["deleted"], &sum["kept"]), (&1.into(), &0.into()));
}

#[test]
fn a_deletion_line_in_the_records_takes_its_articles_out() {
    let (env, stdout) = records_of(&["wire/brexit.md", "wire/taiwan.md"]);
    let lines: Vec<&str> = stdout.lines().collect();
    // As a sink of records writes it: the articles of wire/taiwan.md go; then the
    // file's article comes back (a later version), which is no repeated id.
    let delete = r#"{"except":[],"newsidx_delete":1,"origin":"wire/taiwan.md"}"#;
    let input = format!("{}\n{}\n{delete}\n", lines[0], lines[1]);
    let args = [
        "export",
        "--to",
        "ndjson",
        "out",
        "--json",
        "--records",
        "-",
    ];
    let dir = env.root.join("out");
    let run = |input: &str| {
        let out = env
            .cmd()
            .current_dir(&env.root)
            .args(args)
            .write_stdin(input.as_bytes().to_vec())
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        crate::util::Run::from_output(&args, out)
    };
    let sum = run(&input).success().json();
    assert_eq!(lines_of(&dir, &sum["files"]), ["wire/brexit.md"]);
    let sum = run(&format!("{input}{}\n", lines[1])).success().json();
    assert_eq!(
        lines_of(&dir, &sum["files"]),
        ["wire/brexit.md", "wire/taiwan.md"]
    );
    // The copy of standard input is gone.
    assert!(!dir.join("newsidx-export.input.tmp").exists());
}

#[test]
fn a_folder_of_spark_output_exports_without_a_word_about_its_marker_files() {
    let (env, stdout) = records_of(&["wire/brexit.md"]);
    // What a Spark job leaves: part files, `_SUCCESS`, hidden checksums.
    let out = env.root.join("spark-out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("part-00000.ndjson"), &stdout).unwrap();
    std::fs::write(out.join("_SUCCESS"), "").unwrap();
    std::fs::write(out.join(".part-00000.crc"), "crc").unwrap();
    let dir = env.root.join("bulk");
    let r = export_records(&env, "ndjson", &dir, &[out.to_str().unwrap()]).success();
    assert_eq!(r.stderr, "", "{r:?}");
    assert_eq!(r.json()["articles"], 1, "{r:?}");
    // A file that is neither is still worth a word.
    std::fs::write(out.join("notes.txt"), "not records").unwrap();
    let r = export_records(&env, "ndjson", &dir, &[out.to_str().unwrap()]).success();
    assert!(r.stderr.contains("1 files passed over"), "{r:?}");
}
