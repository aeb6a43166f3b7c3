//! Small indexes for the search's own tests: title, subtitle and body, in memory.

use tantivy::collector::TopDocs;
use tantivy::query::EnableScoring;
use tantivy::schema::{Field, Schema, TEXT};
use tantivy::{DocSet, Score, TERMINATED};

/// `n` documents in `segments` segments, never merged. Document `i` (of segment `seg`)
/// is `doc(i, seg, next)`: its title, subtitle and body, where `next(m)` draws a number
/// below `m` (xorshift from `seed`, so every run builds the same index).
pub(crate) fn index(
    n: u32,
    segments: u32,
    seed: u64,
    mut doc: impl FnMut(u32, u64, &mut dyn FnMut(u64) -> u64) -> [String; 3],
) -> (tantivy::Index, [Field; 3]) {
    let mut b = Schema::builder();
    let fields = [
        b.add_text_field("title", TEXT),
        b.add_text_field("subtitle", TEXT),
        b.add_text_field("body", TEXT),
    ];
    let index = tantivy::Index::create_in_ram(b.build());
    let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 50_000_000).unwrap();
    w.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    let mut state = seed;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    let per = n.div_ceil(segments);
    for i in 0..n {
        let [title, subtitle, body] = doc(i, u64::from(i / per), &mut next);
        w.add_document(tantivy::doc!(fields[0] => title, fields[1] => subtitle, fields[2] => body))
            .unwrap();
        if (i + 1) % per == 0 {
            w.commit().unwrap();
        }
    }
    w.commit().unwrap();
    (index, fields)
}

/// Walks `got` beside `want` in every segment: the same matches in order, with scores
/// that `same` accepts, and seeks (to every 37th document) that land on the same match
/// with the same score. Returns how many matches there are.
pub(crate) fn assert_same_matches(
    searcher: &tantivy::Searcher,
    want: &dyn tantivy::query::Query,
    got: &dyn tantivy::query::Query,
    same: impl Fn(Score, Score) -> bool,
    label: &str,
) -> usize {
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let want_w = want.weight(scoring).unwrap();
    let got_w = got.weight(scoring).unwrap();
    let mut n = 0;
    for reader in searcher.segment_readers() {
        let mut want = want_w.scorer(reader, 1.0).unwrap();
        let mut got = got_w.scorer(reader, 1.0).unwrap();
        loop {
            assert_eq!(got.doc(), want.doc(), "{label}");
            if want.doc() == TERMINATED {
                break;
            }
            let (g, w) = (got.score(), want.score());
            assert!(same(g, w), "{label} #{}: {g} against {w}", want.doc());
            n += 1;
            want.advance();
            got.advance();
        }
        let mut want = want_w.scorer(reader, 1.0).unwrap();
        let mut got = got_w.scorer(reader, 1.0).unwrap();
        for target in (0..reader.max_doc()).step_by(37) {
            if want.doc() < target {
                assert_eq!(got.seek(target), want.seek(target), "{label} {target}");
                if want.doc() != TERMINATED {
                    let (g, w) = (got.score(), want.score());
                    assert!(same(g, w), "{label} seek {target}: {g} against {w}");
                }
            }
        }
    }
    n
}

/// The best 1, 10, 50 and 300 of `got` are those of `want`, in the same order, with
/// scores that `same` accepts.
pub(crate) fn assert_same_best(
    searcher: &tantivy::Searcher,
    want: &dyn tantivy::query::Query,
    got: &dyn tantivy::query::Query,
    same: impl Fn(Score, Score) -> bool,
    label: &str,
) {
    for k in [1, 10, 50, 300] {
        let top = TopDocs::with_limit(k).order_by_score();
        let want = searcher.search(want, &top).unwrap();
        let got = searcher.search(got, &top).unwrap();
        assert_eq!(got.len(), want.len(), "{label} k={k}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.1, w.1, "{label} k={k}");
            assert!(same(g.0, w.0), "{label} k={k}: {} against {}", g.0, w.0);
        }
    }
}
