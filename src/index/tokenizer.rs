//! How text is cut into words: at anything that is not a letter or digit, as tantivy's
//! `SimpleTokenizer` does, except in runs of Chinese, Japanese and Korean characters,
//! which are written without spaces between words. Such a run becomes its overlapping
//! pairs of characters ("トランプ大統領" → トラ ラン ンプ プ大 大統 統領; a lone character
//! is its own token), as Lucene's `CJKBigramFilter` (Elasticsearch's `cjk` analyzer)
//! does: a query word becomes the same pairs searched as a phrase, so "トランプ" finds
//! the text that holds it wherever it stands in a run, without a dictionary of words.
//! Text without such characters is cut exactly as before.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Han ideographs, Hiragana, Katakana and Hangul (letters and digits among them only:
/// `・` and `、` still separate words).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF     // Hangul Jamo
        | 0x3005..=0x3007   // 々 〆 〇
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3130..=0x318F   // Hangul compatibility Jamo
        | 0x31F0..=0x31FF   // Katakana phonetic extensions
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xA960..=0xA97F   // Hangul Jamo extended A
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xD7B0..=0xD7FF   // Hangul Jamo extended B
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0xFF66..=0xFF9F   // half-width Katakana
        | 0xFFA0..=0xFFDC   // half-width Hangul
        | 0x20000..=0x3134F // CJK extensions B to G, compatibility supplement
    )
}

/// Words at non-alphanumerics; CJK runs as overlapping character pairs.
#[derive(Clone, Default)]
pub struct NewsTokenizer {
    token: Token,
    /// Start offsets of the characters of the CJK run being cut, and where it ends.
    run: Vec<usize>,
}

pub struct NewsTokenStream<'a> {
    text: &'a str,
    /// Byte offset of the next character to read.
    at: usize,
    token: &'a mut Token,
    run: &'a mut Vec<usize>,
    run_end: usize,
    /// The next pair of the run to give out.
    run_next: usize,
}

impl Tokenizer for NewsTokenizer {
    type TokenStream<'a> = NewsTokenStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> NewsTokenStream<'a> {
        self.token.reset();
        self.run.clear();
        NewsTokenStream {
            text,
            at: 0,
            token: &mut self.token,
            run: &mut self.run,
            run_end: 0,
            run_next: 0,
        }
    }
}

impl NewsTokenStream<'_> {
    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.push_str(&self.text[from..to]);
        true
    }
}

