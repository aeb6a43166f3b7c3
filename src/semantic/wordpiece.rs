//! BERT WordPiece tokenizer, uncased: turns text into the token ids a BERT-style sentence
//! encoder expects (`[CLS] pieces… [SEP]`).
//!
//! The steps, in order, follow the uncased BERT scheme exactly:
//!
//! 1. Special tokens written literally in the text (`[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`,
//!    `[MASK]`, case-sensitive) are taken as those tokens.
//! 2. Cleaning: control, format and private-use characters, NUL and U+FFFD are removed; every
//!    whitespace character (tab, newline and carriage return included) becomes a space.
//! 3. Each CJK ideograph is set apart with a space on either side.
//! 4. Canonical decomposition (NFD), then nonspacing marks are removed: accents go.
//! 5. Lowercasing.
//! 6. The text is split on whitespace, and every punctuation character (ASCII `!`–`/`, `:`–`@`,
//!    `[`–`` ` ``, `{`–`~` and Unicode punctuation) is split off as a word of its own.
//! 7. Each word is cut into vocabulary pieces, longest first from the left; pieces after the
//!    first carry the `##` prefix in the vocabulary. A word longer than 100 characters, or one
//!    the vocabulary cannot cover completely, becomes a single `[UNK]`.
//!
//! The character tables below (what counts as a control character, a nonspacing mark,
//! punctuation, which characters decompose and which combining marks reorder) are those of
//! the reference implementation the encoder was trained with, which predates the latest Unicode
//! versions; they were checked against it character by character, so the ids are the same.
//!
//! Encoding streams through the text and stops as soon as enough pieces are produced, so a long
//! article costs no more than its first few hundred characters. It never panics.

use rustc_hash::FxHashMap;
use std::cmp::Ordering;

/// A word of more characters than this becomes a single `[UNK]`.
const MAX_WORD_CHARS: usize = 100;

/// Special tokens recognised when written literally in the text.
const LITERAL_SPECIALS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/// A WordPiece vocabulary and the rules to encode text with it.
pub struct WordPiece {
    /// Pieces that can start a word, by text.
    heads: FxHashMap<Box<str>, u32>,
    /// Pieces that continue a word (`##` entries in the vocabulary), by text without the `##`.
    tails: FxHashMap<Box<str>, u32>,
    /// The longest head and tail, in bytes: no longer piece is worth looking up.
    max_head: usize,
    max_tail: usize,
    cls: u32,
    sep: u32,
    unk: u32,
    /// Literal special tokens present in the vocabulary, with their ids.
    specials: Vec<(&'static str, u32)>,
}

impl WordPiece {
    /// vocab.txt: one token per line, the id is the line number (0-based).
    ///
    /// Trailing whitespace on a line is ignored; if a token appears twice, the later line's
    /// id wins. Fails if `[CLS]`, `[SEP]` or `[UNK]` is missing.
    pub fn from_vocab(text: &str) -> Result<WordPiece, String> {
        let mut all: FxHashMap<&str, u32> = FxHashMap::default();
        for (i, line) in text.lines().enumerate() {
            let id = u32::try_from(i).map_err(|_| "vocabulary too large".to_string())?;
            all.insert(line.trim_end(), id);
        }
        let special = |name: &str| {
            all.get(name)
                .copied()
                .ok_or_else(|| format!("vocabulary has no {name} token"))
        };
        let (cls, sep, unk) = (special("[CLS]")?, special("[SEP]")?, special("[UNK]")?);
        let specials = LITERAL_SPECIALS
            .iter()
            .filter_map(|&s| all.get(s).map(|&id| (s, id)))
            .collect();
        let mut wp = WordPiece {
            heads: FxHashMap::default(),
            tails: FxHashMap::default(),
            max_head: 0,
            max_tail: 0,
            cls,
            sep,
            unk,
            specials,
        };
        for (token, id) in all {
            match token.strip_prefix("##") {
                Some(tail) if !tail.is_empty() => {
                    wp.max_tail = wp.max_tail.max(tail.len());
                    wp.tails.insert(tail.into(), id);
                }
                _ => {
                    wp.max_head = wp.max_head.max(token.len());
                    wp.heads.insert(token.into(), id);
                }
            }
        }
        Ok(wp)
    }

