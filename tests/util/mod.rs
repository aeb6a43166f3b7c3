//! Helpers for the CLI integration tests: a temporary archive + index, and runs of the
//! real `newsidx` binary with a clean environment.
#![allow(dead_code)]

pub mod shim;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The id of the specification article in the sample corpus.
pub const SPEC_ID: &str = "specification/trump-xi-call.md#seed";
pub const SPEC_PATH: &str = "specification/trump-xi-call.md";
pub const SPEC_TITLE: &str = "Xi tells Trump Taiwan's return to China is part of post-war order";
pub const SPEC_QUERY: &str = "Taiwan post-war order";

/// The committed sample archive.
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// A temporary folder holding `corpus/` (the archive) and `index/` (an empty folder
/// for the index). Commands run with the folder as their working directory.
pub struct TestEnv {
    dir: TempDir,
    pub root: PathBuf,
    pub corpus: PathBuf,
    pub index: PathBuf,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv::in_dir(
            tempfile::Builder::new()
                .prefix("newsidx-test-")
                .tempdir()
                .unwrap(),
        )
    }

    fn in_dir(dir: TempDir) -> TestEnv {
        let root = dir.path().to_path_buf();
        let corpus = root.join("corpus");
        let index = root.join("index");
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::create_dir_all(&index).unwrap();
        TestEnv {
            dir,
            root,
            corpus,
            index,
        }
    }

    /// A copy of the committed sample corpus (so the index never points at the repo).
    pub fn with_sample_corpus() -> TestEnv {
        let env = TestEnv::new();
        copy_dir(&sample_corpus(), &env.corpus);
        env
    }

    /// Writes a file under `corpus/`, creating parent folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.corpus.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.corpus.join(rel)).unwrap();
    }

    /// `newsidx` with an empty environment except PATH and NO_COLOR=1, run in `root`.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("newsidx").unwrap();
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .current_dir(&self.root);
        c
    }

    /// The same, as a std Command (for processes run in the background).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsidx"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .current_dir(&self.root);
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.cmd().args(args).output().unwrap();
        Run::from_output(args, out)
    }

    fn index_str(&self) -> &str {
        self.index.to_str().unwrap()
    }

    /// `newsidx ingest CORPUS --index INDEX --json EXTRA...`
    pub fn ingest(&self, extra: &[&str]) -> Run {
        let mut args = vec![
            "ingest",
            self.corpus.to_str().unwrap(),
            "--index",
            self.index_str(),
            "--json",
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `newsidx enrich --records --root CORPUS FILES...`, the files named relative to
    /// the corpus and given in this order.
    pub fn enrich_records(&self, rels: &[&str]) -> Run {
        let files: Vec<String> = rels
            .iter()
            .map(|rel| self.corpus.join(rel).to_str().unwrap().to_string())
            .collect();
        let mut args = vec![
            "enrich",
            "--records",
            "--root",
            self.corpus.to_str().unwrap(),
        ];
        args.extend(files.iter().map(String::as_str));
        self.run(&args)
    }

    /// Ingests, asserts exit 0, and returns the JSON report.
    pub fn ingest_ok(&self) -> Value {
        self.ingest(&[]).success().json()
    }

    /// `newsidx search QUERY --index INDEX --json ARGS...`
    pub fn search(&self, query: &str, args: &[&str]) -> Run {
        let mut a = vec!["search", query, "--index", self.index_str(), "--json"];
        a.extend_from_slice(args);
        self.run(&a)
    }

    /// Search hits (asserts exit 0). A "No articles match" sentence counts as no hits.
    pub fn hits(&self, query: &str, args: &[&str]) -> Vec<Value> {
        let r = self.search(query, args).success();
        if r.stdout.trim_start().starts_with("No articles match") {
            return Vec::new();
        }
        r.json_lines()
    }

    /// The ids of the hits (a last line of warnings, which has none, left out).
    pub fn ids(&self, query: &str, args: &[&str]) -> Vec<String> {
        self.hits(query, args)
            .iter()
            .filter(|h| !(h["id"].is_null() && h["warnings"].is_array()))
            .map(|h| h["id"].as_str().expect("hit has a string id").to_string())
            .collect()
    }

    /// The one hit for a query expected to match exactly one article.
    pub fn only_hit(&self, query: &str) -> Value {
        let hits = self.hits(query, &["--limit", "50"]);
        assert_eq!(
            hits.len(),
            1,
            "search {query:?}: expected one hit, got {hits:#?}"
        );
        hits.into_iter().next().unwrap()
    }

    /// Number of articles in the index according to `stats --json`.
    pub fn article_count(&self) -> u64 {
        self.run(&["stats", "--index", self.index_str(), "--json"])
            .success()
            .json()["articles"]
            .as_u64()
            .expect("stats: articles is a number")
    }
}

/// The sample corpus ingested once into a temporary index, shared (read-only) by every
/// test that only searches it. It lives under Cargo's test tmp dir.
pub struct Sample {
    pub env: TestEnv,
    pub report: Value,
}

pub fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        clean_stale(tmp);
        let dir = tempfile::Builder::new()
            .prefix("newsidx-sample-")
            .tempdir_in(tmp)
            .unwrap();
        let env = TestEnv::in_dir(dir);
        copy_dir(&sample_corpus(), &env.corpus);
        let report = env.ingest_ok();
        Sample { env, report }
    })
}

