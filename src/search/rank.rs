//! How a user's words become a scored tantivy query.
//!
//! The tuned ranking (`Ranking::News`) reads the query itself: words (all required but
//! English function words such as "the", "will" and "our"),
//! `"phrases"`, `-excluded` words, `a OR b`, and prefixes (`brex*`: the most frequent
//! indexed words that start with it, at most [`MAX_PREFIX_TERMS`]). Every word is searched in title,
//! subtitle and body (title weighted most); words that stand next to each other in the
//! query earn a bonus where they also stand close together in an article (side by side
//! counting the function words typed between them: `state of the union`). A hyphenated
//! word also tries its joined form (post-war → postwar, e-mail → email; not AT&T →
//! att: only hyphens and dots join), dotted letters also their undotted form and a
//! part in capitals its dotted one (U.S.-China, US-China), a word that
//! splits into two indexed words also tries them as a phrase (postwar → "post war"),
//! a word spelt the British or the American way also tries the other spelling
//! (defence → defense; see `spelling`), and an abbreviation in capitals also tries its
//! dotted form (US → "u s", as the analyser cuts "U.S.").
//! Curly and straight quotes and apostrophes are the same, and a possessive `'s` is
//! dropped (Xi’s = Xi's = Xi).
//!
//! Beside the strict query (all words), [`scored_query`] gives a partial one (articles
//! that hold two of the words, or one of two, but not all) and an any-word one, whose
//! best matches are ranked among the strict query's (see `search::blend_pool`).

use crate::index::schema::{news_analyzer, MAX_TOKEN_BYTES};
use crate::index::tokenizer::NewsTokenizer;
use crate::index::{Fields, NewsIndex};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, QueryParser,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer};
use tantivy::Term;

/// Which ranking to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ranking {
    /// The tuned defaults.
    #[default]
    News,
    /// Plain tantivy BM25 over title and body, all words required, no boosts: the
    /// baseline the defaults are measured against.
    PlainBm25,
}

/// Weights of the tuned ranking.
pub mod weights {
    /// A query word found in the title, relative to the body.
    pub const TITLE: f32 = 1.5;
    pub const SUBTITLE: f32 = 1.2;
    pub const BODY: f32 = 1.0;
    /// Two neighbouring query words side by side in the body.
    pub const BODY_ADJACENT: f32 = 0.25;
    /// … within `NEAR_SLOP` words of each other in the body, either order.
    pub const BODY_NEAR: f32 = 0.15;
    pub const NEAR_SLOP: u32 = 8;
    /// … close together in the title.
    pub const TITLE_NEAR: f32 = 0.3;
    pub const TITLE_SLOP: u32 = 3;
    /// All the query words (three or more) within a window in the body, in any order
    /// (`search::near`).
    pub const BODY_ALL_NEAR: f32 = 0.25;
}

/// The scored part of a search, in two parts.
pub struct Scored {
    /// Articles holding every word (and phrase) of the query.
    pub strict: Box<dyn Query>,
    /// Articles holding two of them (one of two: `search::partial_least`) but not all
    /// (never the strict matches), best first: listed after every strict match. `None`
    /// for a one-word query and for `Ranking::PlainBm25`.
    pub partial: Option<Box<dyn Query>>,
    /// Proximity bonuses (query words close together), added to the score of the best
    /// strict matches only (see `search::ranked`): scoring them for every match was
    /// most of the cost of a several-word query. Empty for a one-word query and for
    /// `Ranking::PlainBm25`.
    pub bonus: Vec<Box<dyn Query>>,
    /// The required words, for scoring the best matches by BM25F (see `bm25f`).
    /// Empty for `Ranking::PlainBm25`.
    pub words: Vec<super::bm25f::Word>,
    /// Articles holding any of the words: a flat union of one term query per word and
    /// field (tantivy prunes it with block-max WAND), whose best few are the partial
    /// matches blended among the full ones (see `search::blend_pool`). `None` where
    /// `partial` is.
    pub any: Option<Box<dyn Query>>,
    /// Each required clause as the user typed it (`Taiwan`, `"post-war order"`,
    /// `china OR taiwan`), with the query an article must match to hold it: what a
    /// partial match lacks is named from these.
    pub required: Vec<(String, Box<dyn Query>)>,
    /// The excluded clauses' queries (an article holding one matches neither query).
    pub excluded: Vec<Box<dyn Query>>,
}

/// The scored part of a search: the strict query. `None` when the query has no words.
pub fn text_query(idx: &NewsIndex, query: &str, ranking: Ranking) -> Option<Box<dyn Query>> {
    scored_query(idx, query, ranking).map(|s| s.strict)
}

/// The strict query and, for several words, the partial one. `None` when the query has
/// no words.
pub fn scored_query(idx: &NewsIndex, query: &str, ranking: Ranking) -> Option<Scored> {
    let cleaned = clean_query(query);
    if cleaned.trim().is_empty() {
        return None;
    }
    match ranking {
        Ranking::PlainBm25 => {
            let f = idx.fields;
            let mut qp = QueryParser::for_index(&idx.index, vec![f.title, f.subtitle, f.body]);
            qp.set_conjunction_by_default();
            let (q, _errors) = qp.parse_query_lenient(&cleaned);
            Some(Scored {
                strict: q,
                partial: None,
                bonus: Vec::new(),
                words: Vec::new(),
                any: None,
                required: Vec::new(),
                excluded: Vec::new(),
            })
        }
        Ranking::News => news_query(idx, &cleaned),
    }
}

