//! Export straight from enriched records (`newsidx export --records PATH…`): the
//! files `newsidx enrich --records` writes, on a cluster or anywhere, become the same
//! export files an index built from them gives, with no index in between.
//!
//! The records given are the whole archive. They are read twice:
//!
//! 1. One pass, in the order given (a folder's files in name order, as `ingest
//!    --enriched` walks them), keeps of each record only its id, where its line lies
//!    and the number of its near-duplicate group, assigned by the index's own
//!    [`Grouper`] from the record's MinHash bands in that order, so a group is named
//!    as an index built from the same records in the same order names it. An id met
//!    a second time is refused there (one line naming the file and line), before it
//!    joins a group. Standard input is copied to a file in the export folder as it is
//!    read, so that it can be read again.
//! 2. The ids are sorted, and each record is read again by its place (`pread`), in
//!    id order, made into the stored document an index would hold (the same
//!    function), and into the record `show --json` prints (the same function), and
//!    handed to the writer shared with the index export ([`super::write_export`]):
//!    the state file's merge join, `Rolling` files, `EngineDoc`.
//!
//! Memory: per article its id, a 40-byte entry, a slot in the id set and its share of
//! the band table (about 130 bytes, with its group's name), and the titles of the
//! articles that have near copies (their `similar` lists): about 340 bytes per
//! article beside its id, measured (README).

use std::collections::hash_map::Entry as MapEntry;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{prepare_dir, write_export, Options, Summary, INPUT_SPILL};
use crate::error::{Error, Result};
use crate::index::groups::Grouper;
use crate::ingest::{self, Format, Problem, Scanned, WalkEvent};
use crate::service::GroupMember;

/// The most members `show --json` lists in a group (the index's group lookup takes
/// the first 1,000 documents of the group).
const MAX_MEMBERS: usize = 1000;

/// Where the records are read from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file of records, or a folder whose `.jsonl` and `.ndjson` files are.
    Path(PathBuf),
    /// Standard input.
    Stdin,
}

impl Input {
    pub fn from_arg(p: &Path) -> Input {
        if p.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(p.to_path_buf())
        }
    }
}

/// A file the records are read again from.
struct Source {
    path: PathBuf,
    /// As messages name it.
    name: String,
}

/// What the first pass keeps of a record.
#[derive(Clone, Copy)]
struct Entry {
    /// The end of its id in `Ids::text`.
    id_end: u64,
    offset: u64,
    /// Its source, or `DELETED` for a record a deletion line took out.
    src: u32,
    len: u32,
    /// Its group number in the grouper, or `NO_GROUP` (no signature: a group of its
    /// own, named by its id).
    group: u32,
    /// A hash of the record's `path`, for deletion lines (rare: checked against the
    /// record itself before it is taken out).
    path_hash: u64,
}

const DELETED: u32 = u32::MAX;
const NO_GROUP: u32 = u32::MAX;

