//! Every word of a list within a window of one field, in any order: the bonus for an
//! article whose body holds all of a query's words close together
//! (`rank::weights::BODY_ALL_NEAR`).
//!
//! tantivy's phrase query with a slop is not used for it: with three words or more it
//! walks the words in the order of their postings' sizes in each segment, not in the
//! phrase's order, and its slop is a budget carried from word to word, so the same
//! article could match in one segment layout and not in another (tantivy 0.27: an
//! article of the judged archive gained or lost the bonus as two ingests of the same
//! files happened to split their segments). Here a window is a span of positions that
//! holds one of each word, whatever their order, and an article matches where such a
//! span is at most `span` positions from its first word to its last. Its score is the
//! phrase's: BM25 of the number of such windows (one for each position that ends one),
//! with the words' idf summed.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// See the module's documentation. `terms` are of one field, distinct, two at least.
#[derive(Clone, Debug)]
pub(crate) struct AllNear {
    terms: Vec<Term>,
    span: u32,
}

impl AllNear {
    pub(crate) fn new(terms: Vec<Term>, span: u32) -> AllNear {
        AllNear { terms, span }
    }
}

impl Query for AllNear {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let similarity = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &self.terms)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(AllNearWeight {
            terms: self.terms.clone(),
            span: self.span,
            similarity,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for t in &self.terms {
            visitor(t, true);
        }
    }
}

struct AllNearWeight {
    terms: Vec<Term>,
    span: u32,
    similarity: Option<Bm25Weight>,
}

impl AllNearWeight {
    fn near_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<AllNearScorer>> {
        let Some(field) = self.terms.first().map(Term::field) else {
            return Ok(None);
        };
        let index = reader.inverted_index(field)?;
        let mut postings = Vec::with_capacity(self.terms.len());
        for t in &self.terms {
            match index.read_postings(t, IndexRecordOption::WithFreqsAndPositions)? {
                Some(p) => postings.push(p),
                None => return Ok(None),
            }
        }
        let fieldnorms = reader.get_fieldnorms_reader(field)?;
        let similarity = self.similarity.as_ref().map(|w| w.boost_by(boost));
        Ok(Some(AllNearScorer::new(
            postings, self.span, fieldnorms, similarity,
        )))
    }
}

impl Weight for AllNearWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.near_scorer(reader, boost)? {
            Some(mut s) => {
                s.find(0);
                Box::new(s)
            }
            None => Box::new(EmptyScorer),
        })
    }

    /// Made at `target` and checked there only: an article the search asks about does
    /// not make it read the positions of the ones after it.
    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        Ok(match self.near_scorer(reader, boost)? {
            Some(mut s) => (s.seek_danger(target), Box::new(s)),
            None => (
                SeekDangerResult::SeekLowerBound(TERMINATED),
                Box::new(EmptyScorer),
            ),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let Some(mut s) = self.near_scorer(reader, 1.0)? else {
            return Err(does_not_match(doc));
        };
        if !matches!(s.seek_danger(doc), SeekDangerResult::Found) {
            return Err(does_not_match(doc));
        }
        let mut e = Explanation::new("all the words within a window", s.score());
        e.add_context(format!("windows: {}", s.windows));
        Ok(e)
    }
}

fn does_not_match(doc: DocId) -> tantivy::TantivyError {
    tantivy::TantivyError::InvalidArgument(format!("document #{doc} does not match"))
}

struct AllNearScorer {
    postings: Vec<SegmentPostings>,
    span: u32,
    fieldnorms: FieldNormReader,
    similarity: Option<Bm25Weight>,
    doc: DocId,
    /// The windows of the current match.
    windows: u32,
    /// Scratch: each word's positions, then all of them with their word, in order.
    positions: Vec<u32>,
    merged: Vec<(u32, usize)>,
    held: Vec<u32>,
}

impl AllNearScorer {
    fn new(
        postings: Vec<SegmentPostings>,
        span: u32,
        fieldnorms: FieldNormReader,
        similarity: Option<Bm25Weight>,
    ) -> AllNearScorer {
        let words = postings.len();
        AllNearScorer {
            postings,
            span,
            fieldnorms,
            similarity,
            doc: 0,
            windows: 0,
            positions: Vec::new(),
            merged: Vec::new(),
            held: vec![0; words],
        }
    }

