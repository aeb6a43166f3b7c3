//! Evaluation of the tagger against the hand-labelled set in `tests/data/labels/tags/`
//! (66 news articles plus the specification article; conventions in its README).
//!
//! Scoring follows the labels' README: countries the gold lists under
//! `countries_via_city` are ignored on both sides, and so are the tagger's `via_place`
//! countries (they are the same notion); a country tag whose every mention is a
//! leader's name is left out too, because the gold does not count "President Donald
//! Trump" as naming the US. Leaders are compared with diacritics folded.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use crate::article::Article;
use crate::enrich::gazetteer::{fold_diacritics, Gazetteer};
use crate::enrich::tags::{Tagger, Tags};

/// Precision, recall and F1 from true/false positive and false negative counts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prf {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, pred: &BTreeSet<String>, gold: &BTreeSet<String>) {
        self.tp += pred.intersection(gold).count();
        self.fp += pred.difference(gold).count();
        self.fn_ += gold.difference(pred).count();
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores per tag kind, plus the per-article differences for error analysis.
#[derive(Debug, Clone, Default)]
pub struct TagScores {
    pub articles: usize,
    pub countries: Prf,
    pub leaders: Prf,
    pub orgs: Prf,
    /// One line per article that differs: "id kind +false_positive -false_negative".
    pub differences: Vec<String>,
}

impl fmt::Display for TagScores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "tag evaluation over {} articles", self.articles)?;
        writeln!(
            f,
            "{:<10} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
            "kind", "tp", "fp", "fn", "precision", "recall", "F1"
        )?;
        for (name, s) in [
            ("countries", self.countries),
            ("leaders", self.leaders),
            ("orgs", self.orgs),
        ] {
            writeln!(
                f,
                "{:<10} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
                name,
                s.tp,
                s.fp,
                s.fn_,
                s.precision(),
                s.recall(),
                s.f1()
            )?;
        }
        Ok(())
    }
}

/// Gold labels of one article.
struct Gold {
    id: String,
    countries: BTreeSet<String>,
    via_city: BTreeSet<String>,
    leaders: BTreeSet<String>,
    orgs: BTreeSet<String>,
}

fn str_set(v: &serde_json::Value, key: &str) -> BTreeSet<String> {
    v.get(key)
        .and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn leader_key(name: &str) -> String {
    fold_diacritics(name).to_lowercase()
}

/// The sets a tagger output is scored on.
fn predicted(
    tags: &Tags,
    via_city: &BTreeSet<String>,
) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>) {
    let leader_spans: BTreeSet<(&str, usize)> = tags
        .leaders
        .iter()
        .flat_map(|l| l.mentions.iter().map(|m| (m.field, m.start)))
        .collect();
    let countries = tags
        .countries
        .iter()
        .filter(|c| !c.via_place && !via_city.contains(&c.code))
        .filter(|c| {
            c.mentions
                .iter()
                .any(|m| !leader_spans.contains(&(m.field, m.start)))
        })
        .map(|c| c.code.clone())
        .collect();
    let leaders = tags.leaders.iter().map(|l| leader_key(&l.name)).collect();
    let orgs = tags.orgs.iter().map(|o| o.name.clone()).collect();
    (countries, leaders, orgs)
}

