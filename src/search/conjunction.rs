//! A query of several plain words, all required, each found in title, subtitle or
//! body: the boolean query [`rank`](super::rank) builds for it (an intersection of one
//! union of term queries per word), with the same matches and the same scores, and a
//! top-k search that skips what cannot enter the page. (A score can differ in its last
//! bit: tantivy adds the words up in the order of a cost that depends on how far its
//! unions have buffered, and this in the order of their terms' document counts, which
//! is the same order unless a term's postings end within tantivy's first window.)
//!
//! tantivy prunes a union of terms (block-max WAND) and an intersection of bare terms,
//! but an intersection of unions it scores match by match, and each union it reads in
//! windows of 4,096 documents, scoring every document of the window, to be asked about
//! one of them. Here each word is a plain union of its few terms, which seek and score
//! only the document asked for, and a search for the best few skips:
//! - a stretch of documents, when the sum of every term's block maximum (the block
//!   its cursor is on; a term's maximum over the segment where the cursor lags behind)
//!   cannot beat the page's worst score;
//! - a document of the rarest word, when its score there plus the other words' bounds
//!   cannot, before the other words are looked up.
//!
//! A block maximum is computed at indexing with the segment's average field length,
//! and a search scores with the average over all segments; a bound is widened by
//! the ratio of the two averages, which bounds how far the two can differ (see
//! [`TermCursor::block_bound`]), so no match that would enter the page is skipped.

