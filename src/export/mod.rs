//! Export of the index's articles to a distributed search engine: OpenSearch or
//! Elasticsearch (`_bulk` files and a mapping), Quickwit (NDJSON documents and an index
//! config), or plain NDJSON (the records `show --json` prints).
//!
//! An export streams: articles are read one at a time, in the order of their ids (the
//! `id` field's term dictionary, merged over the segments), so memory does not grow
//! with the archive. That order also makes an OpenSearch export incremental without
//! holding a set of ids: the export folder keeps a state file, `newsidx-export.state`,
//! listing each exported id with a hash of what was sent, in the same order, and a
//! new export walks both lists side by side (a merge join): a new or changed article
//! becomes an `index` action, a listed id the index no longer has a `delete` action,
//! and an unchanged article nothing.
//!
//! The export folder holds only files named here; a folder with anything else in it
//! is refused, and only files of these names are ever removed.

pub mod opensearch;
pub mod quickwit;
pub mod records;

use crate::error::{Error, Result};
use crate::index::{layout, NewsIndex};
use crate::service::{self, ArticleResponse};
use serde::Serialize;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, TantivyDocument, TERMINATED};

/// Where an export goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    OpenSearch,
    Quickwit,
    Ndjson,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::OpenSearch => "opensearch",
            Target::Quickwit => "quickwit",
            Target::Ndjson => "ndjson",
        }
    }

    /// The prefix of this target's data files.
    fn prefix(self) -> &'static str {
        match self {
            Target::OpenSearch => "bulk",
            Target::Quickwit => "docs",
            Target::Ndjson => "articles",
        }
    }
}

/// The default largest data file: OpenSearch's `http.max_content_length` is 100 MB by
/// default, and its documentation advises bulk requests of a few to tens of MB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 50_000_000;

#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    pub dir: PathBuf,
    /// A data file is closed before it would exceed this size (a single article larger
    /// than this gets a file of its own).
    pub max_file_bytes: u64,
}

/// What an export did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub to: &'static str,
    pub dir: PathBuf,
    /// The run number of an OpenSearch export (its files are `bulk-RUN-N.ndjson`);
    /// the other targets rewrite the whole export each time and count runs too.
    pub run: u64,
    /// Articles in the index.
    pub articles: u64,
    /// Articles written (OpenSearch: `index` actions).
    pub written: u64,
    /// Articles unchanged since the last export, not written again (OpenSearch only).
    pub unchanged: u64,
    /// `delete` actions for articles removed since the last export (OpenSearch only).
    pub deleted: u64,
    /// Articles of the last export that this one did not find but kept, without a
    /// `delete` action, because some of its input could not be read (`--records`).
    pub kept: u64,
    /// Bad records and files that could not be read (`--records`), each a line on
    /// stderr.
    pub errors: u64,
    /// The data files this run wrote, in the order to load them.
    pub files: Vec<String>,
    /// The index definition written beside them (`mapping.json`, `index-config.yaml`).
    pub definition: Option<String>,
}

/// The state file: a header line, then one `[id, hash]` line per exported article in
/// id order.
pub const STATE: &str = "newsidx-export.state";
const STATE_TMP: &str = "newsidx-export.state.tmp";
pub const MAPPING: &str = "mapping.json";
pub const QUICKWIT_CONFIG: &str = "index-config.yaml";
/// The copy of standard input an export of records reads again (removed at the end).
const INPUT_SPILL: &str = "newsidx-export.input.tmp";

#[derive(Debug, Serialize, serde::Deserialize)]
struct Header {
    newsidx_export: u32,
    to: String,
    run: u64,
}

/// Whether `name` is a file an export writes.
fn is_ours(name: &str) -> bool {
    let names = [
        STATE,
        STATE_TMP,
        INPUT_SPILL,
        MAPPING,
        QUICKWIT_CONFIG,
        "mapping.json.tmp",
        "index-config.yaml.tmp",
    ];
    if names.contains(&name) {
        return true;
    }
    data_file_parts(name).is_some()
}

