//! Property tests (proptest) for the readers that take input from the outside world:
//! front matter, JSON / JSON Lines / CSV records, the date extractor and the query
//! reader. Case counts are small and fixed so `cargo test` stays fast; a failure
//! prints the shrunk input, which belongs in a unit test beside the code.
//!
//! Properties checked everywhere: no panic, and every result is well-formed (offsets
//! on char boundaries, spans in order, counts that add up). Where the input is built
//! from known parts, the output must also give those parts back (round trips).

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use newsidx::article::Article;
use newsidx::enrich::dates;
use newsidx::ingest::{read_articles_from_bytes, Format, Problem};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A fixed seed, so CI runs are repeatable; explore further with e.g.
/// `PROPTEST_RNG_SEED=$RANDOM PROPTEST_CASES=5000 cargo test --test tests proptests::`.
fn config(cases: u32) -> ProptestConfig {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    ProptestConfig {
        cases: env("PROPTEST_CASES").map_or(cases, |c| c as u32),
        rng_seed: proptest::test_runner::RngSeed::Fixed(env("PROPTEST_RNG_SEED").unwrap_or(0x5EED)),
        // Shrinking a slow case must not turn into a slow test.
        max_shrink_time: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Reads `bytes` as a file of `format`; every problem must name the file.
fn read(format: Format, bytes: &[u8]) -> (Result<usize, Problem>, Vec<Article>, Vec<Problem>) {
    let rel = match format {
        Format::Text => "p/x.txt",
        Format::Markdown => "p/x.md",
        Format::Json => "p/x.json",
        Format::JsonLines => "p/x.jsonl",
        Format::Csv => "p/x.csv",
        Format::Html => "p/x.html",
        Format::Warc => "p/x.warc",
    };
    let (mut arts, mut probs) = (Vec::new(), Vec::new());
    let r = read_articles_from_bytes(rel, format, bytes, &mut |a| arts.push(a), &mut |p| {
        probs.push(p)
    });
    if let Ok(n) = &r {
        assert_eq!(*n, arts.len(), "returned count != articles emitted");
    }
    for p in probs.iter().chain(r.as_ref().err()) {
        assert_eq!(p.path, rel, "problem about another file: {p}");
        assert!(!p.message.is_empty());
        assert!(
            !p.to_string().contains('\n'),
            "problem is not one line: {p:?}"
        );
    }
    for a in &arts {
        assert_eq!(a.path, rel);
        assert!(a.id.starts_with(rel), "id {:?}", a.id);
        assert!(!a.title.trim().is_empty(), "article without a title: {a:?}");
        assert!(!a.title.contains('\n'));
    }
    (r, arts, probs)
}

/// Text made of pieces that matter to the readers, plus any character.
fn soup(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(pieces).prop_map(str::to_string),
            1 => any::<char>().prop_map(|c| c.to_string()),
            1 => "[a-zA-Z0-9 ]{1,8}",
        ],
        0..max,
    )
    .prop_map(|v| v.concat())
}

const FRONT_MATTER_PIECES: &[&str] = &[
    "---\n",
    "---",
    "...\n",
    "\n",
    "\r\n",
    "\r",
    "title:",
    "date:",
    "authors:",
    "author:",
    "id:",
    "url:",
    "source:",
    "subtitle:",
    "tags:",
    ":",
    " ",
    "\"",
    "'",
    "\\",
    "\\\"",
    "''",
    "[",
    "]",
    ",",
    "- ",
    "  - ",
    "#",
    "# ",
    "By ",
    " and ",
    "2017-02-07",
    "Feb 7, 2017",
    "\u{feff}",
    "\u{0}",
    "é",
    "😀",
    "\t",
    ".",
];

/// A simple field value that front matter can carry in double quotes.
fn fm_value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9 ,:'é\"#\\-]{0,30}"
}

