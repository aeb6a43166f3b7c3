//! Measuring the ranking: graded judgements for a set of queries, nDCG@10 and
//! recall@10 of each ranking over the same index.
//!
//! `queries.tsv`: `query_id<TAB>query<TAB>information need[<TAB>set]`, where the set
//! names the queries' part (`dev`, the default: seen while the ranking was built;
//! `heldout`: written and judged after the ranking was fixed); `qrels.tsv`:
//! `query_id<TAB>article id<TAB>grade` (0 not relevant, 1 partly, 2 relevant, 3 highly).
//! An article id is the index's id (`articles.csv#17`); a bare `17` matches any file's
//! record 17. Lines starting with `#` and a header line are skipped. Articles a ranking
//! returns that were never judged count as not relevant.
//!
//! Rankings computed outside the process (SQLite FTS5, by `tools/fts5_rank.py`) are
//! read as `run<TAB>query_id<TAB>rank<TAB>article id` lines ([`read_runs`]) and scored
//! beside the defaults. `misspelled.tsv` (`misspelled_query_id<TAB>correct_query_id`)
//! pairs queries for [`RelevanceReport::misspelled`]: how much of the correct query's
//! top ten the misspelled one returns.

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
    /// Which part of the set the query belongs to (`dev` unless the file says).
    pub set: String,
}

/// How a query is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// The tuned defaults: the full matches with the best partial ones ranked among them,
    /// then the other partial matches when they are fewer than K; every copy of a
    /// near-duplicate group listed (`--all`).
    News,
    /// The defaults as `newsidx search` lists them: a near-duplicate group once, at its
    /// best copy's place, the next story after it.
    Shown,
    /// Plain tantivy BM25, all words required.
    PlainBm25,
    /// Plain BM25, any word (OR): only for pooling candidates to judge.
    AnyWord,
    /// SQLite FTS5 `bm25()`, title weight 2, all words (`fts5-and`) or any word
    /// (`fts5-or`): run outside the process by `tools/fts5_rank.py`, read by
    /// [`read_runs`]; [`ranked_ids`] cannot run them.
    Fts5And,
    Fts5Or,
}

impl Run {
    pub fn name(self) -> &'static str {
        match self {
            Run::News => "news",
            Run::Shown => "shown",
            Run::PlainBm25 => "plain-bm25",
            Run::AnyWord => "any-word",
            Run::Fts5And => "fts5-and",
            Run::Fts5Or => "fts5-or",
        }
    }

    /// The run named `name` (as [`Run::name`] spells it).
    pub fn from_name(name: &str) -> Option<Run> {
        [
            Run::News,
            Run::Shown,
            Run::PlainBm25,
            Run::AnyWord,
            Run::Fts5And,
            Run::Fts5Or,
        ]
        .into_iter()
        .find(|r| r.name() == name)
    }
}

/// Rankings made elsewhere: query id → article ids, best first.
pub type Rankings = HashMap<String, Vec<String>>;

/// Reads `run<TAB>query_id<TAB>rank<TAB>article id` lines (what `tools/fts5_rank.py`
/// prints) into one [`Rankings`] per run, in the order the runs first appear.
pub fn read_runs(text: &str) -> Result<Vec<(Run, Rankings)>, String> {
    let mut out: Vec<(Run, Rankings)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(run), Some(rank), Some(id)) = (
            cols.first().and_then(|n| Run::from_name(n)),
            cols.get(2).and_then(|r| r.parse::<usize>().ok()),
            cols.get(3).filter(|id| !id.is_empty()),
        ) else {
            return Err(format!(
                "line {}: expected run<TAB>query_id<TAB>rank<TAB>article id, got {line:?}",
                i + 1
            ));
        };
        let at = match out.iter().position(|(r, _)| *r == run) {
            Some(at) => at,
            None => {
                out.push((run, Rankings::new()));
                out.len() - 1
            }
        };
        let ids = out[at].1.entry(cols[1].to_string()).or_default();
        if rank != ids.len() + 1 {
            return Err(format!(
                "line {}: rank {rank} of {} follows {} hits",
                i + 1,
                cols[1],
                ids.len()
            ));
        }
        ids.push(id.to_string());
    }
    Ok(out)
}

