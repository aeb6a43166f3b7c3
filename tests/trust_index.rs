//! The index folder's life cycle through the real binary: only our own files are
//! ever removed, a rebuild keeps the old index searchable until it is complete (and
//! after a kill), the lock comes before anything else, racing creators and a full disk
//! never leave a dead end, and a damaged index is one clear line, never a crash.

use crate::util::{data_dir, lock_held, Run, TestEnv};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A small deterministic random number generator (xorshift64*), so every trial can
/// be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `files` JSON lines files of `per_file` distinct articles each, every one holding
/// the word "story" in its title.
fn archive(env: &TestEnv, prefix: &str, files: usize, per_file: usize) -> u64 {
    let words = [
        "government",
        "minister",
        "talks",
        "border",
        "trade",
        "security",
        "officials",
        "election",
        "report",
        "harbour",
        "police",
        "military",
        "economic",
    ];
    let mut rng = Rng::new(files as u64 * 31 + per_file as u64);
    for f in 0..files {
        let mut lines = String::new();
        for i in 0..per_file {
            let body: Vec<&str> = (0..60)
                .map(|_| words[rng.below(words.len() as u64) as usize])
                .collect();
            let rec = serde_json::json!({
                "id": format!("{f}-{i}"),
                "title": format!("Story {prefix} {f} {i}"),
                "text": format!("{} marker{prefix}{f}x{i}.", body.join(" ")),
                "date": format!("2017-0{}-1{}", 1 + i % 9, f % 10),
            });
            lines.push_str(&rec.to_string());
            lines.push('\n');
        }
        env.write(&format!("{prefix}{f:02}.jsonl"), lines);
    }
    (files * per_file) as u64
}

fn ix(env: &TestEnv) -> &str {
    env.index.to_str().unwrap()
}

/// How many articles a search for "story" (in every title) matches.
fn story_total(env: &TestEnv) -> Result<u64, Run> {
    story_total_in(env, &env.index)
}

fn story_total_in(env: &TestEnv, index: &Path) -> Result<u64, Run> {
    let r = env.run(&[
        "search",
        "story",
        "--index",
        index.to_str().unwrap(),
        "--json",
        "--limit",
        "1",
        "--facets",
    ]);
    if r.code != Some(0) {
        return Err(r);
    }
    let last = r.json_lines().pop().expect("a facets line");
    Ok(last["total"].as_u64().expect("total"))
}

/// Runs `f(0..n)` on three threads (the rounds of a test are independent; most of
/// their time is spent waiting on the disk).
fn in_parallel(n: usize, f: impl Fn(usize) + Sync) {
    std::thread::scope(|s| {
        for w in 0..3 {
            let f = &f;
            s.spawn(move || {
                for i in (w..n).step_by(3) {
                    f(i);
                }
            });
        }
    });
}

fn spawn(env: &TestEnv, extra: &[&str], name: &str) -> Child {
    let out =
        |suffix: &str| std::fs::File::create(env.root.join(format!("{name}.{suffix}"))).unwrap();
    env.std_cmd()
        .args([
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            ix(env),
            "--json",
        ])
        .args(extra)
        .stdout(out("out"))
        .stderr(out("err"))
        .spawn()
        .unwrap()
}

/// Every file under `dir` (recursively) with its contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).min_depth(1) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
        let bytes = if e.file_type().is_file() {
            std::fs::read(e.path()).unwrap()
        } else {
            Vec::new()
        };
        out.insert(rel, bytes);
    }
    out
}

/// The user's own files in an index folder.
fn plant_user_files(index: &Path) {
    std::fs::create_dir_all(index.join("photos/2024")).unwrap();
    std::fs::write(index.join("thesis.docx"), b"chapter one").unwrap();
    std::fs::write(index.join("photos/2024/holiday.jpg"), b"jpeg").unwrap();
    std::fs::write(index.join("photos/notes.json"), b"{}").unwrap();
}