fn quote(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

proptest! {
    #![proptest_config(config(256))]

    /// Any text or Markdown file: at most one article, problems name the file.
    #[test]
    fn text_and_markdown_never_panic(s in soup(FRONT_MATTER_PIECES, 40), md in any::<bool>()) {
        let format = if md { Format::Markdown } else { Format::Text };
        let (r, arts, _) = read(format, s.as_bytes());
        prop_assert!(arts.len() <= 1);
        if let Ok(n) = r { prop_assert!(n <= 1); }
    }

    /// Arbitrary bytes in every format: a result or a problem, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        for format in [Format::Text, Format::Markdown, Format::Json, Format::JsonLines, Format::Csv, Format::Html, Format::Warc] {
            let _ = read(format, &bytes);
        }
    }

    /// Markup-like soup (tags, entities, comments, WARC and HTTP header lines):
    /// the page and archive readers give a result or a problem, never a panic.
    #[test]
    fn markup_soup_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "<p>", "</p>", "<div class=a>", "</div>", "<table><tr><td>", "</td>", "</table>",
        "<script>", "</script>", "<!--", "-->", "&amp;", "&#x1F600;", "&#", "<a href='",
        "'>", "text ", "café ", "<meta charset=koi8-r>", "<br/>", "<li>", "<h1>", "</h1>",
        "WARC/1.1\r\n", "WARC-Type: response\r\n", "Content-Length: 20\r\n",
        "Content-Type: application/http; msgtype=response\r\n", "\r\n",
        "HTTP/1.1 200 OK\r\n", "Transfer-Encoding: chunked\r\n", "ff\r\n", "\u{1f}\u{8b}\u{8}",
    ]), 0..80)) {
        let text: String = parts.concat();
        let _ = read(Format::Html, text.as_bytes());
        let _ = read(Format::Warc, text.as_bytes());
    }

    /// Well-formed front matter gives its values back, whatever the body.
    #[test]
    fn front_matter_round_trip(
        title in fm_value(),
        source in fm_value(),
        date in (1900i32..2100, 1u32..13, 1u32..29),
        body in soup(FRONT_MATTER_PIECES, 20),
        crlf in any::<bool>(),
    ) {
        // A NUL byte near the start makes a file binary: not this test's business.
        let body = body.replace('\0', " ");
        let date = format!("{:04}-{:02}-{:02}", date.0, date.1, date.2);
        let mut text = format!(
            "---\ntitle: {}\ndate: {date}\nsource: {}\n---\n{body}",
            quote(&title),
            quote(&source)
        );
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let (r, arts, _) = read(Format::Markdown, text.as_bytes());
        prop_assert_eq!(r, Ok(1));
        prop_assert_eq!(&arts[0].title, &one_line(&title));
        prop_assert!(!arts[0].title_derived);
        let want_source = one_line(&source);
        prop_assert_eq!(arts[0].source.as_deref(), Some(want_source.as_str()));
        prop_assert_eq!(arts[0].date_raw.as_deref(), Some(date.as_str()));
        prop_assert!(!arts[0].body.contains('\r'));
    }

    /// Front matter that never closes is a warning at line 1, and the file is still read.
    #[test]
    fn unclosed_front_matter_is_read_as_body(
        lines in prop::collection::vec(("[a-z]{1,8}", fm_value()), 0..6),
        tail in "[A-Za-z][A-Za-z ]{0,40}",
    ) {
        let mut text = "---\n".to_string();
        for (k, v) in &lines {
            text.push_str(&format!("{k}: {v}\n"));
        }
        text.push_str(&tail);
        let (r, arts, probs) = read(Format::Text, text.as_bytes());
        prop_assert_eq!(r, Ok(1));
        prop_assert!(arts[0].body.starts_with("---"));
        prop_assert!(
            probs.iter().any(|p| p.line == Some(1) && p.message.contains("never closes")),
            "{:?}", probs
        );
    }
}