/// Reads `misspelled.tsv`: pairs of (misspelled query id, correct query id).
pub fn read_pairs(path: &Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (line, cols) in data_lines(path)? {
        match (cols.first(), cols.get(1)) {
            (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => {
                out.push((a.clone(), b.clone()));
            }
            _ => {
                return Err(format!(
                    "{}:{line}: expected misspelled_query_id<TAB>correct_query_id",
                    path.display()
                ))
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub struct QueryScore {
    pub id: String,
    pub query: String,
    pub set: String,
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
    /// (misspelled query id, correct query id) pairs, for [`Self::misspelled_overlap`].
    pub misspelled: Vec<(String, String)>,
}

/// The parts of the set written and judged after the ranking was fixed, together.
pub const HELDOUT: &str = "heldout*";

/// Whether a query of part `set` is in `filter`: that part, or with a final `*`, every
/// part whose name starts with what comes before it.
fn in_set(set: &str, filter: &str) -> bool {
    match filter.strip_suffix('*') {
        Some(prefix) => set.starts_with(prefix),
        None => set == filter,
    }
}

impl RelevanceReport {
    pub fn ranking(&self, run: Run) -> Option<&RankingReport> {
        self.rankings.iter().find(|r| r.run == run)
    }

    /// The parts of the query set, in the order they first appear.
    pub fn sets(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(r) = self.rankings.first() {
            for q in &r.queries {
                if !out.contains(&q.set) {
                    out.push(q.set.clone());
                }
            }
        }
        out
    }

    /// All queries (`None`), then each part of the set when there are several, then
    /// every held-out part together (`heldout*`) when there are several of them.
    fn set_filters(&self) -> Vec<Option<String>> {
        let sets = self.sets();
        let mut out = vec![None];
        if sets.len() > 1 {
            let held = sets.iter().filter(|s| in_set(s, HELDOUT)).count();
            out.extend(sets.into_iter().map(Some));
            if held > 1 {
                out.push(Some(HELDOUT.to_string()));
            }
        }
        out
    }

    /// The defaults against plain BM25: on all queries, then on each part of the set.
    pub fn comparisons(&self) -> Vec<Comparison> {
        self.comparisons_of(Run::News, Run::PlainBm25)
    }

    /// `run` against `other`: on all queries, then on each part of the set.
    pub fn comparisons_of(&self, run: Run, other: Run) -> Vec<Comparison> {
        let (Some(a), Some(b)) = (self.ranking(run), self.ranking(other)) else {
            return Vec::new();
        };
        self.set_filters()
            .iter()
            .map(|s| a.compare(b, s.as_deref()))
            .collect()
    }

    /// The better of the two FTS5 runs (all words, any word) on the queries of `set`
    /// (`None`: all of them), by mean nDCG@10: the baseline "best of AND and OR".
    pub fn fts5_best(&self, set: Option<&str>) -> Option<&RankingReport> {
        [Run::Fts5And, Run::Fts5Or]
            .iter()
            .filter_map(|r| self.ranking(*r))
            .max_by(|a, b| a.mean_on(set).0.total_cmp(&b.mean_on(set).0))
    }

    /// `run` (the defaults, with every copy or as listed) against the better FTS5 run,
    /// per part as for [`Self::comparisons`], with the run chosen on each part.
    pub fn comparisons_with_fts5(&self, run: Run) -> Vec<(Run, Comparison)> {
        let Some(news) = self.ranking(run) else {
            return Vec::new();
        };
        self.set_filters()
            .iter()
            .filter_map(|s| {
                let best = self.fts5_best(s.as_deref())?;
                Some((best.run, news.compare(best, s.as_deref())))
            })
            .collect()
    }

    /// For each (misspelled, correct) pair of `misspelled`: how many of the correct
    /// query's top ten under the defaults the misspelled query's top ten holds.
    pub fn misspelled_overlap(&self) -> Vec<Overlap> {
        let Some(news) = self.ranking(Run::News) else {
            return Vec::new();
        };
        let top = |id: &str| news.queries.iter().find(|q| q.id == id);
        self.misspelled
            .iter()
            .filter_map(|(miss, right)| {
                let (m, r) = (top(miss)?, top(right)?);
                let found = r.top.iter().filter(|id| m.top.contains(id)).count();
                Some(Overlap {
                    misspelled: m.id.clone(),
                    correct: r.id.clone(),
                    query: m.query.clone(),
                    found,
                    of: r.top.len(),
                })
            })
            .collect()
    }
}

/// What a misspelled query keeps of its correct form's top ten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub misspelled: String,
    pub correct: String,
    pub query: String,
    pub found: usize,
    pub of: usize,
}

impl Overlap {
    pub fn share(&self) -> f64 {
        if self.of == 0 {
            1.0
        } else {
            self.found as f64 / self.of as f64
        }
    }
}

/// The mean share over `pairs` (1.0 for none).
pub fn mean_share(pairs: &[Overlap]) -> f64 {
    if pairs.is_empty() {
        return 1.0;
    }
    pairs.iter().map(Overlap::share).sum::<f64>() / pairs.len() as f64
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
            writeln!(out, "nDCG@10 per set, [95% bootstrap interval of the mean]")?;
            write!(out, "{:<10} {:>7}", "set", "queries")?;
            for r in &self.rankings {
                write!(out, "  {:<20}", r.run.name())?;
            }
            writeln!(out)?;
            for set in self.set_filters() {
                let n = self.rankings[0].mean_on(set.as_deref()).2;
                write!(out, "{:<10} {:>7}", set.as_deref().unwrap_or("all"), n)?;
                for r in &self.rankings {
                    let (mean, (lo, hi), _) = r.mean_on(set.as_deref());
                    write!(out, "  {:<20}", format!("{mean:.3} [{lo:.3}, {hi:.3}]"))?;
                }
                writeln!(out)?;
            }
        }
        for run in [Run::News, Run::Shown] {
            let mut rows: Vec<(String, Comparison)> = Vec::new();
            let others: &[Run] = if run == Run::News {
                &[Run::PlainBm25, Run::Fts5And, Run::Fts5Or]
            } else {
                &[Run::News]
            };
            for &other in others {
                rows.extend(
                    self.comparisons_of(run, other)
                        .into_iter()
                        .map(|c| (other.name().to_string(), c)),
                );
            }
            rows.extend(
                self.comparisons_with_fts5(run)
                    .into_iter()
                    .map(|(best, c)| (format!("fts5 best ({})", best.name()), c)),
            );
            write_comparisons(out, run, &rows)?;
        }
        let comparisons = self.comparisons();
        if !comparisons.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "{:<10} {:>7} {:>12} {:>12}",
                "set", "queries", "news R@10", "bm25 R@10"
            )?;
            for c in &comparisons {
                writeln!(
                    out,
                    "{:<10} {:>7} {:>12.3} {:>12.3}",
                    c.set, c.queries, c.recall.0, c.recall.1
                )?;
            }
        }
        let overlap = self.misspelled_overlap();
        if !overlap.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "misspelled queries: share of the correct query's top {K} returned (news), mean {:.3}",
                mean_share(&overlap)
            )?;
            for o in &overlap {
                writeln!(
                    out,
                    "  {:<6} {:<6} {:>2}/{:<2} {:.2}  {}",
                    o.misspelled,
                    o.correct,
                    o.found,
                    o.of,
                    o.share(),
                    o.query
                )?;
            }
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
            writeln!(out, "  set      text")?;
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
                writeln!(out, "  {:<8} {}", q.set, q.query)?;
            }
            writeln!(out, "(* = partial matches in the top {K})")?;
        }
        for p in &self.problems {
            writeln!(out, "problem: {p}")?;
        }
        Ok(())
    }
}

