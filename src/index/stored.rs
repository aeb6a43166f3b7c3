//! An article's enrichment as its document stores it (the `enrichment` field), and read
//! back in the shape `show --json` prints.
//!
//! A mention is stored as its byte span, `[start, end]`, with the field it is in when
//! that is not the body (`[start, end, "title"]`); its text is the stored field's text
//! there and is read back from it. Only a mention whose text is not that slice (an
//! edited file of enriched records) keeps its text: `[start, end, field, text]`. A date
//! is `[start, end, value, granularity]` (and its text when it is not the body's slice).
//! Written out in full, with every mention's text and its keys, the enrichment was a
//! third of what the document store compressed and wrote (about 1.9 kB an article
//! beside a 3.3 kB body).
//!
//! The layout is marked `"v": 2`; documents written before it (every mention an object
//! with its text) are read as they are, so an index holds either.

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::article::Mention;
use crate::enrich::tags::{Tags, FIELDS};
use crate::enrich::DateMention;

/// This layout's mark.
const VERSION: u64 = 2;

/// The text of `field` that `texts` holds: title, subtitle and body, the tagger's
/// [`FIELDS`] in its order.
fn field_text<'a>(texts: &[&'a str; 3], field: &str) -> Option<&'a str> {
    FIELDS.iter().position(|f| *f == field).map(|i| texts[i])
}

struct Spans<'a> {
    mentions: &'a [Mention],
    texts: &'a [&'a str; 3],
}

impl Serialize for Spans<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.mentions.len()))?;
        for m in self.mentions {
            let own = field_text(self.texts, m.field).and_then(|t| t.get(m.start..m.end));
            let field = (m.field != "body").then_some(m.field);
            match (own == Some(m.text.as_str()), field) {
                (true, None) => seq.serialize_element(&(m.start, m.end))?,
                (true, Some(f)) => seq.serialize_element(&(m.start, m.end, f))?,
                (false, f) => {
                    seq.serialize_element(&(m.start, m.end, f.unwrap_or("body"), &m.text))?
                }
            }
        }
        seq.end()
    }
}

struct Dates<'a> {
    dates: &'a [DateMention],
    body: &'a str,
}

impl Serialize for Dates<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.dates.len()))?;
        for d in self.dates {
            let span = (d.start, d.end, &d.value, d.granularity);
            if self.body.get(d.start..d.end) == Some(d.text.as_str()) {
                seq.serialize_element(&span)?;
            } else {
                seq.serialize_element(&(span.0, span.1, span.2, span.3, &d.text))?;
            }
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct CountryOut<'a> {
    code: &'a str,
    name: &'a str,
    via_place: bool,
    m: Spans<'a>,
}

#[derive(Serialize)]
struct LeaderOut<'a> {
    name: &'a str,
    country: &'a str,
    inferred: bool,
    m: Spans<'a>,
}

#[derive(Serialize)]
struct OrgOut<'a> {
    name: &'a str,
    m: Spans<'a>,
}

/// A list serialised from an iterator, without collecting it first.
struct Each<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Each<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.take().into_iter().flatten())
    }
}

fn each<I: Iterator>(it: I) -> Each<I> {
    Each(std::cell::Cell::new(Some(it)))
}

