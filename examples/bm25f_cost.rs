//! EXPERIMENT (not committed): cost of the pieces of a BM25F rerank with a partial pool.
use newsidx::index::NewsIndex;
use newsidx::search::{bm25f, build_query, rank::Ranking, Filters};
use newsidx::service::{self, Params, SearchQuery};
use std::time::Instant;
use tantivy::collector::TopDocs;

#[path = "common/bench_queries.rs"]
mod bench_queries;

fn p50(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let idx = NewsIndex::open(std::path::Path::new(&args[1]))?;
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(10);
    let qs = bench_queries::read_queries(std::path::Path::new("benches/queries.tsv"))?;
    let searcher = idx.searcher()?;
    let (mut s_all, mut p_all, mut f_all) = (0.0, 0.0, 0.0);
    for q in &qs {
        let mut p = Params::from_pairs(q.flags.iter().map(|(k, v)| (k.as_str(), v.clone())));
        p.push("q", q.query.clone());
        let req = SearchQuery::from_params(p)?;
        let built = build_query(&idx, &q.query, &Filters::default(), Ranking::News);
        let scored = newsidx::search::rank::scored_query(&idx, &q.query, Ranking::News).unwrap();
        let strict_top = searcher.search(&*built.query, &TopDocs::with_limit(300).order_by_score())?;
        use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
        let mut sh: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in &scored.words {
            for t in &w.terms {
                for (f, b) in [(idx.fields.title, 1.5f32), (idx.fields.subtitle, 1.2), (idx.fields.body, 1.0)] {
                    sh.push((Occur::Should, Box::new(BoostQuery::new(Box::new(TermQuery::new(tantivy::Term::from_field_text(f, t), tantivy::schema::IndexRecordOption::WithFreqs)), b))));
                }
            }
        }
        let or = BooleanQuery::new(sh);
        let mut to = vec![];
        let (mut ts, mut tp, mut tf) = (vec![], vec![], vec![]);
        for _ in 0..rounds {
            let t = Instant::now();
            std::hint::black_box(service::search(&idx, &req)?);
            ts.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            if let Some(pq) = &built.partial {
                std::hint::black_box(searcher.search(&**pq, &TopDocs::with_limit(300).order_by_score())?);
            }
            tp.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            if scored.words.len() > 1 {
                std::hint::black_box(searcher.search(&or, &TopDocs::with_limit(20).order_by_score())?);
            }
            to.push(t.elapsed().as_secs_f64() * 1e3);
            let mut docs = strict_top.clone();
            let t = Instant::now();
            bm25f::rescore(&searcher, &idx.fields, &scored.words, &bm25f::Params::default(), &mut docs)?;
            tf.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (a, b, c) = (p50(&mut ts), p50(&mut tp), p50(&mut tf));
        let o = p50(&mut to);
        print!("flat-or300 {o:6.2} ms  ");
        s_all += a;
        p_all += b;
        f_all += c;
        println!("{:<40} served {a:7.2} ms  partial-top300 {b:7.2} ms  bm25f(300) {c:6.2} ms", q.line);
    }
    println!("sum of p50s: served {s_all:.1} partial {p_all:.1} bm25f {f_all:.1}");
    Ok(())
}
