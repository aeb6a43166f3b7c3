//! The last step of the `news` analyser: a word as cut → lower-cased, folded to ASCII
//! and stemmed (tantivy's `LowerCaser`, `AsciiFoldingFilter` and English `Stemmer`),
//! with the result of each word form remembered.
//!
//! Stemming was the largest single cost of indexing (about 40% of the instructions of
//! a plain tantivy ingest of news text), and news text repeats a small vocabulary:
//! nearly every word has been seen before in the same segment. The three steps act
//! on one word at a time, so a word form always gives the same result and a lookup
//! can stand in for them. A miss runs tantivy's own filters on the word, so the terms
//! are exactly those of the unmemoised chain.
//!
//! Some people's names are not stemmed ([`kept_whole`]): stemmed, they would be found
//! by words they are not (`Hollande` as `holland`, `Morales` as `moral`, `Hilary` as
//! the stem of "hilarious"), as Lucene's `KeywordMarkerFilter` keeps a list of words
//! from its stemmer.

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// The names [`kept_whole`] holds: `names_unstemmed.txt`, one folded word a line,
/// sorted; written by `tools/names_unstemmed.py`, which says how they are chosen.
const NAMES_UNSTEMMED: &str = include_str!("names_unstemmed.txt");

/// Whether the analyser keeps `folded` (lower case, ASCII) whole rather than stemming
/// it: a word of a leader's name or a given name that stemming would make another
/// word's stem, and that running text capitalises (`hollande`, `morales`, `hilary`,
/// `denis`; not `desire` or `prince`). Changing the list changes indexed terms: it
/// goes with a new `SCHEMA_VERSION`.
pub fn kept_whole(folded: &str) -> bool {
    folded.len() >= 4 && names_kept_whole().binary_search(&folded).is_ok()
}

/// Every name [`kept_whole`] holds, sorted.
pub fn names_kept_whole() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        NAMES_UNSTEMMED
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Word forms remembered per analyser. Once full, new forms are worked out each time
/// and not kept: the forms seen first are the frequent ones, and memory stays bounded
/// (at most 4 MiB of slots per analyser; an index writer holds one per text field
/// and thread).
const REMEMBERED: usize = 1 << 16;

/// Lower-cases, folds and stems each token, remembering the result per word form.
#[derive(Clone, Copy, Default)]
pub struct Normalize;

impl TokenFilter for Normalize {
    type Tokenizer<T: Tokenizer> = NormalizeFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> NormalizeFilter<T> {
        NormalizeFilter {
            inner: tokenizer,
            memo: Memo::default(),
        }
    }
}

pub struct NormalizeFilter<T> {
    inner: T,
    memo: Memo,
}

/// A copy starts with nothing remembered: tantivy copies the registered analyser for
/// each field of each segment it writes, and a search copies it per query; copying a
/// full table each time would cost more than it saves.
impl<T: Clone> Clone for NormalizeFilter<T> {
    fn clone(&self) -> Self {
        NormalizeFilter {
            inner: self.inner.clone(),
            memo: Memo::default(),
        }
    }
}

/// A word form and its normal form, side by side in 32 bytes: a hit reads one cache
/// line. The memo used to be a hash map of boxed strings, where a hit read the map's
/// bucket, then the key and the value elsewhere on the heap: three cache misses per
/// word once the writer's postings had pushed the table out of the cache, which made
/// the lookup cost a fifth of an ingest's time though it ran few instructions.
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    /// The word's length in the low byte, then its bytes (little-endian order); zero
    /// when the slot is free.
    key: u128,
    /// The normal form's length, then its bytes.
    value: [u8; 16],
}

/// Longest word form, and normal form, held in a slot; longer ones (rare) go to
/// `spill`.
const INLINE: usize = 15;

/// The key of a slot for `word`, if it fits one. The bytes are gathered by a few
/// overlapping loads (equal bytes where they overlap) rather than a copy: this runs
/// for every word indexed.
fn slot_key(word: &str) -> Option<u128> {
    slot_key_of(word.as_bytes())
}