    /// [CLS] tokens… [SEP], at most max_len ids in all (tokens truncated from the end).
    ///
    /// With `max_len` below 2 there is no room for both markers: the result is `[CLS] [SEP]`
    /// cut to `max_len` ids.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let budget = max_len.saturating_sub(2);
        let mut enc = Encoder {
            wp: self,
            ids: Vec::with_capacity(max_len.min(512)),
            limit: budget + 1,
            full: budget == 0,
            word: String::new(),
            word_chars: 0,
            marks: Vec::new(),
        };
        enc.ids.push(self.cls);
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if enc.full {
                break;
            }
            if c == '[' {
                if let Some(&(s, id)) = self.specials.iter().find(|(s, _)| rest.starts_with(*s)) {
                    enc.special(id);
                    rest = &rest[s.len()..];
                    continue;
                }
            }
            enc.raw(c);
            rest = &rest[c.len_utf8()..];
        }
        enc.flush_marks();
        enc.end_word();
        enc.ids.truncate(enc.limit);
        enc.ids.push(self.sep);
        enc.ids.truncate(max_len);
        enc.ids
    }
}

/// The state of one encoding: the ids so far, the word being gathered, and combining marks
/// waiting for canonical reordering.
struct Encoder<'a> {
    wp: &'a WordPiece,
    ids: Vec<u32>,
    /// `ids` may hold this many ids ([CLS] included) before [SEP] is added.
    limit: usize,
    /// Set once `ids` reaches `limit`: the rest of the text cannot change the result.
    full: bool,
    /// The current word, normalised (at most MAX_WORD_CHARS characters are kept).
    word: String,
    word_chars: usize,
    /// Combining marks (class > 0) since the last starter, with their class.
    marks: Vec<(u8, char)>,
}

impl Encoder<'_> {
    /// A special token written in the text: a word boundary and the token itself.
    fn special(&mut self, id: u32) {
        self.flush_marks();
        self.end_word();
        if !self.full {
            self.ids.push(id);
            self.check_full();
        }
    }

    /// One character of the input: cleaning and CJK spacing.
    fn raw(&mut self, c: char) {
        if c.is_ascii() {
            match c {
                '\t' | '\n' | '\r' | ' ' => self.space(),
                '\0'..='\x1f' | '\x7f' => {}
                _ => {
                    self.flush_marks();
                    self.pre(c.to_ascii_lowercase());
                }
            }
            return;
        }
        if in_table(CLEAN_DROP, c) {
            return;
        }
        if c.is_whitespace() {
            self.space();
        } else if in_table(CJK, c) {
            self.space();
            self.decompose(c);
            self.space();
        } else {
            self.decompose(c);
        }
    }

    /// A space after cleaning: a starter and a word boundary.
    fn space(&mut self) {
        self.flush_marks();
        self.end_word();
    }

    /// Canonical decomposition of one (non-ASCII) character.
    fn decompose(&mut self, c: char) {
        if in_table(NO_DECOMP, c) {
            self.decomposed(c);
            return;
        }
        // Canonical decompositions are at most 4 characters long.
        let mut buf = ['\0'; 8];
        let mut n = 0;
        unicode_normalization::char::decompose_canonical(c, |d| {
            if n < buf.len() {
                buf[n] = d;
                n += 1;
            }
        });
        for &d in &buf[..n] {
            self.decomposed(d);
        }
    }

    /// One character of the decomposed text: canonical reordering of combining marks, and
    /// removal of nonspacing marks. A removed mark can go at once unless it is a starter,
    /// where it still ends the run of marks to reorder.
    fn decomposed(&mut self, d: char) {
        if d.is_ascii() {
            self.flush_marks();
            self.pre(d.to_ascii_lowercase());
            return;
        }
        let class = combining_class(d);
        if in_table(STRIP, d) {
            if class == 0 {
                self.flush_marks();
            }
        } else if class == 0 {
            self.flush_marks();
            self.lowercase(d);
        } else {
            self.marks.push((class, d));
        }
    }

    /// Hands on the waiting combining marks, sorted by class (stable).
    fn flush_marks(&mut self) {
        if self.marks.is_empty() {
            return;
        }
        let mut marks = std::mem::take(&mut self.marks);
        marks.sort_by_key(|&(class, _)| class);
        for &(_, m) in &marks {
            self.lowercase(m);
        }
        marks.clear();
        self.marks = marks;
    }

    fn lowercase(&mut self, c: char) {
        for l in c.to_lowercase() {
            self.pre(l);
        }
    }

    /// One character of the normalised text: splitting into words.
    fn pre(&mut self, c: char) {
        if c.is_whitespace() {
            self.end_word();
        } else if is_punct(c) {
            self.end_word();
            self.word.push(c);
            self.word_chars = 1;
            self.end_word();
        } else {
            self.word_chars += 1;
            if self.word_chars <= MAX_WORD_CHARS {
                self.word.push(c);
            }
        }
    }

    /// Cuts the current word into pieces and appends their ids.
    fn end_word(&mut self) {
        if self.word_chars == 0 || self.full {
            self.word.clear();
            self.word_chars = 0;
            return;
        }
        let wp = self.wp;
        let first = self.ids.len();
        let word = self.word.as_str();
        let mut covered = self.word_chars <= MAX_WORD_CHARS;
        let mut start = 0;
        while covered && start < word.len() {
            let (map, longest) = if start == 0 {
                (&wp.heads, wp.max_head)
            } else {
                (&wp.tails, wp.max_tail)
            };
            let mut end = word.len().min(start + longest);
            while !word.is_char_boundary(end) {
                end -= 1;
            }
            loop {
                if end <= start {
                    covered = false;
                    break;
                }
                if let Some(&id) = map.get(&word[start..end]) {
                    self.ids.push(id);
                    start = end;
                    break;
                }
                end -= 1;
                while !word.is_char_boundary(end) {
                    end -= 1;
                }
            }
        }
        if !covered {
            self.ids.truncate(first);
            self.ids.push(wp.unk);
        }
        self.word.clear();
        self.word_chars = 0;
        self.check_full();
    }

    fn check_full(&mut self) {
        if self.ids.len() >= self.limit {
            self.full = true;
        }
    }
}

fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_punctuation()
    } else {
        in_table(PUNCT, c)
    }
}

/// Canonical combining class as the reference tables have it.
fn combining_class(c: char) -> u8 {
    if in_table(CCC_ZERO, c) {
        0
    } else {
        unicode_normalization::char::canonical_combining_class(c)
    }
}

/// Whether `c` falls in one of the sorted, disjoint, inclusive ranges of `table`.
fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}

// Character tables: sorted, disjoint, inclusive ranges of code points.

/// Characters removed before anything else: control and format characters, private-use
/// characters, NUL and U+FFFD. Tab, line feed and carriage return are not here (they are
/// whitespace).
#[rustfmt::skip]
const CLEAN_DROP: &[(u32, u32)] = &[
    (0x0, 0x8), (0xB, 0xC), (0xE, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C),
    (0x6DD, 0x6DD), (0x70F, 0x70F), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xE000, 0xF8FF), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
    (0xFFFD, 0xFFFD), (0x110BD, 0x110BD), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD),
];
/// Nonspacing marks, removed after canonical decomposition (this is what strips accents).
#[rustfmt::skip]
const STRIP: &[(u32, u32)] = &[
    (0x300, 0x33F), (0x342, 0x342), (0x345, 0x36F), (0x483, 0x487), (0x591, 0x5BD), (0x5BF, 0x5BF),
    (0x5C1, 0x5C2), (0x5C4, 0x5C5), (0x5C7, 0x5C7), (0x610, 0x61A), (0x64B, 0x65F), (0x670, 0x670),
    (0x6D6, 0x6DC), (0x6DF, 0x6E4), (0x6E7, 0x6E8), (0x6EA, 0x6ED), (0x711, 0x711), (0x730, 0x74A),
    (0x7A6, 0x7B0), (0x7EB, 0x7F3), (0x816, 0x819), (0x81B, 0x823), (0x825, 0x827), (0x829, 0x82D),
    (0x859, 0x85B), (0x8E3, 0x902), (0x93A, 0x93A), (0x93C, 0x93C), (0x941, 0x948), (0x94D, 0x94D),
    (0x951, 0x957), (0x962, 0x963), (0x981, 0x981), (0x9BC, 0x9BC), (0x9C1, 0x9C4), (0x9CD, 0x9CD),
    (0x9E2, 0x9E3), (0xA01, 0xA02), (0xA3C, 0xA3C), (0xA41, 0xA42), (0xA47, 0xA48), (0xA4B, 0xA4D),
    (0xA51, 0xA51), (0xA70, 0xA71), (0xA75, 0xA75), (0xA81, 0xA82), (0xABC, 0xABC), (0xAC1, 0xAC5),
    (0xAC7, 0xAC8), (0xACD, 0xACD), (0xAE2, 0xAE3), (0xB01, 0xB01), (0xB3C, 0xB3C), (0xB3F, 0xB3F),
    (0xB41, 0xB44), (0xB4D, 0xB4D), (0xB56, 0xB56), (0xB62, 0xB63), (0xB82, 0xB82), (0xBC0, 0xBC0),
    (0xBCD, 0xBCD), (0xC00, 0xC00), (0xC3E, 0xC40), (0xC46, 0xC47), (0xC4A, 0xC4D), (0xC55, 0xC56),
    (0xC62, 0xC63), (0xC81, 0xC81), (0xCBC, 0xCBC), (0xCBF, 0xCBF), (0xCC6, 0xCC6), (0xCCC, 0xCCD),
    (0xCE2, 0xCE3), (0xD01, 0xD01), (0xD41, 0xD44), (0xD4D, 0xD4D), (0xD62, 0xD63), (0xDCA, 0xDCA),
    (0xDD2, 0xDD4), (0xDD6, 0xDD6), (0xE31, 0xE31), (0xE34, 0xE3A), (0xE47, 0xE4E), (0xEB1, 0xEB1),
    (0xEB4, 0xEB9), (0xEBB, 0xEBC), (0xEC8, 0xECD), (0xF18, 0xF19), (0xF35, 0xF35), (0xF37, 0xF37),
    (0xF39, 0xF39), (0xF71, 0xF72), (0xF74, 0xF74), (0xF77, 0xF77), (0xF79, 0xF7E), (0xF80, 0xF80),
    (0xF82, 0xF84), (0xF86, 0xF87), (0xF8D, 0xF92), (0xF94, 0xF97), (0xF99, 0xF9C), (0xF9E, 0xFA1),
    (0xFA3, 0xFA6), (0xFA8, 0xFAB), (0xFAD, 0xFB8), (0xFBA, 0xFBC), (0xFC6, 0xFC6),
    (0x102D, 0x1030), (0x1032, 0x1037), (0x1039, 0x103A), (0x103D, 0x103E), (0x1058, 0x1059),
    (0x105E, 0x1060), (0x1071, 0x1074), (0x1082, 0x1082), (0x1085, 0x1086), (0x108D, 0x108D),
    (0x109D, 0x109D), (0x135D, 0x135F), (0x1712, 0x1714), (0x1732, 0x1734), (0x1752, 0x1753),
    (0x1772, 0x1773), (0x17B4, 0x17B5), (0x17B7, 0x17BD), (0x17C6, 0x17C6), (0x17C9, 0x17D3),
    (0x17DD, 0x17DD), (0x180B, 0x180D), (0x18A9, 0x18A9), (0x1920, 0x1922), (0x1927, 0x1928),
    (0x1932, 0x1932), (0x1939, 0x193B), (0x1A17, 0x1A18), (0x1A1B, 0x1A1B), (0x1A56, 0x1A56),
    (0x1A58, 0x1A5E), (0x1A60, 0x1A60), (0x1A62, 0x1A62), (0x1A65, 0x1A6C), (0x1A73, 0x1A7C),
    (0x1A7F, 0x1A7F), (0x1AB0, 0x1ABD), (0x1B00, 0x1B03), (0x1B34, 0x1B34), (0x1B36, 0x1B3A),
    (0x1B3C, 0x1B3C), (0x1B42, 0x1B42), (0x1B6B, 0x1B73), (0x1B80, 0x1B81), (0x1BA2, 0x1BA5),
    (0x1BA8, 0x1BA9), (0x1BAB, 0x1BAD), (0x1BE6, 0x1BE6), (0x1BE8, 0x1BE9), (0x1BED, 0x1BED),
    (0x1BEF, 0x1BF1), (0x1C2C, 0x1C33), (0x1C36, 0x1C37), (0x1CD0, 0x1CD2), (0x1CD4, 0x1CE0),
    (0x1CE2, 0x1CE8), (0x1CED, 0x1CED), (0x1CF4, 0x1CF4), (0x1CF8, 0x1CF9), (0x1DC0, 0x1DF5),
    (0x1DFC, 0x1DFF), (0x20D0, 0x20DC), (0x20E1, 0x20E1), (0x20E5, 0x20F0), (0x2CEF, 0x2CF1),
    (0x2D7F, 0x2D7F), (0x2DE0, 0x2DFF), (0x302A, 0x302D), (0x3099, 0x309A), (0xA66F, 0xA66F),
    (0xA674, 0xA67D), (0xA69E, 0xA69F), (0xA6F0, 0xA6F1), (0xA802, 0xA802), (0xA806, 0xA806),
    (0xA80B, 0xA80B), (0xA825, 0xA826), (0xA8C4, 0xA8C4), (0xA8E0, 0xA8F1), (0xA926, 0xA92D),
    (0xA947, 0xA951), (0xA980, 0xA982), (0xA9B3, 0xA9B3), (0xA9B6, 0xA9B9), (0xA9BC, 0xA9BC),
    (0xA9E5, 0xA9E5), (0xAA29, 0xAA2E), (0xAA31, 0xAA32), (0xAA35, 0xAA36), (0xAA43, 0xAA43),
    (0xAA4C, 0xAA4C), (0xAA7C, 0xAA7C), (0xAAB0, 0xAAB0), (0xAAB2, 0xAAB4), (0xAAB7, 0xAAB8),
    (0xAABE, 0xAABF), (0xAAC1, 0xAAC1), (0xAAEC, 0xAAED), (0xAAF6, 0xAAF6), (0xABE5, 0xABE5),
    (0xABE8, 0xABE8), (0xABED, 0xABED), (0xFB1E, 0xFB1E), (0xFE00, 0xFE0F), (0xFE20, 0xFE2F),
    (0x101FD, 0x101FD), (0x102E0, 0x102E0), (0x10376, 0x1037A), (0x10A01, 0x10A03),
    (0x10A05, 0x10A06), (0x10A0C, 0x10A0F), (0x10A38, 0x10A3A), (0x10A3F, 0x10A3F),
    (0x10AE5, 0x10AE6), (0x11001, 0x11001), (0x11038, 0x11046), (0x1107F, 0x11081),
    (0x110B3, 0x110B6), (0x110B9, 0x110BA), (0x11100, 0x11102), (0x11127, 0x1112B),
    (0x1112D, 0x1112D), (0x11130, 0x11134), (0x11173, 0x11173), (0x11180, 0x11181),
    (0x111B6, 0x111BE), (0x111CA, 0x111CC), (0x1122F, 0x11231), (0x11234, 0x11234),
    (0x11236, 0x11237), (0x112DF, 0x112DF), (0x112E3, 0x112EA), (0x11300, 0x11301),
    (0x1133C, 0x1133C), (0x11340, 0x11340), (0x11366, 0x1136C), (0x11370, 0x11374),
    (0x114B3, 0x114B8), (0x114BA, 0x114BA), (0x114BF, 0x114C0), (0x114C2, 0x114C3),
    (0x115B2, 0x115B5), (0x115BC, 0x115BD), (0x115BF, 0x115C0), (0x115DC, 0x115DD),
    (0x11633, 0x1163A), (0x1163D, 0x1163D), (0x1163F, 0x11640), (0x116AB, 0x116AB),
    (0x116AD, 0x116AD), (0x116B0, 0x116B5), (0x116B7, 0x116B7), (0x1171D, 0x1171F),
    (0x11722, 0x11725), (0x11727, 0x1172B), (0x16AF0, 0x16AF4), (0x16B30, 0x16B36),
    (0x16F8F, 0x16F92), (0x1BC9D, 0x1BC9E), (0x1D167, 0x1D169), (0x1D17B, 0x1D182),
    (0x1D185, 0x1D18B), (0x1D1AA, 0x1D1AD), (0x1D242, 0x1D244), (0x1DA00, 0x1DA36),
    (0x1DA3B, 0x1DA6C), (0x1DA75, 0x1DA75), (0x1DA84, 0x1DA84), (0x1DA9B, 0x1DA9F),
    (0x1DAA1, 0x1DAAF), (0x1E8D0, 0x1E8D6), (0xE0100, 0xE01EF),
];
/// Punctuation: each one becomes a token of its own.
#[rustfmt::skip]
const PUNCT: &[(u32, u32)] = &[
    (0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E), (0xA1, 0xA1), (0xA7, 0xA7),
    (0xAB, 0xAB), (0xB6, 0xB7), (0xBB, 0xBB), (0xBF, 0xBF), (0x37E, 0x37E), (0x387, 0x387),
    (0x55A, 0x55F), (0x589, 0x58A), (0x5BE, 0x5BE), (0x5C0, 0x5C0), (0x5C3, 0x5C3), (0x5C6, 0x5C6),
    (0x5F3, 0x5F4), (0x609, 0x60A), (0x60C, 0x60D), (0x61B, 0x61B), (0x61E, 0x61F), (0x66A, 0x66D),
    (0x6D4, 0x6D4), (0x700, 0x70D), (0x7F7, 0x7F9), (0x830, 0x83E), (0x85E, 0x85E), (0x964, 0x965),
    (0x970, 0x970), (0xAF0, 0xAF0), (0xDF4, 0xDF4), (0xE4F, 0xE4F), (0xE5A, 0xE5B), (0xF04, 0xF12),
    (0xF14, 0xF14), (0xF3A, 0xF3D), (0xF85, 0xF85), (0xFD0, 0xFD4), (0xFD9, 0xFDA),
    (0x104A, 0x104F), (0x10FB, 0x10FB), (0x1360, 0x1368), (0x1400, 0x1400), (0x166D, 0x166E),
    (0x169B, 0x169C), (0x16EB, 0x16ED), (0x1735, 0x1736), (0x17D4, 0x17D6), (0x17D8, 0x17DA),
    (0x1800, 0x180A), (0x1944, 0x1945), (0x1A1E, 0x1A1F), (0x1AA0, 0x1AA6), (0x1AA8, 0x1AAD),
    (0x1B5A, 0x1B60), (0x1BFC, 0x1BFF), (0x1C3B, 0x1C3F), (0x1C7E, 0x1C7F), (0x1CC0, 0x1CC7),
    (0x1CD3, 0x1CD3), (0x2010, 0x2027), (0x2030, 0x2043), (0x2045, 0x2051), (0x2053, 0x205E),
    (0x207D, 0x207E), (0x208D, 0x208E), (0x2308, 0x230B), (0x2329, 0x232A), (0x2768, 0x2775),
    (0x27C5, 0x27C6), (0x27E6, 0x27EF), (0x2983, 0x2998), (0x29D8, 0x29DB), (0x29FC, 0x29FD),
    (0x2CF9, 0x2CFC), (0x2CFE, 0x2CFF), (0x2D70, 0x2D70), (0x2E00, 0x2E2E), (0x2E30, 0x2E42),
    (0x3001, 0x3003), (0x3008, 0x3011), (0x3014, 0x301F), (0x3030, 0x3030), (0x303D, 0x303D),
    (0x30A0, 0x30A0), (0x30FB, 0x30FB), (0xA4FE, 0xA4FF), (0xA60D, 0xA60F), (0xA673, 0xA673),
    (0xA67E, 0xA67E), (0xA6F2, 0xA6F7), (0xA874, 0xA877), (0xA8CE, 0xA8CF), (0xA8F8, 0xA8FA),
    (0xA8FC, 0xA8FC), (0xA92E, 0xA92F), (0xA95F, 0xA95F), (0xA9C1, 0xA9CD), (0xA9DE, 0xA9DF),
    (0xAA5C, 0xAA5F), (0xAADE, 0xAADF), (0xAAF0, 0xAAF1), (0xABEB, 0xABEB), (0xFD3E, 0xFD3F),
    (0xFE10, 0xFE19), (0xFE30, 0xFE52), (0xFE54, 0xFE61), (0xFE63, 0xFE63), (0xFE68, 0xFE68),
    (0xFE6A, 0xFE6B), (0xFF01, 0xFF03), (0xFF05, 0xFF0A), (0xFF0C, 0xFF0F), (0xFF1A, 0xFF1B),
    (0xFF1F, 0xFF20), (0xFF3B, 0xFF3D), (0xFF3F, 0xFF3F), (0xFF5B, 0xFF5B), (0xFF5D, 0xFF5D),
    (0xFF5F, 0xFF65), (0x10100, 0x10102), (0x1039F, 0x1039F), (0x103D0, 0x103D0),
    (0x1056F, 0x1056F), (0x10857, 0x10857), (0x1091F, 0x1091F), (0x1093F, 0x1093F),
    (0x10A50, 0x10A58), (0x10A7F, 0x10A7F), (0x10AF0, 0x10AF6), (0x10B39, 0x10B3F),
    (0x10B99, 0x10B9C), (0x11047, 0x1104D), (0x110BB, 0x110BC), (0x110BE, 0x110C1),
    (0x11140, 0x11143), (0x11174, 0x11175), (0x111C5, 0x111C9), (0x111CD, 0x111CD),
    (0x111DB, 0x111DB), (0x111DD, 0x111DF), (0x11238, 0x1123D), (0x112A9, 0x112A9),
    (0x114C6, 0x114C6), (0x115C1, 0x115D7), (0x11641, 0x11643), (0x1173C, 0x1173E),
    (0x12470, 0x12474), (0x16A6E, 0x16A6F), (0x16AF5, 0x16AF5), (0x16B37, 0x16B3B),
    (0x16B44, 0x16B44), (0x1BC9F, 0x1BC9F), (0x1DA87, 0x1DA8B),
];
/// CJK ideographs: each one is set apart as a word of its own.
#[rustfmt::skip]
const CJK: &[(u32, u32)] = &[
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF), (0x2A700, 0x2B81F),
    (0x2B920, 0x2CEAF), (0x2F800, 0x2FA1F),
];
/// Characters left whole by the decomposition this tokenizer follows (composites added to
/// Unicode after it).
#[rustfmt::skip]
const NO_DECOMP: &[(u32, u32)] = &[
    (0x105C9, 0x105C9), (0x105E4, 0x105E4), (0x11383, 0x11383), (0x11385, 0x11385),
    (0x1138E, 0x1138E), (0x11391, 0x11391), (0x113C5, 0x113C5), (0x113C7, 0x113C8),
    (0x11938, 0x11938), (0x16121, 0x16128), (0x16D68, 0x16D6A),
];
/// Combining characters added to Unicode after the decomposition tables this tokenizer
/// follows: there they are starters (combining class 0).
#[rustfmt::skip]
const CCC_ZERO: &[(u32, u32)] = &[
    (0x5C8, 0x5C9), (0x7FD, 0x7FD), (0x897, 0x89F), (0x8CA, 0x8D3), (0x9FE, 0x9FE), (0xC3C, 0xC3C),
    (0xD3B, 0xD3C), (0xEBA, 0xEBA), (0x1715, 0x1715), (0x1ABF, 0x1AF0), (0x1DF6, 0x1DFA),
    (0xA82C, 0xA82C), (0x10D24, 0x10D27), (0x10D69, 0x10D6D), (0x10EAB, 0x10EAC),
    (0x10ECB, 0x10ECF), (0x10EF0, 0x10EFB), (0x10EFD, 0x10EFF), (0x10F46, 0x10F50),
    (0x10F82, 0x10F85), (0x11070, 0x11070), (0x1133B, 0x1133B), (0x113CE, 0x113D0),
    (0x1145E, 0x1145E), (0x11839, 0x1183A), (0x1193D, 0x1193E), (0x11943, 0x11943),
    (0x119E0, 0x119E0), (0x11A34, 0x11A34), (0x11A47, 0x11A47), (0x11A99, 0x11A99),
    (0x11D42, 0x11D42), (0x11D44, 0x11D45), (0x11D97, 0x11D97), (0x11F41, 0x11F42),
    (0x1612F, 0x1612F), (0x16FF0, 0x16FF1), (0x1D127, 0x1D128), (0x1D250, 0x1D252),
    (0x1D25B, 0x1D25C), (0x1D25F, 0x1D25F), (0x1D280, 0x1D281), (0x1E08F, 0x1E08F),
    (0x1E130, 0x1E136), (0x1E2AE, 0x1E2AE), (0x1E2EC, 0x1E2EF), (0x1E4EC, 0x1E4EF),
    (0x1E5EE, 0x1E5EF), (0x1E6E3, 0x1E6E3), (0x1E6E6, 0x1E6E6), (0x1E6EE, 0x1E6EF),
    (0x1E6F5, 0x1E6F5),
];

