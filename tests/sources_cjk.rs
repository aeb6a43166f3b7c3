//! One source per outlet (CNN = cnn.com = edition.cnn.com, with a table a user extends
//! in the index folder) and Chinese, Japanese and Korean text searchable, each through
//! the real binary (and the HTTP API for the source names).

use crate::util::{sample, TestEnv};
use serde_json::Value;

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
        .map(value_count)
        .collect()
}

/// A tag count or facet value as `(value, count)`.
fn value_count(v: &Value) -> (String, u64) {
    (
        v["value"].as_str().unwrap().to_string(),
        v["count"].as_u64().unwrap(),
    )
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
        .map(value_count)
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
    let counts: Vec<(String, u64)> = r.json_lines().iter().map(value_count).collect();
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
        .map(value_count)
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

/// A Japanese page (Nikkei), a Chinese page (China Daily), a Korean text (from
/// `tests/data/html/`) and a short Japanese note of our own.
fn cjk_env() -> TestEnv {
    let env = TestEnv::new();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/html");
    for f in [
        "japanese_article.html",
        "chinese_article_001.html",
        "korean_article.txt",
    ] {
        std::fs::copy(data.join(f), env.corpus.join(f)).unwrap();
    }
    env.write(
        "note.md",
        "---\ntitle: 大統領、パリを訪問\ndate: 2018-07-01\n---\nトランプ大統領は一日、フランスのマクロン大統領と会談した。Trump met Macron in Paris.\n",
    );
    env.ingest_ok();
    env
}

fn marks(hit: &Value) -> Vec<String> {
    hit["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(crate::util::highlighted)
        .collect()
}

#[test]
fn chinese_japanese_and_korean_words_are_found_and_highlighted() {
    let env = cjk_env();
    // A katakana word inside a run of Japanese; the outlet named by the page's site name.
    let hits = env.hits("トランプ", &["--sort", "oldest"]);
    assert_eq!(hits.len(), 2, "{hits:#?}");
    assert_eq!(hits[0]["path"], "japanese_article.html");
    assert_eq!(hits[0]["source"], "Nikkei");
    let m = marks(&hits[0]);
    assert!(!m.is_empty() && m.iter().all(|m| m == "トランプ"), "{m:?}");
    let t = hits[0]["title"].as_str().unwrap();
    let th: Vec<&str> = hits[0]["title_highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &t[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(th, ["トランプ"]);
    // Two Chinese characters inside longer runs.
    let hits = env.hits("中美", &[]);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0]["path"], "chinese_article_001.html");
    assert_eq!(hits[0]["source"], "China Daily");
    let m = marks(&hits[0]);
    assert!(
        !m.is_empty() && m.iter().all(|m| m.starts_with("中美")),
        "{m:?}"
    );
    // Korean.
    let hits = env.hits("최태원", &[]);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0]["path"], "korean_article.txt");
    // A character pair of the query alone is not the query: the "ラン" of "フランス"
    // is not highlighted where トランプ is.
    let note = &env.hits("トランプ", &["--sort", "oldest"])[1];
    assert_eq!(note["id"], "note.md");
    let m = marks(note);
    assert_eq!(m, ["トランプ"], "{note}");
    assert!(note["snippets"][0]["text"]
        .as_str()
        .unwrap()
        .contains("フランス"));
    assert!(env.ids("フランス", &[]) == ["note.md"]);
    // Latin words beside CJK text are words as before.
    assert_eq!(env.ids("macron paris", &[]), ["note.md"]);
}

#[test]
fn cjk_phrases_and_long_runs_are_searched_in_order() {
    let env = cjk_env();
    let chinese = "chinese_article_001.html";
    assert_eq!(env.ids("\"中美合作\"", &[]), [chinese]);
    // The same characters in another order are not in the text.
    assert!(env.ids("\"合作中美\"", &[]).is_empty());
    assert!(env.ids("合作中美", &[]).is_empty());
    // A whole sentence of 25 characters, as copied from the page (longer than the
    // longest word the index keeps, were it one word).
    let sentence = "在美国旧金山举行的中美元首会晤吸引了全世界的目光";
    let hits = env.hits(sentence, &[]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["path"], chinese);
    assert_eq!(marks(&hits[0]), [sentence.to_string()]);
    // With other words, fields and filters as usual.
    assert_eq!(env.ids("中美 -trump", &[]), [chinese]);
    assert_eq!(env.ids("title:中美", &[]), [chinese]);
    assert_eq!(
        env.ids("中美", &["--source", "chinadaily.com.cn"]),
        [chinese]
    );
    assert!(env.ids("title:会晤", &[]).is_empty());
    // An index written before CJK runs were cut into pairs says to rebuild.
    let pointer = env.index.join("newsidx.json");
    let text = std::fs::read_to_string(&pointer).unwrap();
    let mut meta: Value = serde_json::from_str(&text).unwrap();
    meta["schema_version"] = 2.into();
    std::fs::write(&pointer, meta.to_string()).unwrap();
    let r = env.search("中美", &[]).code(2);
    assert!(r.stderr.contains("--rebuild"), "{r:?}");
    env.ingest(&["--rebuild"]).success();
    assert_eq!(env.ids("中美", &[]), [chinese]);
}
