//! The index folder's life cycle: which names in it are ours, the single-writer lock,
//! the pointer (`newsidx.json`) to the current data folder, and the removal of what an
//! older generation or a failed run left behind.
//!
//! ```text
//! index/
//!   newsidx.lock        the ingest lock (an OS file lock; the file is never deleted)
//!   newsidx.json        the pointer: schema version, archive root, current data folder
//!   newsidx-gazetteer.tsv  the user's gazetteer (`ingest --gazetteer`), if one was given
//!   gen-<unique>/       tantivy's files of one generation
//! ```
//!
//! The pointer is written last and atomically, so an index exists exactly when the
//! pointer does and names a complete tantivy index. A rebuild writes a new generation
//! beside the current one and swaps the pointer when it is done. Files are only ever
//! removed by names this program or tantivy creates; anything else in the folder is the
//! user's and is never touched.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const POINTER: &str = "newsidx.json";
pub const POINTER_TMP: &str = "newsidx.json.tmp";
pub const LOCK: &str = "newsidx.lock";
/// The copy of the user's gazetteer file that later ingests and filters use.
pub const GAZETTEER: &str = "newsidx-gazetteer.tsv";
pub const GAZETTEER_TMP: &str = "newsidx-gazetteer.tsv.tmp";
const DATA_PREFIX: &str = "gen-";

/// Files that may sit in an index folder before there is an index (the repository
/// keeps `index/` with a .gitignore in it; a user's table of sources lives there).
pub const HARMLESS: &[&str] = &[
    ".gitignore",
    ".gitkeep",
    "README.md",
    crate::sources::USER_FILE,
];

/// The extensions of tantivy 0.27's segment files (`<32 hex>.<ext>`); the delete
/// bitset is `<32 hex>.<opstamp>.del`.
const SEGMENT_EXTS: &[&str] = &[
    "idx",
    "pos",
    "term",
    "store",
    "fast",
    "fieldnorm",
    "store.temp",
];
/// tantivy's own files beside the segments.
const TANTIVY_FILES: &[&str] = &[
    "meta.json",
    ".managed.json",
    ".tantivy-writer.lock",
    ".tantivy-meta.lock",
];

/// A data folder's name: only this program makes them.
pub fn is_data_name(name: &str) -> bool {
    name.strip_prefix(DATA_PREFIX).is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 48
            && rest.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
    })
}

/// A name tantivy gives its files: meta.json, .managed.json, its lock files, segment
/// files and the temporary files of its atomic writes (`.tmp` + 6 characters).
pub fn is_tantivy_name(name: &str) -> bool {
    if TANTIVY_FILES.contains(&name) {
        return true;
    }
    if let Some(rest) = name.strip_prefix(".tmp") {
        return rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric());
    }
    let Some((id, ext)) = name.split_once('.') else {
        return false;
    };
    if id.len() != 32 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return false;
    }
    if SEGMENT_EXTS.contains(&ext) {
        return true;
    }
    ext.strip_suffix(".del")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The file of article vectors beside the segments (`crate::semantic::neighbours`),
/// and its temporary name.
pub fn is_neighbours_name(name: &str) -> bool {
    name == crate::semantic::neighbours::FILE || name == crate::semantic::neighbours::FILE_TMP
}

/// Names this program may find in an index folder of its own making.
pub fn is_ours(name: &str) -> bool {
    name == POINTER
        || name == POINTER_TMP
        || name == LOCK
        || name == GAZETTEER
        || name == GAZETTEER_TMP
        || is_data_name(name)
        || is_tantivy_name(name)
        || is_neighbours_name(name)
        || HARMLESS.contains(&name)
}

