//! One source per outlet (CNN = cnn.com = edition.cnn.com, with a table a user extends
//! in the index folder) and Chinese, Japanese and Korean text searchable, each through
//! the real binary (and the HTTP API for the source names).

use crate::util::{sample, TestEnv};

/// An archive whose articles name their outlets in every way files do: a name in front
/// matter, a url's host, a `source_domain` column, an unknown site under several hosts.
fn outlets_env() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "a.md",
        "---\ntitle: Storm hits the coast\nsource: CNN\ndate: 2017-03-01\n---\nA storm hit the coast on Monday, and the harbour closed.\n",
    );
    env.write(
        "b.json",
        r#"[{"title":"Harbour reopens after storm","text":"The harbour reopened on Tuesday after the storm.","url":"https://edition.cnn.com/2017/03/02/harbour.html","date":"2017-03-02"},
            {"title":"Storm damage counted","text":"Officials counted the storm damage along the coast.","url":"https://www.dw.com/en/storm/a-1","date":"2017-04-02"},
            {"title":"Storm season ends","text":"The storm season ended quietly.","source":"Deutsche Welle","date":"2017-04-03"}]"#,
    );
    env.write(
        "c.csv",
        "title,text,source_domain,date\n\
         Storm warning lifted,The storm warning was lifted in the evening.,www.cnn.com,2017-03-03\n\
         Local storm report,A local storm report came in.,news.example.co.uk,2017-03-04\n\
         Second storm report,Another storm report came in.,www.example.co.uk,2017-04-05\n\
         Storm at sea,A storm at sea delayed the ferry.,cnn.com,2017-04-06\n",
    );
    env.ingest_ok();
    env
}