/// Curly quotes become straight ones, control characters spaces; an odd quote is
/// closed at the end, so `"post-war order` is read as the phrase.
pub fn clean_query(q: &str) -> String {
    let mut s: String = q
        .chars()
        .map(|c| match c {
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => '"',
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{02BC}' | '`' | '\u{00B4}' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    // A dash typed for a minus before a word (`trump —tariffs`, a word processor's
    // `–` or `−`) excludes as `-` does.
    if s.contains(['\u{2012}', '\u{2013}', '\u{2014}', '\u{2212}']) {
        let mut out = String::with_capacity(s.len());
        let mut prev = ' ';
        let mut it = s.chars().peekable();
        while let Some(c) = it.next() {
            let dash = matches!(c, '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}');
            let next_word = it.peek().is_some_and(|n| !n.is_whitespace());
            out.push(if dash && prev.is_whitespace() && next_word {
                '-'
            } else {
                c
            });
            prev = c;
        }
        s = out;
    }
    if s.matches('"').count() % 2 == 1 {
        s.push('"');
    }
    s
}

/// One piece of the query as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Word(String),
    Phrase(String),
    /// `brex*`: any indexed word that starts with it (see [`MAX_PREFIX_TERMS`]).
    Prefix(String),
}

/// A query of more clauses than this keeps each distinct clause once.
const LONG_QUERY: usize = 32;

/// A prefix (`brex*`) stands for at most this many indexed words, the most frequent
/// first: a short prefix must not become a query of thousands of terms.
pub const MAX_PREFIX_TERMS: usize = 50;

/// How many phrases a prefix after other words (`O'Nei*`) is searched as at most.
const PHRASE_PREFIX_FORMS: usize = 16;

/// A query clause: pieces joined by OR, required or excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub pieces: Vec<Piece>,
    pub excluded: bool,
    /// `title:word`, `title:"a phrase"`: searched in the title only.
    pub title_only: bool,
}

/// The clauses of a query as a search reads them (the same leniency: stray operators
/// and quotes dropped, curly quotes straightened), for writing the query in another
/// engine's language.
pub fn clauses(query: &str) -> Vec<Clause> {
    without_function_words(parse(&clean_query(&super::tidy_operators(query))))
}

/// The words and phrases a search reads in `query`, in order and with its function
/// words, excluded clauses and operators left out: the text whose meaning the query
/// has (`crate::semantic`).
pub fn searched_text(query: &str) -> String {
    parse(&clean_query(&super::tidy_operators(query)))
        .into_iter()
        .filter(|c| !c.excluded)
        .flat_map(|c| c.pieces)
        .map(|p| match p {
            Piece::Word(w) | Piece::Phrase(w) | Piece::Prefix(w) => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `title:rest` in any case → `rest`.
pub(crate) fn strip_title(word: &str) -> Option<&str> {
    let head = word.get(..6)?;
    head.eq_ignore_ascii_case("title:").then(|| &word[6..])
}

/// Splits a cleaned query into clauses: words, "phrases", -excluded, a OR b.
fn parse(q: &str) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::new();
    let mut join_next = false;
    let mut negate_next = false;
    // `title:"…"`: the phrase that follows is title-only (and excluded with `-title:`).
    let mut title_next: Option<bool> = None;
    // `title:(a OR "b c")`: every piece up to the closing parenthesis is title-only
    // (and excluded with `-title:(…)`).
    let mut title_group: Option<bool> = None;
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut excluded = negate_next;
        negate_next = false;
        let mut title_only = false;
        let mut j = i;
        while j < chars.len() && (chars[j] == '-' || chars[j] == '+') {
            excluded |= chars[j] == '-';
            j += 1;
        }
        let piece = if j < chars.len() && chars[j] == '"' {
            let end = chars[j + 1..]
                .iter()
                .position(|&c| c == '"')
                .map(|p| j + 1 + p)
                .unwrap_or(chars.len());
            let text: String = chars[j + 1..end].iter().collect();
            i = (end + 1).min(chars.len());
            if let Some(ex) = title_next.take().or(title_group) {
                title_only = true;
                excluded |= ex;
            }
            if chars.get(i) == Some(&')') {
                title_group = None;
            }
            // One word with a star in quotes, `"brex*"`, is the prefix `brex*` (a phrase
            // of several words takes a star on its last: `"brexit bill*"`).
            let one = text.trim();
            match one
                .strip_suffix('*')
                .filter(|p| !p.is_empty() && p.chars().all(char::is_alphanumeric))
            {
                Some(p) => Piece::Prefix(p.to_string()),
                None => Piece::Phrase(text),
            }
        } else {
            let end = chars[j..]
                .iter()
                .position(|c| c.is_whitespace() || *c == '"')
                .map(|p| j + p)
                .unwrap_or(chars.len());
            let mut word: String = chars[j..end].iter().collect();
            i = end;
            title_next = None;
            if let Some(ex) = title_group {
                title_only = true;
                excluded |= ex;
                if word.ends_with(')') {
                    title_group = None;
                }
            } else if let Some(inner) = strip_title(&word).and_then(|r| r.strip_prefix('(')) {
                if !inner.ends_with(')') {
                    title_group = Some(excluded);
                }
                if !inner.chars().any(char::is_alphanumeric) {
                    continue;
                }
                title_only = true;
                word = inner.to_string();
            } else if let Some(rest) = strip_title(&word) {
                if rest.is_empty() && chars.get(i) == Some(&'"') {
                    title_next = Some(excluded);
                    continue;
                }
                if rest.chars().any(char::is_alphanumeric) {
                    title_only = true;
                    // `title:-trump`: a minus on the word excludes it from titles.
                    excluded |= rest.starts_with('-');
                    word = rest.to_string();
                }
            }
            match word.as_str() {
                "OR" | "||" => {
                    join_next = !out.is_empty();
                    continue;
                }
                "AND" | "&&" => continue,
                "NOT" => {
                    negate_next = true;
                    continue;
                }
                _ => {}
            }
            let prefix = word
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .strip_suffix('*')
                .filter(|p| p.chars().last().is_some_and(char::is_alphanumeric));
            let word = word
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_string();
            if word.is_empty() {
                continue;
            }
            match prefix {
                Some(p) => Piece::Prefix(p.to_string()),
                None => Piece::Word(word),
            }
        };
        if join_next {
            join_next = false;
            // An excluded word is no alternative: `trump OR -putin` and `-putin OR
            // trump` are both trump without putin (the service says so).
            if let Some(last) = out.last_mut().filter(|l| !l.excluded && !excluded) {
                last.pieces.push(piece);
                // a OR title:b: the title-only restriction holds when every piece has it.
                last.title_only &= title_only;
                continue;
            }
        }
        out.push(Clause {
            pieces: vec![piece],
            excluded,
            title_only,
        });
    }
    out
}

/// Lower case and folded, not stemmed: for joining and splitting words.
pub(crate) fn folder() -> TextAnalyzer {
    TextAnalyzer::builder(NewsTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Drops a possessive `'s` (already straightened by `clean_query`).
fn strip_possessive(word: &str) -> &str {
    for suffix in ["'s", "'S"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            if stem.chars().any(char::is_alphanumeric) {
                return stem;
            }
        }
    }
    word
}

/// Whether `word` (as typed) is searched as two words too: it splits into two indexed
/// words that the archive holds side by side more often than the word itself (see
/// `split_word`). A word the archive lacks that splits so is no typo to correct.
pub(crate) fn splits_in_archive(idx: &NewsIndex, word: &str) -> bool {
    let dict = Dict {
        searcher: idx.searcher().ok(),
        f: &idx.fields,
    };
    let (mut stem, mut fold) = (news_analyzer(), folder());
    let (t, raw) = (tokens(&mut stem, word), tokens(&mut fold, word));
    match (t.as_slice(), raw.as_slice()) {
        ([t], [raw]) => split_word(raw, &mut stem, &dict, dict.doc_freq(t)).is_some(),
        _ => false,
    }
}

/// Looks words up in the index.
struct Dict<'a> {
    searcher: Option<tantivy::Searcher>,
    f: &'a Fields,
}

impl Dict<'_> {
    fn doc_freq(&self, term: &str) -> u64 {
        let Some(s) = &self.searcher else { return 0 };
        [self.f.body, self.f.title]
            .iter()
            .map(|&field| s.doc_freq(&Term::from_field_text(field, term)).unwrap_or(0))
            .sum()
    }

    /// The indexed words (title and body) that start with one of `prefixes`, the
    /// `max` found in most articles, most frequent first. Streams only that range of
    /// each segment's term dictionary.
    fn prefix_terms(&self, prefixes: &[String], max: usize) -> Vec<String> {
        let Some(s) = &self.searcher else {
            return Vec::new();
        };
        let mut freq: std::collections::HashMap<Vec<u8>, u64> = Default::default();
        for seg in s.segment_readers() {
            for field in [self.f.title, self.f.body] {
                let Ok(inv) = seg.inverted_index(field) else {
                    continue;
                };
                for p in prefixes {
                    let Ok(mut stream) = inv.terms().range().ge(p.as_bytes()).into_stream() else {
                        continue;
                    };
                    while stream.advance() {
                        if !stream.key().starts_with(p.as_bytes()) {
                            break;
                        }
                        *freq.entry(stream.key().to_vec()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        let mut terms: Vec<(u64, String)> = freq
            .into_iter()
            .filter_map(|(k, n)| String::from_utf8(k).ok().map(|t| (n, t)))
            .collect();
        terms.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        terms.truncate(max);
        terms.into_iter().map(|(_, t)| t).collect()
    }

    /// How many articles hold the two words side by side in the body.
    fn phrase_count(&self, a: &str, b: &str) -> usize {
        self.sequence_count(&[a, b])
    }

    /// How many articles hold the words in this order, side by side, in the body.
    fn sequence_count(&self, words: &[&str]) -> usize {
        let Some(s) = &self.searcher else { return 0 };
        let terms = words.iter().map(|w| Term::from_field_text(self.f.body, w));
        let q = PhraseQuery::new(terms.collect());
        s.search(&q, &tantivy::collector::Count).unwrap_or(0)
    }

    /// Does some article hold the words in this order, side by side, in the body?
    fn holds_sequence(&self, words: &[String]) -> bool {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        self.sequence_count(&words) > 0
    }
}

/// Does the text hold a word too long to be indexed? The analyser drops such a word,
/// so a query that holds it must match nothing rather than lose it.
fn has_unindexable_word(text: &str) -> bool {
    // Cut as the analyser cuts: a long run of Chinese is many short pairs, not one word.
    let mut t = TextAnalyzer::from(NewsTokenizer::default());
    let mut stream = t.token_stream(text);
    while stream.advance() {
        if stream.token().text.len() >= MAX_TOKEN_BYTES {
            return true;
        }
    }
    false
}

/// The forms one piece may take in an article: each a sequence of analysed words (one
/// word is a term, several a phrase). `None` when no article can hold the piece (a
/// word too long to be indexed).
fn alternatives(
    piece: &Piece,
    stem: &mut TextAnalyzer,
    fold: &mut TextAnalyzer,
    dict: &Dict,
) -> Option<Vec<Vec<String>>> {
    let (Piece::Phrase(text) | Piece::Word(text) | Piece::Prefix(text)) = piece;
    if has_unindexable_word(text) {
        return None;
    }
    Some(match piece {
        Piece::Prefix(text) => {
            // Folded (brex → brex) and, where stemming cuts it shorter, stemmed too
            // (negotiat → negoti), since the index holds stemmed words.
            let folded = tokens(fold, text);
            if folded.len() != 1 {
                // "O'Nei*", "al-Ass*", "F-3*": the words before the last one, then a
                // word that starts with the last, side by side: each of the words the
                // prefix finds most often that the archive holds so (up to
                // PHRASE_PREFIX_FORMS). Where none is, the piece stays searchable as
                // the words it holds.
                let t = tokens(stem, text);
                if t.len() == folded.len() {
                    let head = &t[..t.len() - 1];
                    let last = folded[folded.len() - 1].clone();
                    let forms: Vec<Vec<String>> = dict
                        .prefix_terms(&[last], MAX_PREFIX_TERMS)
                        .into_iter()
                        .map(|w| head.iter().cloned().chain([w]).collect::<Vec<String>>())
                        .filter(|f| dict.holds_sequence(f))
                        .take(PHRASE_PREFIX_FORMS)
                        .collect();
                    if !forms.is_empty() {
                        return Some(forms);
                    }
                }
                return Some(if t.is_empty() { vec![] } else { vec![t] });
            }
            let mut prefixes = vec![folded[0].clone()];
            if let Some(stemmed) = tokens(stem, text).pop() {
                // … and where stemming changes its end, the stem too (democracy* is
                // also `democraci`, as "democracy" is indexed).
                let shared = stemmed
                    .chars()
                    .zip(folded[0].chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                let cut = folded[0].starts_with(&stemmed);
                let changed_end =
                    stemmed.chars().count() >= 4 && shared + 2 >= folded[0].chars().count();
                if stemmed.len() >= 3 && (cut || changed_end) && stemmed != folded[0] {
                    prefixes.push(stemmed);
                }
            }
            let mut terms = dict.prefix_terms(&prefixes, MAX_PREFIX_TERMS);
            // The stem of a word that starts with the prefix can be shorter than it
            // (negotiat* → negotiate → negoti): an indexed word that the prefix starts
            // with, at most three letters shorter (and four or more long), counts too;
            // not where the prefix's own stem is searched already (policy* is
            // `polici`, not `polic`, the stem of police).
            let p = &folded[0];
            if p.is_ascii() && prefixes.len() == 1 {
                for cut in (p.len().saturating_sub(3).max(4)..p.len()).rev() {
                    let t = &p[..cut];
                    if !terms.iter().any(|x| x == t) && dict.doc_freq(t) > 0 {
                        terms.push(t.to_string());
                    }
                }
            }
            if terms.is_empty() {
                return None;
            }
            terms.into_iter().map(|t| vec![t]).collect()
        }
        Piece::Phrase(text) => {
            let words: Vec<&str> = text.split_whitespace().map(strip_possessive).collect();
            let t = tokens(stem, &words.join(" "));
            if t.is_empty() {
                vec![]
            } else {
                // A phrase typed with its possessives (a quoted passage: "General
                // Flynn's resignation") is also searched as typed, `s` and all: the
                // forms with an `s` in a gap try one gap at a time past four words.
                let typed = tokens(stem, text);
                if typed.len() > t.len() {
                    vec![t, typed]
                } else {
                    vec![t]
                }
            }
        }
        Piece::Word(word) => {
            let word = strip_possessive(word);
            let t = tokens(stem, word);
            let mut alts = Vec::new();
            if t.is_empty() {
                return Some(alts);
            }
            let raw = tokens(fold, word);
            if t.len() > 1 {
                // post-war → "post war", and the joined postwar if the index has it;
                // only where hyphens and dots join the parts: AT&T is not "att", nor
                // 9/11 "911", nor two numbers one (1.5 is not 15, $1.5bn not $15bn, a
                // 2-0 win not 20, 2016-17 not 201617). A number in groups of three
                // (1,000) is also the number written whole (1000).
                let joinable = word
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
                    && !numbers_apart(word)
                    || thousands(word);
                let joined = tokens(stem, &raw.concat());
                // An abbreviation's dotted letters are also written together:
                // u.s.-china is also "us china", as "US-China" is indexed.
                let letters = letters_joined(&raw).map(|r| tokens(stem, &r.join(" ")));
                // … and a part in capitals is also written with dots: US-China is also
                // "u s china", as "U.S.-China" is indexed.
                let parts: Vec<&str> = word
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|p| !p.is_empty())
                    .collect();
                let dotted_parts = parts.iter().any(|p| dotted(p).is_some()).then(|| {
                    let spelt: Vec<String> = parts
                        .iter()
                        .map(|p| dotted(p).map_or_else(|| p.to_string(), |l| l.join(" ")))
                        .collect();
                    tokens(stem, &spelt.join(" "))
                });
                alts.push(t);
                if joinable && joined.len() == 1 && dict.doc_freq(&joined[0]) > 0 {
                    alts.push(joined);
                }
                for form in letters.into_iter().chain(dotted_parts) {
                    if form.len() > 1 && !alts.contains(&form) && dict.holds_sequence(&form) {
                        alts.push(form);
                    }
                }
            } else {
                // (Only where the two words side by side are more common than the word
                // itself: `putins` is not "put in", nor `notable` "not able"; after a
                // prefix written either way, wherever they are: `nonprofit` is also
                // "non-profit".)
                let own = dict.doc_freq(&t[0]);
                alts.push(t);
                if let Some(split) = raw.first().and_then(|r| split_word(r, stem, dict, own)) {
                    alts.push(split);
                }
                // An abbreviation in capitals (US, UK, EU) is also written with dots
                // (U.S.), which the analyser cuts into its letters.
                if let Some(letters) = dotted(word).filter(|l| dict.holds_sequence(l)) {
                    alts.push(letters);
                }
                // A code of letters and digits is also written with a hyphen (F35,
                // F-35; G20, G-20), a number with its thousands apart (1000, 1,000).
                // With a letter after its number too (F35B, written F-35B), the code
                // is also its first part and the rest.
                for parts in raw
                    .first()
                    .and_then(|r| code_parts(r))
                    .map(|p| {
                        let mut forms = vec![p.clone()];
                        if p.len() >= 3 {
                            forms.push(vec![p[0].clone(), p[1..].concat()]);
                        }
                        forms
                    })
                    .unwrap_or_default()
                {
                    if !alts.contains(&parts) && dict.holds_sequence(&parts) {
                        alts.push(parts);
                    }
                }
                // The other spelling (defence, defense), where the archive holds it…
                for v in raw
                    .first()
                    .map(|r| {
                        let mut v = super::spelling::variants(r);
                        // … and a headline's word as the plain one (blaze, fire).
                        v.extend(super::spelling::plain_words(word));
                        v
                    })
                    .unwrap_or_default()
                {
                    let other = tokens(stem, &v);
                    if other.len() == 1 && !alts.contains(&other) && dict.doc_freq(&other[0]) > 0 {
                        alts.push(other);
                    }
                }
            }
            alts
        }
    })
}

/// Whether a dot or a hyphen in `word` stands between two digits: a decimal point
/// (1.5, $2.5bn), a score or a range (2-0, 2016-17), not a mark that joins a word's
/// parts (post-war, G-20).
fn numbers_apart(word: &str) -> bool {
    let c: Vec<char> = word.chars().collect();
    c.windows(3)
        .any(|w| matches!(w[1], '.' | '-') && w[0].is_ascii_digit() && w[2].is_ascii_digit())
}

/// Whether `word` is a number written in groups of three digits apart by commas
/// (1,000; 25,000,000): one number, written whole as well.
fn thousands(word: &str) -> bool {
    let mut groups = word.split(',');
    let first = groups.next().unwrap_or_default();
    let rest: Vec<&str> = groups.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && !first.starts_with('0')
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// The letters of an abbreviation typed in capitals, two or three of them (US → u s,
/// as the analyser cuts "U.S."); `None` for any other word.
fn dotted(word: &str) -> Option<Vec<String>> {
    let n = word.chars().count();
    ((2..=3).contains(&n) && word.chars().all(|c| c.is_ascii_uppercase())).then(|| {
        word.chars()
            .map(|c| c.to_ascii_lowercase().to_string())
            .collect()
    })
}

/// A code's letters and digits apart (f35 → f 35, su35 → su 35, s400 → s 400), or a
/// number of four to nine digits in groups of three (1000 → 1 000); `None` for any
/// other word.
fn code_parts(word: &str) -> Option<Vec<String>> {
    if !word.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if word.chars().all(|c| c.is_ascii_digit()) {
        let n = word.len();
        if !(4..=9).contains(&n) || word.starts_with('0') {
            return None;
        }
        let first = match n % 3 {
            0 => 3,
            r => r,
        };
        let mut parts = vec![word[..first].to_string()];
        parts.extend(
            word.as_bytes()[first..]
                .chunks(3)
                .map(|c| String::from_utf8_lossy(c).into_owned()),
        );
        return Some(parts);
    }
    let mut parts: Vec<String> = Vec::new();
    for c in word.chars() {
        match parts.last_mut() {
            Some(p)
                if p.chars()
                    .last()
                    .is_some_and(|l| l.is_ascii_digit() == c.is_ascii_digit()) =>
            {
                p.push(c)
            }
            _ => parts.push(c.to_string()),
        }
    }
    (parts.len() >= 2).then_some(parts)
}

/// The parts of a word cut by the analyser with each run of two or more one-letter
/// parts joined (u s china → us china: an abbreviation typed with dots, as "U.S.-China",
/// is also written without them); `None` where there is no such run.
fn letters_joined(parts: &[String]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut run = String::new();
    let mut joined = false;
    let one = |p: &String| p.chars().count() == 1 && p.chars().all(char::is_alphabetic);
    for p in parts {
        if one(p) {
            run.push_str(p);
            continue;
        }
        if !run.is_empty() {
            joined |= run.chars().count() > 1;
            out.push(std::mem::take(&mut run));
        }
        out.push(p.clone());
    }
    if !run.is_empty() {
        joined |= run.chars().count() > 1;
        out.push(run);
    }
    joined.then_some(out)
}

/// The forms a phrase may also take where one of its words is a possessive: the index
/// holds "Taiwan's return" as `taiwan s return` (the analyser splits at the
/// apostrophe), so the phrase "taiwan return" also tries `taiwan s return`. Every gap
/// may hold an `s` for phrases of up to four words; longer ones try one gap at a time.
/// Searched beside the phrase, never in the proximity bonuses, so a query without a
/// possessive ranks as before.
fn possessive_forms(words: &[String]) -> Vec<Vec<String>> {
    let gaps = words.len().saturating_sub(1);
    if gaps == 0 {
        return Vec::new();
    }
    let sets: Vec<u32> = if gaps <= 3 {
        (1..(1u32 << gaps)).collect()
    } else {
        (0..gaps.min(16)).map(|g| 1u32 << g).collect()
    };
    let mut out = Vec::new();
    for set in sets {
        let mut form = Vec::with_capacity(words.len() + gaps);
        for (i, w) in words.iter().enumerate() {
            form.push(w.clone());
            if i < gaps && set & (1 << i) != 0 {
                if w == "s" || words[i + 1] == "s" {
                    form.clear();
                    break;
                }
                form.push("s".to_string());
            }
        }
        if !form.is_empty() {
            out.push(form);
        }
    }
    out
}

/// Prefixes that English writes joined to a word or apart with a hyphen. Not `re`:
/// the analyser cuts "they're main" as `they re main`, so `remain` would find it.
const JOINED_PREFIXES: &[&str] = &[
    "anti", "co", "counter", "cross", "mid", "multi", "non", "post", "pre", "self", "semi",
];

/// postwar → [post, war] when both halves are indexed words and the index holds them
/// side by side in more articles than `own` (the word's own count), or in any article
/// after one of [`JOINED_PREFIXES`] (cooperation → [co, oper]); the split found most
/// often wins.
fn split_word(raw: &str, stem: &mut TextAnalyzer, dict: &Dict, own: u64) -> Option<Vec<String>> {
    if raw.len() < 5 || !raw.is_ascii() || raw.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut best: Option<(usize, Vec<String>)> = None;
    for cut in 1..raw.len() {
        let (a, b) = raw.split_at(cut);
        // Two letters that are no function word make a half too (`lepen` is "le pen",
        // `alqaeda` "al qaeda"; `ison` is not "is on").
        let short_ok = |s: &str| {
            s.len() >= 3 || (s == "e" && b.len() >= 3) || (s.len() == 2 && !is_function_word(s))
        };
        if !short_ok(a) || !(b.len() >= 3 || (b.len() == 2 && !is_function_word(b))) {
            continue;
        }
        let a = tokens(stem, a);
        let b = tokens(stem, b);
        if a.len() != 1 || b.len() != 1 {
            continue;
        }
        // A half that stems to a function word is no word of its own: `electons` is
        // not "elect ons", found as "election on".
        if is_function_word(&a[0]) || is_function_word(&b[0]) {
            continue;
        }
        if dict.doc_freq(&a[0]) == 0 || dict.doc_freq(&b[0]) == 0 {
            continue;
        }
        let n = dict.phrase_count(&a[0], &b[0]);
        // After a prefix that English writes with a hyphen or without (co-operation,
        // cooperation; non-profit, nonprofit; re-elected, reelected), any article
        // that holds the two side by side holds the word's other spelling.
        let prefixed = JOINED_PREFIXES.contains(&raw.split_at(cut).0) && raw.len() - cut >= 3;
        if (n as u64 > own || (prefixed && n > 0)) && best.as_ref().is_none_or(|(m, _)| n > *m) {
            best = Some((n, vec![a[0].clone(), b[0].clone()]));
        }
    }
    best.map(|(_, v)| v)
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

fn in_field(field: Field, words: &[String], slop: u32) -> Box<dyn Query> {
    terms_query(
        words
            .iter()
            .map(|w| Term::from_field_text(field, w))
            .collect(),
        slop,
    )
}

/// One term, or the phrase of several.
fn terms_query(terms: Vec<Term>, slop: u32) -> Box<dyn Query> {
    if terms.len() == 1 {
        Box::new(TermQuery::new(
            terms[0].clone(),
            IndexRecordOption::WithFreqs,
        ))
    } else {
        let mut q = PhraseQuery::new(terms);
        q.set_slop(slop);
        Box::new(q)
    }
}

/// One form of a clause in one field, weighed as the field is.
pub(crate) fn form_query((terms, boost): &super::phrases::Form) -> Box<dyn Query> {
    boosted(terms_query(terms.clone(), 0), *boost)
}

/// The union of a clause's forms, in order: an article holds the clause where it holds
/// one of them.
pub(crate) fn forms_union(forms: &[super::phrases::Form]) -> Box<dyn Query> {
    let should = forms.iter().map(|f| (Occur::Should, form_query(f)));
    Box::new(BooleanQuery::new(should.collect()))
}

/// The fields a word is searched in, each with its weight, in the order of a clause's
/// term queries (see [`clause_query`]; `search::conjunction` scores the same terms).
pub(crate) fn word_fields(f: &Fields, title_only: bool) -> Vec<(Field, f32)> {
    if title_only {
        vec![(f.title, weights::TITLE)]
    } else {
        vec![
            (f.title, weights::TITLE),
            (f.subtitle, weights::SUBTITLE),
            (f.body, weights::BODY),
        ]
    }
}

/// One clause over title, subtitle and body: any of its forms in any field. A clause
/// with no form (every piece too long to be indexed) matches nothing.
fn clause_query(
    f: &Fields,
    alts: &[Vec<String>],
    extra: &[Vec<String>],
    title_only: bool,
) -> Box<dyn Query> {
    if alts.is_empty() {
        return Box::new(EmptyQuery);
    }
    let fields = word_fields(f, title_only);
    let mut forms: Vec<super::phrases::Form> = Vec::new();
    for alt in alts.iter().chain(extra) {
        for &(field, boost) in &fields {
            let terms = alt.iter().map(|w| Term::from_field_text(field, w));
            forms.push((terms.collect(), boost));
        }
    }
    // A clause that holds a phrase reads positions only where asked (see `phrases`).
    if alts.iter().chain(extra).any(|a| a.len() > 1) {
        Box::new(super::phrases::Phrases::new(forms))
    } else {
        forms_union(&forms)
    }
}

/// `clause`, where `tag` names one, held only by the articles with that tag (`US` in
/// capitals: the word "us" in an article tagged United States). The tag adds nothing to
/// the score.
fn tagged(clause: Box<dyn Query>, tag: &Option<(Field, String)>) -> Box<dyn Query> {
    let Some((field, value)) = tag else {
        return clause;
    };
    let term = TermQuery::new(
        Term::from_field_text(*field, value),
        IndexRecordOption::Basic,
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, clause),
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(term), 0.0)),
        ),
    ]))
}

/// Bonuses for neighbouring query words that stand close together in an article.
/// Side by side means as the query has them: with the function words typed between
/// them (`gaps[i]` before clause `i`) standing between them in the article too (`state
/// of the union`: "state", two words, "union").
fn proximity(
    f: &Fields,
    clauses: &[(Vec<Vec<String>>, bool)],
    gaps: &[usize],
) -> Vec<Box<dyn Query>> {
    // The words of the required clauses in query order, each with its clause; a clause
    // with several alternatives (a OR b, postwar / "post war") breaks the chain.
    let mut seq: Vec<(usize, String)> = Vec::new();
    let mut runs: Vec<Vec<(usize, String)>> = Vec::new();
    for (i, (alts, excluded)) in clauses.iter().enumerate() {
        if *excluded {
            continue;
        }
        // A clause of several forms chains by its first, the words as typed (a
        // word spelt another way too, or split: `retaken` is also "re-taken").
        let Some(first) = alts.first() else {
            runs.push(std::mem::take(&mut seq));
            continue;
        };
        seq.extend(first.iter().map(|w| (i, w.clone())));
    }
    runs.push(seq);
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    for run in runs {
        for pair in run.windows(2) {
            let ((ca, a), (cb, b)) = (&pair[0], &pair[1]);
            if ca == cb || a == b {
                continue; // within a phrase or a hyphenated word: already required
            }
            let words = [a.clone(), b.clone()];
            let gap = if cb == &(ca + 1) {
                gaps.get(*cb).copied().unwrap_or(0)
            } else {
                0
            };
            let adjacent: Box<dyn Query> = if gap == 0 {
                in_field(f.body, &words, 0)
            } else {
                Box::new(PhraseQuery::new_with_offset(vec![
                    (0, Term::from_field_text(f.body, a)),
                    (gap + 1, Term::from_field_text(f.body, b)),
                ]))
            };
            out.push(boosted(adjacent, weights::BODY_ADJACENT));
            out.push(boosted(
                in_field(f.body, &words, weights::NEAR_SLOP),
                weights::BODY_NEAR,
            ));
            out.push(boosted(
                in_field(f.title, &words, weights::TITLE_SLOP),
                weights::TITLE_NEAR,
            ));
        }
        let mut words: Vec<String> = Vec::new();
        for (_, w) in &run {
            if !words.contains(w) {
                words.push(w.clone());
            }
        }
        let clauses_in_run = run
            .iter()
            .map(|(c, _)| *c)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        if clauses_in_run >= 3 && words.len() <= 8 {
            // Within NEAR_SLOP words of each other, in any order: a span of the first to
            // the last of at most (NEAR_SLOP + 1) places for each word after the first.
            let span = (weights::NEAR_SLOP + 1) * (words.len() as u32 - 1);
            let terms = words.iter().map(|w| Term::from_field_text(f.body, w));
            out.push(boosted(
                Box::new(super::near::AllNear::new(terms.collect(), span)),
                weights::BODY_ALL_NEAR,
            ));
        }
    }
    out
}

fn news_query(idx: &NewsIndex, cleaned: &str) -> Option<Scored> {
    let f = &idx.fields;
    let dict = Dict {
        searcher: idx.searcher().ok(),
        f,
    };
    let mut stem = news_analyzer();
    let mut fold = folder();
    // A clause keeps its place even when none of its pieces can match (a word too long
    // to be indexed): it then matches nothing, where dropping it would widen the query.
    // Only a clause with nothing searchable in it (`--`, `!!`) is dropped.
    let mut extras: Vec<(Vec<Vec<String>>, bool)> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    // An abbreviation typed in capitals, alone in its clause and required (`US`, `WHO`):
    // the tag it names, which an article must hold for the clause (`tagged`).
    let mut tags: Vec<Option<(Field, String)>> = Vec::new();
    let (mut parsed, mut dropped) =
        without_function_words_gaps(countries_after_the(idx, parse(cleaned)));
    if parsed.len() > LONG_QUERY {
        // A clause typed again adds nothing a search of this length can use, and each
        // costs what the first did (a prefix is looked up in the term dictionary).
        let mut seen = std::collections::HashSet::new();
        let keep: Vec<bool> = parsed
            .iter()
            .map(|c| seen.insert(format!("{c:?}")))
            .collect();
        let mut k = keep.iter();
        parsed.retain(|_| *k.next().unwrap_or(&true));
        let mut k = keep.iter();
        dropped.retain(|_| *k.next().unwrap_or(&true));
    }
    // Function words before each clause kept (a clause left out, nothing in it indexed,
    // passes on the ones before it).
    let mut gaps: Vec<usize> = Vec::new();
    let mut carried = 0;
    let clauses: Vec<(Vec<Vec<String>>, bool)> = parsed
        .iter()
        .zip(&dropped)
        .filter_map(|(c, &gap)| {
            let mut alts: Vec<Vec<String>> = Vec::new();
            let mut extra: Vec<Vec<String>> = Vec::new();
            let mut unmatchable = false;
            for p in &c.pieces {
                let Some(forms) = alternatives(p, &mut stem, &mut fold, &dict) else {
                    unmatchable = true;
                    continue;
                };
                for a in forms {
                    if matches!(p, Piece::Phrase(_)) {
                        for e in possessive_forms(&a) {
                            if !extra.contains(&e) {
                                extra.push(e);
                            }
                        }
                    }
                    if !alts.contains(&a) {
                        alts.push(a);
                    }
                }
            }
            let keep = unmatchable || !alts.is_empty();
            if keep {
                extras.push((extra, c.title_only));
                labels.push(typed(c));
                tags.push(clause_tag(idx, c).map(|a| (a.field, a.tag)));
                gaps.push(carried + gap);
                carried = 0;
            } else {
                carried += gap;
            }
            keep.then_some((alts, c.excluded))
        })
        .collect();
    if clauses.is_empty() {
        return None;
    }
    let required: Vec<Box<dyn Query>> = clauses
        .iter()
        .zip(&extras)
        .zip(&tags)
        .filter(|(((_, ex), _), _)| !ex)
        .map(|(((alts, _), (extra, t)), tag)| tagged(clause_query(f, alts, extra, *t), tag))
        .collect();
    let required_typed: Vec<(String, Box<dyn Query>)> = clauses
        .iter()
        .zip(&labels)
        .filter(|((_, ex), _)| !ex)
        .map(|(_, label)| label.clone())
        .zip(required.iter().map(|q| q.box_clone()))
        .collect();
    let excluded: Vec<Box<dyn Query>> = clauses
        .iter()
        .zip(&extras)
        .filter(|((_, ex), _)| *ex)
        .map(|((alts, _), (extra, t))| clause_query(f, alts, extra, *t))
        .collect();
    // A title-only clause is left out of the bonuses (most are body phrases), and
    // breaks the chain of neighbouring words like a clause of several forms.
    let chain: Vec<(Vec<Vec<String>>, bool)> = clauses
        .iter()
        .zip(&extras)
        .map(|(c, (_, t))| if *t { (Vec::new(), c.1) } else { c.clone() })
        .collect();
    let bonus = proximity(f, &chain, &gaps);
    let words: Vec<super::bm25f::Word> = clauses
        .iter()
        .zip(&extras)
        .filter(|((_, ex), _)| !ex)
        .map(|((alts, _), (_, title_only))| {
            let mut terms: Vec<String> = Vec::new();
            for w in alts.iter().flatten() {
                if !terms.contains(w) {
                    terms.push(w.clone());
                }
            }
            super::bm25f::Word {
                terms,
                forms: alts.clone(),
                title_only: *title_only,
            }
        })
        .collect();

    let mut strict: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if required.is_empty() {
        strict.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
    }
    strict.extend(required.iter().map(|q| (Occur::Must, q.box_clone())));
    strict.extend(excluded.iter().map(|q| (Occur::MustNot, q.box_clone())));
    let strict: Box<dyn Query> = Box::new(BooleanQuery::new(strict));
    let bonus_queries: Vec<Box<dyn Query>> = bonus.iter().map(|q| q.box_clone()).collect();

    let any = (required.len() >= 2).then(|| any_word(f, dict.searcher.as_ref(), &words));
    let excluded_queries: Vec<Box<dyn Query>> = excluded.iter().map(|q| q.box_clone()).collect();
    let partial = if required.len() >= 2 {
        let least = super::partial_least(required.len());
        let some = BooleanQuery::union_with_minimum_required_clauses(required, least);
        let mut p: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(some))];
        p.extend(bonus.into_iter().map(|q| (Occur::Should, q)));
        p.extend(excluded.into_iter().map(|q| (Occur::MustNot, q)));
        p.push((Occur::MustNot, strict.box_clone()));
        Some(Box::new(BooleanQuery::new(p)) as Box<dyn Query>)
    } else {
        None
    };
    Some(Scored {
        strict,
        partial,
        bonus: bonus_queries,
        words,
        any,
        required: required_typed,
        excluded: excluded_queries,
    })
}

/// English function words: articles, pronouns, prepositions, conjunctions and
/// auxiliary verbs (sorted). They say how a sentence is built, not what it is about,
/// and nearly every article holds them. Left out: words that are also names or carry
/// meaning in a query (`us`, `may`, `no`, `not`, `up`, `down`, `out`, `off`).
const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "after", "against", "am", "an", "and", "any", "are", "as", "at", "be", "been",
    "before", "being", "between", "but", "by", "can", "could", "did", "do", "does", "during",
    "each", "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers", "him",
    "his", "how", "i", "if", "in", "into", "is", "its", "me", "might", "must", "my", "of", "on",
    "onto", "or", "our", "ours", "over", "shall", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "under", "upon", "very", "was", "we", "were", "what", "when", "where", "which", "who",
    "whom", "whose", "why", "will", "with", "would", "you", "your",
];

