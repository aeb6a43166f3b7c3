//! Model-based test of incremental ingest: random histories of edits, appends,
//! renames, deletions, kills (`kill -9` at a random moment) and read errors, each step
//! followed by a re-run of `newsidx ingest`. After every step the index must hold
//! exactly the articles — ids, titles and bodies, each once — that a fresh ingest of
//! the same archive into a new index holds. The fresh ingest is the model: the test
//! needs no second reader of the formats.
//!
//! The histories are random but seeded: the seed is printed, and
//! `NEWSIDX_MODEL_SEED=N` replays it (`NEWSIDX_MODEL_STEPS=N` changes the length).
//!
//! Some operations meet faults the index does not handle yet; each is behind one
//! switch below, and the history skips the operation while its switch is off.

use crate::util::{tantivy_dir, Run, TestEnv};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A read error partway through a file (EIO from the fault shim) during a run; the
/// run must exit 1, and the next run, without faults, read the file again. Known
/// case 1 of the issue (a file cut short by a read error recorded as read).
const IO_ERRORS: bool = true;

/// A folder that cannot be listed during one run (mode 000; only where permissions
/// hold, that is not as root). Known case 2: its files' articles must survive the run.
const UNREADABLE_FOLDERS: bool = true;

/// Files whose names are not valid UTF-8, among them names that differ only in a
/// byte that is not UTF-8 (`caf\xe9.md`, `caf\xe8.md`): each must keep its own id.
const NON_UTF8_NAMES: bool = true;

/// Records or paragraphs appended to an existing file (also together with an edit
/// of what was there). Known case 9.
const APPENDS: bool = true;

/// A file that grows while a run reads it. Known case 16.
const GROWING_FILES: bool = true;

/// The seed for this run: `NEWSIDX_MODEL_SEED`, else the clock.
fn seed() -> u64 {
    std::env::var("NEWSIDX_MODEL_SEED")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
}