// ---------------------------------------------------------------------------------
// JSON and JSON Lines
// ---------------------------------------------------------------------------------

const KEYS: &[&str] = &[
    "title",
    "Headline",
    "body",
    "text",
    "content",
    "maintext",
    "date",
    "publishedAt",
    "pubDate",
    "url",
    "link",
    "source",
    "authors",
    "author",
    "byline",
    "id",
    "article_id",
    "subtitle",
    "description",
    "articles",
    "items",
    "other",
    "",
    "name",
];

/// Any JSON value, with known field names as keys, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(&["2017-02-07", "Feb 7, 2017", "not a date", "1486425600"][..])
            .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// An article record: known fields with values of any type.
fn json_record() -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(KEYS), json_value()), 0..8)
        .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

/// A record with a non-empty string title: it must come through.
fn good_record() -> impl Strategy<Value = (String, Value)> {
    ("[A-Za-z][A-Za-z0-9 ]{0,20}", json_record()).prop_map(|(title, rec)| {
        let Value::Object(mut map) = rec else {
            unreachable!()
        };
        // The title alias with the top rank wins: drop the other one.
        map.remove("Headline");
        map.insert("title".into(), json!(title));
        (title, Value::Object(map))
    })
}

proptest! {
    #![proptest_config(config(128))]

    /// Any JSON document (and its JSON Lines form): no panic, problems name the file.
    #[test]
    fn json_values_never_panic(v in json_value()) {
        let text = v.to_string();
        let _ = read(Format::Json, text.as_bytes());
        let _ = read(Format::JsonLines, text.as_bytes());
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        let _ = read(Format::Json, pretty.as_bytes());
    }

    /// Records with wrong types in known fields: each good record still goes in, with
    /// its title, in order; a JSON array, a wrapper object and JSON Lines agree.
    #[test]
    fn json_records_with_good_titles_all_go_in(
        recs in prop::collection::vec(prop_oneof![
            3 => good_record().prop_map(Some),
            1 => json_value().prop_map(|v| { let _ = v; None }),
        ], 0..8),
        junk in prop::collection::vec(json_value(), 0..3),
    ) {
        let good: Vec<(String, Value)> = recs.into_iter().flatten().collect();
        let titles: Vec<String> = good.iter().map(|(t, _)| one_line(t)).collect();
        let mut values: Vec<Value> = good.into_iter().map(|(_, v)| v).collect();
        // Non-object records are errors of their own, not a reason to lose the others.
        values.extend(junk.into_iter().filter(|v| !v.is_object()));

        let array = Value::Array(values.clone()).to_string();
        let (r, arts, _) = read(Format::Json, array.as_bytes());
        if !values.is_empty() {
            prop_assert_eq!(r, Ok(titles.len()));
            let got: Vec<&str> = arts.iter().map(|a| a.title.as_str()).collect();
            prop_assert_eq!(&got, &titles);
        }

        let lines: String = values.iter().map(|v| format!("{v}\n")).collect();
        let (r, arts, _) = read(Format::JsonLines, lines.as_bytes());
        prop_assert_eq!(r, Ok(titles.len()));
        let got: Vec<&str> = arts.iter().map(|a| a.title.as_str()).collect();
        prop_assert_eq!(&got, &titles);
        let ids: std::collections::HashSet<&str> = arts.iter().map(|a| a.id.as_str()).collect();
        prop_assert_eq!(ids.len(), arts.len(), "ids are not unique");
    }

    /// A JSON Lines file with bad lines between good ones: every good line goes in and
    /// every bad line is an error naming its line.
    #[test]
    fn jsonl_bad_lines_are_reported_by_line(
        lines in prop::collection::vec(prop_oneof![
            Just(None),
            "[A-Za-z][A-Za-z ]{0,10}".prop_map(Some),
        ], 1..12),
    ) {
        let mut text = String::new();
        let mut bad_lines = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            match l {
                Some(t) => text.push_str(&format!("{}\n", json!({ "title": t }))),
                None => {
                    text.push_str("{\"title\": \"unterminated\n");
                    bad_lines.push(i as u64 + 1);
                }
            }
        }
        let (r, arts, probs) = read(Format::JsonLines, text.as_bytes());
        prop_assert_eq!(r, Ok(lines.len() - bad_lines.len()));
        prop_assert_eq!(arts.len(), lines.len() - bad_lines.len());
        let errs: Vec<u64> = probs.iter().filter(|p| p.is_error()).filter_map(|p| p.line).collect();
        prop_assert_eq!(errs, bad_lines);
    }
}

