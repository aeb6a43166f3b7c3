//! Matching by meaning: a sentence-embedding model (a small BERT, such as
//! all-MiniLM-L6-v2, read from a folder the user names with `ingest --model`) turns
//! each article's opening and each query into a vector, and the best matches of a
//! search are ordered again by how close their vectors are to the query's.
//!
//! Articles whose relevant words differ from the query's ("Sweden reintroduces
//! conscription" for `sweden brings back military draft`) are found by the words they
//! share and then lifted by their meaning; the lexical ranking still decides what is a
//! match. The model is optional: an index built without one ranks by words alone.
//!
//! Each article's vector is stored in the index, quantised to one signed byte per
//! dimension ([`quantize`]), in the fast column `semantic`.

mod bert;
pub mod neighbours;
mod wordpiece;

use std::path::{Path, PathBuf};

pub use bert::Bert;
pub use wordpiece::WordPiece;

/// How many tokens of an article are read: its title and opening. The model was
/// trained on sequences of up to 256; 128 covers a news article's headline and lead,
/// and costs half as much to read.
pub const ARTICLE_TOKENS: usize = 128;

/// How many of the best matches are ordered again by meaning (chosen on the dev
/// queries: see `tests/data/relevance/README.md`).
pub const RERANK_DEPTH: usize = 30;

/// How many of the any-word query's best matches (articles that hold one of the query's
/// words or more) are read for those that hold one word only, to be ordered among the
/// best matches by meaning (`search::blend_pool`): an article about the query in other
/// words may share a single word with it (`macedonia political crisis`: "Macedonia").
/// 50, 100 and 200 measured alike (see `tests/data/relevance/README.md`).
pub const RELATED_DEPTH: usize = 50;

/// How many of the articles nearest the query in meaning, among all of them, are read
/// where the index keeps every vector in one file ([`neighbours`]): those that are not
/// matches are ordered among the best matches as the related articles are.
pub const NEAREST: usize = 20;

/// How many of the articles nearest the query in meaning, in the model's own order,
/// are fused with the best matches' order ([`fuse`]): those that pass the search's
/// filters and hold no excluded word.
pub const FUSED_NEAREST: usize = 50;

/// How many articles nearest the query a search reads from the file of vectors: enough
/// for [`NEAREST`] and [`FUSED_NEAREST`].
pub const NEAREST_READ: usize = if NEAREST > FUSED_NEAREST {
    NEAREST
} else {
    FUSED_NEAREST
};

/// Reciprocal-rank fusion of the best matches' order with the model's own ([`fuse`]):
/// an article's place `r` (from 1) counts `1 / (FUSION_K + r)`, and its place `m` among
/// the nearest in meaning `FUSION_WEIGHT / (FUSION_K + m)`. Both were chosen before the
/// last two held-out sets were written (see `tests/data/relevance/README.md`).
pub const FUSION_K: f32 = 30.0;

/// See [`FUSION_K`].
pub const FUSION_WEIGHT: f32 = 0.1;

/// With a model, a search whose matches, full and partial, make fewer entries than this
/// lists after them the articles nearest the query in meaning that match too few of its
/// words (none, it may be), up to this many entries in all: a query of three words or
/// more whose articles use other words still fills its first page. On the judged
/// queries (outside newsidx) all held out +0.057 → +0.060 over FTS5, and `soccer
/// hooligans germany` (two matches, neither about it) 0.000 → 0.511; see
/// `tests/data/relevance/README.md`.
pub const FILL_UPTO: usize = 10;

/// How close in meaning (the cosine) an article must be to the query to be listed after
/// a short list of matches ([`FILL_UPTO`]). Measured at 0.3, 0.4 and 0.5: the same gain
/// at 0.3 and 0.4, none at 0.5.
pub const FILL_CLOSENESS: f32 = 0.4;

/// How close in meaning (the cosine) a related article must be to the query to be
/// ordered among the best matches. On the judged queries, without it 414 related
/// articles reached a top ten, 18 of them judged relevant; at 0.5, 20 did, 9 of them
/// relevant, with the same nDCG@10 (see `tests/data/relevance/README.md`).
pub const RELATED_CLOSENESS: f32 = 0.5;