#[cfg(test)]
mod tests {
    use super::*;

    const VOCAB: &str =
        "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\ncafe\nun\n##aff\n##able\n,\n.\n!\n\
                         \u{4e2d}\n\u{6587}\nhello\nworld\n##s\na\n##a\n";
    const PAD: u32 = 0;
    const UNK: u32 = 1;
    const CLS: u32 = 2;
    const SEP: u32 = 3;
    const MASK: u32 = 4;
    const THE: u32 = 5;
    const CAFE: u32 = 6;
    const UN: u32 = 7;
    const AFF: u32 = 8;
    const ABLE: u32 = 9;
    const COMMA: u32 = 10;
    const DOT: u32 = 11;
    const BANG: u32 = 12;
    const ZHONG: u32 = 13;
    const WEN: u32 = 14;
    const HELLO: u32 = 15;
    const WORLD: u32 = 16;
    const S: u32 = 17;
    const A: u32 = 18;

    fn wp() -> WordPiece {
        WordPiece::from_vocab(VOCAB).unwrap()
    }

    fn enc(text: &str) -> Vec<u32> {
        wp().encode(text, 128)
    }

    #[test]
    fn empty_text_is_cls_sep() {
        assert_eq!(enc(""), [CLS, SEP]);
        assert_eq!(enc(" \t\r\n\u{3000} "), [CLS, SEP]);
        assert_eq!(enc("\u{0}\u{fffd}\u{200b}"), [CLS, SEP]);
    }

