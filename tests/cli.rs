//! Integration tests: the real `newsidx` binary on temporary folders.
//!
//! Tests that only search share one index of the sample corpus (`util::sample()`);
//! tests that ingest, change files or break things get their own `TestEnv`.

use crate::util::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------
// Ingest: formats, field aliases, ids, skipped files, the JSON report
// ---------------------------------------------------------------------------------

/// One file per format, each using different field-name aliases (and cases).
fn write_format_fixtures(env: &TestEnv) {
    env.write(
        "plain.txt",
        "Aardvark summit opens in Lisbon\n\nDelegates gathered for the aardvark summit.\n",
    );
    env.write(
        "nested/2019/05/06/bison.txt",
        "Bison return to the plains\n\nHerds of bison were seen again this spring.\n",
    );
    env.write(
        "front.md",
        "---\ntitle: Cheetah sprint record\ndate: 2021-03-04\nurl: https://example.com/cheetah\n\
         source: Savanna Weekly\nauthors: [Jane Doe, John Roe]\nid: fm1\n\
         subtitle: A fast one\n---\nA cheetah ran faster than ever recorded.\n",
    );
    env.write(
        "notitle.md",
        "Capybara herds crossed the river at dawn. Farmers watched them from the bank.\n",
    );
    env.write(
        "object.json",
        r#"{"Headline": "Cassowary spotted downtown", "Content": "A cassowary walked through the market.",
            "publishedAt": "2020-01-15", "Link": "https://example.com/cassowary", "Outlet": "Example Times",
            "Byline": "Ann Writer", "Description": "Big bird"}"#,
    );
    env.write(
        "array.json",
        r#"[
  {"id": "a1", "title": "Dugong numbers grow", "article": "Dugong herds are growing along the coast.",
   "date_publish": "2018-07-09", "article_source_link": "https://example.com/dugong",
   "source_domain": "dugong.example"},
  {"headline": "Echidna found in garden", "maintext": "An echidna was found under a hedge.",
   "pubDate": "Tue, 07 Feb 2017 00:00:00 +0000", "publication": "Echidna Post"}
]"#,
    );
    env.write(
        "lines.jsonl",
        concat!(
            r#"{"article_id": 77, "headline": "Flamingo flock arrives", "maintext": "A flamingo flock arrived at the lake.", "publishedAt": "Mar 14, 2017", "url": "https://example.com/flamingo"}"#,
            "\n",
            r#"{"TITLE": "Gazelle census", "Text": "The gazelle census counted more animals.", "Published": "2016-12-01", "LINK": "https://example.com/gazelle", "Source": "Gazelle Gazette"}"#,
            "\n"
        ),
    );
    env.write(
        "more.ndjson",
        r#"{"title": "Heron nests", "body": "Heron nests were counted by volunteers.", "publish_date": "2015-06-30", "source": "Heron Herald"}"#,
    );
    env.write(
        "table.csv",
        "Article_ID,Publish_Date,Article_Source_Link,Headline,Summary,Text,Publication,Byline\n\
         c1,2017/2/7,https://example.com/ibis,Ibis numbers rise,sub,\"Ibis colonies, counted in spring,\nare larger.\",Ibis Daily,Jane Doe\n",
    );
    env.write(
        "noid.csv",
        "title,content,date,link,outlet\n\
         Jackal seen in city,A jackal was seen near the station.,2014-04-02,https://example.com/jackal,City News\n",
    );
}

#[test]
fn ingest_reads_every_format() {
    let env = TestEnv::new();
    write_format_fixtures(&env);
    let report = env.ingest_ok();
    assert_eq!(report["files_seen"], 10, "{report}");
    assert_eq!(report["files_read"], 10, "{report}");
    assert_eq!(report["files_failed"], 0, "{report}");
    assert_eq!(report["articles_added"], 12, "{report}");
    assert_eq!(env.article_count(), 12);
}

/// (query word, id, title, published, url, source) for each fixture article.
#[test]
fn field_aliases_fill_title_date_url_and_source() {
    let env = TestEnv::new();
    write_format_fixtures(&env);
    env.ingest_ok();
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let expected: &[Row] = &[
        (
            "aardvark",
            "plain.txt",
            "Aardvark summit opens in Lisbon",
            None,
            None,
            None,
        ),
        (
            "bison",
            "nested/2019/05/06/bison.txt",
            "Bison return to the plains",
            Some("2019-05-06"),
            None,
            None,
        ),
        (
            "cheetah",
            "front.md#fm1",
            "Cheetah sprint record",
            Some("2021-03-04"),
            Some("https://example.com/cheetah"),
            Some("Savanna Weekly"),
        ),
        (
            "cassowary",
            "object.json",
            "Cassowary spotted downtown",
            Some("2020-01-15"),
            Some("https://example.com/cassowary"),
            Some("Example Times"),
        ),
        (
            "dugong",
            "array.json#a1",
            "Dugong numbers grow",
            Some("2018-07-09"),
            Some("https://example.com/dugong"),
            Some("dugong.example"),
        ),
        (
            "echidna",
            "array.json#2",
            "Echidna found in garden",
            Some("2017-02-07"),
            None,
            Some("Echidna Post"),
        ),
        (
            "flamingo",
            "lines.jsonl#77",
            "Flamingo flock arrives",
            Some("2017-03-14"),
            Some("https://example.com/flamingo"),
            None,
        ),
        (
            "gazelle",
            "lines.jsonl#2",
            "Gazelle census",
            Some("2016-12-01"),
            Some("https://example.com/gazelle"),
            Some("Gazelle Gazette"),
        ),
        (
            "heron",
            "more.ndjson#1",
            "Heron nests",
            Some("2015-06-30"),
            None,
            Some("Heron Herald"),
        ),
        (
            "ibis",
            "table.csv#c1",
            "Ibis numbers rise",
            Some("2017-02-07"),
            Some("https://example.com/ibis"),
            Some("Ibis Daily"),
        ),
        (
            "jackal",
            "noid.csv#1",
            "Jackal seen in city",
            Some("2014-04-02"),
            Some("https://example.com/jackal"),
            Some("City News"),
        ),
    ];
    let mut wrong = Vec::new();
    for &(word, id, title, published, url, source) in expected {
        let hit = env.only_hit(word);
        let mut check = |field: &str, want: Value| {
            if hit[field] != want {
                wrong.push(format!("{word}: {field} = {}, expected {want}", hit[field]));
            }
        };
        check("id", id.into());
        check("title", title.into());
        if let Some(p) = published {
            check("published", p.into());
        } else {
            check("published", Value::Null);
        }
        if let Some(u) = url {
            check("url", u.into());
        }
        if let Some(s) = source {
            check("source", s.into());
        }
    }
    assert!(wrong.is_empty(), "wrong fields:\n{}", wrong.join("\n"));
}

