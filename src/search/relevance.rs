//! Measuring the ranking: graded judgements for a set of queries, nDCG@10 and
//! recall@10 of each ranking over the same index.
//!
//! `queries.tsv`: `query_id<TAB>query<TAB>information need`; `qrels.tsv`:
//! `query_id<TAB>article id<TAB>grade` (0 not relevant, 1 partly, 2 relevant, 3 highly).
//! An article id is the index's id (`articles.csv#17`); a bare `17` matches any file's
//! record 17. Lines starting with `#` and a header line are skipped. Articles a ranking
//! returns that were never judged count as not relevant.

use super::rank::{self, Ranking};
use super::{build_query, Filters};
use crate::index::NewsIndex;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

/// Depth of the measures.
pub const K: usize = 10;
/// The grade from which an article counts as relevant for recall.
pub const RELEVANT: u8 = 2;

/// One query of the set.
#[derive(Debug, Clone)]
pub struct QuerySpec {
    pub id: String,
    pub text: String,
    pub need: String,
}

/// How a query is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// The tuned defaults: strict, then the partial matches when it finds fewer than K.
    News,
    /// Plain tantivy BM25, all words required.
    PlainBm25,
    /// Plain BM25, any word (OR): only for pooling candidates to judge.
    AnyWord,
}

impl Run {
    pub fn name(self) -> &'static str {
        match self {
            Run::News => "news",
            Run::PlainBm25 => "plain-bm25",
            Run::AnyWord => "any-word",
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueryScore {
    pub id: String,
    pub query: String,
    pub ndcg: f64,
    /// `None` when the query has no article graded relevant.
    pub recall: Option<f64>,
    /// How many of the top K were partial matches (News only).
    pub partial: usize,
    pub top: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RankingReport {
    pub run: Run,
    pub ndcg: f64,
    pub recall: f64,
    pub queries: Vec<QueryScore>,
}

#[derive(Debug, Clone, Default)]
pub struct RelevanceReport {
    pub queries: usize,
    pub judgements: usize,
    pub rankings: Vec<RankingReport>,
    /// Unreadable files or lines, queries without judgements.
    pub problems: Vec<String>,
}

impl RelevanceReport {
    pub fn ranking(&self, run: Run) -> Option<&RankingReport> {
        self.rankings.iter().find(|r| r.run == run)
    }
}

impl fmt::Display for RelevanceReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            out,
            "{} queries, {} judgements; relevant = grade >= {RELEVANT}",
            self.queries, self.judgements
        )?;
        writeln!(
            out,
            "{:<12} {:>8} {:>10}",
            "ranking", "nDCG@10", "recall@10"
        )?;
        for r in &self.rankings {
            writeln!(
                out,
                "{:<12} {:>8.3} {:>10.3}",
                r.run.name(),
                r.ndcg,
                r.recall
            )?;
        }
        if !self.rankings.is_empty() {
            writeln!(out)?;
            write!(out, "{:<6}", "query")?;
            for r in &self.rankings {
                write!(
                    out,
                    " {:>10} {:>6}",
                    format!("{} nDCG", short(r.run)),
                    "R@10"
                )?;
            }
            writeln!(out, "  text")?;
            for (i, q) in self.rankings[0].queries.iter().enumerate() {
                write!(out, "{:<6}", q.id)?;
                for r in &self.rankings {
                    let s = &r.queries[i];
                    let recall = s
                        .recall
                        .map(|v| format!("{v:.2}"))
                        .unwrap_or_else(|| "-".into());
                    let mark = if s.partial > 0 { "*" } else { " " };
                    write!(out, " {:>9.3}{mark} {recall:>6}", s.ndcg)?;
                }
                writeln!(out, "  {}", q.query)?;
            }
            writeln!(out, "(* = partial matches filled the top {K})")?;
        }
        for p in &self.problems {
            writeln!(out, "problem: {p}")?;
        }
        Ok(())
    }
}

fn short(run: Run) -> &'static str {
    match run {
        Run::News => "news",
        Run::PlainBm25 => "bm25",
        Run::AnyWord => "or",
    }
}

fn data_lines(path: &Path) -> Result<Vec<(usize, Vec<String>)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l.split('\t').map(|c| c.trim().to_string()).collect()))
        .filter(|(_, cols): &(usize, Vec<String>)| cols[0] != "query_id")
        .collect())
}

