//! Snippets that show why an article matched: windows of the body chosen for how many
//! different query words they hold and whether those words stand together as in the
//! query (so "Taiwan post-war order" shows the "post-war order" sentence, not the
//! paragraph that repeats "Taiwan"), cut at sentence or word boundaries, with a phrase
//! highlighted as one unit.

use crate::index::tokenizer::{is_cjk, NewsTokenizer};
use std::collections::HashMap;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer, TextAnalyzer,
};

/// One fragment of a text with the byte ranges to highlight, relative to `text`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fragment {
    pub text: String,
    /// Byte offsets of `text` within the full body.
    pub start: usize,
    pub end: usize,
    pub highlights: Vec<[usize; 2]>,
}

/// The analysed forms of the query's words for one field, in query order.
pub fn query_terms(query: &dyn Query, field: Field) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            if let Some(s) = term.value().as_str() {
                if !out.iter().any(|t| t == s) {
                    out.push(s.to_string());
                }
            }
        }
    });
    out
}

struct Tok {
    start: usize,
    end: usize,
    /// Index into the query terms, for a matched token.
    term: Option<usize>,
}

/// The body's tokens, each with the query term it matches. Stemming is most of the
/// cost of reading a body, so only tokens that could stem to a query term are stemmed:
/// the English stemmer keeps a word's first letter, and its second too except where a
/// `y` becomes `i` ("dying" → "die"), so a token whose [`stem_key`] is not that of a
/// query term cannot match one. The result is the same as analysing the whole body
/// with the `news` analyzer, but for lone pairs of a CJK word ([`keep_whole_cjk_words`]).
fn tokens(text: &str, terms: &[String]) -> Vec<Tok> {
    let index: HashMap<&str, usize> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let keys: Vec<(char, Option<char>)> = terms.iter().filter_map(|t| stem_key(t)).collect();
    // The `news` analyzer without its stemmer, then the stemmer alone.
    let mut folded = TextAnalyzer::builder(NewsTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut stemmer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(Stemmer::new(Language::English))
        .build();
    let mut stream = folded.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        let term = match stem_key(&t.text) {
            Some(k) if keys.contains(&k) && crate::index::normalize::kept_whole(&t.text) => {
                index.get(t.text.as_str()).copied()
            }
            Some(k) if keys.contains(&k) => {
                let mut s = stemmer.token_stream(&t.text);
                if s.advance() {
                    index.get(s.token().text.as_str()).copied()
                } else {
                    None
                }
            }
            _ => None,
        };
        out.push(Tok {
            start: t.offset_from,
            end: t.offset_to,
            term,
        });
    }
    drop(stream);
    keep_whole_cjk_words(&mut out, terms);
    keep_attached_s(text, &mut out, terms);
    out
}

/// The analyser cuts "Taiwan's" and "U.S." into `taiwan s` and `u s`, so a phrase's
/// possessive form and a dotted abbreviation search an `s` of their own. In the text,
/// such an `s` counts only against a matched word it is attached to (no space between),
/// so that "Taiwan's return" lights up whole and the `s` of every other possessive
/// does not.
fn keep_attached_s(text: &str, toks: &mut [Tok], terms: &[String]) {
    let Some(s) = terms.iter().position(|t| t == "s") else {
        return;
    };
    let matched: Vec<bool> = toks.iter().map(|t| t.term.is_some()).collect();
    let attached = |a: &Tok, b: &Tok| !text[a.end..b.start].chars().any(char::is_whitespace);
    for i in 0..toks.len() {
        if toks[i].term != Some(s) {
            continue;
        }
        let prev = i > 0 && matched[i - 1] && attached(&toks[i - 1], &toks[i]);
        let next = i + 1 < toks.len() && matched[i + 1] && attached(&toks[i], &toks[i + 1]);
        if !prev && !next {
            toks[i].term = None;
        }
    }
}

