//! Near-duplicate fingerprints: a MinHash signature over the body's word 4-shingles,
//! cut into LSH bands. Two articles that share two or more bands are near copies
//! (wire copies, re-posts with a new headline or an extra paragraph).

/// Hashes in a signature.
pub const HASHES: usize = 32;
/// Bands of `HASHES / BANDS` rows each.
pub const BANDS: usize = 8;
/// Bodies shorter than this many words are not grouped: too little text to tell.
pub const MIN_WORDS: usize = 25;

pub type Signature = [u32; HASHES];

/// The signature of a body, or `None` when it is too short to compare.
pub fn signature(body: &str) -> Option<Signature> {
    let words: Vec<u64> = body
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            // FNV-1a over the lower-cased word.
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for c in w.chars().flat_map(char::to_lowercase) {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    h ^= b as u64;
                    h = h.wrapping_mul(0x0100_0000_01b3);
                }
            }
            h
        })
        .collect();
    if words.len() < MIN_WORDS {
        return None;
    }
    let mut sig = [u32::MAX; HASHES];
    for win in words.windows(4) {
        let shingle = win.iter().fold(0u64, |acc, w| mix(acc.rotate_left(17) ^ w));
        for (i, slot) in sig.iter_mut().enumerate() {
            let h = (mix(shingle ^ SEEDS[i]) >> 32) as u32;
            if h < *slot {
                *slot = h;
            }
        }
    }
    Some(sig)
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

const SEEDS: [u64; HASHES] = {
    let mut s = [0u64; HASHES];
    let mut i = 0;
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    while i < HASHES {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s[i] = x;
        i += 1;
    }
    s
};

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "The foreign ministers of the two countries met in Geneva on Tuesday to discuss the ceasefire, the exchange of prisoners and the reopening of the border crossings that were closed last year after the fighting broke out again in the east of the country, officials said.";

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

    #[test]
    fn short_bodies_are_not_fingerprinted() {
        assert!(signature("Too short to tell.").is_none());
    }
}
