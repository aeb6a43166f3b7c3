//! Faults: an ingest killed at random moments, interrupted with Ctrl-C, searched while
//! it writes, and an index damaged on purpose. The archive must come out whole.

use crate::util::TestEnv;
use serde_json::Value;
use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const FILES: usize = 40;
const PER_FILE: usize = 150;

/// FILES .jsonl files of PER_FILE distinct articles each.
fn archive(env: &TestEnv) -> usize {
    let words = [
        "government",
        "minister",
        "said",
        "talks",
        "border",
        "trade",
        "security",
        "officials",
        "country",
        "president",
        "election",
        "week",
        "report",
        "people",
        "city",
        "police",
        "year",
        "new",
        "former",
        "military",
        "support",
        "economic",
    ];
    let mut seed: u64 = 7;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for f in 0..FILES {
        let mut lines = String::new();
        for i in 0..PER_FILE {
            let body: Vec<&str> = (0..120)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect();
            let rec = serde_json::json!({
                "id": format!("{f}-{i}"),
                "title": format!("Story {f} {i}"),
                "text": format!("{} marker{f}x{i}.", body.join(" ")),
                "date": "2017-02-07",
            });
            lines.push_str(&rec.to_string());
            lines.push('\n');
        }
        env.write(&format!("feed{f:02}.jsonl"), lines);
    }
    FILES * PER_FILE
}

fn spawn_ingest(env: &TestEnv) -> Child {
    spawn_ingest_into(env, &env.index)
}

