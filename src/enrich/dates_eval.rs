//! Evaluation of the date extractor against a hand-labelled JSONL set
//! (`tests/data/labels/dates/gold.jsonl`, conventions in the README beside it).
//!
//! Gold offsets are Python character offsets; they are converted to byte offsets
//! before comparing with [`extract`], which reports bytes.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::dates::{extract, DateMention, Granularity};

#[derive(Deserialize)]
struct GoldItem {
    article_id: String,
    published: String,
    sentence: String,
    mentions: Vec<GoldMention>,
}

#[derive(Deserialize)]
struct GoldMention {
    text: String,
    start: usize,
    value: String,
    granularity: String,
}

/// Scores of the extractor on a gold file.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DateScores {
    pub items: usize,
    pub gold: usize,
    pub predicted: usize,
    /// Predicted mentions whose byte span equals a gold span.
    pub exact: usize,
    /// Predicted mentions overlapping a gold span (one-to-one).
    pub overlap: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub lenient_precision: f64,
    pub lenient_recall: f64,
    pub lenient_f1: f64,
    /// Exact matches whose value and granularity are both right.
    pub values_right: usize,
    /// `values_right / exact`.
    pub value_accuracy: f64,
    /// Human-readable description of every miss, false alarm and wrong value.
    pub errors: Vec<String>,
}

fn gran_name(g: Granularity) -> &'static str {
    match g {
        Granularity::Day => "day",
        Granularity::Week => "week",
        Granularity::Month => "month",
        Granularity::Year => "year",
        Granularity::Decade => "decade",
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Byte offset of Python character offset `chars` in `s`.
fn char_to_byte(s: &str, chars: usize) -> Option<usize> {
    if chars == s.chars().count() {
        return Some(s.len());
    }
    s.char_indices().nth(chars).map(|(b, _)| b)
}

/// Score [`extract`] on a gold JSONL file and print precision, recall and F1 of
/// mention spans (exact and overlapping) and the share of exactly matched mentions
/// whose value and granularity are right. Set `DATES_EVAL_VERBOSE=1` to also print
/// every error.
///
/// Panics if the file cannot be read or parsed: it is an evaluation fixture.
pub fn evaluate_dates(gold: &Path) -> DateScores {
    let text = std::fs::read_to_string(gold)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", gold.display()));
    let mut sc = DateScores::default();
    for (ln, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let item: GoldItem = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}:{}: {e}", gold.display(), ln + 1));
        let published = NaiveDate::parse_from_str(&item.published, "%Y-%m-%d").ok();
        let pred = extract(&item.sentence, published);
        sc.items += 1;
        sc.gold += item.mentions.len();
        sc.predicted += pred.len();
        let gold_spans: Vec<(usize, usize)> = item
            .mentions
            .iter()
            .map(|m| {
                let s = char_to_byte(&item.sentence, m.start).unwrap_or(usize::MAX);
                (s, s.saturating_add(m.text.len()))
            })
            .collect();
        let mut used_exact = vec![false; pred.len()];
        let mut used_overlap = vec![false; pred.len()];
        for (g, &(gs, ge)) in item.mentions.iter().zip(&gold_spans) {
            if let Some(k) = pred
                .iter()
                .enumerate()
                .position(|(k, p)| !used_exact[k] && p.start == gs && p.end == ge)
            {
                used_exact[k] = true;
                sc.exact += 1;
                let p: &DateMention = &pred[k];
                if p.value.as_deref() == Some(g.value.as_str())
                    && gran_name(p.granularity) == g.granularity
                {
                    sc.values_right += 1;
                } else {
                    sc.errors.push(format!(
                        "VALUE  {} {} {:?}: got {:?} {:?}, want {} {:?}",
                        item.article_id,
                        item.published,
                        g.text,
                        p.value,
                        p.granularity,
                        g.value,
                        g.granularity
                    ));
                }
            } else {
                sc.errors.push(format!(
                    "MISS   {} {} {:?} in {:?}",
                    item.article_id, item.published, g.text, item.sentence
                ));
            }
            if let Some(k) = pred
                .iter()
                .enumerate()
                .position(|(k, p)| !used_overlap[k] && p.start < ge && gs < p.end)
            {
                used_overlap[k] = true;
                sc.overlap += 1;
            }
        }
        for (k, p) in pred.iter().enumerate() {
            if !used_exact[k] {
                sc.errors.push(format!(
                    "EXTRA  {} {} {:?} ({:?} {:?}) in {:?}",
                    item.article_id, item.published, p.text, p.value, p.granularity, item.sentence
                ));
            }
        }
    }
    sc.precision = ratio(sc.exact, sc.predicted);
    sc.recall = ratio(sc.exact, sc.gold);
    sc.f1 = f1(sc.precision, sc.recall);
    sc.lenient_precision = ratio(sc.overlap, sc.predicted);
    sc.lenient_recall = ratio(sc.overlap, sc.gold);
    sc.lenient_f1 = f1(sc.lenient_precision, sc.lenient_recall);
    sc.value_accuracy = ratio(sc.values_right, sc.exact);
    sc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_offsets_become_bytes() {
        assert_eq!(char_to_byte("a\u{201c}b", 2), Some(4));
        assert_eq!(char_to_byte("ab", 2), Some(2));
        assert_eq!(char_to_byte("ab", 3), None);
    }

    #[test]
    fn dev_set_scores() {
        let gold = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/labels/dates/gold.jsonl");
        let s = evaluate_dates(&gold);
        // Floors at the figures reached (1.000 and 142/142); the targets are 0.90 / 0.95.
        assert!(s.f1 >= 0.995, "F1 {}", s.f1);
        assert!(s.value_accuracy >= 0.995, "values {}", s.value_accuracy);
    }

    /// The second set (`tests/data/labels-2`), labelled after the rules were written:
    /// its first run gave F1 0.981 and 102/103 values; after the fixes it prompted,
    /// 0.991 and 105/105.
    #[test]
    fn second_set_scores() {
        let gold =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/labels-2/dates/gold.jsonl");
        let s = evaluate_dates(&gold);
        assert!(s.gold >= 100, "only {} mentions", s.gold);
        assert!(s.f1 >= 0.985, "F1 {}", s.f1);
        assert!(s.value_accuracy >= 0.995, "values {}", s.value_accuracy);
    }
}