#[test]
fn title_is_derived_when_missing() {
    let env = TestEnv::new();
    write_format_fixtures(&env);
    env.ingest_ok();
    let hit = env.only_hit("capybara");
    assert_eq!(hit["id"], "notitle.md");
    let title = hit["title"].as_str().unwrap();
    assert!(
        title.starts_with("Capybara herds crossed the river"),
        "{hit}"
    );
}

#[test]
fn csv_quoted_multiline_field_is_one_body() {
    let env = TestEnv::new();
    write_format_fixtures(&env);
    env.ingest_ok();
    // "larger" is on the second line of a quoted CSV cell.
    assert_eq!(env.only_hit("larger")["id"], "table.csv#c1");
}

#[test]
fn hidden_and_unsupported_files_are_skipped_and_counted() {
    let env = TestEnv::new();
    env.write("good.txt", "Good news\n\nA quokka smiled.\n");
    env.write(".hidden.txt", "Hidden\n\nA wombat hid here.\n");
    env.write(
        ".secret/inner.txt",
        "Inner\n\nA wombat hid in a hidden folder.\n",
    );
    env.write("page.html", "<p>A wombat page</p>");
    env.write("notes.docx", "wombat");
    let r = env.ingest(&[]).success();
    let report = r.json();
    assert_eq!(report["articles_added"], 1, "{report}");
    assert!(
        report["files_skipped"].as_u64().unwrap() >= 3,
        "hidden file, .html and .docx are counted as skipped: {report}"
    );
    assert_eq!(env.ids("wombat", &[]), Vec::<String>::new());
    assert_eq!(env.ids("quokka", &[]), vec!["good.txt"]);
}

#[test]
fn ingest_json_report_is_one_object_with_every_field() {
    let env = TestEnv::new();
    write_format_fixtures(&env);
    let r = env.ingest(&[]).success();
    let report = r.json();
    let obj = report.as_object().expect("report is a JSON object");
    for key in [
        "files_seen",
        "files_read",
        "files_skipped",
        "files_failed",
        "files_unchanged",
        "articles_added",
        "articles_updated",
        "articles_removed",
        "articles_unchanged",
        "warnings",
        "errors",
        "elapsed_secs",
        "articles_per_sec",
    ] {
        assert!(
            obj.get(key).is_some_and(Value::is_number),
            "{key} is a number: {report}"
        );
    }
    assert!(
        obj.get("index").is_some_and(Value::is_string),
        "index is a string: {report}"
    );
    assert!(
        report["index"].as_str().unwrap().contains("index"),
        "index names the index path: {report}"
    );
}

#[test]
fn ingest_and_search_default_to_corpus_and_index_in_the_current_folder() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        "Okapi sighting\n\nAn okapi was seen in the forest.\n",
    );
    env.run(&["ingest"]).success();
    assert!(
        env.index.join("newsidx.json").exists()
            || std::fs::read_dir(&env.index).unwrap().count() > 0
    );
    let r = env.run(&["search", "okapi", "--json"]).success();
    let hits = r.json_lines();
    assert_eq!(hits.len(), 1, "{r:?}");
    assert_eq!(hits[0]["id"], "a.txt");
}

// ---------------------------------------------------------------------------------
// Incremental ingest
// ---------------------------------------------------------------------------------

#[test]
fn second_ingest_adds_nothing() {
    let env = TestEnv::new();
    write_format_fixtures(&env);
    let first = env.ingest_ok();
    assert_eq!(first["articles_added"], 12, "{first}");
    let second = env.ingest_ok();
    assert_eq!(second["articles_added"], 0, "{second}");
    assert_eq!(second["articles_updated"], 0, "{second}");
    assert_eq!(second["articles_removed"], 0, "{second}");
    assert_eq!(second["articles_unchanged"], 12, "{second}");
    assert_eq!(second["files_unchanged"], 10, "{second}");
    assert_eq!(env.article_count(), 12);
    assert_eq!(
        env.ids("aardvark", &[]),
        vec!["plain.txt"],
        "no duplicates after re-ingest"
    );
}

#[test]
fn changed_single_article_file_is_replaced() {
    let env = TestEnv::new();
    env.write(
        "a.md",
        "---\ntitle: Old title\n---\nThe old text mentions a pangolin.\n",
    );
    env.write(
        "b.md",
        "---\ntitle: Other\n---\nUnrelated text about a tapir.\n",
    );
    env.ingest_ok();
    env.write(
        "a.md",
        "---\ntitle: New title\n---\nThe new text mentions a narwhal.\n",
    );
    let report = env.ingest_ok();
    assert_eq!(report["articles_updated"], 1, "{report}");
    assert_eq!(report["articles_added"], 0, "{report}");
    assert_eq!(report["articles_removed"], 0, "{report}");
    assert_eq!(report["articles_unchanged"], 1, "{report}");
    assert_eq!(
        env.ids("pangolin", &[]),
        Vec::<String>::new(),
        "old text is gone"
    );
    let hit = env.only_hit("narwhal");
    assert_eq!(hit["id"], "a.md");
    assert_eq!(hit["title"], "New title");
    assert_eq!(env.article_count(), 2);
}

