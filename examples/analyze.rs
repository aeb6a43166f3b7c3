//! Prints the words newsidx indexes for each text field of exported records, for
//! `tools/opensearch-analysis-check.sh`, which compares them with the words OpenSearch's
//! analyser (run through Lucene's classes) makes of the same text.
//!
//! Reads `newsidx export --to ndjson` records on standard input; writes one line per
//! non-empty title, subtitle and body: the record's id, a tab, the field, a tab, and
//! the field's tokens as `position:word` joined by spaces. With `--no-stem`, the words
//! as they are before stemming (the same analyser without its last filter).
//!
//! `cargo run --example analyze [-- --no-stem] < articles-000001.ndjson`

use std::io::{BufRead, BufWriter, Write};

use newsidx::index::{schema, tokenizer::NewsTokenizer};
use tantivy::tokenizer::{AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer};

fn main() {
    let mut analyzer = match std::env::args().nth(1).as_deref() {
        None => schema::news_analyzer(),
        // `schema::news_analyzer` up to its stemmer.
        Some("--no-stem") => TextAnalyzer::builder(NewsTokenizer::default())
            .filter(RemoveLongFilter::limit(schema::MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
        Some(other) => fail(&format!(
            "unknown argument {other} (usage: analyze [--no-stem])"
        )),
    };
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.unwrap_or_else(|e| fail(&format!("standard input: {e}")));
        let record: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            fail(&format!(
                "standard input, line {}: not a JSON record ({e}); give it `newsidx export --to ndjson` files",
                n + 1
            ))
        });
        let id = record["id"].as_str().unwrap_or_default();
        for field in ["title", "subtitle", "body"] {
            let Some(text) = record[field].as_str().filter(|t| !t.is_empty()) else {
                continue;
            };
            let mut words = Vec::new();
            let mut stream = analyzer.token_stream(text);
            while let Some(t) = stream.next() {
                words.push(format!("{}:{}", t.position, t.text));
            }
            let _ = writeln!(out, "{id}\t{field}\t{}", words.join(" "));
        }
    }
    let _ = out.flush();
}

fn fail(msg: &str) -> ! {
    eprintln!("analyze: {msg}");
    std::process::exit(2)
}