    #[test]
    fn lowercases_and_strips_accents() {
        assert_eq!(enc("Café CAFÉ cafe\u{301}"), [CLS, CAFE, CAFE, CAFE, SEP]);
        assert_eq!(enc("ÇÀFÉ"), [CLS, CAFE, SEP]);
    }

    #[test]
    fn splits_punctuation() {
        assert_eq!(enc("Hello, world!"), [CLS, HELLO, COMMA, WORLD, BANG, SEP]);
        assert_eq!(enc("hello.world"), [CLS, HELLO, DOT, WORLD, SEP]);
        // Not in the vocabulary, but still split off: one [UNK] each.
        assert_eq!(
            enc("hello\u{2014}world?"),
            [CLS, HELLO, UNK, WORLD, UNK, SEP]
        );
        assert_eq!(enc("!!!"), [CLS, BANG, BANG, BANG, SEP]);
    }

    #[test]
    fn continuation_pieces() {
        assert_eq!(enc("unaffable"), [CLS, UN, AFF, ABLE, SEP]);
        assert_eq!(enc("worlds"), [CLS, WORLD, S, SEP]);
    }

    #[test]
    fn unknown_words_are_one_unk() {
        assert_eq!(enc("zzz"), [CLS, UNK, SEP]);
        // Covered except for the end: the whole word is one [UNK].
        assert_eq!(enc("unaffablez the"), [CLS, UNK, THE, SEP]);
        // 100 characters is still a word; 101 is too long.
        let ids = wp().encode(&"a".repeat(100), 200);
        assert_eq!(ids.len(), 102);
        assert_eq!(ids[1..3], [A, 19]);
        assert_eq!(enc(&"a".repeat(101)), [CLS, UNK, SEP]);
        assert_eq!(enc("a"), [CLS, A, SEP]);
    }

