//! Which articles an ingest run records, and when: a read error partway through a
//! file, rows appended to a big file, an edit that kept size and mtime, a file that
//! grows while it is read. Every case goes through the real binary; read errors are
//! injected at the OS level by the fault shim.

use crate::util::shim::try_fault_shim;
use crate::util::{Run, TestEnv};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A body of random words (distinct enough not to be folded as near-duplicates),
/// ending with a marker word unique to the article.
fn body(seed: u64, marker: &str) -> String {
    const WORDS: [&str; 20] = [
        "government",
        "minister",
        "talks",
        "border",
        "trade",
        "security",
        "officials",
        "country",
        "president",
        "election",
        "report",
        "people",
        "city",
        "police",
        "former",
        "military",
        "support",
        "economic",
        "harbour",
        "council",
    ];
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let words: Vec<&str> = (0..60)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            WORDS[(s % WORDS.len() as u64) as usize]
        })
        .collect();
    format!("{} {marker}.", words.join(" "))
}

fn jsonl_line(id: &str, title: &str, text: &str) -> String {
    serde_json::json!({"id": id, "title": title, "text": text}).to_string() + "\n"
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `newsidx ingest` on the env's corpus and index with extra environment variables.
fn ingest_with(env: &TestEnv, vars: &[(&str, &std::ffi::OsStr)], extra: &[&str]) -> Run {
    let mut c = env.std_cmd();
    c.args([
        "ingest",
        env.corpus.to_str().unwrap(),
        "--index",
        env.index.to_str().unwrap(),
        "--json",
    ])
    .args(extra);
    for (k, v) in vars {
        c.env(k, v);
    }
    Run::from_output(&["ingest", "(with environment)"], c.output().unwrap())
}

/// Every article in the index: id -> title, asserting no id is there twice.
fn articles(env: &TestEnv) -> BTreeMap<String, String> {
    let hits = env.hits("", &["--all", "--limit", "1000000"]);
    let mut out = BTreeMap::new();
    for h in hits {
        let id = h["id"].as_str().unwrap().to_string();
        let title = h["title"].as_str().unwrap_or_default().to_string();
        assert!(
            out.insert(id.clone(), title).is_none(),
            "{id} is in the index twice"
        );
    }
    out
}

/// A fresh index of the same corpus, as a whole read sees it: the reference.
fn fresh_articles(env: &TestEnv) -> BTreeMap<String, String> {
    let other = TestEnv::new();
    crate::util::copy_dir(&env.corpus, &other.corpus);
    // Exit 1 when the corpus holds a bad record (reported), 0 otherwise.
    let r = other.ingest(&[]);
    assert!(matches!(r.code, Some(0 | 1)), "{r:?}");
    articles(&other)
}

fn n(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

// ---- 1. A read error partway through a file ----

/// An EIO partway through a CSV: the file is counted as failed (not "0 failed"), it is
/// not recorded, the next run reads it again and every article comes in; the run
/// after that finds it unchanged.
#[test]
fn read_error_partway_leaves_the_file_unrecorded_and_read_again() {
    let Some(shim) = try_fault_shim() else { return };
    let env = TestEnv::new();
    let rows = 600;
    let mut csv = String::from("id,title,body\n");
    for i in 0..rows {
        csv += &format!(
            "{i},{},{}\n",
            csv_field(&format!("Row {i}")),
            csv_field(&body(i, &format!("row{i}x")))
        );
    }
    env.write("big.csv", &csv);
    env.write(
        "small.jsonl",
        jsonl_line("s", "Small", &body(9999, "smallx")),
    );

    let after = (csv.len() / 3).to_string();
    let eio = [
        ("LD_PRELOAD", shim.as_os_str()),
        ("NEWSIDX_FAULT_EIO_PATH", "big.csv".as_ref()),
        ("NEWSIDX_FAULT_EIO_AFTER", after.as_ref()),
    ];
    let r = ingest_with(&env, &eio, &[]);
    let sum = r.json();
    assert_eq!(n(&sum, "files_failed"), 1, "{r:?}");
    assert_eq!(
        n(&sum, "files_read"),
        1,
        "only small.jsonl was read whole: {r:?}"
    );
    let eio_lines: Vec<&str> = r
        .stderr_lines()
        .into_iter()
        .filter(|l| l.contains("big.csv") && l.contains("Input/output error"))
        .collect();
    assert_eq!(eio_lines.len(), 1, "the error is reported once: {r:?}");
    assert!(eio_lines[0].starts_with("error: "), "{r:?}");
    // What was read before the error is in (nothing is lost), but not recorded.
    let partial = articles(&env).len();
    assert!(
        partial > 1 && partial < rows as usize + 1,
        "{partial} articles"
    );

    let second = env.ingest_ok();
    assert_eq!(n(&second, "files_read"), 1, "{second}");
    assert_eq!(n(&second, "files_unchanged"), 1, "{second}");
    assert_eq!(n(&second, "files_failed"), 0, "{second}");
    let all = articles(&env);
    assert_eq!(all.len(), rows as usize + 1);
    assert_eq!(all, fresh_articles(&env));

    let third = env.ingest_ok();
    assert_eq!(n(&third, "files_unchanged"), 2, "{third}");
    assert_eq!(n(&third, "files_read"), 0, "{third}");
}

/// A recorded file that changed and then fails partway keeps every article (old or
/// new version, and those that left the file too, until it is read whole), is counted
/// as failed, and is read whole again next run.
#[test]
fn read_error_on_a_changed_file_keeps_its_articles() {
    let Some(shim) = try_fault_shim() else { return };
    let env = TestEnv::new();
    let lines = |version: &str, count: u64| -> String {
        (0..count)
            .map(|i| {
                jsonl_line(
                    &format!("a{i}"),
                    &format!("{version} {i}"),
                    &body(i, &format!("art{i}x")),
                )
            })
            .collect()
    };
    env.write("feed.jsonl", lines("Old", 400));
    env.ingest_ok();
    // Shorter: read whole at once (no prefix to compare first).
    let v2 = lines("New", 380);
    env.write("feed.jsonl", &v2);
    let after = (v2.len() / 2).to_string();
    let eio = [
        ("LD_PRELOAD", shim.as_os_str()),
        ("NEWSIDX_FAULT_EIO_PATH", "feed.jsonl".as_ref()),
        ("NEWSIDX_FAULT_EIO_AFTER", after.as_ref()),
    ];
    let r = ingest_with(&env, &eio, &[]);
    assert_eq!(n(&r.json(), "files_failed"), 1, "{r:?}");
    let mid = articles(&env);
    for i in 0..400 {
        let t = &mid[&format!("feed.jsonl#a{i}")];
        assert!(t == &format!("Old {i}") || t == &format!("New {i}"), "{t}");
    }
    assert!(
        mid.values().any(|t| t.starts_with("New")),
        "the first half went in"
    );

    let again = env.ingest_ok();
    assert_eq!(n(&again, "files_read"), 1, "{again}");
    assert_eq!(articles(&env), fresh_articles(&env));
}

// ---- 9. Appending to a big file ----

/// One row appended to a CSV is read on its own (`files_appended`), and the ids and
/// line numbers of the new rows, duplicate ids included, are those a whole read gives.
#[test]
fn rows_appended_to_a_csv_are_read_alone_and_match_a_whole_read() {
    let env = TestEnv::new();
    // CRLF line ends, a quoted cell over several lines, a duplicate id.
    let mut csv = String::from("\r\nid,title,body\r\n");
    for i in 0..300u64 {
        let id = if i == 7 { 5 } else { i };
        csv += &format!(
            "{id},{},{}\r\n",
            csv_field(&format!("Row {i}")),
            csv_field(&body(i, &format!("row{i}x\r\nmore")))
        );
    }
    env.write("big.csv", &csv);
    let first = env.ingest_ok();
    assert_eq!(n(&first, "articles_added"), 300);

    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(env.corpus.join("big.csv"))
        .unwrap();
    write!(
        f,
        "5,\"Appended, with id 5\",{}\r\n",
        csv_field(&body(1000, "appendedx"))
    )
    .unwrap();
    write!(f, "bad row with no content column\r\n").unwrap();
    drop(f);
    let run = env.ingest(&[]).code(1); // the bad row is reported
    let second = run.json();
    assert_eq!(n(&second, "files_appended"), 1, "{second}");
    assert_eq!(n(&second, "articles_added"), 1, "{second}");
    assert_eq!(n(&second, "articles_unchanged"), 300, "{second}");
    assert_eq!(n(&second, "articles_updated"), 0, "{second}");
    assert_eq!(articles(&env), fresh_articles(&env));
    assert_eq!(env.only_hit("appendedx")["id"], "big.csv#5-301");
    // The bad row is reported at the line a whole read gives (header on line 2, rows
    // of two lines).
    run.problem("error", "big.csv", Some(604));
    let fresh = TestEnv::new();
    crate::util::copy_dir(&env.corpus, &fresh.corpus);
    let whole = fresh.ingest(&[]).code(1);
    assert_eq!(n(&whole.json(), "articles_added"), 301);
    whole.problem("error", "big.csv", Some(604));

    // The same rows again: nothing to read.
    let third = env.ingest_ok();
    assert_eq!(n(&third, "files_unchanged"), 1, "{third}");
}

/// JSON lines: a last line cut short at one run (a writer mid-line) comes out right
/// once it is finished, whether the next run reads it as an append or whole.
#[test]
fn a_jsonl_line_cut_short_at_the_last_run_comes_out_right() {
    let env = TestEnv::new();
    let mut text: String = (0..200)
        .map(|i| {
            jsonl_line(
                &format!("a{i}"),
                &format!("Line {i}"),
                &body(i, &format!("line{i}x")),
            )
        })
        .collect();
    let tail = jsonl_line("last", "The last line", &body(500, "lastx"));
    let (cut, rest) = tail.split_at(30);
    text.push_str(cut);
    env.write("feed.jsonl", &text);
    let first = env.ingest(&[]).json();
    assert_eq!(n(&first, "articles_added"), 200, "{first}");

    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(env.corpus.join("feed.jsonl"))
        .unwrap();
    f.write_all(rest.as_bytes()).unwrap();
    f.write_all(jsonl_line("next", "Next", &body(501, "nextx")).as_bytes())
        .unwrap();
    drop(f);
    env.ingest_ok();
    assert_eq!(articles(&env), fresh_articles(&env));
    assert_eq!(articles(&env).len(), 202);

    // Then a clean append reads only the new line.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(env.corpus.join("feed.jsonl"))
        .unwrap();
    f.write_all(jsonl_line("a3", "Dup id", &body(502, "dupx")).as_bytes())
        .unwrap();
    drop(f);
    let s = env.ingest_ok();
    assert_eq!(n(&s, "files_appended"), 1, "{s}");
    assert_eq!(n(&s, "articles_added"), 1, "{s}");
    assert_eq!(articles(&env), fresh_articles(&env));
    assert_eq!(env.only_hit("dupx")["id"], "feed.jsonl#a3-203");
}

/// While a changed file is re-read with commits every 25 articles, every commit
/// shows each of its articles exactly once (old or new version): the article count
/// never dips.
#[test]
fn every_commit_shows_each_article_of_a_changed_file_once() {
    let env = TestEnv::new();
    let count = 1500u64;
    let lines = |version: &str| -> String {
        (0..count)
            .map(|i| {
                jsonl_line(
                    &format!("a{i}"),
                    &format!("{version} {i}"),
                    &body(i, &format!("art{i}x")),
                )
            })
            .collect()
    };
    env.write("feed.jsonl", lines("Old"));
    env.ingest_ok();
    // Every line changed (same size would do too; this one differs).
    env.write("feed.jsonl", lines("Newer"));
    let mut child = env
        .std_cmd()
        .args(["ingest", env.corpus.to_str().unwrap(), "--index"])
        .arg(&env.index)
        .args(["--json", "--commit-every", "25"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    while child.try_wait().unwrap().is_none() {
        let s = env.run(&["stats", "--index", env.index.to_str().unwrap(), "--json"]);
        if s.code == Some(0) {
            seen.push(n(&s.json(), "articles"));
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        seen.len() >= 2,
        "too few looks at the index during the run: {seen:?}"
    );
    assert!(
        seen.iter().all(|&c| c == count),
        "article count per commit: {seen:?}"
    );
    let all = articles(&env);
    assert_eq!(all.len() as u64, count);
    assert!(all.values().all(|t| t.starts_with("Newer")));
}

// ---- 13. A same-size edit with its mtime restored ----

/// Size and mtime are trusted by default (README says so); `--checksum` compares
/// content and finds the edit.
#[test]
fn checksum_finds_a_same_size_edit_with_its_mtime_restored() {
    let env = TestEnv::new();
    let path = env.write("a.jsonl", jsonl_line("x", "Alpha", &body(1, "alphax")));
    env.write("b.jsonl", jsonl_line("y", "Other", &body(2, "otherx")));
    env.ingest_ok();
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    env.write("a.jsonl", jsonl_line("x", "Gamma", &body(1, "gammax")));
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);

    let trusting = env.ingest_ok();
    assert_eq!(n(&trusting, "files_unchanged"), 2, "{trusting}");
    let checked = env.ingest(&["--checksum"]).success().json();
    assert_eq!(n(&checked, "files_read"), 1, "{checked}");
    assert_eq!(n(&checked, "files_unchanged"), 1, "{checked}");
    assert_eq!(n(&checked, "articles_updated"), 1, "{checked}");
    assert_eq!(env.only_hit("gammax")["title"], "Gamma");
    assert!(env.hits("alphax", &[]).is_empty());
    let again = env.ingest(&["--checksum"]).success().json();
    assert_eq!(n(&again, "files_unchanged"), 2, "{again}");
}

// ---- 16. A file appended to during the ingest ----

/// A writer appends to a JSON lines file while it is ingested: the run reads what was
/// there when it began and ends; the next run reads the rest as an append, and the
/// index then holds every line once.
#[test]
fn a_file_growing_during_the_ingest_is_read_as_it_was_at_the_start() {
    let env = TestEnv::new();
    let path = env.corpus.join("live.jsonl");
    let mut initial = String::new();
    for i in 0..1000 {
        initial += &jsonl_line(
            &format!("l{i}"),
            &format!("Live {i}"),
            &body(i, &format!("live{i}x")),
        );
    }
    env.write("live.jsonl", &initial);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let path = path.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap();
            let mut i = 1000u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // One write per line: the file always ends at a line end.
                f.write_all(
                    jsonl_line(
                        &format!("l{i}"),
                        &format!("Live {i}"),
                        &body(i, &format!("live{i}x")),
                    )
                    .as_bytes(),
                )
                .unwrap();
                i += 1;
                // About two lines a millisecond, 9,000 at most (one search lists 10,000).
                if i.is_multiple_of(2) {
                    std::thread::sleep(Duration::from_millis(1));
                }
                if i == 9000 {
                    break;
                }
            }
            i
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    let mut child = env
        .std_cmd()
        .args(["ingest", env.corpus.to_str().unwrap(), "--index"])
        .arg(&env.index)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let finished = loop {
        if child.try_wait().unwrap().is_some() {
            break true;
        }
        if started.elapsed() > Duration::from_secs(90) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if !finished {
        let _ = child.kill();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(finished, "the ingest read on while the file grew");
    let run = Run::from_output(&["ingest", "(growing file)"], out).success();
    let first = run.json();
    let read = n(&first, "articles_added");
    assert!(
        read >= 1000 && read < written,
        "{read} of {written} lines: {run:?}"
    );
    assert_eq!(n(&first, "errors"), 0, "{run:?}");

    let second = env.ingest_ok();
    assert_eq!(n(&second, "files_appended"), 1, "{second}");
    assert_eq!(n(&second, "articles_added"), written - read, "{second}");
    let all = articles(&env);
    assert_eq!(all.len() as u64, written);
    let ids: HashSet<String> = (0..written).map(|i| format!("live.jsonl#l{i}")).collect();
    assert_eq!(all.keys().cloned().collect::<HashSet<_>>(), ids);
}
