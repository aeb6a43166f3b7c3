//! The index on disk: where it lives, what schema it has, which files it was built
//! from, and how an enriched article becomes a tantivy document.
//!
//! Beside tantivy's own files the index folder holds `newsidx.json` (schema version and
//! the archive folder it mirrors). The manifest used for incremental ingest is stored
//! *inside* the index as one "file" record per source file, so it is committed in the
//! same atomic commit as the articles it describes.

pub mod groups;
pub mod readonly;
pub mod schema;

use crate::enrich::Enriched;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tantivy::directory::error::LockError;
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument, TantivyError, Term};

pub use schema::{Fields, SCHEMA_VERSION};

const META_FILE: &str = "newsidx.json";
/// Files that may sit in an index folder before there is an index (the repository
/// keeps `index/` with a .gitignore in it).
const HARMLESS: &[&str] = &[".gitignore", ".gitkeep", "README.md"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    pub schema_version: u32,
    /// The archive folder this index mirrors (absolute).
    pub root: PathBuf,
}

pub struct NewsIndex {
    pub index: Index,
    pub fields: Fields,
    pub path: PathBuf,
    pub meta: Meta,
    /// One reader for the life of this value: opening segment readers is most of the
    /// cost of a small search. It follows new commits by itself (tantivy's
    /// reload-on-commit watcher).
    reader: std::sync::OnceLock<tantivy::IndexReader>,
}

/// Segments of at least this many articles are not merged again.
pub const MERGE_MAX_DOCS: usize = 20_000;

/// tantivy's log merge policy, for small segments only. A merge maps every page of
/// its input segments into the process (they count towards its resident memory), so
/// merging the big segments of a large ingest would make memory grow with the archive:
/// at a million articles, merges of eight 50,000-article segments took peak RSS from
/// 0.65 GB to 2.3 GB. Small segments (incremental runs) still merge, eight at a time,
/// into segments of at most 160,000 articles.
pub fn merge_policy() -> tantivy::indexer::LogMergePolicy {
    let mut p = tantivy::indexer::LogMergePolicy::default();
    p.set_max_docs_before_merge(MERGE_MAX_DOCS);
    p
}

/// What the index knows about one source file.
#[derive(Debug, Clone)]
pub struct FileRecord {
    pub size: u64,
    pub mtime: i64,
    pub hash: String,
    pub ids: Vec<String>,
}

