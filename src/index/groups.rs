//! Grouping near-duplicate articles at ingest. An article joins the group of an
//! earlier article with which it shares at least [`MIN_SHARED_BANDS`] MinHash bands,
//! looked up first among this run's articles (in memory) and then among those already
//! in the index (by band terms), so groups hold across incremental ingests. A group
//! is named by the id of the article that started it.
//!
//! The table of this run's band keys takes about 130 bytes per article (130 MB at a
//! million articles in one run); earlier runs' articles are found through the index.

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

/// Band keys seen in this run, each with the group that first had it. Recent keys sit in
/// a hash map; every [`MERGE_AT`] keys they are merged into one sorted vector. Keys are
/// the low 32 bits of the band hash: a false match needs two 32-bit collisions with the
/// same group. About 130 bytes per article (16 bands of 8 bytes, and its group name).
struct BandTable {
    recent: HashMap<u32, u32>,
    sorted: Vec<(u32, u32)>,
    merge_at: usize,
}

const MERGE_AT: usize = 1 << 20;

impl BandTable {
    fn new(merge_at: usize) -> BandTable {
        BandTable {
            recent: HashMap::new(),
            sorted: Vec::new(),
            merge_at,
        }
    }

    fn get(&self, key: u32) -> Option<u32> {
        if let Ok(i) = self.sorted.binary_search_by_key(&key, |(k, _)| *k) {
            return Some(self.sorted[i].1);
        }
        self.recent.get(&key).copied()
    }

    fn insert(&mut self, key: u32, group: u32) {
        if self.get(key).is_some() {
            return;
        }
        self.recent.insert(key, group);
        if self.recent.len() >= self.merge_at {
            let mut fresh: Vec<(u32, u32)> = self.recent.drain().collect();
            fresh.sort_unstable();
            let old = std::mem::take(&mut self.sorted);
            let mut merged = Vec::with_capacity(old.len() + fresh.len());
            let (mut a, mut b) = (old.into_iter().peekable(), fresh.into_iter().peekable());
            loop {
                let next = match (a.peek(), b.peek()) {
                    (Some(x), Some(y)) if x.0 <= y.0 => a.next(),
                    (Some(_), Some(_)) => b.next(),
                    (Some(_), None) => a.next(),
                    (None, Some(_)) => b.next(),
                    (None, None) => break,
                };
                merged.extend(next);
            }
            self.sorted = merged;
        }
    }
}

/// Group names, one string buffer for all.
#[derive(Default)]
struct Names {
    text: String,
    ends: Vec<usize>,
}

impl Names {
    fn push(&mut self, name: &str) -> u32 {
        self.text.push_str(name);
        self.ends.push(self.text.len());
        (self.ends.len() - 1) as u32
    }

    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

pub struct Grouper {
    bands: BandTable,
    names: Names,
    /// The index as it was when the run started; `None` when it was empty.
    searcher: Option<Searcher>,
    fields: Fields,
}

impl Grouper {
    pub fn new(searcher: Option<Searcher>, fields: Fields) -> Grouper {
        Grouper {
            bands: BandTable::new(MERGE_AT),
            names: Names::default(),
            searcher: searcher.filter(|s| s.num_docs() > 0),
            fields,
        }
    }

    /// The group of the article `id` with these band keys.
    pub fn assign(&mut self, id: &str, bands: Option<&[u64; BANDS]>) -> String {
        let Some(bands) = bands else {
            return id.to_string();
        };
        let mut votes: Vec<(u32, usize)> = Vec::new();
        for b in bands {
            if let Some(g) = self.bands.get(*b as u32) {
                match votes.iter_mut().find(|(x, _)| *x == g) {
                    Some((_, n)) => *n += 1,
                    None => votes.push((g, 1)),
                }
            }
        }
        let in_run = votes
            .into_iter()
            .filter(|(_, n)| *n >= MIN_SHARED_BANDS)
            .max_by_key(|(g, n)| (*n, std::cmp::Reverse(*g)))
            .map(|(g, _)| g);
        let g = match in_run {
            Some(g) => g,
            None => match self.in_index(bands) {
                Some(name) => self.names.push(&name),
                None => self.names.push(id),
            },
        };
        for b in bands {
            self.bands.insert(*b as u32, g);
        }
        self.names.get(g).to_string()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_table_keeps_the_first_group_of_a_key_across_merges() {
        let mut t = BandTable::new(4);
        for k in 0..10u32 {
            t.insert(k * 7919, k);
        }
        t.insert(3 * 7919, 99);
        for k in 10..20u32 {
            t.insert(k * 7919, k);
        }
        assert!(t.sorted.len() >= 16 && t.sorted.windows(2).all(|w| w[0].0 < w[1].0));
        for k in 0..20u32 {
            assert_eq!(t.get(k * 7919), Some(k));
        }
        assert_eq!(t.get(5), None);
    }

    #[test]
    fn group_names_are_kept_in_order() {
        let mut n = Names::default();
        let (a, b, c) = (n.push("first"), n.push(""), n.push("third"));
        assert_eq!((n.get(a), n.get(b), n.get(c)), ("first", "", "third"));
    }
}