fn hash64(s: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// The first pass's table: ids in one buffer, the entries, and the set of ids seen.
#[derive(Default)]
struct Table {
    text: String,
    entries: Vec<Entry>,
    /// Id hash → entry; an id whose hash another id has is in `collided`.
    by_hash: HashMap<u64, u32>,
    collided: HashSet<String>,
}

impl Table {
    fn id(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 {
            0
        } else {
            self.entries[i - 1].id_end as usize
        };
        &self.text[start..self.entries[i].id_end as usize]
    }

    /// Whether a live record has this id; else it is noted as the next entry's.
    fn seen(&mut self, id: &str) -> bool {
        let next = self.entries.len() as u32;
        match self.by_hash.entry(hash64(id)) {
            MapEntry::Vacant(v) => {
                v.insert(next);
                false
            }
            MapEntry::Occupied(o) => {
                let first = *o.get();
                let start = if first == 0 {
                    0
                } else {
                    self.entries[first as usize - 1].id_end as usize
                };
                if &self.text[start..self.entries[first as usize].id_end as usize] == id {
                    true
                } else {
                    !self.collided.insert(id.to_string())
                }
            }
        }
    }

    /// Forgets the id of entry `i` (taken out by a deletion line): a later record may
    /// have it again.
    fn forget(&mut self, i: u32) {
        let id = self.id(i).to_string();
        if !self.collided.remove(&id) {
            let h = hash64(&id);
            if self.by_hash.get(&h) == Some(&i) {
                self.by_hash.remove(&h);
            }
        }
    }
}

/// Removes the copy of standard input when the export ends, however it ends.
struct Spill(Option<PathBuf>);

impl Drop for Spill {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Copies what is read into a file, flushed at each read so that the copy holds every
/// byte the scanner has seen (a deletion line reads earlier records from it).
struct Tee<R, W> {
    inner: R,
    copy: W,
    /// A failure to write the copy, told apart from a read error of the input.
    err: Option<std::io::Error>,
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Err(e) = self
            .copy
            .write_all(&buf[..n])
            .and_then(|()| self.copy.flush())
        {
            self.err = Some(std::io::Error::new(e.kind(), e.to_string()));
            return Err(e);
        }
        Ok(n)
    }
}

/// Open files of the second pass (a few at a time: there may be thousands).
struct Files {
    open: HashMap<u32, File>,
}

impl Files {
    fn get(&mut self, sources: &[Source], src: u32) -> Result<&File> {
        if !self.open.contains_key(&src) {
            if self.open.len() >= 64 {
                self.open.clear();
            }
            let s = &sources[src as usize];
            let f = File::open(&s.path).map_err(|e| Error::Io {
                path: s.path.clone(),
                source: e,
            })?;
            self.open.insert(src, f);
        }
        Ok(&self.open[&src])
    }

    /// The record of entry `e`, which must still have id `id`.
    fn record(
        &mut self,
        sources: &[Source],
        e: &Entry,
        id: &str,
    ) -> Result<crate::record::EnrichedRecord> {
        let s = &sources[e.src as usize];
        let changed = || {
            Error::InvalidArgument(format!(
                "{}: changed during the export (the record of \"{id}\" at byte {} is no longer there); \
                 export again once the records are written",
                s.name, e.offset
            ))
        };
        let f = self.get(sources, e.src)?;
        match ingest::record_at(f, e.offset, e.len) {
            Ok(r) if r.id == id => Ok(r),
            Ok(_) => Err(changed()),
            Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => Err(changed()),
            Err(err) if err.kind() == std::io::ErrorKind::Other => Err(changed()),
            Err(err) => Err(Error::Io {
                path: s.path.clone(),
                source: err,
            }),
        }
    }
}

/// Problems, as they come, and how many were errors.
struct Reporter<'a> {
    report: &'a mut dyn FnMut(&Problem),
    errors: u64,
}

impl Reporter<'_> {
    fn problem(&mut self, p: Problem) {
        if p.is_error() {
            self.errors += 1;
        }
        (self.report)(&p);
    }
}

/// What the first pass keeps.
struct Kept {
    table: Table,
    sources: Vec<Source>,
    grouper: Grouper,
}

/// The first pass over the inputs.
struct Scan<'a> {
    kept: Kept,
    out: std::cell::RefCell<Reporter<'a>>,
    /// Some input (a file, a folder listing) could not be read: ids missing from the
    /// records say nothing about what was deleted.
    incomplete: bool,
}

impl Scan<'_> {
    fn problem(&mut self, p: Problem) {
        self.out.get_mut().problem(p);
    }

    /// Reads one file of records (`input`), which is read again later from `path`.
    fn file(&mut self, name: String, path: PathBuf, input: impl Read) {
        let src = self.kept.sources.len() as u32;
        self.kept.sources.push(Source {
            path,
            name: name.clone(),
        });
        let kept = &mut self.kept;
        let out = &self.out;
        let mut each = |s: Scanned| {
            let p = match s {
                Scanned::Record {
                    line,
                    offset,
                    len,
                    record,
                } => kept.record(&name, src, line, offset, len, *record),
                Scanned::Delete {
                    line,
                    origin,
                    except,
                } => kept.delete(&name, line, &origin, &except),
            };
            if let Some(p) = p {
                out.borrow_mut().problem(p);
            }
            true
        };
        let res = ingest::scan_records(&name, input, ingest::MAX_LINE, &mut each, &mut |p| {
            out.borrow_mut().problem(p)
        });
        if let Err(p) = res {
            self.incomplete = true;
            self.problem(p);
        }
    }
}

impl Kept {
    /// Keeps a record's place and assigns its group; or the problem it has.
    fn record(
        &mut self,
        name: &str,
        src: u32,
        line: u64,
        offset: u64,
        len: u32,
        record: crate::record::EnrichedRecord,
    ) -> Option<Problem> {
        let path_hash = hash64(&record.path);
        let e = match record.into_enriched() {
            Ok(e) => e,
            Err(msg) => return Some(Problem::error(name, msg).at_line(line)),
        };
        let id = &e.article.id;
        if self.table.seen(id) {
            return Some(
                Problem::error(
                    name,
                    format!("id \"{id}\" is given to an earlier record too; skipped"),
                )
                .at_line(line)
                .with_hint("give each article's record once"),
            );
        }
        let (group, _) = self.grouper.assign_numbered(id, e.bands.as_ref());
        self.table.text.push_str(id);
        self.table.entries.push(Entry {
            id_end: self.table.text.len() as u64,
            offset,
            src,
            len,
            group: group.unwrap_or(NO_GROUP),
            path_hash,
        });
        None
    }

