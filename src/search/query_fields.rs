//! Fields typed inside the query string, as in Elasticsearch or GitHub search:
//! `source:cnn`, `author:"Jane Doe"`, `country:TW`, `leader:xi`, `org:nato`,
//! `from:2017-02`, `to:2017`, `mentions:2019` are taken out of the text and become the
//! same filters as the flags; `title:brexit` stays in the text (the ranking reads it:
//! see `rank.rs`). A filter field with a minus (`-source:cnn`, `-country:RU`) leaves out
//! the articles it would select. A word that looks like a field but names none
//! (`foo:bar`) stays in the text as words, and a warning says so: a query is never
//! silently emptied.

/// The filter fields a query may hold, as the flags name them.
pub const FILTER_FIELDS: [&str; 9] = [
    "source", "author", "country", "leader", "org", "from", "to", "mentions", "url",
];

/// The filter fields whose values a minus may exclude.
const EXCLUDABLE: [&str; 6] = ["source", "author", "country", "leader", "org", "mentions"];

/// Fields the text query reads itself.
pub const TEXT_FIELDS: [&str; 1] = ["title"];

/// A query split into its text and its filter fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    /// The query without its filter fields.
    pub text: String,
    /// (field as in [`FILTER_FIELDS`], value) in query order.
    pub filters: Vec<(&'static str, String)>,
    /// The same for fields typed with a minus: their articles are left out.
    pub excluded: Vec<(&'static str, String)>,
    /// One line for each field that was not used as typed.
    pub warnings: Vec<String>,
}

/// The field a name stands for: its own name, a plural, or `site` for source.
fn canonical(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    let n = match n.as_str() {
        "sources" | "site" => "source",
        "authors" | "by" => "author",
        "countries" => "country",
        "leaders" => "leader",
        "orgs" | "organisation" | "organization" => "org",
        "mention" => "mentions",
        "link" => "url",
        other => other,
    };
    FILTER_FIELDS
        .iter()
        .chain(TEXT_FIELDS.iter())
        .find(|f| **f == n)
        .copied()
}

/// Splits `query` (quotes already straightened) into text and filter fields.
pub fn split(query: &str) -> Split {
    split_with(query, &|_, _| false)
}

/// The most words after an unquoted value that may belong to it.
const MAX_VALUE_WORDS: usize = 5;

/// [`split`], where an unquoted value of a tag, source or author field takes the words
/// after it that make, with it, the longest value `resolves` knows (at most
/// [`MAX_VALUE_WORDS`] more): `leader:kim jong un`, `source:al jazeera`, `country:south
/// korea`, `leader:mohammed bin salman` (not Mohammed VI and two words) as if quoted.
pub fn split_with(query: &str, resolves: &dyn Fn(&'static str, &str) -> bool) -> Split {
    let mut out = Split::default();
    let mut text = String::with_capacity(query.len());
    let chars: Vec<char> = query.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // Brackets stand apart, so that a field inside them (`(source:cnn)`) is read
        // as a field; it filters the whole query, which a warning says.
        if chars[i].is_whitespace() || chars[i] == '(' || chars[i] == ')' {
            text.push(chars[i]);
            i += 1;
            continue;
        }
        // One token: a "phrase", or a run up to whitespace (a quote inside it starts
        // the field's quoted value: `author:"Jane Doe"`).
        let start = i;
        if chars[i] == '"' {
            let end = chars[i + 1..]
                .iter()
                .position(|&c| c == '"')
                .map_or(chars.len(), |p| i + 2 + p);
            text.extend(&chars[start..end]);
            i = end;
            continue;
        }
        // A pasted address is the `url` filter: its words would match nothing.
        let word_end = chars[i..]
            .iter()
            .position(|c| c.is_whitespace())
            .map_or(chars.len(), |p| i + p);
        let word: String = chars[i..word_end].iter().collect();
        let bare = word.trim_start_matches(['-', '+']);
        if crate::index::schema::is_url(bare) {
            if word.starts_with('-') {
                out.warnings.push(format!(
                    "{word}: an address cannot be excluded; searched without it"
                ));
            } else {
                out.filters.push(("url", bare.to_string()));
            }
            i = word_end;
            continue;
        }
        let mut j = i;
        while j < chars.len() && (chars[j] == '-' || chars[j] == '+') {
            j += 1;
        }
        let name_start = j;
        while j < chars.len() && (chars[j].is_ascii_alphabetic() || chars[j] == '_') {
            j += 1;
        }
        // A field's name and a space: its value is the word after it (`title: brexit`,
        // `Source: CNN`); with nothing after it, or an operator, another field or an
        // excluded word (`source:` at the end, `-country: -trump`), it names no value:
        // said, and left out.
        let mut v_start = j + 1;
        if j > name_start && j < chars.len() && chars[j] == ':' {
            let name: String = chars[name_start..j].iter().collect();
            let bare_end = j + 1 == chars.len() || chars[j + 1].is_whitespace();
            if let (true, Some(field)) = (bare_end, canonical(&name)) {
                let next = (j + 1..chars.len()).find(|&k| !chars[k].is_whitespace());
                let word: String = next.map_or(String::new(), |k| {
                    chars[k..]
                        .iter()
                        .take_while(|c| !c.is_whitespace())
                        .collect()
                });
                let plain = !word.is_empty()
                    && !word.starts_with(['-', '+', '(', ')'])
                    && !matches!(word.as_str(), "OR" | "AND" | "NOT")
                    && (word.starts_with('"') || !word.contains(':'));
                match next {
                    Some(k) if plain => v_start = k,
                    _ => {
                        out.warnings.push(format!(
                            "{}: no {field} given; searched without it",
                            chars[start..=j].iter().collect::<String>()
                        ));
                        i = j + 1;
                        continue;
                    }
                }
            }
        }
        let is_field = j > name_start
            && j < chars.len()
            && chars[j] == ':'
            && v_start < chars.len()
            && !chars[v_start].is_whitespace()
            && chars[v_start] != '/';
        if !is_field {
            // An ordinary word (or a quote inside one): up to whitespace or a quote.
            let end = chars[i + 1..]
                .iter()
                .position(|c| c.is_whitespace() || *c == '"')
                .map_or(chars.len(), |p| i + 1 + p);
            text.extend(&chars[start..end]);
            i = end;
            continue;
        }
        let name: String = chars[name_start..j].iter().collect();
        let negated = chars[start..name_start].contains(&'-');
        let field = canonical(&name);
        let mut unclosed = false;
        let (value, end) = if chars[v_start] == '"' {
            let close = chars[v_start + 1..]
                .iter()
                .position(|&c| c == '"')
                .map_or(chars.len(), |p| v_start + 1 + p);
            unclosed = close == chars.len();
            let value: String = chars[v_start + 1..close].iter().collect();
            (value, (close + 1).min(chars.len()))
        } else {
            // Up to whitespace, or a closing bracket (`(source:cnn)`); `title:` keeps
            // its own reading.
            let end = chars[v_start..]
                .iter()
                .position(|c| c.is_whitespace() || (*c == ')' && field != Some("title")))
                .map_or(chars.len(), |p| v_start + p);
            let value: String = chars[v_start..end].iter().collect();
            match field {
                Some(f @ ("source" | "author" | "country" | "leader" | "org")) => {
                    longer_value(&chars, end, &value, f, resolves).unwrap_or((value, end))
                }
                _ => (value, end),
            }
        };
        // A filter inside brackets or beside OR still filters the whole query.
        let before = text.trim_end();
        let nested = before.matches('(').count() > before.matches(')').count();
        let next_word = chars[end.min(chars.len())..]
            .iter()
            .collect::<String>()
            .split_whitespace()
            .next()
            .map(str::to_string);
        let beside_or =
            before.ends_with(" OR") || before == "OR" || next_word.as_deref() == Some("OR");
        // Sources (and links) beside OR with another of their kind are any of them, as
        // the filter is: `source:cnn OR source:bbc`. Beside anything else, the filter
        // holds for the whole query.
        let raw_before: String = chars[..start].iter().collect();
        let raw_after: String = chars[end.min(chars.len())..].iter().collect();
        let mut back = raw_before.split_whitespace().rev();
        let mut ahead = raw_after.split_whitespace();
        let operand = match (back.next(), ahead.next()) {
            (Some("OR"), _) => back.next(),
            (_, Some("OR")) => ahead.next(),
            _ => None,
        };
        let same_kind = |w: &str| {
            let w = w.trim_start_matches(['-', '+', '(']);
            let name = w.split(':').next().unwrap_or_default();
            w.contains(':') && canonical(name) == field
                || (field == Some("url") && crate::index::schema::is_url(w))
        };
        let any_of =
            matches!(field, Some("source" | "url")) && !nested && operand.is_none_or(same_kind);
        if (nested || beside_or) && !any_of && matches!(field, Some(f) if f != "title") {
            out.warnings.push(format!(
                "{}: a filter applies to the whole query, not to a part of it in brackets or beside OR",
                chars[start..end].iter().collect::<String>()
            ));
        }
        // (As typed, less a space after the colon: `title: brexit` is `title:brexit`.)
        let mut token: String = chars[start..=j]
            .iter()
            .chain(&chars[v_start..end])
            .collect();
        if unclosed {
            // `title:"brexit bill`: the quote closes at the end, as a phrase's does.
            token.push('"');
        }
        i = end;
        // `source:-cnn`: a minus on the value excludes, as one on the field does.
        let (negated, value) = match value.trim().strip_prefix('-') {
            Some(v)
                if !v.trim().is_empty() && matches!(field, Some(f) if EXCLUDABLE.contains(&f)) =>
            {
                (true, v.to_string())
            }
            _ => (negated, value),
        };
        match field {
            Some("title") => text.push_str(&token),
            Some(field) if value.trim().is_empty() => out
                .warnings
                .push(format!("{token}: no {field} given; searched without it")),
            Some("url") if negated => out.warnings.push(format!(
                "{token}: an address cannot be excluded; searched without it"
            )),
            Some(field @ ("from" | "to")) if negated => {
                let other = if field == "from" { "to" } else { "from" };
                out.warnings.push(format!(
                    "{token}: a date bound cannot be excluded; searched without it (for articles before or after a date, use {other}:)"
                ))
            }
            Some(field) if negated => out.excluded.push((field, value.trim().to_string())),
            Some(field) => out.filters.push((field, value.trim().to_string())),
            None => {
                out.warnings.push(format!(
                    "unknown field \"{name}\" in {token} (fields: {}); searched for the words \"{name} {value}\" instead",
                    TEXT_FIELDS
                        .iter()
                        .chain(FILTER_FIELDS.iter())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                // As the warning says, its name and value as words: `re:brexit` would
                // be read as one word of two parts, the phrase "re brexit".
                text.extend(&chars[start..j]);
                text.push(' ');
                text.extend(&chars[v_start..end]);
            }
        }
    }
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Brackets a field left empty: `trump (source:cnn)` is `trump`.
    loop {
        let shorter = text.replace("( ", "(").replace(" )", ")").replace("()", "");
        if shorter == text {
            break;
        }
        text = shorter.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    out.text = text;
    out
}

/// The value `value` with the plain words after it (from `from` in `chars`) that make
/// one `resolves` knows, the most words first, and where it ends.
fn longer_value(
    chars: &[char],
    from: usize,
    value: &str,
    field: &'static str,
    resolves: &dyn Fn(&'static str, &str) -> bool,
) -> Option<(String, usize)> {
    // The words that follow, each with where it ends; a quote, a field, an operator
    // or a mark of the query's syntax ends them.
    let mut words: Vec<(String, usize)> = Vec::new();
    let mut j = from;
    while words.len() < MAX_VALUE_WORDS {
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        let start = j;
        while j < chars.len() && !chars[j].is_whitespace() && chars[j] != ')' {
            j += 1;
        }
        let word: String = chars[start..j].iter().collect();
        let syntax = word.is_empty()
            || word.starts_with(['"', '-', '+', '('])
            || word.contains([':', '"', '*', ')'])
            || matches!(word.as_str(), "OR" | "AND" | "NOT");
        if syntax {
            break;
        }
        words.push((word, j));
    }
    (1..=words.len()).rev().find_map(|n| {
        let mut longer = value.to_string();
        for (w, _) in &words[..n] {
            longer.push(' ');
            longer.push_str(w);
        }
        resolves(field, &longer).then(|| (longer, words[n - 1].1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_fields_leave_the_text() {
        let s = split("trade source:cnn country:TW \"one China\" leader:\"Xi Jinping\" talks");
        assert_eq!(s.text, "trade \"one China\" talks");
        assert_eq!(
            s.filters,
            vec![
                ("source", "cnn".to_string()),
                ("country", "TW".to_string()),
                ("leader", "Xi Jinping".to_string())
            ]
        );
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn title_stays_and_unknown_fields_warn() {
        let s = split("title:brexit foo:bar");
        // Searched as the warning says: its name and value as two words.
        assert_eq!(s.text, "title:brexit foo bar");
        assert!(s.filters.is_empty());
        assert_eq!(s.warnings.len(), 1);
        assert!(s.warnings[0].contains("\"foo\""), "{:?}", s.warnings);
    }

    #[test]
    fn a_pasted_address_is_the_url_filter() {
        let s = split("https://www.bbc.co.uk/news/uk-39123 brexit");
        assert_eq!(
            s.filters,
            vec![("url", "https://www.bbc.co.uk/news/uk-39123".to_string())]
        );
        assert_eq!(s.text, "brexit");
        let s = split("url:example.com/a link:www.example.com/b");
        assert_eq!(s.filters.len(), 2, "{s:?}");
        assert!(s.text.is_empty());
    }

    #[test]
    fn times_and_phrases_are_not_fields() {
        for q in [
            "at 10:30",
            "\"source:cnn\"",
            "\"https://example.com\"",
            "a: b",
            "example.com",
        ] {
            let s = split(q);
            assert!(s.filters.is_empty() && s.warnings.is_empty(), "{q}: {s:?}");
            assert_eq!(s.text, q);
        }
    }

    #[test]
    fn a_value_of_several_words_unquoted_takes_the_words_it_needs() {
        let known = |f: &'static str, v: &str| {
            matches!(
                (f, v),
                ("leader", "kim jong un") | ("source", "al jazeera") | ("source", "bbc")
            )
        };
        let s = split_with("leader:kim jong un missile test", &known);
        assert_eq!(s.filters, vec![("leader", "kim jong un".to_string())]);
        assert_eq!(s.text, "missile test");
        let s = split_with("qatar -source:al jazeera", &known);
        assert_eq!(s.excluded, vec![("source", "al jazeera".to_string())]);
        assert_eq!(s.text, "qatar");
        // Known alone, a value stays alone; unknown with every longer run, too (the
        // resolution's error then names it).
        // (Here the index knows "bbc" and not "bbc news".)
        let s = split_with("source:bbc news", &known);
        assert_eq!(s.filters, vec![("source", "bbc".to_string())]);
        assert_eq!(s.text, "news");
        let s = split_with("leader:kim trade", &known);
        assert_eq!(s.filters, vec![("leader", "kim".to_string())]);
        assert_eq!(s.text, "trade");
        // Syntax ends the run: a quote, a field, an operator.
        let s = split_with("leader:kim \"jong un\"", &known);
        assert_eq!(s.text, "\"jong un\"");
        // A date is never extended, nor is `title:`.
        let s = split_with("from:2017 march title:kim jong", &|_, _| true);
        assert_eq!(s.filters, vec![("from", "2017".to_string())]);
        assert_eq!(s.text, "march title:kim jong");
    }

    #[test]
    fn the_longest_known_value_wins() {
        let known = |_: &'static str, v: &str| matches!(v, "mohammed" | "mohammed bin salman");
        let s = split_with("leader:mohammed bin salman visit", &known);
        assert_eq!(
            s.filters,
            vec![("leader", "mohammed bin salman".to_string())]
        );
        assert_eq!(s.text, "visit");
    }

    #[test]
    fn a_field_in_brackets_or_beside_or_filters_the_whole_query_and_says_so() {
        let s = split("trump (source:cnn)");
        assert_eq!(s.text, "trump");
        assert_eq!(s.filters, vec![("source", "cnn".to_string())]);
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        let s = split("(trump -country:RU) OR obama");
        assert_eq!(s.text, "(trump) OR obama");
        assert_eq!(s.excluded, vec![("country", "RU".to_string())]);
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        let s = split("brexit OR country:RU");
        assert_eq!(s.filters, vec![("country", "RU".to_string())]);
        assert!(s.warnings[0].contains("whole query"), "{:?}", s.warnings);
        // Sources beside OR are any of them, as the filter is: nothing to say.
        let s = split("source:cnn OR source:bbc");
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        let s = split("brexit site:cnn OR sources:bbc");
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        // Beside a word, a source filters the whole query: said.
        let s = split("putin OR source:cnn");
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
        let s = split("source:cnn OR putin");
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    }

    #[test]
    fn a_minus_on_the_value_excludes() {
        let s = split("trump source:-cnn -country:-RU");
        assert_eq!(s.text, "trump");
        assert_eq!(
            s.excluded,
            vec![("source", "cnn".to_string()), ("country", "RU".to_string())]
        );
        assert!(s.filters.is_empty() && s.warnings.is_empty(), "{s:?}");
        // A date keeps its own reading (and its error), and `title:` its own.
        assert_eq!(
            split("from:-2017").filters,
            vec![("from", "-2017".to_string())]
        );
        assert_eq!(split("title:-trump").text, "title:-trump");
    }

    #[test]
    fn a_space_after_a_fields_colon_is_no_matter() {
        let s = split("title: brexit deal");
        assert_eq!(s.text, "title:brexit deal");
        let s = split("Source: CNN trump");
        assert_eq!(s.filters, vec![("source", "CNN".to_string())]);
        assert_eq!(s.text, "trump");
        let s = split("-country: RU trump");
        assert_eq!(s.excluded, vec![("country", "RU".to_string())]);
        // Not a value: an excluded word, an operator, another field.
        for q in [
            "trump source: -cnn",
            "trump source: OR x",
            "trump source: leader:xi",
        ] {
            let s = split(q);
            assert!(s.filters.iter().all(|f| f.0 != "source"), "{q}: {s:?}");
            assert!(
                s.warnings.iter().any(|w| w.contains("no source")),
                "{q}: {s:?}"
            );
        }
    }

    #[test]
    fn a_field_with_no_value_is_said_and_left_out() {
        for q in ["trump -source:", "trump source: ", "trump COUNTRY:"] {
            let s = split(q);
            assert_eq!(s.text, "trump", "{q}");
            assert!(s.filters.is_empty() && s.excluded.is_empty(), "{q}");
            assert_eq!(s.warnings.len(), 1, "{q}");
        }
        // Not a field: kept as typed.
        assert_eq!(split("re: brexit").text, "re: brexit");
    }

    #[test]
    fn an_address_is_a_link_and_an_excluded_one_is_said() {
        let s = split("tass.com/world/936355");
        assert_eq!(
            s.filters,
            vec![("url", "tass.com/world/936355".to_string())]
        );
        let s = split("japan -http://tass.com/world/936355");
        assert_eq!(s.text, "japan");
        assert!(s.filters.is_empty());
        assert_eq!(s.warnings.len(), 1);
    }

    #[test]
    fn an_unclosed_quote_after_a_field_closes_at_the_end() {
        assert_eq!(split("title:\"brexit bill").text, "title:\"brexit bill\"");
        assert_eq!(
            split("leader:\"Xi Jinping").filters,
            vec![("leader", "Xi Jinping".to_string())]
        );
    }

    #[test]
    fn filter_fields_with_a_minus_are_excluded() {
        let s = split("-source:cnn trade -country:\"South Korea\" country:TW");
        assert_eq!(s.text, "trade");
        assert_eq!(s.filters, vec![("country", "TW".to_string())]);
        assert_eq!(
            s.excluded,
            vec![
                ("source", "cnn".to_string()),
                ("country", "South Korea".to_string())
            ]
        );
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        // A date bound with a minus means nothing a bound does not say: a warning.
        let s = split("-from:2017 trade");
        assert_eq!(s.text, "trade");
        assert!(s.filters.is_empty() && s.excluded.is_empty());
        assert_eq!(s.warnings.len(), 1);
        assert!(s.warnings[0].contains("use to:"), "{:?}", s.warnings);
    }
}
