//! Runs of ASCII letters and digits, measured eight bytes at a time.
//!
//! Text is cut into words by every stage of an ingest (the index's tokenizer, the date
//! scanner), nearly all of it ASCII. A loop that tests one byte at a time for the end
//! of a word mispredicts its branch once at the end of every word; these functions
//! find the end with a few word-wide operations instead (SWAR: each byte of a `u64`
//! classified at once), and so cost a branch per eight bytes.

const HIGH: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The byte `v` in each of the eight bytes.
const fn lanes(v: u8) -> u64 {
    0x0101_0101_0101_0101 * v as u64
}

/// The eight bytes from `i` on, little-endian (the first in the low byte); zeros past
/// the end of `b`.
fn eight(b: &[u8], i: usize) -> u64 {
    match b.get(i..i + 8) {
        Some(full) => u64::from_le_bytes(full.try_into().unwrap_or([0; 8])),
        None => {
            let mut chunk = [0u8; 8];
            let tail = b.get(i..).unwrap_or(&[]);
            chunk[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(chunk)
        }
    }
}

/// The top bit of each byte of `x7` (all under 0x80) within `lo..=hi`; no carry
/// crosses a byte.
fn within(x7: u64, lo: u8, hi: u8) -> u64 {
    x7.wrapping_add(lanes(0x80 - lo)) & !x7.wrapping_add(lanes(0x7f - hi)) & HIGH
}

/// The top bit of each byte of `x` that is an ASCII letter.
fn letters(x: u64) -> u64 {
    // Bit 5 set folds upper case onto lower case and leaves every byte under 0x80.
    within((x & LOW7) | lanes(0x20), b'a', b'z') & !x
}

/// The top bit of each byte of `x` that is an ASCII letter or digit.
fn letters_and_digits(x: u64) -> u64 {
    letters(x) | within(x & LOW7, b'0', b'9') & !x
}

/// The length of the run that `class` marks from `i` on.
fn run(b: &[u8], mut i: usize, class: fn(u64) -> u64) -> usize {
    let start = i;
    loop {
        let n = (!class(eight(b, i)) & HIGH).trailing_zeros() as usize / 8;
        i += n;
        if n < 8 {
            return i - start;
        }
    }
}

/// How many ASCII letters begin `b[i..]`.
pub fn letters_at(b: &[u8], i: usize) -> usize {
    run(b, i, letters)
}

/// How many ASCII letters and digits begin `b[i..]`.
pub fn alphanumerics_at(b: &[u8], i: usize) -> usize {
    run(b, i, letters_and_digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(b: &[u8]) {
        for i in 0..=b.len() {
            let want = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            assert_eq!(letters_at(b, i), want, "letters at {i} of {b:?}");
            let want = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
            assert_eq!(
                alphanumerics_at(b, i),
                want,
                "alphanumerics at {i} of {b:?}"
            );
        }
    }

    #[test]
    fn runs_are_measured_as_byte_by_byte() {
        check(
            "Zürich@ab[cd`ef{gh Wednesday-September AZaz09/:x\u{e9}y superlongwordthatgoeson"
                .as_bytes(),
        );
        check(b"");
        check(b"abcdefgh");
        check(b"abcdefghi");
        check(b"0123456789abcdefghijklmnopqrstuvwxyz");
        // Every byte value after a letter and after a digit, at the end and inside.
        for v in 0..=255u8 {
            for first in [b'q', b'7'] {
                check(&[first, v]);
                check(&[first, v, b' ', 0, 0, 0, 0, 0, 0, 0, first]);
                check(&[first, first, first, first, first, first, first, v, first]);
            }
        }
    }
}
