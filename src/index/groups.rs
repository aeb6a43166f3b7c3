//! Grouping near-duplicate articles at ingest. An article joins the group of an
//! earlier article with which it shares at least [`MIN_SHARED_BANDS`] MinHash bands.
//! A group is named by the id of the article that started it.
//!
//! Every article's band keys are kept in a fast column of the index (no term
//! dictionary: indexing them as terms cost the writer thread a tenth of its time). A
//! run that adds articles to a non-empty index first loads the keys of the articles
//! already there into its band table, so groups hold across incremental ingests; the
//! group name of an earlier article is read only when a new one matches it.
//!
//! The band table takes about 130 bytes per article (130 MB at a million articles).

use crate::enrich::minhash::BANDS;
use rustc_hash::FxHashMap as HashMap;
use tantivy::Searcher;

pub const MIN_SHARED_BANDS: usize = 2;

/// The `group_key` of a group name.
pub fn group_key(name: &str) -> u64 {
    let h = blake3::hash(name.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h.as_bytes()[..8]);
    u64::from_le_bytes(b)
}

/// Band keys seen in this run, each with the group that first had it. Recent keys sit in
/// a hash map; every [`MERGE_AT`] keys they are merged into one sorted vector. Keys are
/// the low 32 bits of the band hash: a false match needs two 32-bit collisions with the
/// same group. About 130 bytes per article (16 bands of 8 bytes, and its group name).
struct BandTable {
    recent: HashMap<u32, u32>,
    sorted: Vec<(u32, u32)>,
    /// Where in `sorted` the keys of each top 16 bits begin (and, last, its length):
    /// a key is looked for among the few that share them, not across the whole
    /// vector, which at a million keys was 20 steps, most of them cache misses.
    starts: Vec<u32>,
    merge_at: usize,
}

const MERGE_AT: usize = 1 << 20;

impl BandTable {
    fn new(merge_at: usize) -> BandTable {
        BandTable {
            recent: HashMap::default(),
            sorted: Vec::new(),
            starts: Vec::new(),
            merge_at,
        }
    }

    /// The sorted keys that share `key`'s top 16 bits, and where among them `key`
    /// should be if the keys are spread evenly (by its low 16 bits).
    fn bucket(&self, key: u32) -> Option<(&[(u32, u32)], usize)> {
        let top = (key >> 16) as usize;
        let (&from, &to) = (self.starts.get(top)?, self.starts.get(top + 1)?);
        let bucket = self.sorted.get(from as usize..to as usize)?;
        Some((bucket, ((key & 0xFFFF) as usize * bucket.len()) >> 16))
    }

    /// The group of `key` among the sorted keys.
    fn get_sorted(&self, key: u32) -> Option<u32> {
        let (bucket, guess) = self.bucket(key)?;
        let i = find_near(bucket, key, guess)?;
        Some(bucket[i].1)
    }

    /// Reads, for each key, the sorted key where [`BandTable::get_sorted`] will begin
    /// its search. The reads do not wait on each other, so their cache misses overlap;
    /// the searches that follow then find the keys in the cache.
    fn touch(&self, keys: &[u64; BANDS]) {
        let mut sum = 0u32;
        for &key in keys {
            if let Some((bucket, guess)) = self.bucket(key as u32) {
                sum ^= bucket.get(guess).map_or(0, |(k, _)| *k);
            }
        }
        std::hint::black_box(sum);
    }

    fn get(&self, key: u32) -> Option<u32> {
        self.get_sorted(key)
            .or_else(|| self.recent.get(&key).copied())
    }

    fn insert(&mut self, key: u32, group: u32) {
        if self.get_sorted(key).is_some() {
            return;
        }
        self.recent.entry(key).or_insert(group);
        if self.recent.len() >= self.merge_at {
            let mut fresh: Vec<(u32, u32)> = self.recent.drain().collect();
            fresh.sort_unstable();
            let old = std::mem::take(&mut self.sorted);
            let mut merged = Vec::with_capacity(old.len() + fresh.len());
            let (mut a, mut b) = (old.into_iter().peekable(), fresh.into_iter().peekable());
            loop {
                let next = match (a.peek(), b.peek()) {
                    (Some(x), Some(y)) if x.0 <= y.0 => a.next(),
                    (Some(_), Some(_)) => b.next(),
                    (Some(_), None) => a.next(),
                    (None, Some(_)) => b.next(),
                    (None, None) => break,
                };
                merged.extend(next);
            }
            self.starts = starts_of(&merged);
            self.sorted = merged;
        }
    }
}

