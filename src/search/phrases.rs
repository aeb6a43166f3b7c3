//! A query clause that holds a phrase (`"white house"`, `post-war`): the union that
//! [`rank`](super::rank) builds for it (each form of the clause in title, subtitle and
//! body, a phrase's possessive forms among them), with the same matches and the same
//! scores, found candidate by candidate, and a top-k search that reads a phrase's
//! positions only where the article could enter the page.
//!
//! tantivy's union makes a phrase scorer for every form, and each runs ahead to its
//! first match as it is made: a rare form (`white s house`) reads the positions of every
//! article that holds its words on the way. Here a form's scorer is made at its first
//! candidate (an article whose field holds every word of the form, known from the
//! postings alone) without running ahead, and moved only to the candidates the search
//! asks about.
//!
//! tantivy cannot prune a phrase either: to score an article it reads the positions of
//! its words, and a phrase of common words (`"white house"`, `"prime minister"`) is in
//! hundreds of thousands of articles at a million. Here each candidate is first bounded
//! from its words' counts: a phrase occurs at most as often as its rarest word, and BM25
//! grows with the count, so the phrase's score there is at most what its weight gives
//! for that count. Only a candidate whose bound beats the page's worst score has its
//! positions read. Beside other required clauses ([`PhrasesAnd`]), the bound is the
//! phrases' bounds plus the other clauses' scores.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// A bound is compared with this much room for float rounding.
const ROUNDING: Score = 1.0001;

/// One clause of the union: a phrase (or a single word, for a form of one word) in one
/// field, with the field's weight.
pub(crate) type Form = (Vec<Term>, Score);

/// See the module's documentation.
#[derive(Debug)]
pub(crate) struct Phrases {
    /// The union this stands for (`rank::forms_union`): it counts, scores and explains.
    inner: Box<dyn Query>,
    /// Its clauses, in order: what each matches and how it is weighed.
    forms: Vec<Form>,
}

impl Clone for Phrases {
    fn clone(&self) -> Phrases {
        Phrases {
            inner: self.inner.box_clone(),
            forms: self.forms.clone(),
        }
    }
}

impl Phrases {
    pub(crate) fn new(forms: Vec<Form>) -> Phrases {
        Phrases {
            inner: super::rank::forms_union(&forms),
            forms,
        }
    }

    pub(crate) fn inner(&self) -> &dyn Query {
        &*self.inner
    }
}

impl Query for Phrases {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.phrases_weight(scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

impl Phrases {
    fn phrases_weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<PhrasesWeight> {
        let inner = self.inner.weight(scoring)?;
        let stats = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(statistics_provider),
            EnableScoring::Disabled { .. } => None,
        };
        let mut forms = Vec::with_capacity(self.forms.len());
        for form in &self.forms {
            let (terms, boost) = form;
            let weight = match stats {
                // As `PhraseQuery` and `TermQuery` weigh it, times the field's weight
                // (as `BoostQuery` passes it on).
                Some(stats) => Some(Bm25Weight::for_terms(stats, terms)?.boost_by(*boost)),
                None => None,
            };
            forms.push(FormSpec {
                terms: terms.clone(),
                weight,
                query: super::rank::form_query(form).weight(scoring)?,
            });
        }
        Ok(PhrasesWeight { inner, forms })
    }
}

struct FormSpec {
    terms: Vec<Term>,
    /// `None` where scores are not asked for.
    weight: Option<Bm25Weight>,
    /// Decides a candidate and scores it.
    query: Box<dyn Weight>,
}

struct PhrasesWeight {
    inner: Box<dyn Weight>,
    forms: Vec<FormSpec>,
}

impl PhrasesWeight {
    /// `None` where a field has no lengths recorded (then the union's own scorer).
    fn union(&self, reader: &SegmentReader) -> tantivy::Result<Option<PhraseUnion>> {
        let mut forms = Vec::with_capacity(self.forms.len());
        for form in &self.forms {
            match FormCursor::new(form, reader)? {
                Some(c) => forms.push(c),
                None => return Ok(None),
            }
        }
        Ok(Some(PhraseUnion {
            forms,
            doc: 0,
            score: 0.0,
        }))
    }
}

impl Weight for PhrasesWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if boost != 1.0 {
            return self.inner.scorer(reader, boost);
        }
        match self.union(reader)? {
            Some(mut u) => {
                u.find();
                Ok(Box::new(u))
            }
            None => self.inner.scorer(reader, boost),
        }
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
        let Some(mut u) = self.union(reader)? else {
            return self.inner.for_each_pruning(threshold, reader, callback);
        };
        let mut threshold = threshold;
        loop {
            let doc = u.candidate();
            if doc == TERMINATED {
                return Ok(());
            }
            if u.bound_at(doc) * ROUNDING > threshold {
                if let Some(score) = u.check(doc) {
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                }
            }
            u.step(doc);
        }
    }
}