use super::bm25f::Word;
use super::rank::word_fields;
use crate::index::Fields;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{
    Bm25Weight, BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// Documents in a full block of a posting list (tantivy's compression block).
const BLOCK: usize = 128;

/// A bound is compared with this much room for float rounding: bounds are summed in
/// another order than the score they bound.
const ROUNDING: Score = 1.0001;

/// See the module's documentation.
#[derive(Debug)]
pub(crate) struct Conjunction {
    /// The boolean query this stands for: it explains a score.
    inner: Box<dyn Query>,
    /// Each word's terms with their field weights, in the order of its union's clauses.
    words: Vec<Vec<(Term, Score)>>,
}

impl Clone for Conjunction {
    fn clone(&self) -> Conjunction {
        Conjunction {
            inner: self.inner.box_clone(),
            words: self.words.clone(),
        }
    }
}

impl Conjunction {
    /// The boolean query this stands for.
    pub(crate) fn inner(&self) -> &dyn Query {
        &*self.inner
    }
}

/// `strict` as a [`Conjunction`], where it is one: a boolean query of two or more
/// required clauses, each the union of one term query per term of its word and field
/// (`rank::word_fields`), in that order. Anything else (a phrase, an excluded word, a
/// word that cannot be indexed, a single word) is `None`, and is searched as it is.
///
/// With `single`, one word is one too (for a search with filters: the word's union,
/// sought by the filters, seeks its terms instead of buffering; a top-k search of it
/// is still tantivy's block-max WAND).
pub(crate) fn wrap(
    f: &Fields,
    strict: &dyn Query,
    words: &[Word],
    single: bool,
) -> Option<Box<dyn Query>> {
    let clauses = strict.downcast_ref::<BooleanQuery>()?.clauses();
    if clauses.len() < if single { 1 } else { 2 } || clauses.len() != words.len() {
        return None;
    }
    let mut spec = Vec::with_capacity(words.len());
    for ((occur, clause), word) in clauses.iter().zip(words) {
        let union = clause.downcast_ref::<BooleanQuery>()?.clauses();
        let fields = word_fields(f, word.title_only);
        let expected: Vec<(Term, Score)> = word
            .terms
            .iter()
            .flat_map(|t| {
                fields
                    .iter()
                    .map(move |&(field, w)| (Term::from_field_text(field, t), w))
            })
            .collect();
        if *occur != Occur::Must || union.len() != expected.len() {
            return None;
        }
        for ((occur, q), (term, _)) in union.iter().zip(&expected) {
            let mut terms = Vec::new();
            q.query_terms(&mut |t, _| terms.push(t.clone()));
            if *occur != Occur::Should || terms.len() != 1 || terms[0] != *term {
                return None;
            }
        }
        spec.push(expected);
    }
    // One word: the union itself, which tantivy prunes.
    let inner = match clauses {
        [(_, union)] => union.box_clone(),
        _ => strict.box_clone(),
    };
    Some(Box::new(Conjunction { inner, words: spec }))
}

impl Query for Conjunction {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.inner.weight(scoring)?;
        let stats = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(statistics_provider),
            EnableScoring::Disabled { .. } => None,
        };
        let docs = match stats {
            Some(s) => s.total_num_docs()?,
            None => 0,
        };
        let mut words = Vec::with_capacity(self.words.len());
        for w in &self.words {
            let mut terms = Vec::with_capacity(w.len());
            for (term, boost) in w {
                let (weight, average) = match stats {
                    Some(stats) => (
                        // As `TermQuery` weighs it.
                        Bm25Weight::for_terms(stats, std::slice::from_ref(term))?,
                        stats.total_num_tokens(term.field())? as f64 / docs.max(1) as f64,
                    ),
                    // Only which documents match is asked (a count, the matches of a
                    // group): no score is computed.
                    None => (Bm25Weight::for_one_term(1, 1, 1.0), 0.0),
                };
                terms.push(TermSpec {
                    term: term.clone(),
                    weight,
                    boost: *boost,
                    average,
                });
            }
            words.push(terms);
        }
        Ok(Box::new(ConjunctionWeight {
            inner,
            words,
            scoring: stats.is_some(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct TermSpec {
    term: Term,
    /// Before the field's weight.
    weight: Bm25Weight,
    boost: Score,
    /// The field's average length over all segments (what `weight` was computed with).
    average: f64,
}

struct ConjunctionWeight {
    inner: Box<dyn Weight>,
    words: Vec<Vec<TermSpec>>,
    /// Scores are asked for (else term frequencies are not read).
    scoring: bool,
}

impl ConjunctionWeight {
    /// `None` where a field has no lengths recorded (then the boolean query's own
    /// scorer is used).
    fn and_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<AndScorer>> {
        let option = if self.scoring {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let mut words = Vec::with_capacity(self.words.len());
        for w in &self.words {
            let mut terms = Vec::with_capacity(w.len());
            for t in w {
                let field = t.term.field();
                let index = reader.inverted_index(field)?;
                let Some(postings) = index.read_block_postings(&t.term, option)? else {
                    continue;
                };
                let Some(fieldnorms) = reader.fieldnorms_readers().get_field(field)? else {
                    return Ok(None);
                };
                // As `BoostQuery` over `TermQuery` scores it: the boost given times the
                // field's weight.
                let weight = t.weight.boost_by(boost * t.boost);
                let here = index.total_num_tokens() as f64 / f64::from(reader.max_doc().max(1));
                let ratio = if here > 0.0 && t.average > 0.0 {
                    (here / t.average).max(t.average / here) as Score
                } else {
                    Score::INFINITY
                };
                terms.push(TermCursor::new(postings, fieldnorms, weight, ratio));
            }
            words.push(WordCursor::new(terms));
        }
        Ok(Some(AndScorer::new(words)))
    }
}

impl Weight for ConjunctionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.and_scorer(reader, boost)? {
            Some(s) => Box::new(s),
            None => self.inner.scorer(reader, boost)?,
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        // One word: tantivy's block-max WAND over its union.
        let conjunction = match self.words.len() {
            1 => None,
            _ => self.and_scorer(reader, 1.0)?,
        };
        match conjunction {
            Some(mut s) => s.for_each_pruning(threshold, callback),
            None => self.inner.for_each_pruning(threshold, reader, callback)?,
        }
        Ok(())
    }
}

/// One term's postings in one segment, read block by block.
struct TermCursor {
    postings: BlockSegmentPostings,
    /// The position in the loaded block.
    cur: usize,
    fieldnorms: FieldNormReader,
    weight: Bm25Weight,
    /// The term's highest possible score.
    max: Score,
    /// How much a block maximum is widened (see [`TermCursor::block_bound`]).
    ratio: Score,
}

impl TermCursor {
    fn new(
        postings: BlockSegmentPostings,
        fieldnorms: FieldNormReader,
        weight: Bm25Weight,
        ratio: Score,
    ) -> TermCursor {
        TermCursor {
            postings,
            cur: 0,
            fieldnorms,
            max: weight.max_score(),
            weight,
            ratio,
        }
    }

    /// The current document (`TERMINATED` past the last: the last block is padded
    /// with it).
    #[inline]
    fn doc(&self) -> DocId {
        self.postings.doc(self.cur)
    }

    /// As `SegmentPostings::advance`. Not called past the last document.
    #[inline]
    fn advance(&mut self) -> DocId {
        if self.cur == BLOCK - 1 {
            self.cur = 0;
            self.postings.advance();
        } else {
            self.cur += 1;
        }
        self.doc()
    }

    /// As `SegmentPostings::seek`: the first document at or after `target`.
    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        self.cur = (self.cur + 1).min(BLOCK - 1);
        if self.doc() >= target {
            return self.doc();
        }
        self.cur = self.postings.seek(target);
        self.doc()
    }

    /// As `TermScorer::score`, at the current document.
    #[inline]
    fn score(&self) -> Score {
        let doc = self.doc();
        self.weight.score(
            self.fieldnorms.fieldnorm_id(doc),
            self.postings.freq(self.cur),
        )
    }

    /// The number of documents the postings hold.
    fn cost(&self) -> u64 {
        u64::from(self.postings.doc_freq())
    }

    /// The last document the loaded block's maximum covers: its last one, or (the
    /// last block, not full) every one after it.
    #[inline]
    fn block_end(&self) -> DocId {
        if self.postings.block_len() == BLOCK {
            self.postings.doc(BLOCK - 1)
        } else {
            TERMINATED - 1
        }
    }

    /// A bound of the term's score over the loaded block. The block's maximum was
    /// chosen at indexing by the segment's average field length `a`; a search scores
    /// with the average over all segments `g`. Each document's score at `g` lies
    /// between its score at `a` times `min(1, g/a)` and times `max(1, g/a)` (the length
    /// term of BM25 moves monotonically with the average), so the block's true maximum
    /// is at most its recorded one times `max(g/a, a/g)`.
    #[inline]
    fn block_bound(&mut self) -> Score {
        let recorded = self
            .postings
            .block_max_score(&self.fieldnorms, &self.weight);
        (recorded * self.ratio).min(self.max)
    }

    /// A bound of the term's score at `doc`, at or after every document the cursor
    /// was moved to (so a cursor already past `doc` does not hold it).
    #[inline]
    fn bound_at(&mut self, doc: DocId) -> Score {
        let d = self.doc();
        if d > doc {
            0.0
        } else if d == doc {
            self.score()
        } else if doc <= self.block_end() {
            self.block_bound()
        } else {
            self.max
        }
    }
}

/// A word: the union of its terms' postings, scored as tantivy's union of term
/// queries sums them (in clause order, from 0).
struct WordCursor {
    terms: Vec<TermCursor>,
    doc: DocId,
}

impl WordCursor {
    fn new(terms: Vec<TermCursor>) -> WordCursor {
        let mut w = WordCursor { terms, doc: 0 };
        w.settle();
        w
    }

    #[inline]
    fn settle(&mut self) -> DocId {
        self.doc = self
            .terms
            .iter()
            .map(TermCursor::doc)
            .min()
            .unwrap_or(TERMINATED);
        self.doc
    }

    #[inline]
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for t in &mut self.terms {
            if t.doc() == doc {
                t.advance();
            }
        }
        self.settle()
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for t in &mut self.terms {
            if t.doc() < target {
                t.seek(target);
            }
        }
        self.settle()
    }

    #[inline]
    fn score(&self) -> Score {
        let mut s: Score = 0.0;
        for t in &self.terms {
            if t.doc() == self.doc {
                s += t.score();
            }
        }
        s
    }

    fn bound_at(&mut self, doc: DocId) -> Score {
        self.terms.iter_mut().map(|t| t.bound_at(doc)).sum()
    }

    fn cost(&self) -> u64 {
        self.terms.iter().map(TermCursor::cost).sum()
    }
}

/// The words' intersection, led by the rarest; scored as tantivy's intersection sums
/// its scorers (ordered by cost: the first two, then the sum of the others).
struct AndScorer {
    words: Vec<WordCursor>,
    doc: DocId,
}

impl AndScorer {
    fn new(mut words: Vec<WordCursor>) -> AndScorer {
        words.sort_by_key(WordCursor::cost);
        let mut s = AndScorer { words, doc: 0 };
        if s.words.is_empty() || s.words.iter().any(|w| w.doc == TERMINATED) {
            s.doc = TERMINATED;
        } else {
            let first = s.words[0].doc;
            s.align(first);
        }
        s
    }

    /// Moves to the first document at or after `candidate` (where the first word is)
    /// that every word holds.
    #[inline]
    fn align(&mut self, mut candidate: DocId) -> DocId {
        'next: while candidate != TERMINATED {
            for i in 1..self.words.len() {
                let d = self.words[i].seek(candidate);
                if d > candidate {
                    candidate = self.words[0].seek(d);
                    continue 'next;
                }
            }
            break;
        }
        self.doc = candidate;
        candidate
    }

    /// Calls `callback` with each match, from the current one, whose score beats
    /// `threshold` (which becomes what the callback returns), skipping documents that
    /// cannot (see the module's documentation).
    fn for_each_pruning(
        &mut self,
        mut threshold: Score,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) {
        let n = self.words.len();
        // At a document, the sum of the bounds of the words after each.
        let mut after = vec![0.0 as Score; n];
        let mut doc = self.doc;
        'next: while doc != TERMINATED {
            // The first word is on `doc`; the others are where earlier documents left
            // them. From `doc` to `end`, no term can score above its bound.
            let mut end = TERMINATED - 1;
            let mut bound: Score = 0.0;
            for t in self.words.iter_mut().flat_map(|w| w.terms.iter_mut()) {
                let d = t.doc();
                if d == TERMINATED {
                    continue;
                }
                let block_end = t.block_end();
                if doc <= block_end {
                    bound += t.block_bound();
                    end = end.min(block_end);
                } else {
                    bound += t.max;
                }
            }
            if bound * ROUNDING <= threshold {
                if end >= TERMINATED - 1 {
                    break;
                }
                doc = self.words[0].seek(end + 1);
                continue;
            }
            // This document: the first word's score and the others' bounds (a word
            // already past it does not hold it).
            let mut rest: Score = 0.0;
            for i in (1..n).rev() {
                let d = self.words[i].doc;
                if d > doc {
                    doc = self.words[0].seek(d);
                    continue 'next;
                }
                after[i] = rest;
                rest += self.words[i].bound_at(doc);
            }
            let lead = self.words[0].score();
            if (lead + rest) * ROUNDING <= threshold {
                doc = self.words[0].advance();
                continue;
            }
            // The others in turn: each must hold `doc`, its score in place of its bound.
            let mut sure = lead;
            let (first, others) = self.words.split_at_mut(1);
            for (w, rest) in others.iter_mut().zip(&after[1..]) {
                let d = w.seek(doc);
                if d != doc {
                    doc = first[0].seek(d);
                    continue 'next;
                }
                sure += w.score();
                if (sure + rest) * ROUNDING <= threshold {
                    doc = first[0].advance();
                    continue 'next;
                }
            }
            self.doc = doc;
            let score = self.score();
            if score > threshold {
                threshold = callback(doc, score);
            }
            doc = self.words[0].advance();
        }
        self.doc = TERMINATED;
    }
}

impl DocSet for AndScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let c = self.words[0].advance();
        self.align(c)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let c = self.words[0].seek(target);
        self.align(c)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.words
            .iter()
            .map(|w| w.cost().min(u64::from(u32::MAX)) as u32)
            .min()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.words.first().map_or(0, WordCursor::cost)
    }
}

