//! The best matches ordered again by what the very best of them share (pseudo-relevance
//! feedback on the candidates; the cluster hypothesis: articles about the need tend to
//! be about it together). The best [`FEEDBACK`] matches' words, each weighed by how
//! often it is written there and how rare it is in the archive, make a summary of what
//! the query found ([`summary`]); each of the best [`DEPTH`] matches is scored for
//! those words ([`bm25f::weighted`], FTS5's weights) and that score, over the best of
//! them, times [`WEIGHT`] is added to its own, over the best of them.
//!
//! An article among the best that is about what the others are about moves up; one
//! that holds the query's words in passing, in a story about something else, moves
//! down. Measured on the judged queries of `tests/data/relevance` for an index without
//! a model (see its README: the held-out sets gain, dev loses a little, and the setting
//! was read from both); with a model, the model's closeness does this
//! (`crate::semantic`).

use super::bm25f;
use crate::error::Result;
use crate::index::Fields;
use std::collections::HashMap;
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

/// How many of the best matches the summary is made from.
pub const FEEDBACK: usize = 3;
/// How many of the best matches are ordered again.
pub const DEPTH: usize = 30;
/// How many of the summary's words are looked up in the index (the most frequent in the
/// best matches); of them, the [`TERMS`] that weigh most make the summary.
pub const CANDIDATE_TERMS: usize = 30;
/// How many of the body's words the summary reads in each of the best matches (with
/// the whole title and subtitle): an article's opening says what it is about, and a
/// long one's tail would cost time for nothing.
pub const BODY_WORDS: usize = 500;
/// How many words the summary holds.
pub const TERMS: usize = 20;
/// The summary's score's weight against the article's own (each over the best).
pub const WEIGHT: f32 = 0.4;
/// A word in the title counts as this many in the body, in the summary.
const TITLE_COUNT: f32 = 2.0;
/// The summary's words scored as SQLite FTS5 scores a query: one saturation, title
/// weight 2.
const PARAMS: bm25f::Params = bm25f::Params {
    k1: 1.2,
    b: 0.75,
    weights: [2.0, 1.0, 1.0],
};

/// Orders the best [`DEPTH`] of `docs` (best first) again by the summary of the best
/// [`FEEDBACK`]; each of them scores its own score plus [`WEIGHT`] times the best
/// score times its summary score over the best summary score, so the scores still fall
/// in order into the matches below. Fewer than `FEEDBACK + 1` matches: nothing moves.
pub fn reorder(searcher: &Searcher, f: &Fields, docs: &mut [(f32, DocAddress)]) -> Result<()> {
    let n = docs.len().min(DEPTH);
    if n <= FEEDBACK {
        return Ok(());
    }
    let best = docs[0].0;
    if best <= 0.0 {
        return Ok(());
    }
    let mut analyzer = searcher
        .index()
        .tokenizers()
        .get(crate::index::schema::NEWS_TOKENIZER)
        .ok_or_else(|| tantivy::TantivyError::InternalError("no news analyser".into()))?;
    let mut counts = Vec::with_capacity(FEEDBACK);
    for &(_, addr) in &docs[..FEEDBACK] {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let mut c: HashMap<String, f32> = HashMap::new();
        for (field, weight, most) in [
            (f.title, TITLE_COUNT, usize::MAX),
            (f.subtitle, 1.0, usize::MAX),
            (f.body, 1.0, BODY_WORDS),
        ] {
            let mut read = 0;
            for text in doc.get_all(field).filter_map(|v| v.as_str()) {
                let mut tokens = analyzer.token_stream(text);
                while read < most && tokens.advance() {
                    *c.entry(tokens.token().text.clone()).or_default() += weight;
                    read += 1;
                }
            }
        }
        counts.push(c);
    }
    let n_docs = searcher.num_docs();
    let mut idf = |t: &str| -> Result<f32> {
        let term = tantivy::Term::from_field_text(f.body, t);
        Ok(bm25f::idf(searcher.doc_freq(&term)?, n_docs))
    };
    let terms = summary(&counts, &mut idf)?;
    if terms.is_empty() {
        return Ok(());
    }
    let addrs: Vec<DocAddress> = docs[..n].iter().map(|d| d.1).collect();
    let scores = bm25f::weighted(searcher, f, &terms, &PARAMS, &addrs)?;
    reorder_by(&mut docs[..n], &scores);
    Ok(())
}