/// Deeply nested JSON hits serde_json's recursion limit: an error, never a crash.
#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    for (open, close) in [("[", "]"), ("{\"a\":", "}"), ("[{\"title\":", "}]")] {
        let depth = 100_000;
        let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        for format in [Format::Json, Format::JsonLines] {
            let (r, arts, probs) = read(format, text.as_bytes());
            assert!(arts.is_empty());
            let all: Vec<String> = probs
                .iter()
                .chain(r.as_ref().err())
                .map(|p| p.to_string())
                .collect();
            assert!(
                all.iter().any(|m| m.contains("recursion limit")),
                "{format}: {all:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

const CSV_PIECES: &[&str] = &[
    ",", "\"", "\"\"", "\n", "\r\n", "\r", "title", "body", "text", "date", "id", "a", " ",
    "\u{feff}", "é", "\u{0}", "\t", ";",
];

proptest! {
    #![proptest_config(config(128))]

    /// Rows with commas, quotes and newlines in cells, written by a real CSV writer,
    /// come back cell for cell.
    #[test]
    fn csv_round_trip(
        rows in prop::collection::vec(
            ("[A-Za-z][A-Za-z0-9 ,\"\n]{0,15}", "[A-Za-z0-9 ,\"\n]{0,30}", 0u32..100_000),
            0..10,
        ),
        crlf in any::<bool>(),
    ) {
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|(t, b, id)| vec![id.to_string(), t.clone(), b.clone()])
            .collect();
        let mut bytes = csv_bytes(&["id", "title", "body"], &table);
        if crlf {
            bytes = String::from_utf8(bytes).unwrap().replace('\n', "\r\n").into_bytes();
        }
        let (r, arts, _) = read(Format::Csv, &bytes);
        prop_assert_eq!(r, Ok(rows.len()));
        for (a, (t, b, _)) in arts.iter().zip(&rows) {
            prop_assert_eq!(&a.title, &one_line(t));
            let want = if b.trim().is_empty() { "" } else { b.as_str() };
            prop_assert_eq!(&a.body, want);
        }
    }

    /// Ragged rows: a row reaching the title column goes in, a shorter one is an error
    /// naming its line.
    #[test]
    fn csv_ragged_rows(widths in prop::collection::vec(0usize..5, 1..12)) {
        // Columns: id, title, body, author. Width 0 writes an empty line (skipped by csv).
        let mut text = "id,title,body,author\n".to_string();
        let mut want = 0;
        let mut short_lines = Vec::new();
        let mut line = 1u64;
        for (i, w) in widths.iter().enumerate() {
            line += 1;
            let cells: Vec<String> = (0..*w).map(|c| format!("r{i}c{c}")).collect();
            text.push_str(&cells.join(","));
            text.push('\n');
            match w {
                0 => {}
                1 => short_lines.push(line),
                _ => want += 1,
            }
        }
        let (r, arts, probs) = read(Format::Csv, text.as_bytes());
        prop_assert_eq!(r, Ok(want));
        prop_assert_eq!(arts.len(), want);
        let errs: Vec<u64> = probs.iter().filter(|p| p.is_error()).filter_map(|p| p.line).collect();
        prop_assert_eq!(errs, short_lines);
    }

    /// Any soup of CSV syntax: no panic.
    #[test]
    fn csv_soup_never_panics(s in soup(CSV_PIECES, 60), header in prop::sample::select(&["title,body\n", "id,text\n", "", "a,b\n"][..])) {
        let _ = read(Format::Csv, format!("{header}{s}").as_bytes());
    }
}

// ---------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------

const DATE_PIECES: &[&str] = &[
    " ",
    " ",
    " ",
    ",",
    ".",
    "-",
    "/",
    "'",
    "’",
    "s",
    "th",
    "st",
    "nd",
    "rd",
    "of",
    "on",
    "in",
    "the",
    "last",
    "next",
    "this",
    "early",
    "late",
    "mid",
    "mid-",
    "ago",
    "since",
    "until",
    "between",
    "and",
    "from",
    "to",
    "week",
    "month",
    "year",
    "decade",
    "weekend",
    "today",
    "yesterday",
    "tomorrow",
    "Monday",
    "Tuesday",
    "Sunday",
    "Mon",
    "January",
    "Feb",
    "February",
    "March",
    "May",
    "Sept",
    "Dec.",
    "December",
    "1",
    "7",
    "12",
    "29",
    "30",
    "31",
    "32",
    "0",
    "00",
    "99",
    "1999",
    "2017",
    "2019",
    "2100",
    "9999",
    "1980s",
    "'90s",
    "90s",
    "2017-02-07",
    "2017/2/7",
    "7/2/2017",
    "20170207",
    "1486425600",
    "Q1",
    "AD",
    "BC",
    "\n",
    "\u{a0}",
    "é",
    "😀",
    "(",
    ")",
    "\"",
];

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (1000i32..=2200, 1u32..=12, 1u32..=31)
        .prop_filter_map("valid date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

fn check_mentions(text: &str, ms: &[dates::DateMention]) -> Result<(), TestCaseError> {
    let mut last_end = 0;
    for m in ms {
        prop_assert!(m.start < m.end, "empty span {m:?}");
        prop_assert!(m.end <= text.len());
        prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        prop_assert_eq!(&text[m.start..m.end], m.text.as_str());
        prop_assert!(
            m.start >= last_end,
            "overlapping or unordered mentions: {ms:?}"
        );
        last_end = m.end;
        let _ = m.index_terms();
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// Date soup, with or without a publication date: well-formed spans, no panic.
    #[test]
    fn extract_spans_are_well_formed(
        text in soup(DATE_PIECES, 60),
        published in prop::option::of(any_date()),
    ) {
        let ms = dates::extract(&text, published);
        check_mentions(&text, &ms)?;
    }

    #[test]
    fn extract_any_string(text in ".{0,200}", published in prop::option::of(any_date())) {
        let ms = dates::extract(&text, published);
        check_mentions(&text, &ms)?;
    }

    #[test]
    fn parse_date_never_panics(s in prop_oneof![".{0,40}".boxed(), soup(DATE_PIECES, 8).boxed()]) {
        if let Some(d) = dates::parse_date(&s) {
            prop_assert!((1000..=2200).contains(&d.year()), "{s:?} -> {d}");
        }
        let _ = dates::date_from_path(&s);
        let _ = dates::dateline_date(&s, None);
        let _ = dates::parse_filter_date(&s);
    }

    /// The common metadata forms give the date back.
    #[test]
    fn parse_date_round_trip(d in any_date()) {
        for fmt in ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ", "%Y/%-m/%-d", "%B %-d, %Y", "%b %-d, %Y", "%-d %B %Y", "%Y%m%d"] {
            let s = d.and_hms_opt(12, 30, 0).unwrap().format(fmt).to_string();
            prop_assert_eq!(dates::parse_date(&s), Some(d), "{}", s);
        }
    }
}

/// A long run of date-like words must be scanned in roughly linear time.
#[test]
fn extract_is_fast_on_long_date_soup() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut text = String::new();
    while text.len() < 300_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        text.push_str(DATE_PIECES[(state % DATE_PIECES.len() as u64) as usize]);
        text.push(' ');
    }
    let published = NaiveDate::from_ymd_opt(2017, 2, 7);
    let t = Instant::now();
    let ms = dates::extract(&text, published);
    let took = t.elapsed();
    check_mentions(&text, &ms).unwrap();
    assert!(
        took < Duration::from_secs(10),
        "extract took {took:?} on 300 kB"
    );
    // Degenerate inputs: one token repeated.
    for piece in [
        "last ", "the ", "1999 ", "between ", "- ", "'", "mid-", "Monday, ",
    ] {
        let text = piece.repeat(50_000);
        let t = Instant::now();
        let ms = dates::extract(&text, published);
        check_mentions(&text, &ms).unwrap();
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "{piece:?}: {:?}",
            t.elapsed()
        );
    }
}