/// `bulk-000002-000001.ndjson` → ("bulk", Some(2), 1); `docs-000001.ndjson` →
/// ("docs", None, 1).
fn data_file_parts(name: &str) -> Option<(&str, Option<u64>, u64)> {
    let stem = name.strip_suffix(".ndjson")?;
    let digits = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = stem.split('-').collect();
    match parts.as_slice() {
        ["bulk", run, n] if digits(run) && digits(n) => {
            Some(("bulk", run.parse().ok(), n.parse().ok()?))
        }
        [p @ ("docs" | "articles"), n] if digits(n) => Some((p, None, n.parse().ok()?)),
        _ => None,
    }
}

fn data_file_name(target: Target, run: u64, n: u64) -> String {
    match target {
        Target::OpenSearch => format!("bulk-{run:06}-{n:06}.ndjson"),
        _ => format!("{}-{n:06}.ndjson", target.prefix()),
    }
}

fn refuse(dir: &Path, why: String) -> Error {
    Error::InvalidArgument(format!(
        "{}: {why}; export into an empty folder or one an earlier `newsidx export` wrote",
        dir.display()
    ))
}

fn write_err(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Checks the export folder (creating it if need be) and reads the state header of
/// an earlier export, if any.
fn prepare_dir(opts: &Options) -> Result<Option<Header>> {
    let dir = &opts.dir;
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => {
            return Err(refuse(
                dir,
                format!("is {}, not a folder", crate::error::kind_of(&m)),
            ))
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
        }
        Err(e) => return Err(write_err(dir, e)),
    }
    let mut foreign = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| write_err(dir, e))? {
        let entry = entry.map_err(|e| write_err(dir, e))?;
        let name = entry.file_name();
        let ok = name.to_str().is_some_and(is_ours)
            && entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if !ok {
            foreign.push(name.to_string_lossy().into_owned());
        }
    }
    if !foreign.is_empty() {
        foreign.sort();
        let shown: Vec<String> = foreign
            .iter()
            .take(3)
            .map(|s| crate::error::one_line(s).into_owned())
            .collect();
        return Err(refuse(
            dir,
            format!(
                "holds files newsidx export did not write ({}{})",
                shown.join(", "),
                if foreign.len() > 3 { ", …" } else { "" }
            ),
        ));
    }
    let state = dir.join(STATE);
    let header = match File::open(&state) {
        Ok(f) => {
            let mut line = String::new();
            BufReader::new(f)
                .read_line(&mut line)
                .map_err(|e| write_err(&state, e))?;
            let h: Header = serde_json::from_str(&line).map_err(|_| {
                refuse(
                    dir,
                    format!("{STATE} is damaged (its first line is not the header)"),
                )
            })?;
            if h.to != opts.target.name() {
                return Err(refuse(
                    dir,
                    format!("holds an export to {}, not {}", h.to, opts.target.name()),
                ));
            }
            Some(h)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(write_err(&state, e)),
    };
    Ok(header)
}