/// Whether a word is typed in capitals, two letters or more (`IS`, `WHO`, `COP`): an
/// abbreviation, not the word in lower case.
pub(crate) fn in_capitals(typed: &str) -> bool {
    typed.chars().count() > 1 && typed.chars().all(|c| c.is_uppercase())
}

/// A word of [`FUNCTION_WORDS`] as typed; one in capitals (`IS`, `WHO`, `IT`) is an
/// acronym, not a function word.
pub(crate) fn is_function_word(typed: &str) -> bool {
    !in_capitals(typed)
        && FUNCTION_WORDS
            .binary_search(&typed.to_lowercase().as_str())
            .is_ok()
}

/// The clauses without the function words typed as words of their own: `will robots
/// take our jobs?` requires robots, take and jobs, not an article that also holds
/// "will" and "our". A function word is kept in a phrase (`"mother and baby home"`),
/// with `title:`, excluded, in `a OR b`, and where the query has no other word
/// (`the who`).
fn without_function_words(clauses: Vec<Clause>) -> Vec<Clause> {
    without_function_words_gaps(clauses).0
}

/// [`without_function_words`], with how many function words stood just before each
/// clause kept (`state of the union`: union after two): where its words stand from
/// the previous clause's in the query, as they would in an article.
fn without_function_words_gaps(clauses: Vec<Clause>) -> (Vec<Clause>, Vec<usize>) {
    let function =
        |c: &Clause| !c.excluded && !c.title_only && single_word(c).is_some_and(is_function_word);
    // "how many", "how much", "how long": the question's words for a number, read as
    // the function words are, not as its subject.
    let mut after_how = false;
    let leave_out: Vec<bool> = clauses
        .iter()
        .map(|c| {
            let quantity = after_how
                && !c.excluded
                && !c.title_only
                && single_word(c).is_some_and(|w| QUANTITY.contains(&w.to_lowercase().as_str()));
            let f = function(c);
            after_how = f && single_word(c).is_some_and(|w| w.eq_ignore_ascii_case("how"));
            f || quantity
        })
        .collect();
    // Nothing would be left but words of how a sentence is built ("to be or not to
    // be", "what is up", "how many"): the query is its words.
    let structural = |c: &Clause| {
        single_word(c).is_some_and(|w| CARRY_MEANING.contains(&w.to_lowercase().as_str()))
    };
    if clauses
        .iter()
        .zip(&leave_out)
        .all(|(c, &d)| c.excluded || d || structural(c))
    {
        let n = clauses.len();
        return (clauses, vec![0; n]);
    }
    let mut kept = Vec::new();
    let mut gaps = Vec::new();
    let mut dropped = 0;
    for (c, d) in clauses.into_iter().zip(leave_out) {
        if d {
            dropped += 1;
        } else {
            kept.push(c);
            gaps.push(std::mem::take(&mut dropped));
        }
    }
    (kept, gaps)
}