    #[test]
    fn truncation_keeps_sep_last() {
        let w = wp();
        let text = "hello world ".repeat(1000);
        let ids = w.encode(&text, 5);
        assert_eq!(ids, [CLS, HELLO, WORLD, HELLO, SEP]);
        assert_eq!(w.encode(&text, 128).len(), 128);
        assert_eq!(*w.encode(&text, 128).last().unwrap(), SEP);
        // A word cut in its middle keeps its first pieces.
        assert_eq!(w.encode("unaffable", 4), [CLS, UN, AFF, SEP]);
        assert_eq!(w.encode("hello", 2), [CLS, SEP]);
        assert_eq!(w.encode("hello", 1), [CLS]);
        assert!(w.encode("hello", 0).is_empty());
    }

    #[test]
    fn cjk_ideographs_are_words() {
        assert_eq!(enc("\u{4e2d}\u{6587}"), [CLS, ZHONG, WEN, SEP]);
        assert_eq!(enc("hello\u{4e2d}world"), [CLS, HELLO, ZHONG, WORLD, SEP]);
    }

    #[test]
    fn cleans_control_and_format_characters() {
        assert_eq!(enc("hel\u{200b}lo\u{7}"), [CLS, HELLO, SEP]);
        assert_eq!(
            enc("hello\u{a0}world\u{2028}the"),
            [CLS, HELLO, WORLD, THE, SEP]
        );
    }

