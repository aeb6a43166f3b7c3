//! How a user's words become a scored tantivy query.

use crate::index::NewsIndex;
use tantivy::query::{Query, QueryParser};

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

/// The scored part of a search. `None` when the query has no words.
pub fn text_query(idx: &NewsIndex, query: &str, ranking: Ranking) -> Option<Box<dyn Query>> {
    let cleaned = clean_query(query);
    if cleaned.trim().is_empty() {
        return None;
    }
    let f = idx.fields;
    let mut qp = QueryParser::for_index(&idx.index, vec![f.title, f.subtitle, f.body]);
    qp.set_conjunction_by_default();
    if ranking == Ranking::News {
        qp.set_field_boost(f.title, 2.5);
        qp.set_field_boost(f.subtitle, 1.5);
    }
    let (q, _errors) = qp.parse_query_lenient(&cleaned);
    Some(q)
}

/// Curly quotes become straight ones, control characters spaces; an odd quote is
/// closed at the end, so `"post-war order` is read as the phrase.
pub fn clean_query(q: &str) -> String {
    let mut s: String = q
        .chars()
        .map(|c| match c {
            '\u{201C}' | '\u{201D}' | '\u{201E}' => '"',
            '\u{2018}' | '\u{2019}' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    if s.matches('"').count() % 2 == 1 {
        s.push('"');
    }
    s
}
