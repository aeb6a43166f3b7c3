//! Fields typed inside the query string, as in Elasticsearch or GitHub search:
//! `source:cnn`, `author:"Jane Doe"`, `country:TW`, `leader:xi`, `org:nato`,
//! `from:2017-02`, `to:2017`, `mentions:2019` are taken out of the text and become the
//! same filters as the flags; `title:brexit` stays in the text (the ranking reads it:
//! see `rank.rs`). A filter field with a minus (`-source:cnn`, `-country:RU`) leaves out
//! the articles it would select. A word that looks like a field but names none
//! (`foo:bar`) stays in the text as words, and a warning says so: a query is never
//! silently emptied.

/// The filter fields a query may hold, as the flags name them.
pub const FILTER_FIELDS: [&str; 8] = [
    "source", "author", "country", "leader", "org", "from", "to", "mentions",
];

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
    let mut out = Split::default();
    let mut text = String::with_capacity(query.len());
    let chars: Vec<char> = query.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
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
        let mut j = i;
        while j < chars.len() && (chars[j] == '-' || chars[j] == '+') {
            j += 1;
        }
        let name_start = j;
        while j < chars.len() && (chars[j].is_ascii_alphabetic() || chars[j] == '_') {
            j += 1;
        }
        let is_field = j > name_start
            && j < chars.len()
            && chars[j] == ':'
            && j + 1 < chars.len()
            && !chars[j + 1].is_whitespace()
            && chars[j + 1] != '/';
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
        let v_start = j + 1;
        let (value, end) = if chars[v_start] == '"' {
            let close = chars[v_start + 1..]
                .iter()
                .position(|&c| c == '"')
                .map_or(chars.len(), |p| v_start + 1 + p);
            let value: String = chars[v_start + 1..close].iter().collect();
            (value, (close + 1).min(chars.len()))
        } else {
            let end = chars[v_start..]
                .iter()
                .position(|c| c.is_whitespace())
                .map_or(chars.len(), |p| v_start + p);
            (chars[v_start..end].iter().collect::<String>(), end)
        };
        let token: String = chars[start..end].iter().collect();
        i = end;
        match canonical(&name) {
            Some("title") => text.push_str(&token),
            Some(field) if value.trim().is_empty() => out
                .warnings
                .push(format!("{token}: no {field} given; searched without it")),
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
    out.text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    out
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
    fn times_urls_and_phrases_are_not_fields() {
        for q in ["at 10:30", "https://example.com", "\"source:cnn\"", "a: b"] {
            let s = split(q);
            assert!(s.filters.is_empty() && s.warnings.is_empty(), "{q}: {s:?}");
            assert_eq!(s.text, q);
        }
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
