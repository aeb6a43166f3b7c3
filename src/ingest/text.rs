//! Plain text and Markdown files: one article per file.
//!
//! ```text
//! ---                       optional front matter: `key: value` lines, values may be
//! title: "A title"          quoted, lists as `[a, b]`, `a, b` (authors) or `- item` lines
//! date: 2017-02-07
//! authors: [Jane Doe, John Roe]
//! ---
//! The body, kept as written (leading blank lines aside).
//! ```
//!
//! Without a title in the front matter, the title comes from the body: a short first
//! line (at most [`TITLE_LINE_MAX`] characters, no final full stop) followed by a
//! blank line — or, in Markdown, a `# Heading` first line — is the title and leaves
//! the body; failing that, the first sentence is the title and the body stays whole.
//! Either way `title_derived` is set.

use crate::article::Article;

use super::fields::{one_line, Field, Fields, Ids};
use super::{FileEntry, Format, Problem};

/// The longest first line taken as a title.
pub(crate) const TITLE_LINE_MAX: usize = 120;

pub(crate) fn read_file(
    entry: &FileEntry,
    input: Box<dyn std::io::Read>,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> Result<usize, Problem> {
    let bytes = super::read_whole(entry, input)?;
    let text = super::decode_whole(&entry.rel, &bytes, report)?;
    drop(bytes);
    if text.trim().is_empty() {
        report(super::empty_file(&entry.rel));
        return Ok(0);
    }
    Ok(parse(
        &entry.rel,
        &text,
        entry.format == Format::Markdown,
        sink,
        report,
    ))
}

/// Parses one decoded text file; returns the number of articles emitted (0 or 1).
pub(crate) fn parse(
    rel: &str,
    text: &str,
    markdown: bool,
    sink: &mut dyn FnMut(Article),
    report: &mut dyn FnMut(Problem),
) -> usize {
    let mut fields = Fields::default();
    let body = match split_front_matter(text) {
        FrontMatter::None => text,
        FrontMatter::Unclosed => {
            report(
                Problem::warning(
                    rel,
                    "front matter opened by `---` never closes; read as body",
                )
                .at_line(1)
                .with_hint("end the front matter with a `---` line"),
            );
            text
        }
        FrontMatter::Closed { lines, rest } => {
            parse_front_matter(rel, lines, &mut fields, report);
            rest
        }
    };
    let mut body = skip_blank_lines(body);
    if fields.get(Field::Title).is_none_or(|t| t.trim().is_empty()) {
        if let Some((title, rest)) = title_line(body, markdown) {
            fields.put(Field::Title, title);
            body = rest;
        }
        // Otherwise `into_article` takes the first sentence.
        fields.title_derived = true;
    }
    fields.put(Field::Body, body.to_string());
    match fields.into_article(rel, None, None, &mut Ids::default(), report) {
        Some(article) => {
            sink(article);
            1
        }
        None => 0,
    }
}

enum FrontMatter<'a> {
    None,
    Unclosed,
    /// The lines between the fences (with their 1-based line numbers), and the text after.
    Closed {
        lines: Vec<(u64, &'a str)>,
        rest: &'a str,
    },
}

fn is_fence(line: &str, closing: bool) -> bool {
    let l = line.trim_end();
    l == "---" || (closing && l == "...")
}

fn split_front_matter(text: &str) -> FrontMatter<'_> {
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if is_fence(first, false) => {}
        _ => return FrontMatter::None,
    }
    let mut offset = text.split_inclusive('\n').next().map_or(0, str::len);
    let mut inner = Vec::new();
    for (i, line) in lines.enumerate() {
        offset += line.len();
        if is_fence(line, true) {
            return FrontMatter::Closed {
                lines: inner,
                rest: &text[offset..],
            };
        }
        inner.push((i as u64 + 2, line.trim_end_matches('\n')));
    }
    FrontMatter::Unclosed
}

