//! BM25F: each query word's counts in title, subtitle and body, each normalised by
//! that field's length against its average, weighted and summed, then saturated once
//! (Robertson, Zaragoza & Taylor 2004, "Simple BM25 extension to multiple weighted
//! fields"). tantivy scores each field as a BM25 of its own and sums them, so a word in
//! the title and the body is saturated twice and the title's weight multiplies a whole
//! BM25.
//!
//! Computed for a given set of candidates only (postings seeked to each), to score the
//! best matches of a query again (`search::ranked`).

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
    /// Weight of a word's (normalised) count in the title, subtitle and body.
    pub weights: [f32; FIELDS],
}

/// Chosen on the dev queries of `tests/data/relevance` (see its README): a word in
/// the title counts as twenty in the body, and a high k1 keeps a title match worth
/// much even where the body says the word often.
impl Default for Params {
    fn default() -> Self {
        Params {
            k1: 8.0,
            b: 0.75,
            weights: [20.0, 5.0, 1.0],
        }
    }
}

/// One query word (or several forms of it, summed) and where it may be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Analysed terms; a word's score is the sum of its terms' scores.
    pub terms: Vec<String>,
    /// The word's forms, each the terms it is made of (`ceasefire` is `ceasefir` or
    /// `ceas fire`): an article holds the word where it holds every term of one form.
    /// Empty: any of `terms` is the word.
    pub forms: Vec<Vec<String>>,
    /// Searched in the title only (`title:word`).
    pub title_only: bool,
}