fn assert_user_files(index: &Path) {
    assert_eq!(
        std::fs::read(index.join("thesis.docx")).unwrap(),
        b"chapter one"
    );
    assert_eq!(
        std::fs::read(index.join("photos/2024/holiday.jpg")).unwrap(),
        b"jpeg"
    );
    assert_eq!(
        std::fs::read(index.join("photos/notes.json")).unwrap(),
        b"{}"
    );
}

/// The data folders in the index folder.
fn generations(index: &Path) -> Vec<String> {
    let mut g: Vec<String> = std::fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("gen-"))
        .collect();
    g.sort();
    g
}

/// Asserts a run failed with exit 2 and exactly one stderr line, and returns it.
fn one_error_line(r: &Run) -> String {
    assert_eq!(r.code, Some(2), "{r:?}");
    let lines = r.stderr_lines();
    assert_eq!(lines.len(), 1, "one line: {r:?}");
    assert!(lines[0].starts_with("error: "), "{r:?}");
    lines[0].to_string()
}

// ---------------------------------------------------------------------------------
// Only our own files are ever deleted
// ---------------------------------------------------------------------------------

#[test]
fn user_files_in_an_index_folder_survive_ingest_rebuild_and_repair() {
    let env = TestEnv::new();
    let total = archive(&env, "a", 3, 10);
    // A half-created index of the first layout: newsidx.json without tantivy's files,
    // beside the user's files (a plain ingest once wiped all of them).
    plant_user_files(&env.index);
    let meta = serde_json::json!({
        "schema_version": newsidx::index::SCHEMA_VERSION,
        "root": env.corpus.canonicalize().unwrap(),
    });
    std::fs::write(env.index.join("newsidx.json"), meta.to_string()).unwrap();
    let r = env.ingest_ok();
    assert_eq!(r["articles_added"], total);
    assert_user_files(&env.index);
    assert_eq!(story_total(&env).unwrap(), total);

    // A plain re-run and a rebuild leave them too.
    env.ingest_ok();
    assert_user_files(&env.index);
    let before = generations(&env.index);
    env.ingest(&["--rebuild"]).success();
    assert_user_files(&env.index);
    let after = generations(&env.index);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(before, after, "a rebuild writes a new generation");
    assert_eq!(story_total(&env).unwrap(), total);
    // stats counts the data folder (and only our files: not the thesis).
    let data_bytes: u64 = snapshot(&data_dir(&env.index))
        .values()
        .map(|b| b.len() as u64)
        .sum();
    let pointer = std::fs::metadata(env.index.join("newsidx.json"))
        .unwrap()
        .len();
    let stats = env
        .run(&["stats", "--index", ix(&env), "--json"])
        .success()
        .json();
    assert_eq!(stats["index_bytes"], data_bytes + pointer);

    // A user's file inside our data folder is not ours either: the folder is emptied
    // of tantivy's files by the next rebuild and kept with the user's file in it.
    let old = data_dir(&env.index);
    std::fs::write(old.join("keep-me.txt"), b"mine").unwrap();
    env.ingest(&["--rebuild"]).success();
    assert_eq!(std::fs::read(old.join("keep-me.txt")).unwrap(), b"mine");
    let left: Vec<String> = std::fs::read_dir(&old)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["keep-me.txt"]);
    assert_user_files(&env.index);
    assert_eq!(story_total(&env).unwrap(), total);
}

#[test]
fn a_folder_that_is_not_an_index_is_never_written_into() {
    let env = TestEnv::new();
    archive(&env, "a", 1, 5);
    plant_user_files(&env.index);
    let before = snapshot(&env.index);
    for extra in [&[][..], &["--rebuild"][..]] {
        let line = one_error_line(&env.ingest(extra));
        assert!(line.contains("not a newsidx index"), "{line}");
        assert_eq!(snapshot(&env.index), before, "untouched after {extra:?}");
    }
    // So is a folder holding another program's tantivy index.
    let other = env.root.join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("meta.json"), br#"{"schema":[{"name":"title"}]}"#).unwrap();
    std::fs::write(other.join(".managed.json"), b"[]").unwrap();
    let before = snapshot(&other);
    let r = env.run(&[
        "ingest",
        env.corpus.to_str().unwrap(),
        "--index",
        other.to_str().unwrap(),
        "--rebuild",
    ]);
    assert!(one_error_line(&r).contains("not a newsidx index"), "{r:?}");
    assert_eq!(snapshot(&other), before);
}