/// Whether the state file in `dir` lists any article.
fn state_has_articles(dir: &Path) -> Result<bool> {
    let path = dir.join(STATE);
    match File::open(&path) {
        Ok(f) => Ok(BufReader::new(f).lines().nth(1).is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(write_err(&path, e)),
    }
}

/// The records of an earlier export, read one line at a time, in id order.
struct OldState {
    lines: Option<std::io::Lines<BufReader<File>>>,
    path: PathBuf,
    next: Option<(String, String)>,
}

impl OldState {
    fn open(dir: &Path, exists: bool) -> Result<OldState> {
        let path = dir.join(STATE);
        let mut s = OldState {
            lines: None,
            path: path.clone(),
            next: None,
        };
        if exists {
            let f = File::open(&path).map_err(|e| write_err(&path, e))?;
            let mut lines = BufReader::new(f).lines();
            lines.next(); // the header, read before
            s.lines = Some(lines);
            s.advance()?;
        }
        Ok(s)
    }

    fn advance(&mut self) -> Result<()> {
        let Some(lines) = &mut self.lines else {
            self.next = None;
            return Ok(());
        };
        let prev = self.next.take();
        let Some(line) = lines.next() else {
            return Ok(());
        };
        let line = line.map_err(|e| write_err(&self.path, e))?;
        let (id, hash): (String, String) = serde_json::from_str(&line).map_err(|e| {
            Error::InvalidArgument(format!(
                "{}: damaged ({e}); export into a new folder",
                self.path.display()
            ))
        })?;
        if prev.is_some_and(|(p, _)| p.as_bytes() >= id.as_bytes()) {
            return Err(Error::InvalidArgument(format!(
                "{}: damaged (ids out of order); export into a new folder",
                self.path.display()
            )));
        }
        self.next = Some((id, hash));
        Ok(())
    }
}

/// Data files of at most `max` bytes each, a chunk (an action and its document)
/// never split between two.
struct Rolling {
    dir: PathBuf,
    target: Target,
    run: u64,
    max: u64,
    n: u64,
    cur: Option<(BufWriter<File>, u64)>,
    files: Vec<String>,
}

impl Rolling {
    fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let len = chunk.len() as u64;
        if let Some((_, used)) = &self.cur {
            if *used > 0 && used + len > self.max {
                self.close()?;
            }
        }
        if self.cur.is_none() {
            self.n += 1;
            let name = data_file_name(self.target, self.run, self.n);
            let path = self.dir.join(&name);
            let f = File::create(&path).map_err(|e| write_err(&path, e))?;
            self.files.push(name);
            self.cur = Some((BufWriter::with_capacity(1 << 20, f), 0));
        }
        let (w, used) = self.cur.as_mut().expect("opened above");
        let res = w.write_all(chunk);
        *used += len;
        res.map_err(|e| self.err(e))
    }

    fn err(&self, e: std::io::Error) -> Error {
        let name = self.files.last().map(String::as_str).unwrap_or("");
        write_err(&self.dir.join(name), e)
    }

    fn close(&mut self) -> Result<()> {
        if let Some((w, _)) = self.cur.take() {
            let f = w.into_inner().map_err(|e| self.err(e.into_error()))?;
            f.sync_all().map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

/// The fields a search engine filters, counts and collapses on, derived from the
/// record itself (never from the index), so they follow the record wherever it
/// comes from. Added beside the record's own fields in OpenSearch and Quickwit
/// documents; plain NDJSON carries the record alone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchFields {
    /// ISO codes of the countries named directly (what `--country` matches).
    pub country: Vec<String>,
    /// ISO codes of countries named only through a city or region (`--via-place`).
    pub place_country: Vec<String>,
    /// Leaders' canonical names.
    pub leader: Vec<String>,
    /// Organisations' names.
    pub org: Vec<String>,
    /// Every period a mentioned date lies in ("2019-03-05", "2019-03", "2019",
    /// "201X"), what `--mentions` matches.
    pub mentions: Vec<String>,
    /// The publication date as an RFC 3339 timestamp (midnight UTC), for engines whose
    /// time field wants one (Quickwit's `timestamp_field`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
}

/// [`SearchFields`] of a record.
pub fn search_fields(r: &ArticleResponse) -> SearchFields {
    let strs = |v: &serde_json::Value, key: &str, keep: &dyn Fn(&serde_json::Value) -> bool| {
        v.as_array()
            .into_iter()
            .flatten()
            .filter(|x| keep(x))
            .filter_map(|x| x.get(key).and_then(|s| s.as_str()).map(str::to_string))
            .collect::<Vec<String>>()
    };
    let place = |x: &serde_json::Value| x.get("via_place").and_then(|b| b.as_bool()) == Some(true);
    let mut mentions: Vec<String> = r
        .dates
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| {
            let value = d.get("value")?.as_str()?.to_string();
            let granularity = serde_json::from_value(d.get("granularity")?.clone()).ok()?;
            Some(crate::enrich::DateMention {
                text: String::new(),
                start: 0,
                end: 0,
                value: Some(value),
                granularity,
            })
        })
        .flat_map(|m| m.index_terms())
        .collect();
    mentions.sort();
    mentions.dedup();
    SearchFields {
        country: strs(&r.countries, "code", &|x| !place(x)),
        place_country: strs(&r.countries, "code", &place),
        leader: strs(&r.leaders, "name", &|_| true),
        org: strs(&r.orgs, "name", &|_| true),
        mentions,
        published_at: r.published.as_ref().map(|d| format!("{d}T00:00:00Z")),
    }
}

/// A document as OpenSearch and Quickwit receive it: the record and its search fields.
#[derive(Serialize)]
pub struct EngineDoc<'a> {
    #[serde(flatten)]
    pub record: &'a ArticleResponse,
    #[serde(flatten)]
    pub search: SearchFields,
}