/// Reads `queries.tsv`.
pub fn read_queries(path: &Path) -> Result<Vec<QuerySpec>, String> {
    let mut out = Vec::new();
    for (line, cols) in data_lines(path)? {
        if cols.len() < 2 || cols[1].is_empty() {
            return Err(format!("{}:{line}: expected id<TAB>query", path.display()));
        }
        out.push(QuerySpec {
            id: cols[0].clone(),
            text: cols[1].clone(),
            need: cols.get(2).cloned().unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Judgements: query id → article id → grade.
pub type Qrels = HashMap<String, HashMap<String, u8>>;

/// Reads `qrels.tsv`.
pub fn read_qrels(path: &Path) -> Result<Qrels, String> {
    let mut out: Qrels = HashMap::new();
    for (line, cols) in data_lines(path)? {
        let grade = cols.get(2).and_then(|g| g.parse::<u8>().ok());
        match (cols.get(1), grade) {
            (Some(id), Some(g)) if g <= 3 && !id.is_empty() => {
                out.entry(cols[0].clone())
                    .or_default()
                    .insert(id.clone(), g);
            }
            _ => {
                return Err(format!(
                    "{}:{line}: expected query_id<TAB>article id<TAB>grade 0-3",
                    path.display()
                ))
            }
        }
    }
    Ok(out)
}

fn grade_of(grades: &HashMap<String, u8>, id: &str) -> u8 {
    if let Some(g) = grades.get(id) {
        return *g;
    }
    match id.rsplit_once('#') {
        Some((_, record)) => grades.get(record).copied().unwrap_or(0),
        None => 0,
    }
}

/// nDCG at `k` with gain 2^grade − 1; the ideal ranking is built from every judgement.
pub fn ndcg_at(ranked: &[String], grades: &HashMap<String, u8>, k: usize) -> f64 {
    let gain = |g: u8| f64::from((1u32 << g) - 1);
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| gain(grade_of(grades, id)) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<u8> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| gain(*g) / ((i + 2) as f64).log2())
        .sum();
    if idcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

/// Share of the relevant articles (grade ≥ 2) found in the top `k`; `None` if none is.
pub fn recall_at(ranked: &[String], grades: &HashMap<String, u8>, k: usize) -> Option<f64> {
    let relevant = grades.values().filter(|g| **g >= RELEVANT).count();
    if relevant == 0 {
        return None;
    }
    let found = ranked
        .iter()
        .take(k)
        .filter(|id| grade_of(grades, id) >= RELEVANT)
        .count();
    Some(found as f64 / relevant as f64)
}

fn article_only(idx: &NewsIndex, q: Box<dyn Query>) -> Box<dyn Query> {
    let kind = TermQuery::new(
        Term::from_field_text(idx.fields.kind, "article"),
        IndexRecordOption::Basic,
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, q),
        (
            Occur::Must,
            Box::new(tantivy::query::ConstScoreQuery::new(Box::new(kind), 0.0)),
        ),
    ]))
}

fn top_ids(
    searcher: &Searcher,
    idx: &NewsIndex,
    q: &dyn Query,
    k: usize,
) -> tantivy::Result<Vec<String>> {
    let top: Vec<(f32, DocAddress)> =
        searcher.search(q, &TopDocs::with_limit(k.max(1)).order_by_score())?;
    ids_of(searcher, idx, &top)
}

fn ids_of(
    searcher: &Searcher,
    idx: &NewsIndex,
    top: &[(f32, DocAddress)],
) -> tantivy::Result<Vec<String>> {
    let mut out = Vec::with_capacity(top.len());
    for &(_, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        if let Some(id) = doc.get_first(idx.fields.id).and_then(|v| v.as_str()) {
            out.push(id.to_string());
        }
    }
    Ok(out)
}

/// The ids of the top `k` articles for `query` under `run`, and how many of them are
/// partial matches. News mirrors the search: the strict query, then the partial one
/// when the strict finds fewer than `k`.
pub fn ranked_ids(
    idx: &NewsIndex,
    searcher: &Searcher,
    query: &str,
    run: Run,
    k: usize,
) -> tantivy::Result<(Vec<String>, usize)> {
    match run {
        Run::PlainBm25 => {
            let q = build_query(idx, query, &Filters::default(), Ranking::PlainBm25).query;
            Ok((top_ids(searcher, idx, &*q, k)?, 0))
        }
        Run::AnyWord => {
            let f = idx.fields;
            let qp = QueryParser::for_index(&idx.index, vec![f.title, f.subtitle, f.body]);
            let (q, _) = qp.parse_query_lenient(&rank::clean_query(query));
            Ok((top_ids(searcher, idx, &*article_only(idx, q), k)?, 0))
        }
        Run::News => {
            let Some(scored) = rank::scored_query(idx, query, Ranking::News) else {
                return Ok((Vec::new(), 0));
            };
            let strict = article_only(idx, scored.strict);
            let (top, _) = super::ranked(
                searcher,
                &*strict,
                &scored.bonus,
                super::Sort::Relevance,
                k.max(1),
            )
            .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
            let mut ids = ids_of(searcher, idx, &top)?;
            let mut partial = 0;
            if ids.len() < k {
                if let Some(p) = scored.partial {
                    let more = top_ids(searcher, idx, &*article_only(idx, p), k - ids.len())?;
                    partial = more.len();
                    ids.extend(more);
                }
            }
            Ok((ids, partial))
        }
    }
}

/// Runs every query of `queries` under the defaults and plain BM25 and scores the top
/// ten of each against `qrels`.
pub fn evaluate(idx: &NewsIndex, queries: &Path, qrels: &Path) -> RelevanceReport {
    let mut report = RelevanceReport::default();
    let specs = match read_queries(queries) {
        Ok(q) => q,
        Err(e) => {
            report.problems.push(e);
            return report;
        }
    };
    let judged = match read_qrels(qrels) {
        Ok(q) => q,
        Err(e) => {
            report.problems.push(e);
            return report;
        }
    };
    let searcher = match idx.searcher() {
        Ok(s) => s,
        Err(e) => {
            report.problems.push(format!("index: {e}"));
            return report;
        }
    };
    let empty = HashMap::new();
    report.queries = specs.len();
    report.judgements = specs
        .iter()
        .map(|q| judged.get(&q.id).map_or(0, HashMap::len))
        .sum();
    for q in &specs {
        if !judged.contains_key(&q.id) {
            report.problems.push(format!("{}: no judgements", q.id));
        }
    }
    for run in [Run::News, Run::PlainBm25] {
        let mut scores = Vec::new();
        for q in &specs {
            let grades = judged.get(&q.id).unwrap_or(&empty);
            let (top, partial) = match ranked_ids(idx, &searcher, &q.text, run, K) {
                Ok(r) => r,
                Err(e) => {
                    report
                        .problems
                        .push(format!("{} ({}): {e}", q.id, run.name()));
                    (Vec::new(), 0)
                }
            };
            scores.push(QueryScore {
                id: q.id.clone(),
                query: q.text.clone(),
                ndcg: ndcg_at(&top, grades, K),
                recall: recall_at(&top, grades, K),
                partial,
                top,
            });
        }
        let n = scores.len().max(1) as f64;
        let ndcg = scores.iter().map(|s| s.ndcg).sum::<f64>() / n;
        let recalls: Vec<f64> = scores.iter().filter_map(|s| s.recall).collect();
        let recall = recalls.iter().sum::<f64>() / recalls.len().max(1) as f64;
        report.rankings.push(RankingReport {
            run,
            ndcg,
            recall,
            queries: scores,
        });
    }
    report
}

/// Candidates to judge: the union of the top `depth` of the defaults, plain BM25 and an
/// any-word query, per query, in first-seen order.
pub fn pool(idx: &NewsIndex, queries: &[QuerySpec], depth: usize) -> Vec<(String, Vec<String>)> {
    let Ok(searcher) = idx.searcher() else {
        return Vec::new();
    };
    queries
        .iter()
        .map(|q| {
            let mut ids: Vec<String> = Vec::new();
            for run in [Run::News, Run::PlainBm25, Run::AnyWord] {
                if let Ok((top, _)) = ranked_ids(idx, &searcher, &q.text, run, depth) {
                    for id in top {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                }
            }
            (q.id.clone(), ids)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grades(v: &[(&str, u8)]) -> HashMap<String, u8> {
        v.iter().map(|(i, g)| (i.to_string(), *g)).collect()
    }

    #[test]
    fn ndcg_is_one_for_the_ideal_order_and_less_otherwise() {
        let g = grades(&[("a#1", 3), ("a#2", 1), ("a#3", 0)]);
        let ideal: Vec<String> = vec!["a#1".into(), "a#2".into()];
        assert!((ndcg_at(&ideal, &g, 10) - 1.0).abs() < 1e-9);
        let worse: Vec<String> = vec!["a#3".into(), "a#2".into(), "a#1".into()];
        assert!(ndcg_at(&worse, &g, 10) < 0.7);
        assert_eq!(ndcg_at(&[], &g, 10), 0.0);
    }

    #[test]
    fn recall_counts_grade_two_and_up_and_bare_record_ids_match() {
        let g = grades(&[("1", 3), ("2", 2), ("3", 1)]);
        let top: Vec<String> = vec!["x.csv#2".into(), "x.csv#3".into()];
        assert_eq!(recall_at(&top, &g, 10), Some(0.5));
        assert_eq!(recall_at(&top, &grades(&[("1", 1)]), 10), None);
    }
}