/// Moves a new-layout index to the first layout: tantivy's files beside newsidx.json,
/// with no data field.
fn to_first_layout(index: &Path) {
    let data = data_dir(index);
    for e in std::fs::read_dir(&data).unwrap().flatten() {
        std::fs::rename(e.path(), index.join(e.file_name())).unwrap();
    }
    std::fs::remove_dir(&data).unwrap();
    let p = index.join("newsidx.json");
    let mut meta: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    meta.as_object_mut().unwrap().remove("data");
    meta.as_object_mut().unwrap().remove("check");
    std::fs::write(&p, meta.to_string()).unwrap();
}

#[test]
fn an_index_of_the_first_layout_is_read_updated_and_moved_by_a_rebuild() {
    let env = TestEnv::new();
    let total = archive(&env, "a", 2, 10);
    env.ingest_ok();
    to_first_layout(&env.index);
    plant_user_files(&env.index);
    assert!(env.index.join("meta.json").exists());
    assert_eq!(story_total(&env).unwrap(), total);
    // An incremental ingest reads only the new file, in place.
    let more = archive(&env, "b", 1, 5);
    let r = env.ingest_ok();
    assert_eq!(r["articles_added"], more);
    assert_eq!(r["articles_unchanged"], total);
    assert!(generations(&env.index).is_empty());
    assert_eq!(story_total(&env).unwrap(), total + more);
    // A rebuild moves it to a data folder and removes tantivy's files, only those.
    env.ingest(&["--rebuild"]).success();
    assert_eq!(generations(&env.index).len(), 1);
    let mut top: Vec<String> = std::fs::read_dir(&env.index)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("gen-"))
        .collect();
    top.sort();
    assert_eq!(
        top,
        vec!["newsidx.json", "newsidx.lock", "photos", "thesis.docx"]
    );
    assert_user_files(&env.index);
    assert_eq!(story_total(&env).unwrap(), total + more);
}

#[test]
fn a_reader_can_tell_that_a_rebuild_swapped_the_index() {
    let env = TestEnv::new();
    archive(&env, "a", 1, 5);
    env.ingest_ok();
    let idx = newsidx::index::NewsIndex::open(&env.index).unwrap();
    assert!(idx.is_current());
    env.ingest_ok();
    assert!(
        idx.is_current(),
        "an incremental ingest keeps the generation"
    );
    env.ingest(&["--rebuild"]).success();
    assert!(!idx.is_current());
    assert!(newsidx::index::NewsIndex::open(&env.index)
        .unwrap()
        .is_current());
}

// ---------------------------------------------------------------------------------
// A rebuild swaps at the end
// ---------------------------------------------------------------------------------

#[test]
fn searches_during_a_rebuild_answer_from_the_old_index_until_the_swap() {
    let env = TestEnv::new();
    let old = archive(&env, "a", 30, 100);
    env.ingest_ok();
    let new = old + archive(&env, "b", 2, 50);
    let mut child = spawn(&env, &["--rebuild", "--commit-every", "100"], "rebuild");
    let mut answers: Vec<u64> = Vec::new();
    while child.try_wait().unwrap().is_none() {
        let n = story_total(&env).unwrap_or_else(|r| panic!("search failed mid-rebuild: {r:?}"));
        assert!(
            n == old || n == new,
            "a search saw {n} articles (old {old}, new {new})"
        );
        if let Some(&last) = answers.last() {
            assert!(!(last == new && n == old), "went back to the old index");
        }
        answers.push(n);
    }
    assert!(child.wait().unwrap().success());
    let seen_old = answers.iter().filter(|&&n| n == old).count();
    assert!(
        seen_old >= 3,
        "too few searches during the rebuild: {answers:?}"
    );
    assert_eq!(story_total(&env).unwrap(), new);
    assert_eq!(generations(&env.index).len(), 1);
}