    /// A deletion line: the live records read so far from `origin`, but `except`.
    /// Rare (a sink of records writes one when a file's articles go), so it looks at
    /// every entry rather than keeping an index of them by file.
    fn delete(
        &mut self,
        name: &str,
        line: u64,
        origin: &str,
        except: &[String],
    ) -> Option<Problem> {
        let h = hash64(origin);
        let keep: HashSet<&str> = except.iter().map(String::as_str).collect();
        let mut files = Files {
            open: HashMap::new(),
        };
        for i in 0..self.table.entries.len() as u32 {
            let e = self.table.entries[i as usize];
            if e.src == DELETED || e.path_hash != h || keep.contains(self.table.id(i)) {
                continue;
            }
            let id = self.table.id(i).to_string();
            match files.record(&self.sources, &e, &id) {
                Ok(r) if r.path == origin => {
                    self.table.entries[i as usize].src = DELETED;
                    self.table.forget(i);
                }
                Ok(_) => {}
                Err(err) => {
                    return Some(
                        Problem::error(name, format!("deletion not applied: {err}")).at_line(line),
                    )
                }
            }
        }
        None
    }
}

/// Exports the records read from `inputs` to `opts.dir`; each problem (a bad line, a
/// file that cannot be read) goes to `report` and the rest goes on.
pub fn export_records(
    inputs: &[Input],
    opts: &Options,
    report: &mut dyn FnMut(&Problem),
) -> Result<Summary> {
    let header = prepare_dir(opts)?;
    let dir = &opts.dir;
    // A copy of standard input left by an export that was killed.
    let _ = std::fs::remove_file(dir.join(INPUT_SPILL));
    let mut spill = Spill(None);
    let mut scan = Scan {
        kept: Kept {
            table: Table::default(),
            sources: Vec::new(),
            grouper: Grouper::new(None),
        },
        out: std::cell::RefCell::new(Reporter { report, errors: 0 }),
        incomplete: false,
    };
    for input in inputs {
        match input {
            Input::Stdin => {
                let path = dir.join(INPUT_SPILL);
                let f = File::create(&path).map_err(|e| Error::Io {
                    path: path.clone(),
                    source: e,
                })?;
                spill.0 = Some(path.clone());
                let mut tee = Tee {
                    inner: std::io::stdin().lock(),
                    // The scanner reads 256 KiB at a time: no buffer of its own.
                    copy: f,
                    err: None,
                };
                scan.file("standard input".into(), path.clone(), &mut tee);
                let io = |e: std::io::Error| Error::Io {
                    path: path.clone(),
                    source: e,
                };
                if let Some(e) = tee.err.take() {
                    return Err(io(e));
                }
                tee.copy.flush().map_err(io)?;
            }
            Input::Path(p) => read_path(&mut scan, p, dir)?,
        }
    }
    let errors = scan.out.get_mut().errors;
    let Scan {
        kept: Kept {
            table,
            sources,
            grouper,
        },
        incomplete,
        ..
    } = scan;

    let live: Vec<u32> = (0..table.entries.len() as u32)
        .filter(|&i| table.entries[i as usize].src != DELETED)
        .collect();
    if live.is_empty() && header.is_some() && super::state_has_articles(dir)? {
        return Err(Error::InvalidArgument(format!(
            "{}: no record was read from the paths given, and an export of none would delete \
             every article exported there before; give the files of records (`.jsonl` or \
             `.ndjson` in a folder)",
            dir.display()
        )));
    }

    // Near-duplicate groups: the members of each group of two or more (the first
    // 1,000 read, as an index built from these records holds them), by id as
    // `show` lists them, and their titles, for the `similar` lists.
    let mut count: HashMap<u32, u32> = HashMap::new();
    for &i in &live {
        let g = table.entries[i as usize].group;
        if g != NO_GROUP {
            *count.entry(g).or_default() += 1;
        }
    }
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    for &i in &live {
        let g = table.entries[i as usize].group;
        if g != NO_GROUP && count[&g] > 1 {
            let m = members.entry(g).or_default();
            if m.len() < MAX_MEMBERS {
                m.push(i);
            }
        }
    }
    drop(count);
    for m in members.values_mut() {
        m.sort_unstable_by(|&a, &b| table.id(a).as_bytes().cmp(table.id(b).as_bytes()));
    }
    let mut files = Files {
        open: HashMap::new(),
    };
    let mut titles: HashMap<u32, String> = HashMap::new();
    for m in members.values() {
        for &i in m {
            let r = files.record(&sources, &table.entries[i as usize], table.id(i))?;
            titles.insert(i, r.title);
        }
    }

    let mut order = live;
    order.sort_unstable_by(|&a, &b| table.id(a).as_bytes().cmp(table.id(b).as_bytes()));
    let (_, fields) = crate::index::schema::build();
    let outlets = crate::sources::SourceTable::shipped();
    let outlet = |raw: &str| outlets.canonical(raw).into_owned();
    let mut sum = write_export(opts, header, incomplete, &mut |emit| {
        for &i in &order {
            let entry = table.entries[i as usize];
            let id = table.id(i);
            let record = files.record(&sources, &entry, id)?;
            let e = record.into_enriched().map_err(|msg| {
                Error::InvalidArgument(format!(
                    "{}: the record of \"{id}\" changed during the export ({msg}); export again",
                    sources[entry.src as usize].name
                ))
            })?;
            let group = match entry.group {
                NO_GROUP => id.to_string(),
                g => grouper.name(g).unwrap_or_else(|| id.to_string()),
            };
            let similar: Vec<GroupMember> = members
                .get(&entry.group)
                .into_iter()
                .flatten()
                .filter(|&&m| m != i)
                .map(|&m| GroupMember {
                    id: table.id(m).to_string(),
                    title: titles[&m].clone(),
                })
                .collect();
            let mut doc = crate::index::article_doc_from(&fields, &e, &e.article.path);
            doc.add_text(fields.group, &group);
            let shown = crate::service::article_from_stored(&fields, &doc, &outlet, similar);
            emit(id, &shown)?;
        }
        Ok(())
    })?;
    sum.errors = errors;
    Ok(sum)
}