// ---------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------

/// A tiny index built once with the library, shared by the query tests.
fn tiny_index() -> &'static newsidx::index::NewsIndex {
    static IDX: OnceLock<(tempfile::TempDir, newsidx::index::NewsIndex)> = OnceLock::new();
    &IDX.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(
            corpus.join("a.txt"),
            "Taiwan trade talks\n\nChina and Taiwan discussed the post-war order on Monday.\n",
        )
        .unwrap();
        std::fs::write(
            corpus.join("b.jsonl"),
            "{\"title\": \"Tariffs rise\", \"body\": \"The United States raised tariffs.\", \"date\": \"2019-03-05\"}\n\
             {\"title\": \"Café closes\", \"body\": \"Erdoğan visited a café in Ankara.\"}\n",
        )
        .unwrap();
        let index: PathBuf = dir.path().join("index");
        let mut opts = newsidx::pipeline::IngestOptions::new(corpus, index.clone());
        opts.threads = 1;
        opts.writer_threads = 1;
        opts.writer_memory = 20 << 20;
        let sum = newsidx::pipeline::ingest(&opts, &mut |_| {}, &mut newsidx::pipeline::NoProgress)
            .expect("ingest");
        assert_eq!(sum.articles_added, 3);
        let idx = newsidx::index::NewsIndex::open(&index).expect("open index");
        (dir, idx)
    })
    .1
}