#[test]
fn a_killed_rebuild_leaves_the_old_index_and_the_next_run_cleans_up() {
    let env = TestEnv::new();
    let total = archive(&env, "a", 20, 100);
    env.ingest_ok();
    plant_user_files(&env.index);
    // How long a whole rebuild takes on this machine and build.
    let started = Instant::now();
    env.ingest(&["--rebuild", "--commit-every", "100"])
        .success();
    let whole = started.elapsed();
    let mut rng = Rng::new(5);
    let mut killed = 0;
    // Kill at seeded moments after the new generation appears, until four rebuilds
    // were cut short (a loaded machine may let some finish first).
    let mut round = 0;
    while killed < 4 && round < 12 {
        round += 1;
        let mut child = spawn(&env, &["--rebuild", "--commit-every", "100"], "kill");
        let begun = Instant::now();
        while generations(&env.index).len() < 2
            && begun.elapsed() < Duration::from_secs(30)
            && child.try_wait().unwrap().is_none()
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(whole.mul_f64(rng.below(60) as f64 / 100.0));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        assert_eq!(
            story_total(&env).unwrap_or_else(|r| panic!("round {round}: {r:?}")),
            total,
            "round {round}: the old index answers in full"
        );
        assert_user_files(&env.index);
    }
    assert!(killed >= 4, "only {killed} rebuilds were killed mid-way");
    // A plain run removes what the killed rebuilds left and finds nothing to do.
    let r = env.ingest_ok();
    assert_eq!(r["articles_unchanged"], total);
    assert_eq!(
        generations(&env.index).len(),
        1,
        "{:?}",
        generations(&env.index)
    );
    assert_eq!(story_total(&env).unwrap(), total);
    assert_user_files(&env.index);
}

#[test]
fn an_interrupted_rebuild_keeps_the_old_index() {
    let env = TestEnv::new();
    let total = archive(&env, "a", 20, 100);
    env.ingest_ok();
    let gens = generations(&env.index);
    let child = spawn(&env, &["--rebuild", "--commit-every", "100"], "int");
    // Once the new generation exists, Ctrl-C.
    let started = Instant::now();
    while generations(&env.index).len() < 2 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(200));
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let status = child.wait_with_output().unwrap().status;
    let out: Value =
        serde_json::from_str(&std::fs::read_to_string(env.root.join("int.out")).unwrap()).unwrap();
    if status.code() == Some(0) {
        eprintln!("the rebuild finished before Ctrl-C arrived; nothing to check");
        return;
    }
    assert_eq!(status.code(), Some(130), "{out}");
    assert_eq!(out["rebuild_abandoned"], true, "{out}");
    assert_eq!(generations(&env.index), gens, "the new generation is gone");
    assert_eq!(story_total(&env).unwrap(), total);
}