/// How much the closeness of meaning (a cosine, at most 1) weighs against the word
/// score, which is divided by the best of the matches ordered again (at most 1).
pub const WEIGHT: f32 = 0.7;

/// How many words (function words aside) a query needs for its matches to be ordered
/// again by meaning. One or two keywords say too little for a model trained on
/// sentences: on the judged queries the model lowered them (see
/// `tests/data/relevance/README.md`), and such a search then neither loads the model
/// nor makes a vector.
pub const LEAST_WORDS: usize = 3;

/// A sentence-embedding model: its vocabulary and its weights.
pub struct Model {
    wordpiece: WordPiece,
    bert: Bert,
    dir: PathBuf,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("dir", &self.dir).finish()
    }
}

impl Model {
    /// Reads `vocab.txt`, `config.json` and `model.safetensors` from `dir`. The error
    /// names the file and what is wrong with it.
    pub fn load(dir: &Path) -> Result<Model, String> {
        let vocab_path = dir.join("vocab.txt");
        let vocab = std::fs::read_to_string(&vocab_path)
            .map_err(|e| format!("{}: {e}", vocab_path.display()))?;
        let wordpiece =
            WordPiece::from_vocab(&vocab).map_err(|e| format!("{}: {e}", vocab_path.display()))?;
        let bert = Bert::load(dir)?;
        Ok(Model {
            wordpiece,
            bert,
            dir: dir.to_path_buf(),
        })
    }

    /// The folder the model was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many dimensions a vector has.
    pub fn dim(&self) -> usize {
        self.bert.dim()
    }

    /// The unit vector of `text`'s first `max_tokens` tokens.
    pub fn embed(&self, text: &str, max_tokens: usize) -> Vec<f32> {
        self.bert.embed(&self.wordpiece.encode(text, max_tokens))
    }

    /// An article's vector, quantised for the index: its title, subtitle and the
    /// opening of its body.
    pub fn article_vector(&self, title: &str, subtitle: &str, body: &str) -> Vec<u8> {
        // Enough of the body for the tokens read (a token is rarely under 2 bytes).
        let mut end = body.len().min(ARTICLE_TOKENS * 12);
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        let text: Vec<&str> = [title, subtitle, &body[..end]]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect();
        quantize(&self.embed(&text.join(" "), ARTICLE_TOKENS))
    }
}

/// One signed byte per dimension, scaled so that the largest component is ±127 (a
/// vector with a component that is not a number is stored as zeros: no vector). On
/// the judged archive, rankings with the quantised vectors had the same nDCG@10 to
/// three places as with the exact ones.
pub fn quantize(v: &[f32]) -> Vec<u8> {
    let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    if max == 0.0 || v.iter().any(|x| !x.is_finite()) {
        return vec![0; v.len()];
    }
    v.iter()
        .map(|x| ((x / max * 127.0).round().clamp(-127.0, 127.0) as i8) as u8)
        .collect()
}

/// The vector stored for document `doc` in a segment's column (the fast column
/// `semantic`), into `out`; false where the document has none.
pub fn stored_vector(
    column: &tantivy::columnar::BytesColumn,
    doc: tantivy::DocId,
    out: &mut Vec<u8>,
) -> std::io::Result<bool> {
    out.clear();
    match column.term_ords(doc).next() {
        Some(ord) => column.ord_to_bytes(ord, out),
        None => Ok(false),
    }
}

/// The cosine between a unit query vector and a stored one; `None` when the stored
/// vector is missing, empty or of another length (an index built with another model).
pub fn cosine(query: &[f32], stored: &[u8]) -> Option<f32> {
    if stored.len() != query.len() || query.is_empty() {
        return None;
    }
    let (mut dot, mut norm) = (0f32, 0f32);
    for (q, &s) in query.iter().zip(stored) {
        let s = f32::from(s as i8);
        dot += q * s;
        norm += s * s;
    }
    (norm > 0.0).then(|| dot / norm.sqrt())
}