/// The stored enrichment of an article whose title, subtitle and body are `texts`.
pub fn write(
    tags: &Tags,
    dates: &[DateMention],
    date_raw: &Option<String>,
    title_derived: bool,
    texts: [&str; 3],
) -> String {
    fn spans<'a>(mentions: &'a [Mention], texts: &'a [&'a str; 3]) -> Spans<'a> {
        Spans { mentions, texts }
    }
    let t = &texts;
    #[derive(Serialize)]
    struct TagsOut<A, B, C> {
        countries: A,
        leaders: B,
        orgs: C,
    }
    #[derive(Serialize)]
    struct Stored<'a, T, D> {
        v: u64,
        tags: T,
        dates: D,
        date_raw: &'a Option<String>,
        title_derived: bool,
    }
    let stored = Stored {
        v: VERSION,
        tags: TagsOut {
            countries: each(tags.countries.iter().map(|c| CountryOut {
                code: &c.code,
                name: &c.name,
                via_place: c.via_place,
                m: spans(&c.mentions, t),
            })),
            leaders: each(tags.leaders.iter().map(|l| LeaderOut {
                name: &l.name,
                country: &l.country,
                inferred: l.inferred,
                m: spans(&l.mentions, t),
            })),
            orgs: each(tags.orgs.iter().map(|o| OrgOut {
                name: &o.name,
                m: spans(&o.mentions, t),
            })),
        },
        dates: Dates {
            dates,
            body: texts[2],
        },
        date_raw,
        title_derived,
    };
    serde_json::to_string(&stored).unwrap_or_default()
}

/// The stored enrichment `json` of an article whose title, subtitle and body are
/// `texts`, in the shape it was once stored in and `show --json` prints: `tags` (each
/// mention `{text, start, end}`, with `field` when not in the body), `dates` (each
/// `{text, start, end, value, granularity}`), `date_raw`, `title_derived`. Empty or
/// unreadable JSON reads as `null`.
pub fn read(json: &str, texts: [&str; 3]) -> Value {
    let mut v: Value = serde_json::from_str(json).unwrap_or_default();
    if v["v"].as_u64() != Some(VERSION) {
        return v;
    }
    if let Some(o) = v.as_object_mut() {
        o.remove("v");
    }
    for list in ["countries", "leaders", "orgs"] {
        let Some(tags) = v["tags"].get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for tag in tags.iter_mut().filter_map(Value::as_object_mut) {
            let spans = tag.remove("m").unwrap_or_default();
            let mentions = spans
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| mention(s, &texts))
                .collect();
            tag.insert("mentions".into(), Value::Array(mentions));
        }
    }
    if let Some(dates) = v.get_mut("dates").and_then(Value::as_array_mut) {
        for d in dates.iter_mut() {
            let a = d.as_array().map(Vec::as_slice).unwrap_or_default();
            let (start, end) = (span_at(a, 0), span_at(a, 1));
            let text = match a.get(4).and_then(Value::as_str) {
                Some(t) => t,
                None => texts[2].get(start..end).unwrap_or_default(),
            };
            *d = json!({
                "text": text,
                "start": start,
                "end": end,
                "value": a.get(2).cloned().unwrap_or_default(),
                "granularity": a.get(3).cloned().unwrap_or_default(),
            });
        }
    }
    v
}

fn span_at(a: &[Value], i: usize) -> usize {
    a.get(i)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
}

