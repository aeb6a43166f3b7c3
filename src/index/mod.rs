//! The index on disk: where it lives, what schema it has, which files it was built
//! from, and how an enriched article becomes a tantivy document.
//!
//! The index folder holds `newsidx.json` (schema version, the archive folder it
//! mirrors, and the data folder that holds tantivy's files), the ingest lock and the
//! data folders themselves; `layout.rs` says which names are ours and how a generation
//! is swapped in. The manifest used for incremental ingest is stored *inside* the index
//! as one "file" record per source file, so it is committed in the same atomic commit
//! as the articles it describes.

pub mod groups;
pub mod layout;
pub mod normalize;
pub mod readonly;
pub mod schema;
pub mod stored;
pub mod tokenizer;

use crate::enrich::Enriched;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use layout::{FolderLock, POINTER, POINTER_TMP};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tantivy::directory::error::LockError;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument, TantivyError, Term};

pub use schema::{Fields, SCHEMA_VERSION};

/// What `newsidx.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub schema_version: u32,
    /// The archive folder this index mirrors (absolute).
    pub root: PathBuf,
    /// The data folder (inside the index folder) holding tantivy's files. Absent in
    /// indexes of the first layout, whose tantivy files sit beside `newsidx.json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// The sentence-embedding model the articles' vectors were made with (`ingest
    /// --model`, absolute), which a search uses for the query's: see `crate::semantic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<PathBuf>,
}

pub struct NewsIndex {
    pub index: Index,
    pub fields: Fields,
    /// The index folder.
    pub path: PathBuf,
    /// The folder holding tantivy's files (a data folder inside `path`, or `path`
    /// itself for an index of the first layout).
    pub data_path: PathBuf,
    pub meta: Meta,
    /// One reader for the life of this value: opening segment readers is most of the
    /// cost of a small search. It follows new commits by itself (tantivy's
    /// reload-on-commit watcher).
    reader: std::sync::OnceLock<tantivy::IndexReader>,
    /// The pointer file as last seen naming this index's data folder: while it is
    /// unchanged, `is_current` needs one stat, not a read and a checksum.
    confirmed: std::sync::Mutex<Option<PointerStamp>>,
    /// [`side_stamps`] when this value was opened.
    side: [Option<PointerStamp>; 2],
    /// The user's gazetteer stored with the index, read on first use.
    gazetteer: std::sync::OnceLock<std::result::Result<crate::enrich::Gazetteer, String>>,
    /// The table naming each source's outlet, read when first asked for.
    sources: std::sync::OnceLock<crate::sources::Sources>,
    /// The sentence-embedding model the index was built with, read on first use.
    model: std::sync::OnceLock<std::result::Result<std::sync::Arc<crate::semantic::Model>, String>>,
    /// The file of article vectors as last opened, with what identified it on disk.
    neighbours: std::sync::Mutex<
        Option<(
            NeighboursStamp,
            std::sync::Arc<crate::semantic::neighbours::Neighbours>,
        )>,
    >,
}

/// What identifies one version of the file of article vectors: it is replaced by a
/// rename.
type NeighboursStamp = (u64, Option<std::time::SystemTime>, u64);

/// Where an index keeps the copy of the user's gazetteer (`ingest --gazetteer`).
pub fn stored_gazetteer(index: &Path) -> PathBuf {
    index.join(layout::GAZETTEER)
}

/// What identifies one version of `newsidx.json`: it is replaced by a rename, so a new
/// version is a new inode (and, on any file system, new metadata).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PointerStamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: Option<std::time::SystemTime>,
}

fn pointer_stamp(path: &Path) -> Option<PointerStamp> {
    file_stamp(&path.join(POINTER))
}

/// The stamps of the files an open index reads once and keeps: the user's gazetteer
/// and table of sources. A long-lived reader opens the index again when they change.
fn side_stamps(path: &Path) -> [Option<PointerStamp>; 2] {
    [
        file_stamp(&stored_gazetteer(path)),
        file_stamp(&path.join(crate::sources::USER_FILE)),
    ]
}

fn file_stamp(file: &Path) -> Option<PointerStamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(file).ok()?;
    Some(PointerStamp {
        dev: m.dev(),
        ino: m.ino(),
        len: m.len(),
        mtime: m.modified().ok(),
    })
}

/// Segments of at least this many articles are not merged again.
pub const MERGE_MAX_DOCS: usize = 20_000;

/// tantivy's log merge policy, for small segments only. Merging the big segments of a
/// large ingest while the writer still holds its buffers costs memory (mapped, the
/// merges' input took a 1M ingest's peak RSS from 0.65 GB to 2.3 GB) and CPU (flushed
/// segments merged during the run are merged again at its end). Small segments
/// (incremental runs) still merge, eight at a time, into segments of at most 160,000
/// articles.
impl NewsIndex {
    /// The gazetteer this index was built with: the shipped one, plus the user's file
    /// when an ingest was given one (`None`: the shipped one alone). A stored file
    /// that no longer reads is an error naming it.
    pub fn user_gazetteer(&self) -> Result<Option<&crate::enrich::Gazetteer>> {
        let path = stored_gazetteer(&self.path);
        if !path.is_file() {
            return Ok(None);
        }
        let g = self.gazetteer.get_or_init(|| {
            crate::enrich::Gazetteer::with_user_file(&path).map_err(|e| {
                format!("{e}; this is the index's copy of your gazetteer: fix it, or ingest again with --gazetteer FILE")
            })
        });
        match g {
            Ok(g) => Ok(Some(g)),
            Err(e) => Err(Error::Gazetteer(e.clone())),
        }
    }
}