/// `run` against each ranking of `rows`, a line each.
fn write_comparisons(
    out: &mut fmt::Formatter<'_>,
    run: Run,
    rows: &[(String, Comparison)],
) -> fmt::Result {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let what = match run {
        Run::Shown => " (a near-duplicate group once, as `newsidx search` lists it)",
        _ => "",
    };
    writeln!(
        out,
        "{}{what} against each ranking: nDCG@10 difference, paired bootstrap",
        run.name()
    )?;
    writeln!(
        out,
        "{:<10} {:<20} {:>7} {:>10} {:>10} {:>9} {:>17} {:>13}",
        "set",
        "against",
        "queries",
        format!("{} nDCG", run.name()),
        "its nDCG",
        "+nDCG",
        "95% interval",
        "wins/losses"
    )?;
    for (name, c) in rows {
        writeln!(
            out,
            "{:<10} {:<20} {:>7} {:>10.3} {:>10.3} {:>+9.3} {:>17} {:>13}",
            c.set,
            name,
            c.queries,
            c.ndcg.0,
            c.ndcg.1,
            c.ndcg.0 - c.ndcg.1,
            format!("[{:+.3}, {:+.3}]", c.interval.0, c.interval.1),
            format!("{}/{} ({} ties)", c.wins, c.losses, c.ties)
        )?;
    }
    Ok(())
}