/// A country's name that is written in capitals, typed in lower case after "the" (`did
/// the us bomb…`, `the uk economy`): after the article it can be nothing else ("us" the
/// pronoun never follows "the"), so it is read as typed in capitals (`abbreviation`).
fn countries_after_the(idx: &NewsIndex, mut clauses: Vec<Clause>) -> Vec<Clause> {
    for i in 1..clauses.len() {
        let after_the = single_word(&clauses[i - 1]).is_some_and(|w| w.eq_ignore_ascii_case("the"))
            && !clauses[i - 1].excluded;
        let c = &clauses[i];
        let Some(w) = single_word(c).filter(|_| after_the && !c.excluded && !c.title_only) else {
            continue;
        };
        // (`the us's role`: the possessive is the country's too.)
        let w = strip_possessive(w);
        if !w.chars().all(|ch| ch.is_ascii_lowercase()) {
            continue;
        }
        let upper = w.to_ascii_uppercase();
        if super::resolve::abbreviation(idx, &upper)
            .is_some_and(|a| a.kind == super::resolve::TagKind::Country)
        {
            clauses[i].pieces = vec![Piece::Word(upper)];
        }
    }
    clauses
}

/// The tag a clause names: one word, required, typed as an abbreviation in capitals
/// (`resolve::abbreviation`).
fn clause_tag(idx: &NewsIndex, c: &Clause) -> Option<super::resolve::Abbreviation> {
    match (&c.pieces[..], c.excluded, c.title_only) {
        ([Piece::Word(w)], false, false) => super::resolve::abbreviation(idx, w),
        _ => None,
    }
}