/// Tag every labelled article with the shipped gazetteer and score the result.
///
/// `articles_csv` has the columns of the news-2017 corpus (`article_id, publish_date,
/// article_source_link, title, subtitle, text`); `gold` is one JSON object per line in
/// the same order, its last line being the seed article (`seed`, plain text).
pub fn evaluate_tags(articles_csv: &Path, gold: &Path, seed: &Path) -> TagScores {
    let tagger = Tagger::new(Gazetteer::shipped());
    let golds: Vec<Gold> = std::fs::read_to_string(gold)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| Gold {
            id: v
                .get("article_id")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string(),
            countries: str_set(&v, "countries"),
            via_city: str_set(&v, "countries_via_city"),
            leaders: str_set(&v, "leaders")
                .iter()
                .map(|n| leader_key(n))
                .collect(),
            orgs: str_set(&v, "orgs"),
        })
        .collect();
    let mut articles: Vec<Article> = Vec::new();
    if let Ok(mut rdr) = csv::Reader::from_path(articles_csv) {
        for rec in rdr.records().flatten() {
            let get = |i: usize| rec.get(i).unwrap_or("").to_string();
            let subtitle = get(4);
            articles.push(Article {
                id: get(0),
                title: get(3),
                subtitle: (!subtitle.is_empty()).then_some(subtitle),
                body: get(5),
                date_raw: Some(get(1)),
                ..Article::default()
            });
        }
    }
    articles.push(Article {
        id: "seed".to_string(),
        body: std::fs::read_to_string(seed).unwrap_or_default(),
        ..Article::default()
    });
    let mut scores = TagScores::default();
    for g in &golds {
        let Some(a) = articles.iter().find(|a| a.id == g.id) else {
            continue;
        };
        scores.articles += 1;
        let tags = tagger.tag(a);
        let (pc, pl, po) = predicted(&tags, &g.via_city);
        let gc: BTreeSet<String> = g.countries.difference(&g.via_city).cloned().collect();
        scores.countries.add(&pc, &gc);
        scores.leaders.add(&pl, &g.leaders);
        scores.orgs.add(&po, &g.orgs);
        for (kind, p, gd) in [
            ("countries", &pc, &gc),
            ("leaders", &pl, &g.leaders),
            ("orgs", &po, &g.orgs),
        ] {
            let fp: Vec<&String> = p.difference(gd).collect();
            let fneg: Vec<&String> = gd.difference(p).collect();
            if !fp.is_empty() || !fneg.is_empty() {
                scores
                    .differences
                    .push(format!("{} {kind} +{fp:?} -{fneg:?}", g.id));
            }
        }
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prf_arithmetic() {
        let p = Prf {
            tp: 8,
            fp: 2,
            fn_: 2,
        };
        assert!((p.precision() - 0.8).abs() < 1e-9);
        assert!((p.recall() - 0.8).abs() < 1e-9);
        assert!((p.f1() - 0.8).abs() < 1e-9);
        assert_eq!(Prf::default().f1(), 1.0);
    }

    /// Scores the set in `tests/data/<set>/tags` and checks each F1 against its floor
    /// (countries, leaders, orgs).
    fn check_set(set: &str, articles: usize, floors: [f64; 3]) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(set)
            .join("tags");
        let s = evaluate_tags(
            &dir.join("articles.csv"),
            &dir.join("gold.jsonl"),
            &dir.join("trump-xi-call.txt"),
        );
        println!("{s}");
        for d in &s.differences {
            println!("{d}");
        }
        assert_eq!(s.articles, articles);
        for (kind, prf, floor) in [
            ("countries", s.countries, floors[0]),
            ("leaders", s.leaders, floors[1]),
            ("orgs", s.orgs, floors[2]),
        ] {
            assert!(prf.f1() >= floor, "{set}: {kind} F1 {:.3}", prf.f1());
        }
    }

    /// Floors at the figures reached (1.000 / 0.990 / 1.000), so that no change lowers
    /// them unnoticed; the targets are 0.98 / 0.93 / 0.92.
    #[test]
    fn labelled_set_meets_targets() {
        check_set("labels", 67, [0.995, 0.985, 0.995]);
    }

    /// The second set, labelled after the rules were written. Its first run gave
    /// 0.989 / 0.951 / 1.000; the floors hold the figures reached after the fixes that
    /// run prompted (1.000 / 1.000 / 1.000).
    #[test]
    fn second_labelled_set_meets_targets() {
        check_set("labels-2", 45, [0.995, 0.995, 0.995]);
    }
}