fn short(run: Run) -> &'static str {
    match run {
        Run::News => "news",
        Run::Shown => "shown",
        Run::PlainBm25 => "bm25",
        Run::AnyWord => "or",
        Run::Fts5And => "f-and",
        Run::Fts5Or => "f-or",
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
            set: cols
                .get(3)
                .filter(|s| !s.is_empty())
                .cloned()
                .unwrap_or_else(|| "dev".to_string()),
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
        // `+ 0.0`: an empty sum is -0.0
        dcg / idcg + 0.0
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

/// The ids of the articles at `top`'s addresses, in order (one without an id skipped).
pub fn ids_of(
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
/// partial matches. News and Shown are the search as served: typo correction, the
/// strict query with the any-word query's best partial matches ranked among its
/// matches, then the partial query when those are fewer than `k`.
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
        Run::Fts5And | Run::Fts5Or => Err(tantivy::TantivyError::InvalidArgument(format!(
            "{} is measured outside the process (tools/fts5_rank.py)",
            run.name()
        ))),
        Run::News | Run::Shown => {
            // As served (`service::search`): a misspelt word is corrected first.
            let corrected = super::correct::correct(idx, query);
            let query = corrected.as_ref().map_or(query, |c| c.query.as_str());
            let req = super::SearchRequest {
                query: query.to_string(),
                filters: Filters::default(),
                limit: k,
                offset: 0,
                snippet_chars: 0,
                snippets: 0,
                sort: super::Sort::Relevance,
                ranking: Ranking::News,
                all_copies: run == Run::News,
            };
            let res = super::search(idx, &req)
                .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
            let partial = res.hits.iter().filter(|h| h.partial).count();
            Ok((res.hits.into_iter().map(|h| h.id).collect(), partial))
        }
    }
}

/// Runs every query of `queries` under the defaults and plain BM25 and scores the top
/// ten of each against `qrels`.
pub fn evaluate(idx: &NewsIndex, queries: &Path, qrels: &Path) -> RelevanceReport {
    evaluate_with(idx, queries, qrels, &[])
}

/// [`evaluate`], and the rankings made elsewhere (`external`, e.g. SQLite FTS5) scored
/// the same way; a query missing from one of them counts as answered with nothing.
pub fn evaluate_with(
    idx: &NewsIndex,
    queries: &Path,
    qrels: &Path,
    external: &[(Run, Rankings)],
) -> RelevanceReport {
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
    let measure = |run: Run, report: &mut RelevanceReport| {
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
                set: q.set.clone(),
                ndcg: ndcg_at(&top, grades, K),
                recall: recall_at(&top, grades, K),
                partial,
                top,
            });
        }
        let (ndcg, recall) = means(scores.iter());
        report.rankings.push(RankingReport {
            run,
            ndcg,
            recall,
            queries: scores,
        });
    };
    for run in [Run::News, Run::PlainBm25] {
        measure(run, &mut report);
    }
    for (run, tops) in external {
        let scores: Vec<QueryScore> = specs
            .iter()
            .map(|q| {
                let grades = judged.get(&q.id).unwrap_or(&empty);
                let top: Vec<String> = tops
                    .get(&q.id)
                    .map(|t| t.iter().take(K).cloned().collect())
                    .unwrap_or_default();
                QueryScore {
                    id: q.id.clone(),
                    query: q.text.clone(),
                    set: q.set.clone(),
                    ndcg: ndcg_at(&top, grades, K),
                    recall: recall_at(&top, grades, K),
                    partial: 0,
                    top,
                }
            })
            .collect();
        let (ndcg, recall) = means(scores.iter());
        report.rankings.push(RankingReport {
            run: *run,
            ndcg,
            recall,
            queries: scores,
        });
    }
    // After the others, so that their columns keep their places.
    measure(Run::Shown, &mut report);
    report
}