/// The longest `_id` OpenSearch and Elasticsearch accept, in bytes.
pub const MAX_ID_BYTES: usize = 512;

/// The `_id` of an article: its id, or, for an id longer than OpenSearch takes (a long
/// web address in a web archive), `blake3:` and the hash of the id.
pub fn engine_id(id: &str) -> String {
    if id.len() <= MAX_ID_BYTES {
        id.to_string()
    } else {
        format!("blake3:{}", blake3::hash(id.as_bytes()).to_hex())
    }
}

/// Calls `f` with each live article's id and address, in byte order of the ids, one
/// at a time: each segment's `id` term dictionary is streamed and the streams are
/// merged, so nothing is collected.
pub fn for_each_article(
    idx: &NewsIndex,
    searcher: &Searcher,
    mut f: impl FnMut(&str, DocAddress) -> Result<()>,
) -> Result<()> {
    let field = idx.fields.id;
    let readers = searcher.segment_readers();
    let mut inverted = Vec::with_capacity(readers.len());
    for r in readers {
        inverted.push(r.inverted_index(field)?);
    }
    let mut streams = Vec::with_capacity(inverted.len());
    for inv in &inverted {
        let mut s = inv.terms().stream().map_err(tantivy::TantivyError::from)?;
        let has = s.advance();
        streams.push((s, has));
    }
    let mut key: Vec<u8> = Vec::new();
    while let Some(min) = streams
        .iter()
        .filter(|(_, has)| *has)
        .map(|(s, _)| s.key())
        .min()
    {
        key.clear();
        key.extend_from_slice(min);
        let mut found = None;
        for (seg, (s, has)) in streams.iter_mut().enumerate() {
            if !*has || s.key() != key.as_slice() {
                continue;
            }
            if found.is_none() {
                let mut postings = inverted[seg]
                    .read_postings_from_terminfo(s.value(), IndexRecordOption::Basic)
                    .map_err(tantivy::TantivyError::from)?;
                let reader = &readers[seg];
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !reader.is_deleted(doc) {
                        found = Some(DocAddress::new(seg as u32, doc));
                        break;
                    }
                    doc = postings.advance();
                }
            }
            *has = s.advance();
        }
        if let Some(addr) = found {
            // Ids are written from Rust strings: always UTF-8.
            let id = String::from_utf8_lossy(&key);
            f(&id, addr)?;
        }
    }
    Ok(())
}

/// The JSON of a value made here (string keys only, so serialising cannot fail).
fn json_bytes<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("string-keyed values serialise")
}

/// Hash of what was sent for an article, as kept in the state file.
fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_string()
}

/// Exports every article of `idx` to `opts.dir`.
pub fn export(idx: &NewsIndex, opts: &Options) -> Result<Summary> {
    let header = prepare_dir(opts)?;
    let searcher = idx.searcher()?;
    write_export(opts, header, false, &mut |emit| {
        for_each_article(idx, &searcher, |id, addr| {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let record = service::article_from_doc(idx, &searcher, &doc)?;
            emit(id, &record)
        })
    })
}