/// At the end of an ingest, segments of at least [`MERGE_MAX_DOCS`] articles are
/// merged in groups of up to this many articles, one merge per writer thread at a
/// time: every search pays a fixed cost per segment (its terms looked up, its scorers
/// built), and one writer thread per core leaves about 30 segments at a million
/// articles (each thread flushes its buffer when it is full, about 35,000 articles in
/// 192 MiB). At a million articles, they become about 15 (the groups are of
/// uneven segments), for about 6% more ingest CPU (BENCHMARKS.md). An ingest reads
/// the index's files into buffers rather than mapping them
/// (`readonly::Unmapped::All`), so a merge's input does not stay in its resident
/// memory: two merges at a time, mapped, had taken a 1M ingest to 1.34 GB.
pub const FINAL_MERGE_DOCS: u64 = 100_000;

/// The groups of segments that the final merge joins: segments of at least
/// [`MERGE_MAX_DOCS`] live articles, smallest first (of equal sizes, in the order
/// given), gathered while a group stays within [`FINAL_MERGE_DOCS`]; a group of one is
/// left as it is.
pub fn final_merge_groups<T: Copy>(segments: &[(T, u64)]) -> Vec<Vec<T>> {
    let mut big: Vec<&(T, u64)> = segments
        .iter()
        .filter(|(_, n)| *n >= MERGE_MAX_DOCS as u64)
        .collect();
    big.sort_by_key(|(_, n)| *n);
    let mut groups = Vec::new();
    let mut group: Vec<T> = Vec::new();
    let mut docs = 0u64;
    for (id, n) in big {
        if docs + n > FINAL_MERGE_DOCS && !group.is_empty() {
            if group.len() > 1 {
                groups.push(std::mem::take(&mut group));
            }
            group.clear();
            docs = 0;
        }
        group.push(*id);
        docs += n;
    }
    if group.len() > 1 {
        groups.push(group);
    }
    groups
}

pub fn merge_policy() -> tantivy::indexer::LogMergePolicy {
    let mut p = tantivy::indexer::LogMergePolicy::default();
    p.set_max_docs_before_merge(MERGE_MAX_DOCS);
    p
}

/// What the index knows about one source file.
#[derive(Debug, Clone, Default)]
pub struct FileRecord {
    pub size: u64,
    pub mtime: i64,
    pub hash: String,
    pub ids: Vec<String>,
    /// Where a streamed file was read to, when more may be appended and read alone.
    pub stream: Option<crate::ingest::StreamState>,
}

/// The mtime of a record whose file's articles are being replaced: it matches no
/// file, so a run killed before the new record went in reads the file again.
const IN_FLUX: i64 = i64::MIN;

impl FileRecord {
    /// This record, marked as describing a file whose articles are being replaced: its
    /// ids are still those of the recorded version, but the index may hold a mix of
    /// versions until the new record replaces it.
    pub fn in_flux(&self) -> FileRecord {
        FileRecord {
            mtime: IN_FLUX,
            hash: String::new(),
            stream: None,
            ..self.clone()
        }
    }

    /// True when the index may hold a mix of this file's versions.
    pub fn is_in_flux(&self) -> bool {
        self.mtime == IN_FLUX
    }
}

/// What `newsidx.json` says, read without opening anything else.
enum Pointer {
    Absent,
    Unreadable(String),
    Found(Meta),
}

/// `newsidx.json` on disk: the meta and a checksum of it. Nothing else guards this
/// file (tantivy checksums its own), and a damaged root or data folder name would
/// otherwise send an ingest to the wrong place.
#[derive(Serialize, Deserialize)]
struct PointerFile {
    #[serde(flatten)]
    meta: Meta,
    /// blake3 of the meta's compact JSON (hex, first 32 digits). Absent in indexes of
    /// the first layout; required once there is a data folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    check: Option<String>,
}

fn meta_check(meta: &Meta) -> String {
    let bytes = serde_json::to_vec(meta).expect("meta serialises");
    blake3::hash(&bytes).to_hex()[..32].to_string()
}

fn read_pointer(path: &Path) -> Result<Pointer> {
    let p = path.join(POINTER);
    let bytes = match std::fs::read(&p) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Pointer::Absent),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(Pointer::Absent),
        Err(e) => return Err(Error::io(&p, e)),
    };
    let file: PointerFile = match serde_json::from_slice(&bytes) {
        Ok(f) => f,
        Err(e) => return Ok(Pointer::Unreadable(format!("{POINTER}: {e}"))),
    };
    let checked = match &file.check {
        Some(c) => *c == meta_check(&file.meta),
        None => file.meta.data.is_none(),
    };
    if !checked {
        return Ok(Pointer::Unreadable(format!("{POINTER} fails its checksum")));
    }
    if let Some(d) = file
        .meta
        .data
        .as_deref()
        .filter(|d| !layout::is_data_name(d))
    {
        return Ok(Pointer::Unreadable(format!(
            "{POINTER} names {d:?}, which is not a data folder"
        )));
    }
    Ok(Pointer::Found(file.meta))
}

/// The folder of tantivy's files that `meta` names.
fn data_dir(path: &Path, meta: &Meta) -> PathBuf {
    match &meta.data {
        Some(d) => path.join(d),
        None => path.to_path_buf(),
    }
}

impl NewsIndex {
    /// Opens an existing index for reading. It takes no lock: an ingest may be writing
    /// (a search sees its last commit) or a rebuild may be swapping in a new
    /// generation (a search sees the old one until the swap, the new one after).
    pub fn open(path: &Path) -> Result<NewsIndex> {
        Self::open_with(path, false)
    }

    /// Opens an index for reading every stored article once (an export): the
    /// document stores are read into buffers, not mapped (see `readonly.rs`), so the
    /// process's resident memory does not grow with the index.
    pub fn open_for_scan(path: &Path) -> Result<NewsIndex> {
        Self::open_with(path, true)
    }

