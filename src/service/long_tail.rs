//! How far the rare tag values of an index can be trusted, measured against a judged
//! long-tail set (`tests/data/long-tail/`, see its README): (kind, value, article)
//! pairs read in context and judged right or wrong.
//!
//! The labelled sets score whole articles and are dominated by a few frequent values
//! (US, Trump); here every value counts the same. For each kind:
//! - **macro precision**: over the values with at least one judged pair the index
//!   still produces, the mean of each value's share of right pairs among them;
//! - **micro precision**: right pairs among all judged pairs still produced;
//! - **kept**: the share of the pairs judged right that the index still produces (a
//!   tagger that drops tags gains precision and loses here);
//! - **unjudged**: pairs of the index's own long tail (every value on at most
//!   [`MAX_ARTICLES`] articles, its first [`RARE_ARTICLES_SHOWN`] articles, as
//!   `newsidx tags --rare` lists them and as the set was drawn) that the set does not
//!   judge. A rule that makes new tags makes unjudged pairs; they are listed, to be
//!   judged and added, not silently counted right or wrong.
//!
//! A pair is produced when the article's stored tags hold the value: a country tagged
//! directly (not only through a city: those are `--via-place`), a leader or an
//! organisation. Leader names compare with diacritics folded.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use serde::Serialize;

use super::{tags, TagsQuery, RARE_ARTICLES_SHOWN};
use crate::enrich::gazetteer::fold_diacritics;
use crate::error::{Error, Result};
use crate::index::NewsIndex;
use crate::search;

/// Values carried by at most this many articles make the long tail (the default of
/// `newsidx tags --rare`, with which the set was drawn).
pub const MAX_ARTICLES: usize = 8;

/// The file of judgements inside a long-tail set folder.
pub const JUDGED_FILE: &str = "judged.jsonl";

const KINDS: [&str; 3] = ["country", "leader", "org"];

/// One judged pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub kind: &'static str,
    pub value: String,
    pub article: String,
    /// `None`: the judge could not decide; such a pair is neither right nor wrong.
    pub right: Option<bool>,
    pub why: String,
}

/// A pair named in the report's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub kind: &'static str,
    pub value: String,
    pub article: String,
    /// The judge's reason (empty for an unjudged pair).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub why: String,
}

/// The figures of one kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindFigures {
    /// Values in the set.
    pub values: usize,
    /// Values with at least one judged pair still produced (the macro mean's count).
    pub values_produced: usize,
    pub macro_precision: f64,
    pub micro_precision: f64,
    /// Right pairs still produced / right pairs in the set.
    pub kept: f64,
    pub right: usize,
    pub right_produced: usize,
    pub wrong: usize,
    pub wrong_produced: usize,
    /// Pairs the judges could not decide.
    pub undecided: usize,
    /// Long-tail pairs of the index that the set does not judge.
    pub unjudged: usize,
}

/// Everything `newsidx eval --long-tail` reports.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LongTailReport {
    pub pairs: usize,
    pub articles: usize,
    /// Articles of the set that the index does not hold (an index of another archive).
    pub articles_missing: usize,
    pub kinds: BTreeMap<&'static str, KindFigures>,
    /// Judged wrong and still produced.
    pub wrong_produced: Vec<Pair>,
    /// Judged right and no longer produced.
    pub right_lost: Vec<Pair>,
    pub unjudged: Vec<Pair>,
    pub missing: Vec<String>,
}

/// Read a set's judgements (`DIR/judged.jsonl`): one JSON object per line,
/// `{"kind","value","article","right","why"}`.
pub fn read_set(dir: &Path) -> Result<Vec<Judged>> {
    let path = dir.join(JUDGED_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::InvalidArgument(format!(
            "{}: cannot read the judged pairs ({e}); pass --long-tail DIR with {JUDGED_FILE} as in tests/data/long-tail",
            path.display()
        ))
    })?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |what: &str| {
            Error::InvalidArgument(format!(
                "{}:{}: {what}; each line is {{\"kind\",\"value\",\"article\",\"right\",\"why\"}}",
                path.display(),
                n + 1
            ))
        };
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| bad(&format!("not JSON ({e})")))?;
        let kind = v["kind"].as_str().unwrap_or_default();
        let Some(kind) = KINDS.iter().copied().find(|k| *k == kind) else {
            return Err(bad("kind is not country, leader or org"));
        };
        let (Some(value), Some(article)) = (v["value"].as_str(), v["article"].as_str()) else {
            return Err(bad("value or article missing"));
        };
        let right = match &v["right"] {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::Null => None,
            _ => return Err(bad("right is not true, false or null")),
        };
        out.push(Judged {
            kind,
            value: value.to_string(),
            article: article.to_string(),
            right,
            why: v["why"].as_str().unwrap_or_default().to_string(),
        });
    }
    if out.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "{}: no judged pairs",
            path.display()
        )));
    }
    Ok(out)
}

/// The key a value is compared by: leader names without diacritics, in lower case.
fn value_key(kind: &str, value: &str) -> String {
    if kind == "leader" {
        fold_diacritics(value).to_lowercase()
    } else {
        value.to_string()
    }
}