/// Mean nDCG and mean recall (over the queries that have relevant articles).
fn means<'a>(scores: impl Iterator<Item = &'a QueryScore>) -> (f64, f64) {
    let (mut ndcg, mut n, mut recall, mut with_relevant) = (0.0, 0usize, 0.0, 0usize);
    for s in scores {
        ndcg += s.ndcg;
        n += 1;
        if let Some(r) = s.recall {
            recall += r;
            with_relevant += 1;
        }
    }
    (ndcg / n.max(1) as f64, recall / with_relevant.max(1) as f64)
}

/// How one ranking compares with another over the same queries (one part of the set,
/// or all of it).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub set: String,
    pub queries: usize,
    pub ndcg: (f64, f64),
    pub recall: (f64, f64),
    /// Queries where the first ranking's nDCG@10 is higher by more than 0.005, lower,
    /// or within that.
    pub wins: usize,
    pub losses: usize,
    pub ties: usize,
    /// A 95% interval for the mean nDCG@10 difference: the 2.5th and 97.5th
    /// percentiles of 10,000 resamples of the queries (paired bootstrap).
    pub interval: (f64, f64),
}

impl RankingReport {
    /// Mean nDCG@10 on the queries of `set` (`None`: all), its 95% bootstrap interval,
    /// and the number of queries.
    pub fn mean_on(&self, set: Option<&str>) -> (f64, (f64, f64), usize) {
        let v: Vec<f64> = self
            .queries
            .iter()
            .filter(|q| set.is_none_or(|s| in_set(&q.set, s)))
            .map(|q| q.ndcg)
            .collect();
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        (mean, bootstrap_interval(&v, 10_000), v.len())
    }

    /// This ranking against `other` on the queries of `set` (`None`: all of them).
    pub fn compare(&self, other: &RankingReport, set: Option<&str>) -> Comparison {
        let pairs: Vec<(&QueryScore, &QueryScore)> = self
            .queries
            .iter()
            .zip(&other.queries)
            .filter(|(a, _)| set.is_none_or(|s| in_set(&a.set, s)))
            .collect();
        let (a_ndcg, a_recall) = means(pairs.iter().map(|p| p.0));
        let (b_ndcg, b_recall) = means(pairs.iter().map(|p| p.1));
        let diffs: Vec<f64> = pairs.iter().map(|(a, b)| a.ndcg - b.ndcg).collect();
        Comparison {
            set: set.unwrap_or("all").to_string(),
            queries: pairs.len(),
            ndcg: (a_ndcg, b_ndcg),
            recall: (a_recall, b_recall),
            wins: diffs.iter().filter(|d| **d > 0.005).count(),
            losses: diffs.iter().filter(|d| **d < -0.005).count(),
            ties: diffs.iter().filter(|d| d.abs() <= 0.005).count(),
            interval: bootstrap_interval(&diffs, 10_000),
        }
    }
}