fn slot_key_of(b: &[u8]) -> Option<u128> {
    let n = b.len();
    let le = |at: usize, len: usize| -> u64 {
        let mut x = 0u64;
        for (i, &c) in b[at..at + len].iter().enumerate() {
            x |= u64::from(c) << (8 * i);
        }
        x
    };
    let u32_at = |at: usize| u64::from(u32::from_le_bytes(b[at..at + 4].try_into().expect("4")));
    let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8"));
    let bytes: u128 = match n {
        0 => return None,
        1..=3 => u128::from(le(0, n)),
        4..=7 => u128::from(u32_at(0) | u32_at(n - 4) << (8 * (n - 4))),
        8..=INLINE => u128::from(u64_at(0)) | u128::from(u64_at(n - 8)) << (8 * (n - 8)),
        _ => return None,
    };
    Some(n as u128 | bytes << 8)
}

/// Where a key's probe starts, for a table of `2^bits` slots: the high bits of a
/// multiplicative hash of its two halves.
fn slot_of(key: u128, bits: u32) -> usize {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let (lo, hi) = (key as u64, (key >> 64) as u64);
    let h = (lo ^ hi.wrapping_mul(K).rotate_left(29)).wrapping_mul(K);
    (h >> (64 - bits)) as usize
}

/// A hint to load `slot`'s cache line; no effect on what is computed.
#[inline(always)]
fn prefetch(slot: &Slot) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing the program sees and cannot fault; the
    // address is that of a live slot.
    #[allow(unused_unsafe)]
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((slot as *const Slot).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = slot;
}

struct Memo {
    /// Open addressing, linear probing, at most half full; grows from a small table,
    /// so the analysers of short fields (titles) stay small.
    slots: Vec<Slot>,
    bits: u32,
    /// Forms in `slots`.
    inline: usize,
    /// Forms too long for a slot.
    spill: FxHashMap<Box<str>, Box<str>>,
    /// tantivy's filters over the word as one token: what a miss runs (case and
    /// diacritics folded, then, unless the word is [`kept_whole`], stemmed).
    fold: TextAnalyzer,
    stem: TextAnalyzer,
}

/// Slots of a memo's first table: 1,024 (32 KiB), made at its first word (a search
/// copies the analyser for each query, and most copies never see a word).
const FIRST_BITS: u32 = 10;

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            slots: Vec::new(),
            bits: FIRST_BITS,
            inline: 0,
            spill: FxHashMap::default(),
            fold: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
            stem: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
        }
    }
}

impl Memo {
    /// Forms remembered.
    fn len(&self) -> usize {
        self.inline + self.spill.len()
    }

