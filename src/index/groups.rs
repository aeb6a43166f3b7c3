//! Grouping near-duplicate articles at ingest. An article joins the group of an
//! earlier article with which it shares at least [`MIN_SHARED_BANDS`] MinHash bands,
//! looked up first among this run's articles (in memory) and then among those already
//! in the index (by band terms), so groups hold across incremental ingests. A group
//! is named by the id of the article that started it.

use crate::enrich::minhash::BANDS;
use crate::index::Fields;
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

pub const MIN_SHARED_BANDS: usize = 2;

pub fn band_term(b: u64) -> String {
    format!("{b:016x}")
}

pub struct Grouper {
    bands: HashMap<u64, u32>,
    names: Vec<String>,
    /// The index as it was when the run started; `None` when it was empty.
    searcher: Option<Searcher>,
    fields: Fields,
}

impl Grouper {
    pub fn new(searcher: Option<Searcher>, fields: Fields) -> Grouper {
        Grouper {
            bands: HashMap::new(),
            names: Vec::new(),
            searcher: searcher.filter(|s| s.num_docs() > 0),
            fields,
        }
    }

    /// The group of the article `id` with these band keys.
    pub fn assign(&mut self, id: &str, bands: Option<&[u64; BANDS]>) -> String {
        let Some(bands) = bands else {
            return id.to_string();
        };
        let mut votes: HashMap<u32, usize> = HashMap::new();
        for b in bands {
            if let Some(g) = self.bands.get(b) {
                *votes.entry(*g).or_insert(0) += 1;
            }
        }
        let in_run = votes
            .into_iter()
            .filter(|(_, n)| *n >= MIN_SHARED_BANDS)
            .max_by_key(|(g, n)| (*n, std::cmp::Reverse(*g)))
            .map(|(g, _)| g);
        let g = match in_run {
            Some(g) => g,
            None => {
                let name = self.in_index(bands).unwrap_or_else(|| id.to_string());
                self.names.push(name);
                (self.names.len() - 1) as u32
            }
        };
        for b in bands {
            self.bands.entry(*b).or_insert(g);
        }
        self.names[g as usize].clone()
    }

    fn in_index(&self, bands: &[u64; BANDS]) -> Option<String> {
        let searcher = self.searcher.as_ref()?;
        let clauses: Vec<(Occur, Box<dyn Query>)> = bands
            .iter()
            .map(|b| {
                let t = TermQuery::new(
                    Term::from_field_text(self.fields.dup_bands, &band_term(*b)),
                    IndexRecordOption::Basic,
                );
                (
                    Occur::Should,
                    Box::new(ConstScoreQuery::new(Box::new(t), 1.0)) as Box<dyn Query>,
                )
            })
            .collect();
        let top = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(1).order_by_score(),
            )
            .ok()?;
        let (score, addr) = top.into_iter().next()?;
        if (score as usize) < MIN_SHARED_BANDS {
            return None;
        }
        let doc: TantivyDocument = searcher.doc(addr).ok()?;
        doc.get_first(self.fields.group)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }
}