/// The words of `query` that the search reads as a tag (see [`clause_tag`] and
/// [`countries_after_the`]), each once, as typed (`the us` where "the" made it one),
/// with what they name.
pub fn abbreviations(idx: &NewsIndex, query: &str) -> Vec<(String, super::resolve::Abbreviation)> {
    let typed = parse(&clean_query(&super::tidy_operators(query)));
    let read = countries_after_the(idx, typed.clone());
    let mut out: Vec<(String, super::resolve::Abbreviation)> = Vec::new();
    for (t, r) in typed.iter().zip(&read) {
        let (Some(word), Some(a)) = (single_word(t), clause_tag(idx, r)) else {
            continue;
        };
        let rewritten = single_word(r) != Some(word);
        let word = word.strip_suffix("'s").unwrap_or(word);
        let said = if rewritten {
            format!("the {word}")
        } else {
            word.to_string()
        };
        if !out.iter().any(|(o, _)| *o == said) {
            out.push((said, a));
        }
    }
    out
}

/// The clause's one plain word, if that is all it is.
fn single_word(c: &Clause) -> Option<&str> {
    match &c.pieces[..] {
        [Piece::Word(w)] => Some(w),
        _ => None,
    }
}

/// Short words that are kept in a query (they are names or change its meaning: US,
/// "no deal", "shut down"), but that alone say too little to be the whole of it.
/// Words that ask for a number right after "how" (`how many syrian refugees are
/// there?`, `how long will…`): read as the question's words, as the function words
/// are. After any other word they are the query's words (`many rivers`, `long march`).
const QUANTITY: &[&str] = &["long", "many", "much", "often", "soon"];