    fn open_with(path: &Path, scan: bool) -> Result<NewsIndex> {
        // A file given as --index, or a folder that cannot be looked into, is said as
        // such, not as "no index here".
        match std::fs::metadata(path) {
            Ok(m) if !m.is_dir() => {
                return Err(Error::UnusableIndexPath {
                    path: path.to_path_buf(),
                    reason: format!("is {}, not an index folder", crate::error::kind_of(&m)),
                })
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(path, e)),
            _ => {}
        }
        // A rebuild may swap the pointer and remove the old data folder between our
        // reading the pointer and opening its files: then the pointer names another
        // folder, and that one is opened instead.
        let mut tries = 0;
        loop {
            let meta = Self::pointer_for_reading(path)?;
            let unmapped = if scan {
                readonly::Unmapped::Stores
            } else {
                readonly::Unmapped::None
            };
            match Self::open_data(path, meta.clone(), unmapped) {
                Ok(idx) => return Ok(idx),
                Err(e) => {
                    tries += 1;
                    let moved =
                        matches!(read_pointer(path), Ok(Pointer::Found(m)) if m.data != meta.data);
                    if !moved || tries >= 5 {
                        return Err(e);
                    }
                }
            }
        }
    }

    fn pointer_for_reading(path: &Path) -> Result<Meta> {
        let meta = match read_pointer(path)? {
            Pointer::Found(m) => m,
            Pointer::Unreadable(reason) => {
                return Err(Error::Damaged {
                    path: path.to_path_buf(),
                    reason,
                })
            }
            Pointer::Absent => {
                return Err(if path.join("meta.json").exists() {
                    Error::Damaged {
                        path: path.to_path_buf(),
                        reason: format!("{POINTER} is missing"),
                    }
                } else {
                    Error::NoIndex(path.to_path_buf())
                })
            }
        };
        if meta.schema_version != SCHEMA_VERSION {
            return Err(Error::IncompatibleIndex {
                path: path.to_path_buf(),
                found: meta.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        if !data_dir(path, &meta).join("meta.json").exists() {
            return Err(match &meta.data {
                // The first layout wrote newsidx.json before tantivy's files: a run cut
                // short there left no index yet.
                None => Error::NoIndex(path.to_path_buf()),
                Some(d) => Error::Damaged {
                    path: path.to_path_buf(),
                    reason: format!("its data folder {d} is missing or incomplete"),
                },
            });
        }
        Ok(meta)
    }

    fn open_data(path: &Path, meta: Meta, unmapped: readonly::Unmapped) -> Result<NewsIndex> {
        let data_path = data_dir(path, &meta);
        let dir = readonly::ReadTolerant::open_with(&data_path, unmapped)
            .map_err(|e| damaged(path, e))?;
        let index = Index::open(dir).map_err(|e| damaged(path, e))?;
        // Opening a reader reads every segment's footer: a truncated or corrupted file
        // is found here, as a clear error, rather than in the middle of a search.
        let reader = index.reader().map_err(|e| damaged(path, e))?;
        let fields = schema::fields_of(&index.schema()).ok_or_else(|| Error::Damaged {
            path: path.to_path_buf(),
            reason: "its fields are not the ones this newsidx writes".into(),
        })?;
        segments_agree(path, &reader, &fields)?;
        schema::register_tokenizers(&index);
        Ok(NewsIndex {
            index,
            fields,
            path: path.to_path_buf(),
            data_path,
            meta,
            reader: reader.into(),
            confirmed: Default::default(),
            side: side_stamps(path),
            gazetteer: std::sync::OnceLock::new(),
            sources: Default::default(),
            model: std::sync::OnceLock::new(),
            neighbours: std::sync::Mutex::new(None),
        })
    }

    /// Whether `newsidx.json` still names the data folder this value reads. A
    /// long-lived reader (a server) checks this cheaply — one small file read — and
    /// opens the index again when a rebuild has swapped in a new generation.
    /// It is not current either when the user's gazetteer or table of sources beside
    /// it changed (`ingest --gazetteer`, an edited `sources.tsv`): both are read once
    /// per opened value.
    pub fn is_current(&self) -> bool {
        if side_stamps(&self.path) != self.side {
            return false;
        }
        // Stamped before the read: a pointer replaced in between is read as new, and
        // its stamp differs from the one kept, so it is read again next time.
        let stamp = pointer_stamp(&self.path);
        let mut confirmed = self.confirmed.lock().unwrap_or_else(|e| e.into_inner());
        if stamp.is_some() && *confirmed == stamp {
            return true;
        }
        let current =
            matches!(read_pointer(&self.path), Ok(Pointer::Found(m)) if m.data == self.meta.data);
        *confirmed = if current { stamp } else { None };
        current
    }

    /// Reads every file of the committed index and checks it against its checksum (and
    /// that every file the index lists is there). Costs a full read of the index: it is
    /// for telling damage from a bug once something has gone wrong.
    pub fn verify(path: &Path) -> Result<()> {
        let meta = Self::pointer_for_reading(path)?;
        let data_path = data_dir(path, &meta);
        let dir = readonly::ReadTolerant::open(&data_path).map_err(|e| damaged(path, e))?;
        let index = Index::open(dir).map_err(|e| damaged(path, e))?;
        let metas = index.load_metas().map_err(|e| damaged(path, e))?;
        for seg in &metas.segments {
            if seg.num_deleted_docs() > seg.max_doc() {
                return Err(Error::Damaged {
                    path: path.to_path_buf(),
                    reason: "meta.json counts more deleted articles than a segment holds".into(),
                });
            }
        }
        let mut files: Vec<PathBuf> = metas.list_segment_files().into_iter().collect();
        files.sort();
        for f in files {
            let name = f.to_string_lossy();
            let optional = name.ends_with(".store.temp")
                || (name.ends_with(".del")
                    && !metas.segments.iter().any(|s| {
                        s.has_deletes()
                            && f == s.relative_path(tantivy::index::SegmentComponent::Delete)
                    }));
            if !data_path.join(&f).exists() {
                if optional {
                    continue;
                }
                return Err(Error::Damaged {
                    path: path.to_path_buf(),
                    reason: format!("{} is missing", f.display()),
                });
            }
            match index.directory().validate_checksum(&f) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Error::Damaged {
                        path: path.to_path_buf(),
                        reason: format!("{} fails its checksum", f.display()),
                    })
                }
                Err(e) => return Err(damaged(path, e.into())),
            }
        }
        let reader = index.reader().map_err(|e| damaged(path, e))?;
        let fields = schema::fields_of(&index.schema()).ok_or_else(|| Error::Damaged {
            path: path.to_path_buf(),
            reason: "its fields are not the ones this newsidx writes".into(),
        })?;
        segments_agree(path, &reader, &fields)?;
        Ok(())
    }