/// Where `key` is in `sorted`, searched from `guess` outwards in steps that double. The
/// keys are hashes, spread evenly, so a key's low 16 bits say about where it lies among
/// those that share its top 16 bits: a few neighbours away, where a binary search of
/// a bucket (some 250 keys at a million articles) took eight steps, most of them
/// cache misses (nearly all of the grouper's time at a million articles).
fn find_near(sorted: &[(u32, u32)], key: u32, guess: usize) -> Option<usize> {
    let g = guess.min(sorted.len().checked_sub(1)?);
    let (lo, hi) = if sorted[g].0 < key {
        // The key is after `g`: widen until a key past it is found.
        let mut step = 1;
        let mut lo = g + 1;
        loop {
            let probe = g + step;
            if probe >= sorted.len() {
                break (lo, sorted.len());
            }
            if sorted[probe].0 >= key {
                break (lo, probe + 1);
            }
            lo = probe + 1;
            step *= 2;
        }
    } else {
        // The key is at `g` or before it.
        let mut step = 1;
        let mut hi = g + 1;
        loop {
            let Some(probe) = g.checked_sub(step) else {
                break (0, hi);
            };
            if sorted[probe].0 <= key {
                break (probe, hi);
            }
            hi = probe;
            step *= 2;
        }
    };
    let i = lo
        + sorted[lo..hi]
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()?;
    Some(i)
}

/// [`BandTable::starts`] of sorted keys: entry `t` is the index of the first key whose
/// top 16 bits are `t` or more, and entry 65,536 the number of keys.
fn starts_of(sorted: &[(u32, u32)]) -> Vec<u32> {
    let mut starts = Vec::with_capacity((1 << 16) + 1);
    let mut i = 0;
    for top in 0..=(1u32 << 16) {
        while i < sorted.len() && sorted[i].0 >> 16 < top {
            i += 1;
        }
        starts.push(i as u32);
    }
    starts
}

/// Group names, one string buffer for all.
#[derive(Default)]
struct Names {
    text: String,
    ends: Vec<usize>,
}

impl Names {
    fn push(&mut self, name: &str) -> u32 {
        self.text.push_str(name);
        self.ends.push(self.text.len());
        (self.ends.len() - 1) as u32
    }

    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// A group in the band table: named in this run, or started by an article already in
/// the index, whose stored group is read when first needed.
#[derive(Clone, Copy)]
enum Slot {
    Named(u32),
    Indexed { segment: u32, doc: u32 },
}

pub struct Grouper {
    bands: BandTable,
    slots: Vec<Slot>,
    names: Names,
    /// The index as it was when the run started; `None` when it was empty. Taken (and
    /// its band keys loaded) at the first article that has a signature.
    searcher: Option<Searcher>,
}

impl Grouper {
    pub fn new(searcher: Option<Searcher>) -> Grouper {
        Grouper {
            bands: BandTable::new(MERGE_AT),
            slots: Vec::new(),
            names: Names::default(),
            searcher: searcher.filter(|s| s.num_docs() > 0),
        }
    }

    /// The group of the article `id` with these band keys.
    pub fn assign(&mut self, id: &str, bands: Option<&[u64; BANDS]>) -> String {
        self.assign_numbered(id, bands).1
    }

    /// [`Grouper::assign`], with the group's number in this grouper (`None` for an
    /// article without a signature, a group of its own named by its id). An exporter
    /// of records counts a group's members by it.
    pub fn assign_numbered(
        &mut self,
        id: &str,
        bands: Option<&[u64; BANDS]>,
    ) -> (Option<u32>, String) {
        let Some(bands) = bands else {
            return (None, id.to_string());
        };
        if self.searcher.is_some() && self.slots.is_empty() {
            self.load_index();
        }
        self.bands.touch(bands);
        let mut votes: Vec<(u32, usize)> = Vec::new();
        let mut known = [false; BANDS];
        for (b, known) in bands.iter().zip(&mut known) {
            if let Some(g) = self.bands.get(*b as u32) {
                *known = true;
                match votes.iter_mut().find(|(x, _)| *x == g) {
                    Some((_, n)) => *n += 1,
                    None => votes.push((g, 1)),
                }
            }
        }
        let found = votes
            .into_iter()
            .filter(|(_, n)| *n >= MIN_SHARED_BANDS)
            .max_by_key(|(g, n)| (*n, std::cmp::Reverse(*g)))
            .map(|(g, _)| g);
        let (g, name) = match found.and_then(|g| Some((g, self.name_of(g)?))) {
            Some((g, name)) => {
                // Keep what was read from the index for the next copy.
                if let Slot::Indexed { .. } = self.slots[g as usize] {
                    self.slots[g as usize] = Slot::Named(self.names.push(&name));
                }
                (g, name)
            }
            None => {
                self.slots.push(Slot::Named(self.names.push(id)));
                ((self.slots.len() - 1) as u32, id.to_string())
            }
        };
        // A key found above keeps its first group: only the others go in.
        for (b, _) in bands.iter().zip(known).filter(|(_, known)| !known) {
            self.bands.insert(*b as u32, g);
        }
        (Some(g), name)
    }