fn spawn_ingest_into(env: &TestEnv, index: &std::path::Path) -> Child {
    env.std_cmd()
        .args(["ingest", env.corpus.to_str().unwrap(), "--index"])
        .arg(index)
        .args(["--json", "--commit-every", "100"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn stats(env: &TestEnv) -> Value {
    env.run(&["stats", "--index", env.index.to_str().unwrap(), "--json"])
        .success()
        .json()
}

/// Every article id in the index, each as often as it is there.
fn all_ids(env: &TestEnv) -> Vec<String> {
    env.hits("", &["--all", "--limit", "100000"])
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn killed_ingests_never_lose_or_double_an_article() {
    let env = TestEnv::new();
    let total = archive(&env);
    // How long a whole run takes on this machine and build, into a scratch index.
    let scratch = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let full = spawn_ingest_into(&env, &scratch.path().join("index"))
        .wait_with_output()
        .unwrap();
    assert!(full.status.success(), "{full:?}");
    let whole = started.elapsed();
    // Each run resumes where the last one stopped, so the kill moments are small
    // fractions of a whole run that together cover about four fifths of it: from
    // before a run's first commit to well into it.
    let fractions = [
        0.01, 0.08, 0.03, 0.1, 0.02, 0.12, 0.05, 0.09, 0.04, 0.11, 0.02, 0.06, 0.03, 0.07,
    ];
    let mut killed = 0;
    for f in fractions {
        let mut child = spawn_ingest(&env);
        std::thread::sleep(whole.mul_f64(f));
        if child.try_wait().unwrap().is_some() {
            continue; // finished before the kill: nothing to test this round
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        killed += 1;
        // After each kill the index opens and answers (if a first commit happened).
        let s = env.run(&["stats", "--index", env.index.to_str().unwrap(), "--json"]);
        assert!(
            s.code == Some(0) || s.stderr.contains("no index here"),
            "{s:?}"
        );
        if s.code == Some(0) {
            env.search("marker0x1", &[]).success();
        }
    }
    assert!(killed >= 10, "only {killed} runs were killed mid-way");
    let last = env.ingest(&[]).success().json();
    assert_eq!(last["interrupted"], false);
    assert_eq!(stats(&env)["articles"], total as u64);
    let ids = all_ids(&env);
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), total, "articles twice or missing");
    assert_eq!(unique.len(), total);
    // And a further run finds nothing to do.
    let again = env.ingest(&[]).success().json();
    assert_eq!(again["articles_added"], 0);
    assert_eq!(again["articles_unchanged"], total as u64);
}

#[test]
fn ctrl_c_stops_cleanly_and_keeps_what_was_committed() {
    let env = TestEnv::new();
    let total = archive(&env);
    let child = spawn_ingest(&env);
    let pid = child.id();
    // Wait until the index exists (its pointer is written once it is complete).
    let started = Instant::now();
    while !env.index.join("newsidx.json").exists() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(400));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    if out.status.code() == Some(0) {
        // It had finished before the signal arrived: everything is in.
        assert_eq!(stats(&env)["articles"], total as u64);
        return;
    }
    assert_eq!(
        out.status.code(),
        Some(130),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(summary["interrupted"], true, "{summary}");
    let committed = stats(&env)["articles"].as_u64().unwrap();
    assert!(committed <= total as u64);
    // The next run finishes the work exactly.
    env.ingest(&[]).success();
    assert_eq!(stats(&env)["articles"], total as u64);
    assert_eq!(all_ids(&env).len(), total);
}

#[test]
fn searches_answer_while_an_ingest_writes() {
    let env = TestEnv::new();
    env.write(
        "first.txt",
        "Early story\n\nThe harbour reopened after the storm.",
    );
    env.ingest_ok();
    let total = archive(&env);
    let mut child = spawn_ingest(&env);
    let mut searches = 0;
    while child.try_wait().unwrap().is_none() && searches < 200 {
        let r = env.search("harbour", &[]);
        assert_eq!(r.code, Some(0), "{r:?}");
        assert_eq!(r.json_lines().len(), 1, "{r:?}");
        searches += 1;
    }
    assert!(child.wait().unwrap().success());
    assert!(searches > 0);
    assert_eq!(stats(&env)["articles"], total as u64 + 1);
}

#[test]
fn a_damaged_index_is_a_clear_error_not_a_crash() {
    let env = TestEnv::with_sample_corpus();
    env.ingest_ok();
    // Truncate the largest file of the index (a segment's data).
    let biggest = std::fs::read_dir(crate::util::data_dir(&env.index))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .max_by_key(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .unwrap()
        .path();
    let len = std::fs::metadata(&biggest).unwrap().len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&biggest)
        .unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    for args in [
        vec!["search", "Taiwan", "--index", env.index.to_str().unwrap()],
        vec!["stats", "--index", env.index.to_str().unwrap()],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, Some(2), "{r:?}");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{r:?}");
        assert!(lines[0].starts_with("error:"), "{r:?}");
        assert!(lines[0].contains("--rebuild"), "{r:?}");
    }
    // --rebuild recovers.
    env.ingest(&["--rebuild"]).success();
    env.search("Taiwan", &[]).success();
}

#[test]
fn a_meta_file_without_an_index_is_created_again() {
    // A run killed between writing newsidx.json and tantivy's first file.
    let env = TestEnv::new();
    env.write("a.txt", "A story\n\nSomething happened in the harbour.");
    let meta = serde_json::json!({"schema_version": newsidx::index::SCHEMA_VERSION, "root": env.corpus.canonicalize().unwrap()});
    std::fs::write(env.index.join("newsidx.json"), meta.to_string()).unwrap();
    let r = env.ingest_ok();
    assert_eq!(r["articles_added"], 1);
}

/// Mounts a tmpfs of `size` at a fresh folder; `None` where mounting is not allowed
/// (not root, or no mount namespace rights): the caller then says so and stops.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::Builder::new()
            .prefix("newsidx-tmpfs-")
            .tempdir()
            .ok()?
            .keep();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then_some(Tmpfs(dir))
    }

    fn read_only(&self) {
        let s = std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(s.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_last_commit_stays() {
    let Some(fs) = Tmpfs::mount("400k") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    let env = TestEnv::with_sample_corpus();
    let index = fs.0.join("index");
    let r = env.run(&[
        "ingest",
        env.corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(2), "{r:?}");
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{r:?}");
    assert!(errors[0].contains("No space left"), "{r:?}");
    assert!(errors[0].contains("last commit"), "{r:?}");
    // What is there is the last commit, and it opens.
    let s = env.run(&["stats", "--index", index.to_str().unwrap(), "--json"]);
    assert!(
        s.code == Some(0) || s.stderr.contains("no index here"),
        "{s:?}"
    );
}

#[test]
fn a_read_only_index_can_be_searched_but_not_written() {
    let Some(fs) = Tmpfs::mount("20m") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    let env = TestEnv::with_sample_corpus();
    let index = fs.0.join("index");
    let ix = index.to_str().unwrap();
    env.run(&["ingest", env.corpus.to_str().unwrap(), "--index", ix])
        .success();
    fs.read_only();
    let hits = env
        .run(&["search", "Taiwan post-war order", "--index", ix, "--json"])
        .success();
    assert_eq!(
        hits.json_lines()[0]["id"],
        "specification/trump-xi-call.md#seed"
    );
    env.write(
        "new.txt",
        "A new story\n\nThe harbour reopened after the storm.",
    );
    let r = env.run(&["ingest", env.corpus.to_str().unwrap(), "--index", ix]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.contains("Read-only"), "{r:?}");
    assert!(!r.stderr.contains("IndexWriter"), "{r:?}");
}