    #[test]
    fn literal_special_tokens() {
        assert_eq!(enc("hello [MASK] world"), [CLS, HELLO, MASK, WORLD, SEP]);
        assert_eq!(
            enc("hello[SEP]world[PAD]"),
            [CLS, HELLO, SEP, WORLD, PAD, SEP]
        );
        // Only the exact spelling; otherwise plain punctuation and words.
        assert_eq!(enc("[mask]"), [CLS, UNK, UNK, UNK, SEP]);
    }

    #[test]
    fn vocabulary_needs_markers() {
        assert!(WordPiece::from_vocab("[CLS]\n[SEP]\nhello\n").is_err());
        assert!(WordPiece::from_vocab("").is_err());
        let w = WordPiece::from_vocab("[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n").unwrap();
        assert_eq!(w.encode("Hello x", 10), [1, 3, 0, 2]);
    }

    #[test]
    fn odd_input_does_not_panic() {
        let w = wp();
        let long = "x".repeat(50_000);
        let marks = "\u{301}".repeat(10_000);
        for text in [
            "\u{301}",
            "\u{301}\u{302}a\u{316}\u{301}",
            "😀🥰 👍🏽 🇫🇷",
            "\u{e000}\u{10ffff}\u{fffe}",
            "[",
            "[MAS",
            "ﬁ Ⅻ ① ㎏ \u{1e9e} \u{130}",
            "\u{ac00}\u{d7a3}",
            long.as_str(),
            marks.as_str(),
        ] {
            for max_len in [0, 1, 2, 3, 128] {
                let ids = w.encode(text, max_len);
                assert!(ids.len() <= max_len);
                if max_len >= 2 {
                    assert_eq!(ids[0], CLS);
                    assert_eq!(*ids.last().unwrap(), SEP);
                }
            }
        }
    }
}