/// Orders the best [`RERANK_DEPTH`] of `docs` (sorted by score, best first) again:
/// each score divided by the best of them, plus [`WEIGHT`] times the cosine of the
/// article's vector (`cosines`, in the order of `docs`; `None` where an article has no
/// vector, which then counts as a cosine of 0). The rest keep their order below.
pub fn rerank<T: Copy>(docs: &mut Vec<(f32, T)>, cosines: &[Option<f32>]) {
    rerank_with(docs, cosines, &[], &[]);
}

/// [`rerank`], with `related` (and their `related_cosines`) ordered among the best
/// matches too: articles the words alone did not rank there, each with its own word
/// score. One that is not close in meaning ([`RELATED_CLOSENESS`]), or that lands
/// below every one of the best matches, is left out; the others are returned, in their
/// new places in `docs`.
pub fn rerank_with<T: Copy>(
    docs: &mut Vec<(f32, T)>,
    cosines: &[Option<f32>],
    related: &[(f32, T)],
    related_cosines: &[Option<f32>],
) -> Vec<T> {
    let n = docs.len().min(RERANK_DEPTH).min(cosines.len());
    let related = &related[..related.len().min(related_cosines.len())];
    let best = docs[..n]
        .iter()
        .chain(related)
        .fold(0f32, |m, d| m.max(d.0));
    if n == 0 || best <= 0.0 {
        return Vec::new();
    }
    let score = |d: &(f32, T), c: &Option<f32>| d.0 / best + WEIGHT * c.unwrap_or(0.0);
    let mut region: Vec<(f32, T, bool)> = docs[..n]
        .iter()
        .zip(cosines)
        .map(|(d, c)| (score(d, c), d.1, false))
        .chain(
            related
                .iter()
                .zip(related_cosines)
                .filter(|(_, c)| c.is_some_and(|c| c >= RELATED_CLOSENESS))
                .map(|(d, c)| (score(d, c), d.1, true)),
        )
        .collect();
    region.sort_by(|a, b| b.0.total_cmp(&a.0));
    let last_own = region.iter().rposition(|r| !r.2).map_or(0, |i| i + 1);
    region.truncate(last_own);
    let kept = region.iter().filter(|r| r.2).map(|r| r.1).collect();
    docs.splice(..n, region.into_iter().map(|(s, t, _)| (s, t)));
    kept
}

