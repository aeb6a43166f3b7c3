//! Where enriched articles end. An ingest reads and enriches; what it makes goes to a
//! [`Sink`], which receives adds and deletions: [`IndexSink`] writes the tantivy index
//! (with the manifest that makes ingest incremental), [`NdjsonSink`] writes enriched
//! records, one JSON object per line (`newsidx enrich --records`). Export engines are
//! sinks too.
//!
//! A sink's work is split in two: [`Prepare`] turns an enriched article into the sink's
//! item on the enrichment threads, in parallel (the index: its tantivy document), and
//! the sink itself takes the items, the deletions and the file records in order, on
//! one thread.

use std::io::Write;

use tantivy::Term;

use crate::budget::{InFlightDoc, Permit};
use crate::enrich::{minhash, Enriched};
use crate::error::{Error, Result};
use crate::index::groups::{group_key, Grouper};
use crate::index::{FileRecord, NewsIndex};
use crate::record::EnrichedRecord;

/// Makes a sink's items; shared by the enrichment threads.
pub trait Prepare: Sync {
    type Item: Send;
    /// The item of the article `e`, read from the archive file `origin` (its own
    /// path, or the file of enriched records that held it). `permit` is the article's
    /// share of the bytes in flight, held until the sink is done with it.
    fn prepare(&self, origin: &str, e: &Enriched, permit: Option<Permit>) -> Self::Item;
}

/// Receives what an ingest makes, in order.
pub trait Sink {
    type Prep: Prepare;
    /// What the enrichment threads use to make this sink's items.
    fn preparer(&self) -> Self::Prep;
    /// An article. With `replace`, a version of it (the same id) may be there already
    /// and this one takes its place.
    fn add(
        &mut self,
        id: &str,
        bands: Option<&[u64; minhash::BANDS]>,
        item: <Self::Prep as Prepare>::Item,
        replace: bool,
    ) -> Result<()>;
    /// Removes the articles read from `origin` whose ids are not in `keep` (every one
    /// of them when `keep` is empty: the file is gone).
    fn delete_file_articles(&mut self, origin: &str, keep: &[String]) -> Result<()>;
    /// Records what was read of a file (size, time, hash, ids), replacing its record.
    fn record_file(&mut self, path: &str, rec: &FileRecord) -> Result<()>;
    /// Drops a file's record (the file is gone).
    fn forget_file(&mut self, path: &str) -> Result<()>;
    /// Makes everything so far durable: a run killed after this keeps it.
    fn commit(&mut self) -> Result<()>;
}

/// The tantivy index as a sink: articles with their near-duplicate group, deletions by
/// id and by archive file, the manifest's file records.
pub struct IndexSink<'a> {
    idx: &'a NewsIndex,
    writer: tantivy::IndexWriter<InFlightDoc>,
    grouper: Grouper,
    /// The model whose vectors the articles carry (`crate::semantic`).
    model: Option<std::sync::Arc<crate::semantic::Model>>,
}

impl<'a> IndexSink<'a> {
    pub fn new(
        idx: &'a NewsIndex,
        writer: tantivy::IndexWriter<InFlightDoc>,
        grouper: Grouper,
        model: Option<std::sync::Arc<crate::semantic::Model>>,
    ) -> IndexSink<'a> {
        IndexSink {
            idx,
            writer,
            grouper,
            model,
        }
    }

    /// The last commit, then waits for tantivy's merges to finish. With `merge` (a
    /// run that was not stopped), big segments are then merged into fewer
    /// (`index::final_merge_groups`), up to `at_once` merges at a time (one per core:
    /// the writer's threads are done by then). Each merge commits on its own: a run
    /// killed during one keeps every article, and its unfinished files are removed by
    /// the next run. An ingest reads the index's files unmapped
    /// (`readonly::Unmapped::All`), so a merge's input does not stay in its resident
    /// memory.
    pub fn finish(mut self, merge: bool, at_once: usize) -> Result<()> {
        self.commit()?;
        let path = &self.idx.path;
        if merge {
            let segments: Vec<(tantivy::index::SegmentId, u64)> = self
                .idx
                .index
                .searchable_segment_metas()
                .map_err(|e| Error::write(path, e))?
                .iter()
                .map(|m| (m.id(), u64::from(m.num_docs())))
                .collect();
            let mut running = std::collections::VecDeque::new();
            for group in crate::index::final_merge_groups(&segments) {
                if running.len() >= at_once.max(1) {
                    wait_merge(path, &mut running)?;
                }
                running.push_back(self.writer.merge(&group));
            }
            while !running.is_empty() {
                wait_merge(path, &mut running)?;
            }
        }
        self.writer
            .wait_merging_threads()
            .map_err(|e| Error::write(path, e))
    }
}

type Merging = tantivy::FutureResult<Option<tantivy::index::SegmentMeta>>;

/// Waits for the oldest of the merges started.
fn wait_merge(
    path: &std::path::Path,
    running: &mut std::collections::VecDeque<Merging>,
) -> Result<()> {
    match running.pop_front() {
        Some(m) => m.wait().map(|_| ()).map_err(|e| Error::write(path, e)),
        None => Ok(()),
    }
}