impl Scorer for AndScorer {
    fn score(&mut self) -> Score {
        match &self.words[..] {
            [word] => word.score(),
            // As `tantivy::query::Intersection::score`.
            [a, b, others @ ..] => {
                a.score() + b.score() + others.iter().map(WordCursor::score).sum::<Score>()
            }
            [] => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_index::{assert_same_best, assert_same_matches};
    use super::*;
    use tantivy::query::{BoostQuery, TermQuery};
    use tantivy::schema::Field;

    /// Title, subtitle and body; `n` documents in `segments` segments whose bodies
    /// grow longer segment by segment (so each segment's average length differs from
    /// the whole index's), the words drawn at random at different rates.
    fn index(n: u32, segments: u32) -> (tantivy::Index, [Field; 3]) {
        let words = [
            ("alpha", 40),
            ("beta", 25),
            ("gamma", 6),
            ("delta", 50),
            ("pad", 100),
        ];
        let text = |len: u64, next: &mut dyn FnMut(u64) -> u64| {
            let mut t = String::new();
            for _ in 0..len {
                let (word, rate) = words[next(words.len() as u64) as usize];
                if next(100) < rate {
                    t.push_str(word);
                    t.push(' ');
                }
            }
            t
        };
        super::super::test_index::index(n, segments, 0x2545_f491_4f6c_dd1d, |_, seg, next| {
            let title = text(1 + next(6), next);
            let subtitle = text(next(10), next);
            let body = text(5 + next(40) * (seg + 1), next);
            [title, subtitle, body]
        })
    }

    /// The boolean query `rank` builds for `words` (each word's terms in title,
    /// subtitle and body, weighted 1.5, 1.2 and 1), and it as a [`Conjunction`].
    fn queries(fields: [Field; 3], words: &[&[&str]]) -> (Box<dyn Query>, Box<dyn Query>) {
        let weights = [1.5, 1.2, 1.0];
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut spec = Vec::new();
        for word in words {
            let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let mut terms = Vec::new();
            for t in *word {
                for (&field, &w) in fields.iter().zip(&weights) {
                    let term = Term::from_field_text(field, t);
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
                    let q = if w == 1.0 {
                        q
                    } else {
                        Box::new(BoostQuery::new(q, w))
                    };
                    should.push((Occur::Should, q));
                    terms.push((term, w));
                }
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
            spec.push(terms);
        }
        let boolean: Box<dyn Query> = Box::new(BooleanQuery::new(must));
        let conjunction = Box::new(Conjunction {
            inner: boolean.box_clone(),
            words: spec,
        });
        (boolean, conjunction)
    }

    const QUERIES: &[&[&[&str]]] = &[
        &[&["beta", "gamma"]],
        &[&["alpha"], &["beta"]],
        &[&["gamma"], &["alpha"], &["delta"]],
        &[&["beta"], &["gamma", "delta"]],
        &[&["alpha"], &["beta"], &["gamma"], &["delta"]],
        &[&["gamma"], &["absent"]],
    ];

    /// Scores to float rounding (see the module's documentation).
    fn close(g: Score, w: Score) -> bool {
        (g - w).abs() <= w * 1e-6
    }

    #[test]
    fn matches_and_scores_are_the_boolean_querys() {
        let (index, fields) = index(12_000, 3);
        let searcher = index.reader().unwrap().searcher();
        for words in QUERIES {
            let (boolean, conjunction) = queries(fields, words);
            let label = format!("{words:?}");
            let n = assert_same_matches(&searcher, &*boolean, &*conjunction, close, &label);
            if words.len() < 4 && !words.iter().any(|w| w.contains(&"absent")) {
                assert!(n > 200, "{words:?} has {n} matches: too few to test");
            }
        }
    }

    #[test]
    fn the_best_matches_are_the_boolean_querys() {
        let (index, fields) = index(12_000, 3);
        let searcher = index.reader().unwrap().searcher();
        for words in QUERIES {
            let (boolean, conjunction) = queries(fields, words);
            assert_same_best(
                &searcher,
                &*boolean,
                &*conjunction,
                close,
                &format!("{words:?}"),
            );
        }
    }

    #[test]
    fn a_search_without_scores_is_the_boolean_querys() {
        let (index, fields) = index(3_000, 2);
        let searcher = index.reader().unwrap().searcher();
        for words in QUERIES {
            let (boolean, conjunction) = queries(fields, words);
            let count = tantivy::collector::Count;
            assert_eq!(
                searcher.search(&*conjunction, &count).unwrap(),
                searcher.search(&*boolean, &count).unwrap()
            );
        }
    }
}
