//! Search latency in one process, through the library (what a long-running server
//! would see), for the fixed query mix in `benches/queries.tsv`.
//!
//!     cargo run --release --example search_bench -- --index PATH [--queries benches/queries.tsv] [--rounds 20]
//!
//! The index is opened once; each timed call does what `newsidx search` and
//! `GET /api/search` do after opening: read the query and its flags into a
//! `service::SearchQuery` (the same parser as the server's), resolve the filters
//! (country/leader/org names, dates) and run `newsidx::service::search` with the
//! defaults (10 hits, one 220-char snippet).
//! `--encoder DIR` (an index built without a model): each timed call of a query that
//! is ordered by meaning (`search::meaning_text`: three words or more) also makes the
//! query's vector with the model in DIR on a second thread and waits for it, as a
//! search of an index built with that model does. That measures what the model adds
//! to a search at a size where building the index with the model would take hours
//! (it leaves out the reading of the best 30 matches' stored vectors). With
//! `--neighbours DIR` that thread also reads the articles nearest the vector in a file
//! of article vectors made for the index (`examples/neighbours_bench.rs`).
//! `--model DIR` (an index built without a model, so `--encoder` cannot be given too)
//! runs each search as it runs on an index built with the model in DIR: the index is
//! told of the model in this process only (nothing is written), so a query of three
//! words or more makes its vector, reads the articles nearest it in the file of
//! article vectors in the index's data folder where one is there (copy the file
//! `neighbours_bench` wrote into it), and fuses the best matches' order with theirs.
//! What it leaves out is the reading of the best 30 matches' stored vectors, which an
//! index built without a model does not have.
//! One untimed warm-up round first. Prints one JSON object with p50/p90/p99/max in
//! milliseconds over all samples, and the p50 and hit count of each query.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use newsidx::index::NewsIndex;
use newsidx::service::{self, Params, SearchQuery};

#[path = "common/bench_queries.rs"]
mod bench_queries;
use bench_queries::{pct, read_queries};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    index: PathBuf,
    #[arg(long, default_value = "benches/queries.tsv")]
    queries: PathBuf,
    /// Timed rounds over the whole mix.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Snippets per hit (the CLI default is 1).
    #[arg(long, default_value_t = 1)]
    snippets: usize,
    /// Also count facets (countries, leaders, orgs, sources) over all matches, as
    /// `newsidx search --facets` does.
    #[arg(long)]
    facets: bool,
    /// A model folder: make each query's vector beside the search (see above).
    #[arg(long)]
    encoder: Option<PathBuf>,
    /// With `--encoder`, a folder holding a file of article vectors for this index
    /// (`examples/neighbours_bench.rs` writes one): the vector's thread then also reads
    /// the 50 articles nearest it, as a search of an index with a model does.
    #[arg(long, requires = "encoder")]
    neighbours: Option<PathBuf>,
    /// A model folder: search as an index built with it does (see above).
    #[arg(long, conflicts_with = "encoder")]
    model: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let qs = read_queries(&a.queries)?;

    let t_open = Instant::now();
    let mut idx = NewsIndex::open(&a.index)?;
    if let Some(dir) = &a.model {
        idx.meta.model = Some(std::path::absolute(dir)?);
    }
    let open_ms = t_open.elapsed().as_secs_f64() * 1e3;

    let encoder = match &a.encoder {
        Some(dir) => Some(newsidx::semantic::Model::load(dir).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let nearby = match &a.neighbours {
        Some(dir) => Some(
            newsidx::semantic::neighbours::Neighbours::open(dir)
                .map_err(anyhow::Error::msg)?
                .context("no file of article vectors there")?,
        ),
        None => None,
    };
    let searcher = idx.searcher()?;
    let search = |q: &bench_queries::BenchQuery| -> anyhow::Result<usize> {
        let mut p = Params::from_pairs(q.flags.iter().map(|(k, v)| (k.as_str(), v.clone())));
        p.push("q", q.query.clone());
        p.push("limit", a.limit.to_string());
        p.push("snippets", a.snippets.to_string());
        p.push("facets", a.facets.to_string());
        let req = SearchQuery::from_params(p)?;
        Ok(service::search(&idx, &req)?.total)
    };
    let run = |q: &bench_queries::BenchQuery| -> anyhow::Result<usize> {
        // A query of a word or two is not ordered by meaning: no vector is made.
        let (Some(model), Some(text)) = (&encoder, newsidx::search::meaning_text(&q.query)) else {
            return search(q);
        };
        std::thread::scope(|s| {
            let (nearby, searcher) = (&nearby, &searcher);
            let vector = s.spawn(move || {
                let v = model.embed(&text, newsidx::semantic::ARTICLE_TOKENS);
                let near = nearby
                    .as_ref()
                    .map(|n| n.nearest(searcher, &v, newsidx::semantic::NEAREST_READ));
                (v, near)
            });
            let n = search(q);
            std::hint::black_box(vector.join().expect("the encoder does not panic"));
            n
        })
    };

    let mut totals = Vec::new();
    for q in &qs {
        totals.push(run(q).with_context(|| q.line.clone())?);
    }
    let mut all = Vec::new();
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); qs.len()];
    for _ in 0..a.rounds {
        for (i, q) in qs.iter().enumerate() {
            let t = Instant::now();
            std::hint::black_box(run(q)?);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            all.push(ms);
            per[i].push(ms);
        }
    }
    all.sort_by(f64::total_cmp);
    let per_query: Vec<_> = qs
        .iter()
        .zip(per.iter_mut())
        .zip(&totals)
        .map(|((q, v), n)| {
            v.sort_by(f64::total_cmp);
            serde_json::json!({"query": q.line, "matches": n, "p50_ms": pct(v, 50.0)})
        })
        .collect();
    println!(
        "{}",
        serde_json::json!({
            "queries": qs.len(),
            "samples": all.len(),
            "open_ms": open_ms,
            // With `--model`: whether the index's data folder holds a file of vectors.
            "neighbours_file": a.model.is_some() && idx.neighbours().is_some(),
            "p50_ms": pct(&all, 50.0),
            "p90_ms": pct(&all, 90.0),
            "p99_ms": pct(&all, 99.0),
            "max_ms": all.last().copied().unwrap_or(0.0),
            "mean_ms": all.iter().sum::<f64>() / all.len().max(1) as f64,
            "per_query": per_query,
        })
    );
    Ok(())
}