    /// Every article's vector, for the nearest to a query in meaning (see
    /// `crate::semantic::neighbours`): the file written by the last ingest with a model,
    /// opened again when a later one has replaced it. `None` without a model, before
    /// the first such ingest, or when the file is damaged (the next ingest writes it
    /// anew): the search then orders its matches by meaning without it.
    pub fn neighbours(&self) -> Option<std::sync::Arc<crate::semantic::neighbours::Neighbours>> {
        self.meta.model.as_ref()?;
        let path = self.data_path.join(crate::semantic::neighbours::FILE);
        let m = std::fs::metadata(&path).ok()?;
        #[cfg(unix)]
        let ino = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let ino = 0;
        let stamp = (m.len(), m.modified().ok(), ino);
        let mut cached = self
            .neighbours
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((s, n)) = cached.as_ref() {
            if *s == stamp {
                return Some(n.clone());
            }
        }
        let n = std::sync::Arc::new(
            crate::semantic::neighbours::Neighbours::open(&self.data_path).ok()??,
        );
        *cached = Some((stamp, n.clone()));
        Some(n)
    }

    /// The sentence-embedding model the index was built with (`ingest --model`), read
    /// the first time it is asked for; `None` for an index built without one.
    pub fn model(&self) -> Result<Option<std::sync::Arc<crate::semantic::Model>>> {
        let Some(dir) = &self.meta.model else {
            return Ok(None);
        };
        let m = self
            .model
            .get_or_init(|| crate::semantic::Model::load(dir).map(std::sync::Arc::new));
        match m {
            Ok(m) => Ok(Some(m.clone())),
            Err(e) => Err(Error::Model(format!(
                "{e}; the index {} was built with the model in {}: put it back, or rebuild the index (`newsidx ingest DIR --rebuild --model DIR`)",
                self.path.display(),
                dir.display()
            ))),
        }
    }

    /// The shipped table of sources with the index folder's own `sources.tsv`, read
    /// the first time it is asked for (see `crate::sources`).
    pub fn sources(&self) -> &crate::sources::Sources {
        self.sources
            .get_or_init(|| crate::sources::Sources::load(&self.path))
    }

