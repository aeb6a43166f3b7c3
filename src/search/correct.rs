//! Typo tolerance: a query word the index does not hold, or holds far more rarely than
//! a close word, is replaced by that word (`merkle` → `merkel`, `erdogn` → `erdogan`).
//!
//! Only plain words are corrected (not phrases, prefixes, excluded words, fields
//! other than `title:`,
//! words with digits, or two words run together that the search reads as the two:
//! `lepen`), and only from five letters: one edit from 5 letters, two from 9
//! (Meilisearch's rule; a swap of two neighbouring letters is one edit), keeping the
//! first letter. For a word the index does not hold at all (as typed it finds nothing),
//! a typo in the first letter is looked for too, and taken where no candidate keeps the
//! first letter or where it finds ten times as many articles: a dropped first letter
//! (`ndian` → `indian`), and from nine letters, where two edits are allowed (a typo
//! there counts as two, as in Meilisearch), a changed or added one (`Cenezuela` →
//! `Venezuela`); below nine letters a changed or added first letter only where no word
//! keeps it, and beside other words that then find articles (`vaghdad car bomb` →
//! `baghdad car bomb`; `aussie` alone or beside others that find none stands). Candidates
//! come from the term dictionary through a Levenshtein automaton (tantivy's
//! `FuzzyTermQuery::automaton`, intersected with each segment's FST), so no term list
//! is scanned; a one-edit variant that the stemmer cuts to another word's stem must
//! be written in the archive (`mosqe` is `mosque`, not `moste`, stemmed as `most`).
//! Among them the closest wins, then the word found in most articles, then
//! a word that is a gazetteer name (a country, leader, organisation or place). Beside
//! other words, the query chooses among a misspelt word's close words: the one with
//! which it finds most articles holding every word (`gaza strik` is `gaza strip`,
//! `strik` alone `strike`); where none finds any, the likeliest alone stands.
//! A word found in the index is looked at only when it is rare: in at most
//! [`FEW`] articles, where the candidate must be in ten times as many; beside other
//! words, only where the query finds no article as typed and does with the candidate
//! (or, for a candidate that is the word less its last letter, `gardai` → `garda`,
//! where it finds none as typed), and then twice as many suffice (`storm dorris`; a
//! word typed with a capital, a name, or an English word only so: `Rosling` and
//! `sturdy` alone stand); one edit away,
//! and its stem one edit from the word's own (`zealandia` is not `zealandic`, indexed as
//! `zealand`). The gazetteer is loaded only when there is a candidate to weigh.