    /// The first match from `target` on (or `TERMINATED`), made the current one.
    fn find(&mut self, target: DocId) -> DocId {
        let mut t = target;
        loop {
            let d = super::phrases::align(&mut self.postings, t);
            if d == TERMINATED {
                self.doc = TERMINATED;
                self.windows = 0;
                return TERMINATED;
            }
            let windows = self.count_windows();
            if windows > 0 {
                self.doc = d;
                self.windows = windows;
                return d;
            }
            t = d + 1;
        }
    }

    /// In the document every posting is on: how many positions end a window that holds
    /// each word once at least and spans `span` positions at most.
    fn count_windows(&mut self) -> u32 {
        self.merged.clear();
        for (w, p) in self.postings.iter_mut().enumerate() {
            p.positions(&mut self.positions);
            self.merged.extend(self.positions.iter().map(|&at| (at, w)));
        }
        self.merged.sort_unstable();
        self.held.iter_mut().for_each(|h| *h = 0);
        let (mut distinct, mut left, mut windows) = (0, 0, 0);
        for right in 0..self.merged.len() {
            let w = self.merged[right].1;
            self.held[w] += 1;
            if self.held[w] == 1 {
                distinct += 1;
            }
            // The window ending here starts as late as it can.
            while self.held[self.merged[left].1] > 1 {
                self.held[self.merged[left].1] -= 1;
                left += 1;
            }
            if distinct == self.held.len()
                && self.merged[right].0 - self.merged[left].0 <= self.span
            {
                windows += 1;
            }
        }
        windows
    }
}

impl DocSet for AllNearScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.find(self.doc + 1)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.find(target)
    }

    /// Only `target` is checked (see [`AllNearWeight::scorer_danger`]).
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        if self.windows > 0 && self.doc == target {
            return SeekDangerResult::Found;
        }
        self.windows = 0;
        let d = super::phrases::align(&mut self.postings, target);
        if d != target {
            return SeekDangerResult::SeekLowerBound(d);
        }
        let windows = self.count_windows();
        if windows == 0 {
            return SeekDangerResult::SeekLowerBound(target + 1);
        }
        self.doc = target;
        self.windows = windows;
        SeekDangerResult::Found
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    /// As tantivy's phrase scorers estimate their matches: a tenth of the rarest word's.
    fn size_hint(&self) -> u32 {
        super::phrases::rarest(&self.postings) / 10
    }
}

impl Scorer for AllNearScorer {
    fn score(&mut self) -> Score {
        match &self.similarity {
            Some(w) => w.score(self.fieldnorms.fieldnorm_id(self.doc), self.windows),
            None => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::schema::{Schema, Value, STORED, STRING, TEXT};
    use tantivy::{doc, Index, IndexWriter, TantivyDocument};

    /// An index of `(id, body)` articles, a commit after each group of them.
    fn index(
        groups: &[&[(&str, &str)]],
    ) -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED);
        let body = b.add_text_field("body", TEXT);
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer_with_num_threads(1, 20_000_000).unwrap();
        w.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for group in groups {
            for (i, text) in group.iter() {
                w.add_document(doc!(id => *i, body => *text)).unwrap();
            }
            w.commit().unwrap();
        }
        (index, id, body)
    }

    /// Each matching article's id and score for all of `words` within `span`.
    fn scores(
        (index, id, body): &(Index, tantivy::schema::Field, tantivy::schema::Field),
        words: &[&str],
        span: u32,
    ) -> Vec<(String, u32)> {
        let terms = words
            .iter()
            .map(|w| Term::from_field_text(*body, w))
            .collect();
        let q = AllNear::new(terms, span);
        let s = index.reader().unwrap().searcher();
        let mut out: Vec<(String, u32)> = s
            .search(&q, &TopDocs::with_limit(100).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(score, a)| {
                let d: TantivyDocument = s.doc(a).unwrap();
                let i = d.get_first(*id).and_then(|v| v.as_str()).unwrap();
                // Scores compared to a thousandth.
                (i.to_string(), (score * 1000.0).round() as u32)
            })
            .collect();
        out.sort();
        out
    }

    const ARTICLES: [(&str, &str); 5] = [
        ("in-order", "thaad in south korea angers china"),
        ("any-order", "china protests as south korea deploys thaad"),
        (
            "far",
            "thaad was news in march and april and may and june and july and august and \
             september and october and november and december and later still in south \
             korea while china",
        ),
        (
            "twice",
            "thaad south korea china then again china thaad south korea",
        ),
        ("lacks-one", "south korea and china talk"),
    ];