/// Required clauses of which one or more hold a phrase (`"white house" trump`): the
/// boolean query `rank` builds for them, with the same matches and scores, and a top-k
/// search that bounds each article the clauses share before it reads a phrase's
/// positions: the phrases' bounds from their words' counts (see [`Phrases`]) plus the
/// other clauses' scores. tantivy's intersection cannot prune, and scores every match.
#[derive(Debug)]
pub(crate) struct PhrasesAnd {
    /// The boolean query: it finds, scores and explains the matches.
    inner: Box<dyn Query>,
    phrases: Vec<Phrases>,
    others: Vec<Box<dyn Query>>,
}

impl Clone for PhrasesAnd {
    fn clone(&self) -> PhrasesAnd {
        PhrasesAnd {
            inner: self.inner.box_clone(),
            phrases: self.phrases.clone(),
            others: self.others.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl PhrasesAnd {
    /// `strict` as a [`PhrasesAnd`], where it is two or more required clauses (nothing
    /// optional, nothing excluded), at least one of them a [`Phrases`].
    pub(crate) fn wrap(strict: &dyn Query) -> Option<Box<dyn Query>> {
        let b = strict.downcast_ref::<tantivy::query::BooleanQuery>()?;
        let clauses = b.clauses();
        if clauses.len() < 2
            || clauses
                .iter()
                .any(|(o, _)| *o != tantivy::query::Occur::Must)
        {
            return None;
        }
        let mut phrases = Vec::new();
        let mut others = Vec::new();
        for (_, q) in clauses {
            match q.downcast_ref::<Phrases>() {
                Some(p) => phrases.push(p.clone()),
                None => others.push(q.box_clone()),
            }
        }
        if phrases.is_empty() {
            return None;
        }
        Some(Box::new(PhrasesAnd {
            inner: strict.box_clone(),
            phrases,
            others,
        }))
    }

    pub(crate) fn inner(&self) -> &dyn Query {
        &*self.inner
    }
}

impl Query for PhrasesAnd {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.inner.weight(scoring)?;
        if matches!(scoring, EnableScoring::Disabled { .. }) {
            return Ok(inner);
        }
        Ok(Box::new(PhrasesAndWeight {
            inner,
            phrases: self
                .phrases
                .iter()
                .map(|p| p.phrases_weight(scoring))
                .collect::<tantivy::Result<_>>()?,
            others: self
                .others
                .iter()
                .map(|q| q.weight(scoring))
                .collect::<tantivy::Result<_>>()?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct PhrasesAndWeight {
    inner: Box<dyn Weight>,
    phrases: Vec<PhrasesWeight>,
    others: Vec<Box<dyn Weight>>,
}

impl Weight for PhrasesAndWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.inner.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut unions = Vec::with_capacity(self.phrases.len());
        for p in &self.phrases {
            match p.union(reader)? {
                Some(u) => unions.push(u),
                None => return self.inner.for_each_pruning(threshold, reader, callback),
            }
        }
        let mut others: Vec<Box<dyn Scorer>> = self
            .others
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<_>>()?;
        // The boolean query's own scorer gives a candidate's score, where its bound
        // beats the page's worst; it is moved only by `seek_danger`.
        let mut exact = self.inner.scorer(reader, 1.0)?;
        let mut next_match = exact.doc();
        let mut threshold = threshold;
        let mut doc = unions[0].candidate();
        'next: while doc != TERMINATED {
            // The next document every clause holds (a phrase's candidate: its words).
            for u in unions.iter_mut() {
                let d = u.seek_candidate(doc);
                if d != doc {
                    doc = d;
                    continue 'next;
                }
            }
            for o in others.iter_mut() {
                let d = if o.doc() < doc { o.seek(doc) } else { o.doc() };
                if d != doc {
                    doc = d;
                    continue 'next;
                }
            }
            let bound: Score = unions.iter().map(|u| u.bound_at(doc)).sum::<Score>()
                + others.iter_mut().map(|o| o.score()).sum::<Score>();
            if bound * ROUNDING > threshold && doc >= next_match {
                match exact.seek_danger(doc) {
                    SeekDangerResult::Found => {
                        next_match = doc + 1;
                        let score = exact.score();
                        if score > threshold {
                            threshold = callback(doc, score);
                        }
                    }
                    SeekDangerResult::SeekLowerBound(d) => next_match = d,
                }
            }
            unions[0].step(doc);
            doc = unions[0].candidate();
        }
        Ok(())
    }
}

/// The union's matches, found candidate by candidate in document order: a form's
/// positions are read only at a candidate that the search asks about.
struct PhraseUnion {
    forms: Vec<FormCursor>,
    /// The current match (TERMINATED past the last) and its score.
    doc: DocId,
    score: Score,
}

impl PhraseUnion {
    /// The next candidate of any form.
    fn candidate(&self) -> DocId {
        self.forms.iter().map(|c| c.doc).min().unwrap_or(TERMINATED)
    }

    /// The union's score at the candidate `doc`, `None` where no form matches there.
    /// Summed in the union's order, as its own scorer sums them.
    fn check(&mut self, doc: DocId) -> Option<Score> {
        let mut score: Score = 0.0;
        let mut found = false;
        for c in self.forms.iter_mut().filter(|c| c.doc == doc) {
            if let Some(s) = c.score(doc) {
                score += s;
                found = true;
            }
        }
        found.then_some(score)
    }

    /// The next candidate from `target` on.
    fn seek_candidate(&mut self, target: DocId) -> DocId {
        for c in self.forms.iter_mut() {
            c.seek(target);
        }
        self.candidate()
    }

    /// At most the union's score at its candidate `doc`.
    fn bound_at(&self, doc: DocId) -> Score {
        self.forms
            .iter()
            .filter(|c| c.doc == doc)
            .map(FormCursor::bound)
            .sum()
    }

    /// Past the candidate `doc`.
    fn step(&mut self, doc: DocId) {
        for c in self.forms.iter_mut().filter(|c| c.doc == doc) {
            c.advance();
        }
    }

    /// The first match from the current candidates on.
    fn find(&mut self) -> DocId {
        loop {
            let doc = self.candidate();
            if doc == TERMINATED {
                self.doc = TERMINATED;
                return TERMINATED;
            }
            if self.stop_at(doc) {
                return doc;
            }
            self.step(doc);
        }
    }

    /// Makes the candidate `doc` the current match where a form matches there.
    fn stop_at(&mut self, doc: DocId) -> bool {
        let Some(score) = self.check(doc) else {
            return false;
        };
        self.doc = doc;
        self.score = score;
        true
    }
}

impl DocSet for PhraseUnion {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let doc = self.doc;
        self.step(doc);
        self.find()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.seek_candidate(target);
        self.find()
    }

    /// Only `target` is checked: a candidate that is not a match there does not read
    /// the positions of the candidates after it (an intersection asks about the
    /// documents another clause holds).
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        // The current match, already checked (its forms' scorers have moved past it).
        if self.doc == target {
            return SeekDangerResult::Found;
        }
        if self.seek_candidate(target) == target {
            if self.stop_at(target) {
                return SeekDangerResult::Found;
            }
            self.step(target);
        }
        SeekDangerResult::SeekLowerBound(self.candidate())
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    /// As tantivy's phrase scorers estimate their matches: a tenth of the candidates
    /// per word.
    fn size_hint(&self) -> u32 {
        self.forms
            .iter()
            .map(|c| c.candidates() / (10 * c.postings.len().max(1)) as u32)
            .fold(0u32, u32::saturating_add)
    }

    /// As tantivy's union of phrase scorers counts it: each phrase's candidates, ten
    /// times for each of its words (checking a candidate reads positions), so that an
    /// intersection lets a cheaper clause lead and asks this one about its documents.
    fn cost(&self) -> u64 {
        self.forms
            .iter()
            .map(|c| match c.postings.len() {
                1 => u64::from(c.candidates()),
                n => u64::from(c.candidates()) * 10 * n as u64,
            })
            .sum()
    }
}

impl Scorer for PhraseUnion {
    fn score(&mut self) -> Score {
        self.score
    }
}

/// The first document from `target` on that every one of `postings` holds (moved
/// there), or `TERMINATED`.
pub(crate) fn align(postings: &mut [SegmentPostings], mut target: DocId) -> DocId {
    'next: loop {
        if target == TERMINATED {
            return TERMINATED;
        }
        for p in postings.iter_mut() {
            let d = if p.doc() < target {
                p.seek(target)
            } else {
                p.doc()
            };
            if d != target {
                target = d;
                continue 'next;
            }
        }
        return target;
    }
}

/// How many documents the rarest of `postings` holds: at most that many hold them all.
pub(crate) fn rarest(postings: &[SegmentPostings]) -> u32 {
    postings.iter().map(|p| p.size_hint()).min().unwrap_or(0)
}

/// One form's candidates in one segment: the articles whose field holds all its words.
struct FormCursor {
    postings: Vec<SegmentPostings>,
    fieldnorms: FieldNormReader,
    weight: Option<Bm25Weight>,
    /// The form's own scorer, made at the first candidate (not run ahead to its first
    /// match) and moved only by `seek_danger`.
    scorer: Box<dyn Scorer>,
    /// The scorer stands on a match here, not yet asked about.
    found_at: Option<DocId>,
    /// No match of the scorer lies before this.
    next_match: DocId,
    /// The current candidate (TERMINATED past the last).
    doc: DocId,
}

impl FormCursor {
    /// `None` where the field has no lengths recorded.
    fn new(form: &FormSpec, reader: &SegmentReader) -> tantivy::Result<Option<FormCursor>> {
        let field = form.terms[0].field();
        let Some(fieldnorms) = reader.fieldnorms_readers().get_field(field)? else {
            return Ok(None);
        };
        let index = reader.inverted_index(field)?;
        let option = if form.weight.is_some() {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let mut postings = Vec::with_capacity(form.terms.len());
        for t in &form.terms {
            match index.read_postings(t, option)? {
                Some(p) => postings.push(p),
                // A word the segment lacks: no candidate.
                None => {
                    postings.clear();
                    break;
                }
            }
        }
        let mut c = FormCursor {
            postings,
            fieldnorms,
            weight: form.weight.clone(),
            scorer: Box::new(tantivy::query::EmptyScorer),
            found_at: None,
            next_match: TERMINATED,
            doc: TERMINATED,
        };
        if !c.postings.is_empty() {
            let first = c.postings[0].doc();
            c.doc = c.align(first);
        }
        // Made here, so that a file that cannot be read is an error of the search.
        if c.doc != TERMINATED {
            let (result, scorer) = form.query.scorer_danger(reader, c.doc, 1.0)?;
            c.scorer = scorer;
            match result {
                SeekDangerResult::Found => {
                    c.found_at = Some(c.doc);
                    c.next_match = c.doc;
                }
                SeekDangerResult::SeekLowerBound(d) => c.next_match = d,
            }
        }
        Ok(Some(c))
    }

    /// The first document from `target` on that every word's postings hold.
    fn align(&mut self, target: DocId) -> DocId {
        align(&mut self.postings, target)
    }

    /// At most this many candidates: its rarest word's articles.
    fn candidates(&self) -> u32 {
        rarest(&self.postings)
    }

    fn advance(&mut self) {
        if self.doc == TERMINATED {
            return;
        }
        let next = self.postings[0].advance();
        self.doc = self.align(next);
    }

    fn seek(&mut self, target: DocId) {
        if self.doc < target {
            self.doc = self.align(target);
        }
    }

    /// At most the form's score at the current candidate: its weight for the count of
    /// its rarest word there (without scores, no bound).
    fn bound(&self) -> Score {
        let Some(weight) = &self.weight else {
            return Score::INFINITY;
        };
        let count = self
            .postings
            .iter()
            .map(|p| p.term_freq())
            .min()
            .unwrap_or(0);
        weight.score(self.fieldnorms.fieldnorm_id(self.doc), count)
    }

    /// The form's score at `doc` (its current candidate), `None` where it does not
    /// match there. Candidates are asked in increasing order.
    fn score(&mut self, doc: DocId) -> Option<Score> {
        if doc < self.next_match {
            return None;
        }
        let result = if self.found_at.take() == Some(doc) {
            SeekDangerResult::Found
        } else {
            self.scorer.seek_danger(doc)
        };
        match result {
            SeekDangerResult::Found => {
                self.next_match = doc + 1;
                Some(self.scorer.score())
            }
            SeekDangerResult::SeekLowerBound(d) => {
                self.next_match = d;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_index::{assert_same_best, assert_same_matches};
    use super::*;
    use tantivy::collector::Count;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, TermQuery};
    use tantivy::schema::Field;

    /// Title, subtitle and body of `n` documents in `segments` segments, of words
    /// drawn at random from a few, so that their pairs stand side by side often, and
    /// apart more often.
    fn index(n: u32, segments: u32) -> (tantivy::Index, [Field; 3]) {
        let words = [
            "white", "house", "s", "pad", "pad", "pad", "prime", "minister",
        ];
        let text = |len: u64, next: &mut dyn FnMut(u64) -> u64| {
            let mut t = String::new();
            for _ in 0..len {
                t.push_str(words[next(words.len() as u64) as usize]);
                t.push(' ');
            }
            t
        };
        super::super::test_index::index(n, segments, 0x9e37_79b9_7f4a_7c15, |i, seg, next| {
            let i = u64::from(i);
            let title = text(2 + i % 5, next);
            let subtitle = text(i % 7, next);
            let body = text(10 + (i % 30) * (seg + 1), next);
            [title, subtitle, body]
        })
    }

    /// The union `rank` builds for a phrase with these forms (each in title, subtitle
    /// and body, weighted 1.5, 1.2 and 1), and it as [`Phrases`].
    fn queries(fields: [Field; 3], forms: &[&[&str]]) -> (Box<dyn Query>, Box<dyn Query>) {
        let weights = [1.5, 1.2, 1.0];
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut spec = Vec::new();
        for form in forms {
            for (&field, &w) in fields.iter().zip(&weights) {
                let terms: Vec<Term> = form
                    .iter()
                    .map(|t| Term::from_field_text(field, t))
                    .collect();
                let q: Box<dyn Query> = if terms.len() == 1 {
                    Box::new(TermQuery::new(
                        terms[0].clone(),
                        IndexRecordOption::WithFreqs,
                    ))
                } else {
                    Box::new(PhraseQuery::new(terms.clone()))
                };
                let q = if w == 1.0 {
                    q
                } else {
                    Box::new(BoostQuery::new(q, w))
                };
                should.push((Occur::Should, q));
                spec.push((terms, w));
            }
        }
        let union: Box<dyn Query> = Box::new(BooleanQuery::new(should));
        let phrases = Box::new(Phrases::new(spec));
        (union, phrases)
    }

    const QUERIES: &[&[&[&str]]] = &[
        &[&["white", "house"]],
        &[&["white", "house"], &["white", "s", "house"]],
        &[
            &["prime", "minister", "s"],
            &["prime", "s", "minister", "s"],
        ],
        &[&["house", "white", "pad"]],
        &[&["white", "absent"]],
        &[&["primeminister"], &["prime", "minister"]],
    ];

    #[test]
    fn matches_and_scores_are_the_unions() {
        let (index, fields) = index(6_000, 3);
        let searcher = index.reader().unwrap().searcher();
        for forms in QUERIES {
            let (union, phrases) = queries(fields, forms);
            let label = format!("{forms:?}");
            // The same scores, to the bit.
            let n = assert_same_matches(&searcher, &*union, &*phrases, |g, w| g == w, &label);
            if !forms[0].contains(&"absent") {
                assert!(n > 200, "{forms:?} has {n} matches: too few to test");
            }
        }
    }

    #[test]
    fn the_best_matches_are_the_unions() {
        let (index, fields) = index(6_000, 3);
        let searcher = index.reader().unwrap().searcher();
        for forms in QUERIES {
            let (union, phrases) = queries(fields, forms);
            assert_same_best(
                &searcher,
                &*union,
                &*phrases,
                |g, w| g == w,
                &format!("{forms:?}"),
            );
        }
    }

    #[test]
    fn beside_a_word_the_matches_are_the_unions() {
        // An intersection asks the clause about the word's documents (`seek_danger`).
        let (index, fields) = index(6_000, 3);
        let searcher = index.reader().unwrap().searcher();
        for word in ["pad", "minister"] {
            for forms in QUERIES {
                let (union, phrases) = queries(fields, forms);
                let term: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(fields[2], word),
                    IndexRecordOption::WithFreqs,
                ));
                let and = |q: Box<dyn Query>| -> Box<dyn Query> {
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, q),
                        (Occur::Must, term.box_clone()),
                    ]))
                };
                let (want, got) = (and(union), and(phrases));
                let label = format!("{forms:?} {word}");
                assert_same_matches(&searcher, &*want, &*got, |g, w| g == w, &label);
                assert_same_best(&searcher, &*want, &*got, |g, w| g == w, &label);
                // And as `PhrasesAnd`, whose top-k search bounds each candidate.
                let pruned = PhrasesAnd::wrap(&*got).expect("a phrase beside a word");
                assert_same_matches(&searcher, &*want, &*pruned, |g, w| g == w, &label);
                assert_same_best(&searcher, &*want, &*pruned, |g, w| g == w, &label);
            }
        }
    }

    #[test]
    fn a_search_without_scores_is_the_unions() {
        let (index, fields) = index(3_000, 2);
        let searcher = index.reader().unwrap().searcher();
        for forms in QUERIES {
            let (union, phrases) = queries(fields, forms);
            assert_eq!(
                searcher.search(&*phrases, &Count).unwrap(),
                searcher.search(&*union, &Count).unwrap(),
                "{forms:?}"
            );
        }
    }
}
