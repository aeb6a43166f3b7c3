//! Near-duplicate fingerprints: a MinHash signature over the body's word 4-shingles,
//! cut into LSH bands. Two articles that share two or more bands are near copies
//! (wire copies, re-posts with a new headline or an extra paragraph).
//!
//! 64 slots in 16 bands of 4 rows: two bodies whose shingle sets have a Jaccard
//! similarity of 0.8 share two bands with probability 0.997, at 0.7 with 0.93, at 0.6
//! with 0.63, at 0.5 with 0.26, and at 0.3 (related stories) with under 0.01.

/// Hashes in a signature.
pub const HASHES: usize = 64;
/// Bands of `HASHES / BANDS` rows each.
pub const BANDS: usize = 16;
/// Bodies shorter than this many words are not grouped: too little text to tell.
pub const MIN_WORDS: usize = 25;

pub type Signature = [u32; HASHES];

/// The signature of a body, or `None` when it is too short to compare.
///
/// One-permutation hashing: words are runs of letters and digits, lower-cased; each
/// 4-word shingle is hashed once, the hash's top 6 bits choose one of the 64 slots and
/// its low 32 bits compete for that slot's minimum. A slot that no shingle reached
/// borrows from the next filled slot to its right, mixed with the distance
/// (densification, Shrivastava & Li 2014), so two bodies agree on a slot with
/// probability close to their Jaccard similarity, as with 64 separate hash functions
/// at a 64th of the cost.
pub fn signature(body: &str) -> Option<Signature> {
    WORDS.with(|buf| {
        let mut buf = buf.borrow_mut();
        let sig = signature_of_words(word_hashes(body, &mut buf));
        // An outsized body's buffer is not kept.
        if buf.len() > KEPT_WORDS {
            *buf = Vec::new();
        }
        sig
    })
}

/// Word hashes kept between bodies (8 MiB): room for a body of 2 MiB.
const KEPT_WORDS: usize = 1 << 20;

thread_local! {
    /// The word hashes of the article being fingerprinted, kept for the next one.
    static WORDS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The signature of a body's word hashes, in order.
fn signature_of_words(words: &[u64]) -> Option<Signature> {
    let mut sig = [u32::MAX; HASHES];
    let mut filled = 0u64;
    for w in words.windows(4) {
        let shingle =
            mix(w[0] ^ w[1].rotate_left(17) ^ w[2].rotate_left(34) ^ w[3].rotate_left(51));
        let slot = (shingle >> 58) as usize;
        sig[slot] = sig[slot].min(shingle as u32);
        filled |= 1 << slot;
    }
    let words = words.len();
    if words < MIN_WORDS || filled == 0 {
        return None;
    }
    let original = sig;
    for (i, slot) in sig.iter_mut().enumerate() {
        if filled & (1 << i) == 0 {
            let d = (1..HASHES)
                .find(|d| filled & (1 << ((i + d) % HASHES)) != 0)
                .unwrap_or(0);
            *slot = mix(original[(i + d) % HASHES] as u64 ^ ((d as u64) << 32)) as u32;
        }
    }
    Some(sig)
}

/// The FNV-1a hash of every word of `body` (a run of letters and digits, lower-cased),
/// in order.
///
/// FNV hashes a word one byte at a time, each step waiting for the one before; the
/// body is cut in two at a byte that is no part of a word, and the two halves are
/// hashed in one loop, so that the processor works on two words at once. An ASCII
/// byte is read through one table and a branch-free step: a word's end is written
/// at the next free place whether or not it is one, and the place moves on only when
/// it is. A non-ASCII character is decoded.
fn word_hashes<'b>(body: &str, buf: &'b mut Vec<u64>) -> &'b [u64] {
    let bytes = body.as_bytes();
    // The cut: the first ASCII byte at or after the middle that is no part of a word.
    let cut = bytes[bytes.len() / 2..]
        .iter()
        .position(|&b| b < 0x80 && ASCII_WORD[b as usize] == 0)
        .map_or(bytes.len(), |p| bytes.len() / 2 + p);
    // A word ends at a byte that follows it, or at the end of its half: a half of n
    // bytes ends at most n / 2 + 1 words.
    let room = [cut / 2 + 1, (bytes.len() - cut) / 2 + 1];
    if buf.len() < room[0] + room[1] {
        buf.resize(room[0] + room[1], 0);
    }
    let (first, second) = buf.split_at_mut(room[0]);
    let mut a = Half::new(0, cut);
    let mut b = Half::new(cut, bytes.len());
    while a.i < a.end && b.i < b.end {
        a.step(body, first);
        b.step(body, second);
    }
    while a.i < a.end {
        a.step(body, first);
    }
    while b.i < b.end {
        b.step(body, second);
    }
    let (na, nb) = (a.finish(first), b.finish(second));
    buf.copy_within(room[0]..room[0] + nb, na);
    &buf[..na + nb]
}

