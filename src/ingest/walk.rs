//! Listing the article files under a root.
//!
//! The walk follows symbolic links (an archive is often assembled from links) but
//! walkdir detects loops and we report them instead of descending forever. Hidden
//! entries (names starting with `.`) are skipped whole, so `.git/` is never read.
//! Entries come in file-name order, so two runs over the same tree agree.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use super::{format_of, Format, Problem, MAX_WHOLE_FILE};

/// One supported file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub abs: PathBuf,
    /// Relative to the walk root, `/`-separated. A non-UTF-8 name is kept, lossily.
    pub rel: String,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 if unknown).
    pub mtime_ns: i64,
    pub format: Format,
}

impl FileEntry {
    /// An entry for one file given directly (not found by a walk); `rel` is the
    /// path relative to `root` when it lies under it, else the path as given.
    pub fn for_path(root: &Path, path: &Path) -> Result<FileEntry, Problem> {
        let rel = rel_path(root, path);
        let format = format_of(path)
            .ok_or_else(|| Problem::error(&rel, "unsupported file type").with_hint(HINT_FORMATS))?;
        let meta = std::fs::metadata(path)
            .map_err(|e| super::io_problem(&rel, "cannot read metadata", &e))?;
        Ok(FileEntry {
            abs: path.to_path_buf(),
            rel,
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
            format,
        })
    }
}

const HINT_FORMATS: &str =
    "supported: .txt .md .json .jsonl .ndjson .csv .html .htm .xhtml .html.gz .warc .warc.gz";

/// Why the walk passed over an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// Its name starts with `.` (a hidden directory is skipped with all it holds).
    Hidden,
    /// Not one of the supported extensions.
    Unsupported,
    /// A `README`, `LICENSE` or `COPYING` file: notes about the archive, not an article.
    Documentation,
    /// 0 bytes long.
    Empty,
    /// A whole-file format larger than [`MAX_WHOLE_FILE`].
    TooLarge,
    /// Not a regular file (a socket, a FIFO, a device).
    Special,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Hidden => "hidden",
            SkipReason::Unsupported => "unsupported file type",
            SkipReason::Documentation => "README or licence file, not an article",
            SkipReason::Empty => "empty file",
            SkipReason::TooLarge => "file too large (over 64 MiB)",
            SkipReason::Special => "not a regular file",
        }
    }
}

/// What the walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkEvent {
    /// A file to read with [`read_articles`](super::read_articles).
    File(FileEntry),
    /// An entry passed over on purpose.
    Skipped { rel: String, reason: SkipReason },
    /// An entry that could not be visited (permission denied, vanished, a link
    /// loop), or a warning about one that was (a non-UTF-8 name).
    Problem(Problem),
}

/// Running totals of a walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalkStats {
    /// Non-directory entries seen (files, whether read or skipped), plus hidden
    /// directories (skipped without looking inside).
    pub seen: u64,
    /// Files handed out for reading.
    pub files: u64,
    pub hidden: u64,
    pub unsupported: u64,
    pub documentation: u64,
    pub empty: u64,
    pub too_large: u64,
    pub special: u64,
    /// Entries that could not be visited.
    pub failed: u64,
}

impl WalkStats {
    pub fn skipped(&self) -> u64 {
        self.hidden
            + self.unsupported
            + self.documentation
            + self.empty
            + self.too_large
            + self.special
    }
}

/// The iterator returned by [`walk`]; [`Walk::stats`] gives the totals so far.
pub struct Walk {
    root: PathBuf,
    inner: walkdir::IntoIter,
    stats: WalkStats,
    /// A second event produced by the last entry (a file with a non-UTF-8 name
    /// yields a warning and the file).
    pending: Option<WalkEvent>,
}

/// Walks `root` recursively (a file as root yields just that file).
pub fn walk(root: &Path) -> Walk {
    Walk {
        root: root.to_path_buf(),
        inner: WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter(),
        stats: WalkStats::default(),
        pending: None,
    }
}

impl Walk {
    pub fn stats(&self) -> &WalkStats {
        &self.stats
    }

