//! Small indexes for the search's own tests: title, subtitle and body, in memory.

use tantivy::schema::{Field, Schema, TEXT};

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