    /// The slot holding `key`, or the free slot where it would go.
    fn find(&self, key: u128) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = slot_of(key, self.bits);
        loop {
            let k = self.slots[i].key;
            if k == key || k == 0 {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The normal form of `word` into `out`.
    fn normal(&mut self, word: &str, out: &mut String) {
        out.clear();
        if self.slots.is_empty() {
            self.slots = vec![Slot::default(); 1 << self.bits];
        }
        let key = slot_key(word);
        let at = match key {
            Some(k) => {
                let i = self.find(k);
                let s = &self.slots[i];
                if s.key != 0 {
                    let v = &s.value[1..=usize::from(s.value[0])];
                    // SAFETY: the bytes are those of a `String` (`normal`'s `out`),
                    // copied whole into the slot, so they are valid UTF-8.
                    out.push_str(unsafe { std::str::from_utf8_unchecked(v) });
                    return;
                }
                Some(i)
            }
            None => {
                if let Some(n) = self.spill.get(word) {
                    out.push_str(n);
                    return;
                }
                None
            }
        };
        let mut s = self.fold.token_stream(word);
        if s.advance() {
            out.push_str(&s.token().text);
        }
        drop(s);
        if !kept_whole(out) {
            let mut s = self.stem.token_stream(out);
            let stemmed = if s.advance() {
                s.token().text.clone()
            } else {
                String::new()
            };
            drop(s);
            *out = stemmed;
        }
        if self.len() >= REMEMBERED {
            return;
        }
        match (key, at) {
            (Some(k), Some(i)) if out.len() <= INLINE => {
                let mut value = [0u8; 16];
                value[0] = out.len() as u8;
                value[1..=out.len()].copy_from_slice(out.as_bytes());
                self.slots[i] = Slot { key: k, value };
                self.inline += 1;
                if self.inline * 2 > self.slots.len() {
                    self.grow();
                }
            }
            _ => {
                self.spill.insert(word.into(), out.as_str().into());
            }
        }
    }

    /// Asks the CPU to fetch the slot of the word that probably comes next: the
    /// run of ASCII letters and digits after byte `at` of `text` (the word the
    /// tokenizer cuts next, unless non-ASCII text is near; a wrong guess costs a
    /// wasted fetch). A hit mostly waits on that one cache line, which tantivy's own
    /// work on the current word then hides.
    fn prefetch_next(&self, text: &[u8], mut at: usize) {
        if self.slots.is_empty() {
            return;
        }
        while at < text.len() && !text[at].is_ascii_alphanumeric() {
            if text[at] >= 0x80 {
                return;
            }
            at += 1;
        }
        let end = at + crate::ascii::alphanumerics_at(text, at).min(INLINE + 1);
        if let Some(key) = slot_key_of(&text[at..end]) {
            prefetch(&self.slots[slot_of(key, self.bits)]);
        }
    }

    /// Doubles the table.
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.bits += 1;
        self.slots = vec![Slot::default(); 1 << self.bits];
        for s in old.into_iter().filter(|s| s.key != 0) {
            let i = self.find(s.key);
            self.slots[i] = s;
        }
    }
}

impl<T: Tokenizer> Tokenizer for NormalizeFilter<T> {
    type TokenStream<'a> = NormalizeStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        NormalizeStream {
            tail: self.inner.token_stream(text),
            memo: &mut self.memo,
            buf: String::new(),
            text: text.as_bytes(),
        }
    }
}

pub struct NormalizeStream<'a, S> {
    tail: S,
    memo: &'a mut Memo,
    buf: String,
    /// The text being cut, for fetching ahead.
    text: &'a [u8],
}