#[test]
fn changed_multi_record_file_counts_updated_added_removed_by_id() {
    let env = TestEnv::new();
    let line = |id: &str, word: &str| {
        format!(
            r#"{{"id": "{id}", "title": "Record {id}", "body": "This record is about a {word}."}}"#
        )
    };
    env.write(
        "feed.jsonl",
        [
            line("r1", "lemur"),
            line("r2", "marmot"),
            line("r3", "mongoose"),
        ]
        .join("\n"),
    );
    env.ingest_ok();
    // r1 unchanged, r2 edited, r3 gone, r4 new.
    env.write(
        "feed.jsonl",
        [
            line("r1", "lemur"),
            line("r2", "meerkat"),
            line("r4", "wolverine"),
        ]
        .join("\n"),
    );
    let report = env.ingest_ok();
    // Counted by id: r1 and r2 are in the old and the new file (updated), r3 only in
    // the old (removed), r4 only in the new (added).
    assert_eq!(report["articles_updated"], 2, "{report}");
    assert_eq!(report["articles_added"], 1, "{report}");
    assert_eq!(report["articles_removed"], 1, "{report}");
    assert_eq!(report["articles_unchanged"], 0, "{report}");
    assert_eq!(env.ids("marmot", &[]), Vec::<String>::new());
    assert_eq!(env.ids("mongoose", &[]), Vec::<String>::new());
    assert_eq!(env.ids("meerkat", &[]), vec!["feed.jsonl#r2"]);
    assert_eq!(env.ids("wolverine", &[]), vec!["feed.jsonl#r4"]);
    assert_eq!(env.ids("lemur", &[]), vec!["feed.jsonl#r1"]);
    assert_eq!(env.article_count(), 3);
}

#[test]
fn deleted_file_leaves_the_index() {
    let env = TestEnv::new();
    env.write("keep.txt", "Kept\n\nA koala stays.\n");
    env.write(
        "gone.json",
        r#"[{"title": "One", "text": "An ocelot here."}, {"title": "Two", "text": "An ocelot there."}]"#,
    );
    env.ingest_ok();
    assert_eq!(env.ids("ocelot", &[]).len(), 2);
    env.remove("gone.json");
    let report = env.ingest_ok();
    assert_eq!(report["articles_removed"], 2, "{report}");
    assert_eq!(report["articles_unchanged"], 1, "{report}");
    assert_eq!(env.ids("ocelot", &[]), Vec::<String>::new());
    assert_eq!(env.ids("koala", &[]), vec!["keep.txt"]);
    assert_eq!(env.article_count(), 1);
}

#[test]
fn rebuild_reindexes_everything() {
    let env = TestEnv::new();
    write_format_fixtures(&env);
    env.ingest_ok();
    let report = env.ingest(&["--rebuild"]).success().json();
    assert_eq!(report["articles_added"], 12, "{report}");
    assert_eq!(report["articles_unchanged"], 0, "{report}");
    assert_eq!(env.article_count(), 12);
}

// ---------------------------------------------------------------------------------
// Bad input: reported one line each, the run goes on
// ---------------------------------------------------------------------------------

/// A good file beside each bad one: it must still be indexed.
fn env_with_good_file() -> TestEnv {
    let env = TestEnv::new();
    env.write("good.txt", "Good news\n\nA quokka smiled for the camera.\n");
    env
}

fn assert_good_file_indexed(env: &TestEnv) {
    assert_eq!(
        env.ids("quokka", &[]),
        vec!["good.txt"],
        "the good file is indexed"
    );
}

#[test]
fn latin1_file_is_read_with_a_warning() {
    let env = env_with_good_file();
    env.write(
        "latin.txt",
        b"Caf\xe9 society\n\nThe caf\xe9 served a walrus.\n",
    );
    let r = env.ingest(&[]).success();
    let line = r.problem("warning", "latin.txt", None);
    assert!(line.contains("UTF-8"), "{line}");
    assert!(r.json()["warnings"].as_u64().unwrap() >= 1);
    let hit = env.only_hit("walrus");
    assert_eq!(hit["title"], "Café society");
    assert_good_file_indexed(&env);
}

#[test]
fn invalid_utf8_bytes_in_utf8_text_are_replaced_with_a_warning() {
    let env = env_with_good_file();
    env.write(
        "mixed.md",
        b"---\ntitle: Na\xc3\xafve walrus\n---\nBroken \xff byte beside a walrus.\n",
    );
    let r = env.ingest(&[]).success();
    assert!(r.problem("warning", "mixed.md", None).contains("UTF-8"));
    assert_eq!(env.only_hit("walrus")["id"], "mixed.md");
    assert_good_file_indexed(&env);
}