#[cfg(target_os = "linux")]
#[test]
fn a_rebuild_beside_a_running_ingest_is_refused_before_touching_anything() {
    let env = TestEnv::new();
    archive(&env, "a", 1, 10);
    env.ingest_ok();
    let total = 10 + archive(&env, "b", 80, 100);
    let mut first = spawn(&env, &["--commit-every", "500", "--threads", "1"], "first");
    let lock = env.index.join("newsidx.lock");
    let start = Instant::now();
    while !lock_held(&lock) {
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first ingest ended early"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never took the lock"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let top = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before = (
        top(&env.index),
        std::fs::read(env.index.join("newsidx.json")).unwrap(),
    );
    let r = env.ingest(&["--rebuild"]);
    let after = (
        top(&env.index),
        std::fs::read(env.index.join("newsidx.json")).unwrap(),
    );
    let still_running = first.try_wait().unwrap().is_none();
    let line = one_error_line(&r);
    assert!(line.contains("newsidx.lock"), "{line}");
    assert!(
        still_running,
        "the first ingest must outlast the refused rebuild"
    );
    assert_eq!(before, after, "the refused rebuild touched the folder");
    assert!(first.wait().unwrap().success());
    assert_eq!(story_total(&env).unwrap(), total);
}

// ---------------------------------------------------------------------------------
// Racing creators, a full disk
// ---------------------------------------------------------------------------------

#[test]
fn two_ingests_creating_one_index_never_leave_a_dead_end() {
    let env = TestEnv::new();
    let total = archive(&env, "a", 3, 20);
    let locked_out = std::sync::atomic::AtomicUsize::new(0);
    in_parallel(30, |round| {
        let mut rng = Rng::new(11 + round as u64);
        let index = env.root.join(format!("race{round}"));
        let spawn_one = || {
            env.std_cmd()
                .args(["ingest", env.corpus.to_str().unwrap(), "--index"])
                .arg(&index)
                .args(["--json", "--commit-every", "10"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let a = spawn_one();
        let mut b = spawn_one();
        // Every third round one of them is killed at a random moment: a half-created
        // index must be repaired by a plain re-run too.
        if round % 3 == 2 {
            std::thread::sleep(Duration::from_millis(rng.below(400)));
            let _ = b.kill();
        }
        for (who, child) in [("a", a), ("b", b)] {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            match out.status.code() {
                Some(0) => {}
                Some(2) => {
                    assert!(err.contains("newsidx.lock"), "round {round} {who}: {err}");
                    locked_out.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                None => {} // killed
                other => panic!("round {round} {who}: exit {other:?}: {err}"),
            }
            assert!(!err.contains("panicked"), "round {round} {who}: {err}");
        }
        // At most one plain re-run makes it whole.
        let r = env.run(&[
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(r.code, Some(0), "round {round}: {r:?}");
        let s = env
            .run(&["stats", "--index", index.to_str().unwrap(), "--json"])
            .success()
            .json();
        assert_eq!(s["articles"], total, "round {round}");
        assert_eq!(generations(&index).len(), 1, "round {round}");
        assert!(!index.join("newsidx.json.tmp").exists());
    });
    // An ingest waits up to a third of a second for the lock, so a loser is refused only when
    // the winner takes longer than that; either way no round may end in a dead end.
    eprintln!(
        "{} of 60 racing ingests were refused the lock",
        locked_out.into_inner()
    );
}

#[test]
fn a_full_disk_while_creating_never_blocks_the_next_run() {
    let Some(shim) = crate::util::shim::try_fault_shim() else {
        return;
    };
    let env = TestEnv::new();
    let total = archive(&env, "a", 4, 25);
    // A failed pointer write's temporary file, with the user's files: the folder has
    // no pointer, so it is not an index yet, and is refused untouched.
    plant_user_files(&env.index);
    std::fs::write(env.index.join("newsidx.json.tmp"), b"{\"schema_ver").unwrap();
    let before = snapshot(&env.index);
    assert!(one_error_line(&env.ingest(&[])).contains("not a newsidx index"));
    assert_eq!(snapshot(&env.index), before);
    // Alone, it does not block the creation.
    std::fs::remove_file(env.index.join("thesis.docx")).unwrap();
    std::fs::remove_dir_all(env.index.join("photos")).unwrap();
    env.ingest_ok();
    assert!(!env.index.join("newsidx.json.tmp").exists());
    assert_eq!(story_total(&env).unwrap(), total);

    // How many bytes a whole creation writes into the index folder.
    let probe = env.root.join("probe");
    let r = env.run(&[
        "ingest",
        env.corpus.to_str().unwrap(),
        "--index",
        probe.to_str().unwrap(),
        "--commit-every",
        "30",
    ]);
    r.success();
    let written: u64 = snapshot(&probe).values().map(|b| b.len() as u64).sum();
    // The disk fills at points spread over the whole creation (seeded), and at the
    // pointer's own write: ENOSPC from the OS (LD_PRELOAD shim) on every write into
    // the index folder past that many bytes.
    let mut rng = Rng::new(77);
    let mut points: Vec<(String, u64)> = vec![("newsidx.json".into(), 0)];
    points.extend((0..12).map(|i| {
        let at = if i == 0 { 0 } else { rng.below(written) };
        ("/full".to_string(), at)
    }));
    let mut failed = 0;
    for (n, (substring, after)) in points.iter().enumerate() {
        let index = env.root.join(format!("full{n}"));
        std::fs::create_dir(&index).unwrap();
        std::fs::write(index.join(".gitkeep"), b"").unwrap();
        let out = env
            .std_cmd()
            .args(["ingest", env.corpus.to_str().unwrap(), "--index"])
            .arg(&index)
            .args(["--commit-every", "30"])
            .env("LD_PRELOAD", &shim)
            .env("NEWSIDX_FAULT_ENOSPC_PATH", substring)
            .env("NEWSIDX_FAULT_ENOSPC_AFTER", after.to_string())
            .output()
            .unwrap();
        let what = format!("ENOSPC on {substring:?} after {after} bytes");
        let r = Run::from_output(&[&what], out);
        match r.code {
            Some(0) => {}
            Some(2) => {
                failed += 1;
                let line = one_error_line(&r);
                // The OS error is said when it reaches us; when it struck one of
                // tantivy's worker threads, tantivy keeps only "the writer was killed",
                // and the line still says what to do.
                assert!(
                    line.contains("No space left")
                        || (line.contains("cannot write the index") && line.contains("free space")),
                    "{what}: {line}"
                );
            }
            _ => panic!("{what}: {r:?}"),
        }
        // Space is back: the next plain run succeeds and leaves one generation and
        // nothing of ours that is not in use.
        let r = env.run(&[
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(r.code, Some(0), "{what}: {r:?}");
        let s = env
            .run(&["stats", "--index", index.to_str().unwrap(), "--json"])
            .success()
            .json();
        assert_eq!(s["articles"], total, "{what}");
        assert_eq!(generations(&index).len(), 1, "{what}");
        assert!(!index.join("newsidx.json.tmp").exists(), "{what}");
        assert!(index.join(".gitkeep").exists());
    }
    assert!(failed >= 8, "only {failed} runs hit the full disk");
}

// ---------------------------------------------------------------------------------
// Damaged files
// ---------------------------------------------------------------------------------

/// Every file of the index: the pointer and the data folder's files.
fn index_files(index: &Path) -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("newsidx.json")];
    let data = data_dir(index);
    let rel = data.strip_prefix(index).unwrap().to_path_buf();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .flatten()
        .filter(|e| e.metadata().map(|m| m.len() > 0).unwrap_or(false))
        .map(|e| rel.join(e.file_name()))
        .collect();
    names.sort();
    files.extend(names);
    files
}

#[test]
fn bit_flips_in_any_index_file_give_a_clear_error_or_a_clean_answer() {
    let env = TestEnv::new();
    let total = archive(&env, "a", 3, 8);
    // Two commits, one with deletes, so the index has several segments and a delete
    // bitset as well.
    env.ingest_ok();
    env.write(
        "a01.jsonl",
        std::fs::read_to_string(env.corpus.join("a01.jsonl"))
            .unwrap()
            .replace("Story", "Tale"),
    );
    env.ingest_ok();
    let pristine = env.root.join("pristine");
    crate::util::copy_dir(&env.index, &pristine);
    let files = index_files(&pristine);
    assert!(files.len() >= 8, "{files:?}");
    let commands: Vec<Vec<&str>> = vec![
        vec!["search", "story harbour", "--facets"],
        vec!["search", "", "--country", "US"],
        vec!["show", "a00.jsonl#0-1"],
        vec!["similar", "a00.jsonl#0-1"],
        vec!["stats"],
        vec!["timeline", "", "--by", "month"],
        vec!["tags"],
    ];
    // The trials: each file in turn, two rounds (one flip, then up to four).
    let mut rng = Rng::new(2024);
    let mut trials: Vec<(PathBuf, Vec<(usize, u8)>)> = Vec::new();
    for round in 0..2 {
        for file in &files {
            let len = std::fs::metadata(pristine.join(file)).unwrap().len();
            let flips = 1 + rng.below(if round == 0 { 1 } else { 4 });
            let at = (0..flips)
                .map(|_| (rng.below(len) as usize, 1u8 << rng.below(8)))
                .collect();
            trials.push((file.clone(), at));
        }
    }
    let damaged = std::sync::atomic::AtomicUsize::new(0);
    let clean = std::sync::atomic::AtomicUsize::new(0);
    in_parallel(trials.len(), |t| {
        let (file, flips) = &trials[t];
        // A fresh copy of the index, with a few bits of one file flipped.
        let index = env.root.join(format!("trial{t}"));
        crate::util::copy_dir(&pristine, &index);
        let p = index.join(file);
        let mut bytes = std::fs::read(&p).unwrap();
        for &(at, bit) in flips {
            bytes[at] ^= bit;
        }
        std::fs::write(&p, &bytes).unwrap();
        let what = format!("trial {t}: flips {flips:?} in {}", file.display());
        let mut runs: Vec<Run> = commands
            .iter()
            .map(|c| {
                let mut a = c.clone();
                a.extend(["--index", index.to_str().unwrap()]);
                env.run(&a)
            })
            .collect();
        runs.push(env.run(&[
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
            "--json",
        ]));
        for r in &runs {
            assert!(
                !r.stderr.contains("panicked") && !r.stderr.contains("RUST_BACKTRACE"),
                "{what}: {r:?}"
            );
            match r.code {
                Some(0) => clean.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                Some(2) => {
                    let line = one_error_line(r);
                    assert!(
                        line.contains("damaged") && line.contains("--rebuild"),
                        "{what}: {r:?}"
                    );
                    damaged.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                }
                _ => panic!("{what}: {r:?}"),
            };
        }
        // The way out always works.
        let r = env.run(&[
            "ingest",
            env.corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
            "--rebuild",
        ]);
        assert_eq!(r.code, Some(0), "{what}: {r:?}");
        assert_eq!(story_total_in(&env, &index).unwrap(), total - 8, "{what}");
        std::fs::remove_dir_all(&index).unwrap();
    });
    let (damaged, clean, trials) = (damaged.into_inner(), clean.into_inner(), trials.len());
    eprintln!("{trials} trials: {damaged} damaged errors, {clean} clean answers");
    assert!(
        damaged > trials,
        "damage was seldom found: {damaged} of {trials} trials"
    );
}

#[test]
fn an_id_lost_to_a_damaged_postings_file_is_reported_as_damage() {
    let env = TestEnv::new();
    archive(&env, "a", 2, 4);
    env.ingest(&["--threads", "1"]).success();
    let ix = env.index.to_str().unwrap().to_string();
    let id = "a00.jsonl#0-1";
    env.run(&["show", id, "--index", &ix]).success();
    // One bit flipped at each byte of the postings file in turn: some flips make the
    // id's list of articles empty, which a lookup alone reads as "no such article".
    let postings = index_files(&env.index)
        .into_iter()
        .find(|f| f.extension().is_some_and(|e| e == "idx"))
        .expect("a postings file");
    let pristine = std::fs::read(env.index.join(&postings)).unwrap();
    let damaged = std::sync::atomic::AtomicUsize::new(0);
    in_parallel(pristine.len(), |at| {
        let index = env.root.join(format!("flip{at}"));
        crate::util::copy_dir(&env.index, &index);
        let mut bytes = pristine.clone();
        bytes[at] ^= 16;
        std::fs::write(index.join(&postings), &bytes).unwrap();
        let r = env.run(&["show", id, "--index", index.to_str().unwrap()]);
        match r.code {
            Some(0) => {}
            Some(2) => {
                let line = one_error_line(&r);
                assert!(
                    line.contains("damaged") && line.contains("--rebuild"),
                    "flip at {at}: {r:?}"
                );
                damaged.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            _ => panic!("flip at {at}: {r:?}"),
        }
        std::fs::remove_dir_all(&index).unwrap();
    });
    assert!(damaged.into_inner() > 0);
    // An id that was never there, in an undamaged index, is still just not there.
    let r = env.run(&["show", "nope.jsonl#1", "--index", &ix]).code(2);
    assert!(r.stderr.contains("no article with id"), "{r:?}");
}