fn steps(default: usize) -> usize {
    std::env::var("NEWSIDX_MODEL_STEPS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

/// SplitMix64: small, seedable, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const WORDS: &[&str] = &[
    "harbour", "council", "minister", "border", "talks", "storm", "budget", "bridge", "election",
    "court", "river", "market", "strike", "treaty", "vote", "port", "school", "police", "rail",
    "grain", "oil", "summit", "tariff", "festival",
];
const FOLDERS: &[&str] = &["", "wire/", "wire/2017/", "blogs/"];
const EXTS: &[&str] = &["jsonl", "csv", "txt", "md"];

/// The archive under test, the index kept up to date by re-runs, and a counter that
/// makes every generated text unique.
struct Model {
    env: TestEnv,
    rng: Rng,
    seed: u64,
    serial: u64,
    log: Vec<String>,
    /// Wall time of one whole ingest, to place kills.
    run_time: Duration,
}

impl Model {
    /// `salt` tells the tests apart, so one seed replays each of them.
    fn new(seed: u64, salt: u64) -> Model {
        eprintln!("model seed: {seed} (replay with NEWSIDX_MODEL_SEED={seed})");
        Model {
            env: TestEnv::new(),
            rng: Rng(seed ^ salt),
            seed,
            serial: 0,
            log: Vec::new(),
            run_time: Duration::from_millis(500),
        }
    }

    fn sentence(&mut self) -> String {
        self.serial += 1;
        let n = 6 + self.rng.below(14);
        let mut w: Vec<String> = (0..n).map(|_| self.rng.pick(WORDS).to_string()).collect();
        w.push(format!("tok{}", self.serial));
        let mut s = w.join(" ");
        s[..1].make_ascii_uppercase();
        s.push('.');
        s
    }

    fn title(&mut self) -> String {
        self.serial += 1;
        let a = self.rng.pick(WORDS).to_string();
        let b = self.rng.pick(WORDS);
        format!("{}{} {b} {}", a[..1].to_uppercase(), &a[1..], self.serial)
    }

    fn body(&mut self) -> String {
        let n = 1 + self.rng.below(4);
        (0..n)
            .map(|_| self.sentence())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// One JSON lines record (sometimes with its own id, sometimes a broken line).
    fn jsonl_record(&mut self) -> String {
        if self.rng.chance(8) {
            return "{\"title\": broken".to_string();
        }
        let mut rec = serde_json::json!({"title": self.title(), "body": self.body()});
        if self.rng.chance(50) {
            self.serial += 1;
            rec["id"] = Value::from(format!("r{}", self.serial));
        }
        rec.to_string()
    }

    fn csv_row(&mut self) -> String {
        if self.rng.chance(8) {
            return "lonely".to_string();
        }
        format!("{},{}", self.title(), self.body())
    }

    fn contents(&mut self, ext: &str) -> String {
        match ext {
            "jsonl" => {
                let n = 1 + self.rng.below(12);
                (0..n).map(|_| self.jsonl_record() + "\n").collect()
            }
            "csv" => {
                let n = 1 + self.rng.below(12);
                let mut s = "title,body\n".to_string();
                for _ in 0..n {
                    s.push_str(&self.csv_row());
                    s.push('\n');
                }
                s
            }
            "md" => format!("---\ntitle: {}\n---\n{}\n", self.title(), self.body()),
            _ => format!("{}\n\n{}\n", self.title(), self.body()),
        }
    }

    /// What to append to a file of this kind: whole records, or a paragraph.
    fn appendix(&mut self, ext: &str) -> String {
        match ext {
            "jsonl" => self.jsonl_record() + "\n",
            "csv" => self.csv_row() + "\n",
            _ => format!("\n{}\n", self.body()),
        }
    }

    fn files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let Ok(rd) = std::fs::read_dir(dir) else {
                return;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.env.corpus, &mut out);
        out.sort();
        out
    }

    /// The path under the archive, for the history: bytes that are not UTF-8 as
    /// `\xHH`, so a replay shows which of two similar names an operation meant.
    fn rel(&self, p: &Path) -> String {
        let bytes = p
            .strip_prefix(&self.env.corpus)
            .unwrap_or(p)
            .as_os_str()
            .as_encoded_bytes();
        bytes
            .utf8_chunks()
            .map(|c| {
                let bad: String = c.invalid().iter().map(|b| format!("\\x{b:02x}")).collect();
                format!("{}{bad}", c.valid())
            })
            .collect()
    }

    fn new_path(&mut self) -> PathBuf {
        self.serial += 1;
        let folder = *self.rng.pick(FOLDERS);
        let ext = *self.rng.pick(EXTS);
        self.env
            .corpus
            .join(format!("{folder}f{}.{ext}", self.serial))
    }

    fn ext(p: &Path) -> String {
        p.extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    fn create(&mut self) {
        let p = self.new_path();
        let text = self.contents(&Self::ext(&p));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        self.log(format!("create {}", self.rel(&p)));
    }

    /// One random change to the archive.
    fn change(&mut self) {
        let files = self.files();
        if files.len() < 3 {
            return self.create();
        }
        let f = self.rng.pick(&files).clone();
        let ext = Self::ext(&f);
        let rel = self.rel(&f);
        match self.rng.below(12) {
            0 | 1 | 11 => self.create(),
            2 => {
                let text = self.contents(&ext);
                std::fs::write(&f, text).unwrap();
                self.log(format!("rewrite {rel}"));
            }
            3 => {
                // The same length, other bytes: only the content hash can tell. Digits
                // only (in titles, tokens and ids), so the format stays as written.
                let mut bytes = std::fs::read(&f).unwrap();
                let at: Vec<usize> = bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.is_ascii_digit())
                    .map(|(i, _)| i)
                    .collect();
                if at.is_empty() {
                    return;
                }
                for _ in 0..3 {
                    let i = *self.rng.pick(&at);
                    bytes[i] = b'0' + ((bytes[i] - b'0' + 1) % 10);
                }
                std::fs::write(&f, bytes).unwrap();
                self.log(format!("edit in place {rel}"));
            }
            4 if APPENDS => {
                // An emptied CSV file has lost its header: it starts again whole.
                let empty = std::fs::metadata(&f).is_ok_and(|m| m.len() == 0);
                let more = if empty {
                    self.contents(&ext)
                } else {
                    self.appendix(&ext)
                };
                let mut h = std::fs::OpenOptions::new().append(true).open(&f).unwrap();
                std::io::Write::write_all(&mut h, more.as_bytes()).unwrap();
                self.log(format!("append {rel}"));
            }
            5 => {
                let to = self.new_path().with_extension(&ext);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::rename(&f, &to).unwrap();
                self.log(format!("rename {rel} -> {}", self.rel(&to)));
            }
            6 => {
                std::fs::remove_file(&f).unwrap();
                self.log(format!("delete {rel}"));
            }
            7 => {
                // The modification time changes, the content does not.
                let h = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
                h.set_modified(
                    std::time::SystemTime::now()
                        + Duration::from_secs(1 + self.rng.below(100) as u64),
                )
                .unwrap();
                self.log(format!("touch {rel}"));
            }
            8 if self.rng.chance(30) => {
                std::fs::write(&f, "").unwrap();
                self.log(format!("empty {rel}"));
            }
            9 if NON_UTF8_NAMES => {
                // Latin-1 names: `café.txt` and `cafè.txt` differ on disk but not once
                // shown lossily, so some of them meet under one shown name.
                use std::os::unix::ffi::OsStringExt;
                // Half the time beside such a name, where the two meet.
                let like: Vec<&PathBuf> = files.iter().filter(|p| p.to_str().is_none()).collect();
                let (dir, ext) = if like.is_empty() || self.rng.chance(50) {
                    (f.parent().unwrap().to_path_buf(), ext.clone())
                } else {
                    let p = *self.rng.pick(&like);
                    (p.parent().unwrap().to_path_buf(), Self::ext(p))
                };
                let mut name = b"caf".to_vec();
                name.push(*self.rng.pick(&[0xe9u8, 0xe8, 0xea]));
                name.push(b'.');
                name.extend_from_slice(ext.as_bytes());
                let to = dir.join(std::ffi::OsString::from_vec(name));
                if to.exists() {
                    return;
                }
                if self.rng.chance(50) && Self::ext(&f) == ext {
                    std::fs::rename(&f, &to).unwrap();
                    self.log(format!("rename {rel} -> {} (not UTF-8)", self.rel(&to)));
                } else {
                    let text = self.contents(&ext);
                    std::fs::write(&to, text).unwrap();
                    self.log(format!("create {} (not UTF-8)", self.rel(&to)));
                }
            }
            10 => {
                // A whole folder goes.
                let dirs: Vec<PathBuf> = files
                    .iter()
                    .filter_map(|p| p.parent().map(Path::to_path_buf))
                    .filter(|d| d != &self.env.corpus)
                    .collect();
                if !dirs.is_empty() {
                    let d = self.rng.pick(&dirs).clone();
                    std::fs::remove_dir_all(&d).unwrap();
                    self.log(format!("delete folder {}", self.rel(&d)));
                }
            }
            _ => self.create(),
        }
    }

    fn log(&mut self, s: String) {
        self.log.push(s);
    }

    fn ingest_args<'a>(&'a self, index: &'a Path) -> Vec<&'a str> {
        vec![
            "ingest",
            self.env.corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
            "--json",
        ]
    }

    /// A normal run: it finishes (exit 0, or 1 for the bad records the archive holds).
    fn rerun(&mut self) -> Run {
        let started = Instant::now();
        let r = self.env.run(&self.ingest_args(&self.env.index));
        self.run_time = started.elapsed();
        assert!(
            matches!(r.code, Some(0) | Some(1)),
            "{}\nre-run did not finish:\n{r:?}",
            self.history()
        );
        r
    }

    /// An ingest killed with SIGKILL at a random moment of its run.
    fn killed_run(&mut self) {
        let commit_every = *self.rng.pick(&["1", "2", "5", "50000"]);
        let at = Duration::from_micros(self.rng.next() % (self.run_time.as_micros() as u64 + 1));
        let mut child = self
            .env
            .std_cmd()
            .args(self.ingest_args(&self.env.index))
            .args(["--commit-every", commit_every])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        let status = child.wait().unwrap();
        self.log(format!(
            "ingest --commit-every {commit_every} killed after {at:?} ({})",
            if status.code().is_some() {
                "it had finished"
            } else {
                "killed"
            }
        ));
    }

    /// A run during which one file keeps growing.
    fn growing_run(&mut self) {
        let files: Vec<PathBuf> = self
            .files()
            .into_iter()
            .filter(|p| matches!(Self::ext(p).as_str(), "jsonl" | "csv"))
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
            .collect();
        if files.is_empty() {
            return;
        }
        let f = self.rng.pick(&files).clone();
        let ext = Self::ext(&f);
        let mut child = self
            .env
            .std_cmd()
            .args(self.ingest_args(&self.env.index))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut appended = 0;
        while child.try_wait().unwrap().is_none() && appended < 200 {
            // A record in two writes: a reader may meet half a line.
            let more = self.appendix(&ext);
            let (a, b) = more.split_at(more.len() / 2);
            let mut h = std::fs::OpenOptions::new().append(true).open(&f).unwrap();
            std::io::Write::write_all(&mut h, a.as_bytes()).unwrap();
            std::thread::sleep(Duration::from_millis(2));
            std::io::Write::write_all(&mut h, b.as_bytes()).unwrap();
            appended += 1;
            std::thread::sleep(Duration::from_millis(3));
        }
        child.wait().unwrap();
        self.log(format!(
            "{} grew by {appended} records during a run",
            self.rel(&f)
        ));
    }

    /// A run during which one folder cannot be listed (where permissions hold).
    fn unreadable_folder_run(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if is_root() {
            self.log("(unreadable folder run skipped: root reads any folder)".into());
            return;
        }
        let dirs: Vec<PathBuf> = self
            .files()
            .iter()
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .filter(|d| d != &self.env.corpus)
            .collect();
        if dirs.is_empty() {
            return;
        }
        let d = self.rng.pick(&dirs).clone();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o000)).unwrap();
        let r = self.env.run(&self.ingest_args(&self.env.index));
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        self.log(format!("{} unreadable during a run", self.rel(&d)));
        assert!(
            matches!(r.code, Some(1)),
            "{}\na run with an unreadable folder must say so (exit 1):\n{r:?}",
            self.history()
        );
        // While it was unreadable, its articles must not have left the index.
        let now = self.list(&self.env.index);
        let inside = self.rel(&d);
        let before = self.fresh();
        let lost: Vec<&String> = before
            .keys()
            .filter(|id| id.starts_with(&format!("{inside}/")) && !now.contains_key(*id))
            .collect();
        assert!(
            lost.is_empty(),
            "{}\narticles of an unreadable folder left the index: {lost:?}",
            self.history()
        );
    }

    /// A run during which reading one file fails with EIO partway.
    fn faulty_run(&mut self) {
        let Some(shim) = crate::util::shim::try_fault_shim() else {
            return;
        };
        // A file with bytes to fail on, and a name the shim can match.
        let files: Vec<PathBuf> = self
            .files()
            .into_iter()
            .filter(|p| p.to_str().is_some())
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
            .collect();
        if files.is_empty() {
            return;
        }
        let f = self.rng.pick(&files).clone();
        let len = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
        // A new modification time, so the run reads the file (an unchanged one it
        // would not open at all).
        std::fs::OpenOptions::new()
            .write(true)
            .open(&f)
            .unwrap()
            .set_modified(std::time::SystemTime::now() + Duration::from_secs(200))
            .unwrap();
        let after = self.rng.next() % (len.max(1));
        let rel = self.rel(&f);
        let out = self
            .env
            .std_cmd()
            .args(self.ingest_args(&self.env.index))
            .env("LD_PRELOAD", shim)
            .env("NEWSIDX_FAULT_EIO_PATH", &rel)
            .env("NEWSIDX_FAULT_EIO_AFTER", after.to_string())
            .output()
            .unwrap();
        self.log(format!(
            "ingest with EIO on {rel} after {after} of {len} bytes: exit {:?}",
            out.status.code()
        ));
        // The run read less than the whole file: it must not say it read everything.
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}\na run that met a read error must exit 1:\n{}",
            self.history(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Every article in `index`: `search "" --all`, with snippets long enough to
    /// hold each whole body.
    fn list(&self, index: &Path) -> BTreeMap<String, (String, String)> {
        articles(&self.env.run(&[
            "search",
            "",
            "--index",
            index.to_str().unwrap(),
            "--all",
            "--json",
            "--limit",
            "10000",
            "--snippet-chars",
            "1000000",
        ]))
    }

    /// The articles a fresh ingest of the archive as it is now holds.
    fn fresh(&self) -> BTreeMap<String, (String, String)> {
        let fresh = self.env.root.join("fresh");
        let _ = std::fs::remove_dir_all(&fresh);
        let r = self.env.run(&self.ingest_args(&fresh));
        assert!(matches!(r.code, Some(0) | Some(1)), "fresh ingest:\n{r:?}");
        self.list(&fresh)
    }

    /// The titles the test wrote that the archive holds now, each as often as it is
    /// there. Broken records and rows are not written with such titles.
    fn archive_titles(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for f in self.files() {
            let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
            let titles: Vec<String> = match Self::ext(&f).as_str() {
                "jsonl" => text
                    .lines()
                    .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                    .filter_map(|v| v["title"].as_str().map(str::to_string))
                    .collect(),
                "csv" => text
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(',').map(|(t, _)| t.to_string()))
                    .collect(),
                "md" => text
                    .lines()
                    .find_map(|l| l.strip_prefix("title: ").map(str::to_string))
                    .into_iter()
                    .collect(),
                _ => text
                    .lines()
                    .next()
                    .map(str::to_string)
                    .into_iter()
                    .collect(),
            };
            for t in titles.into_iter().filter(|t| is_generated_title(t)) {
                *out.entry(t).or_insert(0) += 1;
            }
        }
        out
    }

    /// The index must hold exactly what a fresh ingest holds, and the fresh ingest
    /// every article the test wrote.
    fn check(&mut self, step: usize) {
        let got = self.list(&self.env.index);
        let want = self.fresh();
        let mut fresh_titles = BTreeMap::new();
        for (title, _) in want.values() {
            if is_generated_title(title) {
                *fresh_titles.entry(title.clone()).or_insert(0) += 1;
            }
        }
        let written = self.archive_titles();
        if fresh_titles != written {
            let lost: Vec<_> = written
                .iter()
                .filter(|(t, n)| fresh_titles.get(*t) != Some(n))
                .collect();
            let more: Vec<_> = fresh_titles
                .iter()
                .filter(|(t, n)| written.get(*t) != Some(n))
                .collect();
            panic!(
                "{}\nafter step {step} a fresh ingest does not hold the archive's articles:\n  written, not indexed so: {lost:?}\n  indexed, not written so: {more:?}",
                self.history()
            );
        }
        if got == want {
            return;
        }
        let mut diff = Vec::new();
        for (id, v) in &want {
            match got.get(id) {
                None => diff.push(format!("  missing {id:?} {:?}", v.0)),
                Some(g) if g != v => diff.push(format!(
                    "  stale   {id:?}: index has {:?} / {:?}, archive {:?} / {:?}",
                    g.0, g.1, v.0, v.1
                )),
                _ => {}
            }
        }
        for id in got.keys().filter(|id| !want.contains_key(*id)) {
            diff.push(format!("  extra   {id:?} {:?}", got[id].0));
        }
        panic!(
            "{}\nafter step {step} the index differs from a fresh ingest:\n{}",
            self.history(),
            diff.join("\n")
        );
    }

    fn history(&self) -> String {
        format!(
            "seed {} (NEWSIDX_MODEL_SEED={}), history:\n  {}",
            self.seed,
            self.seed,
            self.log.join("\n  ")
        )
    }
}

