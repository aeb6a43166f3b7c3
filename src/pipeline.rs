//! `ingest` end to end: walk the archive, decide per file what changed, read and
//! enrich the changed files on every core while the tantivy writer indexes, and
//! commit in batches.
//!
//! Threads and channels, one way:
//!
//! ```text
//! main: walk + stat ──► reader: hash, parse ──► enrichers (N) ──► main: writer
//!                              └──────── file start / done, problems ───────┘
//! ```
//!
//! A changed file's articles are replaced one by one (each new version deletes the
//! old one by id), so every commit shows each article in its old or its new version,
//! never in neither. Before the first of them, the file's record is marked "in flux";
//! once all are in, what is left of the old version (ids that left the file) is
//! deleted and the new record added, in the same commit. A run that dies in between
//! leaves the mark, and the next run reads the file whole again and cleans up.
//!
//! A record is written only for a file read whole, without an I/O error; a file that
//! failed keeps the articles it had and is read again next run.

use crate::article::Article;
use crate::budget::{article_cost, ByteBudget, CloseOnDrop, InFlightDoc, Permit};
use crate::enrich::{Enricher, Gazetteer};
use crate::error::{Error, Result};
use crate::index::{FileRecord, NewsIndex};
use crate::ingest::{self, FileEntry, Problem, ReadError, ReadPlan, SkipReason, WalkEvent};
use crate::sink::{IndexSink, Prepare, Sink};
use crossbeam_channel::{bounded, Sender};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub root: PathBuf,
    pub index: PathBuf,
    pub rebuild: bool,
    /// Threads that parse and enrich.
    pub threads: usize,
    /// Threads inside the tantivy writer: one per core by default. Indexing (tokenize,
    /// stem, invert) is most of an ingest's work; with fewer writer threads than
    /// cores, the writer is the bottleneck while the enrichers run dry.
    pub writer_threads: usize,
    /// The tantivy writer's memory budget in bytes.
    pub writer_memory: usize,
    pub gazetteer: Option<PathBuf>,
    /// Articles between two commits: a killed run loses at most this many.
    pub commit_every: usize,
    /// Set (by a Ctrl-C handler) to stop reading; what was read is committed.
    pub stop: Arc<AtomicBool>,
    /// Compare the content of files whose size and mtime are unchanged too.
    pub checksum: bool,
    /// An article's title, subtitle and body are each cut to this many bytes.
    pub max_body_bytes: usize,
    /// Keep web pages that are not articles (home pages, listings, error pages).
    pub keep_non_articles: bool,
    /// The archive holds enriched records (`newsidx enrich --records`, `.jsonl` or
    /// `.ndjson`): index them as they are, without enriching again.
    pub enriched: bool,
    /// A sentence-embedding model's folder (`ingest --model`): each article's vector
    /// is stored for search to order the best matches by meaning (`crate::semantic`).
    /// Without it, the index's own model, if it was built with one.
    pub model: Option<PathBuf>,
}

/// Bytes of articles in flight between the reader and the index (see `budget.rs`),
/// at least; more when the body limit is raised, so that several fit.
const IN_FLIGHT_BYTES: u64 = 64 << 20;

/// After Ctrl-C, how long the enrichers go on with the articles already read before
/// they drop the rest: the stop, commit included, must take well under a second.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

impl IngestOptions {
    pub fn new(root: PathBuf, index: PathBuf) -> IngestOptions {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        IngestOptions {
            root,
            index,
            rebuild: false,
            threads: cores,
            writer_threads: cores.max(1),
            writer_memory: default_writer_memory(),
            gazetteer: None,
            commit_every: 200_000,
            stop: Arc::new(AtomicBool::new(false)),
            checksum: false,
            max_body_bytes: ingest::DEFAULT_MAX_BODY,
            keep_non_articles: false,
            enriched: false,
            model: None,
        }
    }
}

/// What the reader hands the enrichment threads: an article to enrich, or one
/// enriched already (a record of `ingest --enriched`) with the file that held it.
/// (An article is the common case, sent as it is rather than boxed.)
#[allow(clippy::large_enum_variant)]
enum Work {
    Read(Article),
    Enriched(String, Box<crate::enrich::Enriched>),
}

/// An article handed to the enrichment threads: its place in the reading order, the
/// work, its file's modification day, its share of the bytes in flight.
type Job = (u64, Work, Option<chrono::NaiveDate>, Option<Permit>);

/// The reason code of a file `ingest --enriched` passes over: not JSON Lines.
const NOT_ENRICHED: &str = "not_enriched";