/// Makes tantivy documents, with each article's vector where the index has a model.
#[derive(Clone)]
pub struct DocMaker(
    crate::index::schema::Fields,
    Option<std::sync::Arc<crate::semantic::Model>>,
);

impl Prepare for DocMaker {
    type Item = InFlightDoc;
    fn prepare(&self, origin: &str, e: &Enriched, permit: Option<Permit>) -> InFlightDoc {
        let mut doc = crate::index::article_doc_from(&self.0, e, origin);
        if let (Some(model), Some(field)) = (&self.1, self.0.semantic) {
            let a = &e.article;
            doc.add_bytes(
                field,
                &model.article_vector(&a.title, a.subtitle.as_deref().unwrap_or(""), &a.body),
            );
        }
        InFlightDoc::new(doc, permit)
    }
}

impl Sink for IndexSink<'_> {
    type Prep = DocMaker;

    fn preparer(&self) -> DocMaker {
        DocMaker(self.idx.fields, self.model.clone())
    }

    fn add(
        &mut self,
        id: &str,
        bands: Option<&[u64; minhash::BANDS]>,
        mut doc: InFlightDoc,
        replace: bool,
    ) -> Result<()> {
        let f = self.idx.fields;
        let group = self.grouper.assign(id, bands);
        doc.doc.add_text(f.group, &group);
        doc.doc.add_u64(f.group_key, group_key(&group));
        // A tantivy delete applies to the documents added before it: the old version
        // goes, this one stays, and no commit shows neither.
        if replace {
            self.writer.delete_term(Term::from_field_text(f.id, id));
        }
        self.writer
            .add_document(doc)
            .map_err(|e| Error::write(&self.idx.path, e))?;
        Ok(())
    }

    fn delete_file_articles(&mut self, origin: &str, keep: &[String]) -> Result<()> {
        use tantivy::query::{BooleanQuery, Occur, Query, TermQuery, TermSetQuery};
        use tantivy::schema::IndexRecordOption;
        let f = self.idx.fields;
        let of_file = Term::from_field_text(f.owner(), origin);
        if keep.is_empty() {
            self.writer.delete_term(of_file);
            return Ok(());
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(of_file, IndexRecordOption::Basic)),
            ),
            (
                Occur::MustNot,
                Box::new(TermSetQuery::new(
                    keep.iter().map(|id| Term::from_field_text(f.id, id)),
                )),
            ),
        ];
        self.writer
            .delete_query(Box::new(BooleanQuery::new(clauses)))
            .map_err(|e| Error::write(&self.idx.path, e))?;
        Ok(())
    }

    fn record_file(&mut self, path: &str, rec: &FileRecord) -> Result<()> {
        self.forget_file(path)?;
        self.writer
            .add_document(self.idx.file_doc(path, rec).into())
            .map_err(|e| Error::write(&self.idx.path, e))?;
        Ok(())
    }

    fn forget_file(&mut self, path: &str) -> Result<()> {
        let f = self.idx.fields;
        self.writer
            .delete_term(Term::from_field_text(f.file_key, path));
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.writer
            .commit()
            .map_err(|e| Error::write(&self.idx.path, e))?;
        Ok(())
    }
}

/// Enriched records, one JSON object per line ([`EnrichedRecord`]). A deletion is a
/// line `{"newsidx_delete":1,"origin":…,"except":[ids]}`: the articles read from that
/// file, but those ids. File records are not written: a stream of records has no
/// manifest of its own.
pub struct NdjsonSink<W: Write> {
    out: W,
    /// Flush after each line, so that a reader at the other end of a pipe sees each
    /// record as soon as it is made.
    flush_each: bool,
}

impl<W: Write> NdjsonSink<W> {
    pub fn new(out: W, flush_each: bool) -> NdjsonSink<W> {
        NdjsonSink { out, flush_each }
    }

    fn line(&mut self, line: &str) -> Result<()> {
        let io = |e: std::io::Error| Error::Io {
            path: "standard output".into(),
            source: e,
        };
        writeln!(self.out, "{line}").map_err(io)?;
        if self.flush_each {
            self.out.flush().map_err(io)?;
        }
        Ok(())
    }
}

/// Makes record lines.
#[derive(Clone, Copy)]
pub struct RecordMaker;

impl Prepare for RecordMaker {
    type Item = String;
    fn prepare(&self, _origin: &str, e: &Enriched, _permit: Option<Permit>) -> String {
        EnrichedRecord::from_enriched(e).to_line()
    }
}

impl<W: Write> Sink for NdjsonSink<W> {
    type Prep = RecordMaker;

    fn preparer(&self) -> RecordMaker {
        RecordMaker
    }

    fn add(
        &mut self,
        _id: &str,
        _bands: Option<&[u64; minhash::BANDS]>,
        line: String,
        _replace: bool,
    ) -> Result<()> {
        self.line(&line)
    }

    fn delete_file_articles(&mut self, origin: &str, keep: &[String]) -> Result<()> {
        let v = serde_json::json!({"newsidx_delete": 1, "origin": origin, "except": keep});
        self.line(&v.to_string())
    }

    fn record_file(&mut self, _path: &str, _rec: &FileRecord) -> Result<()> {
        Ok(())
    }

    fn forget_file(&mut self, _path: &str) -> Result<()> {
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::Io {
            path: "standard output".into(),
            source: e,
        })
    }
}