/// Where the articles of an export come from: `feed` calls its argument with each
/// article's id and record, in byte order of the ids.
type Feed<'a> = dyn FnMut(&mut dyn FnMut(&str, &ArticleResponse) -> Result<()>) -> Result<()> + 'a;

/// Writes the articles `feed` gives into the export folder (checked by
/// [`prepare_dir`], which read `header`). With `keep_missing`, an id of the last
/// export that `feed` did not give stays in the state and gets no `delete` action:
/// some of the input could not be read, so its absence says nothing.
fn write_export(
    opts: &Options,
    header: Option<Header>,
    keep_missing: bool,
    feed: &mut Feed<'_>,
) -> Result<Summary> {
    let dir = &opts.dir;
    let run = header.as_ref().map_or(0, |h| h.run) + 1;
    // Files of this run left by an export that was stopped before it finished (its
    // state was not updated, so this run has the same number) are written again.
    let incremental = opts.target == Target::OpenSearch;
    if incremental {
        remove_data_files(dir, |_, r, _| r == Some(run))?;
    }
    let mut out = Rolling {
        dir: dir.clone(),
        target: opts.target,
        run,
        max: opts.max_file_bytes.max(1),
        n: 0,
        cur: None,
        files: Vec::new(),
    };
    let mut old = OldState::open(dir, incremental && header.is_some())?;
    let state_tmp = dir.join(STATE_TMP);
    let mut state = BufWriter::new(File::create(&state_tmp).map_err(|e| write_err(&state_tmp, e))?);
    let header_line = json_bytes(&Header {
        newsidx_export: 1,
        to: opts.target.name().into(),
        run,
    });
    state
        .write_all(&header_line)
        .and_then(|()| state.write_all(b"\n"))
        .map_err(|e| write_err(&state_tmp, e))?;
    let mut sum = Summary {
        to: opts.target.name(),
        dir: dir.clone(),
        run,
        articles: 0,
        written: 0,
        unchanged: 0,
        deleted: 0,
        kept: 0,
        errors: 0,
        files: Vec::new(),
        definition: None,
    };
    let mut chunk: Vec<u8> = Vec::new();
    // An id the last export had and this one does not: a `delete` action, or, with
    // `keep_missing`, its state line carried over.
    let gone = |out: &mut Rolling,
                state: &mut BufWriter<File>,
                (id, hash): &(String, String),
                sum: &mut Summary|
     -> Result<()> {
        if keep_missing {
            let mut line = json_bytes(&(id, hash));
            line.push(b'\n');
            sum.kept += 1;
            return state.write_all(&line).map_err(|e| write_err(&state_tmp, e));
        }
        let line = serde_json::json!({"delete": {"_id": engine_id(id)}});
        let mut b = json_bytes(&line);
        b.push(b'\n');
        sum.deleted += 1;
        out.write(&b)
    };
    feed(&mut |id, record| {
        sum.articles += 1;
        chunk.clear();
        match opts.target {
            Target::Ndjson => chunk.extend_from_slice(&json_bytes(record)),
            Target::Quickwit | Target::OpenSearch => {
                let d = EngineDoc {
                    search: search_fields(record),
                    record,
                };
                chunk.extend_from_slice(&json_bytes(&d));
            }
        }
        chunk.push(b'\n');
        if !incremental {
            sum.written += 1;
            return out.write(&chunk);
        }
        let hash = content_hash(&chunk);
        // Ids the last export had and this one does not, up to this one (written to
        // the state before this id's line, which keeps it in order).
        while let Some(entry) = &old.next {
            if entry.0.as_bytes() >= id.as_bytes() {
                break;
            }
            let entry = entry.clone();
            gone(&mut out, &mut state, &entry, &mut sum)?;
            old.advance()?;
        }
        let mut state_line = json_bytes(&(id, &hash));
        state_line.push(b'\n');
        state
            .write_all(&state_line)
            .map_err(|e| write_err(&state_tmp, e))?;
        let same = matches!(&old.next, Some((o, h)) if o == id && *h == hash);
        if matches!(&old.next, Some((o, _)) if o == id) {
            old.advance()?;
        }
        if same {
            sum.unchanged += 1;
            return Ok(());
        }
        let action = serde_json::json!({"index": {"_id": engine_id(id)}});
        let mut b = json_bytes(&action);
        b.push(b'\n');
        b.extend_from_slice(&chunk);
        sum.written += 1;
        out.write(&b)
    })?;
    while let Some(entry) = &old.next {
        let entry = entry.clone();
        gone(&mut out, &mut state, &entry, &mut sum)?;
        old.advance()?;
    }
    out.close()?;
    sum.files = out.files.clone();
    // The index definition, written whole each time (it depends on nothing but this
    // version of newsidx).
    let definition = match opts.target {
        Target::OpenSearch => Some((
            MAPPING,
            serde_json::to_vec_pretty(&opensearch::mapping()).expect("a JSON value serialises"),
        )),
        Target::Quickwit => Some((QUICKWIT_CONFIG, quickwit::index_config().into_bytes())),
        Target::Ndjson => None,
    };
    if let Some((name, bytes)) = &definition {
        let tmp = format!("{name}.tmp");
        layout::write_atomic(dir, name, &tmp, bytes).map_err(|e| write_err(&dir.join(name), e))?;
        sum.definition = Some(name.to_string());
    }
    if !incremental {
        // A whole export: files of the last one beyond this one's count are stale.
        let n = out.n;
        remove_data_files(dir, |p, _, k| p == opts.target.prefix() && k > n)?;
    }
    // Nothing changed: no run is counted, and the state stays as it was.
    if incremental && out.files.is_empty() {
        drop(state);
        let _ = std::fs::remove_file(&state_tmp);
        sum.run = run - 1;
        return Ok(sum);
    }
    // The state is swapped in last: an export stopped before this point is done
    // again by the next one, under the same run number.
    let f = state
        .into_inner()
        .map_err(|e| write_err(&state_tmp, e.into_error()))?;
    f.sync_all().map_err(|e| write_err(&state_tmp, e))?;
    drop(f);
    let path = dir.join(STATE);
    std::fs::rename(&state_tmp, &path).map_err(|e| write_err(&path, e))?;
    layout::sync_dir(dir).map_err(|e| write_err(dir, e))?;
    Ok(sum)
}