/// One half of a body being cut into word hashes.
struct Half {
    i: usize,
    end: usize,
    h: u64,
    in_word: bool,
    words: usize,
}

impl Half {
    fn new(i: usize, end: usize) -> Half {
        Half {
            i,
            end,
            h: FNV_OFFSET,
            in_word: false,
            words: 0,
        }
    }

    #[inline(always)]
    fn step(&mut self, body: &str, out: &mut [u64]) {
        let b = body.as_bytes()[self.i];
        if b < 0x80 {
            self.i += 1;
            let l = ASCII_WORD[b as usize];
            let word = l != 0;
            out[self.words] = self.h;
            self.words += (!word & self.in_word) as usize;
            let next = fnv(self.h, l);
            self.h = if word { next } else { FNV_OFFSET };
            self.in_word = word;
        } else {
            let c = body[self.i..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            self.i += c.len_utf8();
            if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    let mut buf = [0u8; 4];
                    for b in l.encode_utf8(&mut buf).bytes() {
                        self.h = fnv(self.h, b);
                    }
                }
                self.in_word = true;
            } else if self.in_word {
                out[self.words] = self.h;
                self.words += 1;
                self.h = FNV_OFFSET;
                self.in_word = false;
            }
        }
    }

    /// The number of words written, the last one ended by the half's end.
    fn finish(&mut self, out: &mut [u64]) -> usize {
        if self.in_word {
            out[self.words] = self.h;
            self.words += 1;
        }
        self.words
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Per ASCII byte: the letter or digit in lower case, or 0 for any other byte.
const ASCII_WORD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

fn fnv(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
}

/// The band keys of a signature; the band number is part of the key.
pub fn bands(sig: &Signature) -> [u64; BANDS] {
    let rows = HASHES / BANDS;
    let mut out = [0u64; BANDS];
    for (b, slot) in out.iter_mut().enumerate() {
        let mut h = mix(b as u64 + 1);
        for r in 0..rows {
            h = mix(h ^ sig[b * rows + r] as u64);
        }
        *slot = h;
    }
    out
}

/// The share of equal hashes: an estimate of the Jaccard similarity of the shingles.
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / HASHES as f64
}