    /// The outlet a source as stored names: `cnn.com` → `CNN`.
    pub fn canonical_source<'a>(&self, raw: &'a str) -> std::borrow::Cow<'a, str> {
        self.sources().table.canonical(raw)
    }

    /// A searcher over the index as last committed.
    pub fn searcher(&self) -> Result<tantivy::Searcher> {
        if let Some(r) = self.reader.get() {
            return Ok(r.searcher());
        }
        let r = self.index.reader()?;
        let s = r.searcher();
        let _ = self.reader.set(r);
        Ok(s)
    }

    /// Opens the index at `path` for an ingest of `root`, creating it when the folder
    /// is empty or missing; with `rebuild`, a new empty generation that replaces the
    /// current one when [`Ingesting::finish`] is called. Takes the folder's ingest lock
    /// before anything else is read or written.
    pub fn open_for_ingest(path: &Path, root: &Path, rebuild: bool) -> Result<Ingesting> {
        if let Ok(m) = std::fs::metadata(path) {
            if !m.is_dir() {
                return Err(Error::UnusableIndexPath {
                    path: path.to_path_buf(),
                    reason: format!("is {}, not a folder", crate::error::kind_of(&m)),
                });
            }
        }
        // A folder that is not ours is refused before a lock file is put into it.
        if path.is_dir() && !path.join(POINTER).exists() {
            refuse_foreign(path)?;
        }
        let lock = layout::lock(path)?;
        // A pointer write cut short (a full disk, a kill) leaves our temporary file.
        match std::fs::remove_file(path.join(POINTER_TMP)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(unusable(path, &e)),
            _ => {}
        }
        let pointer = read_pointer(path)?;
        if rebuild {
            if matches!(pointer, Pointer::Absent) {
                refuse_foreign(path)?;
                return create(path, root, lock, false);
            }
            // The old index may be damaged or of another version: a rebuild needs
            // nothing from it (but the model it was read with, which a rebuild
            // without `--model` keeps), and leaves it in place until the new one is
            // complete.
            let mut ing = create(path, root, lock, true)?;
            if let (Pointer::Found(old), Some(meta)) = (&pointer, ing.pending.as_mut()) {
                meta.model = old.model.clone();
            }
            return Ok(ing);
        }
        let meta = match pointer {
            Pointer::Found(m) => m,
            Pointer::Unreadable(reason) => {
                return Err(Error::Damaged {
                    path: path.to_path_buf(),
                    reason,
                })
            }
            Pointer::Absent => {
                refuse_foreign(path)?;
                return create(path, root, lock, false);
            }
        };
        if meta.schema_version != SCHEMA_VERSION {
            return Err(Error::IncompatibleIndex {
                path: path.to_path_buf(),
                found: meta.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        if meta.root != root {
            return Err(Error::OtherRoot {
                path: path.to_path_buf(),
                root: meta.root.clone(),
                requested: root.to_path_buf(),
            });
        }
        if !data_dir(path, &meta).join("meta.json").exists() {
            if meta.data.is_none() {
                // The first layout wrote newsidx.json before tantivy's files: its
                // creation was cut short, and the index is created again.
                return create(path, root, lock, false);
            }
            return Err(Error::Damaged {
                path: path.to_path_buf(),
                reason: format!(
                    "its data folder {} is missing or incomplete",
                    meta.data.as_deref().unwrap_or_default()
                ),
            });
        }
        tidy(path, &meta);
        let idx = NewsIndex::open_data(path, meta, readonly::Unmapped::All)?;
        Ok(Ingesting {
            idx,
            pending: None,
            fresh: false,
            _lock: lock,
        })
    }

    /// Takes the single-writer lock. A second ingest gets a clear error; a lock left by
    /// a killed process is an OS file lock, released with the process, so never stale.
    pub fn writer<D: tantivy::Document>(
        &self,
        threads: usize,
        memory_bytes: usize,
    ) -> Result<IndexWriter<D>> {
        // Each thread needs 20 MB at least: more threads than the budget holds would
        // take more memory than configured.
        let threads = threads.clamp(1, (memory_bytes / 20_000_000).clamp(1, 8));
        let per_thread = (memory_bytes / threads.max(1)).max(20_000_000);
        let writer: IndexWriter<D> = self
            .index
            .writer_with_num_threads(threads.max(1), per_thread * threads.max(1))
            .map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => Error::IndexLocked {
                    path: self.path.clone(),
                    lock: self.data_path.join(".tantivy-writer.lock"),
                },
                TantivyError::LockFailure(LockError::IoError(io), _) => Error::UnusableIndexPath {
                    path: self.path.clone(),
                    reason: format!("cannot write there ({io})"),
                },
                TantivyError::IoError(_) => unusable_t(&self.path, e),
                other => other.into(),
            })?;
        writer.set_merge_policy(Box::new(merge_policy()));
        Ok(writer)
    }

    /// All file records: path -> what was indexed from it.
    pub fn manifest(&self) -> Result<HashMap<String, FileRecord>> {
        let f = self.fields;
        let searcher = self.searcher()?;
        let q = TermQuery::new(
            Term::from_field_text(f.kind, "file"),
            IndexRecordOption::Basic,
        );
        let addrs = searcher.search(&q, &tantivy::collector::DocSetCollector)?;
        let mut out = HashMap::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let s = |fl| {
                doc.get_first(fl)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let key = s(f.file_key);
            let ids = s(f.file_ids);
            out.insert(
                key,
                FileRecord {
                    size: doc
                        .get_first(f.file_size)
                        .and_then(|v| v.as_u64())
                        .unwrap_or(0),
                    mtime: doc
                        .get_first(f.file_mtime)
                        .and_then(|v| v.as_i64())
                        .unwrap_or(0),
                    hash: s(f.file_hash),
                    ids: ids.lines().map(str::to_string).collect(),
                    // Unreadable (written by a later version?): read the file whole.
                    stream: f
                        .file_stream
                        .and_then(|fl| doc.get_first(fl).and_then(|v| v.as_str()))
                        .and_then(|j| serde_json::from_str(j).ok()),
                },
            );
        }
        Ok(out)
    }

    pub fn article_doc(&self, e: &Enriched) -> TantivyDocument {
        article_doc(&self.fields, e)
    }

    pub fn file_doc(&self, path: &str, rec: &FileRecord) -> TantivyDocument {
        let f = self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.kind, "file");
        d.add_text(f.file_key, path);
        d.add_u64(f.file_size, rec.size);
        d.add_i64(f.file_mtime, rec.mtime);
        d.add_text(f.file_hash, &rec.hash);
        d.add_text(f.file_ids, rec.ids.join("\n"));
        if let (Some(field), Some(st)) = (f.file_stream, &rec.stream) {
            if let Ok(json) = serde_json::to_string(st) {
                d.add_text(field, json);
            }
        }
        d
    }

    /// Bytes on disk: the pointer and tantivy's files.
    pub fn size_bytes(&self) -> u64 {
        let data = std::fs::read_dir(&self.data_path)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| {
                        self.meta.data.is_some()
                            || layout::is_tantivy_name(&e.file_name().to_string_lossy())
                    })
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum::<u64>()
            })
            .unwrap_or(0);
        let pointer = std::fs::metadata(self.path.join(POINTER))
            .map(|m| m.len())
            .unwrap_or(0);
        data + pointer
    }
}

/// An index opened for an ingest. The folder's lock is held for the life of this
/// value. A rebuild writes a new generation that readers do not see until
/// [`Ingesting::finish`] swaps it in; dropped unfinished (an error, Ctrl-C), the new
/// generation is removed and the old index stays as it was.
pub struct Ingesting {
    pub idx: NewsIndex,
    /// The pointer to write at `finish` (a rebuild's new generation).
    pending: Option<Meta>,
    /// The index was created by this run (it has no article yet).
    fresh: bool,
    _lock: FolderLock,
}

impl Ingesting {
    /// Whether this run builds a new generation that replaces the current index.
    pub fn is_rebuild(&self) -> bool {
        self.pending.is_some()
    }

    /// Settles the sentence-embedding model whose vectors this run stores (see
    /// `crate::semantic`), then `idx.meta.model` (and `idx.model()`) names it: `given`
    /// (absolute) for a new index or a rebuild, which records it (a rebuild without one
    /// keeps the old index's); otherwise the one the index was built with, which
    /// `given` must be. An index keeps one model: vectors of two models are not
    /// comparable.
    pub fn use_model(&mut self, given: Option<&Path>) -> Result<()> {
        if self.fresh {
            let model = given
                .map(Path::to_path_buf)
                .or_else(|| self.pending.as_ref().and_then(|m| m.model.clone()));
            if let Some(meta) = self.pending.as_mut() {
                meta.model = model.clone();
                self.idx.meta.model = model.clone();
            } else if model.is_some() {
                let meta = Meta {
                    model: model.clone(),
                    ..self.idx.meta.clone()
                };
                write_pointer(&self.idx.path, &meta)?;
                self.idx.meta = meta;
            }
            return Ok(());
        }
        let had = &self.idx.meta.model;
        match given {
            None => Ok(()),
            Some(g) if had.as_deref() == Some(g) => Ok(()),
            Some(g) => Err(Error::InvalidArgument(format!(
                "{}: this index's articles were read {}; to use the model in {}, rebuild it: `newsidx ingest DIR --rebuild --model {}`",
                self.idx.path.display(),
                match had {
                    Some(m) => format!("with the model in {}", m.display()),
                    None => "without a model".to_string(),
                },
                g.display(),
                g.display()
            ))),
        }
    }