/// Removes the data files (by our names only) for which `which(prefix, run, n)`.
fn remove_data_files(dir: &Path, which: impl Fn(&str, Option<u64>, u64) -> bool) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| write_err(dir, e))? {
        let entry = entry.map_err(|e| write_err(dir, e))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if let Some((p, r, n)) = data_file_parts(&name) {
            if which(p, r, n) {
                let path = dir.join(&name);
                std::fs::remove_file(&path).map_err(|e| write_err(&path, e))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_names_round_trip_and_nothing_else_is_ours() {
        assert_eq!(
            data_file_parts(&data_file_name(Target::OpenSearch, 2, 13)),
            Some(("bulk", Some(2), 13))
        );
        assert_eq!(
            data_file_parts(&data_file_name(Target::Quickwit, 9, 1)),
            Some(("docs", None, 1))
        );
        for name in [
            "notes.txt",
            "bulk-1-1.ndjson",
            "docs-000001.json",
            "bulk-000001.ndjson",
        ] {
            assert!(!is_ours(name), "{name}");
        }
        assert!(is_ours(STATE) && is_ours(MAPPING) && is_ours(QUICKWIT_CONFIG));
    }

    #[test]
    fn long_ids_get_a_hashed_engine_id() {
        assert_eq!(engine_id("a.md#1"), "a.md#1");
        let long = "x".repeat(600);
        let e = engine_id(&long);
        assert!(e.starts_with("blake3:") && e.len() < MAX_ID_BYTES);
    }
}