/// id -> (title, body) of every hit of `search "" --all --json`; an id listed twice
/// is a failure (an article indexed twice).
fn articles(r: &Run) -> BTreeMap<String, (String, String)> {
    assert_eq!(r.code, Some(0), "{r:?}");
    let mut out = BTreeMap::new();
    if r.stdout.trim_start().starts_with("No articles match") {
        return out;
    }
    for h in r.json_lines() {
        let id = h["id"].as_str().unwrap().to_string();
        let title = h["title"].as_str().unwrap_or_default().to_string();
        // With no query words the snippet is the body's opening, here all of it.
        let body = h["snippets"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let dup = out.insert(id.clone(), (title, body));
        assert!(
            dup.is_none(),
            "article {id:?} is in the index twice:\n{r:?}"
        );
    }
    out
}

/// `Harbour talks 12`: two words and a serial number, as [`Model::title`] writes.
fn is_generated_title(t: &str) -> bool {
    let parts: Vec<&str> = t.split(' ').collect();
    parts.len() == 3
        && parts[..2]
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()))
        && !parts[2].is_empty()
        && parts[2].chars().all(|c| c.is_ascii_digit())
}

/// Permissions do not stop root: an unreadable folder cannot be made.
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// One history: `steps` steps of one to three changes each, then a kind of run
/// picked by `runs`, then a re-run and the check.
fn history(salt: u64, default_steps: usize, runs: &[RunKind]) {
    let seed = seed();
    let mut m = Model::new(seed, salt);
    for _ in 0..4 {
        m.create();
    }
    m.rerun();
    m.check(0);
    for step in 1..=steps(default_steps) {
        for _ in 0..1 + m.rng.below(3) {
            m.change();
        }
        let kind = *m.rng.pick(runs);
        match kind {
            RunKind::Plain => {}
            RunKind::Killed => {
                for _ in 0..1 + m.rng.below(2) {
                    m.killed_run();
                }
            }
            RunKind::Faulty if IO_ERRORS => m.faulty_run(),
            RunKind::Growing if GROWING_FILES => m.growing_run(),
            RunKind::UnreadableFolder if UNREADABLE_FOLDERS => m.unreadable_folder_run(),
            _ => m.log(format!("({kind:?} run switched off)")),
        }
        m.rerun();
        m.check(step);
    }
    eprintln!(
        "{}\nall {} steps checked",
        m.history(),
        steps(default_steps)
    );
}