use crate::enrich::gazetteer::levenshtein;
use crate::enrich::Gazetteer;
use crate::index::schema::news_analyzer;
use crate::index::NewsIndex;
use crate::search::rank::{folder, tokens};
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::query::{FuzzyTermQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

/// A word found in at most this many articles may still be a typo.
pub const FEW: u64 = 3;
/// … when a close word is found in this many times as many.
const RATIO: u64 = 10;

/// The edits a word of this many letters may be away from its correction.
pub fn max_edits(letters: usize) -> u8 {
    match letters {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// A query with some of its words corrected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    /// The query as it will be searched.
    pub query: String,
    /// (as typed, as searched) for each corrected word.
    pub changes: Vec<(String, String)>,
}

/// The query with its misspelt words corrected, or `None` when every word stands.
pub fn correct(idx: &NewsIndex, query: &str) -> Option<Corrected> {
    correct_keeping(idx, query, &[])
}

/// [`correct`], leaving `keep` as typed (any case): the words of a field's value
/// (`country:american samoa`), which are names, not words to search.
pub fn correct_keeping(idx: &NewsIndex, query: &str, keep: &[String]) -> Option<Corrected> {
    let searcher = idx.searcher().ok()?;
    let mut stem = news_analyzer();
    let mut fold = folder();
    let mut changes = Vec::new();
    let mut out: Vec<String> = Vec::new();
    // Corrections that need the query's context: (token's place, as typed, as
    // searched, what it needs).
    let mut in_context: Vec<(usize, String, String, Need)> = Vec::new();
    // Words corrected that have other close words: (token's place, its change, the
    // token as typed, the other words).
    let mut choices: Vec<(usize, usize, String, Vec<String>)> = Vec::new();
    let mut in_phrase = false;
    let mut seen: HashMap<String, Option<Vec<Fix>>> = HashMap::new();
    // Places of a word typed again, with the word.
    let mut repeats: Vec<(usize, String)> = Vec::new();
    // Curly quotes straightened, so a phrase in them is seen as one (and not corrected).
    let query = crate::search::rank::clean_query(query);
    for (i, token) in query.split(' ').enumerate() {
        let quotes = token.matches('"').count();
        let skip = in_phrase || quotes > 0;
        if quotes % 2 == 1 {
            in_phrase = !in_phrase;
        }
        // A word in the title (`title:Merkle`, `title:(Merkle`) is corrected as a word.
        let unfielded = crate::search::rank::strip_title(token).unwrap_or(token);
        let core = unfielded.trim_matches(|c: char| !c.is_alphanumeric());
        // A possessive is searched as its word (`merkle's` as `merkle`): so corrected.
        let core = core.strip_suffix("'s").unwrap_or(core);
        let plain = !skip
            && !keep.iter().any(|k| k.eq_ignore_ascii_case(core))
            && !token.starts_with('-')
            && !unfielded.contains(['*', ':'])
            && !matches!(token, "OR" | "AND" | "NOT")
            && !core.is_empty()
            && core.chars().all(char::is_alphabetic);
        // Each word is looked at once: a query that repeats a word (ten thousand times,
        // it may be) costs what the word alone costs, its repeats following the first.
        if plain && seen.contains_key(core) {
            repeats.push((i, core.to_string()));
            out.push(token.to_string());
            continue;
        }
        // Past MAX_WORDS different words (a pasted paragraph), the rest stand.
        let plain = plain && seen.len() < MAX_WORDS;
        let fixed = plain
            .then(|| {
                seen.entry(core.to_string())
                    .or_insert_with(|| fix_word(&searcher, idx, core, &mut stem, &mut fold))
                    .clone()
            })
            .flatten();
        match fixed.as_deref() {
            Some([(word, Need::Nothing), rest @ ..]) => {
                out.push(replaced(token, core, word));
                changes.push((core.to_string(), word.clone()));
                let rest: Vec<String> = rest.iter().map(|(w, _)| w.clone()).collect();
                if !rest.is_empty() {
                    choices.push((i, changes.len() - 1, token.to_string(), rest));
                }
            }
            Some([(word, need), ..]) => {
                in_context.push((i, core.to_string(), word.clone(), *need));
                out.push(token.to_string());
            }
            _ => out.push(token.to_string()),
        }
    }
    // A misspelt word with several close words: the query's other words choose the
    // one that finds most articles holding them all (`philippines teath penalty`:
    // `death`, not the more frequent `teach`; `bus eireann strie`: `strike`, not
    // `storie`). Where none finds any, the likeliest alone stands.
    // (A word typed again is counted once, as its first place has it.)
    let again: std::collections::HashSet<usize> = repeats.iter().map(|r| r.0).collect();
    let count = |words: &[String]| {
        let once: Vec<&str> = (0..words.len())
            .filter(|i| !again.contains(i))
            .map(|i| words[i].as_str())
            .collect();
        full_matches(idx, &searcher, &once.join(" "))
    };
    if out.len() >= 2 {
        for (i, change, token, rest) in choices {
            let core = changes[change].0.clone();
            let mut best = (count(&out), None);
            for word in rest {
                let mut alt = out.clone();
                alt[i] = replaced(&token, &core, &word);
                let n = count(&alt);
                if n > best.0 {
                    best = (n, Some((alt, word)));
                }
            }
            if let (_, Some((alt, word))) = best {
                out = alt;
                changes[change].1 = word;
            }
        }
    }
    // The corrections the query's other words must bear out (see [`Need`]).
    // (Alone beside excluded words and fields: `nunez -tariffs` as `nunez`.)
    let alone = out
        .iter()
        .filter(|t| !t.starts_with('-') && !t.contains(':'))
        .count()
        == 1;
    for (i, core, word, need) in in_context {
        let mut alt = out.clone();
        alt[i] = replaced(&out[i], &core, &word);
        let take = match need {
            Need::Nothing => true,
            Need::KeepsMatches if alone => true,
            Need::Ending { alone: taken } if alone => taken,
            _ if alone => false,
            // A word that finds articles with the others stands (`cremated remains`
            // is not `created remains`, `hans rosling` not `hans rolling`), and so
            // does one whose correction finds none either: the query's relevant
            // articles may say its other words otherwise, and a real word the archive
            // holds rarely is then its best clue (`maori sacred waterway granted
            // personhood` is not `mari …`, `cellphone charger bathtub death` not
            // `… charter …`).
            Need::KeepsMatches | Need::SomeMatch => count(&out) == 0 && count(&alt) > 0,
            // One letter more than a frequent word is its inflection or a typo at its
            // end (`gardai`, the plural of garda): the close word is the same word.
            Need::Ending { .. } => count(&out) == 0,
        };
        if take {
            out = alt;
            changes.push((core, word));
        }
    }
    for (i, core) in repeats {
        if let Some((_, word)) = changes.iter().find(|c| c.0 == core) {
            out[i] = replaced(&out[i], &core, word);
        }
    }
    (!changes.is_empty()).then_some(Corrected {
        query: out.join(" "),
        changes,
    })
}

/// For a query that found nothing: each word of four letters or more that no article
/// holds, with the closest word the archive writes within two edits (further than a
/// correction goes: `guterez` → `Guterres`) and how many articles hold it. Offered,
/// not searched.
pub fn suggestions(idx: &NewsIndex, query: &str) -> Vec<(String, String, u64)> {
    let Ok(searcher) = idx.searcher() else {
        return Vec::new();
    };
    let mut stem = news_analyzer();
    let mut fold = folder();
    let mut out: Vec<(String, String, u64)> = Vec::new();
    let query = crate::search::rank::clean_query(query);
    for token in query.split_whitespace().take(MAX_WORDS) {
        if token.starts_with('-') || token.contains([':', '*']) {
            continue;
        }
        let core = token.trim_matches(|c: char| !c.is_alphanumeric());
        let core = core.strip_suffix("'s").unwrap_or(core);
        if core.chars().count() < 4
            || !core.chars().all(char::is_alphabetic)
            || out.iter().any(|o| o.0 == core)
        {
            continue;
        }
        let (folded, stemmed) = (tokens(&mut fold, core), tokens(&mut stem, core));
        let ([folded], [stemmed]) = (folded.as_slice(), stemmed.as_slice()) else {
            continue;
        };
        if doc_freq(&searcher, idx, stemmed) > 0 {
            continue;
        }
        let mut close: Vec<(String, u64)> = near(&searcher, idx, folded, 2)
            .into_iter()
            .filter(|(t, _)| t.chars().all(char::is_alphabetic))
            .collect();
        close.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        // Of the three found in most articles, and the three that keep the typed
        // word's first letter, the written word closest to the typed; between two as
        // close, the one that keeps the first letter (`lybya`: Libya, not Syria).
        let first = folded.chars().next();
        let mut looked: Vec<&(String, u64)> = close.iter().take(3).collect();
        for c in close.iter().filter(|c| c.0.chars().next() == first).take(3) {
            if !looked.contains(&c) {
                looked.push(c);
            }
        }
        let best = looked
            .into_iter()
            .filter_map(|(t, n)| {
                let w = closest_written(&searcher, idx, t, folded, &mut stem, &mut fold)?;
                let other_first = w.chars().next() != first;
                Some((levenshtein(&w, folded), other_first, w, *n))
            })
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(b.3.cmp(&a.3)));
        if let Some((d, _, w, _)) = best {
            // How many articles hold it (the fields' counts above add up an article
            // with it in two).
            let n = full_matches(idx, &searcher, &w) as u64;
            if d <= 2 && n > 0 {
                out.push((core.to_string(), w, n));
            }
        }
    }
    out
}

/// A query's different words looked at for typos: past them (a pasted paragraph) the
/// words stand, and the search does not wait on a correction of each.
const MAX_WORDS: usize = 32;

/// How many close words of a misspelt word the query's other words choose among.
const ALTERNATIVES: usize = 6;

/// A rare word the index holds is taken for a close word in this many times as many
/// articles (not [`RATIO`]) only in its query's context.
const CONTEXT_RATIO: u64 = 2;

/// Is `word` (lower case) an English word: in the Wordnik word list (`wordnik_list`,
/// some 200,000 words, inflected forms included; no names).
fn english_word(word: &str) -> bool {
    word.is_ascii() && wordnik_list::word_exists(word)
}

/// `token` with its word `core` replaced by `word`, the marks around it kept.
fn replaced(token: &str, core: &str, word: &str) -> String {
    let start = token.rfind(core).unwrap_or(0);
    format!("{}{word}{}", &token[..start], &token[start + core.len()..])
}

/// How many articles hold every word of `query` (its strict query, no filters).
fn full_matches(idx: &NewsIndex, s: &Searcher, query: &str) -> usize {
    crate::search::rank::text_query(idx, query, crate::search::rank::Ranking::News)
        .and_then(|q| s.search(&*q, &tantivy::collector::Count).ok())
        .unwrap_or(0)
}

/// Articles holding the term in the title, the subtitle or the body (an article with
/// it in two counts twice: this only compares words).
fn doc_freq(s: &Searcher, idx: &NewsIndex, term: &str) -> u64 {
    [idx.fields.title, idx.fields.subtitle, idx.fields.body]
        .iter()
        .map(|&f| s.doc_freq(&Term::from_field_text(f, term)).unwrap_or(0))
        .sum()
}

/// The indexed words within `edits` of `word`, with how many articles hold each.
fn near(s: &Searcher, idx: &NewsIndex, word: &str, edits: u8) -> HashMap<String, u64> {
    let mut out: HashMap<String, u64> = HashMap::new();
    for field in [idx.fields.title, idx.fields.subtitle, idx.fields.body] {
        let q = FuzzyTermQuery::new(Term::from_field_text(field, word), edits, true);
        for seg in s.segment_readers() {
            let (Ok(inv), Ok(automaton)) = (seg.inverted_index(field), q.automaton()) else {
                continue;
            };
            let Ok(mut stream) = inv.terms().search(automaton).into_stream() else {
                continue;
            };
            while stream.advance() {
                if let Ok(t) = std::str::from_utf8(stream.key()) {
                    *out.entry(t.to_string()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    out
}

/// Every word of a gazetteer name, by its stem → the word folded (`merkel` →
/// `merkel`, `erdogan` → `erdogan`).
fn gazetteer_words() -> &'static HashMap<String, String> {
    static WORDS: std::sync::OnceLock<HashMap<String, String>> = std::sync::OnceLock::new();
    WORDS.get_or_init(build_gazetteer_words)
}

fn build_gazetteer_words() -> HashMap<String, String> {
    let stem = &mut news_analyzer();
    let g = Gazetteer::shipped();
    let mut out = HashMap::new();
    let mut add = |name: &str| {
        for w in crate::search::resolve::fold(name).split_whitespace() {
            if w.chars().count() >= 4 && w.chars().all(char::is_alphabetic) {
                if let Some(s) = tokens(stem, w).pop() {
                    out.entry(s).or_insert_with(|| w.to_string());
                }
            }
        }
    };
    for c in &g.countries {
        add(&c.name);
        c.aliases
            .iter()
            .chain(&c.demonyms)
            .chain(&c.capitals)
            .for_each(|a| add(a));
    }
    for l in &g.leaders {
        add(&l.name);
        l.aliases.iter().for_each(|a| add(a));
    }
    for o in &g.orgs {
        add(&o.name);
        o.aliases.iter().for_each(|a| add(a));
    }
    for p in &g.places {
        add(&p.name);
    }
    out
}

/// What a correction needs of the query's other words to be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Nothing: the word as typed is not in the archive, and the correction keeps its
    /// first letter or is one the rules allow (a dropped one, from nine letters a
    /// changed one).
    Nothing,
    /// Alone, nothing; beside other words, that the query as typed finds no article
    /// holding every word and with it some do: a word the archive holds, rarely, taken
    /// for one in [`RATIO`] times as many articles, is not taken away from the
    /// articles it finds with the others (`taoiseach leadership heave` and `cremated
    /// remains` stand; `gardai inflated drink driving tests`, none as typed, is
    /// searched as `garda`), nor from a query that finds none either way.
    KeepsMatches,
    /// Beside other words, that the query as typed finds no article holding every word
    /// and with it some do; alone it stands. A word the archive holds taken for one in
    /// [`CONTEXT_RATIO`] times as many articles (`storm dorris`: "Dorris" is a name in
    /// the archive, but no article holds it with "storm"), and below nine letters a
    /// changed first letter (`vaghdad car bomb`; `aussie` is not `pussie`).
    SomeMatch,
    /// Beside other words, that the query as typed finds no article holding every
    /// word: the word is a close word in ten times as many articles with one letter
    /// added at its end, an inflection of it or a typo there (`gardai inflated drink
    /// driving tests` is searched as `garda`, the word its articles use, though no
    /// article holds every word either way). Alone, taken unless the word is one of
    /// the language's (`alone: false`).
    Ending { alone: bool },
}

/// A correction: the word to search, and what it needs to be taken.
type Fix = (String, Need);

/// The corrections of `word`, the likeliest alone first (see [`preference`] and the
/// first-letter rules), then the other close words (up to [`ALTERNATIVES`]), for the
/// query's other words to choose among.
fn fix_word(
    s: &Searcher,
    idx: &NewsIndex,
    word: &str,
    stem: &mut tantivy::tokenizer::TextAnalyzer,
    fold: &mut tantivy::tokenizer::TextAnalyzer,
) -> Option<Vec<Fix>> {
    let folded = tokens(fold, word);
    let stemmed = tokens(stem, word);
    let ([folded], [stemmed]) = (folded.as_slice(), stemmed.as_slice()) else {
        return None;
    };
    let own = doc_freq(s, idx, stemmed);
    if own > FEW {
        return None;
    }
    // Two words run together (`lepen`, `northkorea`) are searched as the two.
    if crate::search::rank::splits_in_archive(idx, word) {
        return None;
    }
    // A word the index holds is taken for another only one edit away: two edits from
    // a word it is more often a word of its own (Zealandia, Zealand).
    let edits = match max_edits(folded.chars().count()) {
        e if own > 0 => e.min(1),
        e => e,
    };
    if edits == 0 {
        return None;
    }
    let enough = own.saturating_mul(CONTEXT_RATIO).max(1);
    // One edit, on the word as typed: each variant is stemmed and looked up, so a
    // word whose stem is far shorter is found (presidnet → president, indexed as
    // `presid`) and shown as a word.
    if folded.is_ascii() {
        // First the variants that keep the first letter; then, for a word the index
        // lacks, those that change it, as Meilisearch counts a typo there as two: a
        // letter put before it (a dropped first letter), and from nine letters the
        // first letter changed or dropped (`goverment` is `government`, not
        // `overment`, indexed as `over`).
        let first_kept = one_edit(folded);
        let mut first_changed: Vec<String> = Vec::new();
        // Below nine letters a changed or added first letter is over the word's budget:
        // looked for only where nothing keeps the first letter (`vaghdad` is
        // `baghdad`, `gberlin` is `berlin`), or among the close words the query's
        // other words choose from.
        let mut fallback: Vec<String> = Vec::new();
        if own == 0 {
            first_changed.extend((b'a'..=b'z').map(|c| format!("{}{folded}", c as char)));
            let rest = &folded[1..];
            let changed = (b'a'..=b'z')
                .filter(|&c| !folded.starts_with(c as char))
                .map(|c| format!("{}{rest}", c as char));
            if edits >= 2 {
                first_changed.push(rest.to_string());
                first_changed.extend(changed);
            } else {
                fallback.push(rest.to_string());
                fallback.extend(changed);
            }
        }
        // Every tier's candidates, each tier's likeliest first, with their tier.
        let mut others: Vec<(String, u64, usize)> = Vec::new();
        for (tier, variants) in [first_kept, first_changed, fallback]
            .into_iter()
            .enumerate()
        {
            // Each indexed stem found, with the variants that stem to it in the order
            // they were made, and its articles.
            let mut by_stem: HashMap<String, (Vec<String>, u64)> = HashMap::new();
            for v in variants {
                let Some(t) = tokens(stem, &v).pop() else {
                    continue;
                };
                if t == *stemmed || crate::search::rank::is_function_word(&t) {
                    continue;
                }
                // A word the index holds is only taken for another word one edit
                // away, not for a neighbour that stems onto a shorter one
                // (`zealandia` is not `zealandic`, indexed as `zealand`). Where the
                // typo made the stemmer cut the word (`aparthied`, indexed as
                // `aparthi`), a neighbour indexed as itself is one edit away as
                // typed (`apartheid`); where it did not, stems are compared
                // (`heist` is not `hesit`, the stem of hesitate).
                let cut_by_typo = folded != stemmed && t == v;
                if own > 0 && !cut_by_typo && levenshtein(&t, stemmed) > 1 {
                    continue;
                }
                if let Some((vs, _)) = by_stem.get_mut(&t) {
                    vs.push(v);
                    continue;
                }
                let n = doc_freq(s, idx, &t);
                if n >= enough {
                    by_stem.insert(t, (vec![v], n));
                }
            }
            if !by_stem.is_empty() {
                let names = gazetteer_words();
                let mut ranked: Vec<(&String, &(Vec<String>, u64))> = by_stem.iter().collect();
                ranked.sort_by(|a, b| {
                    preference(names, b.0, b.1 .1, &b.1 .0[0])
                        .cmp(&preference(names, a.0, a.1 .1, &a.1 .0[0]))
                });
                // A variant must be a word the archive writes, not only an indexed
                // stem: `mosqe` is one letter from `moste`, indexed as the frequent
                // `most`, which is two letters from it; `indie` one from `indic`, the
                // stem of indicate, which no article writes; `mosque` (indexed as
                // `mosqu`) and `india` are written. Read in order of preference, as
                // many as the query may choose among.
                let mut taken = 0;
                for (t, (vs, n)) in ranked {
                    if taken > ALTERNATIVES {
                        break;
                    }
                    if let Some(v) = vs.iter().find(|v| written(s, idx, t, v, fold)) {
                        others.push((v.clone(), *n, tier));
                        taken += 1;
                    }
                }
            }
        }
        // A first letter changed must be worth it: its word found in ten times as many
        // articles as the best that keeps the first letter (`ndian` is `indian`, not
        // the rare `nian`).
        let best = |tier: usize| others.iter().find(|o| o.2 == tier);
        let pick = match (best(0), best(1), best(2)) {
            (Some(kept), Some(changed), _) if changed.1 >= kept.1.saturating_mul(RATIO) => {
                Some(changed)
            }
            (Some(kept), _, _) => Some(kept),
            (None, Some(changed), _) => Some(changed),
            (None, None, fallback) => fallback,
        };
        if let Some((v, n, tier)) = pick.cloned() {
            // A word the archive holds, typed with a capital, is taken for a name
            // (`Rosling` is the one article's Hans Rosling, not "rolling"): alone it
            // stands, as a rare word that a close one outnumbers less does.
            let name = word.chars().next().is_some_and(char::is_uppercase);
            // A word of the language the archive holds is no typo, however rare there
            // (`sturdy` is not `study`, `sinners` not `singers`): as a name, alone it
            // stands, and beside other words it is taken for a close word only where
            // the query finds no article as typed and does with the close word.
            let english = english_word(folded);
            // The close word is the typed one less its last letter.
            let ending = |v: &str| v.len() + 1 == folded.len() && folded.starts_with(v);
            let need = |close: &str, n: u64, tier: usize| match (own, tier) {
                (_, 2) => Need::SomeMatch,
                (0, _) => Need::Nothing,
                _ if n >= own.saturating_mul(RATIO) && !name && ending(close) => {
                    Need::Ending { alone: !english }
                }
                _ if n >= own.saturating_mul(RATIO) && !name && !english => Need::KeepsMatches,
                _ => Need::SomeMatch,
            };
            let mut fixes = vec![(same_case(word, v.clone()), need(&v, n, tier))];
            for (o, m, t) in others {
                if fixes.len() == ALTERNATIVES {
                    break;
                }
                if o != v {
                    let need = need(&o, m, t);
                    fixes.push((same_case(word, o), need));
                }
            }
            return Some(fixes);
        }
    }
    for d in 2..=edits {
        let mut cands = near(s, idx, stemmed, d);
        if folded != stemmed {
            for (t, n) in near(s, idx, folded, d) {
                cands.entry(t).or_insert(n);
            }
        }
        cands.remove(stemmed);
        cands.remove(folded);
        let first = stemmed.chars().next();
        cands.retain(|t, _| t.chars().next() == first);
        let cands: Vec<(String, u64)> = cands.into_iter().filter(|(_, n)| *n >= enough).collect();
        if cands.is_empty() {
            continue;
        }
        let names = gazetteer_words();
        let best = cands
            .iter()
            .max_by_key(|(t, n)| preference(names, t, *n, t))?;
        // The word to show and search: the gazetteer's spelling of a name, else the
        // written word of that stem closest to the typed one (`guverment` is
        // "government", not the stem `govern`), else the indexed word itself when it
        // reads as a word (its own stem).
        let shown = match names.get(&best.0) {
            Some(w) => w.clone(),
            None => match closest_written(s, idx, &best.0, folded, stem, fold) {
                Some(w) => w,
                None if tokens(stem, &best.0).first() == Some(&best.0) => best.0.clone(),
                None => return None,
            },
        };
        // Two edits only for a word the index lacks: no context needed.
        return Some(vec![(same_case(word, shown), Need::Nothing)]);
    }
    None
}

/// How many articles holding a stem [`written`] reads for a word that stems to it.
const WRITTEN_LOOK: usize = 20;

/// Calls `each` with the title (then the subtitle, then the body) of each of the first
/// [`WRITTEN_LOOK`] articles whose title (subtitle, body) holds the indexed `stem`,
/// until it returns true;
/// whether it did. The index holds stems only: the words as written are in these.
fn texts_holding(
    s: &Searcher,
    idx: &NewsIndex,
    stem: &str,
    each: &mut dyn FnMut(&str) -> bool,
) -> bool {
    let f = idx.fields;
    for field in [f.title, f.subtitle, f.body] {
        let q = TermQuery::new(Term::from_field_text(field, stem), IndexRecordOption::Basic);
        let Ok(top) = s.search(&q, &TopDocs::with_limit(WRITTEN_LOOK).order_by_score()) else {
            continue;
        };
        for (_, addr) in top {
            let Ok(doc) = s.doc::<TantivyDocument>(addr) else {
                continue;
            };
            if each(doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("")) {
                return true;
            }
        }
    }
    false
}

/// Whether `word` (folded) is written in one of the first articles whose title or body
/// holds the indexed `stem`: a variant of a typed word can stem onto another word's
/// stem without being a word itself.
fn written(
    s: &Searcher,
    idx: &NewsIndex,
    stem: &str,
    word: &str,
    fold: &mut tantivy::tokenizer::TextAnalyzer,
) -> bool {
    texts_holding(s, idx, stem, &mut |text| {
        tokens(fold, text).iter().any(|w| w == word)
    })
}

/// Of the words written in the first articles holding the indexed `stem` (their titles,
/// then bodies) that stem to it, the closest to `typed` (folded) by edits.
fn closest_written(
    s: &Searcher,
    idx: &NewsIndex,
    stem_of: &str,
    typed: &str,
    stem: &mut tantivy::tokenizer::TextAnalyzer,
    fold: &mut tantivy::tokenizer::TextAnalyzer,
) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    texts_holding(s, idx, stem_of, &mut |text| {
        for w in tokens(fold, text) {
            let d = levenshtein(&w, typed);
            if best.as_ref().is_some_and(|b| b.0 <= d) {
                continue;
            }
            if tokens(stem, &w).first().map(String::as_str) == Some(stem_of) {
                best = Some((d, w));
            }
        }
        // The written word itself, typed with one letter off, can be no closer.
        best.as_ref().is_some_and(|b| b.0 <= 1)
    });
    best.map(|b| b.1)
}

/// How a candidate ranks: the more articles, then a gazetteer name, then the
/// alphabetically first `tie`. The archive's own frequency is the better guide: a
/// gazetteer name first took `strik` for `strip` (Gaza Strip) and `delas` for `deltas`
/// (a river's delta); on random one-letter typos of the judged queries' words, the
/// corrected query kept more of the intended query's top ten (see
/// `tests/data/relevance/README.md`).
fn preference<'a>(
    names: &HashMap<String, String>,
    stem: &str,
    articles: u64,
    tie: &'a str,
) -> (u64, bool, std::cmp::Reverse<&'a str>) {
    (articles, names.contains_key(stem), std::cmp::Reverse(tie))
}

/// `shown` with a capital when the typed word had one.
fn same_case(typed: &str, shown: String) -> String {
    if typed.chars().next().is_some_and(char::is_uppercase) {
        let mut c = shown.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    } else {
        shown
    }
}

/// Every string one edit away from `w` (lower-case ASCII) that keeps its first letter:
/// a letter dropped, added or changed, or two neighbours swapped.
fn one_edit(w: &str) -> Vec<String> {
    let b = w.as_bytes();
    let mut out = Vec::with_capacity(54 * b.len() + 25);
    let s = |v: Vec<u8>| String::from_utf8(v).unwrap_or_default();
    // The first letter stays (a typo there is rare, and changing it lets a word fall
    // onto a frequent one: goverment → overment, stemmed `over`); swapping it with the
    // second is allowed.
    if b.len() >= 2 {
        let mut v = b.to_vec();
        v.swap(0, 1);
        out.push(s(v));
    }
    for i in 1..=b.len() {
        if i < b.len() {
            out.push(s([&b[..i], &b[i + 1..]].concat()));
        }
        if i + 1 < b.len() {
            let mut v = b.to_vec();
            v.swap(i, i + 1);
            out.push(s(v));
        }
        for c in b'a'..=b'z' {
            out.push(s([&b[..i], &[c], &b[i..]].concat()));
            if i < b.len() && b[i] != c {
                let mut v = b.to_vec();
                v[i] = c;
                out.push(s(v));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_scale_with_length() {
        assert_eq!(max_edits(4), 0);
        assert_eq!(max_edits(5), 1);
        assert_eq!(max_edits(8), 1);
        assert_eq!(max_edits(9), 2);
    }

    #[test]
    fn one_edit_drops_adds_changes_and_swaps() {
        let e = one_edit("merkle");
        for w in ["merkel", "merke", "merkles", "markle", "emrkle"] {
            assert!(e.contains(&w.to_string()), "{w}");
        }
        assert!(!e.contains(&"erkle".to_string()));
        assert!(!e.contains(&"merkle".to_string()));
    }
}