    #[test]
    fn every_word_within_the_window_in_any_order() {
        let idx = index(&[&ARTICLES]);
        let words = ["thaad", "south", "korea", "china"];
        let ids: Vec<String> = scores(&idx, &words, 27).into_iter().map(|x| x.0).collect();
        assert_eq!(ids, ["any-order", "in-order", "twice"]);
        // A wider window takes in the far one; a narrower one only tight spans.
        assert_eq!(scores(&idx, &words, 40).len(), 4);
        let ids: Vec<String> = scores(&idx, &words, 3).into_iter().map(|x| x.0).collect();
        assert_eq!(ids, ["twice"]);
        // More windows score more.
        let s = scores(&idx, &words, 27);
        let of = |i: &str| s.iter().find(|x| x.0 == i).unwrap().1;
        assert!(of("twice") > of("in-order"), "{s:?}");
    }

    /// Two articles whose four words stand apart and out of order, on which tantivy's
    /// phrase query with a slop of 8 matched in one of the layouts below and not in the
    /// other.
    const MIXED: [(&str, &str); 2] = [
        (
            "mixed-1",
            "w0 w1 w2 w3 w4 korea thaad w7 w8 south w10 china w12 w13 w14 w15 w16 south w18 \
             w19 w20 w21 w22 w23 korea w25 w26 w27 w28 w29 w30 w31 thaad china w34 w35",
        ),
        (
            "mixed-2",
            "w0 w1 w2 thaad w4 w5 w6 w7 w8 w9 china w11 w12 w13 w14 w15 w16 w17 w18 w19 w20 \
             south w22 w23 w24 korea w26 thaad korea w29 w30 w31 china w33 w34",
        ),
    ];

    #[test]
    fn the_same_articles_match_and_score_alike_whatever_the_segments() {
        // The same articles in one segment, or split so that "china" is common in the
        // segment of some and "south korea" in the segment of the others.
        let named = |text: &str, n: usize| -> Vec<(String, String)> {
            (0..n)
                .map(|i| (format!("filler-{text}-{i}"), text.to_string()))
                .collect()
        };
        let china = named("china china thaad", 60);
        let korea = named("south korea south korea", 60);
        let china: Vec<(&str, &str)> = china
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let korea: Vec<(&str, &str)> = korea
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let all: Vec<(&str, &str)> = ARTICLES.iter().chain(&MIXED).copied().collect();
        let one = index(&[&[&all[..], &china[..], &korea[..]].concat()]);
        let split = index(&[
            &[&china[..], &MIXED[..1], &ARTICLES[..2]].concat(),
            &[&korea[..], &MIXED[1..], &ARTICLES[2..]].concat(),
        ]);
        let words = ["thaad", "south", "korea", "china"];
        for span in [3, 11, 27, 40] {
            let a = scores(&one, &words, span);
            let b = scores(&split, &words, span);
            assert_eq!(a, b, "span {span}");
        }
    }

    #[test]
    fn an_article_asked_about_is_checked_alone_and_agrees_with_the_scorer() {
        let all: Vec<(&str, &str)> = ARTICLES.iter().chain(&MIXED).copied().collect();
        let (index, _, body) = index(&[&all]);
        let terms = ["thaad", "south", "korea", "china"]
            .iter()
            .map(|w| Term::from_field_text(body, w))
            .collect();
        let q = AllNear::new(terms, 11);
        let s = index.reader().unwrap().searcher();
        let w = q.weight(EnableScoring::enabled_from_searcher(&s)).unwrap();
        let r = s.segment_reader(0);
        let mut matches = Vec::new();
        let mut plain = w.scorer(r, 1.0).unwrap();
        while plain.doc() != TERMINATED {
            matches.push((plain.doc(), plain.score()));
            plain.advance();
        }
        assert!(!matches.is_empty() && matches.len() < all.len());
        // Each article on a scorer of its own, and all of them in turn on one.
        let mut walked = Vec::new();
        let (first, mut one) = w.scorer_danger(r, 0, 1.0).unwrap();
        for doc in 0..all.len() as DocId {
            let (res, mut own) = w.scorer_danger(r, doc, 1.0).unwrap();
            let found = matches!(res, SeekDangerResult::Found);
            let want = matches.iter().find(|m| m.0 == doc);
            assert_eq!(found, want.is_some(), "{doc}");
            if let Some(m) = want {
                assert_eq!(own.score(), m.1);
            }
            let res = if doc == 0 {
                first
            } else {
                one.seek_danger(doc)
            };
            if matches!(res, SeekDangerResult::Found) {
                walked.push((doc, one.score()));
            }
        }
        assert_eq!(walked, matches);
    }
}