/// A Chinese, Japanese or Korean query word is searched as the chain of its character
/// pairs (トランプ: トラ ラン ンプ). In the text, a pair of such a chain counts only
/// beside another matched pair it overlaps, so "フランス" does not light up for its ラン;
/// a word that is one pair (中美) counts wherever it stands.
fn keep_whole_cjk_words(toks: &mut [Tok], terms: &[String]) {
    let pair = |t: &str| {
        let mut c = t.chars();
        match (c.next(), c.next(), c.next()) {
            (Some(a), Some(b), None) if is_cjk(a) && is_cjk(b) => Some((a, b)),
            _ => None,
        }
    };
    let pairs: Vec<Option<(char, char)>> = terms.iter().map(|t| pair(t)).collect();
    let chained: Vec<bool> = (0..terms.len())
        .map(|i| {
            let Some((a, b)) = pairs[i] else { return false };
            let before = i > 0 && pairs[i - 1].is_some_and(|(_, y)| y == a);
            let after = pairs
                .get(i + 1)
                .copied()
                .flatten()
                .is_some_and(|(x, _)| x == b);
            before || after
        })
        .collect();
    if !chained.contains(&true) {
        return;
    }
    let matched: Vec<bool> = toks.iter().map(|t| t.term.is_some()).collect();
    for i in 0..toks.len() {
        let Some(term) = toks[i].term else { continue };
        if !chained[term] {
            continue;
        }
        let prev = i > 0 && matched[i - 1] && toks[i - 1].end > toks[i].start;
        let next = i + 1 < toks.len() && matched[i + 1] && toks[i + 1].start < toks[i].end;
        if !prev && !next {
            toks[i].term = None;
        }
    }
}

/// What a word and its stem share: the first letter, and the second with `y` read as `i`.
fn stem_key(word: &str) -> Option<(char, Option<char>)> {
    let mut c = word.chars();
    let first = c.next()?;
    let second = c.next().map(|c| if c == 'y' { 'i' } else { c });
    Some((first, second))
}