/// Reads a file of records, or the files of records in a folder (walked as `ingest
/// --enriched` walks it, the export folder left out).
fn read_path(scan: &mut Scan<'_>, p: &Path, export_dir: &Path) -> Result<()> {
    let meta = std::fs::metadata(p).map_err(|e| Error::Io {
        path: p.to_path_buf(),
        source: e,
    })?;
    if !meta.is_dir() {
        let name = p.display().to_string();
        match ingest::open_regular(p) {
            Ok(f) => scan.file(name, p.to_path_buf(), f),
            Err(e) => {
                scan.incomplete = true;
                scan.problem(Problem::error(name, format!("cannot read: {e}")).with_hint(
                    "give a file of records, a folder of them, or `-` for standard input",
                ));
            }
        }
        return Ok(());
    }
    let mut passed_over = 0u64;
    let mut walker = ingest::walk(p).skipping(export_dir);
    for ev in walker.by_ref() {
        match ev {
            WalkEvent::File(e) if e.format == Format::JsonLines => {
                let name = p.join(&e.rel).display().to_string();
                match ingest::open_regular(&e.abs) {
                    Ok(f) => scan.file(name, e.abs.clone(), f.take(e.size)),
                    Err(err) => {
                        scan.incomplete = true;
                        scan.problem(Problem::error(name, format!("cannot read: {err}")));
                    }
                }
            }
            WalkEvent::File(_) => passed_over += 1,
            WalkEvent::Skipped { rel, reason } => {
                // Spark's and Hadoop's own files (`_SUCCESS`, `_committed_…`) start
                // with `_`, as their readers' convention for files that are not data.
                let marker = Path::new(&rel)
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('_'));
                if reason == ingest::SkipReason::Unsupported && !marker {
                    passed_over += 1;
                }
            }
            WalkEvent::Problem(pr) => {
                if pr.is_error() {
                    scan.incomplete = true;
                }
                let pr = Problem {
                    path: p.join(&pr.path).display().to_string(),
                    ..pr
                };
                scan.problem(pr);
            }
        }
    }
    if !walker.incomplete().is_empty() {
        scan.incomplete = true;
    }
    if passed_over > 0 {
        scan.problem(
            Problem::warning(
                p.display().to_string(),
                format!("{passed_over} files passed over: not .jsonl or .ndjson"),
            )
            .with_hint("files of records end in .jsonl or .ndjson (rename Spark's part files)"),
        );
    }
    Ok(())
}