    fn skip(&mut self, rel: String, reason: SkipReason) -> WalkEvent {
        self.stats.seen += 1;
        match reason {
            SkipReason::Hidden => self.stats.hidden += 1,
            SkipReason::Unsupported => self.stats.unsupported += 1,
            SkipReason::Documentation => self.stats.documentation += 1,
            SkipReason::Empty => self.stats.empty += 1,
            SkipReason::TooLarge => self.stats.too_large += 1,
            SkipReason::Special => self.stats.special += 1,
        }
        WalkEvent::Skipped { rel, reason }
    }

    fn failed(&mut self, err: walkdir::Error) -> WalkEvent {
        self.stats.failed += 1;
        let rel = err
            .path()
            .map(|p| rel_path(&self.root, p))
            .unwrap_or_else(|| lossy(&self.root));
        let problem = if let Some(ancestor) = err.loop_ancestor() {
            Problem::error(
                rel,
                format!("symbolic link loop (points back to {})", ancestor.display()),
            )
            .with_hint("the link was not followed")
        } else if let Some(io) = err.io_error() {
            super::io_problem(&rel, "cannot read", io)
        } else {
            Problem::error(rel, err.to_string())
        };
        WalkEvent::Problem(problem)
    }
}

impl Iterator for Walk {
    type Item = WalkEvent;

    fn next(&mut self) -> Option<WalkEvent> {
        if let Some(ev) = self.pending.take() {
            return Some(ev);
        }
        loop {
            let entry = match self.inner.next()? {
                Ok(entry) => entry,
                Err(err) => return Some(self.failed(err)),
            };
            let is_dir = entry.file_type().is_dir();
            // The root itself is never hidden: `newsidx ingest .` must work.
            if entry.depth() > 0 && entry.file_name().as_encoded_bytes().starts_with(b".") {
                if is_dir {
                    self.inner.skip_current_dir();
                }
                let rel = rel_path(&self.root, entry.path());
                return Some(self.skip(rel, SkipReason::Hidden));
            }
            if is_dir {
                continue;
            }
            let rel = rel_path(&self.root, entry.path());
            let Some(format) = format_of(entry.path()) else {
                return Some(self.skip(rel, SkipReason::Unsupported));
            };
            if is_documentation(entry.path()) {
                return Some(self.skip(rel, SkipReason::Documentation));
            }
            // With follow_links, `metadata` is the link target's: a dangling link
            // errors here, and we report it rather than stop.
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                Err(err) => return Some(self.failed(err)),
            };
            if !meta.is_file() {
                return Some(self.skip(rel, SkipReason::Special));
            }
            if meta.len() == 0 {
                return Some(self.skip(rel, SkipReason::Empty));
            }
            if format.is_whole_file() && meta.len() > MAX_WHOLE_FILE {
                return Some(self.skip(rel, SkipReason::TooLarge));
            }
            self.stats.seen += 1;
            self.stats.files += 1;
            let file = WalkEvent::File(FileEntry {
                abs: entry.path().to_path_buf(),
                rel: rel.clone(),
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
                format,
            });
            if entry.path().to_str().is_none() {
                self.pending = Some(file);
                return Some(WalkEvent::Problem(
                    Problem::warning(rel, "file name is not valid UTF-8; shown lossily")
                        .with_hint("rename the file so its id is stable"),
                ));
            }
            return Some(file);
        }
    }
}

/// `README.md`, `LICENSE.txt`, `COPYING`…: an archive's own notes. Only files
/// named exactly so are skipped (`readme-trump.txt` is still read).
fn is_documentation(path: &Path) -> bool {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    ["readme", "license", "licence", "copying", "changelog"]
        .iter()
        .any(|d| stem.eq_ignore_ascii_case(d))
}

/// `path` relative to `root`, `/`-separated, lossy for non-UTF-8 names. The root
/// itself (a file given as root) is named by its file name.
fn rel_path(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Ok(_) => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| lossy(path)),
        Err(_) => lossy(path),
    }
}

