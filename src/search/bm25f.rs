//! BM25F: one BM25 saturation per query word over the weighted sum of its counts in
//! title, subtitle and body (Robertson, Zaragoza & Taylor 2004), as SQLite FTS5's
//! `bm25()` scores. tantivy scores each field as its own BM25 and sums them, so a word
//! in the title and the body is saturated twice; here it is saturated once.
//!
//! Computed for a given set of candidates only (postings seeked to each), to rescore
//! the best matches of a query.

use crate::error::Result;
use crate::index::Fields;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, Term};

/// The fields BM25F reads, in this order everywhere: title, subtitle, body.
const FIELDS: usize = 3;

/// Weights and constants of the score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub k1: f32,
    pub b: f32,
    /// Weight of a word's count in the title, subtitle and body.
    pub weights: [f32; FIELDS],
    /// Normalise by the weighted length (title words count as their weight) rather
    /// than the plain length of the three fields (as FTS5 does).
    pub weighted_length: bool,
    /// Normalise each field's count by that field's length against its average before
    /// summing (Zaragoza et al.'s BM25F), rather than the sum by the whole length.
    pub per_field: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            k1: 8.0,
            b: 0.75,
            weights: [20.0, 5.0, 1.0],
            weighted_length: false,
            per_field: true,
        }
    }
}

/// One query word (or several forms of it, summed) and where it may be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Analysed terms; a word's score is the sum of its terms' scores.
    pub terms: Vec<String>,
    /// Searched in the title only (`title:word`).
    pub title_only: bool,
}

/// The length of a document (or the average one) as BM25F counts it.
pub fn length(p: &Params, lens: [f32; FIELDS]) -> f32 {
    if p.weighted_length {
        lens.iter().zip(p.weights).map(|(l, w)| l * w).sum()
    } else {
        lens.iter().sum()
    }
}

/// The score of one term in one document: `idf · tf (k1 + 1) / (tf + k1 (1 − b + b ·
/// len / avg))`, where `tf` is the weighted sum of the term's counts in the fields.
pub fn term_score(p: &Params, idf: f32, tf: [u32; FIELDS], len: f32, avg_len: f32) -> f32 {
    let tf: f32 = tf.iter().zip(p.weights).map(|(&t, w)| t as f32 * w).sum();
    if tf <= 0.0 {
        return 0.0;
    }
    let norm = if avg_len > 0.0 {
        1.0 - p.b + p.b * len / avg_len
    } else {
        1.0
    };
    idf * tf * (p.k1 + 1.0) / (tf + p.k1 * norm)
}

/// The per-field form: each field's count divided by `1 − b + b · len_c / avg_c`,
/// weighted and summed, then saturated once: `idf · tf (k1 + 1) / (tf + k1)`.
pub fn term_score_per_field(
    p: &Params,
    idf: f32,
    tf: [u32; FIELDS],
    lens: [f32; FIELDS],
    avgs: [f32; FIELDS],
) -> f32 {
    let mut sum = 0.0;
    for c in 0..FIELDS {
        if tf[c] == 0 {
            continue;
        }
        let norm = if avgs[c] > 0.0 {
            1.0 - p.b + p.b * lens[c] / avgs[c]
        } else {
            1.0
        };
        sum += p.weights[c] * tf[c] as f32 / norm;
    }
    if sum <= 0.0 {
        return 0.0;
    }
    idf * sum * (p.k1 + 1.0) / (sum + p.k1)
}

/// tantivy's (and Lucene's) idf: `ln(1 + (N − n + 0.5) / (n + 0.5))`.
pub fn idf(doc_freq: u64, docs: u64) -> f32 {
    let n = doc_freq.min(docs) as f32;
    (1.0 + (docs as f32 - n + 0.5) / (n + 0.5)).ln()
}

