//! Matches over time: counts per day, week, month or year, optionally split by the
//! most frequent values of one tag kind.

use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, HashMap};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    Year,
}

impl Period {
    /// The label of the period a date falls in: 2017-02-07, 2017-W06, 2017-02, 2017.
    pub fn label(self, d: NaiveDate) -> String {
        match self {
            Period::Day => d.format("%Y-%m-%d").to_string(),
            Period::Week => {
                let w = d.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Period::Month => d.format("%Y-%m").to_string(),
            Period::Year => d.format("%Y").to_string(),
        }
    }

    /// The first day of the next period, to fill empty periods in a chart.
    pub fn next(self, d: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => d.succ_opt().unwrap_or(d),
            Period::Week => {
                d + chrono::Duration::days(7 - d.weekday().num_days_from_monday() as i64)
            }
            Period::Month => {
                let (y, m) = if d.month() == 12 {
                    (d.year() + 1, 1)
                } else {
                    (d.year(), d.month() + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
            }
            Period::Year => NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap_or(d),
        }
    }
}

/// Collects (publication day, split values) for every match; undated matches are counted apart.
pub struct DatesCollector {
    pub split_field: Option<&'static str>,
}

#[derive(Debug, Default)]
pub struct DatesFruit {
    /// day (days since epoch) → split value (or "") → count
    pub counts: HashMap<i64, HashMap<String, u64>>,
    pub undated: u64,
}

pub struct DatesSegment {
    dates: Option<Column<DateTime>>,
    split: Option<StrColumn>,
    counts: HashMap<(i64, Option<u64>), u64>,
    undated: u64,
}

impl Collector for DatesCollector {
    type Fruit = DatesFruit;
    type Child = DatesSegment;

    fn for_segment(&self, _: SegmentOrdinal, seg: &SegmentReader) -> tantivy::Result<DatesSegment> {
        let ff = seg.fast_fields();
        let dates = ff.date("published").ok();
        let split = match self.split_field {
            Some(f) => ff.str(f)?,
            None => None,
        };
        Ok(DatesSegment {
            dates,
            split,
            counts: HashMap::new(),
            undated: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<DatesFruit>) -> tantivy::Result<DatesFruit> {
        let mut out = DatesFruit::default();
        for f in fruits {
            out.undated += f.undated;
            for (day, m) in f.counts {
                let e = out.counts.entry(day).or_default();
                for (k, v) in m {
                    *e.entry(k).or_insert(0) += v;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for DatesSegment {
    type Fruit = DatesFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(day) = self
            .dates
            .as_ref()
            .and_then(|c| c.first(doc))
            .map(|d| d.into_timestamp_secs().div_euclid(86_400))
        else {
            self.undated += 1;
            return;
        };
        *self.counts.entry((day, None)).or_insert(0) += 1;
        if let Some(col) = &self.split {
            for ord in col.term_ords(doc) {
                *self.counts.entry((day, Some(ord))).or_insert(0) += 1;
            }
        }
    }

    fn harvest(self) -> DatesFruit {
        let mut out = DatesFruit {
            undated: self.undated,
            ..DatesFruit::default()
        };
        let mut s = String::new();
        for ((day, ord), n) in self.counts {
            let key = match (ord, &self.split) {
                (Some(o), Some(col)) if col.ord_to_str(o, &mut s).unwrap_or(false) => s.clone(),
                _ => String::new(),
            };
            *out.counts.entry(day).or_default().entry(key).or_insert(0) += n;
        }
        out
    }
}

/// One row of the chart.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub period: String,
    pub count: u64,
    /// Counts of the top split values (empty without a split).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub split: BTreeMap<String, u64>,
}

/// Buckets the collected days into periods, filling empty periods between the first
/// and the last so the chart shows gaps as gaps. Only the `top` most frequent split
/// values are counted: an article has several tags, so a remainder would not add up.
pub fn rows(fruit: &DatesFruit, by: Period, top: usize) -> Vec<Row> {
    let mut totals: HashMap<&str, u64> = HashMap::new();
    for m in fruit.counts.values() {
        for (k, v) in m {
            if !k.is_empty() {
                *totals.entry(k).or_insert(0) += v;
            }
        }
    }
    let mut ranked: Vec<(&str, u64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let keep: Vec<&str> = ranked.iter().take(top).map(|(k, _)| *k).collect();

    let mut by_period: BTreeMap<String, Row> = BTreeMap::new();
    let mut days: Vec<i64> = fruit.counts.keys().copied().collect();
    days.sort();
    let to_date = |d: i64| NaiveDate::from_num_days_from_ce_opt((d + 719_163) as i32);
    if let (Some(first), Some(last)) = (
        days.first().and_then(|d| to_date(*d)),
        days.last().and_then(|d| to_date(*d)),
    ) {
        let mut d = first;
        let mut guard = 0;
        while d <= last && guard < 100_000 {
            by_period.entry(by.label(d)).or_insert_with(|| Row {
                period: by.label(d),
                count: 0,
                split: BTreeMap::new(),
            });
            d = by.next(d);
            guard += 1;
        }
    }
    for (day, m) in &fruit.counts {
        let Some(date) = to_date(*day) else { continue };
        let row = by_period.entry(by.label(date)).or_insert_with(|| Row {
            period: by.label(date),
            count: 0,
            split: BTreeMap::new(),
        });
        // An article counts once in `count`, however many split values it has.
        let docs = m.get("").copied().unwrap_or(0);
        row.count += docs;
        for (k, v) in m {
            if k.is_empty() {
                continue;
            }
            if keep.contains(&k.as_str()) {
                *row.split.entry(k.clone()).or_insert(0) += v;
            }
        }
    }
    by_period.into_values().collect()
}
