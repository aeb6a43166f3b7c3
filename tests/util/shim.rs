//! The fault shim: an LD_PRELOAD library (fault_shim.c beside this file) that makes
//! reads fail with EIO and writes with ENOSPC on chosen files, so tests can show what
//! the real binary does when a disk fails under it. Use:
//!
//! ```ignore
//! let Some(shim) = try_fault_shim() else { return };   // no C compiler: skipped
//! env.std_cmd()
//!     .env("LD_PRELOAD", shim)
//!     .env("NEWSIDX_FAULT_EIO_PATH", "big.csv")       // substring of the opened path
//!     .env("NEWSIDX_FAULT_EIO_AFTER", "4096")         // bytes returned before EIO
//! ```
//!
//! `NEWSIDX_FAULT_ENOSPC_PATH` + `NEWSIDX_FAULT_ENOSPC_AFTER` do the same for writes
//! (the byte count is for the whole process, across all matching files).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const SOURCE: &str = include_str!("fault_shim.c");

/// The compiled shim, built once per test run; `None` (after printing a note) when no
/// C compiler is found, so tests that need it can skip.
pub fn try_fault_shim() -> Option<PathBuf> {
    static SHIM: OnceLock<Option<PathBuf>> = OnceLock::new();
    let shim = SHIM.get_or_init(build).clone();
    if shim.is_none() {
        eprintln!("note: no C compiler (cc) found; the fault-injection test is skipped");
    }
    shim
}

/// The compiled shim's path; panics when it cannot be built.
pub fn fault_shim() -> PathBuf {
    try_fault_shim().expect("the fault shim needs a C compiler (cc)")
}

fn build() -> Option<PathBuf> {
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    if Command::new(&cc).arg("--version").output().is_err() {
        return None;
    }
    let dir = tempfile::Builder::new()
        .prefix("newsidx-fault-shim-")
        .tempdir_in(Path::new(env!("CARGO_TARGET_TMPDIR")))
        .expect("a temp folder for the fault shim")
        // Kept for the whole run (a static is never dropped); it is a few kilobytes.
        .keep();
    let src = dir.join("fault_shim.c");
    let lib = dir.join("fault_shim.so");
    std::fs::write(&src, SOURCE).unwrap();
    let out = Command::new(&cc)
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&lib)
        .arg(&src)
        .arg("-ldl")
        .output()
        .expect("running the C compiler");
    assert!(
        out.status.success(),
        "building the fault shim failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(lib)
}

#[cfg(test)]
mod tests {
    use super::try_fault_shim;
    use crate::util::{Run, TestEnv};

    fn article(i: usize) -> String {
        serde_json::json!({
            "id": format!("a{i}"),
            "title": format!("Story {i}"),
            "text": format!("The minister spoke about the harbour, item{i}."),
        })
        .to_string()
            + "\n"
    }

    /// An EIO partway through an input file and an ENOSPC on the index both reach the
    /// real binary, which reports them (the file and the OS's words).
    #[test]
    fn shim_injects_eio_on_reads_and_enospc_on_writes() {
        let Some(shim) = try_fault_shim() else { return };
        let env = TestEnv::new();
        let body: String = (0..200).map(article).collect();
        env.write("disk/flaky.jsonl", &body);
        env.write("fine.jsonl", article(999));

        let ingest = |vars: &[(&str, &str)]| {
            let mut c = env.std_cmd();
            c.env("LD_PRELOAD", &shim).args([
                "ingest",
                env.corpus.to_str().unwrap(),
                "--index",
                env.index.to_str().unwrap(),
                "--json",
            ]);
            for (k, v) in vars {
                c.env(k, v);
            }
            Run::from_output(&["ingest", "(with the fault shim)"], c.output().unwrap())
        };

        let r = ingest(&[
            ("NEWSIDX_FAULT_EIO_PATH", "flaky.jsonl"),
            ("NEWSIDX_FAULT_EIO_AFTER", "3000"),
        ]);
        let line = r
            .stderr_lines()
            .into_iter()
            .find(|l| l.contains("flaky.jsonl"))
            .unwrap_or_else(|| panic!("the read error is not reported:\n{r:?}"));
        assert!(
            line.contains("Input/output error") || line.contains("os error 5"),
            "not an EIO: {line}\n{r:?}"
        );

        let env2 = TestEnv::new();
        env2.write("a.jsonl", &body);
        let index = env2.index.to_str().unwrap().to_string();
        let mut c = env2.std_cmd();
        c.env("LD_PRELOAD", &shim)
            .env("NEWSIDX_FAULT_ENOSPC_PATH", &index)
            .env("NEWSIDX_FAULT_ENOSPC_AFTER", "0")
            .args(["ingest", env2.corpus.to_str().unwrap(), "--index", &index]);
        let r = Run::from_output(&["ingest", "(index disk full)"], c.output().unwrap());
        assert_ne!(r.code, Some(0), "a full disk is not a success:\n{r:?}");
        assert!(
            r.stderr.contains("No space left on device") || r.stderr.contains("os error 28"),
            "ENOSPC is not reported:\n{r:?}"
        );
    }
}