/// Replaces the score of each of `docs` by its BM25F score for `words`.
pub fn rescore(
    searcher: &Searcher,
    f: &Fields,
    words: &[Word],
    p: &Params,
    docs: &mut [(f32, DocAddress)],
) -> Result<()> {
    let fields: [Field; FIELDS] = [f.title, f.subtitle, f.body];
    let mut n_docs = 0u64;
    let mut tokens = [0u64; FIELDS];
    for seg in searcher.segment_readers() {
        n_docs += u64::from(seg.max_doc());
        for (i, &field) in fields.iter().enumerate() {
            tokens[i] += seg.inverted_index(field)?.total_num_tokens();
        }
    }
    let avg = tokens.map(|t| t as f32 / n_docs.max(1) as f32);
    let avg_len = length(p, avg);
    // Each distinct term once, with its idf (the largest field's document frequency:
    // the articles that hold it somewhere, as near as one count gives).
    let mut terms: Vec<(String, bool, f32)> = Vec::new();
    for w in words {
        for t in &w.terms {
            if terms.iter().any(|(x, only, _)| x == t && *only == w.title_only) {
                continue;
            }
            let mut df = 0;
            for &field in if w.title_only { &fields[..1] } else { &fields[..] } {
                df = df.max(searcher.doc_freq(&Term::from_field_text(field, t))?);
            }
            terms.push((t.clone(), w.title_only, idf(df, n_docs)));
        }
    }
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| docs[i].1);
    for &i in &order {
        docs[i].0 = 0.0;
    }
    let mut start = 0;
    while start < order.len() {
        let seg_ord = docs[order[start]].1.segment_ord;
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| docs[i].1.segment_ord == seg_ord)
                .count();
        let seg = searcher.segment_reader(seg_ord);
        let group = &order[start..end];
        let mut lens = vec![[0f32; FIELDS]; group.len()];
        for (c, &field) in fields.iter().enumerate() {
            let norms = seg.get_fieldnorms_reader(field)?;
            for (k, &i) in group.iter().enumerate() {
                lens[k][c] = norms.fieldnorm(docs[i].1.doc_id) as f32;
            }
        }
        // tf[k][term][field]
        let mut tf = vec![vec![[0u32; FIELDS]; terms.len()]; group.len()];
        for (ti, (t, title_only, _)) in terms.iter().enumerate() {
            let n = if *title_only { 1 } else { FIELDS };
            for (c, &field) in fields.iter().enumerate().take(n) {
                let inv = seg.inverted_index(field)?;
                let Some(mut postings) = inv.read_postings(
                    &Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                )
                .map_err(tantivy::TantivyError::from)?
                else {
                    continue;
                };
                for (k, &i) in group.iter().enumerate() {
                    let d = docs[i].1.doc_id;
                    if postings.doc() < d {
                        postings.seek(d);
                    }
                    if postings.doc() == d {
                        tf[k][ti][c] = postings.term_freq();
                    }
                }
            }
        }
        for (k, &i) in group.iter().enumerate() {
            let len = length(p, lens[k]);
            docs[i].0 = terms
                .iter()
                .enumerate()
                .map(|(ti, (_, _, idf))| {
                    if p.per_field {
                        term_score_per_field(p, *idf, tf[k][ti], lens[k], avg)
                    } else {
                        term_score(p, *idf, tf[k][ti], len, avg_len)
                    }
                })
                .sum();
        }
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Params = Params {
        k1: 1.2,
        b: 0.75,
        weights: [2.0, 1.2, 1.0],
        weighted_length: false,
        per_field: false,
    };

    #[test]
    fn a_word_in_title_and_body_is_saturated_once() {
        let both = term_score(&P, 1.0, [1, 0, 1], 100.0, 100.0);
        let title = term_score(&P, 1.0, [1, 0, 0], 100.0, 100.0);
        let body = term_score(&P, 1.0, [0, 0, 1], 100.0, 100.0);
        // weighted tf 3: 3 · 2.2 / (3 + 1.2)
        assert!((both - 3.0 * 2.2 / 4.2).abs() < 1e-6, "{both}");
        assert!(both < title + body, "one saturation, not two summed");
        // never more than idf · (k1 + 1), however often the word occurs
        assert!(term_score(&P, 1.0, [50, 50, 500], 100.0, 100.0) < 2.2);
    }

    #[test]
    fn a_title_occurrence_weighs_as_its_weight_in_body_occurrences() {
        let title = term_score(&P, 1.0, [1, 0, 0], 100.0, 100.0);
        let body2 = term_score(&P, 1.0, [0, 0, 2], 100.0, 100.0);
        assert!((title - body2).abs() < 1e-6);
        let sub = term_score(&P, 1.0, [0, 1, 0], 100.0, 100.0);
        let body = term_score(&P, 1.0, [0, 0, 1], 100.0, 100.0);
        assert!(title > sub && sub > body);
        assert_eq!(term_score(&P, 1.0, [0, 0, 0], 100.0, 100.0), 0.0);
    }

    #[test]
    fn longer_documents_score_lower_and_the_average_scores_as_b_says() {
        let short = term_score(&P, 1.0, [0, 0, 2], 50.0, 100.0);
        let avg = term_score(&P, 1.0, [0, 0, 2], 100.0, 100.0);
        let long = term_score(&P, 1.0, [0, 0, 2], 400.0, 100.0);
        assert!(short > avg && avg > long);
        // at the average length the norm is 1: 2 · 2.2 / (2 + 1.2)
        assert!((avg - 2.0 * 2.2 / 3.2).abs() < 1e-6);
        let flat = Params { b: 0.0, ..P };
        assert_eq!(
            term_score(&flat, 1.0, [0, 0, 2], 400.0, 100.0),
            term_score(&flat, 1.0, [0, 0, 2], 50.0, 100.0)
        );
    }

    #[test]
    fn length_is_plain_or_weighted() {
        assert_eq!(length(&P, [10.0, 20.0, 100.0]), 130.0);
        let w = Params {
            weighted_length: true,
            ..P
        };
        assert_eq!(length(&w, [10.0, 20.0, 100.0]), 20.0 + 24.0 + 100.0);
    }

    #[test]
    fn idf_falls_with_document_frequency() {
        assert!(idf(1, 1000) > idf(10, 1000));
        assert!(idf(1000, 1000) > 0.0);
        assert!((idf(0, 0) - 2f32.ln()).abs() < 1e-6);
    }
}
