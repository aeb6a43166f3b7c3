//! The per-article stages of an ingest one at a time, on one thread, over the same
//! articles: tags, the dates an article mentions, the near-duplicate signature, and
//! the index's analyser (title and body). An ingest runs them on every core beside the
//! index writer, where a difference of a few percent is lost in the noise of a whole
//! run; here each is timed alone.
//!
//!     cargo run --release --example enrich_bench -- FILE.jsonl [--articles 20000] [--rounds 3] [--stage all]
//!     cargo run --release --example enrich_bench -- FILE.jsonl --dump tags > before.jsonl
//!
//! FILE is JSON lines with `title`, `subtitle` and `body` (as `tools/gen_corpus.py`
//! writes them, e.g. `target/bench/corpus/100k/bulk/part-0000.jsonl`). Articles are
//! tagged and dated as published on 2017-03-01. `--stage` is one of tags, dates,
//! minhash, analyzer, all; each prints its time per round and per article.
//!
//! `--dump tags|dates|minhash|tokens` prints, instead of timing, what a stage finds in
//! each article (one JSON line per article; for tokens, one hash of every token's
//! text, offset and position; for minhash, the signature): a change meant only to be
//! faster must leave it the same.

use std::hash::{Hash, Hasher};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use newsidx::article::Article;
use newsidx::enrich::{dates, minhash, Gazetteer, Tagger};

/// The same allocator as the newsidx binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    file: PathBuf,
    /// Articles read from the file (the first ones).
    #[arg(long, default_value_t = 20_000)]
    articles: usize,
    /// Timed rounds of each stage over all the articles.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    #[arg(long, default_value = "all")]
    stage: String,
    /// Print what a stage finds instead of timing it: tags, dates or tokens.
    #[arg(long)]
    dump: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let mut arts = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        if arts.len() >= args.articles {
            break;
        }
        let line = line?;
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{} line {}: not JSON", args.file.display(), n + 1))?;
        let text = |k: &str| v[k].as_str().map(str::to_string);
        arts.push(Article {
            title: text("title").unwrap_or_default(),
            subtitle: text("subtitle"),
            body: text("body").unwrap_or_default(),
            ..Article::default()
        });
    }
    let tagger = Tagger::new(Gazetteer::shipped());
    let published = chrono::NaiveDate::from_ymd_opt(2017, 3, 1);
    let mut analyzer = newsidx::index::schema::news_analyzer();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());

    if let Some(what) = args.dump.as_deref() {
        for a in &arts {
            let line = match what {
                "tags" => serde_json::to_string(&tagger.tag_on(a, published))?,
                "dates" => serde_json::to_string(&dates::extract(&a.body, published))?,
                "tokens" => {
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    for text in [&a.title, &a.body] {
                        let mut ts = analyzer.token_stream(text);
                        while ts.advance() {
                            let t = ts.token();
                            (&t.text, t.offset_from, t.offset_to, t.position).hash(&mut h);
                        }
                    }
                    format!("{:016x}", h.finish())
                }
                "minhash" => {
                    serde_json::to_string(&minhash::signature(&a.body).map(|s| s.to_vec()))?
                }
                other => anyhow::bail!("--dump {other}: tags, dates, minhash or tokens"),
            };
            writeln!(out, "{line}")?;
        }
        return Ok(());
    }

    let stages = ["tags", "dates", "minhash", "analyzer"];
    if args.stage != "all" && !stages.contains(&args.stage.as_str()) {
        anyhow::bail!("--stage {}: one of {}, all", args.stage, stages.join(", "));
    }
    let bytes: usize = arts.iter().map(|a| a.title.len() + a.body.len()).sum();
    eprintln!(
        "{} articles, {:.1} MB of title and body",
        arts.len(),
        bytes as f64 / 1e6
    );
    // What each stage found, summed, so that none of the work is optimised away.
    let mut found = 0usize;
    for stage in stages
        .iter()
        .filter(|s| args.stage == "all" || args.stage == **s)
    {
        for _ in 0..args.rounds {
            let t = Instant::now();
            for a in &arts {
                found += match *stage {
                    "tags" => tagger.tag_on(a, published).countries.len(),
                    "dates" => dates::extract(&a.body, published).len(),
                    "minhash" => minhash::signature(&a.body).map_or(0, |s| s[0] as usize),
                    _ => {
                        let mut n = 0;
                        for text in [&a.title, &a.body] {
                            let mut ts = analyzer.token_stream(text);
                            while ts.advance() {
                                n += 1;
                            }
                        }
                        n
                    }
                };
            }
            let secs = t.elapsed().as_secs_f64();
            writeln!(
                out,
                "{stage:<9} {:8.1} ms  {:6.2} µs/article",
                secs * 1e3,
                secs * 1e6 / arts.len().max(1) as f64
            )?;
        }
    }
    eprintln!("(found {found})");
    Ok(())
}
