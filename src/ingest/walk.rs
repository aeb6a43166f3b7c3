//! Listing the article files under a root.
//!
//! The walk follows symbolic links (an archive is often assembled from links) but
//! walkdir detects loops and we report them instead of descending forever. Hidden
//! entries (names starting with `.`) are skipped whole, so `.git/` is never read.
//! Entries come in file-name order, so two runs over the same tree agree.
//!
//! A relative path (an article's id and path, the manifest's key) is the file's
//! name bytes, written losslessly: a byte that is not part of valid UTF-8 is written
//! `\xHH` and a literal backslash is doubled, so two names that differ only in
//! such bytes never share an id. The file itself is opened by its real path.
//!
//! A newsidx index inside the archive (the one being written, or any other) is
//! skipped whole: its files are not articles. A folder that cannot be listed is
//! reported and remembered ([`Walk::incomplete`]), so the caller never takes the
//! articles it held for deleted.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use super::{format_of, Format, Problem, MAX_WHOLE_FILE};

/// One supported file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub abs: PathBuf,
    /// Relative to the walk root, `/`-separated, in the lossless text form of
    /// [`rel_path`] (invalid UTF-8 bytes as `\xHH`, a backslash doubled).
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
        FileEntry::for_path_as(root, path, format)
    }

    /// [`FileEntry::for_path`] read in `format`, whatever the file's name says.
    pub fn for_path_as(root: &Path, path: &Path, format: Format) -> Result<FileEntry, Problem> {
        let rel = rel_path(root, path);
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
    /// A newsidx index folder (the one this ingest writes, or another): its files are
    /// the index's, not articles. Skipped with everything in it.
    Index,
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
            SkipReason::Index => "a newsidx index folder, not articles",
        }
    }

    /// The stable code of the reason in the ingest summary's `skipped` counts.
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::Hidden => "hidden",
            SkipReason::Unsupported => "unsupported",
            SkipReason::Documentation => "documentation",
            SkipReason::Empty => "empty",
            SkipReason::TooLarge => "too_large",
            SkipReason::Special => "special",
            SkipReason::Index => "index_folder",
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
    /// newsidx index folders (each counted once, without looking inside).
    pub index: u64,
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
            + self.index
    }
}

/// The iterator returned by [`walk`]; [`Walk::stats`] gives the totals so far.
pub struct Walk {
    root: PathBuf,
    inner: walkdir::IntoIter,
    stats: WalkStats,
    /// Folders whose listing is incomplete (relative paths; `""` is the root itself).
    incomplete: Vec<String>,
    /// The relative path of the last folder entered at each depth: an error that names
    /// no path (a listing that failed part-way) is about the folder being listed.
    dirs: Vec<String>,
    /// A folder to pass over (the index this ingest writes), by identity.
    skip_dir: Option<DirId>,
}

/// What makes two paths the same folder.
#[cfg(unix)]
type DirId = (u64, u64);
#[cfg(not(unix))]
type DirId = PathBuf;

#[cfg(unix)]
fn dir_id(meta: &std::fs::Metadata, _path: &Path) -> Option<DirId> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dir_id(_meta: &std::fs::Metadata, path: &Path) -> Option<DirId> {
    path.canonicalize().ok()
}

/// A folder holding the `newsidx.json` newsidx writes into each index (an object
/// naming a schema version and an archive folder).
fn is_newsidx_index(dir: &Path) -> bool {
    let marker = dir.join(crate::index::layout::POINTER);
    // Through `open_regular`: a FIFO in its place is not waited on. A pointer is a
    // few hundred bytes; more than a MiB is not one.
    let mut bytes = Vec::new();
    let read = super::open_regular(&marker)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, 1 << 20), &mut bytes));
    if read.is_err() {
        return false;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return false;
    };
    v.get("schema_version").is_some_and(|n| n.is_u64())
        && v.get("root").is_some_and(|r| r.is_string())
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
        incomplete: Vec::new(),
        dirs: Vec::new(),
        skip_dir: None,
    }
}

impl Walk {
    pub fn stats(&self) -> &WalkStats {
        &self.stats
    }

    /// Also passes over the folder at `path` (the index being written), wherever the
    /// walk meets it, even before it holds any index file.
    pub fn skipping(mut self, path: &Path) -> Walk {
        self.skip_dir = std::fs::metadata(path).ok().and_then(|m| dir_id(&m, path));
        self
    }