/// A sixteenth of the machine's memory, between 64 MiB and 384 MiB: with a commit every
/// 200,000 articles the writer's threads fill their buffers, and at 512 MiB a 1M ingest
/// peaked at 984 MiB (BENCHMARKS.md, "Fewer commits").
pub fn default_writer_memory() -> usize {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(4 << 30);
    (total / 16).clamp(64 << 20, 384 << 20)
}

/// What an ingest did; printed at the end, and as one JSON object with `--json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files_seen: u64,
    pub files_read: u64,
    pub files_skipped: u64,
    pub files_failed: u64,
    pub files_unchanged: u64,
    /// Files read only from where the last run stopped (rows or lines appended);
    /// counted in `files_read` too.
    pub files_appended: u64,
    pub articles_added: u64,
    pub articles_updated: u64,
    pub articles_removed: u64,
    pub articles_unchanged: u64,
    /// Article documents written by this run, including those of files it did not
    /// finish (an interrupted run reads those again next time).
    pub articles_indexed: u64,
    pub warnings: u64,
    pub errors: u64,
    /// What this run passed over, by reason code: files the walk skipped (`hidden`,
    /// `unsupported`, `documentation`, `empty`, `too_large`, `special`,
    /// `index_folder`), pages and web-archive records that are not articles
    /// (`not_article_home`, `not_article_login`…), web-archive records by kind
    /// (`warc_request`, `warc_revisit`, `warc_non_html`…). Files not read again
    /// (unchanged) are not in it.
    pub skipped: BTreeMap<String, u64>,
    pub bytes_read: u64,
    /// True when the run was stopped before it read everything (Ctrl-C).
    pub interrupted: bool,
    /// True when a `--rebuild` was stopped before it finished: its new index was
    /// dropped and the index is as it was before the run.
    pub rebuild_abandoned: bool,
    pub elapsed_secs: f64,
    pub articles_per_sec: f64,
    pub index: String,
}

/// Progress events for a bar: bytes done of bytes to read.
pub trait Progress {
    fn start(&mut self, _total_bytes: u64, _files: u64) {}
    fn advance(&mut self, _bytes: u64, _articles: u64) {}
    /// Everything is read; what the run is doing now (its last steps can take a while
    /// on a large index).
    fn stage(&mut self, _what: &str) {}
    fn finish(&mut self) {}
}

pub struct NoProgress;
impl Progress for NoProgress {}

enum Msg {
    /// The file's articles are about to change: sent before the first new one.
    FileStart(String),
    /// The article's place in the reading order, path, id, band keys, document.
    Doc(
        u64,
        String,
        String,
        Option<[u64; crate::enrich::minhash::BANDS]>,
        Box<InFlightDoc>,
    ),
    /// The article at this place in the reading order was dropped (the run is
    /// stopping).
    Dropped(u64),
    /// The file is read: `expected` articles went to the enrichers. `appended`: only
    /// what followed the recorded part was read; the recorded articles stand.
    FileDone {
        path: String,
        rec: FileRecord,
        expected: usize,
        bytes: u64,
        appended: bool,
    },
    /// The content is the recorded one; `rewrite` when the record must take the new
    /// modification time.
    FileTouched {
        path: String,
        rec: FileRecord,
        bytes: u64,
        rewrite: bool,
    },
    FileFailed(String, u64),
    Problem(Problem),
}

#[derive(Default)]
struct Pending {
    rec: FileRecord,
    expected: usize,
    received: usize,
    done: bool,
    appended: bool,
}

