//! The benchmark query file (`benches/queries.tsv`), read the same way by the search
//! and server benchmarks: one query per line, then a tab and CLI flags
//! (`--country TW --leader "Xi Jinping"`); blank lines and `#` comments skipped.
// Each benchmark uses part of this module.
#![allow(dead_code)]

use anyhow::Context;
use std::path::Path;

/// One line of the file: the line as shown in reports, the query, its flags by name.
pub struct BenchQuery {
    pub line: String,
    pub query: String,
    pub flags: Vec<(String, String)>,
}

pub fn read_queries(path: &Path) -> anyhow::Result<Vec<BenchQuery>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (q, fl) = l.split_once('\t').unwrap_or((l, ""));
            Ok(BenchQuery {
                line: l.replace('\t', " "),
                query: q.to_string(),
                flags: parse_flags(fl).with_context(|| format!("bad flags: {l}"))?,
            })
        })
        .collect()
}

/// Splits `--flag value --flag "two words"` (values may be double-quoted).
fn parse_flags(s: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    toks.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        toks.push(cur);
    }
    toks.chunks(2)
        .map(|p| match p {
            [k, v] if k.starts_with("--") => Ok((k[2..].to_string(), v.clone())),
            _ => anyhow::bail!("bad flags: {s}"),
        })
        .collect()
}

/// Nearest-rank percentile of sorted values (0 for none).
pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