    /// Folders (relative paths, `""` for the root) that could not be listed in full:
    /// what they hold is unknown, so none of it may be taken for deleted.
    pub fn incomplete(&self) -> &[String] {
        &self.incomplete
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
            SkipReason::Index => self.stats.index += 1,
        }
        WalkEvent::Skipped { rel, reason }
    }

    fn failed(&mut self, err: walkdir::Error) -> WalkEvent {
        self.stats.failed += 1;
        let rel = match err.path() {
            // The root itself: everything under it is unknown.
            Some(p) if p == self.root => String::new(),
            Some(p) => rel_path(&self.root, p),
            // A listing that failed part-way names no entry: the folder being listed
            // is the last one entered one level up.
            None => err
                .depth()
                .checked_sub(1)
                .and_then(|d| self.dirs.get(d))
                .cloned()
                .unwrap_or_default(),
        };
        self.incomplete.push(rel.clone());
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
                let rel = if entry.depth() == 0 {
                    String::new()
                } else {
                    rel_path(&self.root, entry.path())
                };
                if entry.depth() > 0 {
                    let own_index = self.skip_dir.is_some()
                        && entry.metadata().ok().and_then(|m| dir_id(&m, entry.path()))
                            == self.skip_dir;
                    if own_index || is_newsidx_index(entry.path()) {
                        self.inner.skip_current_dir();
                        return Some(self.skip(rel, SkipReason::Index));
                    }
                }
                self.dirs.truncate(entry.depth());
                self.dirs.push(rel);
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
            return Some(WalkEvent::File(FileEntry {
                abs: entry.path().to_path_buf(),
                rel,
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
                format,
            }));
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

/// `path` relative to `root`, `/`-separated, each name in the text form of
/// [`escape_name`]. The root itself (a file given as root) is named by its file name.
pub fn rel_path(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel
            .components()
            .map(|c| escape_name(c.as_os_str().as_encoded_bytes()))
            .collect::<Vec<_>>()
            .join("/"),
        Ok(_) => path
            .file_name()
            .map(|n| escape_name(n.as_encoded_bytes()))
            .unwrap_or_else(|| escape_name(path.as_os_str().as_encoded_bytes())),
        Err(_) => escape_name(path.as_os_str().as_encoded_bytes()),
    }
}

/// A file name as text, losslessly and injectively: valid UTF-8 stays as it is
/// except that a backslash is doubled, and every byte that is not part of valid
/// UTF-8 is written `\xHH` (lower-case hex). `caf\xe9.txt` (Latin-1) and
/// `caf\xe8.txt` stay two names, and neither is the UTF-8 name `caf\\xe9.txt`.
pub fn escape_name(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
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
    fn non_utf8_names_are_kept_losslessly_and_apart() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        for name in [
            &b"caf\xe9.txt"[..],
            b"caf\xe8.txt",
            b"caf\\xe9.txt",
            "caf\u{e9}.txt".as_bytes(),
        ] {
            fs::write(dir.path().join(std::ffi::OsStr::from_bytes(name)), "x").unwrap();
        }
        let (evs, stats) = events(dir.path());
        let mut got = files(&evs);
        got.sort();
        assert_eq!(
            got,
            vec![
                "caf\\\\xe9.txt",
                "caf\\xe8.txt",
                "caf\\xe9.txt",
                "caf\u{e9}.txt"
            ]
        );
        assert_eq!(stats.failed, 0);
        assert!(
            evs.iter().all(|e| matches!(e, WalkEvent::File(_))),
            "{evs:?}"
        );
    }

    #[test]
    fn escape_name_is_injective_on_tricky_names() {
        let names: [&[u8]; 8] = [
            b"a\\b",
            b"a\\\\b",
            b"a\\x5cb",
            b"\xe9\\",
            b"a\xff",
            b"a\\xff",
            b"\xc3",
            b"\xc3\xa9",
        ];
        let out: Vec<String> = names.iter().map(|n| escape_name(n)).collect();
        let distinct: std::collections::HashSet<&String> = out.iter().collect();
        assert_eq!(distinct.len(), names.len(), "{out:?}");
        assert_eq!(out[0], "a\\\\b");
        assert_eq!(out[4], "a\\xff");
        assert_eq!(out[6], "\\xc3");
        assert_eq!(out[7], "\u{e9}");
    }

    #[test]
    fn index_folders_are_skipped_whole() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        fs::create_dir_all(r.join("old-idx")).unwrap();
        fs::write(
            r.join("old-idx/newsidx.json"),
            r#"{"schema_version": 2, "root": "/x"}"#,
        )
        .unwrap();
        fs::write(r.join("old-idx/meta.json"), "{}").unwrap();
        fs::create_dir_all(r.join("mine")).unwrap();
        fs::write(r.join("mine/meta.json"), "{}").unwrap();
        // A folder whose newsidx.json is an article, not an index marker.
        fs::create_dir_all(r.join("news")).unwrap();
        fs::write(
            r.join("news/newsidx.json"),
            r#"{"title": "T", "body": "B"}"#,
        )
        .unwrap();
        let mut w = walk(r).skipping(&r.join("mine"));
        let evs: Vec<_> = w.by_ref().collect();
        assert_eq!(files(&evs), vec!["news/newsidx.json"]);
        assert_eq!(w.stats().index, 2);
        assert_eq!(w.stats().skipped(), 2);
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