/// The score of one term in one document: each field's count divided by `1 − b + b ·
/// len_c / avg_c`, weighted and summed into `tf`, then saturated once: `idf · tf (k1 +
/// 1) / (tf + k1)`.
pub fn term_score(
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

/// Replaces the score of each of `docs` by its BM25F score for `words`, and returns how
/// many of the words each holds: every term of one of the word's forms in a field it is
/// searched in (a phrase's words need not stand together).
pub fn rescore(
    searcher: &Searcher,
    f: &Fields,
    words: &[Word],
    p: &Params,
    docs: &mut [(f32, DocAddress)],
) -> Result<Vec<usize>> {
    let fields: [Field; FIELDS] = [f.title, f.subtitle, f.body];
    let (n_docs, avg) = averages(searcher, &fields)?;
    // Each distinct term once, with its idf (the largest field's document frequency:
    // the articles that hold it somewhere, as near as one count gives).
    let mut terms: Vec<(String, bool, f32)> = Vec::new();
    // Each word's forms, each its terms as indexes into `terms`.
    let mut word_forms: Vec<Vec<Vec<usize>>> = Vec::with_capacity(words.len());
    for w in words {
        let mut mine = Vec::with_capacity(w.terms.len());
        for t in &w.terms {
            if let Some(ti) = terms
                .iter()
                .position(|(x, only, _)| x == t && *only == w.title_only)
            {
                mine.push(ti);
                continue;
            }
            let mut df = 0;
            for &field in if w.title_only {
                &fields[..1]
            } else {
                &fields[..]
            } {
                df = df.max(searcher.doc_freq(&Term::from_field_text(field, t))?);
            }
            mine.push(terms.len());
            terms.push((t.clone(), w.title_only, idf(df, n_docs)));
        }
        let forms = if w.forms.is_empty() {
            mine.iter().map(|&ti| vec![ti]).collect()
        } else {
            w.forms
                .iter()
                .map(|form| {
                    form.iter()
                        .map(|t| {
                            // a term of a form that is not among the word's terms is held nowhere
                            w.terms
                                .iter()
                                .position(|x| x == t)
                                .map_or(usize::MAX, |k| mine[k])
                        })
                        .collect()
                })
                .collect()
        };
        word_forms.push(forms);
    }
    let addrs: Vec<DocAddress> = docs.iter().map(|d| d.1).collect();
    let searched: Vec<(&str, bool)> = terms
        .iter()
        .map(|(t, only, _)| (t.as_str(), *only))
        .collect();
    let counts = counts(searcher, &fields, &searched, &addrs)?;
    let mut held = vec![0usize; docs.len()];
    for (i, (lens, tf)) in counts.into_iter().enumerate() {
        docs[i].0 = terms
            .iter()
            .enumerate()
            .map(|(ti, (_, _, idf))| term_score(p, *idf, tf[ti], lens, avg))
            .sum();
        let has = |ti: usize| tf.get(ti).is_some_and(|f| f.iter().any(|&n| n > 0));
        held[i] = word_forms
            .iter()
            .filter(|forms| forms.iter().any(|form| form.iter().all(|&ti| has(ti))))
            .count();
    }
    Ok(held)
}

/// Each of `docs`'s score for `terms`: the sum of each term's saturated count
/// ([`term_score`] with an idf of 1) times the term's weight, which carries its rarity
/// where it should count. A term is searched in every field.
pub fn weighted(
    searcher: &Searcher,
    f: &Fields,
    terms: &[(String, f32)],
    p: &Params,
    docs: &[DocAddress],
) -> Result<Vec<f32>> {
    let fields: [Field; FIELDS] = [f.title, f.subtitle, f.body];
    let (_, avg) = averages(searcher, &fields)?;
    let searched: Vec<(&str, bool)> = terms.iter().map(|(t, _)| (t.as_str(), false)).collect();
    Ok(counts(searcher, &fields, &searched, docs)?
        .into_iter()
        .map(|(lens, tf)| {
            terms
                .iter()
                .zip(&tf)
                .map(|((_, w), &tf)| w * term_score(p, 1.0, tf, lens, avg))
                .sum()
        })
        .collect())
}

/// The number of documents and each field's average length in tokens.
fn averages(searcher: &Searcher, fields: &[Field; FIELDS]) -> Result<(u64, [f32; FIELDS])> {
    let mut n_docs = 0u64;
    let mut tokens = [0u64; FIELDS];
    for seg in searcher.segment_readers() {
        n_docs += u64::from(seg.max_doc());
        for (i, &field) in fields.iter().enumerate() {
            tokens[i] += seg.inverted_index(field)?.total_num_tokens();
        }
    }
    Ok((n_docs, tokens.map(|t| t as f32 / n_docs.max(1) as f32)))
}

/// Each field's length and each term's count in each field, for each of `docs` (in
/// their order); a term marked title-only is counted in the title alone.
#[allow(clippy::type_complexity)]
fn counts(
    searcher: &Searcher,
    fields: &[Field; FIELDS],
    terms: &[(&str, bool)],
    docs: &[DocAddress],
) -> Result<Vec<([f32; FIELDS], Vec<[u32; FIELDS]>)>> {
    let mut out = vec![([0f32; FIELDS], vec![[0u32; FIELDS]; terms.len()]); docs.len()];
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| docs[i]);
    let mut start = 0;
    while start < order.len() {
        let seg_ord = docs[order[start]].segment_ord;
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| docs[i].segment_ord == seg_ord)
                .count();
        let seg = searcher.segment_reader(seg_ord);
        let group = &order[start..end];
        for (c, &field) in fields.iter().enumerate() {
            let norms = seg.get_fieldnorms_reader(field)?;
            for &i in group {
                out[i].0[c] = norms.fieldnorm(docs[i].doc_id) as f32;
            }
        }
        for (ti, &(t, title_only)) in terms.iter().enumerate() {
            let n = if title_only { 1 } else { FIELDS };
            for (c, &field) in fields.iter().enumerate().take(n) {
                let inv = seg.inverted_index(field)?;
                let Some(mut postings) = inv
                    .read_postings(
                        &Term::from_field_text(field, t),
                        IndexRecordOption::WithFreqs,
                    )
                    .map_err(tantivy::TantivyError::from)?
                else {
                    continue;
                };
                for &i in group {
                    let d = docs[i].doc_id;
                    if postings.doc() < d {
                        postings.seek(d);
                    }
                    if postings.doc() == d {
                        out[i].1[ti][c] = postings.term_freq();
                    }
                }
            }
        }
        start = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Params = Params {
        k1: 1.2,
        b: 0.75,
        weights: [2.0, 1.2, 1.0],
    };
    /// Every field at its average length: each count counts as itself.
    const AVG: [f32; FIELDS] = [10.0, 30.0, 500.0];

    fn score(tf: [u32; FIELDS], lens: [f32; FIELDS]) -> f32 {
        term_score(&P, 1.0, tf, lens, AVG)
    }

    #[test]
    fn a_word_in_title_and_body_is_saturated_once() {
        let both = score([1, 0, 1], AVG);
        // weighted count 2 · 1 + 1 = 3, saturated once: 3 · 2.2 / (3 + 1.2)
        assert!((both - 3.0 * 2.2 / 4.2).abs() < 1e-6, "{both}");
        let (title, body) = (score([1, 0, 0], AVG), score([0, 0, 1], AVG));
        assert!(both < title + body, "not two saturations summed");
        // never more than idf · (k1 + 1), however often the word occurs
        assert!(score([50, 50, 500], AVG) < 2.2);
        assert!((term_score(&P, 3.0, [1, 0, 1], AVG, AVG) - 3.0 * both).abs() < 1e-5);
    }

    #[test]
    fn a_field_counts_as_its_weight() {
        let title = score([1, 0, 0], AVG);
        assert!(
            (title - score([0, 0, 2], AVG)).abs() < 1e-6,
            "title 2 = body 2×"
        );
        let sub = score([0, 1, 0], AVG);
        assert!(title > sub && sub > score([0, 0, 1], AVG));
        assert_eq!(score([0, 0, 0], AVG), 0.0);
    }

    #[test]
    fn each_field_is_normalised_by_its_own_length() {
        let at = |title: f32, body: f32| score([1, 0, 1], [title, 30.0, body]);
        // a shorter field than its average weighs more, a longer one less
        assert!(at(5.0, 500.0) > at(10.0, 500.0) && at(10.0, 500.0) > at(20.0, 500.0));
        assert!(at(10.0, 250.0) > at(10.0, 500.0) && at(10.0, 500.0) > at(10.0, 2000.0));
        // a long body does not dilute the title: its count is normalised on its own
        let long_body_title_only = score([1, 0, 0], [10.0, 30.0, 5000.0]);
        assert!((long_body_title_only - score([1, 0, 0], AVG)).abs() < 1e-6);
        // b = 0: no normalisation at all
        let flat = Params { b: 0.0, ..P };
        assert_eq!(
            term_score(&flat, 1.0, [1, 0, 3], [40.0, 0.0, 4000.0], AVG),
            term_score(&flat, 1.0, [1, 0, 3], [2.0, 0.0, 50.0], AVG)
        );
        // twice the average length: count / (0.25 + 0.75 · 2) = count / 1.75
        let body = score([0, 0, 2], [10.0, 30.0, 1000.0]);
        let tf = 2.0 / 1.75;
        assert!((body - tf * 2.2 / (tf + 1.2)).abs() < 1e-6);
    }

    /// Scores read from a real index: counts from the postings, lengths from the field
    /// norms, averages over every document, idf from the field that holds the word most.
    #[test]
    fn rescore_reads_counts_and_lengths_from_the_index() {
        use crate::index::schema;
        use crate::search::rank::tokens;
        let (s, f) = schema::build();
        let index = tantivy::Index::create_in_ram(s);
        schema::register_tokenizers(&index);
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        let docs = [
            ("Merkel visits Paris", "", "Talks on trade went on late."),
            (
                "Budget talks",
                "Merkel speaks",
                "Merkel said Merkel would stay.",
            ),
            ("Weather", "", "Rain in the north and sun in the south."),
        ];
        for (t, sub, b) in docs {
            w.add_document(tantivy::doc!(f.title => t, f.subtitle => sub, f.body => b))
                .unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let mut an = schema::news_analyzer();
        let len =
            |text: &str, an: &mut tantivy::tokenizer::TextAnalyzer| tokens(an, text).len() as f32;
        let lens: Vec<[f32; FIELDS]> = docs
            .iter()
            .map(|(t, sub, b)| [len(t, &mut an), len(sub, &mut an), len(b, &mut an)])
            .collect();
        let avg: [f32; FIELDS] =
            std::array::from_fn(|c| lens.iter().map(|l| l[c]).sum::<f32>() / 3.0);
        let term = tokens(&mut an, "Merkel").pop().unwrap();
        let p = Params::default();
        let mut scored: Vec<(f32, DocAddress)> =
            (0..3).map(|d| (-1.0, DocAddress::new(0, d))).collect();
        let word = Word {
            terms: vec![term.clone()],
            forms: Vec::new(),
            title_only: false,
        };
        let held = rescore(&searcher, &f, std::slice::from_ref(&word), &p, &mut scored).unwrap();
        assert_eq!(held, [1, 1, 0]);
        // "merkel" is in one title, one subtitle and one body: each field holds it in
        // one document of 3
        let idf = idf(1, 3);
        let want = [
            term_score(&p, idf, [1, 0, 0], lens[0], avg),
            term_score(&p, idf, [0, 1, 2], lens[1], avg),
            0.0,
        ];
        for (got, want) in scored.iter().zip(want) {
            assert!((got.0 - want).abs() < 1e-4, "{} vs {want}", got.0);
        }
        assert!(scored[0].0 > 0.0 && scored[1].0 > 0.0);
        // title only: the counts elsewhere are not read; idf from the title's 1 of 3
        let title_only = Word {
            terms: vec![term],
            forms: Vec::new(),
            title_only: true,
        };
        let held = rescore(&searcher, &f, &[title_only], &p, &mut scored).unwrap();
        assert_eq!(
            held,
            [1, 0, 0],
            "a title-only word is held in the title only"
        );
        let want = term_score(&p, super::idf(1, 3), [1, 0, 0], lens[0], avg);
        assert!((scored[0].0 - want).abs() < 1e-4);
        assert_eq!((scored[1].0, scored[2].0), (0.0, 0.0));
        // how many words each holds, in any field
        let mut word = |forms: &[&str]| {
            let forms: Vec<Vec<String>> = forms.iter().map(|t| tokens(&mut an, t)).collect();
            let mut terms: Vec<String> = Vec::new();
            for t in forms.iter().flatten() {
                if !terms.contains(t) {
                    terms.push(t.clone());
                }
            }
            Word {
                terms,
                forms,
                title_only: false,
            }
        };
        let words = [word(&["Merkel"]), word(&["rain"]), word(&["talks"])];
        let held = rescore(&searcher, &f, &words, &p, &mut scored).unwrap();
        assert_eq!(held, [2, 2, 1]);
        // a word of two forms is held where every term of one of them is, together or
        // apart: "trade talks" in article 0, "budget" in 1; "north sun" in 2, "paris" in 0
        let words = [
            word(&["trade talks", "budget"]),
            word(&["north sun", "paris"]),
        ];
        let held = rescore(&searcher, &f, &words, &p, &mut scored).unwrap();
        assert_eq!(held, [2, 1, 1]);
    }

    #[test]
    fn idf_falls_with_document_frequency() {
        assert!(idf(1, 1000) > idf(10, 1000));
        assert!(idf(1000, 1000) > 0.0);
        assert!((idf(0, 0) - 2f32.ln()).abs() < 1e-6);
    }
}