#[test]
fn malformed_json_line_is_an_error_and_the_other_lines_are_read() {
    let env = env_with_good_file();
    env.write(
        "feed.jsonl",
        concat!(
            r#"{"title": "First", "text": "The first yak."}"#,
            "\n",
            r#"{"title": "Second", "text": "broken yak"#,
            "\n",
            r#"{"title": "Third", "text": "The third yak."}"#,
            "\n"
        ),
    );
    let r = env.ingest(&[]).code(1);
    r.problem("error", "feed.jsonl", Some(2));
    let report = r.json();
    assert!(report["errors"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(report["articles_added"], 3, "{report}");
    let mut ids = env.ids("yak", &[]);
    ids.sort();
    assert_eq!(ids, vec!["feed.jsonl#1", "feed.jsonl#3"]);
    assert_good_file_indexed(&env);
}

#[test]
fn bad_csv_row_is_an_error_and_the_other_rows_are_read() {
    let env = env_with_good_file();
    env.write(
        "table.csv",
        "id,title,body\n\
         1,First,The first zebu.\n\
         2\n\
         3,Third,The third zebu.\n",
    );
    let r = env.ingest(&[]).code(1);
    r.problem("error", "table.csv", Some(3));
    assert_eq!(r.json()["articles_added"], 3);
    let mut ids = env.ids("zebu", &[]);
    ids.sort();
    assert_eq!(ids, vec!["table.csv#1", "table.csv#3"]);
    assert_good_file_indexed(&env);
}

#[test]
fn binary_file_is_an_error_and_skipped() {
    let env = env_with_good_file();
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend((0u8..=255).cycle().take(4096));
    env.write("archive.txt", &bytes);
    let r = env.ingest(&[]).code(1);
    let line = r.problem("error", "archive.txt", None);
    assert!(line.contains("binary"), "{line}");
    let report = r.json();
    assert_eq!(report["files_failed"], 1, "{report}");
    assert_eq!(report["articles_added"], 1, "{report}");
    assert_good_file_indexed(&env);
}

#[test]
fn empty_file_is_a_warning_and_adds_nothing() {
    let env = env_with_good_file();
    env.write("empty.md", "");
    env.write("blank.jsonl", "\n\n");
    let r = env.ingest(&[]).success();
    assert!(r.problem("warning", "empty.md", None).contains("empty"));
    assert_eq!(r.json()["articles_added"], 1);
    assert_eq!(env.article_count(), 1);
    assert_good_file_indexed(&env);
}

#[test]
fn every_problem_is_one_line_naming_its_file() {
    let env = env_with_good_file();
    env.write("latin.txt", b"Caf\xe9\n\nBody.\n");
    env.write("feed.jsonl", "{\"title\": \"x\", \"text\": \"y\"}\n{nope\n");
    env.write("table.csv", "id,title,body\n1,A,B\n2\n");
    env.write("archive.txt", b"\x00\x01\x02\x03binary");
    env.write("empty.md", "");
    let r = env.ingest(&[]).code(1);
    for name in [
        "latin.txt",
        "feed.jsonl",
        "table.csv",
        "archive.txt",
        "empty.md",
    ] {
        let lines: Vec<&str> = r
            .stderr_lines()
            .into_iter()
            .filter(|l| l.contains(name))
            .collect();
        assert!(!lines.is_empty(), "no problem reported for {name}:\n{r:?}");
        for l in lines {
            let ok = ["warning: ", "error: "].iter().any(|sev| {
                l.strip_prefix(sev).is_some_and(|rest| {
                    rest.find(&format!("{name}:"))
                        .is_some_and(|at| at == 0 || rest[..at].ends_with('/'))
                })
            });
            assert!(
                ok,
                "problem line is `warning|error: PATH[:LINE]: message`: {l:?}"
            );
        }
    }
}

#[test]
fn missing_folder_is_a_fatal_error() {
    let env = TestEnv::new();
    let missing = env.root.join("no-such-folder");
    let r = env
        .run(&[
            "ingest",
            missing.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
        ])
        .code(2);
    let lines = r.stderr_lines();
    assert_eq!(lines.len(), 1, "one line: {r:?}");
    assert!(lines[0].starts_with("error: "), "{r:?}");
    assert!(lines[0].contains("no-such-folder"), "names the path: {r:?}");
}

#[test]
fn index_path_that_is_a_file_is_a_fatal_error() {
    let env = env_with_good_file();
    let file = env.root.join("index.txt");
    std::fs::write(&file, "not an index").unwrap();
    let r = env
        .run(&[
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            file.to_str().unwrap(),
        ])
        .code(2);
    let lines = r.stderr_lines();
    assert_eq!(lines.len(), 1, "one line: {r:?}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains("index.txt"),
        "{r:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "not an index",
        "file untouched"
    );
}

#[test]
fn non_empty_folder_that_is_not_an_index_is_a_fatal_error() {
    let env = env_with_good_file();
    let other = env.root.join("photos");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("holiday.jpg"), "jpeg").unwrap();
    let r = env
        .run(&[
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            other.to_str().unwrap(),
        ])
        .code(2);
    let lines = r.stderr_lines();
    assert_eq!(lines.len(), 1, "one line: {r:?}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains("photos"),
        "{r:?}"
    );
    let names: Vec<_> = std::fs::read_dir(&other)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, vec!["holiday.jpg"], "folder untouched");
}

#[test]
fn incompatible_index_is_a_fatal_error() {
    let env = env_with_good_file();
    env.ingest_ok();
    let meta_path = env.index.join("newsidx.json");
    let mut meta: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta["schema_version"] = 999.into();
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    for r in [env.ingest(&[]), env.search("quokka", &[])] {
        let r = r.code(2);
        let lines = r.stderr_lines();
        assert_eq!(lines.len(), 1, "one line: {r:?}");
        assert!(lines[0].starts_with("error: "), "{r:?}");
        assert!(
            lines[0].contains(env.index.to_str().unwrap()),
            "names the index: {r:?}"
        );
    }
    // --rebuild is the way out.
    env.ingest(&["--rebuild"]).success();
    assert_good_file_indexed(&env);
}