/// The summary of the best matches' word `counts`: each article's words weighed `1 +
/// ln count`; the [`CANDIDATE_TERMS`] with the largest sum of those weights over the
/// articles (each article's weights scaled to length 1) are weighed again by `idf`,
/// scaled to length 1 in each article and summed; the [`TERMS`] that weigh most, each
/// with its weight times its idf (a word's score counts its rarity twice: once in the
/// summary, once as a word of the archive). Ties fall in the words' order.
pub fn summary(
    counts: &[HashMap<String, f32>],
    idf: &mut dyn FnMut(&str) -> Result<f32>,
) -> Result<Vec<(String, f32)>> {
    let weights: Vec<HashMap<&str, f32>> = counts
        .iter()
        .map(|c| {
            c.iter()
                .filter(|(_, &n)| n > 0.0)
                .map(|(t, &n)| (t.as_str(), 1.0 + n.ln()))
                .collect()
        })
        .collect();
    let mut frequent: HashMap<&str, f32> = HashMap::new();
    for w in &weights {
        let norm = w.values().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (&t, &x) in w {
                *frequent.entry(t).or_default() += x / norm;
            }
        }
    }
    let mut frequent: Vec<(&str, f32)> = frequent.into_iter().collect();
    sort_by_weight(&mut frequent);
    frequent.truncate(CANDIDATE_TERMS);
    let idfs = frequent
        .iter()
        .map(|&(t, _)| Ok((t, idf(t)?)))
        .collect::<Result<HashMap<&str, f32>>>()?;
    let mut summed: HashMap<&str, f32> = HashMap::new();
    for w in &weights {
        let mine: Vec<(&str, f32)> = frequent
            .iter()
            .filter_map(|&(t, _)| w.get(t).map(|x| (t, x * idfs[t])))
            .collect();
        let norm = mine.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (t, x) in mine {
                *summed.entry(t).or_default() += x / norm;
            }
        }
    }
    let mut summed: Vec<(&str, f32)> = summed.into_iter().filter(|(_, x)| *x > 0.0).collect();
    sort_by_weight(&mut summed);
    summed.truncate(TERMS);
    Ok(summed
        .into_iter()
        .map(|(t, x)| (t.to_string(), x * idfs[t]))
        .collect())
}

fn sort_by_weight(terms: &mut [(&str, f32)]) {
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
}

/// Orders `docs` (best first) by `score / best + WEIGHT · summary / best summary`,
/// scaled back by the best score; an equal score keeps the earlier place.
pub fn reorder_by(docs: &mut [(f32, DocAddress)], summary: &[f32]) {
    let best = docs.iter().fold(0f32, |m, d| m.max(d.0));
    let top = summary.iter().fold(0f32, |m, &s| m.max(s));
    if best <= 0.0 || top <= 0.0 {
        return;
    }
    for (d, &s) in docs.iter_mut().zip(summary) {
        d.0 += best * WEIGHT * s / top;
    }
    docs.sort_by(|a, b| b.0.total_cmp(&a.0));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(words: &str) -> HashMap<String, f32> {
        let mut c = HashMap::new();
        for w in words.split_whitespace() {
            *c.entry(w.to_string()).or_default() += 1.0;
        }
        c
    }

    #[test]
    fn the_summary_holds_what_the_best_share_weighed_by_rarity() {
        let best = [
            counts("storm doris wind the the the uk rail"),
            counts("storm doris wind the the power"),
            counts("doris wind the the flights"),
        ];
        // "the" is in every article of the archive, "doris" in few.
        let mut idf = |t: &str| -> Result<f32> {
            Ok(match t {
                "the" => 0.01,
                "doris" => 6.0,
                "storm" | "wind" => 3.0,
                _ => 2.0,
            })
        };
        let terms = summary(&best, &mut idf).unwrap();
        let names: Vec<&str> = terms.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(names[0], "doris", "{terms:?}");
        assert_eq!(names[1], "wind", "{terms:?}");
        assert!(names.iter().position(|&t| t == "the") > names.iter().position(|&t| t == "rail"));
        assert!(terms.len() <= TERMS);
    }

    #[test]
    fn an_article_about_what_the_best_share_moves_up_and_scores_stay_in_order() {
        let a = |d| DocAddress::new(0, d);
        let mut docs = vec![(10.0, a(1)), (9.0, a(2)), (8.9, a(3)), (8.8, a(4))];
        // a(4) is about what the best are about, a(2) is not.
        reorder_by(&mut docs, &[1.0, 0.0, 0.5, 1.0]);
        let order: Vec<u32> = docs.iter().map(|d| d.1.doc_id).collect();
        assert_eq!(order, vec![1, 4, 3, 2]);
        assert!(docs.windows(2).all(|w| w[0].0 >= w[1].0));
        // every score at least its own: the matches below stay below
        assert!(docs.iter().all(|d| d.0 >= 8.8));
    }
}