/// The 2.5th and 97.5th percentiles of the mean of `diffs` resampled with
/// replacement `rounds` times, from a fixed seed (the same report every run).
pub fn bootstrap_interval(diffs: &[f64], rounds: usize) -> (f64, f64) {
    if diffs.is_empty() || rounds == 0 {
        return (0.0, 0.0);
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let n = diffs.len();
    let mut means: Vec<f64> = (0..rounds)
        .map(|_| {
            (0..n)
                .map(|_| diffs[(next() % n as u64) as usize])
                .sum::<f64>()
                / n as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((rounds - 1) as f64 * q).round() as usize];
    (at(0.025), at(0.975))
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

    fn run(run: Run, scores: &[(&str, f64)]) -> RankingReport {
        let queries = scores
            .iter()
            .enumerate()
            .map(|(i, (set, ndcg))| QueryScore {
                id: format!("q{i}"),
                query: String::new(),
                set: set.to_string(),
                ndcg: *ndcg,
                recall: Some(*ndcg),
                partial: 0,
                top: Vec::new(),
            })
            .collect();
        RankingReport {
            run,
            ndcg: 0.0,
            recall: 0.0,
            queries,
        }
    }

    #[test]
    fn comparison_counts_wins_per_set_and_brackets_the_difference() {
        let a = run(
            Run::News,
            &[
                ("dev", 0.9),
                ("dev", 0.5),
                ("heldout", 0.8),
                ("heldout", 0.7),
            ],
        );
        let b = run(
            Run::PlainBm25,
            &[
                ("dev", 0.6),
                ("dev", 0.6),
                ("heldout", 0.8),
                ("heldout", 0.5),
            ],
        );
        let all = a.compare(&b, None);
        assert_eq!((all.queries, all.wins, all.losses, all.ties), (4, 2, 1, 1));
        assert!((all.ndcg.0 - 0.725).abs() < 1e-9 && (all.ndcg.1 - 0.625).abs() < 1e-9);
        assert!(
            all.interval.0 < 0.1 && 0.1 < all.interval.1,
            "{:?}",
            all.interval
        );
        let heldout = a.compare(&b, Some("heldout"));
        assert_eq!((heldout.queries, heldout.wins, heldout.ties), (2, 1, 1));
        assert!((heldout.ndcg.0 - heldout.ndcg.1 - 0.1).abs() < 1e-9);
    }

    #[test]
    fn bootstrap_interval_of_a_constant_is_that_constant_and_widens_with_spread() {
        let (lo, hi) = bootstrap_interval(&[0.1; 20], 1000);
        assert!((lo - 0.1).abs() < 1e-12 && (hi - 0.1).abs() < 1e-12);
        let spread: Vec<f64> = (0..30)
            .map(|i| if i % 2 == 0 { 0.3 } else { -0.3 })
            .collect();
        let (lo, hi) = bootstrap_interval(&spread, 2000);
        assert!(lo < 0.0 && hi > 0.0 && hi - lo > 0.1, "{lo} {hi}");
        assert_eq!(bootstrap_interval(&spread, 2000), (lo, hi), "fixed seed");
    }

    #[test]
    fn outside_runs_are_read_in_rank_order_and_bad_lines_named() {
        let runs =
            read_runs("fts5-or\tq1\t1\ta#1\nfts5-or\tq1\t2\ta#2\nfts5-and\tq1\t1\ta#2\n").unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].0, Run::Fts5Or);
        assert_eq!(runs[0].1["q1"], vec!["a#1".to_string(), "a#2".to_string()]);
        assert_eq!(runs[1].0, Run::Fts5And);
        let err = read_runs("fts5-or\tq1\t2\ta#1\n").unwrap_err();
        assert!(err.starts_with("line 1:"), "{err}");
        assert!(read_runs("bm42\tq1\t1\ta#1").is_err());
    }

    #[test]
    fn misspelled_overlap_counts_the_correct_querys_top_found() {
        let mut news = run(Run::News, &[("dev", 1.0), ("dev", 0.5), ("dev", 0.5)]);
        let top = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        news.queries[0].top = top(&["a", "b", "c", "d"]);
        news.queries[1].top = top(&["c", "a", "x"]);
        news.queries[2].top = top(&[]);
        let report = RelevanceReport {
            rankings: vec![news],
            misspelled: vec![
                ("q1".into(), "q0".into()),
                ("q2".into(), "q0".into()),
                ("q9".into(), "q0".into()),
            ],
            ..Default::default()
        };
        let o = report.misspelled_overlap();
        assert_eq!(o.len(), 2, "an unknown id is left out");
        assert_eq!((o[0].found, o[0].of), (2, 4));
        assert_eq!((o[1].found, o[1].of), (0, 4));
        assert!((mean_share(&o) - 0.25).abs() < 1e-9);
    }

    #[test]
    fn recall_counts_grade_two_and_up_and_bare_record_ids_match() {
        let g = grades(&[("1", 3), ("2", 2), ("3", 1)]);
        let top: Vec<String> = vec!["x.csv#2".into(), "x.csv#3".into()];
        assert_eq!(recall_at(&top, &g, 10), Some(0.5));
        assert_eq!(recall_at(&top, &grades(&[("1", 1)]), 10), None);
    }
}