/// Orders the best `n` of `docs` (in order, best first) again by reciprocal-rank fusion
/// with `nearest`, the articles nearest the query in meaning in the model's own order
/// ([`FUSION_K`]): an article placed there moves up a few places, one that is not keeps
/// its order among the rest. None leaves the `n` or enters them. Each score becomes its
/// fused score times [`FUSION_K`] (a little over 1 at most), so that the scores still
/// fall in order.
pub fn fuse<T: Copy + Eq + std::hash::Hash>(docs: &mut [(f32, T)], n: usize, nearest: &[T]) {
    let n = n.min(docs.len());
    if n == 0 || nearest.is_empty() {
        return;
    }
    let place: std::collections::HashMap<T, usize> = nearest
        .iter()
        .enumerate()
        .map(|(m, &t)| (t, m + 1))
        .collect();
    let mut fused: Vec<(f32, usize, T)> = docs[..n]
        .iter()
        .enumerate()
        .map(|(r, d)| {
            let own = 1.0 / (FUSION_K + (r + 1) as f32);
            let meaning = place
                .get(&d.1)
                .map_or(0.0, |&m| FUSION_WEIGHT / (FUSION_K + m as f32));
            (own + meaning, r, d.1)
        })
        .collect();
    fused.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (d, (s, _, t)) in docs[..n].iter_mut().zip(fused) {
        *d = (s * FUSION_K, t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quantised_vector_keeps_its_direction() {
        let v: Vec<f32> = (0..384)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 300.0)
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let unit: Vec<f32> = v.iter().map(|x| x / norm).collect();
        let c = cosine(&unit, &quantize(&unit)).unwrap();
        assert!(c > 0.999, "{c}");
        // Another model's vectors, or none, are not compared.
        assert_eq!(cosine(&unit, &quantize(&unit[..10])), None);
        assert_eq!(cosine(&unit, &[]), None);
        assert_eq!(cosine(&unit, &vec![0; 384]), None);
        assert!(quantize(&[0.0, 0.0]).iter().all(|&b| b == 0));
        assert!(quantize(&[f32::NAN, 1.0]).iter().all(|&b| b == 0));
    }

    #[test]
    fn closeness_of_meaning_reorders_only_the_best_matches() {
        // Two close word scores: the closer meaning goes first. A far weaker word
        // score is not lifted above a strong one.
        let mut docs = vec![(10.0, 'a'), (9.5, 'b'), (2.0, 'c')];
        rerank(&mut docs, &[Some(0.1), Some(0.6), Some(1.0)]);
        let order: String = docs.iter().map(|d| d.1).collect();
        assert_eq!(order, "bac");
        // Past the depth, nothing moves.
        let mut many: Vec<(f32, usize)> = (0..40).map(|i| (100.0 - i as f32, i)).collect();
        let mut cos = vec![Some(0.0); 40];
        cos[39] = Some(1.0);
        rerank(&mut many, &cos);
        assert_eq!(many[39].1, 39);
    }

    #[test]
    fn the_models_own_order_moves_its_nearest_up_a_few_places() {
        let mut docs: Vec<(f32, u32)> = (0..40).map(|i| (100.0 - i as f32, i)).collect();
        // 12 is the model's nearest, 5 its second; 35 is past the `n` fused.
        fuse(&mut docs, 30, &[12, 35, 5]);
        let order: Vec<u32> = docs.iter().map(|d| d.1).collect();
        // 12 (place 13: 1/43 + 0.1/31) passes 7 (1/38) but not 6 (1/37); 5 (place 6,
        // third nearest: 1/36 + 0.1/33) passes 2 (1/33) but not 1 (1/32).
        assert_eq!(&order[..12], &[0, 1, 5, 2, 3, 4, 6, 12, 7, 8, 9, 10]);
        // The rest keep their order; none leaves the 30 or enters them.
        assert_eq!(order[12], 11);
        assert_eq!(&order[13..], &(13..40).collect::<Vec<_>>()[..]);
        assert!(
            docs[..30].windows(2).all(|w| w[0].0 >= w[1].0),
            "scores in order"
        );
        assert_eq!(docs[30], (70.0, 30), "past the 30, scores and places stay");
        // Nothing to fuse with: nothing moves.
        let before = docs.clone();
        fuse(&mut docs, 30, &[]);
        assert_eq!(docs, before);
    }

    #[test]
    fn a_related_article_is_ordered_among_the_best_matches_by_meaning() {
        let mut docs = vec![(10.0, 'a'), (9.0, 'b'), (8.0, 'c'), (1.0, 'z')];
        let cos = [Some(0.2), Some(0.2), Some(0.2), Some(0.9)];
        // 'r' holds fewer of the words than any of them, but is close in meaning: 0.3 +
        // 0.7 · 1.0 puts it above 'c' (0.8 + 0.14). 's' is as close and falls below
        // every one of them: left out. 't' would land above 'z' (0.3 + 0.7 · 0.45
        // against 0.1 + 0.63), but is not close enough to be read as related.
        let related = [(3.0, 'r'), (0.5, 's'), (3.0, 't')];
        let rel_cos = [Some(1.0), Some(0.6), Some(0.45)];
        let kept = rerank_with(&mut docs, &cos, &related, &rel_cos);
        let order: String = docs.iter().map(|d| d.1).collect();
        assert_eq!(kept, ['r']);
        assert_eq!(order, "abrcz");
        // An article without a vector is never related.
        let mut docs = vec![(10.0, 'a'), (1.0, 'z')];
        let kept = rerank_with(&mut docs, &[Some(0.2), Some(0.0)], &[(9.0, 'n')], &[None]);
        assert!(kept.is_empty());
        assert_eq!(docs.len(), 2);
    }
}
