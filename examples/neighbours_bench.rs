//! The file of article vectors (`newsidx::semantic::neighbours`) at the size of a
//! large index, without the hours a model takes to read a million articles: each live
//! article of the index named by `--index` gets a vector made from a real one
//! (`--vectors`: unit f32 article vectors, 384 a row, e.g. from the judged archive)
//! plus noise, so the vectors have the clusters real ones have.
//!
//!     cargo run --release --example neighbours_bench -- --index PATH --vectors docs.f32 \
//!         --queries queries.f32 --out DIR [--noise 0.8] [--threads 2] [--refresh]
//!
//! Writes the file into `--out` (not into the index) and prints one JSON object: the
//! time to group and write it, its size, the time of `nearest` (20 articles) for each
//! query vector (`--queries`, unit f32 rows), and the share of the exact 20 nearest
//! (every vector compared) that it finds, over the first 100 queries. `search_bench
//! --encoder MODEL --neighbours DIR` then reads the same file in each search.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use newsidx::index::NewsIndex;
use newsidx::semantic::neighbours::{self, Neighbours};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    index: PathBuf,
    #[arg(long)]
    vectors: PathBuf,
    #[arg(long)]
    queries: PathBuf,
    #[arg(long)]
    out: PathBuf,
    /// Length of the noise added to each (unit) vector.
    #[arg(long, default_value_t = 0.8)]
    noise: f32,
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Time the file already in `--out` (made with the same arguments) instead of
    /// writing it again.
    #[arg(long)]
    keep: bool,
    /// Also time a refresh that keeps the groups, as an ingest that added the
    /// index's smallest segment: the file made without it (in `--out`/before), then
    /// made again with it from that one (`refresh_s`, and the recall of the file
    /// made so: `refresh_recall_at_20`).
    #[arg(long)]
    refresh: bool,
}

const DIMS: usize = 384;
const K: usize = 20;

fn read_rows(path: &PathBuf) -> anyhow::Result<Vec<Vec<f32>>> {
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    Ok(bytes
        .chunks_exact(DIMS * 4)
        .map(|r| {
            r.chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect()
        })
        .collect())
}