/// The (kind, value key) pairs an article's stored enrichment holds, or `None` when
/// the index has no such article.
fn stored_tags(idx: &NewsIndex, id: &str) -> Result<Option<HashSet<(&'static str, String)>>> {
    use tantivy::schema::Value;
    let Some((_, _, doc)) = search::find(idx, id)? else {
        return Ok(None);
    };
    let enrichment: serde_json::Value = serde_json::from_str(
        doc.get_first(idx.fields.enrichment)
            .and_then(|v| v.as_str())
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    let mut out = HashSet::new();
    for (kind, list, key) in [
        ("country", "countries", "code"),
        ("leader", "leaders", "name"),
        ("org", "orgs", "name"),
    ] {
        for t in enrichment["tags"][list].as_array().into_iter().flatten() {
            if t["via_place"] == true {
                continue;
            }
            if let Some(v) = t[key].as_str() {
                out.insert((kind, value_key(kind, v)));
            }
        }
    }
    Ok(Some(out))
}

/// Measure the index's tags against the judged pairs.
pub fn measure(idx: &NewsIndex, set: &[Judged]) -> Result<LongTailReport> {
    let mut report = LongTailReport {
        pairs: set.len(),
        ..LongTailReport::default()
    };
    let articles: BTreeSet<&str> = set.iter().map(|j| j.article.as_str()).collect();
    report.articles = articles.len();
    let mut stored = BTreeMap::new();
    for a in &articles {
        match stored_tags(idx, a)? {
            Some(t) => {
                stored.insert(*a, t);
            }
            None => report.missing.push(a.to_string()),
        }
    }
    report.articles_missing = report.missing.len();
    if stored.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "{}: holds none of the {} articles of the long-tail set; index the archive the set was drawn from (see its README)",
            idx.path.display(),
            articles.len()
        )));
    }
    // Per kind, per value key: (right produced, wrong produced).
    let mut per_value: BTreeMap<&str, BTreeMap<String, (usize, usize)>> = BTreeMap::new();
    for kind in KINDS {
        report.kinds.insert(kind, KindFigures::default());
        per_value.insert(kind, BTreeMap::new());
    }
    let mut judged_keys: HashSet<(&str, String, &str)> = HashSet::new();
    for j in set {
        let key = value_key(j.kind, &j.value);
        judged_keys.insert((j.kind, key.clone(), j.article.as_str()));
        let Some(tags) = stored.get(j.article.as_str()) else {
            continue;
        };
        let produced = tags.contains(&(j.kind, key.clone()));
        let fig = report
            .kinds
            .get_mut(j.kind)
            .expect("every kind has figures");
        let pair = || Pair {
            kind: j.kind,
            value: j.value.clone(),
            article: j.article.clone(),
            why: j.why.clone(),
        };
        let slot = per_value
            .get_mut(j.kind)
            .expect("every kind has values")
            .entry(key)
            .or_insert((0, 0));
        match j.right {
            None => fig.undecided += 1,
            Some(true) => {
                fig.right += 1;
                if produced {
                    fig.right_produced += 1;
                    slot.0 += 1;
                } else {
                    report.right_lost.push(pair());
                }
            }
            Some(false) => {
                fig.wrong += 1;
                if produced {
                    fig.wrong_produced += 1;
                    slot.1 += 1;
                    report.wrong_produced.push(pair());
                }
            }
        }
    }
    for (kind, values) in &per_value {
        let fig = report.kinds.get_mut(kind).expect("every kind has figures");
        fig.values = values.len();
        let shares: Vec<f64> = values
            .values()
            .filter(|(r, w)| r + w > 0)
            .map(|&(r, w)| r as f64 / (r + w) as f64)
            .collect();
        fig.values_produced = shares.len();
        fig.macro_precision = mean(&shares);
        fig.micro_precision = share(fig.right_produced, fig.right_produced + fig.wrong_produced);
        fig.kept = share(fig.right_produced, fig.right);
    }
    // The index's own long tail, drawn as the set was.
    let rare = tags(
        idx,
        &TagsQuery {
            rare: true,
            max_articles: MAX_ARTICLES,
            limit: usize::MAX,
            ..TagsQuery::default()
        },
    )?;
    for t in rare.rare.unwrap_or_default() {
        let key = value_key(t.kind, &t.value);
        for a in t.articles.iter().take(RARE_ARTICLES_SHOWN) {
            if judged_keys.contains(&(t.kind, key.clone(), a.as_str())) {
                continue;
            }
            if let Some(fig) = report.kinds.get_mut(t.kind) {
                fig.unjudged += 1;
            }
            report.unjudged.push(Pair {
                kind: t.kind,
                value: t.value.clone(),
                article: a.clone(),
                why: String::new(),
            });
        }
    }
    Ok(report)
}

fn share(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        1.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_reads_and_bad_lines_name_file_and_line() {
        let dir = std::env::temp_dir().join(format!("lt-set-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(JUDGED_FILE),
            "{\"kind\":\"leader\",\"value\":\"Xi Jinping\",\"article\":\"a\",\"right\":true,\"why\":\"x\"}\n\n{\"kind\":\"country\",\"value\":\"TW\",\"article\":\"b\",\"right\":null}\n",
        )
        .unwrap();
        let set = read_set(&dir).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set[1].right, None);
        std::fs::write(
            dir.join(JUDGED_FILE),
            "{\"kind\":\"leader\",\"value\":\"Xi\",\"article\":\"a\",\"right\":true}\n{\"kind\":\"person\",\"value\":\"X\",\"article\":\"b\",\"right\":true}\n",
        )
        .unwrap();
        let e = read_set(&dir).unwrap_err().to_string();
        assert!(e.contains("judged.jsonl:2: kind"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn leader_values_compare_without_diacritics() {
        assert_eq!(
            value_key("leader", "Recep Tayyip Erdoğan"),
            value_key("leader", "recep tayyip erdogan")
        );
        assert_ne!(value_key("country", "tw"), value_key("country", "TW"));
        assert_eq!(mean(&[1.0, 0.5]), 0.75);
    }
}