    /// Makes a rebuild's generation the index (one atomic rename of the pointer), then
    /// removes the old generation's files. Call after the last commit.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(meta) = self.pending.take() {
            write_pointer(&self.idx.path, &meta)?;
            self.idx.meta = meta;
            tidy(&self.idx.path, &self.idx.meta);
        }
        Ok(())
    }
}

impl Drop for Ingesting {
    fn drop(&mut self) {
        if self.pending.is_some() {
            // An unfinished rebuild: its generation was never visible; remove it now
            // (a killed run's is removed by the next run, under the lock).
            let _ = layout::remove_data_folder(&self.idx.data_path);
        }
    }
}

/// Creates a new generation. With `swap_at_end` (a rebuild over an existing index) the
/// pointer is written by [`Ingesting::finish`]; otherwise at once: the new index is
/// empty but complete, and each commit of the run is kept even if it is killed, so the
/// next run goes on from there.
fn create(path: &Path, root: &Path, lock: FolderLock, swap_at_end: bool) -> Result<Ingesting> {
    let name = layout::new_data_name();
    let data_path = path.join(&name);
    std::fs::create_dir(&data_path).map_err(|e| write_err(path, &e))?;
    let made = (|| {
        let (schema, fields) = schema::build();
        let dir = readonly::ReadTolerant::open_with(&data_path, readonly::Unmapped::All).map_err(
            |e| Error::UnusableIndexPath {
                path: path.to_path_buf(),
                reason: e.to_string(),
            },
        )?;
        let index = Index::create(dir, schema, tantivy::IndexSettings::default())
            .map_err(|e| Error::write(path, e))?;
        schema::register_tokenizers(&index);
        let meta = Meta {
            schema_version: SCHEMA_VERSION,
            root: root.to_path_buf(),
            data: Some(name.clone()),
            model: None,
        };
        if !swap_at_end {
            write_pointer(path, &meta)?;
            tidy(path, &meta);
        }
        Ok((index, fields, meta))
    })();
    let (index, fields, meta) = match made {
        Ok(x) => x,
        Err(e) => {
            let _ = layout::remove_data_folder(&data_path);
            return Err(e);
        }
    };
    Ok(Ingesting {
        pending: swap_at_end.then(|| meta.clone()),
        fresh: true,
        idx: NewsIndex {
            index,
            fields,
            path: path.to_path_buf(),
            data_path,
            meta,
            reader: std::sync::OnceLock::new(),
            confirmed: Default::default(),
            side: side_stamps(path),
            gazetteer: std::sync::OnceLock::new(),
            sources: Default::default(),
            model: std::sync::OnceLock::new(),
            neighbours: std::sync::Mutex::new(None),
        },
        _lock: lock,
    })
}

fn write_pointer(path: &Path, meta: &Meta) -> Result<()> {
    let file = PointerFile {
        meta: meta.clone(),
        check: Some(meta_check(meta)),
    };
    let bytes = serde_json::to_vec_pretty(&file).expect("meta serialises");
    layout::write_atomic(path, POINTER, POINTER_TMP, &bytes).map_err(|e| write_err(path, &e))
}

/// Removes what is left of other generations (an old one after a swap, a killed
/// rebuild's) and, once the index has a data folder, the first layout's tantivy files
/// beside the pointer. Only tantivy's and our names are touched. A failure leaves
/// files for the next run to remove; it does not fail this one.
fn tidy(path: &Path, current: &Meta) {
    let _ = layout::remove_other_data_folders(path, current.data.as_deref());
    if current.data.is_some() {
        let _ = layout::remove_tantivy_files(path);
    }
}