/// xorshift, and a normal deviate by the sum of twelve uniform ones.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
    fn normal(&mut self) -> f32 {
        (0..12).map(|_| self.next()).sum::<f32>() - 6.0
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let base = read_rows(&args.vectors)?;
    let queries = read_rows(&args.queries)?;
    anyhow::ensure!(!base.is_empty() && !queries.is_empty(), "no vectors");
    let idx = NewsIndex::open(&args.index)?;
    let searcher = idx.searcher()?;
    let table = neighbours::segment_table(&searcher);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let sigma = args.noise / (DIMS as f32).sqrt();
    let mut vectors = Vec::new();
    for (seg, reader) in searcher.segment_readers().iter().enumerate() {
        for doc in 0..reader.max_doc() {
            if reader.alive_bitset().is_some_and(|a| a.is_deleted(doc)) {
                continue;
            }
            let b = &base[(rng.next() * base.len() as f32) as usize % base.len()];
            let v: Vec<f32> = b.iter().map(|x| x + sigma * rng.normal()).collect();
            vectors.push((seg as u32, doc, newsidx::semantic::quantize(&v)));
        }
    }
    let n = vectors.len();
    let started = Instant::now();
    let mut file_bytes = 0;
    if !args.keep {
        let bytes = neighbours::encode_vectors(&table, vectors.clone(), DIMS, None, args.threads);
        std::fs::create_dir_all(&args.out)?;
        neighbours::write_bytes(&args.out, &bytes)?;
        file_bytes = bytes.len();
    }
    let build_s = started.elapsed().as_secs_f64();
    let file = Neighbours::open(&args.out)
        .map_err(anyhow::Error::msg)?
        .context("no file written")?;
    // Timed: each query twice, the second timed (the first maps the pages).
    let mut times = Vec::new();
    let mut found = Vec::new();
    for q in &queries {
        let _ = file.nearest(&searcher, q, K);
        let t = Instant::now();
        let near = file.nearest(&searcher, q, K);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        found.push(near);
    }
    // The refresh: the file before the smallest segment was added, then with it.
    let mut refreshed = None;
    if args.refresh {
        let readers = searcher.segment_readers();
        let small = (0..readers.len())
            .min_by_key(|&i| readers[i].num_docs())
            .context("no segment")?;
        let before_table: Vec<_> = table
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != small)
            .map(|(_, t)| *t)
            .collect();
        let before_vectors = vectors
            .iter()
            .filter(|v| v.0 as usize != small)
            .map(|(s, d, b)| (s - u32::from(*s as usize > small), *d, b.clone()));
        let before =
            neighbours::encode_vectors(&before_table, before_vectors, DIMS, None, args.threads);
        let before_dir = args.out.join("before");
        std::fs::create_dir_all(&before_dir)?;
        neighbours::write_bytes(&before_dir, &before)?;
        let old = Neighbours::open(&before_dir)
            .map_err(anyhow::Error::msg)?
            .context("no file written")?;
        // Timed as `build_s` is: grouped and written (the vectors already made).
        let t = Instant::now();
        let bytes = neighbours::encode_vectors_keeping(
            Some(&old),
            &table,
            vectors.clone(),
            DIMS,
            args.threads,
        );
        let after_dir = args.out.join("refreshed");
        std::fs::create_dir_all(&after_dir)?;
        neighbours::write_bytes(&after_dir, &bytes)?;
        let refresh_s = t.elapsed().as_secs_f64();
        let file = Neighbours::open(&after_dir)
            .map_err(anyhow::Error::msg)?
            .context("no file written")?;
        let found: Vec<_> = queries
            .iter()
            .take(100)
            .map(|q| file.nearest(&searcher, q, K))
            .collect();
        refreshed = Some((refresh_s, readers[small].num_docs(), file.groups(), found));
    }
    // Exact: every vector compared, for the first 100 queries.
    let units: Vec<(u32, u32, Vec<f32>)> = vectors
        .into_iter()
        .map(|(s, d, b)| {
            let v: Vec<f32> = b.iter().map(|&x| f32::from(x as i8)).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
            (s, d, v.into_iter().map(|x| x / norm).collect())
        })
        .collect();
    let (mut hit, mut all, mut refresh_hit) = (0usize, 0usize, 0usize);
    for (i, (q, near)) in queries.iter().zip(&found).take(100).enumerate() {
        let mut exact: Vec<(f32, u32, u32)> = units
            .iter()
            .map(|(s, d, v)| (neighbours::dot(q, v), *s, *d))
            .collect();
        exact.select_nth_unstable_by(K, |a, b| b.0.total_cmp(&a.0));
        exact.truncate(K);
        let has = |near: &[(f32, tantivy::DocAddress)], s: u32, d: u32| {
            usize::from(
                near.iter()
                    .any(|(_, a)| a.segment_ord == s && a.doc_id == d),
            )
        };
        for (_, s, d) in exact {
            all += 1;
            hit += has(near, s, d);
            if let Some((_, _, _, found)) = &refreshed {
                refresh_hit += has(&found[i], s, d);
            }
        }
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    println!(
        "{}",
        serde_json::json!({
            "vectors": n,
            "groups": file.groups(),
            "probes": neighbours::probes(file.groups()),
            "build_s": build_s,
            "file_bytes": file_bytes,
            "nearest_ms": {"p50": pct(0.5), "p90": pct(0.9), "max": pct(1.0),
                "mean": times.iter().sum::<f64>() / times.len() as f64},
            "recall_at_20": hit as f64 / all.max(1) as f64,
            "refresh_s": refreshed.as_ref().map(|r| r.0),
            "refresh_added": refreshed.as_ref().map(|r| r.1),
            "refresh_groups": refreshed.as_ref().map(|r| r.2),
            "refresh_recall_at_20": refreshed.as_ref().map(|_| refresh_hit as f64 / all.max(1) as f64),
        })
    );
    Ok(())
}