/// A second ingest while the first holds the index lock: exit 2 naming the lock; the
/// first finishes normally. The first is made slow by size, and the second starts
/// only once the first is seen (in /proc/locks) holding the writer lock.
#[cfg(target_os = "linux")]
#[test]
fn second_writer_is_refused_while_the_first_runs() {
    use std::time::{Duration, Instant};

    let env = TestEnv::new();
    // One large JSON Lines file: ~30k short articles.
    let mut big = String::with_capacity(8 << 20);
    for i in 0..30_000 {
        big.push_str(&format!(
            "{{\"id\": \"{i}\", \"title\": \"Bulletin {i}\", \"text\": \"Officials in Paris and Berlin met on March {d}, 2017 to discuss trade with China; item {i}.\"}}\n",
            d = i % 28 + 1
        ));
    }
    env.write("big.jsonl", big);

    let out = |name: &str| std::fs::File::create(env.root.join(name)).unwrap();
    let mut first = env
        .std_cmd()
        .args([
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            env.index.to_str().unwrap(),
        ])
        .args(["--json", "--threads", "1"])
        .stdout(out("first.out"))
        .stderr(out("first.err"))
        .spawn()
        .unwrap();

    let lock = env.index.join("newsidx.lock");
    let start = Instant::now();
    while !lock_held(&lock) {
        if let Some(status) = first.try_wait().unwrap() {
            panic!(
                "first ingest ended ({status}) before it was seen holding {}; stderr: {}",
                lock.display(),
                std::fs::read_to_string(env.root.join("first.err")).unwrap()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "first ingest never took the lock"
        );
        std::thread::sleep(Duration::from_millis(5));
    }

    let second = env.ingest(&[]);
    let still_running = first.try_wait().unwrap().is_none();
    let status = first.wait().unwrap();
    let first_err = std::fs::read_to_string(env.root.join("first.err")).unwrap();
    let first_out = std::fs::read_to_string(env.root.join("first.out")).unwrap();

    assert!(
        still_running,
        "the first ingest must outlast the second (make big.jsonl bigger)"
    );
    let second = second.code(2);
    let lines = second.stderr_lines();
    assert_eq!(lines.len(), 1, "one line: {second:?}");
    assert!(lines[0].starts_with("error: "), "{second:?}");
    assert!(lines[0].contains("lock"), "names the lock: {second:?}");
    assert!(
        lines[0].contains(env.index.to_str().unwrap()),
        "names the index path: {second:?}"
    );

    assert!(
        status.success(),
        "first ingest failed: {status}\n{first_err}"
    );
    let report: Value = serde_json::from_str(first_out.trim()).expect("first ingest report");
    assert_eq!(report["articles_added"], 30_000, "{report}");
}

// ---------------------------------------------------------------------------------
// The specification query, on the sample corpus
// ---------------------------------------------------------------------------------

#[test]
fn sample_ingest_reads_every_article_without_errors() {
    let s = sample();
    let r = &s.report;
    assert_eq!(
        r["articles_added"], 98,
        "97 articles + the specification article: {r}"
    );
    assert_eq!(r["errors"], 0, "{r}");
    assert_eq!(r["files_failed"], 0, "{r}");
    assert!(
        r["files_skipped"].as_u64().unwrap() >= 1,
        "MANIFEST.tsv is skipped: {r}"
    );
}

#[test]
fn stats_counts_what_ingest_added() {
    let s = sample();
    let stats = s
        .env
        .run(&["stats", "--index", s.env.index.to_str().unwrap(), "--json"])
        .success()
        .json();
    assert_eq!(stats["articles"], s.report["articles_added"], "{stats}");
    assert!(
        stats["sources"].as_u64().unwrap() >= 10,
        "nine outlets + the spec: {stats}"
    );
    assert!(
        stats["earliest"]
            .as_str()
            .unwrap()
            .starts_with("2017-01-13"),
        "{stats}"
    );
    assert!(
        stats["latest"].as_str().unwrap().starts_with("2025-11-24"),
        "{stats}"
    );
    assert!(stats["index_bytes"].as_u64().unwrap() > 0, "{stats}");
}

#[test]
fn spec_query_ranks_the_spec_article_first() {
    let hits = sample().env.hits(SPEC_QUERY, &[]);
    assert!(!hits.is_empty());
    assert_eq!(hits[0]["id"], SPEC_ID, "{:#?}", hits[0]);
    assert_eq!(hits[0]["rank"], 1);
}

#[test]
fn spec_query_hit_has_every_field() {
    let hit = &sample().env.hits(SPEC_QUERY, &[])[0];
    assert_eq!(hit["id"], SPEC_ID);
    assert_eq!(hit["title"], SPEC_TITLE);
    assert_eq!(hit["published"], "2025-11-24");
    assert_eq!(hit["source"], "newsidx specification");
    assert_eq!(hit["path"], SPEC_PATH);
    assert!(hit["record"].is_null(), "{hit}");
    assert!(hit["url"].is_null(), "{hit}");
    assert!(hit["score"].as_f64().is_some_and(|s| s > 0.0), "{hit}");
    let countries = strs(&hit["countries"]);
    for c in ["TW", "CN", "US", "FR"] {
        assert!(countries.iter().any(|x| x == c), "{c} in {countries:?}");
    }
    let leaders = strs(&hit["leaders"]);
    for l in ["Xi Jinping", "Donald Trump", "Emmanuel Macron"] {
        assert!(leaders.iter().any(|x| x == l), "{l} in {leaders:?}");
    }
    assert!(strs(&hit["orgs"]).iter().any(|o| o == "G20"), "{hit}");
    assert!(!hit["snippets"].as_array().unwrap().is_empty(), "{hit}");
}

#[test]
fn spec_query_snippet_highlights_post_war_order() {
    let hit = &sample().env.hits(SPEC_QUERY, &[])[0];
    assert_eq!(hit["id"], SPEC_ID);
    let snippets = hit["snippets"].as_array().unwrap();
    let snippet = snippets
        .iter()
        .find(|s| {
            s["text"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("post-war")
        })
        .unwrap_or_else(|| panic!("a snippet around \"post-war order\": {snippets:#?}"));
    let words = highlighted(snippet);
    assert!(
        words.iter().any(|w| w.starts_with("post")),
        "post-war is highlighted: {words:?} in {snippet}"
    );
    assert!(
        words.iter().any(|w| w == "order"),
        "order is highlighted: {words:?} in {snippet}"
    );
    for w in snippets.iter().flat_map(highlighted) {
        assert!(
            ["taiwan", "post", "war", "order"]
                .iter()
                .any(|q| w.starts_with(q)),
            "only query words are highlighted, not {w:?}"
        );
    }
}

#[test]
fn plain_output_shows_the_hit_and_marks_matches_with_asterisks() {
    let s = sample();
    let r = s
        .env
        .run(&[
            "search",
            SPEC_QUERY,
            "--index",
            s.env.index.to_str().unwrap(),
            "--limit",
            "1",
        ])
        .success();
    let out = &r.stdout;
    assert!(out.replace("**", "").contains(SPEC_TITLE), "title: {r:?}");
    assert!(out.contains("2025-11-24"), "date: {r:?}");
    assert!(out.contains("newsidx specification"), "source: {r:?}");
    assert!(out.contains(SPEC_PATH), "path: {r:?}");
    assert!(out.contains("Xi Jinping"), "tags: {r:?}");
    let lower = out.to_lowercase();
    assert!(
        lower.contains("**post-war**") || lower.contains("**post**-**war**"),
        "post-war highlighted: {r:?}"
    );
    assert!(lower.contains("**order**"), "order highlighted: {r:?}");
    assert!(
        !out.contains('\x1b'),
        "no escape codes with NO_COLOR / not a terminal: {r:?}"
    );
}

#[test]
fn post_war_without_hyphen_finds_the_spec_article() {
    let ids = sample().env.ids("post war", &["--limit", "1000"]);
    assert!(ids.iter().any(|i| i == SPEC_ID), "{ids:?}");
}

fn assert_spec_first(filters: &[&str]) {
    let hits = sample().env.hits(SPEC_QUERY, filters);
    let ids: Vec<_> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids.first().copied(),
        Some(SPEC_ID),
        "with {filters:?}: {ids:?}"
    );
}

/// The spec article is not among the full matches (it may follow as a partial match,
/// marked so, when only some words or phrases of the query are in it).
fn assert_spec_absent(query: &str, filters: &[&str]) {
    let mut args = filters.to_vec();
    args.extend(["--limit", "1000"]);
    let ids: Vec<String> = sample()
        .env
        .hits(query, &args)
        .iter()
        // (A last line of warnings has no id: a search that finds nothing in the
        // dates asked says when the archive's articles were published.)
        .filter(|h| h["partial"] != true && !h["id"].is_null())
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !ids.iter().any(|i| i == SPEC_ID),
        "with {filters:?}: {ids:?}"
    );
}