fn source_counts(env: &TestEnv, extra: &[&str]) -> Vec<(String, u64)> {
    let mut args = vec![
        "tags",
        "--kind",
        "source",
        "--index",
        env.index.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    env.run(&args)
        .success()
        .json_lines()
        .iter()
        .map(|t| {
            (
                t["value"].as_str().unwrap().to_string(),
                t["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn ids_sorted(env: &TestEnv, q: &str, args: &[&str]) -> Vec<String> {
    let mut a = vec!["--limit", "100", "--all"];
    a.extend_from_slice(args);
    let mut v = env.ids(q, &a);
    v.sort();
    v
}

#[test]
fn every_name_and_host_of_an_outlet_counts_as_one_source() {
    let env = outlets_env();
    assert_eq!(
        source_counts(&env, &[]),
        vec![
            ("CNN".to_string(), 4),
            ("DW".to_string(), 2),
            ("example.co.uk".to_string(), 2)
        ]
    );
    // Hits, facets and the timeline's split name the outlet.
    let lines = env
        .search("storm", &["--limit", "100", "--all", "--facets"])
        .success()
        .json_lines();
    let (hits, last) = lines.split_at(lines.len() - 1);
    let mut shown: Vec<&str> = hits.iter().map(|h| h["source"].as_str().unwrap()).collect();
    shown.sort();
    shown.dedup();
    assert_eq!(shown, ["CNN", "DW", "example.co.uk"]);
    let facet: Vec<(String, u64)> = last[0]["facets"]["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().into(),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(facet[0], ("CNN".to_string(), 4), "{facet:?}");
    let rows = env
        .run(&[
            "timeline",
            "storm",
            "--by",
            "month",
            "--split-by",
            "source",
            "--index",
            env.index.to_str().unwrap(),
            "--json",
        ])
        .success()
        .json_lines();
    let march = rows.iter().find(|r| r["period"] == "2017-03").unwrap();
    assert_eq!(march["split"]["CNN"], 3, "{march}");
    assert_eq!(march["split"]["example.co.uk"], 1, "{march}");
    assert!(march["split"].get("cnn.com").is_none(), "{march}");
    // stats counts outlets.
    let stats = env
        .run(&["stats", "--index", env.index.to_str().unwrap(), "--json"])
        .success()
        .json();
    assert_eq!(stats["sources"], 3, "{stats}");
}

#[test]
fn a_source_filter_takes_any_name_or_host_of_the_outlet() {
    let env = outlets_env();
    let cnn = ids_sorted(&env, "", &["--source", "CNN"]);
    assert_eq!(cnn.len(), 4, "{cnn:?}");
    for typed in [
        "cnn",
        "cnn.com",
        "www.cnn.com",
        "edition.cnn.com",
        "Cable News Network",
    ] {
        assert_eq!(ids_sorted(&env, "", &["--source", typed]), cnn, "{typed}");
        assert_eq!(
            ids_sorted(&env, &format!("source:{typed:?}"), &[]),
            cnn,
            "source:{typed}"
        );
    }
    let dw = ids_sorted(&env, "", &["--source", "dw.com"]);
    assert_eq!(dw.len(), 2, "{dw:?}");
    assert_eq!(ids_sorted(&env, "", &["--source", "deutsche welle"]), dw);
    // An unknown host folds by its registrable domain.
    let ex = ids_sorted(&env, "", &["--source", "example.co.uk"]);
    assert_eq!(ex.len(), 2);
    assert_eq!(ids_sorted(&env, "", &["--source", "m.example.co.uk"]), ex);
    // Several sources: any of them.
    let both = ids_sorted(&env, "", &["--source", "cnn.com", "--source", "DW"]);
    assert_eq!(both.len(), 6);
    // An outlet the index does not hold is an error naming the outlets it does.
    let r = env.search("", &["--source", "nbc"]).code(2);
    let line = r.stderr_line("error: unknown source 'nbc'");
    assert!(line.contains("CNN") && !line.contains("cnn.com"), "{line}");
}

#[test]
fn show_names_the_outlet_and_keeps_what_the_file_said() {
    let env = outlets_env();
    let id = env.ids("harbour reopens", &[])[0].clone();
    let a = env
        .run(&[
            "show",
            &id,
            "--index",
            env.index.to_str().unwrap(),
            "--json",
        ])
        .success()
        .json();
    assert_eq!(a["source"], "CNN", "{a}");
    assert_eq!(a["source_raw"], "edition.cnn.com", "{a}");
}

#[test]
fn the_index_folder_s_own_table_extends_the_shipped_one() {
    let env = outlets_env();
    // What README shows, with the index at its place here.
    let table = env.index.join("sources.tsv");
    std::fs::write(
        &table,
        "# my outlets\nExample News\texample.co.uk\tThe Example\n\tno name here\nCNN Business\tCNN\n",
    )
    .unwrap();
    let r = env
        .run(&[
            "tags",
            "--kind",
            "source",
            "--index",
            env.index.to_str().unwrap(),
            "--json",
        ])
        .success();
    // The bad line is one warning naming the file and line; the rest is used.
    let w = r.stderr_line("warning: ");
    assert!(w.contains("sources.tsv:3:"), "{w}");
    assert_eq!(r.stderr_lines().len(), 1, "{r:?}");
    let counts: Vec<(String, u64)> = r
        .json_lines()
        .iter()
        .map(|t| {
            (
                t["value"].as_str().unwrap().into(),
                t["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("CNN".to_string(), 3),
            ("DW".to_string(), 2),
            ("Example News".to_string(), 2),
            ("CNN Business".to_string(), 1),
        ]
    );
    assert_eq!(ids_sorted(&env, "", &["--source", "the example"]).len(), 2);
    // An index folder holding only the user's table is still one to create an index in.
    let fresh = TestEnv::new();
    fresh.write(
        "a.md",
        "---\ntitle: T\nsource: www.example.co.uk\n---\nText.\n",
    );
    std::fs::write(
        fresh.index.join("sources.tsv"),
        "Example News\texample.co.uk\n",
    )
    .unwrap();
    fresh.ingest_ok();
    assert_eq!(
        source_counts(&fresh, &[]),
        vec![("Example News".to_string(), 1)]
    );
}

#[test]
fn the_sample_archive_counts_outlets_through_the_cli_and_the_api() {
    // The sample archive names CNN both "CNN" and "cnn.com", DW "DW" and "dw.com", …
    let env = &sample().env;
    let counts = source_counts(env, &[]);
    let names: Vec<&str> = counts.iter().map(|(n, _)| n.as_str()).collect();
    for raw in [
        "cnn.com",
        "dw.com",
        "aljazeera.com",
        "rte.ie",
        "tass.com",
        "abcnews.go.com",
    ] {
        assert!(!names.contains(&raw), "{raw} in {names:?}");
    }
    for outlet in ["CNN", "DW", "Al Jazeera", "RTÉ", "TASS", "ABC News"] {
        assert!(names.contains(&outlet), "{outlet} not in {names:?}");
    }
    let (server, _) = crate::api::sample_server();
    let v = server.json("/api/tags?kind=source&limit=100");
    let api: Vec<(String, u64)> = v["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["value"].as_str().unwrap().into(),
                t["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(api, counts);
    let by_host = server.json("/api/search?source=cnn.com&limit=100&all=true&facets=true");
    let by_name = server.json("/api/search?source=CNN&limit=100&all=true");
    assert_eq!(by_host["total"], by_name["total"]);
    let cnn = counts.iter().find(|(n, _)| n == "CNN").unwrap().1;
    assert_eq!(by_host["total"].as_u64(), Some(cnn));
    assert_eq!(
        by_host["facets"]["source"],
        serde_json::json!([{"count": cnn, "value": "CNN"}])
    );
    let hits = by_host["hits"].as_array().unwrap();
    assert!(hits.iter().all(|h| h["source"] == "CNN"));
}