impl TokenStream for NewsTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        // The rest of a CJK run: its next pair.
        if self.run_next + 1 < self.run.len() {
            let i = self.run_next;
            self.run_next += 1;
            let end = self.run.get(i + 2).copied().unwrap_or(self.run_end);
            return self.emit(self.run[i], end);
        }
        let text = self.text;
        // ASCII first, byte by byte: nearly all news text is ASCII, and an ASCII
        // character is a letter or digit exactly when `is_ascii_alphanumeric` says so
        // and never CJK. A word that runs on into other characters is finished, and
        // anything else is read, char by char below.
        let bytes = text.as_bytes();
        let mut i = self.at;
        while i < bytes.len() && bytes[i] < 0x80 && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        self.at = i;
        if i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            let from = i;
            let mut end = i + crate::ascii::alphanumerics_at(bytes, i);
            if end < bytes.len() && bytes[end] >= 0x80 {
                end = text[end..]
                    .char_indices()
                    .find(|&(_, d)| !d.is_alphanumeric() || is_cjk(d))
                    .map_or(text.len(), |(r, _)| end + r);
            }
            self.at = end;
            self.run.clear();
            self.run_next = 0;
            return self.emit(from, end);
        }
        let mut chars = text[self.at..].char_indices();
        while let Some((rel, c)) = chars.next() {
            if !c.is_alphanumeric() {
                continue;
            }
            let from = self.at + rel;
            if is_cjk(c) {
                self.run.clear();
                self.run.push(from);
                let mut end = text.len();
                for (r, d) in chars.by_ref() {
                    if !(d.is_alphanumeric() && is_cjk(d)) {
                        end = self.at + r;
                        break;
                    }
                    self.run.push(self.at + r);
                }
                self.at = end;
                self.run_end = end;
                if self.run.len() == 1 {
                    return self.emit(from, end);
                }
                self.run_next = 1;
                let to = self.run.get(2).copied().unwrap_or(end);
                return self.emit(from, to);
            }
            let mut end = text.len();
            for (r, d) in chars.by_ref() {
                if !d.is_alphanumeric() || is_cjk(d) {
                    end = self.at + r;
                    break;
                }
            }
            self.at = end;
            // Emptied so no pair of an earlier run is given again.
            self.run.clear();
            self.run_next = 0;
            return self.emit(from, end);
        }
        self.at = text.len();
        self.run.clear();
        self.run_next = 0;
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::SimpleTokenizer;

    fn cut(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut t = NewsTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let k = s.token();
            out.push((k.text.clone(), k.position, k.offset_from, k.offset_to));
        }
        out
    }

    #[test]
    fn cjk_runs_become_overlapping_pairs() {
        let words = |t: &str| cut(t).into_iter().map(|k| k.0).collect::<Vec<_>>();
        assert_eq!(
            words("米大統領のトランプ氏"),
            [
                "米大", "大統", "統領", "領の", "のト", "トラ", "ラン", "ンプ", "プ氏"
            ]
        );
        assert_eq!(words("中美"), ["中美"]);
        assert_eq!(words("中"), ["中"]);
        // Latin, digits and punctuation in between cut runs; ・ separates.
        assert_eq!(
            words("G20サミットで、習近平・金正恩 2018年"),
            [
                "G20", "サミ", "ミッ", "ット", "トで", "習近", "近平", "金正", "正恩", "2018", "年"
            ]
        );
        assert_eq!(words("대통령 선거"), ["대통", "통령", "선거"]);
        // Positions follow one another, and offsets are the pair's bytes.
        let k = cut("a 中美关系 b");
        assert_eq!(
            k,
            vec![
                ("a".into(), 0, 0, 1),
                ("中美".into(), 1, 2, 8),
                ("美关".into(), 2, 5, 11),
                ("关系".into(), 3, 8, 14),
                ("b".into(), 4, 15, 16),
            ]
        );
    }

    proptest::proptest! {
        /// Any mix of scripts: every token is the text at its offsets, positions
        /// follow one another, a CJK token is one or two characters, and dropping the
        /// CJK characters leaves what the simple tokenizer gives.
        #[test]
        fn tokens_are_the_text_at_their_offsets(
            text in "[a-zé0-9 ,.・、。中美关系トランプ대통령ー々]{0,40}"
        ) {
            let toks = cut(&text);
            for (i, (t, pos, from, to)) in toks.iter().enumerate() {
                proptest::prop_assert_eq!(&text[*from..*to], t.as_str());
                proptest::prop_assert_eq!(*pos, i);
                if t.chars().any(is_cjk) {
                    proptest::prop_assert!(t.chars().all(is_cjk) && t.chars().count() <= 2);
                }
            }
            let latin: Vec<String> = toks
                .into_iter()
                .filter(|t| !t.0.chars().any(is_cjk))
                .map(|t| t.0)
                .collect();
            let spaced: String = text.chars().map(|c| if is_cjk(c) { ' ' } else { c }).collect();
            let mut simple = SimpleTokenizer::default();
            let mut s = simple.token_stream(&spaced);
            let mut want = Vec::new();
            while s.advance() {
                want.push(s.token().text.clone());
            }
            proptest::prop_assert_eq!(latin, want);
        }
    }

    #[test]
    fn text_without_cjk_is_cut_as_the_simple_tokenizer_cuts_it() {
        let text = "Xi’s post-war order: Erdoğan, 2017's 3rd café — Ελλάδα, Россия; ไทย";
        let mut simple = SimpleTokenizer::default();
        let mut a = simple.token_stream(text);
        let mut ours = NewsTokenizer::default();
        let mut b = ours.token_stream(text);
        loop {
            let (x, y) = (a.advance(), b.advance());
            assert_eq!(x, y);
            if !x {
                break;
            }
            let (p, q) = (a.token(), b.token());
            assert_eq!(
                (&p.text, p.position, p.offset_from, p.offset_to),
                (&q.text, q.position, q.offset_from, q.offset_to)
            );
        }
    }
}
