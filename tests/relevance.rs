//! Relevance of the default ranking, measured: the judged queries of
//! `tests/data/relevance/` over an index built from the judged articles (plus
//! distractors) by the real binary; the defaults must beat plain BM25 clearly.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use newsidx::index::NewsIndex;
use newsidx::search::relevance::{self, Run};

/// What the defaults reached (0.834) when the judgements were made, less 0.02.
const NEWS_NDCG_FLOOR: f64 = 0.81;
/// How much better than plain BM25 the defaults must be (measured: +0.037).
const MARGIN: f64 = 0.03;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/relevance")
}

fn ingest(corpus: &Path, index: &Path) {
    Command::cargo_bin("newsidx")
        .unwrap()
        .env_clear()
        .arg("ingest")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .assert()
        .success();
}

/// The judged articles ingested by the binary into a fresh index (kept while the
/// returned folder lives).
fn judged_index() -> (tempfile::TempDir, NewsIndex) {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::copy(data().join("articles.csv"), corpus.join("articles.csv")).unwrap();
    ingest(&corpus, &index);
    let idx = NewsIndex::open(&index).unwrap();
    (tmp, idx)
}

#[test]
fn defaults_beat_plain_bm25_on_judged_queries() {
    let (_tmp, idx) = judged_index();
    let report = relevance::evaluate(&idx, &data().join("queries.tsv"), &data().join("qrels.tsv"));
    println!("{report}");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.queries >= 25, "only {} queries", report.queries);
    let news = report.ranking(Run::News).unwrap();
    let bm25 = report.ranking(Run::PlainBm25).unwrap();
    assert!(
        news.ndcg >= bm25.ndcg + MARGIN,
        "defaults nDCG@10 {:.3} vs plain BM25 {:.3}",
        news.ndcg,
        bm25.ndcg
    );
    assert!(
        news.ndcg >= NEWS_NDCG_FLOOR,
        "defaults nDCG@10 {:.3} fell below {NEWS_NDCG_FLOOR}",
        news.ndcg
    );
    assert!(
        news.recall >= bm25.recall,
        "recall@10 fell below plain BM25"
    );
}

/// The proximity bonus is added to the best plain matches only, each candidate checked
/// alone (`search::ranked`). Where the query has fewer matches than that depth, the
/// scores must be exactly those of one query with the bonuses as optional clauses.
#[test]
fn reranked_scores_equal_the_one_query_scores() {
    use newsidx::search::{rank, ranked, Sort, RERANK_DEPTH};
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, Query};

    let (_tmp, idx) = judged_index();
    let searcher = idx.searcher().unwrap();
    let mut checked = 0;
    for q in relevance::read_queries(&data().join("queries.tsv")).unwrap() {
        let scored = rank::scored_query(&idx, &q.text, rank::Ranking::News).unwrap();
        if scored.bonus.is_empty() {
            continue;
        }
        let n = searcher.search(&*scored.strict, &Count).unwrap();
        if n == 0 || n > RERANK_DEPTH {
            continue;
        }
        let (two_step, total) = ranked(
            &searcher,
            &*scored.strict,
            &scored.bonus,
            Sort::Relevance,
            n,
        )
        .unwrap();
        assert_eq!(total, n);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, scored.strict.box_clone())];
        clauses.extend(scored.bonus.iter().map(|b| (Occur::Should, b.box_clone())));
        let one = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(n).order_by_score(),
            )
            .unwrap();
        assert_eq!(two_step.len(), one.len(), "{}", q.text);
        let mut a: Vec<_> = two_step.iter().map(|(s, d)| (*d, *s)).collect();
        let mut b: Vec<_> = one.iter().map(|(s, d)| (*d, *s)).collect();
        a.sort_by_key(|x| x.0);
        b.sort_by_key(|x| x.0);
        for ((da, sa), (db, sb)) in a.iter().zip(&b) {
            assert_eq!(da, db, "{}", q.text);
            assert!((sa - sb).abs() < 1e-3, "{}: {sa} vs {sb}", q.text);
        }
        checked += 1;
    }
    assert!(
        checked >= 10,
        "only {checked} queries had bonuses and few matches"
    );
}

/// For extending the judgements: prints `query_id<TAB>article id` for the pooled top
/// ten of the defaults, plain BM25 and an any-word query over the index named by
/// `NEWSIDX_REL_INDEX` (queries from `NEWSIDX_REL_QUERIES`, default the committed set).
#[test]
#[ignore]
fn pool_candidates_for_judging() {
    let Ok(index) = std::env::var("NEWSIDX_REL_INDEX") else {
        eprintln!("set NEWSIDX_REL_INDEX");
        return;
    };
    let queries = std::env::var("NEWSIDX_REL_QUERIES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| data().join("queries.tsv"));
    let depth = std::env::var("NEWSIDX_REL_DEPTH")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(10);
    let idx = NewsIndex::open(Path::new(&index)).unwrap();
    let specs = relevance::read_queries(&queries).unwrap();
    for (qid, ids) in relevance::pool(&idx, &specs, depth) {
        for id in ids {
            println!("POOL\t{qid}\t{id}");
        }
    }
}

/// The report over the index named by `NEWSIDX_REL_INDEX` (e.g. the full archive the
/// judgements were pooled from).
#[test]
#[ignore]
fn report_on_given_index() {
    let Ok(index) = std::env::var("NEWSIDX_REL_INDEX") else {
        eprintln!("set NEWSIDX_REL_INDEX");
        return;
    };
    let idx = NewsIndex::open(Path::new(&index)).unwrap();
    let report = relevance::evaluate(&idx, &data().join("queries.tsv"), &data().join("qrels.tsv"));
    println!("{report}");
}