pub fn ingest(
    opts: &IngestOptions,
    report: &mut dyn FnMut(&Problem),
    progress: &mut dyn Progress,
) -> Result<Summary> {
    let started = Instant::now();
    match std::fs::metadata(&opts.root) {
        Ok(m) if m.is_dir() => {}
        Ok(m) => {
            return Err(Error::NotADir {
                path: opts.root.clone(),
                kind: crate::error::kind_of(&m),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::MissingDir(opts.root.clone()))
        }
        Err(e) => return Err(Error::io(&opts.root, e)),
    }
    // A root that cannot be listed says nothing about what it holds: stop before the
    // index is touched (a folder that fails later is handled by the walk).
    if let Err(source) = std::fs::read_dir(&opts.root) {
        return Err(Error::UnreadableDir {
            path: opts.root.clone(),
            source,
        });
    }
    let root = opts
        .root
        .canonicalize()
        .map_err(|e| Error::io(&opts.root, e))?;
    // A file given now is read before the index is touched, so a bad line stops the
    // run with the index as it was.
    let given = match &opts.gazetteer {
        Some(p) => Some(Gazetteer::with_user_file(p).map_err(|e| Error::Gazetteer(e.to_string()))?),
        None => None,
    };
    // A model given now is read before the index is touched too.
    let given_model = match &opts.model {
        Some(dir) => {
            let dir = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
            let m = crate::semantic::Model::load(&dir).map_err(Error::InvalidArgument)?;
            Some(std::sync::Arc::new(m))
        }
        None => None,
    };
    // Takes the index folder's lock before anything else in it is read or written.
    let mut target = NewsIndex::open_for_ingest(&opts.index, &root, opts.rebuild)?;
    // The model given now, else the one the index was built with (read through the
    // index, whose error names it and the next step).
    target.use_model(given_model.as_ref().map(|m| m.dir()))?;
    let model = match given_model {
        Some(m) => Some(m),
        None => target.idx.model()?,
    };
    // The index keeps a copy of the user's gazetteer, written before any article
    // tagged with it is committed; later runs (and rebuilds) without --gazetteer and
    // the filters of search, tags and serve use that copy.
    let stored = crate::index::stored_gazetteer(&opts.index);
    let gazetteer_owned;
    let gazetteer: &Gazetteer = match (given, &opts.gazetteer) {
        (Some(g), Some(p)) => {
            let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
            crate::index::layout::write_atomic(
                &opts.index,
                crate::index::layout::GAZETTEER,
                crate::index::layout::GAZETTEER_TMP,
                &bytes,
            )
            .map_err(|e| Error::Write {
                path: opts.index.clone(),
                reason: format!("cannot store the gazetteer: {e}"),
            })?;
            gazetteer_owned = g;
            &gazetteer_owned
        }
        _ if stored.is_file() => {
            gazetteer_owned = Gazetteer::with_user_file(&stored).map_err(|e| {
                Error::Gazetteer(format!(
                    "{e}; this is the index's copy of your gazetteer: fix it, or ingest again with --gazetteer FILE"
                ))
            })?;
            &gazetteer_owned
        }
        _ => Gazetteer::shipped(),
    };
    let idx = &target.idx;
    if opts.enriched && idx.fields.origin.is_none() {
        // Its articles are tied to their files by path only, which an enriched
        // record's article does not share with the file that holds it.
        return Err(Error::InvalidArgument(format!(
            "{}: this index was made before enriched records could be added to it; \
             rebuild it with `newsidx ingest DIR --enriched --rebuild`",
            opts.index.display()
        )));
    }
    let writer: tantivy::IndexWriter<InFlightDoc> =
        idx.writer(opts.writer_threads, opts.writer_memory)?;
    // A run killed during a commit leaves files no commit refers to, among them a
    // deletion file named after an opstamp this run will reach again; writing that
    // name would fail with "file already exists". Remove them first.
    writer
        .garbage_collect_files()
        .wait()
        .map_err(|e| Error::write(&opts.index, e))?;
    let manifest = idx.manifest()?;
    let grouper = crate::index::groups::Grouper::new(Some(idx.index.reader()?.searcher()));
    let indexed_paths = indexed_paths(idx)?;
    let dims = model.as_ref().map(|m| m.dim());
    let mut sink = IndexSink::new(idx, writer, grouper, model);

    let mut sum = Summary {
        index: opts.index.display().to_string(),
        ..Summary::default()
    };

    // Walk and stat: what is new or changed, what is gone.
    let mut todo: Vec<FileEntry> = Vec::new();
    let mut on_disk: HashSet<String> = HashSet::new();
    let mut not_enriched = 0u64;
    // The index folder may sit inside the archive (`ingest . --index idx`).
    let mut walker = ingest::walk(&root).skipping(&opts.index);
    for ev in walker.by_ref() {
        if opts.stop.load(Ordering::Relaxed) {
            break;
        }
        match ev {
            WalkEvent::File(e) => {
                on_disk.insert(e.rel.clone());
                if opts.enriched && e.format != ingest::Format::JsonLines {
                    // Passed over, but not gone: what it gave an earlier run stays.
                    *sum.skipped.entry(NOT_ENRICHED.to_string()).or_default() += 1;
                    not_enriched += 1;
                    continue;
                }
                match manifest.get(&e.rel) {
                    Some(r) if !opts.checksum && r.size == e.size && r.mtime == e.mtime_ns => {
                        sum.files_unchanged += 1;
                        sum.articles_unchanged += r.ids.len() as u64;
                    }
                    _ => todo.push(e),
                }
            }
            WalkEvent::Skipped { rel, reason } => {
                *sum.skipped.entry(reason.code().to_string()).or_default() += 1;
                if matches!(
                    reason,
                    SkipReason::Empty
                        | SkipReason::TooLarge
                        | SkipReason::Special
                        | SkipReason::Index
                ) {
                    let p =
                        Problem::warning(rel.clone(), format!("skipped: {}", reason.describe()));
                    sum.warnings += 1;
                    report(&p);
                    // An emptied or oversized file no longer holds its old articles.
                }
            }
            WalkEvent::Problem(p) => {
                if p.is_error() {
                    sum.errors += 1;
                } else {
                    sum.warnings += 1;
                }
                report(&p);
            }
        }
    }
    if opts.stop.load(Ordering::Relaxed) {
        // Stopped during the walk (a huge tree): nothing was read, and an unfinished
        // walk cannot say which files are gone, so nothing is written. A rebuild's new
        // generation is dropped with the target, and the summary says so.
        sum.rebuild_abandoned = target.is_rebuild();
        return Ok(stopped_in_walk(sum, started));
    }
    let ws = walker.stats().clone();
    sum.files_seen = ws.seen;
    sum.files_skipped = ws.skipped() + not_enriched;
    sum.files_failed = ws.failed;

    // Files gone from disk (or never finished by an earlier, killed run). Only a
    // folder listed in full says a file is gone: under one that could not be read
    // (`""` is the root), every old article stays.
    let unreadable_prefixes = walker.incomplete().to_vec();
    let protected = |p: &str| {
        unreadable_prefixes
            .iter()
            .any(|pre| pre.is_empty() || p == pre || p.starts_with(&format!("{pre}/")))
    };
    let mut gone: Vec<&String> = manifest
        .keys()
        .chain(indexed_paths.iter())
        .filter(|p| !on_disk.contains(*p) && !protected(p))
        .collect();
    gone.sort();
    gone.dedup();
    for p in gone {
        sink.delete_file_articles(p, &[])?;
        sink.forget_file(p)?;
        if let Some(r) = manifest.get(p) {
            sum.articles_removed += r.ids.len() as u64;
        }
    }

    // Paths that have articles in the index: a new article of theirs replaces its old
    // version by id, and what is left of the old version goes when the file is done.
    let had_docs: HashSet<String> = manifest
        .keys()
        .cloned()
        .chain(indexed_paths.iter().cloned())
        .collect();

    let total_bytes: u64 = todo.iter().map(|e| e.size).sum();
    progress.start(total_bytes, todo.len() as u64);

    let enricher = Enricher::new(gazetteer);
    let prep = sink.preparer();
    let prep_ref = &prep;
    let (msg_tx, msg_rx) = bounded::<Msg>(4096);
    let (art_tx, art_rx) = bounded::<Job>(1024);
    let manifest_ref = &manifest;
    let enricher_ref = &enricher;
    let budget = ByteBudget::new(IN_FLIGHT_BYTES.max(8 * opts.max_body_bytes as u64));
    let read_opts = ingest::ReadOptions {
        max_body_bytes: opts.max_body_bytes,
        stop: Some(opts.stop.clone()),
        keep_non_articles: opts.keep_non_articles,
    };

    let mut since_commit = 0usize;
    let result: Result<()> = std::thread::scope(|s| {
        // However this scope ends, a reader waiting for budget is let go.
        let _close = CloseOnDrop(budget.clone());
        {
            let msg_tx = msg_tx.clone();
            let stop = opts.stop.clone();
            let budget = budget.clone();
            let read_opts = read_opts.clone();
            s.spawn(move || {
                yield_to_writer();
                read_files(
                    todo,
                    manifest_ref,
                    art_tx,
                    msg_tx,
                    &stop,
                    &budget,
                    &read_opts,
                    opts.enriched,
                )
            });
        }
        for _ in 0..opts.threads.max(1) {
            let rx = art_rx.clone();
            let tx = msg_tx.clone();
            let stop = opts.stop.clone();
            s.spawn(move || {
                yield_to_writer();
                let mut stopped_at: Option<Instant> = None;
                for (seq, work, file_date, permit) in rx {
                    // Stopping: what is queued is still enriched for a moment, so it
                    // is committed, then dropped (its file gets no complete record,
                    // so the next run reads it again).
                    if stop.load(Ordering::Relaxed)
                        && stopped_at.get_or_insert_with(Instant::now).elapsed() > STOP_GRACE
                    {
                        if tx.send(Msg::Dropped(seq)).is_err() {
                            break;
                        }
                        continue;
                    }
                    let (path, e) = match work {
                        Work::Read(a) => (
                            a.path.clone(),
                            enrich_guarded(enricher_ref, a, file_date, &tx),
                        ),
                        Work::Enriched(origin, e) => (origin, *e),
                    };
                    let id = e.article.id.clone();
                    if let Some(p) = date_problem(&e) {
                        let _ = tx.send(Msg::Problem(p));
                    }
                    let doc = prep_ref.prepare(&path, &e, permit);
                    if tx
                        .send(Msg::Doc(seq, path, id, e.bands, Box::new(doc)))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(msg_tx);
        drop(art_rx);

        let mut pending: HashMap<String, Pending> = HashMap::new();
        // Articles reach the index in the order they were read, whatever order the
        // enrichment threads finish them in: a near-duplicate group is named after
        // its first article, and which articles join it depends on who came first,
        // so two ingests of one archive group alike. Those that arrive early wait here
        // (no more than the articles in flight).
        let mut early: BTreeMap<u64, Option<DocMsg>> = BTreeMap::new();
        let mut next_seq = 0u64;
        let ctx = TakeCtx {
            manifest: manifest_ref,
            had_docs: &had_docs,
            enriched: opts.enriched,
            commit_every: opts.commit_every,
        };
        for msg in msg_rx {
            match msg {
                Msg::FileStart(p) => {
                    if let Some(r) = manifest_ref.get(&p).filter(|r| !r.is_in_flux()) {
                        sink.record_file(&p, &r.in_flux())?;
                    }
                    pending.insert(p, Pending::default());
                }
                Msg::Doc(seq, p, id, bands, doc) => {
                    early.insert(seq, Some((p, id, bands, doc)));
                }
                Msg::Dropped(seq) => {
                    early.insert(seq, None);
                }
                Msg::FileDone {
                    path,
                    rec,
                    expected,
                    bytes,
                    appended,
                } => {
                    sum.files_read += 1;
                    sum.files_appended += u64::from(appended);
                    sum.bytes_read += bytes;
                    progress.advance(bytes, expected as u64);
                    let pe = pending.entry(path.clone()).or_default();
                    pe.rec = rec;
                    pe.expected = expected;
                    pe.done = true;
                    pe.appended = appended;
                    finish_file(
                        &mut sink,
                        &mut pending,
                        &path,
                        manifest_ref,
                        &had_docs,
                        &mut sum,
                    )?;
                }
                Msg::FileTouched {
                    path,
                    rec,
                    bytes,
                    rewrite,
                } => {
                    sum.files_unchanged += 1;
                    sum.articles_unchanged += rec.ids.len() as u64;
                    progress.advance(bytes, 0);
                    if rewrite {
                        sink.record_file(&path, &rec)?;
                    }
                }
                Msg::FileFailed(path, bytes) => {
                    // Its articles that went in stay; with no new record, the file is
                    // read again next run.
                    pending.remove(&path);
                    sum.files_failed += 1;
                    progress.advance(bytes, 0);
                }
                Msg::Problem(p) => {
                    if p.is_error() {
                        sum.errors += 1;
                    } else {
                        sum.warnings += 1;
                    }
                    for (code, n) in &p.skipped {
                        *sum.skipped.entry(code.to_string()).or_default() += n;
                    }
                    report(&p);
                }
            }
            // The articles that are next in the reading order, and those after them
            // that came early. Once every thread is done, any still waiting (after an
            // article that never came) go in as they are: none is lost.
            while let Some(ready) = early.remove(&next_seq) {
                next_seq += 1;
                if let Some(doc) = ready {
                    take_doc(
                        doc,
                        &mut sink,
                        &mut pending,
                        &mut sum,
                        &mut since_commit,
                        &ctx,
                    )?;
                }
            }
        }
        for doc in std::mem::take(&mut early).into_values().flatten() {
            take_doc(
                doc,
                &mut sink,
                &mut pending,
                &mut sum,
                &mut since_commit,
                &ctx,
            )?;
        }
        Ok(())
    });
    result?;
    sum.interrupted = opts.stop.load(Ordering::Relaxed);
    progress.stage("committing and merging segments");
    sink.finish(!sum.interrupted, opts.writer_threads)?;
    if let (Some(dims), false) = (dims, sum.interrupted) {
        progress.stage("writing every article's vector for the nearest in meaning");
        // Every article's vector in one file, for finding the nearest by meaning
        // (`semantic::neighbours`); a run that was stopped leaves it to the next.
        crate::semantic::neighbours::refresh_index(idx, dims, opts.writer_threads)?;
    }
    if sum.interrupted && target.is_rebuild() {
        // A rebuild stopped half-way is dropped: the index stays as it was.
        sum.rebuild_abandoned = true;
        drop(target);
    } else {
        target.finish()?;
    }
    progress.finish();
    sum.elapsed_secs = started.elapsed().as_secs_f64();
    let touched = sum.articles_added + sum.articles_updated;
    sum.articles_per_sec = if sum.elapsed_secs > 0.0 {
        touched as f64 / sum.elapsed_secs
    } else {
        0.0
    };
    Ok(sum)
}

/// The summary of a run stopped before its walk ended.
fn stopped_in_walk(mut sum: Summary, started: Instant) -> Summary {
    sum.interrupted = true;
    sum.elapsed_secs = started.elapsed().as_secs_f64();
    sum
}

/// Lowers the calling thread's scheduling priority (Linux nice 10). The tantivy writer
/// is the slowest stage; at the same priority as the enrichers it would get only its
/// fair share of the cores while they filled its queue, and would then finish alone.
/// Niced readers and enrichers take what the writer's threads (one per core) leave.
fn yield_to_writer() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority only read their integer arguments; on Linux a
    // thread id names the one thread. A failure leaves the priority as it was.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// Enriches one article. Should enrichment ever fail on some input (a bug), the
/// article still goes in, untagged, and the failure is reported with its id: one
/// article never costs the run.
fn enrich_guarded(
    enricher: &Enricher,
    a: Article,
    file_date: Option<chrono::NaiveDate>,
    tx: &Sender<Msg>,
) -> crate::enrich::Enriched {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        enricher.findings(&a, file_date)
    })) {
        Ok(found) => found.with(a),
        Err(_) => {
            let keep = a;
            let p = Problem::error(
                keep.path.clone(),
                format!("enrichment failed on {}; indexed without tags", keep.id),
            )
            .at(keep.line)
            .with_hint("please report this article");
            let _ = tx.send(Msg::Problem(p));
            crate::enrich::Enriched {
                published: keep
                    .date_raw
                    .as_deref()
                    .and_then(crate::enrich::dates::parse_date),
                published_from: None,
                tags: Default::default(),
                dates: Vec::new(),
                bands: None,
                signature: None,
                article: keep,
            }
        }
    }
}

/// What is wrong with an article's publication date, if anything: a date field that
/// could not be read as a date (the article then takes its date from the path or a
/// dateline, or has none), or a date the index cannot hold (before 1677-09-22 or after
/// 2262-04-11; the article goes in without one). Either way the text as written stays
/// with the article.
fn date_problem(e: &crate::enrich::Enriched) -> Option<Problem> {
    use crate::enrich::DateSource;
    let a = &e.article;
    let raw = a
        .date_raw
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    // Where the reader says the date field came from (a web page: JSON-LD, a meta
    // tag...); a web archive's capture date is not a publication date field, and is
    // never said to be unreadable when a date of the page's own wins over it.
    let raw_from = a.date_from.unwrap_or(DateSource::Metadata);
    let unread = raw_from != DateSource::Captured && e.published_from != Some(raw_from);
    let what = if let (Some(raw), true) = (raw, unread) {
        let instead = match (e.published, e.published_from) {
            (Some(d), Some(src)) if crate::index::date_to_tantivy(d).is_some() => {
                format!("dated {d} from the {} instead", src.as_str())
            }
            _ => "indexed without a publication date".to_string(),
        };
        format!("date \"{raw}\" is not read as a publication date (years 1000 to 2200, in a common form); {instead}")
    } else {
        let d = e.published?;
        if crate::index::date_to_tantivy(d).is_some() {
            return None;
        }
        let (first, last) = crate::index::date_limits();
        let from = match (e.published_from, raw) {
            (Some(src), Some(raw)) if src == raw_from => format!(" (read from \"{raw}\")"),
            (Some(src), _) => format!(" (from the {})", src.as_str()),
            (None, _) => String::new(),
        };
        format!(
            "publication date {d}{from} is outside the dates the index can hold \
             ({first} to {last}); indexed without a publication date"
        )
    };
    // The line says which record of a file holding several; a record without a line
    // (in a JSON array) is named by its id.
    let message = if a.id != a.path && a.line.is_none() {
        format!("{}: {what}", a.id)
    } else {
        what
    };
    let hint = if raw.is_some() {
        "the date field as written is kept: `newsidx show ID --json` shows it as date_raw"
    } else {
        "the date stays as written in the article's text"
    };
    Some(
        Problem::warning(a.path.clone(), message)
            .at(a.line)
            .with_hint(hint),
    )
}

/// An enriched article's document as the enrichment threads send it: path, id, band
/// keys, document.
type DocMsg = (
    String,
    String,
    Option<[u64; crate::enrich::minhash::BANDS]>,
    Box<InFlightDoc>,
);

/// What [`take_doc`] reads and never changes.
struct TakeCtx<'a> {
    manifest: &'a HashMap<String, FileRecord>,
    /// Paths that have articles in the index.
    had_docs: &'a HashSet<String>,
    enriched: bool,
    commit_every: usize,
}

/// An article in its turn: into the index, counted, its file finished when it was the
/// file's last, a commit when enough have gone in since the last.
fn take_doc(
    (p, id, bands, doc): DocMsg,
    sink: &mut IndexSink<'_>,
    pending: &mut HashMap<String, Pending>,
    sum: &mut Summary,
    since_commit: &mut usize,
    ctx: &TakeCtx<'_>,
) -> Result<()> {
    // An enriched record's id may also be in another file of records: the one read
    // last is indexed (never both).
    let replace = ctx.had_docs.contains(&p) || ctx.enriched;
    sink.add(&id, bands.as_ref(), *doc, replace)?;
    sum.articles_indexed += 1;
    *since_commit += 1;
    if let Some(pe) = pending.get_mut(&p) {
        pe.received += 1;
    }
    finish_file(sink, pending, &p, ctx.manifest, ctx.had_docs, sum)?;
    if *since_commit >= ctx.commit_every {
        sink.commit()?;
        *since_commit = 0;
    }
    Ok(())
}

/// Once every one of a file's articles is in: deletes what is left of its old
/// version, and adds its manifest record.
fn finish_file(
    sink: &mut impl Sink,
    pending: &mut HashMap<String, Pending>,
    path: &str,
    manifest: &HashMap<String, FileRecord>,
    had_docs: &HashSet<String>,
    sum: &mut Summary,
) -> Result<()> {
    let ready = matches!(pending.get(path), Some(p) if p.done && p.received >= p.expected);
    if !ready {
        return Ok(());
    }
    let pe = pending.remove(path).expect("checked above");
    let old_ids = manifest.get(path).map_or(&[][..], |r| &r.ids[..]);
    if pe.appended {
        // The recorded articles stand; the new ones follow them in `ids`.
        let kept = old_ids.len().min(pe.rec.ids.len());
        sum.articles_unchanged += kept as u64;
        sum.articles_added += (pe.rec.ids.len() - kept) as u64;
    } else {
        let old: HashSet<&str> = old_ids.iter().map(String::as_str).collect();
        let new: HashSet<&str> = pe.rec.ids.iter().map(String::as_str).collect();
        sum.articles_added += new.difference(&old).count() as u64;
        sum.articles_updated += new.intersection(&old).count() as u64;
        sum.articles_removed += old.difference(&new).count() as u64;
        // The articles of an older version of the file (or of a run that died
        // while reading it) that it no longer has.
        if had_docs.contains(path) {
            sink.delete_file_articles(path, &pe.rec.ids)?;
        }
    }
    sink.record_file(path, &pe.rec)
}

/// The reader thread: fingerprint each changed file, parse it, hand its articles on.
#[allow(clippy::too_many_arguments)]
fn read_files(
    todo: Vec<FileEntry>,
    manifest: &HashMap<String, FileRecord>,
    art_tx: Sender<Job>,
    msg_tx: Sender<Msg>,
    stop: &AtomicBool,
    budget: &Arc<ByteBudget>,
    read_opts: &ingest::ReadOptions,
    enriched: bool,
) {
    // The next article's place in the reading order.
    let mut seq = 0u64;
    for entry in todo {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let fail = |p: Problem| {
            let _ = msg_tx.send(Msg::Problem(p));
            let _ = msg_tx.send(Msg::FileFailed(entry.rel.clone(), entry.size));
        };
        // The recorded version, unless a run died while replacing it.
        let old = manifest.get(&entry.rel).filter(|r| !r.is_in_flux());
        // Same size: perhaps the same content. A binary file is not hashed (a sparse
        // multi-GB file would cost a full read): the reader rejects it from its first
        // bytes.
        // Compressed formats (the format table says which) are binary on disk and
        // hashed as they are.
        // (Sniffed only where a record of the same size could make it count.)
        let same_size = old
            .filter(|r| r.size == entry.size)
            .filter(|_| entry.format.is_compressed() || !looks_binary(&entry.abs));
        if let Some(r) = same_size {
            let hashed = ingest::hash_prefix(&entry.abs, entry.size, Some(stop));
            if stop.load(Ordering::Relaxed) {
                return;
            }
            match hashed {
                Ok(Some(h)) if h.finalize().to_hex().as_str() == r.hash => {
                    let rec = FileRecord {
                        size: entry.size,
                        mtime: entry.mtime_ns,
                        ..r.clone()
                    };
                    let _ = msg_tx.send(Msg::FileTouched {
                        path: entry.rel.clone(),
                        rec,
                        bytes: entry.size,
                        rewrite: r.mtime != entry.mtime_ns,
                    });
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    fail(read_failed(Problem::error(
                        entry.rel.clone(),
                        format!("cannot read: {e}"),
                    )));
                    continue;
                }
            }
        }
        // Longer, and the recorded bytes are unchanged: read only what follows them.
        let mut plan = ReadPlan::Whole;
        if let Some((r, st)) = old.and_then(|r| Some((r, r.stream.as_ref()?))) {
            if entry.size > st.len {
                let hashed = ingest::hash_prefix(&entry.abs, st.len, Some(stop));
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                match hashed {
                    Ok(Some(h)) if h.finalize().to_hex().as_str() == r.hash => {
                        plan = ReadPlan::Append {
                            state: st,
                            ids: &r.ids,
                            prefix: Box::new(h),
                        };
                    }
                    Ok(_) => {}
                    Err(e) => {
                        fail(read_failed(Problem::error(
                            entry.rel.clone(),
                            format!("cannot read: {e}"),
                        )));
                        continue;
                    }
                }
            }
        }
        let appended = matches!(plan, ReadPlan::Append { .. });
        let file_date = chrono::DateTime::from_timestamp(entry.mtime_ns / 1_000_000_000, 0)
            .map(|t| t.date_naive());
        let mut ids = Vec::new();
        let mut started = false;
        let mut sink = |w: Work| {
            // Once stopped, the rest of the file is passed over; with no "done"
            // record the next run reads the whole file again.
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if !started {
                started = true;
                let _ = msg_tx.send(Msg::FileStart(entry.rel.clone()));
            }
            let a = match &w {
                Work::Read(a) => a,
                Work::Enriched(_, e) => &e.article,
            };
            // Wait for room in the bytes in flight; none comes once stopped.
            let Some(permit) = budget.acquire(article_cost(a), stop) else {
                return;
            };
            ids.push(a.id.clone());
            let _ = art_tx.send((seq, w, file_date, Some(permit)));
            seq += 1;
        };
        let mut report = |p: Problem| {
            let _ = msg_tx.send(Msg::Problem(p));
        };
        let result = if enriched {
            ingest::read_enriched_file(
                &entry,
                plan,
                read_opts,
                &mut |e| sink(Work::Enriched(entry.rel.clone(), Box::new(e))),
                &mut report,
            )
        } else {
            ingest::read_file(
                &entry,
                plan,
                read_opts,
                &mut |a| sink(Work::Read(a)),
                &mut report,
            )
        };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        match result {
            Ok(read) => {
                if !started {
                    // A file that now holds no (new) article: its old ones may go.
                    let _ = msg_tx.send(Msg::FileStart(entry.rel.clone()));
                }
                let expected = ids.len();
                let bytes = match (&old, appended) {
                    (Some(r), true) => entry.size - r.stream.as_ref().map_or(0, |s| s.len),
                    _ => entry.size,
                };
                let ids = match old {
                    Some(r) if appended => r.ids.iter().cloned().chain(ids).collect(),
                    _ => ids,
                };
                let _ = msg_tx.send(Msg::FileDone {
                    path: entry.rel.clone(),
                    rec: FileRecord {
                        size: entry.size,
                        mtime: entry.mtime_ns,
                        hash: read.hash,
                        ids,
                        stream: read.stream,
                    },
                    expected,
                    bytes,
                    appended,
                });
            }
            Err(ReadError::Io(p)) => fail(read_failed(p)),
            Err(ReadError::Bad(p)) => fail(p),
        }
    }
}

/// An I/O error cost part of a file: says what happens next.
fn read_failed(p: Problem) -> Problem {
    if p.hint.is_some() {
        return p;
    }
    p.with_hint("the file is not recorded as read; the next ingest reads it again")
}

/// Whether the first bytes say binary (a magic number, many control bytes); a FIFO
/// or device is not opened for long enough to block.
fn looks_binary(path: &Path) -> bool {
    ingest::read_head(path).is_ok_and(|head| ingest::is_binary_head(&head))
}

/// Every path that has articles in the index, from the term dictionary.
fn indexed_paths(idx: &NewsIndex) -> Result<Vec<String>> {
    let reader = idx.index.reader()?;
    let searcher = reader.searcher();
    let mut out = HashSet::new();
    for seg in searcher.segment_readers() {
        let inv = seg.inverted_index(idx.fields.owner())?;
        let mut stream = inv.terms().stream().map_err(|e| Error::io(&idx.path, e))?;
        while stream.advance() {
            if let Ok(s) = std::str::from_utf8(stream.key()) {
                out.insert(s.to_string());
            }
        }
    }
    Ok(out.into_iter().collect())
}