/// The entries of `path` that are neither ours nor harmless (a few, for a message).
pub fn foreign_entries(path: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(path)? {
        let name = e?.file_name().to_string_lossy().into_owned();
        if !is_ours(&name) {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// A fresh data folder name: time, process id and a counter, so two processes (or two
/// runs in one process) never pick the same one.
pub fn new_data_name() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    format!(
        "{DATA_PREFIX}{nanos:016x}-{:x}-{:x}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// The ingest lock on an index folder, held for the life of this value. It is an OS
/// file lock, released when the process ends however it ends, so it is never stale;
/// the file itself stays (deleting it would let two processes lock two different files).
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
    pub path: PathBuf,
}

/// Creates the folder if needed and takes its lock, or says who holds it.
pub fn lock(path: &Path) -> Result<FolderLock> {
    std::fs::create_dir_all(path).map_err(|e| cannot_write(path, &e))?;
    let lock_path = path.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| cannot_write(path, &e))?;
    // A holder that was just killed may take a moment to be gone (an ingest killed
    // with kill -9 ends its worker process through the kernel, a few milliseconds
    // later): wait briefly (a third of a second) before saying the index is busy.
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match fs4::fs_std::FileExt::try_lock_exclusive(&file) {
            Ok(true) => {
                return Ok(FolderLock {
                    _file: file,
                    path: lock_path,
                })
            }
            Ok(false) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Ok(false) => {
                return Err(Error::IndexLocked {
                    path: path.to_path_buf(),
                    lock: lock_path,
                })
            }
            Err(e) => return Err(cannot_write(path, &e)),
        }
    }
}

/// How long an ingest waits for the lock before saying another one holds it.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(300);

fn cannot_write(path: &Path, e: &std::io::Error) -> Error {
    Error::UnusableIndexPath {
        path: path.to_path_buf(),
        reason: format!("cannot write there ({e})"),
    }
}

/// Writes `bytes` as `name` in `dir` atomically: a temporary file of our own name,
/// flushed to disk, renamed over the old one, and the folder flushed so the rename
/// itself survives a power cut.
pub fn write_atomic(dir: &Path, name: &str, tmp_name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, dir.join(name))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Removes tantivy's files from `dir` by name, then the folder itself if that left
/// it empty. Anything else in it stays (and so does the folder).
pub fn remove_data_folder(dir: &Path) -> std::io::Result<()> {
    remove_tantivy_files(dir)?;
    match std::fs::remove_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        // Something that is not tantivy's is inside: the folder stays with it.
        Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes the files of `dir` (not its subfolders) that tantivy names, and the file of
/// article vectors made from them.
pub fn remove_tantivy_files(dir: &Path) -> std::io::Result<()> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for e in rd {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if (is_tantivy_name(&name) || is_neighbours_name(&name)) && e.file_type()?.is_file() {
            match std::fs::remove_file(e.path()) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(())
}

/// Removes every data folder in `path` except `keep` (by tantivy's file names, see
/// [`remove_data_folder`]).
pub fn remove_other_data_folders(path: &Path, keep: Option<&str>) -> std::io::Result<()> {
    for e in std::fs::read_dir(path)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if is_data_name(&name) && Some(name.as_str()) != keep && e.file_type()?.is_dir() {
            remove_data_folder(&e.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tantivy_names_are_recognised_and_nothing_else() {
        for n in [
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            ".tantivy-meta.lock",
            "0123456789abcdef0123456789abcdef.idx",
            "0123456789abcdef0123456789abcdef.store.temp",
            "0123456789abcdef0123456789abcdef.12.del",
            ".tmpA1b2C3",
        ] {
            assert!(is_tantivy_name(n), "{n}");
        }
        for n in [
            "thesis.docx",
            "photos",
            "meta.json.bak",
            "0123456789abcdef0123456789abcdef.docx",
            "0123456789ABCDEF0123456789ABCDEF.idx",
            "0123456789abcdef.idx",
            "0123456789abcdef0123456789abcdef..del",
            ".tmp",
            ".tmpfile-of-mine",
            "newsidx.json",
        ] {
            assert!(!is_tantivy_name(n), "{n}");
        }
    }

    #[test]
    fn data_folder_names_are_ours_only() {
        let n = new_data_name();
        assert!(is_data_name(&n), "{n}");
        assert_ne!(n, new_data_name());
        for n in ["gen-", "gen-photos", "generations", "gen-1/../x"] {
            assert!(!is_data_name(n), "{n}");
        }
    }

    #[test]
    fn removing_a_data_folder_keeps_what_is_not_tantivys() {
        let d = tempfile::tempdir().unwrap();
        let g = d.path().join("gen-1");
        std::fs::create_dir(&g).unwrap();
        std::fs::write(g.join("meta.json"), "{}").unwrap();
        std::fs::write(g.join("0123456789abcdef0123456789abcdef.idx"), "x").unwrap();
        remove_data_folder(&g).unwrap();
        assert!(!g.exists());
        std::fs::create_dir(&g).unwrap();
        std::fs::write(g.join("meta.json"), "{}").unwrap();
        std::fs::write(g.join("notes.txt"), "mine").unwrap();
        remove_data_folder(&g).unwrap();
        assert!(g.join("notes.txt").exists());
        assert!(!g.join("meta.json").exists());
    }
}