fn parse_front_matter(
    rel: &str,
    lines: Vec<(u64, &str)>,
    fields: &mut Fields,
    report: &mut dyn FnMut(Problem),
) {
    // A key with no value may be followed by a YAML block list (`- item` lines).
    let mut list: Option<(&str, Vec<String>)> = None;
    let flush = |list: &mut Option<(&str, Vec<String>)>, fields: &mut Fields| {
        if let Some((key, items)) = list.take() {
            fields.set_list(key, items);
        }
    };
    for (lineno, line) in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let (Some((_, items)), Some(item)) = (list.as_mut(), trimmed.strip_prefix("- ")) {
            items.push(unquote(item.trim()));
            continue;
        }
        flush(&mut list, fields);
        let Some((key, value)) = line.split_once(':') else {
            report(
                Problem::warning(rel, "front matter line is not `key: value`; ignored")
                    .at_line(lineno),
            );
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        if value.is_empty() {
            list = Some((key, Vec::new()));
        } else if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            fields.set_list(key, split_list(inner));
        } else {
            fields.set_text(key, &unquote(value));
        }
    }
    flush(&mut list, fields);
}

/// Splits `a, "b, c", 'd'` at commas outside quotes, unquoting each item.
fn split_list(s: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                items.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&s[start..]);
    items
        .into_iter()
        .map(|i| unquote(i.trim()))
        .filter(|i| !i.is_empty())
        .collect()
}

/// Removes YAML-style quotes: `"a \"b\""` (with escapes) or `'it''s'`.
fn unquote(v: &str) -> String {
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        let inner = &v[1..v.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        }
        out
    } else if v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        v[1..v.len() - 1].replace("''", "'")
    } else {
        v.to_string()
    }
}

fn skip_blank_lines(text: &str) -> &str {
    let mut rest = text;
    while let Some((line, after)) = rest.split_once('\n') {
        if !line.trim().is_empty() {
            break;
        }
        rest = after;
    }
    if rest.trim().is_empty() {
        ""
    } else {
        rest
    }
}