/// Refuses a folder without a pointer that holds anything that is not ours: it is not
/// an index, and nothing in it may be touched. tantivy's names count as ours only when
/// they hold a newsidx index (one of the first layout that lost its pointer).
fn refuse_foreign(path: &Path) -> Result<()> {
    let mut foreign = layout::foreign_entries(path).map_err(|e| unusable(path, &e))?;
    if path.join("meta.json").exists() && !holds_newsidx_schema(path) {
        foreign.insert(0, "meta.json".into());
    }
    if foreign.is_empty() {
        return Ok(());
    }
    Err(Error::UnusableIndexPath {
        path: path.to_path_buf(),
        reason: format!(
            "is not empty and not a newsidx index (holds {})",
            foreign
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// Whether the tantivy index at the top of `path` has the fields newsidx writes.
fn holds_newsidx_schema(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path.join("meta.json")) else {
        return false;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    let names: Vec<&str> = v["schema"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["name"].as_str()).collect())
        .unwrap_or_default();
    ["kind", "file_key", "dup_bands", "enrichment"]
        .iter()
        .all(|n| names.contains(n))
}

fn write_err(path: &Path, e: &std::io::Error) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

pub fn article_doc(f: &Fields, e: &Enriched) -> TantivyDocument {
    article_doc_from(f, e, &e.article.path)
}

/// The document of an article read from the archive file `origin` (its own path, or
/// the file of enriched records that held it).
pub fn article_doc_from(f: &Fields, e: &Enriched, origin: &str) -> TantivyDocument {
    let a = &e.article;
    // What `show` reads back (`stored::read`).
    let json = stored::write(
        &e.tags,
        &e.dates,
        &a.date_raw,
        a.title_derived,
        [&a.title, a.subtitle.as_deref().unwrap_or(""), &a.body],
    );
    let mut terms: Vec<String> = e.dates.iter().flat_map(|m| m.index_terms()).collect();
    terms.sort();
    terms.dedup();
    // The document's one buffer made big enough at once: grown from 1 kB by doubling,
    // an article's text was copied four times over into fresh memory.
    let texts = [&a.id, &a.path, &a.title, &a.body]
        .iter()
        .map(|t| t.len())
        .chain([origin.len(), a.subtitle.as_ref().map_or(0, String::len)])
        .chain([a.source.as_ref(), a.url.as_ref()].map(|t| t.map_or(0, String::len)))
        .chain(a.authors.iter().map(String::len))
        .chain(terms.iter().map(String::len))
        .chain(e.tags.countries.iter().map(|c| c.code.len()))
        .chain(e.tags.leaders.iter().map(|l| l.name.len()))
        .chain(e.tags.orgs.iter().map(|o| o.name.len()))
        .chain([json.len()])
        .sum::<usize>();
    // The 16 band keys, a dozen single values, and the lists.
    let values = 16
        + 12
        + a.authors.len()
        + terms.len()
        + e.tags.countries.len()
        + e.tags.leaders.len()
        + e.tags.orgs.len();
    let mut d = TantivyDocument::with_capacity(texts + 16 * values);
    d.add_text(f.kind, "article");
    d.add_text(f.id, &a.id);
    d.add_text(f.path, &a.path);
    if let Some(o) = f.origin {
        d.add_text(o, origin);
    }
    if let Some(r) = a.record {
        d.add_u64(f.record, r);
    }
    d.add_text(f.title, &a.title);
    if let Some(s) = &a.subtitle {
        d.add_text(f.subtitle, s);
    }
    d.add_text(f.body, &a.body);
    // A date outside the index's range goes in as none (the pipeline reports it); the
    // text it was read from stays in the stored enrichment (`date_raw`).
    if let Some(p) = e.published.and_then(date_to_tantivy) {
        d.add_date(f.published, p);
        if let Some(src) = e.published_from {
            d.add_text(f.published_from, src.as_str());
        }
    }
    for t in terms {
        d.add_text(f.mentioned, t);
    }
    for c in &e.tags.countries {
        let field = if c.via_place {
            f.place_countries
        } else {
            f.countries
        };
        d.add_text(field, &c.code);
    }
    for l in &e.tags.leaders {
        d.add_text(f.leaders, &l.name);
    }
    for o in &e.tags.orgs {
        d.add_text(f.orgs, &o.name);
    }
    if let Some(s) = &a.source {
        d.add_text(f.source, s);
    }
    if let Some(u) = &a.url {
        d.add_text(f.url, u);
        if let Some(k) = f.url_key {
            let key = schema::url_key(u);
            if let Some(path) = schema::url_key_without_query(&key) {
                d.add_text(k, path);
            }
            d.add_text(k, key);
        }
    }
    for au in &a.authors {
        d.add_text(f.authors, au);
    }
    for b in e.bands.iter().flatten() {
        d.add_u64(f.dup_bands, *b);
    }
    d.add_text(f.enrichment, json);
    d
}

/// The day as tantivy stores it (nanoseconds since 1970 in an i64), or `None` for a
/// day outside [`date_limits`]: such a date would wrap into another century.
pub fn date_to_tantivy(d: NaiveDate) -> Option<DateTime> {
    let secs = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    secs.checked_mul(1_000_000_000)
        .map(DateTime::from_timestamp_nanos)
}

/// The first and last day the index can hold as a date: 1677-09-22 to 2262-04-11.
pub fn date_limits() -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(1677, 9, 22).expect("a valid day");
    let last = NaiveDate::from_ymd_opt(2262, 4, 11).expect("a valid day");
    (first, last)
}

pub fn date_from_tantivy(d: DateTime) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0).map(|t| t.date_naive())
}

/// meta.json has no checksum: its article count for each segment is checked against
/// the segment's own (checksummed) files, so a damaged count is an error here rather
/// than a crash or a wrong answer later. One slice length per segment: cheap.
fn segments_agree(path: &Path, reader: &tantivy::IndexReader, fields: &Fields) -> Result<()> {
    for sr in reader.searcher().segment_readers() {
        let norms = sr
            .get_fieldnorms_reader(fields.title)
            .map_err(|e| damaged(path, e))?;
        if norms.num_docs() != sr.max_doc() {
            return Err(Error::Damaged {
                path: path.to_path_buf(),
                reason: format!(
                    "meta.json says a segment holds {} documents, its files {}",
                    sr.max_doc(),
                    norms.num_docs()
                ),
            });
        }
    }
    Ok(())
}