#[test]
fn spec_stays_first_with_country_code() {
    assert_spec_first(&["--country", "TW"]);
}

#[test]
fn spec_stays_first_with_lowercase_country_code() {
    assert_spec_first(&["--country", "tw"]);
}

#[test]
fn spec_stays_first_with_country_name() {
    assert_spec_first(&["--country", "taiwan"]);
}

#[test]
fn spec_stays_first_with_demonym() {
    assert_spec_first(&["--country", "Taiwanese"]);
}

#[test]
fn spec_stays_first_with_leader_full_name() {
    assert_spec_first(&["--leader", "Xi Jinping"]);
}

#[test]
fn spec_stays_first_with_leader_surname() {
    assert_spec_first(&["--leader", "xi"]);
}

#[test]
fn spec_stays_first_with_france_via_macron() {
    assert_spec_first(&["--country", "FR"]);
}

#[test]
fn spec_stays_first_with_org() {
    assert_spec_first(&["--org", "G20"]);
}

#[test]
fn spec_stays_first_with_several_filters() {
    assert_spec_first(&[
        "--country",
        "TW",
        "--leader",
        "xi",
        "--org",
        "g20",
        "--from",
        "2025",
    ]);
}

#[test]
fn spec_absent_with_another_leader() {
    assert_spec_absent(SPEC_QUERY, &["--leader", "Vladimir Putin"]);
}

#[test]
fn spec_absent_from_2026() {
    assert_spec_absent(SPEC_QUERY, &["--from", "2026"]);
}

#[test]
fn date_range_bounds_are_inclusive_at_each_granularity() {
    for f in [
        &["--from", "2025-11-24"][..],
        &["--to", "2025-11-24"],
        &["--from", "2025-11", "--to", "2025-11"],
        &["--from", "2025", "--to", "2025"],
        &["--to", "2025-12"],
    ] {
        assert_spec_first(f);
    }
}

#[test]
fn date_range_excludes_outside_days() {
    assert_spec_absent(SPEC_QUERY, &["--from", "2025-11-25"]);
    assert_spec_absent(SPEC_QUERY, &["--to", "2025-11-23"]);
    assert_spec_absent(SPEC_QUERY, &["--to", "2025-10"]);
}

#[test]
fn to_filter_keeps_only_older_articles() {
    let hits = sample()
        .env
        .hits("China", &["--to", "2017", "--limit", "1000"]);
    assert!(!hits.is_empty());
    for h in &hits {
        let p = h["published"]
            .as_str()
            .unwrap_or_else(|| panic!("dated: {h}"));
        assert!(p <= "2017-12-31", "{p} in {h}");
    }
    assert!(!hits.iter().any(|h| h["id"] == SPEC_ID));
}

#[test]
fn mentions_filter_keeps_articles_that_mention_the_year() {
    // The spec article says "for the first time since 2019".
    assert_spec_first(&["--mentions", "2019"]);
}

#[test]
fn mentions_filter_drops_articles_that_do_not() {
    assert_spec_absent(SPEC_QUERY, &["--mentions", "2030"]);
}

#[test]
fn leader_filter_keeps_only_articles_tagged_with_the_leader() {
    let hits = sample()
        .env
        .hits("China", &["--leader", "xi", "--limit", "1000"]);
    assert!(hits.len() >= 2, "{hits:#?}");
    for h in &hits {
        assert!(strs(&h["leaders"]).iter().any(|l| l == "Xi Jinping"), "{h}");
    }
}

#[test]
fn country_filter_keeps_only_articles_tagged_with_the_country() {
    let hits = sample()
        .env
        .hits("trade", &["--country", "Germany", "--limit", "1000"]);
    assert!(!hits.is_empty());
    for h in &hits {
        assert!(strs(&h["countries"]).iter().any(|c| c == "DE"), "{h}");
    }
}

#[test]
fn org_filter_keeps_only_articles_tagged_with_the_org() {
    let env = &sample().env;
    let hits = env.hits("Russia", &["--org", "nato", "--limit", "1000"]);
    assert!(!hits.is_empty());
    for h in &hits {
        assert!(strs(&h["orgs"]).iter().any(|o| o == "NATO"), "{h}");
    }
    assert_spec_absent(SPEC_QUERY, &["--org", "NATO"]);
}

// ---------------------------------------------------------------------------------
// Query syntax
// ---------------------------------------------------------------------------------

#[test]
fn all_plain_words_are_required() {
    // "Takaichi" is only in the spec article; "Sarkozy" is not in it.
    assert_spec_absent("Takaichi Sarkozy", &[]);
    // Partial matches follow the full ones, each marked.
    let hits = sample().env.hits("Takaichi Sarkozy", &["--limit", "1000"]);
    let first_partial = hits
        .iter()
        .position(|h| h["partial"] == true)
        .unwrap_or(hits.len());
    assert!(hits[first_partial..].iter().all(|h| h["partial"] == true));
    assert!(hits
        .iter()
        .any(|h| h["id"] == SPEC_ID && h["partial"] == true));
    assert_eq!(sample().env.ids("Takaichi", &[]), vec![SPEC_ID]);
}

#[test]
fn quoted_phrase_must_match_in_order() {
    let env = &sample().env;
    let ids = env.ids("\"post-war international order\"", &[]);
    assert_eq!(ids.first().map(String::as_str), Some(SPEC_ID), "{ids:?}");
    assert_spec_absent("\"international post-war order\"", &[]);
}

#[test]
fn minus_word_excludes() {
    assert_spec_absent("Taiwan post-war order -Macron", &[]);
    assert_spec_first(&[]);
}