/// The title line at the top of `body`, and the body after it (and its blank lines).
fn title_line(body: &str, markdown: bool) -> Option<(String, &str)> {
    let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
    if markdown {
        if let Some(heading) = first.strip_prefix("# ") {
            let title = one_line(heading.trim().trim_end_matches('#'));
            if !title.is_empty() {
                return Some((title, skip_blank_lines(rest)));
            }
        }
    }
    let title = one_line(first);
    let (next, _) = rest.split_once('\n').unwrap_or((rest, ""));
    let is_title = !title.is_empty()
        && title.chars().count() <= TITLE_LINE_MAX
        && !title.ends_with('.')
        && !rest.is_empty()
        && next.trim().is_empty();
    is_title.then(|| (title, skip_blank_lines(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, markdown: bool) -> (Vec<Article>, Vec<Problem>) {
        let mut arts = Vec::new();
        let mut probs = Vec::new();
        parse("d/x.txt", text, markdown, &mut |a| arts.push(a), &mut |p| {
            probs.push(p)
        });
        (arts, probs)
    }

    fn one(text: &str) -> Article {
        let (mut arts, probs) = run(text, false);
        assert_eq!(arts.len(), 1, "{probs:?}");
        arts.remove(0)
    }

    #[test]
    fn bbc_style_title_line() {
        let a =
            one("Ad sales boost Time Warner profit\n\nQuarterly profits at US media giant rose.\n");
        assert_eq!(a.title, "Ad sales boost Time Warner profit");
        assert!(a.title_derived);
        assert_eq!(a.body, "Quarterly profits at US media giant rose.\n");
        assert_eq!(a.id, "d/x.txt");
        assert_eq!(a.record, None);
    }

    #[test]
    fn first_line_with_period_or_without_blank_is_not_a_title() {
        let a = one("This is a sentence.\n\nMore text.");
        assert_eq!(a.title, "This is a sentence");
        assert_eq!(a.body, "This is a sentence.\n\nMore text.");
        let a = one("No blank after\nmore text here. And more.");
        assert_eq!(a.title, "No blank after more text here");
        assert!(a.body.starts_with("No blank after\n"));
    }

    #[test]
    fn long_first_sentence_is_cut_near_100() {
        let seed = "US President Donald Trump and Chinese President Xi Jinping spoke by phone on Monday to discuss trade, Taiwan and Ukraine, the White House and Chinese officials said.\nDuring the call, Xi told Trump.\n";
        let a = one(seed);
        assert_eq!(a.title, "US President Donald Trump and Chinese President Xi Jinping spoke by phone on Monday to discuss trade…");
        assert!(a.title_derived);
        assert_eq!(a.body, seed);
    }

    #[test]
    fn front_matter_variants() {
        let text = "---\ntitle: \"Xi tells Trump: \\\"Taiwan\\\"\"\ndate: 2025-11-24\nsource: 'Al Jazeera''s desk'\nauthors: [Jane Doe, \"Roe, John\"]\nurl: https://example.com/a\nid: 42\nsubtitle: Sub\ntags: ignored\n---\nBody line.\n";
        let a = one(text);
        assert_eq!(a.title, "Xi tells Trump: \"Taiwan\"");
        assert!(!a.title_derived);
        assert_eq!(a.date_raw.as_deref(), Some("2025-11-24"));
        assert_eq!(a.source.as_deref(), Some("Al Jazeera's desk"));
        // "Roe, John", surname first, is one author.
        assert_eq!(a.authors, ["Jane Doe", "John Roe"]);
        assert_eq!(a.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(a.subtitle.as_deref(), Some("Sub"));
        assert_eq!(a.id, "d/x.txt#42");
        assert_eq!(a.body, "Body line.\n");
    }

    #[test]
    fn front_matter_comma_and_block_lists() {
        let a = one("---\nauthor: Jane Doe and John Roe\n---\n\nT\n\nB");
        assert_eq!(a.authors, ["Jane Doe", "John Roe"]);
        assert_eq!(a.title, "T");
        assert_eq!(a.body, "B");
        let a = one(
            "---\nheadline: H\nauthors:\n  - A One\n  - 'B Two'\npublished: Feb 7, 2017\n---\nB",
        );
        assert_eq!(a.authors, ["A One", "B Two"]);
        assert_eq!(a.date_raw.as_deref(), Some("Feb 7, 2017"));
        assert_eq!(a.title, "H");
    }

    #[test]
    fn front_matter_never_closes() {
        let (arts, probs) = run("---\ntitle: x\nBody text here.", false);
        assert_eq!(arts.len(), 1);
        assert_eq!(probs.len(), 1);
        assert_eq!(probs[0].line, Some(1));
        assert!(arts[0].body.starts_with("---\ntitle: x"));
    }

    #[test]
    fn bad_front_matter_line_warns() {
        let (arts, probs) = run("---\ntitle: T\nnot a pair\n---\nB", false);
        assert_eq!(arts[0].title, "T");
        assert_eq!(probs[0].line, Some(3));
    }

    #[test]
    fn markdown_heading_title() {
        let (arts, _) = run("# The *heading* #\nFirst para.\n", true);
        assert_eq!(arts[0].title, "The *heading*");
        assert_eq!(arts[0].body, "First para.\n");
    }

    #[test]
    fn front_matter_body_is_byte_identical() {
        let body = "US President spoke.\n“Quoted” is\"an x.\n\nSecond para.\n";
        let a = one(&format!("---\ntitle: T\n---\n{body}"));
        assert_eq!(a.body, body);
    }

    #[test]
    fn title_only_file() {
        let a = one("Just a title\n\n\n");
        assert_eq!(a.title, "Just a title");
        assert_eq!(a.body, "");
    }
}