/// Runs a query through the real query builder; returns the match count.
fn count(query: &str) -> usize {
    let idx = tiny_index();
    let q = newsidx::search::build_query(
        idx,
        query,
        &newsidx::search::Filters::default(),
        newsidx::search::rank::Ranking::News,
    )
    .query;
    let reader = idx.index.reader().unwrap();
    let searcher = reader.searcher();
    searcher
        .search(&*q, &tantivy::collector::Count)
        .expect("search")
}

const QUERY_PIECES: &[&str] = &[
    "taiwan",
    "china",
    "tariffs",
    "café",
    "erdogan",
    "post-war",
    "order",
    " ",
    " ",
    " ",
    "\"",
    "\u{201C}",
    "\u{201D}",
    "'",
    "-",
    "+",
    "(",
    ")",
    "OR",
    " OR ",
    " AND ",
    " NOT ",
    "title:",
    "body:",
    "nosuchfield:",
    "published:",
    ":",
    "*",
    "?",
    "~",
    "~2",
    "^",
    "^2",
    "^-1",
    "[",
    "]",
    "{",
    "}",
    " TO ",
    "\\",
    "/",
    "IN",
    "\u{0}",
    "\u{7}",
    "\t",
    "\n",
    "😀",
];

/// Query soup with parentheses balanced to a bounded depth, so the known deep-nesting
/// stack overflow in tantivy's parser (see tests/hostile.rs) does not abort this run.
fn query_soup() -> impl Strategy<Value = String> {
    soup(QUERY_PIECES, 30).prop_map(|s| {
        let mut depth = 0i32;
        s.chars()
            .filter(|c| match c {
                '(' if depth >= 20 => false,
                '(' => {
                    depth += 1;
                    true
                }
                ')' => {
                    depth -= 1;
                    true
                }
                _ => true,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(config(128))]

    /// clean_query: no control characters, balanced double quotes, no curly ones.
    #[test]
    fn clean_query_is_clean(q in prop_oneof![".{0,60}".boxed(), query_soup().boxed()]) {
        let c = newsidx::search::rank::clean_query(&q);
        prop_assert!(!c.chars().any(char::is_control), "{:?}", c);
        prop_assert_eq!(c.matches('"').count() % 2, 0);
        prop_assert!(!c.contains(['\u{201C}', '\u{201D}']), "curly quotes left in {:?}", c);
        // Idempotent.
        prop_assert_eq!(newsidx::search::rank::clean_query(&c), c.clone());
    }

    /// Any query parses leniently and runs: never a panic, never more than every article.
    #[test]
    fn queries_never_panic(q in query_soup()) {
        prop_assert!(count(&q) <= 3);
    }

    /// A plain word query finds what it should, whatever junk surrounds it.
    #[test]
    fn plain_words_still_match(junk in prop::sample::select(&["", " ", "\u{7}", "\"", "(", ")", "+", "\t"][..])) {
        prop_assert_eq!(count(&format!("{junk}tariffs{junk}")), 1);
        prop_assert_eq!(count(&format!("{junk}taiwan{junk} china")), 1);
    }
}

// ---------------------------------------------------------------------------
// The tagger: names, titles, punctuation and multi-byte letters in any order.

const TAG_PIECES: &[&str] = &[
    "China",
    "U.S.",
    "US",
    "UK",
    "Georgia",
    "Jordan",
    "Turkey",
    "Guinea-Bissau",
    "Papua New Guinea",
    "Xi",
    "Xi Jinping",
    "Mr Xi",
    "President Trump",
    "Trump’s",
    "Erdoğan",
    "Merkel's",
    "Obamacare",
    "Prime Minister",
    "Japanese",
    "Sanae Takaichi",
    "Ecuador's President",
    "Lenin Moreno",
    "the UN",
    "NATO",
    "G20",
    "Beijing",
    "the Kremlin",
    "China Daily",
    "Ö",
    "É",
    "中国",
    "ß",
    "—",
    "“",
    "”",
    "’",
    "'",
    "-",
    ".",
    ",",
    " ",
    " ",
    " ",
    "\n",
    "the",
    "said",
    "in",
    "and",
];

fn tagger() -> &'static newsidx::enrich::Tagger {
    static T: OnceLock<newsidx::enrich::Tagger> = OnceLock::new();
    T.get_or_init(|| newsidx::enrich::Tagger::new(newsidx::enrich::Gazetteer::shipped()))
}

fn check_tags(title: &str, body: &str) -> Result<(), TestCaseError> {
    let a = Article {
        title: title.to_string(),
        body: body.to_string(),
        ..Article::default()
    };
    let tags = tagger().tag(&a);
    let mentions = tags
        .countries
        .iter()
        .flat_map(|c| &c.mentions)
        .chain(tags.leaders.iter().flat_map(|l| &l.mentions))
        .chain(tags.orgs.iter().flat_map(|o| &o.mentions));
    for m in mentions {
        let text = if m.field == "title" { title } else { body };
        prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
        prop_assert_eq!(&text[m.start..m.end], m.text.as_str());
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// Gazetteer words glued to punctuation and multi-byte letters: no panic, and
    /// every mention is the text at its offsets.
    #[test]
    fn tagger_mentions_are_well_formed(title in soup(TAG_PIECES, 8), body in soup(TAG_PIECES, 80)) {
        check_tags(&title, &body)?;
    }

    #[test]
    fn tagger_any_string(body in ".{0,300}") {
        check_tags("", &body)?;
    }
}