/// How the ingest after a step's changes runs, before the plain re-run.
#[derive(Clone, Copy, Debug)]
enum RunKind {
    Plain,
    Killed,
    Faulty,
    Growing,
    UnreadableFolder,
}

#[test]
fn edits_appends_renames_and_deletions_end_in_the_fresh_set() {
    history(0, 16, &[RunKind::Plain]);
}

#[test]
fn kills_and_faults_end_in_the_fresh_set() {
    history(
        0x5eed,
        12,
        &[
            RunKind::Plain,
            RunKind::Killed,
            RunKind::Killed,
            RunKind::Faulty,
            RunKind::Growing,
            RunKind::UnreadableFolder,
        ],
    );
}

/// Found by the history above: a run killed inside a commit leaves files the commit
/// had written (deletion files named `SEGMENT.OPSTAMP.del`, listed in tantivy's
/// `.managed.json`) but no `meta.json` that refers to them. The next run reaches the
/// same opstamps and must not fail with "file already exists". The files are made
/// here as such a kill leaves them, for every opstamp the next run could reach.
#[test]
fn a_commit_cut_short_by_a_kill_leaves_nothing_in_the_way() {
    let env = TestEnv::new();
    for i in 0..3 {
        env.write(&format!("a{i}.txt"), format!("Title {i}\n\nBody {i}.\n"));
    }
    env.ingest_ok();
    let dir = tantivy_dir(&env.index).expect("tantivy's meta.json");
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap();
    let managed_path = dir.join(".managed.json");
    let mut managed: Vec<String> =
        serde_json::from_slice(&std::fs::read(&managed_path).unwrap()).unwrap();
    let opstamp = meta["opstamp"].as_u64().unwrap();
    for seg in meta["segments"].as_array().unwrap() {
        let id = seg["segment_id"].as_str().unwrap().replace('-', "");
        for op in opstamp + 1..opstamp + 60 {
            let name = format!("{id}.{op}.del");
            std::fs::write(dir.join(&name), b"left by a killed run").unwrap();
            managed.push(name);
        }
    }
    std::fs::write(&managed_path, serde_json::to_vec(&managed).unwrap()).unwrap();
    env.write("a1.txt", "Title 1\n\nBody changed.\n");
    let r = env.ingest(&[]).success().json();
    assert_eq!(r["articles_updated"], 1, "{r}");
    let hits = env.hits("changed", &[]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(env.article_count(), 3);
}