fn lossy(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    let Ok(modified) = meta.modified() else {
        return 0;
    };
    match modified.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_nanos())
            .map(|n| -n)
            .unwrap_or(i64::MIN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn events(root: &Path) -> (Vec<WalkEvent>, WalkStats) {
        let mut w = walk(root);
        let evs: Vec<_> = w.by_ref().collect();
        (evs, w.stats().clone())
    }

    fn files(evs: &[WalkEvent]) -> Vec<String> {
        evs.iter()
            .filter_map(|e| match e {
                WalkEvent::File(f) => Some(f.rel.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn walks_supported_skips_hidden_and_unsupported() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        fs::create_dir_all(r.join("a/b")).unwrap();
        fs::create_dir_all(r.join(".git")).unwrap();
        fs::write(r.join(".git/x.txt"), "hidden").unwrap();
        fs::write(r.join(".hidden.txt"), "hidden").unwrap();
        fs::write(r.join("a/b/one.txt"), "One\n\nBody.").unwrap();
        fs::write(r.join("a/two.JSON"), "{}").unwrap();
        fs::write(r.join("a/pic.png"), "x").unwrap();
        fs::write(r.join("empty.md"), "").unwrap();
        fs::write(r.join("README.md"), "# About this archive").unwrap();
        let (evs, stats) = events(r);
        assert_eq!(files(&evs), vec!["a/b/one.txt", "a/two.JSON"]);
        assert_eq!(stats.files, 2);
        assert_eq!(stats.hidden, 2);
        assert_eq!(stats.unsupported, 1);
        assert_eq!(stats.empty, 1);
        assert_eq!(stats.documentation, 1);
        assert_eq!(stats.skipped(), 5);
        assert_eq!(stats.seen, 7);
        assert_eq!(stats.failed, 0);
        let f = evs
            .iter()
            .find_map(|e| match e {
                WalkEvent::File(f) if f.rel == "a/b/one.txt" => Some(f.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(f.size, 10);
        assert_eq!(f.format, Format::Text);
        assert!(f.mtime_ns > 0);
    }

    #[test]
    fn file_as_root() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        fs::write(&p, "title\nA\n").unwrap();
        let (evs, _) = events(&p);
        assert_eq!(files(&evs), vec!["x.csv"]);
    }

    #[test]
    fn hidden_root_is_walked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(".archive");
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join("a.txt"), "x").unwrap();
        let (evs, _) = events(&root);
        assert_eq!(files(&evs), vec!["a.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_and_dangling_link_are_problems() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        fs::create_dir_all(r.join("d")).unwrap();
        fs::write(r.join("d/a.txt"), "x").unwrap();
        std::os::unix::fs::symlink(r.join("d"), r.join("d/loop")).unwrap();
        std::os::unix::fs::symlink(r.join("nowhere.txt"), r.join("dangling.txt")).unwrap();
        let (evs, stats) = events(r);
        assert_eq!(files(&evs), vec!["d/a.txt"]);
        assert_eq!(stats.failed, 2, "{evs:?}");
        let msgs: Vec<String> = evs
            .iter()
            .filter_map(|e| match e {
                WalkEvent::Problem(p) => Some(p.to_string()),
                _ => None,
            })
            .collect();
        assert!(msgs.iter().any(|m| m.contains("loop")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.starts_with("dangling.txt")),
            "{msgs:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_name_is_kept_lossily() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        fs::write(dir.path().join(name), "x").unwrap();
        let (evs, _) = events(dir.path());
        assert_eq!(files(&evs), vec!["caf\u{fffd}.txt"]);
        assert!(
            matches!(&evs[0], WalkEvent::Problem(p) if p.severity == super::super::Severity::Warning)
        );
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_dir_is_a_problem_and_walk_goes_on() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        fs::create_dir_all(r.join("locked")).unwrap();
        fs::write(r.join("locked/a.txt"), "x").unwrap();
        fs::write(r.join("z.txt"), "x").unwrap();
        fs::set_permissions(r.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
        // Root ignores permissions: nothing to test then.
        let readable = fs::read_dir(r.join("locked")).is_ok();
        let (evs, stats) = events(r);
        fs::set_permissions(r.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
        assert!(files(&evs).contains(&"z.txt".to_string()));
        if !readable {
            assert_eq!(stats.failed, 1);
        }
    }
}