/// Up to `n` fragments of about `chars` bytes each, best first, not overlapping.
pub fn fragments(text: &str, terms: &[String], n: usize, chars: usize) -> Vec<Fragment> {
    if terms.is_empty() || text.is_empty() || n == 0 {
        return Vec::new();
    }
    // (A fragment is never longer than the text: `--snippet-chars` may be any number.)
    let chars = chars.min(text.len());
    let toks = tokens(text, terms);
    let matched: Vec<usize> = (0..toks.len())
        .filter(|&i| toks[i].term.is_some())
        .collect();
    if matched.is_empty() {
        return Vec::new();
    }
    // Score a window starting at each matched token: distinct terms weigh most, then
    // query words next to each other, then repeats.
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new(); // score, first tok, last tok
    for (mi, &first) in matched.iter().enumerate() {
        let limit = toks[first].start + chars * 3 / 4;
        let mut seen = vec![false; terms.len()];
        let (mut distinct, mut count, mut adjacent) = (0usize, 0usize, 0usize);
        let mut last = first;
        for &ti in &matched[mi..] {
            if toks[ti].end > limit && ti != first {
                break;
            }
            let term = toks[ti].term.expect("matched");
            if !seen[term] {
                seen[term] = true;
                distinct += 1;
            }
            count += 1;
            if ti > 0 && ti != first && toks[ti - 1].term.is_some_and(|p| p != term) {
                adjacent += 1;
            }
            last = ti;
        }
        let score = distinct as f32 * 10.0 + adjacent as f32 * 6.0 + count as f32;
        candidates.push((score, first, last));
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<Fragment> = Vec::new();
    for (_, first, last) in candidates {
        if chosen.len() >= n {
            break;
        }
        let (s, e) = window(text, toks[first].start, toks[last].end, chars);
        if chosen.iter().any(|f| s < f.end && f.start < e) {
            continue;
        }
        let marks = toks
            .iter()
            .filter(|t| t.term.is_some() && t.start >= s && t.end <= e)
            .map(|t| [t.start - s, t.end - s])
            .collect::<Vec<_>>();
        let frag = &text[s..e];
        chosen.push(Fragment {
            text: frag.to_string(),
            start: s,
            end: e,
            highlights: merge_units(frag, marks),
        });
    }
    chosen
}

/// Highlights over the whole text (for titles).
pub fn highlight_all(text: &str, terms: &[String]) -> Vec<[usize; 2]> {
    let marks = tokens(text, terms)
        .into_iter()
        .filter(|t| t.term.is_some())
        .map(|t| [t.start, t.end])
        .collect();
    merge_units(text, marks)
}

/// Neighbouring highlights joined by a space or a hyphen only are one unit:
/// "post-war order" is highlighted whole; so are those joined by an apostrophe or a dot.
fn merge_units(text: &str, marks: Vec<[usize; 2]>) -> Vec<[usize; 2]> {
    let mut out: Vec<[usize; 2]> = Vec::with_capacity(marks.len());
    for m in marks {
        if let Some(prev) = out.last_mut() {
            // Overlapping character pairs (中美 美关) are one mark.
            if m[0] < prev[1] {
                prev[1] = prev[1].max(m[1]);
                continue;
            }
            let gap = &text[prev[1]..m[0]];
            // … and so are a word and the letter its apostrophe or dot joins to it
            // ("Taiwan's", "U.S").
            let joined = matches!(gap, "'" | "\u{2019}" | ".");
            if joined
                || gap.len() <= 2
                    && gap
                        .chars()
                        .all(|c| c == ' ' || c == '-' || c == '\u{2010}' || c == '\u{2011}')
            {
                prev[1] = m[1];
                continue;
            }
        }
        out.push(m);
    }
    out
}

/// Widens [s, e) to about `chars` bytes, then snaps both ends to a sentence start or
/// a word boundary, never mid-word.
fn window(text: &str, s: usize, e: usize, chars: usize) -> (usize, usize) {
    let len = text.len();
    let spare = chars.saturating_sub(e - s);
    // Give most of the spare room before the match to the sentence it sits in.
    let sentence_start = text[..s]
        .rfind(['.', '!', '?', '\n', '。', '！', '？'])
        .map(|i| i + text[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
    let mut start = if s - sentence_start <= spare * 2 / 3 {
        sentence_start
    } else {
        s - spare / 3
    };
    let mut end = e.saturating_add(chars.saturating_sub(e - start)).min(len);
    start = floor_boundary(text, start);
    end = floor_boundary(text, end);
    // Snap to whole words.
    if start > 0 && start != sentence_start {
        if let Some(sp) = text[start..s].find(char::is_whitespace) {
            start += sp;
        }
    }
    if end < len {
        let tail = &text[e.min(end)..end];
        if let Some(p) = tail.rfind(['.', '!', '?', '。', '！', '？']) {
            let p = p + tail[p..].chars().next().map_or(1, char::len_utf8);
            if e.min(end) + p > e {
                end = e.min(end) + p;
            }
        } else if let Some(sp) = tail.rfind(char::is_whitespace) {
            end = e.min(end) + sp;
        }
    }
    let frag = &text[start..end];
    let lead = frag.len() - frag.trim_start().len();
    let trail = frag.len() - frag.trim_end().len();
    (start + lead, (end - trail).max(start + lead))
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "US President Donald Trump and Chinese President Xi Jinping spoke by phone on Monday to discuss trade, Taiwan and Ukraine. During the call, Xi told Trump that Taiwan's return to mainland China is\"an important part of the post-war international order,\" according to Xinhua. China claims democratic Taiwan as part of its territory.";

    fn terms(q: &[&str]) -> Vec<String> {
        q.iter().map(|s| s.to_string()).collect()
    }

    /// Every word of the shipped sample archive is matched as the `news` analyzer reads it.
    #[test]
    fn tokens_match_the_analyzer_over_the_sample_archive() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut text = String::new();
        for e in walkdir::WalkDir::new(root)
            .into_iter()
            .filter_map(|e| e.ok())
        {
            if e.file_type().is_file() {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
                text.push('\n');
            }
        }
        assert!(text.len() > 100_000, "the sample archive is there");
        assert_same_as_analyzer(&text);
    }

    fn assert_same_as_analyzer(text: &str) {
        let mut analyzer = crate::index::schema::news_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut all: Vec<String> = Vec::new();
        while stream.advance() {
            all.push(stream.token().text.clone());
        }
        let mut terms = all.clone();
        terms.sort();
        terms.dedup();
        let toks = tokens(text, &terms);
        assert_eq!(toks.len(), all.len());
        for (tok, want) in toks.iter().zip(&all) {
            // An `s` standing apart from a matched word is left out (`keep_attached_s`).
            if want == "s" && tok.term.is_none() {
                continue;
            }
            assert_eq!(tok.term.map(|i| terms[i].as_str()), Some(want.as_str()));
        }
    }

    #[test]
    fn tokens_match_as_the_whole_analyzer_would() {
        let text = format!(
            "{SEED} Dying, lying and tying; cries, flies, ties. Early only ugly gently \
             singly idly skis news. Años después, Erdoğan's café; généralement. Yesterday \
             yachts yelled, by my sky. 2017 3rd x y."
        );
        assert_same_as_analyzer(&text);
    }

    #[test]
    fn picks_the_window_where_the_query_words_stand_together() {
        let f = fragments(SEED, &terms(&["taiwan", "post", "war", "order"]), 1, 160);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].text.contains("post-war international order"),
            "{}",
            f[0].text
        );
    }

    #[test]
    fn a_hyphenated_phrase_is_one_highlight() {
        let f = fragments(SEED, &terms(&["post", "war"]), 1, 120);
        let marks: Vec<&str> = f[0]
            .highlights
            .iter()
            .map(|&[s, e]| &f[0].text[s..e])
            .collect();
        assert_eq!(marks, vec!["post-war"]);
    }

    #[test]
    fn a_possessive_s_lights_up_only_with_its_word() {
        let text = "Russia's White House and Taiwan's return; the U.S. election";
        let marks = |q: &[&str]| -> Vec<&str> {
            highlight_all(text, &terms(q))
                .iter()
                .map(|&[s, e]| &text[s..e])
                .collect()
        };
        // "white house" and "taiwan return" with their possessive forms: no lone s.
        assert_eq!(
            marks(&["white", "hous", "s", "taiwan", "return"]),
            ["White House", "Taiwan's return"]
        );
        assert_eq!(marks(&["u", "s", "elect"]), ["U.S", "election"]);
    }

    #[test]
    fn fragments_never_cut_a_word_and_do_not_overlap() {
        let f = fragments(SEED, &terms(&["taiwan"]), 3, 60);
        assert!(f.len() >= 2);
        for fr in &f {
            let before = SEED[..fr.start].chars().last();
            let after = SEED[fr.end..].chars().next();
            assert!(before.is_none_or(|c| !c.is_alphanumeric()), "{:?}", fr.text);
            assert!(after.is_none_or(|c| !c.is_alphanumeric()), "{:?}", fr.text);
        }
        for (i, a) in f.iter().enumerate() {
            for b in &f[i + 1..] {
                assert!(a.end <= b.start || b.end <= a.start);
            }
        }
    }

    #[test]
    fn a_cjk_word_is_one_highlight_and_its_pairs_alone_are_none() {
        let text = "トランプ大統領は、フランスのマクロン大統領と会談した。中美关系。";
        // トランプ is searched as its pairs トラ ラン ンプ; 中美 is one pair.
        let f = fragments(text, &terms(&["トラ", "ラン", "ンプ", "中美"]), 1, 400);
        let marks: Vec<&str> = f[0]
            .highlights
            .iter()
            .map(|&[s, e]| &f[0].text[s..e])
            .collect();
        assert_eq!(marks, vec!["トランプ", "中美"]);
        // A fragment ends at a Chinese or Japanese full stop, never inside a character.
        let f = fragments(text, &terms(&["中美"]), 1, 30);
        assert!(f[0].text.ends_with('。'), "{:?}", f[0].text);
    }

    #[test]
    fn no_terms_no_fragments() {
        assert!(fragments(SEED, &[], 3, 100).is_empty());
        assert!(fragments("", &terms(&["x"]), 3, 100).is_empty());
    }

    #[test]
    fn any_length_asked_for_is_at_most_the_text() {
        // `--snippet-chars 18446744073709551615` once overflowed into a slice past
        // its end.
        for chars in [usize::MAX, usize::MAX - 1, usize::MAX / 2, 1 << 40] {
            let f = fragments(SEED, &terms(&["taiwan"]), 3, chars);
            assert_eq!(f.len(), 1, "{chars}");
            assert!(f[0].end <= SEED.len() && f[0].start < f[0].end);
        }
    }
}