const CARRY_MEANING: &[&str] = &["down", "may", "no", "not", "off", "out", "up", "us"];

/// A clause as the user typed it: `Taiwan`, `"post-war order"`, `brex*`,
/// `china OR taiwan`, `title:brexit`.
fn typed(c: &Clause) -> String {
    let field = if c.title_only { "title:" } else { "" };
    c.pieces
        .iter()
        .map(|p| match p {
            Piece::Word(w) => format!("{field}{w}"),
            Piece::Phrase(t) => format!("{field}\"{t}\""),
            Piece::Prefix(t) => format!("{field}{t}*"),
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// Any of the words: one term query per analysed term and field, weighted as the
/// strict query weighs the fields, in one flat union (the shape tantivy prunes with
/// block-max WAND; a phrase's words count one by one). Each clause is also weighed by
/// the term's idf over its idf in that field: tantivy takes the field's, by which a
/// common word is rare among the short titles (`back` in 3% of them, in 29% of the
/// articles), and the best few were title matches of the query's common words. The
/// idf is the one BM25F takes (the field holding the term in most articles), so the
/// best few are nearer the ones BM25F ranks first.
fn any_word(
    f: &Fields,
    searcher: Option<&tantivy::Searcher>,
    words: &[super::bm25f::Word],
) -> Box<dyn Query> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let docs = searcher.map_or(0, |s| s.num_docs());
    let df = |field: Field, t: &str| {
        searcher.map_or(0, |s| {
            s.doc_freq(&Term::from_field_text(field, t)).unwrap_or(0)
        })
    };
    for w in words {
        let fields = word_fields(f, w.title_only);
        for t in &w.terms {
            let freqs: Vec<u64> = fields.iter().map(|&(field, _)| df(field, t)).collect();
            let word_idf = super::bm25f::idf(freqs.iter().copied().max().unwrap_or(0), docs);
            for (&(field, boost), &n) in fields.iter().zip(&freqs) {
                let scale = if n > 0 && docs > 0 {
                    word_idf / super::bm25f::idf(n, docs)
                } else {
                    1.0
                };
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        in_field(field, std::slice::from_ref(t), 0),
                        boost * scale,
                    )),
                ));
            }
        }
    }
    Box::new(BooleanQuery::new(should))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_numbers_split_as_they_are_written_apart() {
        let parts = |w: &str| code_parts(w).map(|p| p.join(" "));
        assert_eq!(parts("f35").as_deref(), Some("f 35"));
        assert_eq!(parts("su35").as_deref(), Some("su 35"));
        assert_eq!(parts("g20").as_deref(), Some("g 20"));
        assert_eq!(parts("1000").as_deref(), Some("1 000"));
        assert_eq!(parts("25000").as_deref(), Some("25 000"));
        assert_eq!(parts("1500000").as_deref(), Some("1 500 000"));
        for w in ["brexit", "2017x", "123", "0123", "1234567890", "f-35"] {
            if w == "2017x" {
                assert_eq!(parts(w).as_deref(), Some("2017 x"));
            } else {
                assert_eq!(parts(w), None, "{w}");
            }
        }
    }

    #[test]
    fn a_minus_after_title_excludes_from_titles() {
        let c = parse(&clean_query("trump title:-russia"));
        assert_eq!(c.len(), 2, "{c:?}");
        assert!(c[1].excluded && c[1].title_only, "{c:?}");
        assert_eq!(c[1].pieces, vec![Piece::Word("russia".into())]);
    }

    #[test]
    fn an_excluded_word_is_no_alternative() {
        for q in ["trump OR -putin", "-putin OR trump"] {
            let mut c = parse(&clean_query(q));
            c.sort_by_key(|c| c.excluded);
            assert_eq!(c.len(), 2, "{q}: {c:?}");
            assert_eq!(c[0].pieces, vec![Piece::Word("trump".into())], "{q}");
            assert!(!c[0].excluded && c[1].excluded, "{q}");
        }
    }

    #[test]
    fn a_dash_before_a_word_is_a_minus() {
        assert_eq!(clean_query("trump \u{2014}tariffs"), "trump -tariffs");
        assert_eq!(clean_query("trump \u{2212}source:cnn"), "trump -source:cnn");
        // Between words, or standing alone, it stays.
        assert_eq!(clean_query("1990\u{2013}2000"), "1990\u{2013}2000");
        assert_eq!(clean_query("a \u{2014} b"), "a \u{2014} b");
    }

    fn words(c: &Clause) -> Vec<&str> {
        c.pieces
            .iter()
            .map(|p| match p {
                Piece::Word(w) | Piece::Phrase(w) | Piece::Prefix(w) => w.as_str(),
            })
            .collect()
    }

    #[test]
    fn parse_reads_words_phrases_exclusions_and_or() {
        let c = parse(&clean_query(
            "Xi’s “one China” -Taiwan trade OR tariffs (war)",
        ));
        assert_eq!(c.len(), 5);
        assert_eq!(words(&c[0]), ["Xi's"]);
        assert_eq!(c[1].pieces, vec![Piece::Phrase("one China".into())]);
        assert!(c[2].excluded);
        assert_eq!(words(&c[3]), ["trade", "tariffs"]);
        assert_eq!(words(&c[4]), ["war"]);
    }

    #[test]
    fn function_words_are_not_required_unless_quoted_or_alone() {
        assert!(FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]), "sorted");
        let kept = |q: &str| -> Vec<String> {
            clauses(q)
                .iter()
                .map(|c| words(c).join("|") + if c.excluded { "-" } else { "" })
                .collect()
        };
        assert_eq!(
            kept("will robots take our jobs?"),
            ["robots", "take", "jobs"]
        );
        assert_eq!(
            kept("Irish border After Brexit"),
            ["Irish", "border", "Brexit"]
        );
        // Acronyms, phrases, title:, exclusions and OR keep them.
        assert_eq!(kept("IS attack WHO"), ["IS", "attack", "WHO"]);
        assert_eq!(
            kept("\"mother and baby\" home"),
            ["mother and baby", "home"]
        );
        assert_eq!(kept("title:the brexit -the"), ["the", "brexit", "the-"]);
        assert_eq!(kept("the OR a brexit"), ["the|a", "brexit"]);
        // Nothing but function words: all of them stay.
        assert_eq!(kept("the who"), ["the", "who"]);
        assert_eq!(kept("to be -or"), ["to", "be", "or-"]);
        // … nor where all that would be left are short words kept for their meaning.
        assert_eq!(
            kept("to be or not to be"),
            ["to", "be", "or", "not", "to", "be"]
        );
        assert_eq!(kept("what is up"), ["what", "is", "up"]);
        // "how many" asks for a number; "many" elsewhere is a word of the query.
        assert_eq!(
            kept("how many syrian refugees are there?"),
            ["syrian", "refugees"]
        );
        assert_eq!(kept("How Long will brexit take"), ["brexit", "take"]);
        assert_eq!(kept("many rivers"), ["many", "rivers"]);
        assert_eq!(kept("how \"many\" refugees"), ["many", "refugees"]);
        assert_eq!(kept("how many"), ["how", "many"]);
        // Words that are also names or carry meaning are never left out.
        assert_eq!(kept("us may no deal"), ["us", "may", "no", "deal"]);
        // How many were left out before each clause kept.
        let gaps = |q: &str| without_function_words_gaps(parse(q)).1;
        assert_eq!(gaps("will robots take our jobs?"), [1, 0, 1]);
        assert_eq!(gaps("state of the union"), [0, 2]);
        assert_eq!(gaps("the who"), [0, 0]);
    }

    #[test]
    fn a_trailing_star_is_a_prefix() {
        let c = parse(&clean_query("brex* (nato*) * -*"));
        assert_eq!(c[0].pieces, vec![Piece::Prefix("brex".into())]);
        assert_eq!(c[1].pieces, vec![Piece::Word("nato".into())]);
        assert_eq!(c.len(), 2);
        // In quotes, one word with a star is the prefix; a phrase keeps its star.
        let c = parse(&clean_query("\"brex*\" title:\"brex*\" \"brexit bill*\""));
        assert_eq!(c[0].pieces, vec![Piece::Prefix("brex".into())]);
        assert_eq!(c[1].pieces, vec![Piece::Prefix("brex".into())]);
        assert!(c[1].title_only);
        assert_eq!(c[2].pieces, vec![Piece::Phrase("brexit bill*".into())]);
    }

    #[test]
    fn title_field_restricts_a_word_or_phrase() {
        let c = parse(&clean_query(
            "title:Brexit -TITLE:\"single market\" title:brex* talks",
        ));
        assert_eq!(c.len(), 4);
        assert!(c[0].title_only && !c[0].excluded);
        assert_eq!(c[0].pieces, vec![Piece::Word("Brexit".into())]);
        assert!(c[1].title_only && c[1].excluded);
        assert_eq!(c[1].pieces, vec![Piece::Phrase("single market".into())]);
        assert_eq!(c[2].pieces, vec![Piece::Prefix("brex".into())]);
        assert!(c[2].title_only);
        assert!(!c[3].title_only);
    }

    #[test]
    fn title_field_restricts_a_group_in_parentheses() {
        let c = parse(&clean_query(
            "title:(brexit OR \"single market\") talks -title:(may OR trump) title:(nato)",
        ));
        assert_eq!(c.len(), 5, "{c:?}");
        assert!(c[0].title_only && !c[0].excluded);
        assert_eq!(
            c[0].pieces,
            vec![
                Piece::Word("brexit".into()),
                Piece::Phrase("single market".into())
            ]
        );
        assert!(!c[1].title_only && !c[1].excluded);
        assert!(c[2].title_only && c[2].excluded);
        assert!(c[3].title_only && c[3].excluded);
        assert_eq!(c[3].pieces, vec![Piece::Word("trump".into())]);
        assert!(c[4].title_only && !c[4].excluded);
        assert_eq!(c[4].pieces, vec![Piece::Word("nato".into())]);
        // An opening parenthesis apart from its first word, then a phrase.
        let c = parse(&clean_query("title:( \"white house\" ) visit"));
        assert!(c[0].title_only, "{c:?}");
        assert!(!c[1].title_only, "{c:?}");
    }

    #[test]
    fn odd_quote_closes_at_the_end() {
        let c = parse(&clean_query("Taiwan \"post-war order"));
        assert_eq!(c[1].pieces, vec![Piece::Phrase("post-war order".into())]);
    }

    #[test]
    fn possessive_is_dropped() {
        assert_eq!(strip_possessive("Xi's"), "Xi");
        assert_eq!(strip_possessive("'s"), "'s");
        assert_eq!(strip_possessive("O'Neill"), "O'Neill");
    }

    #[test]
    fn phrases_also_try_a_possessive_s_in_each_gap() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            possessive_forms(&w(&["taiwan", "return"])),
            vec![w(&["taiwan", "s", "return"])]
        );
        assert_eq!(possessive_forms(&w(&["xi", "visit", "talk"])).len(), 3);
        assert!(possessive_forms(&w(&["xi"])).is_empty());
        assert_eq!(
            possessive_forms(&w(&["a", "b", "c", "d", "e", "f"])).len(),
            5
        );
    }
}