/// A static is never dropped, so the shared sample index outlives the run; remove the
/// ones left by earlier runs (older than an hour, so a concurrent run keeps its own).
fn clean_stale(tmp: &Path) {
    let Ok(rd) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if name.starts_with("newsidx-sample-") && old {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// One finished run of the binary.
pub struct Run {
    pub args: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "newsidx {}\n  exit: {:?}\n  stdout: {}\n  stderr: {}",
            self.args,
            self.code,
            truncate(&self.stdout),
            truncate(&self.stderr)
        )
    }
}

fn truncate(s: &str) -> String {
    if s.len() <= 3000 {
        return s.to_string();
    }
    let mut end = 3000;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

impl Run {
    pub fn from_output(args: &[&str], out: std::process::Output) -> Run {
        Run {
            args: args.join(" "),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn success(self) -> Run {
        assert_eq!(self.code, Some(0), "expected success:\n{self:?}");
        self
    }

    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit code {code}:\n{self:?}"
        );
        self
    }

    /// stdout as exactly one JSON value.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}):\n{self:?}"))
    }

    /// stdout as one JSON object per non-empty line.
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("line is not JSON ({e}): {l:?}\n{self:?}"))
            })
            .collect()
    }

    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }

    /// The stderr line `SEVERITY: PATH[:LINE]: message` about the file `rel` (relative
    /// to the corpus; PATH may be shown relative or absolute); panics if none.
    pub fn problem(&self, severity: &str, rel: &str, line: Option<u64>) -> &str {
        let after = match line {
            Some(n) => format!("{rel}:{n}: "),
            None => format!("{rel}:"),
        };
        self.stderr_lines()
            .into_iter()
            .find(|l| {
                let Some(rest) = l.strip_prefix(&format!("{severity}: ")) else {
                    return false;
                };
                rest.find(&after)
                    .is_some_and(|at| at == 0 || rest[..at].ends_with('/'))
            })
            .unwrap_or_else(|| panic!("no stderr line `{severity}: {after}...`:\n{self:?}"))
    }

    /// The stderr line starting with `prefix` (e.g. "error: bad.jsonl:2:"); panics if none.
    pub fn stderr_line(&self, prefix: &str) -> &str {
        self.stderr_lines()
            .into_iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no stderr line starting {prefix:?}:\n{self:?}"))
    }
}

/// Is some process holding a lock (flock/POSIX) on this file right now? Reads
/// /proc/locks, so it observes without touching the lock.
#[cfg(target_os = "linux")]
pub fn lock_held(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    let suffix = format!(":{}", meta.ino());
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    locks.lines().any(|l| {
        l.split_whitespace()
            .any(|tok| tok.matches(':').count() == 2 && tok.ends_with(&suffix))
    })
}

/// The folder holding tantivy's files of the index at `index` (the data folder that
/// `newsidx.json` names, or the index folder itself for the first layout).
pub fn data_dir(index: &Path) -> PathBuf {
    let text = std::fs::read_to_string(index.join("newsidx.json")).expect("newsidx.json");
    let meta: Value = serde_json::from_str(&text).expect("newsidx.json is JSON");
    match meta["data"].as_str() {
        Some(d) => index.join(d),
        None => index.to_path_buf(),
    }
}

/// The folder holding tantivy's files (`meta.json`): the index folder itself, or a
/// data folder inside it, found by looking (where `newsidx.json` may not exist yet).
pub fn tantivy_dir(index: &Path) -> Option<PathBuf> {
    if index.join("meta.json").exists() {
        return Some(index.to_path_buf());
    }
    std::fs::read_dir(index)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("meta.json").exists())
}

/// Lowercased text of each highlighted span of a snippet, checking the offsets.
pub fn highlighted(snippet: &Value) -> Vec<String> {
    let text = snippet["text"].as_str().expect("snippet text is a string");
    snippet["highlights"]
        .as_array()
        .expect("snippet highlights is an array")
        .iter()
        .map(|h| {
            let (s, e) = (
                h[0].as_u64().expect("highlight start") as usize,
                h[1].as_u64().expect("highlight end") as usize,
            );
            assert!(s < e, "empty highlight {h} in {text:?}");
            text.get(s..e)
                .unwrap_or_else(|| panic!("highlight {h} is not a char range of {text:?}"))
                .to_lowercase()
        })
        .collect()
}

pub fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(|x| {
            x.as_str()
                .unwrap_or_else(|| panic!("expected strings in {v}"))
                .to_string()
        })
        .collect()
}