fn unusable(path: &Path, e: &std::io::Error) -> Error {
    Error::UnusableIndexPath {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

fn unusable_t(path: &Path, e: TantivyError) -> Error {
    Error::UnusableIndexPath {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

fn damaged(path: &Path, e: TantivyError) -> Error {
    use tantivy::directory::error::OpenReadError;
    let reason = match &e {
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(p)) => {
            format!("{} is missing", p.display())
        }
        TantivyError::OpenReadError(OpenReadError::IoError { filepath, .. }) => {
            format!("{} is truncated or unreadable", filepath.display())
        }
        TantivyError::DataCorruption(c) => format!("corrupted data: {c:?}"),
        other => other.to_string(),
    };
    Error::Damaged {
        path: path.to_path_buf(),
        reason,
    }
}

/// Figures for `newsidx stats`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub articles: usize,
    pub files: usize,
    pub sources: usize,
    pub earliest: Option<String>,
    pub latest: Option<String>,
    pub index_bytes: u64,
    pub schema_version: u32,
    /// The folder of the model the articles' meaning was read with (`ingest --model`);
    /// absent for an index built without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// With a model: how many articles' vectors the file for the nearest in meaning
    /// holds (`crate::semantic::neighbours`; 0 where there is none, or it is damaged),
    /// and whether it was written from the index as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nearest_vectors: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nearest_current: Option<bool>,
}

/// The first and the last day articles of the index were published (`YYYY-MM-DD`), from
/// the segments' date columns; `None` where no article has a date.
pub fn published_span(searcher: &tantivy::Searcher) -> (Option<String>, Option<String>) {
    let (mut lo, mut hi): (Option<DateTime>, Option<DateTime>) = (None, None);
    for seg in searcher.segment_readers() {
        if let Ok(col) = seg.fast_fields().date("published") {
            if col.num_docs() > 0 && col.values.num_vals() > 0 {
                let (a, b) = (col.min_value(), col.max_value());
                lo = Some(lo.map_or(a, |x| x.min(a)));
                hi = Some(hi.map_or(b, |x| x.max(b)));
            }
        }
    }
    let fmt = |d: Option<DateTime>| {
        d.and_then(date_from_tantivy)
            .map(|d| d.format("%Y-%m-%d").to_string())
    };
    (fmt(lo), fmt(hi))
}
pub fn stats(idx: &NewsIndex) -> Result<Stats> {
    use tantivy::collector::Count;
    let f = idx.fields;
    let searcher = idx.searcher()?;
    let count = |kind: &str| -> Result<usize> {
        let q = TermQuery::new(
            Term::from_field_text(f.kind, kind),
            IndexRecordOption::Basic,
        );
        Ok(searcher.search(&q, &Count)?)
    };
    let articles = count("article")?;
    let files = count("file")?;
    let q = TermQuery::new(
        Term::from_field_text(f.kind, "article"),
        IndexRecordOption::Basic,
    );
    // Outlets, not spellings: cnn.com and CNN are one source.
    let sources = searcher
        .search(
            &q,
            &crate::search::facets::TagCounts {
                fields: vec!["source"],
            },
        )?
        .pop()
        .map(|m| {
            m.keys()
                .map(|k| idx.canonical_source(k).into_owned())
                .collect::<std::collections::HashSet<_>>()
                .len()
        })
        .unwrap_or(0);
    let (earliest, latest) = published_span(&searcher);
    let (nearest_vectors, nearest_current) = match (&idx.meta.model, idx.neighbours()) {
        (None, _) => (None, None),
        (Some(_), None) => (Some(0), Some(false)),
        (Some(_), Some(n)) => (Some(n.len()), Some(n.is_current(&searcher))),
    };
    Ok(Stats {
        articles,
        files,
        sources,
        earliest,
        latest,
        index_bytes: idx.size_bytes(),
        schema_version: idx.meta.schema_version,
        model: idx.meta.model.as_ref().map(|m| m.display().to_string()),
        nearest_vectors,
        nearest_current,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_final_merge_joins_big_segments_up_to_its_group_size() {
        let big = MERGE_MAX_DOCS as u64;
        // A million articles from two writer threads: 40 segments of 25,000.
        let segs: Vec<(usize, u64)> = (0..40).map(|i| (i, 25_000)).collect();
        let groups = final_merge_groups(&segs);
        assert_eq!(groups.len(), 10);
        assert!(groups.iter().all(|g| g.len() == 4));
        let mut all: Vec<usize> = groups.concat();
        all.sort();
        assert_eq!(all, (0..40).collect::<Vec<_>>(), "each segment once");
        // Small segments are left to the merge policy; a big one alone stays as it is;
        // one already at the group size is not merged again.
        let segs = [(0, 10), (1, big), (2, FINAL_MERGE_DOCS), (3, big - 1)];
        assert!(final_merge_groups(&segs).is_empty());
        let segs = [
            (0, FINAL_MERGE_DOCS - big),
            (1, big),
            (2, 90_000),
            (3, big + 1),
        ];
        assert_eq!(final_merge_groups(&segs), vec![vec![1, 3]]);
    }

    #[test]
    fn dates_outside_the_index_range_are_refused_not_wrapped() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let (first, last) = date_limits();
        for day in [first, last, d(1970, 1, 1), d(2017, 2, 7), d(1800, 1, 1)] {
            let t = date_to_tantivy(day).expect("in range");
            assert_eq!(date_from_tantivy(t), Some(day));
        }
        for day in [
            first.pred_opt().unwrap(),
            last.succ_opt().unwrap(),
            d(1665, 9, 2),
            d(2286, 11, 20),
            d(1, 1, 1),
            NaiveDate::MAX,
            NaiveDate::MIN,
        ] {
            assert_eq!(date_to_tantivy(day), None, "{day}");
        }
    }

    #[test]
    fn the_pointer_round_trips_and_its_checksum_catches_changes() {
        let d = tempfile::tempdir().unwrap();
        let meta = Meta {
            schema_version: SCHEMA_VERSION,
            root: "/archive".into(),
            data: Some(layout::new_data_name()),
            model: Some("/models/minilm".into()),
        };
        write_pointer(d.path(), &meta).unwrap();
        assert!(matches!(read_pointer(d.path()).unwrap(), Pointer::Found(m) if m == meta));
        let p = d.path().join(POINTER);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replace("/archive", "/arch1ve")).unwrap();
        assert!(matches!(
            read_pointer(d.path()).unwrap(),
            Pointer::Unreadable(r) if r.contains("checksum")
        ));
        // A pointer of the first layout has neither a data folder nor a checksum.
        std::fs::write(&p, r#"{"schema_version": 2, "root": "/archive"}"#).unwrap();
        assert!(matches!(read_pointer(d.path()).unwrap(), Pointer::Found(m) if m.data.is_none()));
    }

    #[test]
    fn an_index_of_another_version_asks_for_a_rebuild() {
        let d = tempfile::tempdir().unwrap();
        let data = layout::new_data_name();
        std::fs::create_dir(d.path().join(&data)).unwrap();
        std::fs::write(d.path().join(&data).join("meta.json"), "{}").unwrap();
        let meta = Meta {
            schema_version: SCHEMA_VERSION + 1,
            root: "/archive".into(),
            data: Some(data),
            model: None,
        };
        write_pointer(d.path(), &meta).unwrap();
        let e = NewsIndex::open(d.path()).err().unwrap();
        assert!(matches!(e, Error::IncompatibleIndex { .. }), "{e}");
        let e = NewsIndex::open_for_ingest(d.path(), Path::new("/archive"), false)
            .err()
            .unwrap();
        assert!(matches!(e, Error::IncompatibleIndex { .. }), "{e}");
    }
}