/// A stored span as the mention object of the old layout.
fn mention(s: &Value, texts: &[&str; 3]) -> Option<Value> {
    let a = s.as_array()?;
    let (start, end) = (span_at(a, 0), span_at(a, 1));
    let field = a.get(2).and_then(Value::as_str).unwrap_or("body");
    let text = match a.get(3).and_then(Value::as_str) {
        Some(t) => t,
        None => field_text(texts, field)
            .and_then(|t| t.get(start..end))
            .unwrap_or_default(),
    };
    let mut m = Map::new();
    m.insert("text".into(), text.into());
    m.insert("start".into(), start.into());
    m.insert("end".into(), end.into());
    if field != "body" {
        m.insert("field".into(), field.into());
    }
    Some(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::tags::{CountryTag, LeaderTag, OrgTag};
    use crate::enrich::Granularity;

    /// What the document stored before this layout: every mention and date in full.
    fn written_in_full(tags: &Tags, dates: &[DateMention], date_raw: &Option<String>) -> Value {
        json!({"tags": tags, "dates": dates, "date_raw": date_raw, "title_derived": false})
    }

    fn m(text: &str, start: usize, field: &'static str) -> Mention {
        Mention {
            text: text.into(),
            start,
            end: start + text.len(),
            field,
        }
    }

    #[test]
    fn the_compact_layout_reads_back_as_every_mention_in_full() {
        let title = "Merkel meets Trump";
        let subtitle = "Talks in the White House";
        let body = "WASHINGTON — German Chancellor Angela Merkel met Trump on Friday, \
                    a week after NATO’s summit in Zürich. Talks resume next month.";
        let at = |t: &str, w: &str| t.find(w).unwrap();
        let tags = Tags {
            countries: vec![
                CountryTag {
                    code: "US".into(),
                    name: "United States".into(),
                    via_place: false,
                    mentions: vec![
                        m("Trump", at(title, "Trump"), "title"),
                        m("White House", at(subtitle, "White"), "subtitle"),
                        m("WASHINGTON", 0, "body"),
                    ],
                },
                CountryTag {
                    code: "CH".into(),
                    name: "Switzerland".into(),
                    via_place: true,
                    mentions: vec![m("Zürich", at(body, "Zürich"), "body")],
                },
            ],
            leaders: vec![LeaderTag {
                name: "Angela Merkel".into(),
                country: "DE".into(),
                inferred: false,
                mentions: vec![
                    m("Merkel", 0, "title"),
                    m("Angela Merkel", at(body, "Angela"), "body"),
                ],
            }],
            orgs: vec![OrgTag {
                name: "NATO".into(),
                mentions: vec![m("NATO", at(body, "NATO"), "body")],
            }],
        };
        let date = |text: &str, value: Option<&str>, granularity| DateMention {
            text: text.into(),
            start: at(body, text),
            end: at(body, text) + text.len(),
            value: value.map(str::to_string),
            granularity,
        };
        let dates = vec![
            date("on Friday", Some("2017-03-03"), Granularity::Day),
            date("next month", None, Granularity::Month),
        ];
        let raw = Some("March 6, 2017".to_string());
        let stored = write(&tags, &dates, &raw, false, [title, subtitle, body]);
        for text in ["WASHINGTON", "Zürich", "on Friday", "White House"] {
            assert!(!stored.contains(text), "{text} is stored: {stored}");
        }
        assert_eq!(
            read(&stored, [title, subtitle, body]),
            written_in_full(&tags, &dates, &raw)
        );
        // The full layout of earlier documents reads as it is.
        let full = written_in_full(&tags, &dates, &raw).to_string();
        assert_eq!(
            read(&full, [title, subtitle, body]),
            written_in_full(&tags, &dates, &raw)
        );
    }

    #[test]
    fn a_mention_that_is_not_its_fields_text_keeps_its_own() {
        // An edited file of enriched records: spans that do not hold the text, or lie
        // outside it, or cut a character.
        let body = "Zürich said so.";
        let tags = Tags {
            countries: vec![CountryTag {
                code: "CH".into(),
                name: "Switzerland".into(),
                via_place: true,
                mentions: vec![
                    m("Zurich", 0, "body"),
                    m("Bern", 40, "body"),
                    Mention {
                        text: "Z".into(),
                        start: 0,
                        end: 2,
                        field: "body",
                    },
                    m("Geneva", 0, "title"),
                ],
            }],
            ..Tags::default()
        };
        let dates = vec![DateMention {
            text: "today".into(),
            start: 0,
            end: 5,
            value: Some("2017-01-01".into()),
            granularity: Granularity::Day,
        }];
        let stored = write(&tags, &dates, &None, false, ["", "", body]);
        assert_eq!(
            read(&stored, ["", "", body]),
            written_in_full(&tags, &dates, &None)
        );
    }

    #[test]
    fn nothing_stored_reads_as_null() {
        assert_eq!(read("", ["", "", ""]), Value::Null);
        assert_eq!(read("{not json", ["", "", ""]), Value::Null);
    }
}