fn mix(mut z: u64) -> u64 {
    // splitmix64 finaliser.
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "The foreign ministers of the two countries met in Geneva on Tuesday to discuss the ceasefire, the exchange of prisoners and the reopening of the border crossings that were closed last year after the fighting broke out again in the east of the country, officials said.";

    const STORY2: &str = "Aid agencies said that food and medicine were running short in the besieged towns, and that the winter would make the roads impassable for the convoys that had been promised by both sides during the last round of negotiations.";

    fn shared_bands(a: &str, b: &str) -> usize {
        let (x, y) = (bands(&signature(a).unwrap()), bands(&signature(b).unwrap()));
        x.iter().filter(|k| y.contains(k)).count()
    }

    #[test]
    fn an_exact_copy_shares_every_band() {
        assert_eq!(shared_bands(STORY, STORY), BANDS);
    }

    #[test]
    fn a_copy_with_a_trailing_paragraph_is_near() {
        let longer = format!("{STORY}\n\nThe talks are to resume next week.");
        let s = similarity(&signature(STORY).unwrap(), &signature(&longer).unwrap());
        assert!(s > 0.6, "{s}");
    }

    #[test]
    fn a_different_story_shares_no_band() {
        let other = "Heavy snow closed schools and roads across the north on Monday, and forecasters warned that more was expected later in the week as temperatures fell well below freezing in most of the region's towns and villages, the weather service said.";
        assert_eq!(shared_bands(STORY, other), 0);
    }

    /// Shingle sets, for the true Jaccard similarity.
    fn shingles(text: &str) -> std::collections::HashSet<Vec<String>> {
        let w: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        w.windows(4).map(<[String]>::to_vec).collect()
    }

    #[test]
    fn the_signature_estimates_the_jaccard_similarity() {
        // Sentences drawn from a fixed pool: pairs of texts with known overlap.
        let pool: Vec<String> = (0..60)
            .map(|i| {
                format!(
                    "Sentence {i} tells of event number {} in region {} today.",
                    i * 7 + 3,
                    i % 11
                )
            })
            .collect();
        for (shared, only) in [(40, 0), (30, 5), (20, 10), (10, 20)] {
            let a: String = pool[..shared + only].join(" ");
            let mut bs: Vec<&str> = pool[..shared].iter().map(String::as_str).collect();
            bs.extend(
                pool[shared + only..shared + 2 * only]
                    .iter()
                    .map(String::as_str),
            );
            let b = bs.join(" ");
            let (sa, sb) = (shingles(&a), shingles(&b));
            let truth = sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64;
            let est = similarity(&signature(&a).unwrap(), &signature(&b).unwrap());
            assert!(
                (est - truth).abs() < 0.2,
                "shared {shared}: estimate {est}, truth {truth}"
            );
        }
    }

    #[test]
    fn a_short_report_with_a_new_paragraph_shares_two_bands() {
        let longer = format!(
            "{STORY} {STORY2}\n\nThe talks are to resume next week in the same city, a spokesman for the ministry said."
        );
        assert!(shared_bands(&format!("{STORY} {STORY2}"), &longer) >= 2);
    }

    #[test]
    fn case_and_punctuation_do_not_change_the_signature() {
        let shouted = STORY.to_uppercase().replace(',', " ;");
        assert_eq!(signature(STORY), signature(&shouted));
    }

    /// The signature as first written, char by char: indexes made with it must find
    /// the same bands.
    fn signature_by_chars(body: &str) -> Option<Signature> {
        let mut sig = [u32::MAX; HASHES];
        let mut filled = 0u64;
        let mut window = [0u64; 4];
        let mut words = 0usize;
        let mut h: u64 = FNV_OFFSET;
        let mut in_word = false;
        let mut end_word = |h: u64, words: &mut usize, sig: &mut Signature, filled: &mut u64| {
            window.rotate_left(1);
            window[3] = h;
            *words += 1;
            if *words >= 4 {
                let shingle = mix(window[0]
                    ^ window[1].rotate_left(17)
                    ^ window[2].rotate_left(34)
                    ^ window[3].rotate_left(51));
                let slot = (shingle >> 58) as usize;
                sig[slot] = sig[slot].min(shingle as u32);
                *filled |= 1 << slot;
            }
        };
        for c in body.chars() {
            if c.is_ascii_alphanumeric() {
                h = fnv(h, c.to_ascii_lowercase() as u8);
                in_word = true;
            } else if !c.is_ascii() && c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    let mut buf = [0u8; 4];
                    for b in l.encode_utf8(&mut buf).bytes() {
                        h = fnv(h, b);
                    }
                }
                in_word = true;
            } else if in_word {
                end_word(h, &mut words, &mut sig, &mut filled);
                h = FNV_OFFSET;
                in_word = false;
            }
        }
        if in_word {
            end_word(h, &mut words, &mut sig, &mut filled);
        }
        if words < MIN_WORDS || filled == 0 {
            return None;
        }
        let original = sig;
        for (i, slot) in sig.iter_mut().enumerate() {
            if filled & (1 << i) == 0 {
                let d = (1..HASHES)
                    .find(|d| filled & (1 << ((i + d) % HASHES)) != 0)
                    .unwrap_or(0);
                *slot = mix(original[(i + d) % HASHES] as u64 ^ ((d as u64) << 32)) as u32;
            }
        }
        Some(sig)
    }

    #[test]
    fn the_signature_is_the_one_computed_char_by_char() {
        let mixed = "Erdoğan’s İstanbul ΣΟΦΙΑ 中美关系 café\u{0}x 2017-03 ǅemal ﬁnance ".repeat(8);
        for body in [STORY, STORY2, mixed.as_str(), &format!("{STORY} {mixed}")] {
            assert_eq!(signature(body), signature_by_chars(body));
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut n = 0;
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                assert_eq!(
                    signature(&text),
                    signature_by_chars(&text),
                    "{}",
                    e.path().display()
                );
                n += 1;
            }
        }
        assert!(n > 50, "the sample archive is there");
    }

    #[test]
    fn wherever_the_middle_falls_the_two_halves_give_the_whole_signature() {
        // Every prefix of these moves the middle over each kind of byte: inside a
        // word, on a separator, inside a character of two to four bytes, and into a
        // second half with no ASCII separator at all.
        let words = "Erdoğan’s İstanbul ΣΟΦΙΑ café ǅemal 2017-03 ﬁnance 🙂x ".repeat(6);
        let unbroken = format!("{words}{}", "中美关系İstanbulΣΟΦΙΑ".repeat(12));
        for text in [words.as_str(), unbroken.as_str()] {
            for (end, _) in text.char_indices() {
                let prefix = &text[..end];
                assert_eq!(signature(prefix), signature_by_chars(prefix), "{prefix:?}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_gets_the_char_by_char_signature(
            words in proptest::collection::vec("[a-zA-Z0-9éÉßİ中ǅ ,.\\-’]{1,9}", 20..60)
        ) {
            let body = words.join(" ");
            proptest::prop_assert_eq!(signature(&body), signature_by_chars(&body));
        }
    }

    #[test]
    fn short_bodies_are_not_fingerprinted() {
        assert!(signature("Too short to tell.").is_none());
    }
}