impl<S: TokenStream> TokenStream for NormalizeStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        self.memo.prefetch_next(self.text, token.offset_to);
        self.memo.normal(&token.text, &mut self.buf);
        std::mem::swap(&mut token.text, &mut self.buf);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema::{news_analyzer, MAX_TOKEN_BYTES};
    use crate::index::tokenizer::NewsTokenizer;
    use tantivy::tokenizer::RemoveLongFilter;

    /// The analyser as it was before the memo: tantivy's filters in a chain, the
    /// stemmer but for the names kept whole.
    fn unmemoised() -> TextAnalyzer {
        TextAnalyzer::builder(NewsTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }

    fn tokens(a: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().clone());
        }
        out
    }

    fn unmemoised_tokens(text: &str) -> Vec<Token> {
        let mut stem = TextAnalyzer::builder(RawTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build();
        let mut out = tokens(&mut unmemoised(), text);
        for t in &mut out {
            if !kept_whole(&t.text) {
                t.text = tokens(&mut stem, &t.text)
                    .pop()
                    .map(|s| s.text)
                    .unwrap_or_default();
            }
        }
        out
    }

    fn assert_same(a: &mut TextAnalyzer, text: &str) {
        let (x, y) = (tokens(a, text), unmemoised_tokens(text));
        assert_eq!(x.len(), y.len(), "{text:.80}");
        for (p, q) in x.iter().zip(&y) {
            assert_eq!(
                (&p.text, p.position, p.offset_from, p.offset_to),
                (&q.text, q.position, q.offset_from, q.offset_to)
            );
        }
    }

    #[test]
    fn terms_are_those_of_the_unmemoised_filters() {
        let mut ours = news_analyzer();
        let texts = [
            "Running runners RAN; the Nations' nationalists nationalised it.",
            "Erdoğan, ERDOĞAN, Straße, ΕΛΛΆΔΑ, Россия, café — Xi’s post-war order",
            "米大統領のトランプ氏 대통령 선거 G20サミット 2018年",
            &format!("{} short {}", "x".repeat(47), "y".repeat(48)),
            // Forms around the 15 bytes a slot holds: kept in a slot or in the spill.
            "Nationalisation nationalisations Internationalisation ÉTATS-UNIS Ünïcödé-Wörtér",
            "Straßenbahnhöfe Straßenbahnhöfen abcdefghijklmno abcdefghijklmnop",
            "",
        ];
        // Twice through the same analyser: the second pass is served from the memo.
        for _ in 0..2 {
            for t in texts {
                assert_same(&mut ours, t);
            }
        }
        // The sample archive, word for word.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut n = 0;
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                assert_same(&mut ours, &text);
                n += text.len();
            }
        }
        assert!(n > 100_000, "the sample archive is there");
    }

    #[test]
    fn names_that_stemming_would_make_other_words_are_kept_whole() {
        let mut a = news_analyzer();
        let terms = |a: &mut TextAnalyzer, text: &str| -> Vec<String> {
            tokens(a, text).into_iter().map(|t| t.text).collect()
        };
        // Each name apart from the word that shares its stem.
        for (name, word) in [
            ("Hollande", "Holland"),
            ("Morales", "morale"),
            ("Hilary", "hilarious"),
            ("Denis", "denied"),
            ("Harris", "Harry"),
            ("Frances", "France"),
        ] {
            assert_ne!(terms(&mut a, name), terms(&mut a, word), "{name}");
        }
        assert_eq!(terms(&mut a, "Hollande's"), ["hollande", "s"]);
        assert_eq!(terms(&mut a, "ERDOĞAN MORALES"), ["erdogan", "morales"]);
        // Words of the language and other names are stemmed as before.
        for (a_form, b_form) in [
            ("desire", "desired"),
            ("prince", "princes"),
            ("Philippines", "Philippine"),
            ("prices", "price"),
        ] {
            assert_eq!(terms(&mut a, a_form), terms(&mut a, b_form), "{a_form}");
        }
        // The list is sorted and folded, as the lookup needs.
        let names: Vec<&str> = NAMES_UNSTEMMED
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert!(names.len() > 100);
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert!(names
            .iter()
            .all(|n| n.len() >= 4 && n.bytes().all(|b| b.is_ascii_lowercase())));
    }

    #[test]
    fn slot_keys_hold_the_word_and_its_length() {
        let text = "abcdefghijklmnopé€x";
        for start in 0..3 {
            for end in start + 1..=text.len() {
                let Some(w) = text.get(start..end) else {
                    continue;
                };
                let mut want = [0u8; 16];
                want[0] = w.len() as u8;
                let expect = (w.len() <= INLINE).then(|| {
                    want[1..=w.len()].copy_from_slice(w.as_bytes());
                    u128::from_le_bytes(want)
                });
                assert_eq!(slot_key(w), expect, "{w}");
            }
        }
        assert_eq!(slot_key(""), None);
    }

    #[test]
    fn a_full_memo_still_normalises_new_words() {
        let mut f = Normalize.transform(RawTokenizer::default());
        for i in 0..REMEMBERED + 10 {
            let w = format!("w{i}");
            let mut s = f.token_stream(&w);
            assert!(s.advance());
        }
        assert_eq!(f.memo.len(), REMEMBERED);
        let mut s = f.token_stream("Nationalists");
        assert!(s.advance());
        assert_eq!(s.token().text, "nationalist");
    }
}