impl NewsIndex {
    /// Opens an existing index for reading.
    pub fn open(path: &Path) -> Result<NewsIndex> {
        let meta_path = path.join(META_FILE);
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
        if let Err(e) = std::fs::metadata(&meta_path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(Error::io(&meta_path, e));
            }
        }
        if meta_path.exists() && !path.join("meta.json").exists() {
            return Err(Error::NoIndex(path.to_path_buf()));
        }
        if !meta_path.exists() {
            return Err(if path.join("meta.json").exists() {
                Error::Damaged {
                    path: path.to_path_buf(),
                    reason: format!("{META_FILE} is missing"),
                }
            } else {
                Error::NoIndex(path.to_path_buf())
            });
        }
        let meta: Meta = std::fs::read(&meta_path)
            .map_err(|e| Error::io(&meta_path, e))
            .and_then(|b| {
                serde_json::from_slice(&b).map_err(|e| Error::Damaged {
                    path: path.to_path_buf(),
                    reason: format!("{META_FILE}: {e}"),
                })
            })?;
        if meta.schema_version != SCHEMA_VERSION {
            return Err(Error::IncompatibleIndex {
                path: path.to_path_buf(),
                found: meta.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        let dir = readonly::ReadTolerant::open(path).map_err(|e| damaged(path, e))?;
        let index = Index::open(dir).map_err(|e| damaged(path, e))?;
        // Opening a reader reads every segment's footer: a truncated or corrupted file
        // is found here, as a clear error, rather than in the middle of a search.
        let reader = index.reader().map_err(|e| damaged(path, e))?;
        let fields = schema::fields_of(&index.schema()).ok_or_else(|| Error::Damaged {
            path: path.to_path_buf(),
            reason: "its fields are not the ones this newsidx writes".into(),
        })?;
        schema::register_tokenizers(&index);
        Ok(NewsIndex {
            index,
            fields,
            path: path.to_path_buf(),
            meta,
            reader: reader.into(),
        })
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
    /// is empty or missing. `rebuild` wipes an existing newsidx index first.
    pub fn open_for_ingest(path: &Path, root: &Path, rebuild: bool) -> Result<NewsIndex> {
        if let Ok(m) = std::fs::metadata(path) {
            if !m.is_dir() {
                return Err(Error::UnusableIndexPath {
                    path: path.to_path_buf(),
                    reason: format!("is {}, not a folder", crate::error::kind_of(&m)),
                });
            }
        }
        let is_ours = path.join(META_FILE).exists();
        if rebuild && is_ours {
            wipe(path)?;
        }
        // Our meta file is written before tantivy's: one without the other is an
        // index whose creation was cut short, and is created again.
        if path.join(META_FILE).exists() && !path.join("meta.json").exists() {
            wipe(path)?;
        }
        if path.join(META_FILE).exists() {
            let idx = NewsIndex::open(path)?;
            if idx.meta.root != root {
                return Err(Error::OtherRoot {
                    path: path.to_path_buf(),
                    root: idx.meta.root.clone(),
                    requested: root.to_path_buf(),
                });
            }
            return Ok(idx);
        }
        std::fs::create_dir_all(path).map_err(|e| unusable(path, &e))?;
        let foreign: Vec<String> = std::fs::read_dir(path)
            .map_err(|e| unusable(path, &e))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !HARMLESS.contains(&n.as_str()))
            .collect();
        if !foreign.is_empty() {
            return Err(Error::UnusableIndexPath {
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
            });
        }
        let meta = Meta {
            schema_version: SCHEMA_VERSION,
            root: root.to_path_buf(),
        };
        write_meta(path, &meta)?;
        let (schema, fields) = schema::build();
        let dir = MmapDirectory::open(path).map_err(|e| Error::UnusableIndexPath {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let index = Index::create(dir, schema, tantivy::IndexSettings::default())
            .map_err(|e| unusable_t(path, e))?;
        schema::register_tokenizers(&index);
        Ok(NewsIndex {
            index,
            fields,
            path: path.to_path_buf(),
            meta,
            reader: std::sync::OnceLock::new(),
        })
    }

    /// Takes the single-writer lock. A second ingest gets a clear error; a lock left by
    /// a killed process is an OS file lock, released with the process, so never stale.
    pub fn writer(&self, threads: usize, memory_bytes: usize) -> Result<IndexWriter> {
        let per_thread = (memory_bytes / threads.max(1)).max(20_000_000);
        let writer: IndexWriter = self
            .index
            .writer_with_num_threads(threads.max(1), per_thread * threads.max(1))
            .map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => Error::IndexLocked {
                    path: self.path.clone(),
                    lock: self.path.join(".tantivy-writer.lock"),
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
        d
    }

    /// Bytes on disk.
    pub fn size_bytes(&self) -> u64 {
        std::fs::read_dir(&self.path)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }
}

pub fn article_doc(f: &Fields, e: &Enriched) -> TantivyDocument {
    let a = &e.article;
    let mut d = TantivyDocument::default();
    d.add_text(f.kind, "article");
    d.add_text(f.id, &a.id);
    d.add_text(f.path, &a.path);
    if let Some(r) = a.record {
        d.add_u64(f.record, r);
    }
    d.add_text(f.title, &a.title);
    if let Some(s) = &a.subtitle {
        d.add_text(f.subtitle, s);
    }
    d.add_text(f.body, &a.body);
    if let Some(p) = e.published {
        d.add_date(f.published, date_to_tantivy(p));
    }
    if let Some(src) = e.published_from {
        d.add_text(f.published_from, src.as_str());
    }
    let mut terms: Vec<String> = e.dates.iter().flat_map(|m| m.index_terms()).collect();
    terms.sort();
    terms.dedup();
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
    }
    for au in &a.authors {
        d.add_text(f.authors, au);
    }
    for b in e.bands.iter().flatten() {
        d.add_u64(f.dup_bands, *b);
    }
    /// What `show` reads back; written directly, without an intermediate JSON value.
    #[derive(serde::Serialize)]
    struct Stored<'a> {
        tags: &'a crate::enrich::tags::Tags,
        dates: &'a [crate::enrich::DateMention],
        date_raw: &'a Option<String>,
        title_derived: bool,
    }
    let stored = Stored {
        tags: &e.tags,
        dates: &e.dates,
        date_raw: &a.date_raw,
        title_derived: a.title_derived,
    };
    if let Ok(json) = serde_json::to_string(&stored) {
        d.add_text(f.enrichment, json);
    }
    d
}

pub fn date_to_tantivy(d: NaiveDate) -> DateTime {
    let secs = d
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0);
    DateTime::from_timestamp_secs(secs)
}

pub fn date_from_tantivy(d: DateTime) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0).map(|t| t.date_naive())
}

fn write_meta(path: &Path, meta: &Meta) -> Result<()> {
    let p = path.join(META_FILE);
    let tmp = path.join(format!("{META_FILE}.tmp"));
    let bytes = serde_json::to_vec_pretty(meta).expect("meta serialises");
    std::fs::write(&tmp, bytes).map_err(|e| unusable(path, &e))?;
    std::fs::rename(&tmp, &p).map_err(|e| unusable(path, &e))
}

/// Removes a newsidx index's files, and nothing that is not ours.
fn wipe(path: &Path) -> Result<()> {
    let rd = std::fs::read_dir(path).map_err(|e| unusable(path, &e))?;
    for e in rd.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        if HARMLESS.contains(&name.as_str()) {
            continue;
        }
        let p = e.path();
        let r = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
        r.map_err(|err| unusable(path, &err))?;
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
    let sources = searcher
        .search(
            &q,
            &crate::search::facets::TagCounts {
                fields: vec!["source"],
            },
        )?
        .pop()
        .map(|m| m.len())
        .unwrap_or(0);
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
    Ok(Stats {
        articles,
        files,
        sources,
        earliest: fmt(lo),
        latest: fmt(hi),
        index_bytes: idx.size_bytes(),
        schema_version: idx.meta.schema_version,
    })
}