#[test]
fn or_matches_either_word() {
    let ids = sample()
        .env
        .ids("Takaichi OR Sarkozy", &["--limit", "1000"]);
    assert!(ids.iter().any(|i| i == SPEC_ID), "{ids:?}");
    assert!(
        ids.iter().any(|i| i == "csv/articles.csv#654"),
        "the Sarkozy trial article: {ids:?}"
    );
}

#[test]
fn unbalanced_quotes_and_stray_operators_are_not_errors() {
    let env = &sample().env;
    // An unclosed quote may run to the end as a phrase: only "no error" is required.
    env.hits("\"Taiwan post-war order", &[]);
    for q in [
        "Taiwan post-war order\"",
        "Taiwan post-war \"order",
        "Taiwan post-war order -",
        "Taiwan (post-war order",
        "AND Taiwan post-war order +",
        "OR Taiwan post-war order",
        "Taiwan post-war order AND",
    ] {
        let ids = env.ids(q, &["--limit", "1000"]);
        assert!(ids.iter().any(|i| i == SPEC_ID), "query {q:?}: {ids:?}");
    }
}

#[test]
fn trailing_or_is_ignored() {
    let ids = sample()
        .env
        .ids("Taiwan post-war order OR", &["--limit", "1000"]);
    assert!(
        ids.iter().any(|i| i == SPEC_ID),
        "a stray OR at the end must not empty the results: {ids:?}"
    );
}

#[test]
fn query_starting_with_minus_is_a_query_not_a_flag() {
    let env = &sample().env;
    assert_eq!(env.ids("-Macron Takaichi", &[]), Vec::<String>::new());
    let ids = env.ids("-Sarkozy Takaichi", &[]);
    assert_eq!(ids, vec![SPEC_ID]);
    env.hits("- Taiwan post-war order -", &[]);
}

#[test]
fn no_match_prints_a_sentence_and_succeeds() {
    let s = sample();
    let r = s
        .env
        .run(&["search", "zzqxjv", "--index", s.env.index.to_str().unwrap()])
        .success();
    assert!(r.stdout.starts_with("No articles match"), "{r:?}");
}

