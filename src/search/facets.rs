//! Tag counts over every match (not only the page shown): a collector that reads the
//! tag fields' fast columns and counts term ordinals per segment; and the matches that
//! carry chosen values, for listing the rare ones with their articles.

use std::collections::{HashMap, HashSet};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts the values of several multi-valued string fields.
pub struct TagCounts {
    pub fields: Vec<&'static str>,
}

pub struct TagCountsSegment {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
}

impl Collector for TagCounts {
    type Fruit = Vec<HashMap<String, u64>>;
    type Child = TagCountsSegment;

    fn for_segment(&self, _: SegmentOrdinal, seg: &SegmentReader) -> tantivy::Result<Self::Child> {
        let ff = seg.fast_fields();
        let mut columns = Vec::new();
        let mut counts = Vec::new();
        for f in &self.fields {
            let col = ff.str(f)?;
            counts.push(vec![0u64; col.as_ref().map(|c| c.num_terms()).unwrap_or(0)]);
            columns.push(col);
        }
        Ok(TagCountsSegment { columns, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut out = vec![HashMap::new(); self.fields.len()];
        for fruit in fruits {
            for (i, m) in fruit.into_iter().enumerate() {
                for (k, v) in m {
                    *out[i].entry(k).or_insert(0) += v;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for TagCountsSegment {
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (col, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    if let Some(c) = counts.get_mut(ord as usize) {
                        *c += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.columns.len());
        for (col, counts) in self.columns.iter().zip(self.counts) {
            let mut m = HashMap::new();
            if let Some(col) = col {
                // The names of the counted values, in one pass over the dictionary:
                // looking each one up alone decompresses its block again every time.
                let ords: Vec<u64> = (0..counts.len() as u64)
                    .filter(|&o| counts[o as usize] > 0)
                    .collect();
                let mut found = ords.iter();
                let _ = col.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                    if let Some(&o) = found.next() {
                        m.insert(
                            String::from_utf8_lossy(bytes).into_owned(),
                            counts[o as usize],
                        );
                    }
                });
            }
            out.push(m);
        }
        out
    }
}

/// Sorted most frequent first, ties by name.
pub fn top(counts: &HashMap<String, u64>, limit: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.iter().map(|(k, n)| (k.clone(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(limit);
    v
}

/// The matches that carry given values of several multi-valued string fields: for
/// each field, each wanted value and the addresses of the matches carrying it. Used to
/// list the rare values (each carried by few articles) with their articles.
/// Per field asked, each wanted value and the addresses of the matches carrying it.
pub type ArticlesByValue = Vec<HashMap<String, Vec<DocAddress>>>;

pub struct TagArticles {
    /// (field, values wanted in it).
    pub wanted: Vec<(&'static str, HashSet<String>)>,
}

pub struct TagArticlesSegment {
    segment: SegmentOrdinal,
    /// Per field: its column and the wanted values' ordinals in this segment.
    columns: Vec<Option<(StrColumn, HashMap<u64, String>)>>,
    found: Vec<HashMap<String, Vec<DocAddress>>>,
}

impl Collector for TagArticles {
    type Fruit = ArticlesByValue;
    type Child = TagArticlesSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        seg: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let ff = seg.fast_fields();
        let mut columns = Vec::new();
        for (field, values) in &self.wanted {
            let col = ff.str(field)?.map(|col| {
                let ords = values
                    .iter()
                    .filter_map(|v| {
                        let ord = col.dictionary().term_ord(v.as_bytes()).ok()??;
                        Some((ord, v.clone()))
                    })
                    .collect();
                (col, ords)
            });
            columns.push(col);
        }
        Ok(TagArticlesSegment {
            segment,
            columns,
            found: vec![HashMap::new(); self.wanted.len()],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut out = vec![HashMap::new(); self.wanted.len()];
        for fruit in fruits {
            for (i, m) in fruit.into_iter().enumerate() {
                for (k, v) in m {
                    out[i].entry(k).or_insert_with(Vec::new).extend(v);
                }
            }
        }
        for m in &mut out {
            for v in m.values_mut() {
                v.sort();
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for TagArticlesSegment {
    type Fruit = ArticlesByValue;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (col, found) in self.columns.iter().zip(self.found.iter_mut()) {
            let Some((col, ords)) = col else { continue };
            if ords.is_empty() {
                continue;
            }
            for ord in col.term_ords(doc) {
                if let Some(v) = ords.get(&ord) {
                    found
                        .entry(v.clone())
                        .or_default()
                        .push(DocAddress::new(self.segment, doc));
                }
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.found
    }
}