    /// The name of group number `g` ([`Grouper::assign_numbered`]).
    pub fn name(&self, g: u32) -> Option<String> {
        self.slots.get(g as usize)?;
        self.name_of(g)
    }

    fn name_of(&self, g: u32) -> Option<String> {
        match self.slots[g as usize] {
            Slot::Named(n) => Some(self.names.get(n).to_string()),
            Slot::Indexed { segment, doc } => {
                let searcher = self.searcher.as_ref()?;
                let col = searcher
                    .segment_reader(segment)
                    .fast_fields()
                    .str("group")
                    .ok()??;
                let ord = col.term_ords(doc).next()?;
                let mut name = String::new();
                col.ord_to_str(ord, &mut name).ok()?;
                (!name.is_empty()).then_some(name)
            }
        }
    }

    /// Puts the band keys of every live article in the index into the table.
    fn load_index(&mut self) {
        let Some(searcher) = self.searcher.as_ref() else {
            return;
        };
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let Ok(col) = reader.fast_fields().u64("dup_bands") else {
                continue;
            };
            let alive = reader.alive_bitset();
            for doc in 0..reader.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let mut values = col.values_for_doc(doc).peekable();
                if values.peek().is_none() {
                    continue;
                }
                self.slots.push(Slot::Indexed {
                    segment: segment as u32,
                    doc,
                });
                let g = (self.slots.len() - 1) as u32;
                for v in values {
                    self.bands.insert(v as u32, g);
                }
            }
        }
        if self.slots.is_empty() {
            // Nothing to load: remember that it was tried.
            self.searcher = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_table_keeps_the_first_group_of_a_key_across_merges() {
        let mut t = BandTable::new(4);
        for k in 0..10u32 {
            t.insert(k * 7919, k);
        }
        t.insert(3 * 7919, 99);
        for k in 10..20u32 {
            t.insert(k * 7919, k);
        }
        assert!(t.sorted.len() >= 16 && t.sorted.windows(2).all(|w| w[0].0 < w[1].0));
        for k in 0..20u32 {
            assert_eq!(t.get(k * 7919), Some(k));
        }
        assert_eq!(t.get(5), None);
    }

    #[test]
    fn keys_over_the_whole_range_are_found_after_merges() {
        let key = |k: u32| k.wrapping_mul(0x9E37_79B1);
        let mut t = BandTable::new(64);
        for k in 0..1000u32 {
            t.insert(key(k), k);
        }
        assert!(t.sorted.len() >= 960, "{}", t.sorted.len());
        for k in 0..1000u32 {
            assert_eq!(t.get(key(k)), Some(k));
            // Beside a key, in its bucket or the next: absent.
            assert_eq!(t.get(key(k) ^ 1), None);
        }
        for edge in [1, u32::MAX, 0xFFFF, 0x1_0000] {
            assert_eq!(t.get(edge), None, "{edge:#x}");
            t.insert(edge, 7);
        }
        for _ in 0..100 {
            t.insert(key(5000 + t.recent.len() as u32), 0);
        }
        for edge in [1, u32::MAX, 0xFFFF, 0x1_0000] {
            assert_eq!(t.get(edge), Some(7), "{edge:#x}");
        }
    }

    #[test]
    fn a_key_is_found_wherever_the_search_starts() {
        // Keys spread unevenly: runs, gaps and repeats of neighbours.
        let keys: Vec<u32> = (0..300u32)
            .map(|k| k * k % 977 + if k % 7 == 0 { 5000 } else { 0 })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let sorted: Vec<(u32, u32)> = keys.iter().map(|&k| (k, k + 1)).collect();
        for guess in (0..sorted.len() + 3).step_by(7).chain([sorted.len() - 1]) {
            for (i, &k) in keys.iter().enumerate() {
                assert_eq!(find_near(&sorted, k, guess), Some(i), "{k} from {guess}");
            }
            for absent in [0, 1, 978, 4999, 5001, 6000, u32::MAX] {
                if !keys.contains(&absent) {
                    assert_eq!(
                        find_near(&sorted, absent, guess),
                        None,
                        "{absent} from {guess}"
                    );
                }
            }
        }
        assert_eq!(find_near(&[], 3, 0), None);
        assert_eq!(find_near(&[(3, 9)], 3, 5), Some(0));
    }

    #[test]
    fn group_names_are_kept_in_order() {
        let mut n = Names::default();
        let (a, b, c) = (n.push("first"), n.push(""), n.push("third"));
        assert_eq!((n.get(a), n.get(b), n.get(c)), ("first", "", "third"));
    }
}