#[test]
fn limit_and_offset_page_through_results() {
    let env = &sample().env;
    let all = env.ids("China", &["--limit", "6"]);
    assert_eq!(all.len(), 6, "{all:?}");
    let hits = env.hits("China", &["--limit", "3"]);
    assert_eq!(hits.len(), 3);
    let ranks: Vec<_> = hits.iter().map(|h| h["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, vec![1, 2, 3]);
    let page = env.ids("China", &["--limit", "2", "--offset", "2"]);
    assert_eq!(page, all[2..4].to_vec());
}

#[test]
fn search_json_lines_have_every_field() {
    let hits = sample().env.hits("China", &["--limit", "20"]);
    assert!(hits.len() >= 10);
    for h in &hits {
        let o = h
            .as_object()
            .unwrap_or_else(|| panic!("hit is an object: {h}"));
        for k in ["rank", "score"] {
            assert!(o.get(k).is_some_and(Value::is_number), "{k}: {h}");
        }
        for k in ["id", "title", "path"] {
            assert!(o.get(k).is_some_and(Value::is_string), "{k}: {h}");
        }
        for k in ["published", "source", "url"] {
            assert!(
                o.get(k).is_some_and(|v| v.is_string() || v.is_null()),
                "{k}: {h}"
            );
        }
        assert!(
            o.get("record").is_some_and(|v| v.is_u64() || v.is_null()),
            "record: {h}"
        );
        for k in ["countries", "leaders", "orgs"] {
            strs(o.get(k).unwrap_or_else(|| panic!("{k}: {h}")));
        }
        if let Some(p) = h["published"].as_str() {
            assert!(
                p.len() == 10 && p.as_bytes()[4] == b'-' && p.as_bytes()[7] == b'-',
                "published is YYYY-MM-DD: {h}"
            );
        }
        for s in h["snippets"]
            .as_array()
            .unwrap_or_else(|| panic!("snippets: {h}"))
        {
            for w in highlighted(s) {
                assert!(
                    w.contains("china") || w.starts_with("chin"),
                    "highlight {w:?} in {s}"
                );
            }
        }
    }
    let csv_hit = hits.iter().find(|h| h["path"] == "csv/articles.csv");
    if let Some(h) = csv_hit {
        assert!(
            h["record"].as_u64().is_some(),
            "multi-record file has a record number: {h}"
        );
    }
}

// ---------------------------------------------------------------------------------
// Tag values for --country / --leader
// ---------------------------------------------------------------------------------

#[test]
fn unknown_country_is_an_error_with_suggestions() {
    let s = sample();
    let r = s.env.search(SPEC_QUERY, &["--country", "xyz"]).code(2);
    assert!(r.stderr.contains("unknown country 'xyz'"), "{r:?}");
    assert!(r.stderr.contains("closest known:"), "{r:?}");
    assert!(r.stdout.trim().is_empty(), "{r:?}");
}

#[test]
fn misspelt_country_suggests_the_right_one() {
    let r = sample()
        .env
        .search(SPEC_QUERY, &["--country", "Taiwn"])
        .code(2);
    assert!(r.stderr.contains("unknown country 'Taiwn'"), "{r:?}");
    let line = r.stderr_line("error: ");
    let suggestions = line
        .split("closest known:")
        .nth(1)
        .unwrap_or_else(|| panic!("{r:?}"));
    assert!(
        suggestions.contains("Taiwan") || suggestions.contains("TW"),
        "{r:?}"
    );
}

#[test]
fn unknown_leader_is_an_error_with_suggestions() {
    let r = sample()
        .env
        .search(SPEC_QUERY, &["--leader", "Xi Jinpong"])
        .code(2);
    assert!(r.stderr.contains("unknown leader 'Xi Jinpong'"), "{r:?}");
    let line = r.stderr_line("error: ");
    let suggestions = line
        .split("closest known:")
        .nth(1)
        .unwrap_or_else(|| panic!("{r:?}"));
    assert!(suggestions.contains("Xi Jinping"), "{r:?}");
}

#[test]
fn tag_values_resolve_in_any_case() {
    assert_spec_first(&["--country", "TAIWAN"]);
    assert_spec_first(&["--leader", "XI JINPING"]);
    assert_spec_first(&["--leader", "trump"]);
    assert_spec_first(&["--country", "chinese"]);
}

// ---------------------------------------------------------------------------------
// tags, enrich
// ---------------------------------------------------------------------------------

#[test]
fn tags_counts_countries_most_frequent_first() {
    let env = TestEnv::new();
    env.write(
        "a.txt",
        "One\n\nFrance and Germany signed a deal in Paris.\n",
    );
    env.write("b.txt", "Two\n\nFrance raised taxes again.\n");
    env.write("c.txt", "Three\n\nThe French government met in France.\n");
    env.write("d.txt", "Four\n\nA quiet day in the countryside.\n");
    env.ingest_ok();
    let r = env
        .run(&[
            "tags",
            "--kind",
            "country",
            "--index",
            env.index.to_str().unwrap(),
            "--json",
        ])
        .success();
    let tags = r.json_lines();
    assert!(tags.iter().all(|t| t["kind"] == "country"), "{r:?}");
    let value = |t: &Value| t["value"].as_str().unwrap().to_string();
    assert!(matches!(value(&tags[0]).as_str(), "FR" | "France"), "{r:?}");
    assert_eq!(tags[0]["count"], 3, "{r:?}");
    let de = tags
        .iter()
        .find(|t| matches!(value(t).as_str(), "DE" | "Germany"))
        .unwrap_or_else(|| panic!("Germany: {r:?}"));
    assert_eq!(de["count"], 1, "{r:?}");
}

#[test]
fn tags_on_sample_are_sorted_and_limited() {
    let s = sample();
    let idx = s.env.index.to_str().unwrap();
    let tags = s
        .env
        .run(&["tags", "--index", idx, "--json", "--limit", "1000"])
        .success()
        .json_lines();
    for kind in ["country", "leader", "org"] {
        let counts: Vec<u64> = tags
            .iter()
            .filter(|t| t["kind"] == kind)
            .map(|t| t["count"].as_u64().unwrap())
            .collect();
        assert!(!counts.is_empty(), "{kind} tags listed");
        assert!(
            counts.windows(2).all(|w| w[0] >= w[1]),
            "{kind}: most frequent first: {counts:?}"
        );
    }
    let leaders = s
        .env
        .run(&["tags", "--kind", "leader", "--index", idx, "--json"])
        .success()
        .json_lines();
    assert!(
        leaders.iter().any(|t| t["value"] == "Xi Jinping"),
        "{leaders:?}"
    );
    let three = s
        .env
        .run(&[
            "tags", "--kind", "country", "--index", idx, "--json", "--limit", "3",
        ])
        .success()
        .json_lines();
    assert_eq!(three.len(), 3);
    assert_eq!(
        three[0]["value"], "US",
        "the most frequent country in the sample"
    );
}

#[test]
fn enrich_json_gives_tags_with_byte_offsets() {
    let env = TestEnv::new();
    let spec = sample_corpus().join(SPEC_PATH);
    let r = env
        .run(&["enrich", spec.to_str().unwrap(), "--json"])
        .success();
    let arts = r.json_lines();
    assert_eq!(arts.len(), 1, "{r:?}");
    let a = &arts[0];
    assert_eq!(a["title"], SPEC_TITLE);
    assert_eq!(a["published"], "2025-11-24");
    assert!(a["id"].as_str().unwrap().ends_with("#seed"), "{}", a["id"]);

    let text = std::fs::read_to_string(&spec).unwrap();
    let body = text.splitn(3, "---\n").nth(2).unwrap();
    let check_mentions = |m: &Value| {
        for mention in m.as_array().unwrap() {
            let (s, e) = (
                mention["start"].as_u64().unwrap() as usize,
                mention["end"].as_u64().unwrap() as usize,
            );
            let src = if mention["field"] == "title" {
                SPEC_TITLE
            } else {
                body
            };
            assert_eq!(
                src.get(s..e),
                mention["text"].as_str(),
                "offsets of {mention}"
            );
        }
    };
    let tw = a["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "TW")
        .unwrap_or_else(|| panic!("TW: {a}"));
    assert!(!tw["mentions"].as_array().unwrap().is_empty());
    for c in a["countries"].as_array().unwrap() {
        check_mentions(&c["mentions"]);
    }
    let xi = a["leaders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Xi Jinping")
        .unwrap_or_else(|| panic!("Xi: {a}"));
    assert_eq!(xi["country"], "CN");
    for l in a["leaders"].as_array().unwrap() {
        check_mentions(&l["mentions"]);
    }
    assert!(
        a["orgs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "G20"),
        "{a}"
    );
    for o in a["orgs"].as_array().unwrap() {
        check_mentions(&o["mentions"]);
    }
    for d in a["dates"].as_array().unwrap() {
        for k in ["text", "value", "granularity"] {
            assert!(d[k].is_string(), "date mention has {k}: {d}");
        }
    }
    assert!(
        a["dates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["value"].as_str().is_some_and(|v| v.starts_with("2019"))),
        "the 2019 mention: {}",
        a["dates"]
    );
}

#[test]
fn snippets_0_lists_no_snippet() {
    let env = &crate::util::sample().env;
    let hits = env.hits("taiwan", &["--snippets", "0"]);
    assert!(!hits.is_empty());
    for h in &hits {
        assert_eq!(h["snippets"].as_array().map(Vec::len), Some(0), "{h}");
    }
    let idx = env.index.to_str().unwrap();
    let text = env
        .run(&[
            "search",
            "taiwan",
            "--index",
            idx,
            "--snippets",
            "0",
            "--limit",
            "1",
        ])
        .success()
        .stdout;
    // The title, the line of date, source and id, the tags: no text of the body.
    assert!(text.lines().all(|l| !l.contains('…')), "{text}");
    // One snippet by default, and as many as asked.
    assert!(env
        .hits("taiwan", &[])
        .iter()
        .all(|h| h["snippets"].as_array().map(Vec::len) == Some(1)));
}

#[test]
fn a_long_query_that_repeats_a_prefix_reads_it_once() {
    let env = &crate::util::sample().env;
    let once = env.ids("tai*", &[]);
    assert!(!once.is_empty());
    let repeated = vec!["tai*"; 400].join(" ");
    assert_eq!(env.ids(&repeated, &[]), once);
}
