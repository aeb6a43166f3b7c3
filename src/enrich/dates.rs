//! Publication dates and dates mentioned in news text.
//!
//! Two jobs live here:
//!
//! * finding the *publication date* of an article from whatever the source offers:
//!   a metadata string ([`parse_date`]), the path or file name ([`date_from_path`]) or a
//!   wire-service dateline at the top of the body ([`dateline_date`]);
//! * finding the *dates an article talks about* ([`extract`]): explicit dates, years,
//!   decades and relative expressions ("last week", "on Tuesday", "in March"), each
//!   resolved against the publication date so that they can be indexed as calendar
//!   terms ([`DateMention::index_terms`]) and searched with `--mentions`.
//!
//! The conventions for spans and resolution follow `tests/data/labels/dates/README.md`
//! (the hand-checked development set). The extractor is a hand-written scanner over a
//! flat token list: no regular expressions are compiled per call, and the costlier
//! look-ups (tense of the surrounding clause) only run when a date word is found.
//!
//! "Now" is never read from the clock: every relative expression is resolved against
//! a date the caller passes in.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// How precise a date mention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Week,
    Month,
    Year,
    Decade,
}

/// One date expression found in running text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DateMention {
    /// The matched text, `text[start..end]` of the input.
    pub text: String,
    /// Byte offset of the first byte of the mention in the input.
    pub start: usize,
    /// Byte offset one past the last byte of the mention.
    pub end: usize,
    /// "2017-02-06" | "2017-W06" | "2017-01" | "2016" | "199X"; `None` when the
    /// expression is relative and no publication date was given.
    pub value: Option<String>,
    pub granularity: Granularity,
}

impl DateMention {
    /// Index terms: the value and every coarser container it lies in, e.g. day
    /// 2019-03-05 -> ["2019-03-05", "2019-03", "2019", "201X"]; week 2019-W10 ->
    /// ["2019-W10", month(s) of its days, "2019", "201X"]; year -> ["2019", "201X"];
    /// decade -> ["201X"].
    pub fn index_terms(&self) -> Vec<String> {
        let Some(v) = self.value.as_deref() else {
            return Vec::new();
        };
        let mut out = vec![v.to_string()];
        match self.granularity {
            Granularity::Day => {
                if v.len() >= 7 && v.is_char_boundary(7) && v.is_char_boundary(4) {
                    out.push(v[..7].to_string());
                    out.push(v[..4].to_string());
                    out.push(decade_of(&v[..4]));
                }
            }
            Granularity::Week => {
                let parsed = v.split_once("-W").and_then(|(y, w)| {
                    let y: i32 = y.parse().ok()?;
                    let w: u32 = w.parse().ok()?;
                    NaiveDate::from_isoywd_opt(y, w, Weekday::Mon)
                });
                if let Some(monday) = parsed {
                    let mut months: Vec<String> = Vec::new();
                    let mut years: Vec<String> = Vec::new();
                    for k in 0..7 {
                        let d = monday + Duration::days(k);
                        let m = format!("{:04}-{:02}", d.year(), d.month());
                        if !months.contains(&m) {
                            months.push(m);
                        }
                        let y = format!("{:04}", d.year());
                        if !years.contains(&y) {
                            years.push(y);
                        }
                    }
                    let mut decades: Vec<String> = Vec::new();
                    for y in &years {
                        let d = decade_of(y);
                        if !decades.contains(&d) {
                            decades.push(d);
                        }
                    }
                    out.extend(months);
                    out.extend(years);
                    out.extend(decades);
                }
            }
            Granularity::Month => {
                if v.len() >= 4 && v.is_char_boundary(4) {
                    out.push(v[..4].to_string());
                    out.push(decade_of(&v[..4]));
                }
            }
            Granularity::Year => out.push(decade_of(v)),
            Granularity::Decade => {}
        }
        out
    }
}

fn decade_of(year: &str) -> String {
    match year.get(..3) {
        Some(p) => format!("{p}X"),
        None => format!("{year}X"),
    }
}

// ---------------------------------------------------------------------------
// Small word tables
// ---------------------------------------------------------------------------

/// Month from a full name or a common abbreviation (case-insensitive), as the
/// scanner's [`LEXICON`] knows them. Returns (month, is_abbreviation).
pub(crate) fn month_word(w: &str) -> Option<(u32, bool)> {
    match lookup(w.as_bytes()) {
        Lex::Month(m, abbreviation) => Some((m, abbreviation)),
        _ => None,
    }
}

fn weekday_from_index(i: u32) -> Weekday {
    match i {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

/// The lexical classes the scanner cares about, computed once per word token.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lex {
    Other,
    Month(u32, bool),
    Weekday(u32),
    Today,
    Yesterday,
    Tomorrow,
    Last,
    This,
    Next,
    /// earlier / later / early / late: fuzzy modifiers that stay inside the span.
    Fuzzy,
    Mid,
    Week,
    MonthUnit,
    Year,
    Weekend,
    Ago,
    The,
}

/// Every word the scanner knows, in lower case, with its class; the frequent first.
const LEXICON: [(&str, Lex); 48] = [
    ("the", Lex::The),
    ("this", Lex::This),
    ("last", Lex::Last),
    ("year", Lex::Year),
    ("next", Lex::Next),
    ("week", Lex::Week),
    ("month", Lex::MonthUnit),
    ("may", Lex::Month(5, false)),
    ("later", Lex::Fuzzy),
    ("earlier", Lex::Fuzzy),
    ("early", Lex::Fuzzy),
    ("late", Lex::Fuzzy),
    ("today", Lex::Today),
    ("yesterday", Lex::Yesterday),
    ("tomorrow", Lex::Tomorrow),
    ("mid", Lex::Mid),
    ("weekend", Lex::Weekend),
    ("ago", Lex::Ago),
    ("monday", Lex::Weekday(0)),
    ("tuesday", Lex::Weekday(1)),
    ("wednesday", Lex::Weekday(2)),
    ("thursday", Lex::Weekday(3)),
    ("friday", Lex::Weekday(4)),
    ("saturday", Lex::Weekday(5)),
    ("sunday", Lex::Weekday(6)),
    ("january", Lex::Month(1, false)),
    ("february", Lex::Month(2, false)),
    ("march", Lex::Month(3, false)),
    ("april", Lex::Month(4, false)),
    ("june", Lex::Month(6, false)),
    ("july", Lex::Month(7, false)),
    ("august", Lex::Month(8, false)),
    ("september", Lex::Month(9, false)),
    ("october", Lex::Month(10, false)),
    ("november", Lex::Month(11, false)),
    ("december", Lex::Month(12, false)),
    ("jan", Lex::Month(1, true)),
    ("feb", Lex::Month(2, true)),
    ("mar", Lex::Month(3, true)),
    ("apr", Lex::Month(4, true)),
    ("jun", Lex::Month(6, true)),
    ("jul", Lex::Month(7, true)),
    ("aug", Lex::Month(8, true)),
    ("sep", Lex::Month(9, true)),
    ("sept", Lex::Month(9, true)),
    ("oct", Lex::Month(10, true)),
    ("nov", Lex::Month(11, true)),
    ("dec", Lex::Month(12, true)),
];

/// The bit of a word of 3 to 9 ASCII letters in [`LEXICON_SHAPES`]: its length, first
/// and last letter (any case). `None` for other words.
const fn lexicon_shape(w: &[u8]) -> Option<usize> {
    let n = w.len();
    if n < 3 || n > 9 {
        return None;
    }
    let a = (w[0] | 0x20).wrapping_sub(b'a');
    let z = (w[n - 1] | 0x20).wrapping_sub(b'a');
    if a >= 26 || z >= 26 {
        return None;
    }
    Some(((n - 3) * 26 + a as usize) * 26 + z as usize)
}

/// The shapes of the [`LEXICON`]'s words: most words of a text have none, and are
/// told apart from the lexicon by one bit.
const LEXICON_SHAPES: [u64; 74] = {
    let mut bits = [0u64; 74];
    let mut k = 0;
    while k < LEXICON.len() {
        if let Some(i) = lexicon_shape(LEXICON[k].0.as_bytes()) {
            bits[i / 64] |= 1 << (i % 64);
        }
        k += 1;
    }
    bits
};

/// The class of a word of ASCII letters.
fn lookup(w: &[u8]) -> Lex {
    match lexicon_shape(w) {
        Some(i) if LEXICON_SHAPES[i / 64] & (1 << (i % 64)) != 0 => LEXICON
            .iter()
            .find(|(known, _)| known.as_bytes().eq_ignore_ascii_case(w))
            .map_or(Lex::Other, |&(_, lex)| lex),
        _ => Lex::Other,
    }
}

fn is_apos(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`')
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}')
}

fn eq_any(w: &str, list: &[&str]) -> bool {
    list.iter().any(|x| w.eq_ignore_ascii_case(x))
}

/// Words after which a '.' does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "no", "gen", "gov", "sen", "rep", "lt", "col", "capt", "sgt", "prof",
    "jr", "sr", "inc", "corp", "co", "vs", "mt", "ft", "fig", "rev", "maj", "cmdr", "adm",
];

/// Irregular past tenses and participles; a hit marks past narration unless an
/// auxiliary before it says otherwise ("will be heard").
const IRREGULAR_PAST: &[&str] = &[
    "said",
    "told",
    "took",
    "came",
    "went",
    "met",
    "made",
    "gave",
    "held",
    "left",
    "won",
    "lost",
    "saw",
    "became",
    "began",
    "broke",
    "brought",
    "bought",
    "built",
    "caught",
    "chose",
    "drew",
    "drove",
    "ate",
    "fell",
    "felt",
    "fought",
    "found",
    "fled",
    "flew",
    "forgot",
    "got",
    "grew",
    "heard",
    "hid",
    "kept",
    "knew",
    "laid",
    "led",
    "lent",
    "meant",
    "paid",
    "ran",
    "rang",
    "rose",
    "sent",
    "shot",
    "spoke",
    "spent",
    "stood",
    "stole",
    "struck",
    "swore",
    "taught",
    "thought",
    "threw",
    "understood",
    "woke",
    "wore",
    "wrote",
    "sold",
    "sought",
    "hung",
    "dealt",
    "dug",
    "froze",
    "overtook",
    "undertook",
    "withdrew",
    "upheld",
    "withheld",
    "shook",
    "slid",
    "swam",
    "tore",
    "rode",
    "sang",
    "sank",
    "sat",
    "slept",
    "arose",
    "forgave",
    "begun",
    "broken",
    "chosen",
    "driven",
    "eaten",
    "fallen",
    "forgotten",
    "gone",
    "grown",
    "hidden",
    "known",
    "risen",
    "seen",
    "spoken",
    "stolen",
    "taken",
    "thrown",
    "written",
    "shown",
    "drawn",
    "flown",
    "withdrawn",
    "did",
];

/// Words ending in "-ed" that are not past tenses (or are mostly adjectives).
const ED_NOT_PAST: &[&str] = &[
    "need",
    "needed",
    "feed",
    "speed",
    "seed",
    "breed",
    "bleed",
    "proceed",
    "succeed",
    "exceed",
    "indeed",
    "embed",
    "hundred",
    "sacred",
    "naked",
    "wicked",
    "kindred",
    "shred",
    "steed",
    "greed",
    "weed",
    "creed",
    "deed",
    "heed",
    "screed",
    "tweed",
    "based",
    "alleged",
    "limited",
    "armed",
    "united",
    "related",
    "unprecedented",
    "detailed",
    "advanced",
    "concerned",
    "interested",
    "used",
    "aged",
    "dedicated",
    "complicated",
    "sophisticated",
    "qualified",
    "skilled",
    "talented",
    "beloved",
    "embattled",
    "disputed",
    "so-called",
    "called",
];

/// Participles that, after "is/are" or on their own, announce something to come.
const FUTURE_PARTICIPLES: &[&str] = &[
    "expected",
    "scheduled",
    "slated",
    "planned",
    "set",
    "due",
    "poised",
    "going",
    "supposed",
    "meant",
    "likely",
];

fn is_past_form(w: &str) -> bool {
    if eq_any(w, IRREGULAR_PAST) {
        return true;
    }
    w.len() >= 5
        && w.as_bytes()[w.len() - 2..].eq_ignore_ascii_case(b"ed")
        && w.as_bytes()[0].is_ascii_lowercase()
        && !eq_any(w, ED_NOT_PAST)
        && !eq_any(w, FUTURE_PARTICIPLES)
}

/// Capitalized words that follow a weekday in newspaper and programme names
/// ("Sunday Times", "Sunday Independent").
const WEEKDAY_NAME_TAILS: &[&str] = &[
    "Times",
    "Telegraph",
    "Independent",
    "Express",
    "Mirror",
    "Herald",
    "World",
    "Post",
    "Tribune",
    "Business",
    "Mail",
    "Star",
    "Sport",
    "Night",
    "Live",
    "Show",
    "Age",
    "Politics",
    "People",
    "Observer",
    "Review",
    "Magazine",
    "Edition",
    "Today",
    "Sun",
    "Journal",
    "School",
    "Trading",
    "Prayers",
    "Agreement",
    "Morning",
    "Sequence",
];

/// Capitalized words that turn a weekday into a holiday or a name even at the
/// start of a sentence ("Good Friday", "Super Tuesday").
const WEEKDAY_NAME_HEADS: &[&str] = &[
    "Good",
    "Black",
    "Super",
    "Cyber",
    "Easter",
    "Palm",
    "Ash",
    "Bloody",
    "Holy",
    "Maundy",
    "Great",
    "Shrove",
    "Whit",
    "Low",
    "Mothering",
    "Giving",
    "Fat",
    "Blue",
    "Manic",
    "Casual",
];

/// Capitalized words that are still function words (so a year or month after them
/// is not part of a name like "Agenda 2010").
const CAPITAL_FUNCTION_WORDS: &[&str] = &[
    "in",
    "on",
    "at",
    "since",
    "by",
    "from",
    "until",
    "till",
    "through",
    "during",
    "before",
    "after",
    "of",
    "for",
    "to",
    "and",
    "or",
    "between",
    "early",
    "late",
    "mid",
    "around",
    "about",
    "circa",
    "the",
    "from",
    "as",
    "but",
    "then",
    "until",
    "throughout",
    "into",
    "last",
    "this",
    "next",
    "that",
    "beginning",
    "starting",
    "ending",
    "late",
    "earlier",
    "later",
    "ad",
];

/// Nouns that make a four-digit number a count or measure rather than a year.
const COUNT_NOUNS: &[&str] = &[
    "percent",
    "per",
    "people",
    "persons",
    "km",
    "kilometres",
    "kilometers",
    "miles",
    "metres",
    "meters",
    "feet",
    "ft",
    "tonnes",
    "tons",
    "kg",
    "mw",
    "gw",
    "hours",
    "hrs",
    "gmt",
    "utc",
    "troops",
    "soldiers",
    "jobs",
    "workers",
    "residents",
    "members",
    "households",
    "pupils",
    "students",
    "children",
    "refugees",
    "migrants",
    "cases",
    "deaths",
    "times",
    "yuan",
    "euros",
    "dollars",
    "pounds",
    "rubles",
    "roubles",
    "yen",
    "points",
    "votes",
    "units",
    "vehicles",
    "cars",
    "homes",
    "houses",
    "beds",
    "flights",
    "words",
    "pages",
    "calories",
    "hp",
    "cc",
    "sq",
    "square",
    "years",
    "days",
    "bc",
    "bce",
    "men",
    "women",
    "police",
    "officers",
    "employees",
    "staff",
    "patients",
    "victims",
    "passengers",
    "companies",
    "firms",
    "schools",
    "villages",
    "acres",
    "hectares",
    "barrels",
    "dead",
    "times",
    "visitors",
    "tourists",
    "fans",
    "followers",
    "signatures",
    "arrests",
    "participants",
    "delegates",
    "protesters",
    "militants",
    "fighters",
    "civilians",
    "prisoners",
    "inmates",
    "seats",
    "rooms",
    "items",
    "copies",
    "tickets",
    "mph",
    "km/h",
    "kph",
    "m",
    "cm",
    "mm",
    "ml",
    "mg",
    "lbs",
    "euro",
    "dollar",
];

// ---------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Word,
    Num,
    Punct,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    s: usize,
    e: usize,
    kind: Kind,
    /// Whitespace before the token (1) or a line break (2); 0 when glued on.
    gap: u8,
    lex: Lex,
    /// The character of a punctuation token.
    ch: char,
}

fn tokenize(text: &str, out: &mut Vec<Tok>) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut gap: u8 = 2;
    while i < n {
        let c = b[i];
        if c.is_ascii_whitespace() {
            if c == b'\n' || c == b'\r' {
                gap = 2;
            } else if gap == 0 {
                gap = 1;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() {
            let s = i;
            let mut ascii = true;
            i += crate::ascii::letters_at(b, i);
            while i < n {
                let d = b[i];
                if d.is_ascii_alphabetic() {
                    i += 1;
                } else if d >= 0x80 {
                    // Non-ASCII letters continue a word ("Zürich"); anything else ends it.
                    let ch = text[i..].chars().next().unwrap_or(' ');
                    if ch.is_alphabetic() {
                        ascii = false;
                        i += ch.len_utf8();
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            let lex = if ascii { lookup(&b[s..i]) } else { Lex::Other };
            out.push(Tok {
                s,
                e: i,
                kind: Kind::Word,
                gap,
                lex,
                ch: ' ',
            });
        } else if c.is_ascii_digit() {
            let s = i;
            while i < n && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Tok {
                s,
                e: i,
                kind: Kind::Num,
                gap,
                lex: Lex::Other,
                ch: ' ',
            });
        } else if c < 0x80 {
            out.push(Tok {
                s: i,
                e: i + 1,
                kind: Kind::Punct,
                gap,
                lex: Lex::Other,
                ch: c as char,
            });
            i += 1;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            let len = ch.len_utf8();
            if ch.is_whitespace() {
                if gap == 0 {
                    gap = 1;
                }
                i += len;
                continue;
            }
            if ch.is_alphabetic() {
                let s = i;
                i += len;
                while i < n {
                    let ch2 = text[i..].chars().next().unwrap_or(' ');
                    if ch2.is_alphabetic() {
                        i += ch2.len_utf8();
                    } else {
                        break;
                    }
                }
                out.push(Tok {
                    s,
                    e: i,
                    kind: Kind::Word,
                    gap,
                    lex: Lex::Other,
                    ch: ' ',
                });
            } else {
                out.push(Tok {
                    s: i,
                    e: i + len,
                    kind: Kind::Punct,
                    gap,
                    lex: Lex::Other,
                    ch,
                });
                i += len;
            }
        }
        gap = 0;
    }
}

// ---------------------------------------------------------------------------
// Date arithmetic
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tense {
    Past,
    Future,
    Unknown,
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn fmt_day(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

fn fmt_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

fn fmt_month(y: i32, m: u32) -> String {
    format!("{y:04}-{m:02}")
}

fn add_months(y: i32, m: u32, delta: i32) -> (i32, u32) {
    let idx = y * 12 + (m as i32 - 1) + delta;
    (idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32)
}

/// Latest `wd` on or before `d` (or strictly before when `strict`).
fn weekday_on_or_before(d: NaiveDate, wd: Weekday, strict: bool) -> NaiveDate {
    let mut back = (d.weekday().num_days_from_monday() as i64 - wd.num_days_from_monday() as i64)
        .rem_euclid(7);
    if strict && back == 0 {
        back = 7;
    }
    d - Duration::days(back)
}

/// First `wd` strictly after `d`.
fn weekday_after(d: NaiveDate, wd: Weekday) -> NaiveDate {
    let mut fwd = (wd.num_days_from_monday() as i64 - d.weekday().num_days_from_monday() as i64)
        .rem_euclid(7);
    if fwd == 0 {
        fwd = 7;
    }
    d + Duration::days(fwd)
}

/// Saturday of the most recent weekend (convention 7 of the labels README).
fn past_weekend(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d,
        Weekday::Sun => d - Duration::days(1),
        _ => weekday_on_or_before(d, Weekday::Sat, true),
    }
}

/// Saturday of the coming weekend (or of the current one when it is the weekend).
fn coming_weekend(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d,
        Weekday::Sun => d - Duration::days(1),
        _ => weekday_after(d, Weekday::Sat),
    }
}

/// Year for a month named without a year.
fn resolve_month(p: NaiveDate, m: u32, tense: Tense) -> i32 {
    let pm = p.month() as i32;
    let mi = m as i32;
    if mi == pm {
        // Past or future, a month named in its own month is almost always this one
        // ("due in mid-February" written on 7 February).
        return p.year();
    }
    let past_year = if mi <= pm { p.year() } else { p.year() - 1 };
    let fut_year = if mi > pm { p.year() } else { p.year() + 1 };
    match tense {
        Tense::Past => past_year,
        Tense::Future => fut_year,
        Tense::Unknown => {
            let dist_past = (pm - mi).rem_euclid(12);
            let mut dist_fut = (mi - pm).rem_euclid(12);
            if dist_fut == 0 {
                dist_fut = 12;
            }
            if dist_past <= dist_fut {
                past_year
            } else {
                fut_year
            }
        }
    }
}

/// Date for a month and day named without a year.
fn resolve_month_day(p: NaiveDate, m: u32, d: u32, tense: Tense) -> Option<NaiveDate> {
    // Candidates around the publication year; Feb 29 may need to look further.
    let mut past: Option<NaiveDate> = None;
    let mut fut: Option<NaiveDate> = None;
    for y in (p.year() - 4)..=(p.year() + 4) {
        if let Some(c) = ymd(y, m, d) {
            if c <= p {
                past = Some(c);
            } else if fut.is_none() {
                fut = Some(c);
            }
        }
    }
    match tense {
        Tense::Past => past.or(fut),
        Tense::Future => fut.or(past),
        Tense::Unknown => match (past, fut) {
            (Some(a), Some(b)) => {
                if (p - a).num_days() < (b - p).num_days() {
                    Some(a)
                } else {
                    Some(b)
                }
            }
            (a, b) => a.or(b),
        },
    }
}

// ---------------------------------------------------------------------------
// The scanner
// ---------------------------------------------------------------------------

/// Year part of a date phrase.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum YearRef {
    Abs(i32),
    /// last year (-1), this year (0), next year (+1)
    Rel(i32),
}

/// A month-based date phrase: "Dec. 16, 2014", "4 May last year", "March 2018", "October".
#[derive(Clone, Copy, Debug)]
struct Phrase {
    /// Index of the last token of the phrase.
    end: usize,
    month: u32,
    day: Option<u32>,
    year: Option<YearRef>,
}

struct Found {
    first: usize,
    last: usize,
    value: Option<String>,
    gran: Granularity,
}

struct Scanner<'a> {
    text: &'a str,
    t: &'a [Tok],
    pubd: Option<NaiveDate>,
    /// Last token index of the previous mention (for coordination: "1972 and 1973").
    prev_end: Option<usize>,
    prev_gran: Option<Granularity>,
}

impl<'a> Scanner<'a> {
    fn s(&self, k: usize) -> &'a str {
        let t = &self.t[k];
        &self.text[t.s..t.e]
    }

    fn is_word(&self, k: usize) -> bool {
        k < self.t.len() && self.t[k].kind == Kind::Word
    }

    fn word_is(&self, k: usize, w: &str) -> bool {
        self.is_word(k) && self.s(k).eq_ignore_ascii_case(w)
    }

    fn word_in(&self, k: usize, list: &[&str]) -> bool {
        self.is_word(k) && eq_any(self.s(k), list)
    }

    fn is_num(&self, k: usize) -> bool {
        k < self.t.len() && self.t[k].kind == Kind::Num
    }

    fn num_len(&self, k: usize) -> usize {
        self.t[k].e - self.t[k].s
    }

    fn num_val(&self, k: usize) -> u32 {
        let s = self.s(k);
        if s.len() > 9 {
            return u32::MAX;
        }
        s.parse().unwrap_or(u32::MAX)
    }

    fn punct(&self, k: usize, c: char) -> bool {
        k < self.t.len() && self.t[k].kind == Kind::Punct && self.t[k].ch == c
    }

    fn punct_with(&self, k: usize, f: fn(char) -> bool) -> bool {
        k < self.t.len() && self.t[k].kind == Kind::Punct && f(self.t[k].ch)
    }

    /// Token `k` is glued to the previous one (no whitespace in between).
    fn glued(&self, k: usize) -> bool {
        k < self.t.len() && self.t[k].gap == 0
    }

    fn is_cap(&self, k: usize) -> bool {
        self.is_word(k) && self.text.as_bytes()[self.t[k].s].is_ascii_uppercase()
    }

    fn is_lower(&self, k: usize) -> bool {
        self.is_word(k) && self.text.as_bytes()[self.t[k].s].is_ascii_lowercase()
    }

    /// Token `k` is punctuation that ends a sentence or clause hard enough that
    /// tense on the far side says nothing about this side.
    fn is_boundary(&self, k: usize) -> bool {
        let t = &self.t[k];
        if t.kind != Kind::Punct {
            return false;
        }
        match t.ch {
            '!' | '?' | ';' => true,
            '.' => {
                let next_ok = k + 1 >= self.t.len()
                    || self.t[k + 1].gap > 0
                    || matches!(self.t[k + 1].ch, '"' | '\u{201D}' | '\'' | '\u{2019}' | ')');
                if !next_ok {
                    return false;
                }
                if k > 0 && self.t[k - 1].kind == Kind::Word {
                    let w = self.s(k - 1);
                    if w.len() == 1 && w.as_bytes()[0].is_ascii_uppercase() {
                        return false;
                    }
                    if eq_any(w, ABBREVIATIONS) {
                        return false;
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// Token `k` starts a sentence (ignoring opening quotes and brackets).
    fn sentence_initial(&self, k: usize) -> bool {
        let mut j = k;
        loop {
            if self.t[j].gap == 2 || j == 0 {
                return true;
            }
            let p = &self.t[j - 1];
            if p.kind == Kind::Punct
                && matches!(p.ch, '"' | '\u{201C}' | '\'' | '\u{2018}' | '(' | '[')
            {
                j -= 1;
                continue;
            }
            return self.is_boundary(j - 1) || (p.kind == Kind::Punct && p.ch == ':');
        }
    }

    /// A capitalized word before `k` that makes `k` part of a name ("Agenda 2010",
    /// "Fox News Sunday"), as opposed to a sentence-initial or function word.
    fn name_before(&self, k: usize) -> bool {
        if k == 0 || !self.is_cap(k - 1) || self.t[k].gap == 2 {
            return false;
        }
        let w = self.s(k - 1);
        if eq_any(w, CAPITAL_FUNCTION_WORDS) {
            return false;
        }
        if matches!(self.t[k - 1].lex, Lex::Month(..) | Lex::Weekday(_)) {
            return false;
        }
        !self.sentence_initial(k - 1) || w.len() > 1 && w.bytes().all(|c| c.is_ascii_uppercase())
    }

    /// `'s` right after token `k`.
    fn possessive_after(&self, k: usize) -> bool {
        self.punct_with(k + 1, is_apos)
            && self.glued(k + 1)
            && self.word_is(k + 2, "s")
            && self.glued(k + 2)
    }

    /// Token `k` is a number glued to other digits by ',' or '.' ("500,000", "3.5").
    fn part_of_number(&self, k: usize) -> bool {
        let before = k >= 2
            && self.glued(k)
            && (self.punct(k - 1, ',') || self.punct(k - 1, '.'))
            && self.is_num(k - 2)
            && self.glued(k - 1);
        let after = (self.punct(k + 1, ',') || self.punct(k + 1, '.'))
            && self.glued(k + 1)
            && self.is_num(k + 2)
            && self.glued(k + 2);
        let money = k >= 1
            && self.glued(k)
            && self.t[k - 1].kind == Kind::Punct
            && matches!(
                self.t[k - 1].ch,
                '$' | '\u{00A3}' | '\u{20AC}' | '#' | '\u{00A5}'
            );
        before || after || money
    }

    // -- tense ---------------------------------------------------------------

    /// Tense of the clause around tokens `first..=last`: the nearest verb group
    /// before the mention decides, else the nearest after it.
    fn tense(&self, first: usize, last: usize) -> Tense {
        let mut k = first;
        let mut n = 0;
        while k > 0 && n < 16 {
            k -= 1;
            if self.is_boundary(k) || self.t[k + 1].gap == 2 {
                break;
            }
            if self.t[k].kind != Kind::Word {
                continue;
            }
            n += 1;
            if let Some(t) = self.classify_back(k) {
                return t;
            }
        }
        let mut k = last + 1;
        let mut n = 0;
        while k < self.t.len() && n < 10 {
            if self.is_boundary(k) || self.t[k].gap == 2 {
                break;
            }
            if self.t[k].kind == Kind::Word {
                n += 1;
                if let Some(t) = self.classify_fwd(k) {
                    return t;
                }
            }
            k += 1;
        }
        Tense::Unknown
    }

    /// The word before `k`, skipping adverbs that sit inside verb groups.
    fn aux_before(&self, k: usize) -> Option<usize> {
        let mut j = k;
        let mut hops = 0;
        while j > 0 && hops < 3 {
            j -= 1;
            if self.t[j].kind != Kind::Word {
                // "won't", "'ll": the apostrophe and its letters are part of the group.
                if self.punct_with(j, is_apos) {
                    continue;
                }
                return None;
            }
            let w = self.s(j);
            if eq_any(
                w,
                &[
                    "also",
                    "not",
                    "already",
                    "now",
                    "still",
                    "just",
                    "then",
                    "reportedly",
                    "officially",
                    "formally",
                    "finally",
                    "being",
                    "n",
                    "t",
                    "never",
                    "later",
                    "again",
                    "soon",
                    "only",
                    "previously",
                    "initially",
                    "first",
                ],
            ) {
                hops += 1;
                continue;
            }
            return Some(j);
        }
        None
    }

    fn is_future_aux(&self, k: usize) -> bool {
        let w = self.s(k);
        if eq_any(w, &["will", "shall"]) {
            return true;
        }
        // 'll and won't
        (w.eq_ignore_ascii_case("ll") && k > 0 && self.punct_with(k - 1, is_apos))
            || (w.eq_ignore_ascii_case("wo") && self.punct_with(k + 1, is_apos))
            || (w.eq_ignore_ascii_case("won")
                && self.punct_with(k + 1, is_apos)
                && self.word_is(k + 2, "t"))
    }

    /// Verb group ending at `k` (seen while scanning backwards).
    fn classify_back(&self, k: usize) -> Option<Tense> {
        let w = self.s(k);
        if self.is_future_aux(k) {
            return Some(Tense::Future);
        }
        if eq_any(w, &["was", "were", "had", "did", "ago", "after", "since"]) {
            return Some(Tense::Past);
        }
        if eq_any(w, &["upcoming", "forthcoming", "coming"]) {
            return Some(Tense::Future);
        }
        if w.eq_ignore_ascii_case("forward")
            && k > 0
            && self.word_in(k - 1, &["look", "looks", "looking"])
        {
            return Some(Tense::Future);
        }
        if w.eq_ignore_ascii_case("ahead") && self.word_is(k + 1, "of") {
            return Some(Tense::Future);
        }
        if eq_any(w, &["may", "might"]) {
            return Some(Tense::Future);
        }
        // A bare present copula ("figures are an increase from ... in January")
        // says nothing; "is to", "are due to" do.
        if eq_any(w, &["is", "are", "am"]) {
            if self.word_is(k + 1, "to") || self.word_in(k + 1, FUTURE_PARTICIPLES) {
                return Some(Tense::Future);
            }
            return None;
        }
        if w.eq_ignore_ascii_case("to") {
            return self.classify_infinitive(k);
        }
        if eq_any(w, FUTURE_PARTICIPLES) && !w.eq_ignore_ascii_case("likely") {
            if let Some(a) = self.aux_before(k) {
                if self.word_in(a, &["had", "has", "have"]) {
                    return Some(Tense::Past);
                }
            }
            return Some(Tense::Future);
        }
        if is_past_form(w) {
            if k > 0
                && self.word_in(
                    k - 1,
                    &[
                        "the", "a", "an", "its", "their", "his", "her", "our", "this", "that",
                    ],
                )
            {
                return None; // an adjective: "the revised purchase"
            }
            // The auxiliary chain decides: "will be heard", "are to be charged",
            // "is expected", "was signed", "has been".
            let mut j = k;
            for _ in 0..3 {
                let Some(a) = self.aux_before(j) else { break };
                let aw = self.s(a);
                if self.is_future_aux(a) {
                    return Some(Tense::Future);
                }
                if aw.eq_ignore_ascii_case("be") {
                    if let Some(b) = self.aux_before(a) {
                        if self.word_is(b, "to") || self.is_future_aux(b) {
                            return Some(Tense::Future);
                        }
                        if self.word_in(b, &["may", "might", "must", "should", "can"]) {
                            return Some(Tense::Future);
                        }
                    }
                    j = a;
                    continue;
                }
                if eq_any(aw, &["is", "are", "am"]) {
                    return Some(Tense::Future);
                }
                if eq_any(aw, &["was", "were", "had", "has", "have", "been", "did"]) {
                    return Some(Tense::Past);
                }
                break;
            }
            return Some(Tense::Past);
        }
        None
    }

    /// "to" seen while scanning backwards: an infinitive ("is to host", "called for
    /// him to dilute") points ahead; "to the streets" is a preposition and says nothing.
    fn classify_infinitive(&self, k: usize) -> Option<Tense> {
        if !self.is_lower(k + 1)
            || self.word_in(
                k + 1,
                &[
                    "the", "a", "an", "his", "her", "its", "their", "our", "my", "your", "this",
                    "that", "these", "those", "some", "all", "any", "each", "every", "no", "him",
                    "them", "us", "me", "it", "power", "court", "date", "death", "office",
                    "prison", "jail", "hospital", "school", "work", "help", "about", "around",
                    "where", "what", "which", "who", "whom", "be-", "one", "two", "three",
                ],
            )
        {
            return None;
        }
        if k == 0 || self.t[k - 1].kind != Kind::Word {
            return None;
        }
        let p = k - 1;
        let pw = self.s(p);
        if eq_any(
            pw,
            &[
                "according",
                "due",
                "thanks",
                "prior",
                "close",
                "compared",
                "similar",
                "up",
                "back",
                "next",
                "owing",
                "addition",
                "regard",
                "respect",
                "contrary",
                "relation",
                "order",
            ],
        ) {
            if pw.eq_ignore_ascii_case("due") {
                if let Some(a) = self.aux_before(p) {
                    if self.word_in(a, &["is", "are", "was", "were"]) {
                        return Some(Tense::Future);
                    }
                }
            }
            return None;
        }
        // Only governors that put the infinitive ahead in time count: "is to host",
        // "plans to visit". After a noun or a past verb ("failure to repeal",
        // "went to see") the infinitive says nothing about when.
        if eq_any(
            pw,
            &[
                "is",
                "are",
                "am",
                "was",
                "were",
                "be",
                "expected",
                "set",
                "due",
                "scheduled",
                "slated",
                "plans",
                "plan",
                "planning",
                "planned",
                "intends",
                "intend",
                "intending",
                "aims",
                "aim",
                "hopes",
                "hope",
                "wants",
                "want",
                "going",
                "poised",
                "ready",
                "likely",
                "about",
                "unlikely",
                "preparing",
                "prepares",
                "expects",
                "expect",
                "seeks",
                "vowed",
                "vows",
                "pledged",
                "promised",
                "promises",
            ],
        ) {
            return Some(Tense::Future);
        }
        None
    }

    /// Verb group starting at `k` (seen while scanning forwards).
    fn classify_fwd(&self, k: usize) -> Option<Tense> {
        let w = self.s(k);
        if self.is_future_aux(k) {
            return Some(Tense::Future);
        }
        if eq_any(w, &["was", "were", "had", "did"]) {
            return Some(Tense::Past);
        }
        if eq_any(w, &["is", "are", "am"]) {
            let mut j = k + 1;
            if self.word_in(j, &["also", "now", "still", "not"]) {
                j += 1;
            }
            if self.word_is(j, "to") || self.word_in(j, FUTURE_PARTICIPLES) {
                return Some(Tense::Future);
            }
            return None;
        }
        if eq_any(w, &["has", "have"]) {
            if self.word_is(k + 1, "been") || (self.is_word(k + 1) && is_past_form(self.s(k + 1))) {
                return Some(Tense::Past);
            }
            return None;
        }
        if self.is_lower(k) && is_past_form(w) {
            return Some(Tense::Past);
        }
        None
    }

    // -- span helpers ----------------------------------------------------------

    /// Extend a core span backwards over fuzzy modifiers ("early", "mid-"), an
    /// optional "the" and a directly preceding on/in/during (and over/at for
    /// weekends). A possessive mention keeps its preposition outside: the
    /// preposition belongs to the noun ("At Monday's hearing").
    fn extend_start(&self, core: usize, last: usize, the: bool, weekend: bool) -> usize {
        let mut j = core;
        if j >= 2 && self.punct_with(j - 1, is_dash) && self.glued(j) && self.glued(j - 1) {
            if self.word_is(j - 2, "mid") {
                j -= 2;
            }
        } else if j >= 1 && self.word_in(j - 1, &["early", "mid", "late"]) {
            j -= 1;
        }
        if the && j >= 1 && self.word_is(j - 1, "the") {
            j -= 1;
        }
        self.extend_prep(j, last, weekend)
    }

    fn extend_prep(&self, j: usize, last: usize, weekend: bool) -> usize {
        if self.possessive_after(last) || j == 0 || self.t[j].gap == 2 {
            return j;
        }
        if self.word_in(j - 1, &["on", "in", "during"])
            || (weekend && self.word_in(j - 1, &["over", "at"]))
        {
            if let Some(pe) = self.prev_end {
                if pe >= j - 1 {
                    return j;
                }
            }
            return j - 1;
        }
        j
    }

    // -- patterns ----------------------------------------------------------------

    /// A day-of-month number at `k`: returns the index of its last token (ordinal
    /// suffix included) and the day.
    fn day_at(&self, k: usize) -> Option<(usize, u32)> {
        if !self.is_num(k) || self.num_len(k) > 2 || self.part_of_number(k) {
            return None;
        }
        let d = self.num_val(k);
        if !(1..=31).contains(&d) {
            return None;
        }
        let mut end = k;
        if self.glued(k + 1) && self.word_in(k + 1, &["st", "nd", "rd", "th"]) {
            end = k + 1;
        } else if self.glued(k + 1) && (self.is_word(k + 1) || self.is_num(k + 1)) {
            return None; // "4pm", "3D"
        }
        // Times, scores and ratios glued on: "23:00", "2-1", "3/30" (handled elsewhere).
        if self.glued(end + 1)
            && self
                .t
                .get(end + 1)
                .is_some_and(|t| t.kind == Kind::Punct && matches!(t.ch, ':' | '/' | '%'))
        {
            return None;
        }
        Some((end, d))
    }

    /// A plausible 4-digit year at `k` with no glued continuation.
    fn year_at(&self, k: usize) -> Option<i32> {
        if !self.is_num(k) || self.num_len(k) != 4 || self.part_of_number(k) {
            return None;
        }
        let y = self.num_val(k) as i32;
        if !(1000..=2100).contains(&y) {
            return None;
        }
        if self.glued(k + 1) && (self.is_word(k + 1) || self.is_num(k + 1)) {
            return None;
        }
        Some(y)
    }

    /// "last year" / "this year" / "next year", optionally after "of" and a comma.
    fn rel_year_at(&self, k: usize) -> Option<(usize, i32)> {
        let mut j = k;
        if self.punct(j, ',') {
            j += 1;
        }
        if self.word_is(j, "of") {
            j += 1;
        }
        if !self.is_word(j) || !self.is_word(j + 1) || self.t[j + 1].lex != Lex::Year {
            return None;
        }
        if self.glued(j + 2) && self.punct_with(j + 2, is_dash) {
            return None;
        }
        let rel = match self.t[j].lex {
            Lex::Last => -1,
            Lex::This => 0,
            Lex::Next => 1,
            _ => return None,
        };
        Some((j + 1, rel))
    }

    /// Optional year after a day or month: ", 2014" / " 2014" / " last year".
    fn year_after(&self, k: usize) -> Option<(usize, YearRef)> {
        let j = if self.punct(k, ',') { k + 1 } else { k };
        if let Some(y) = self.year_at(j) {
            if !self.is_year_count(j) {
                return Some((j, YearRef::Abs(y)));
            }
        }
        self.rel_year_at(k).map(|(e, r)| (e, YearRef::Rel(r)))
    }

    /// A capitalized month word at `k` (with its optional abbreviation dot).
    fn month_at(&self, k: usize) -> Option<(usize, u32, bool)> {
        if k >= self.t.len() {
            return None;
        }
        let Lex::Month(m, abbr) = self.t[k].lex else {
            return None;
        };
        if !self.is_cap(k) {
            return None;
        }
        // "MAY"/"MARCH" in capitals are too often words; other capitals are fine.
        let w = self.s(k);
        if w.len() > 1 && w.as_bytes()[1].is_ascii_uppercase() && (m == 3 || m == 5) {
            return None;
        }
        let mut end = k;
        if abbr && self.punct(k + 1, '.') && self.glued(k + 1) {
            end = k + 1;
        }
        Some((end, m, abbr))
    }

    /// "May" that is the Prime Minister, a first name or the verb.
    fn may_is_name(&self, k: usize) -> bool {
        if k > 0 && self.word_in(k - 1, &["Theresa", "Mrs", "Ms", "Mr", "Brian", "Minister"]) {
            return true;
        }
        if self.possessive_after(k) {
            return true;
        }
        false
    }

    /// Month-first phrase at `k`: "Dec. 16, 2014", "March 2018", "March last year",
    /// "October" (bare, full names only).
    fn month_first(&self, k: usize) -> Option<Phrase> {
        let (mend, m, abbr) = self.month_at(k)?;
        if m == 5 && self.may_is_name(k) {
            return None;
        }
        if let Some((dend, d)) = self.day_at(mend + 1) {
            if self.t[mend + 1].gap > 0 {
                let (end, year) = match self.year_after(dend + 1) {
                    Some((e, y)) => (e, Some(y)),
                    None => (dend, None),
                };
                return Some(Phrase {
                    end,
                    month: m,
                    day: Some(d),
                    year,
                });
            }
        }
        let of_year = if self.word_is(mend + 1, "of") {
            self.year_at(mend + 2)
                .filter(|_| !self.is_year_count(mend + 2))
                .map(|y| (mend + 2, YearRef::Abs(y)))
        } else {
            None
        };
        if let Some((e, y)) = self.year_after(mend + 1).or(of_year) {
            return Some(Phrase {
                end: e,
                month: m,
                day: None,
                year: Some(y),
            });
        }
        if abbr {
            return None;
        }
        // A bare month coordinated with a dated one borrows its year:
        // "February and March of 2014", "between September and December 2016".
        let mut year = None;
        if self.word_in(mend + 1, &["and", "or", "to", "through", "till", "until"])
            || self.punct_with(mend + 1, is_dash)
        {
            if let Some(Lex::Month(..)) = self.t.get(mend + 2).map(|t| t.lex) {
                if let Some(p) = self.month_first(mend + 2) {
                    if p.day.is_none() {
                        if let Some(YearRef::Abs(y)) = p.year {
                            year = Some(YearRef::Abs(y));
                        }
                    }
                }
            }
        }
        Some(Phrase {
            end: mend,
            month: m,
            day: None,
            year,
        })
    }

    /// Day-first phrase at `k`: "4 May", "29 March 2017", "4th of July", "4 May last year".
    fn day_first(&self, k: usize) -> Option<Phrase> {
        let (dend, d) = self.day_at(k)?;
        let mut j = dend + 1;
        if self.word_is(j, "of") && dend > k {
            j += 1;
        }
        if j >= self.t.len() || self.t[j].gap == 0 {
            return None;
        }
        let (mend, m, _) = self.month_at(j)?;
        if m == 5 && self.possessive_after(j) {
            return None;
        }
        let (end, year) = match self.year_after(mend + 1) {
            Some((e, y)) => (e, Some(y)),
            None => (mend, None),
        };
        Some(Phrase {
            end,
            month: m,
            day: Some(d),
            year,
        })
    }

    fn phrase_value(&self, p: &Phrase, first: usize, last: usize) -> (Option<String>, Granularity) {
        match p.day {
            Some(d) => {
                let date = match p.year {
                    Some(YearRef::Abs(y)) => ymd(y, p.month, d),
                    Some(YearRef::Rel(r)) => self.pubd.and_then(|q| ymd(q.year() + r, p.month, d)),
                    None => self
                        .pubd
                        .and_then(|q| resolve_month_day(q, p.month, d, self.tense(first, last))),
                };
                (date.map(fmt_day), Granularity::Day)
            }
            None => {
                let v = match p.year {
                    Some(YearRef::Abs(y)) => Some(fmt_month(y, p.month)),
                    Some(YearRef::Rel(r)) => self.pubd.map(|q| fmt_month(q.year() + r, p.month)),
                    None => self.pubd.map(|q| {
                        fmt_month(resolve_month(q, p.month, self.tense(first, last)), p.month)
                    }),
                };
                (v, Granularity::Month)
            }
        }
    }

    /// Is a date phrase with a day valid (Feb 30 is not)?
    fn phrase_valid(p: &Phrase) -> bool {
        match (p.day, p.year) {
            (Some(d), Some(YearRef::Abs(y))) => ymd(y, p.month, d).is_some(),
            (Some(d), _) => ymd(2000, p.month, d).is_some(),
            _ => true,
        }
    }

    /// A bare month name ("in October") needs a context that makes it a date.
    fn bare_month_ok(&self, k: usize, m: u32) -> bool {
        // Skip fuzzy modifiers: "in early March", "In mid-February".
        let mut j = k;
        let mut modified = false;
        if j >= 2 && self.punct_with(j - 1, is_dash) && self.word_is(j - 2, "mid") && self.glued(j)
        {
            j -= 2;
            modified = true;
        } else if j >= 1 && self.word_in(j - 1, &["early", "mid", "late"]) {
            j -= 1;
            modified = true;
        }
        if m == 5 {
            // "May" is also the verb, a name and the Prime Minister: demand a
            // preposition and no verb right after.
            if self.possessive_after(k) {
                return false;
            }
            // After "in" the month reading wins ("in May is used"); after "since",
            // "after" etc. a verb means the person ("since May took office").
            let after_in = j > 0 && self.word_in(j - 1, &["in", "during"]) || modified;
            if self.is_lower(k + 1) && !after_in {
                let nw = self.s(k + 1);
                if eq_any(
                    nw,
                    &[
                        "has", "had", "have", "is", "was", "will", "would", "said", "says", "can",
                        "could", "should", "must", "did", "does", "told", "and", "be", "also",
                        "wants", "insisted", "insists", "urged", "might", "may",
                    ],
                ) || nw.ends_with("ed")
                {
                    return false;
                }
            }
            if self.is_cap(k + 1) && !matches!(self.t[k + 1].lex, Lex::Month(..)) {
                return false;
            }
        }
        if j == 0 {
            return modified;
        }
        let p = j - 1;
        if self.word_in(
            p,
            &[
                "in",
                "since",
                "until",
                "till",
                "through",
                "throughout",
                "during",
                "from",
                "before",
                "after",
                "early",
                "late",
                "mid",
                "between",
            ],
        ) {
            return true;
        }
        if modified {
            return true;
        }
        // "November's election", "August's clash" (never "May's": the Prime Minister).
        if m != 5 && self.possessive_after(k) {
            return true;
        }
        if self.word_in(p, &["by", "to"]) && m != 5 {
            return true;
        }
        if self.word_is(p, "of") {
            return p >= 1
                && self.word_in(
                    p - 1,
                    &[
                        "end",
                        "beginning",
                        "start",
                        "middle",
                        "rest",
                        "part",
                        "half",
                        "course",
                        "week",
                        "weeks",
                        "month",
                        "days",
                        "day",
                        "first",
                        "last",
                    ],
                );
        }
        // Coordination: "in January and February", "from January to March".
        if let Some(pe) = self.prev_end {
            if pe + 1 == p
                && (self.word_in(p, &["and", "or", "to", "through"])
                    || self.punct(p, ',')
                    || self.punct_with(p, is_dash))
                && matches!(self.prev_gran, Some(Granularity::Month))
            {
                return true;
            }
        }
        // Attributive use: "his March Budget", "the November election".
        if m != 5
            && m != 3
            && self.word_in(p, &["his", "her", "its", "their", "the", "our"])
            && self.is_word(k + 1)
            && !self.word_in(k + 1, &["for", "of", "on", "to", "in", "and", "madness"])
        {
            return true;
        }
        if m == 3
            && self.word_in(p, &["his", "her", "its", "their", "our"])
            && self.is_word(k + 1)
            && !self.word_in(k + 1, &["for", "of", "on", "to", "in", "and"])
        {
            return true;
        }
        false
    }

    /// Four-digit number at `k` used as an amount or a count ("2000 people").
    fn is_year_count(&self, k: usize) -> bool {
        if self.word_in(k + 1, COUNT_NOUNS) {
            return true;
        }
        if self.glued(k + 1)
            && self
                .t
                .get(k + 1)
                .is_some_and(|t| t.kind == Kind::Punct && matches!(t.ch, '%' | '/' | '+'))
        {
            return true;
        }
        // "20:17" is a time; "2016: Leicester lose" is a timeline entry.
        if self.glued(k + 1) && self.punct(k + 1, ':') && self.is_num(k + 2) && self.glued(k + 2) {
            return true;
        }
        if k > 0
            && self.glued(k)
            && self.t[k - 1].kind == Kind::Punct
            && matches!(self.t[k - 1].ch, ':' | '/' | '+' | '.' | ',')
        {
            return true;
        }
        if k > 0
            && self.word_in(
                k - 1,
                &[
                    "no",
                    "number",
                    "room",
                    "flight",
                    "page",
                    "route",
                    "highway",
                    "model",
                    "article",
                    "section",
                    "resolution",
                    "rule",
                    "than",
                    "nearly",
                    "almost",
                    "approximately",
                    "roughly",
                    "some",
                    "over",
                    "least",
                    "top",
                    "code",
                    "bus",
                    "train",
                    "motorway",
                    "interstate",
                    "paragraph",
                    "chapter",
                    "item",
                    "patrol",
                    "squad",
                    "unit",
                    "gate",
                    "terminal",
                    "platform",
                    "hill",
                    "height",
                    "altitude",
                ],
            )
        {
            return true;
        }
        false
    }

    // -- main loop -------------------------------------------------------------

    fn at(&mut self, i: usize) -> Option<Found> {
        let tok = self.t[i];
        match tok.kind {
            Kind::Word => match tok.lex {
                Lex::Today | Lex::Yesterday | Lex::Tomorrow => self.deictic(i),
                Lex::Last | Lex::This | Lex::Next => self.relative(i, i),
                Lex::Fuzzy => {
                    if matches!(
                        self.t.get(i + 1).map(|t| t.lex),
                        Some(Lex::Last | Lex::This | Lex::Next)
                    ) && self.t[i + 1].gap == 1
                    {
                        self.relative(i, i + 1)
                    } else {
                        None
                    }
                }
                Lex::The => self.the_weekend(i),
                Lex::Weekday(d) => self.weekday(i, d),
                Lex::Month(..) => self.month(i),
                Lex::Ago => self.ago(i),
                _ => None,
            },
            Kind::Num => self.number(i),
            Kind::Punct => {
                // '90s
                if is_apos(tok.ch)
                    && self.is_num(i + 1)
                    && self.glued(i + 1)
                    && self.num_len(i + 1) == 2
                    && self.word_is(i + 2, "s")
                    && self.glued(i + 2)
                    && self.num_val(i + 1).is_multiple_of(10)
                    && (i == 0 || self.t[i].gap > 0)
                {
                    let v = self.num_val(i + 1);
                    let century = if v >= 30 { "19" } else { "20" };
                    let d = format!("{}{}X", century, v / 10);
                    let first = self.extend_start(i, i + 2, true, false);
                    return Some(Found {
                        first,
                        last: i + 2,
                        value: Some(d),
                        gran: Granularity::Decade,
                    });
                }
                None
            }
        }
    }

    fn deictic(&self, i: usize) -> Option<Found> {
        let lex = self.t[i].lex;
        let w = self.s(i);
        if self.is_cap(i) && !self.sentence_initial(i) && self.name_before(i) {
            return None; // "USA Today"
        }
        if lex == Lex::Today
            && w.starts_with('T')
            && self.word_in(i + 1, &["show", "programme", "program", "newspaper"])
        {
            return None;
        }
        let generic_heads = [
            "world",
            "society",
            "youth",
            "generation",
            "generations",
            "children",
            "leaders",
            "workers",
            "jobs",
            "economy",
            "towns",
            "cities",
            "factory",
            "factories",
            "industry",
            "industries",
            "technology",
            "technologies",
            "students",
            "kids",
            "young",
            "consumers",
            "media",
            "politics",
            "global",
            "modern",
            "digital",
            "problems",
            "challenges",
            "standards",
            "world's",
            "businesses",
            "companies",
            "people",
            "era",
            "age",
            "climate",
        ];
        if lex != Lex::Yesterday && self.possessive_after(i) {
            // "tomorrow's factory towns": the future in general, not a day.
            if self.word_in(i + 3, &generic_heads) || self.word_in(i + 4, &generic_heads) {
                return None;
            }
        }
        if lex != Lex::Yesterday
            && i > 0
            && self.word_is(i - 1, "of")
            && !(i > 1 && self.word_is(i - 2, "as"))
        {
            return None; // "the cities of tomorrow", "the women of today"
        }
        if lex == Lex::Today {
            // "even today", "still going strong today", "in today's money": the
            // present age, not the day of publication.
            if i > 0 && self.word_in(i - 1, &["even", "still"]) {
                return None;
            }
            if self.possessive_after(i)
                && self.word_in(
                    i + 3,
                    &[
                        "money",
                        "terms",
                        "dollars",
                        "prices",
                        "standards",
                        "values",
                        "world",
                    ],
                )
            {
                return None;
            }
            let mut k = i;
            let mut n = 0;
            while k > 0 && n < 6 {
                k -= 1;
                if self.is_boundary(k) {
                    break;
                }
                if self.word_is(k, "still") {
                    return None;
                }
                if self.is_word(k) {
                    n += 1;
                }
            }
        }
        let off = match lex {
            Lex::Yesterday => -1,
            Lex::Tomorrow => 1,
            _ => 0,
        };
        Some(Found {
            first: i,
            last: i,
            value: self.pubd.map(|p| fmt_day(p + Duration::days(off))),
            gran: Granularity::Day,
        })
    }

    /// "last week", "earlier this month", "next Wednesday", "last May", "this weekend".
    fn relative(&self, m: usize, i: usize) -> Option<Found> {
        let u = i + 1;
        if u >= self.t.len() || self.t[u].kind != Kind::Word || self.t[u].gap != 1 {
            return None;
        }
        // "the last week", "the next year": durations, not calendar units.
        if m > 0
            && self.word_in(
                m - 1,
                &["the", "past", "a", "every", "each", "for", "one", "over"],
            )
        {
            // "over last weekend" is still fine
            if !(self.word_is(m - 1, "over") && self.t[u].lex == Lex::Weekend) {
                return None;
            }
        }
        // "year-on-year", "week-long"
        if self.glued(u + 1) && self.punct_with(u + 1, is_dash) {
            return None;
        }
        let rel = match self.t[i].lex {
            Lex::Last => -1,
            Lex::Next => 1,
            _ => 0,
        };
        let p = self.pubd;
        let (value, gran, weekend) = match self.t[u].lex {
            Lex::Week => (
                p.map(|p| fmt_week(p + Duration::days(7 * rel as i64))),
                Granularity::Week,
                false,
            ),
            Lex::MonthUnit => (
                p.map(|p| {
                    let (y, mo) = add_months(p.year(), p.month(), rel);
                    fmt_month(y, mo)
                }),
                Granularity::Month,
                false,
            ),
            Lex::Year => (
                p.map(|p| format!("{:04}", p.year() + rel)),
                Granularity::Year,
                false,
            ),
            Lex::Weekend => {
                let v = p.map(|p| match rel {
                    -1 => {
                        if matches!(p.weekday(), Weekday::Sat | Weekday::Sun) {
                            past_weekend(p) - Duration::days(7)
                        } else {
                            past_weekend(p)
                        }
                    }
                    1 => {
                        let c = coming_weekend(p);
                        if matches!(p.weekday(), Weekday::Fri | Weekday::Sat | Weekday::Sun) {
                            c + Duration::days(7)
                        } else {
                            c
                        }
                    }
                    _ => match self.tense(m, u) {
                        Tense::Past => past_weekend(p),
                        Tense::Future => coming_weekend(p),
                        Tense::Unknown => {
                            if p.weekday().num_days_from_monday() <= 2 {
                                past_weekend(p)
                            } else {
                                coming_weekend(p)
                            }
                        }
                    },
                });
                (v.map(fmt_day), Granularity::Day, true)
            }
            Lex::Weekday(d) if self.is_cap(u) => {
                let wd = weekday_from_index(d);
                // "next Wednesday 22 March": the date decides.
                if let Some((end, v)) = self.apposition(u, wd) {
                    let first = self.extend_prep(m, end, false);
                    return Some(Found {
                        first,
                        last: end,
                        value: v.map(fmt_day),
                        gran: Granularity::Day,
                    });
                }
                let v = p.map(|p| match rel {
                    -1 => weekday_on_or_before(p, wd, true),
                    1 => weekday_after(p, wd),
                    _ => match self.tense(m, u) {
                        Tense::Future => weekday_after(p, wd),
                        _ => weekday_on_or_before(p, wd, false),
                    },
                });
                (v.map(fmt_day), Granularity::Day, false)
            }
            Lex::Month(mo, false) if self.is_cap(u) => {
                if mo == 5 && self.may_is_name(u) {
                    return None;
                }
                // "last May 4" is a day; let the month pattern own such cases.
                if self.day_at(u + 1).is_some() && self.t[u + 1].gap > 0 {
                    return None;
                }
                let v = p.map(|p| {
                    let pm = p.month();
                    let y = match rel {
                        -1 => {
                            if mo < pm {
                                p.year()
                            } else {
                                p.year() - 1
                            }
                        }
                        1 => {
                            if mo > pm {
                                p.year()
                            } else {
                                p.year() + 1
                            }
                        }
                        _ => p.year(),
                    };
                    fmt_month(y, mo)
                });
                (v, Granularity::Month, false)
            }
            _ => return None,
        };
        let first = self.extend_prep(m, u, weekend);
        Some(Found {
            first,
            last: u,
            value,
            gran,
        })
    }

    /// "the weekend", "over the weekend", "at the weekend".
    fn the_weekend(&self, i: usize) -> Option<Found> {
        if !(self.is_word(i + 1) && self.t[i + 1].lex == Lex::Weekend && self.t[i + 1].gap == 1) {
            return None;
        }
        if self.glued(i + 2) && self.punct_with(i + 2, is_dash) {
            return None;
        }
        // "the weekend of 4 March" names its own date.
        if self.word_is(i + 2, "of") {
            return None;
        }
        let value = self.pubd.map(|p| {
            let d = match self.tense(i, i + 1) {
                Tense::Future => coming_weekend(p),
                _ => past_weekend(p),
            };
            fmt_day(d)
        });
        let first = self.extend_prep(i, i + 1, true);
        Some(Found {
            first,
            last: i + 1,
            value,
            gran: Granularity::Day,
        })
    }

    /// A date right after the weekday at `i` ("Saturday, February 4", "Wednesday 22
    /// March"): the end token and the date, whose year the weekday helps pick.
    fn apposition(&self, i: usize, wd: Weekday) -> Option<(usize, Option<NaiveDate>)> {
        let mut k = i + 1;
        if self.punct(k, ',') {
            k += 1;
        }
        let p = self
            .month_first(k)
            .filter(|p| p.day.is_some())
            .or_else(|| self.day_first(k))
            .filter(Self::phrase_valid)?;
        let day = p.day?;
        let value = match p.year {
            Some(YearRef::Abs(y)) => ymd(y, p.month, day),
            Some(YearRef::Rel(r)) => self.pubd.and_then(|q| ymd(q.year() + r, p.month, day)),
            None => self.pubd.and_then(|q| {
                // The weekday picks the year: nearest candidate whose weekday matches.
                let mut best: Option<NaiveDate> = None;
                for y in (q.year() - 1)..=(q.year() + 1) {
                    if let Some(c) = ymd(y, p.month, day) {
                        if c.weekday() == wd
                            && best
                                .is_none_or(|b| (c - q).num_days().abs() < (b - q).num_days().abs())
                        {
                            best = Some(c);
                        }
                    }
                }
                best.or_else(|| resolve_month_day(q, p.month, day, self.tense(i, p.end)))
            }),
        };
        Some((p.end, value))
    }

    fn weekday(&self, i: usize, d: u32) -> Option<Found> {
        if !self.is_cap(i) {
            return None;
        }
        let w = self.s(i);
        if w.len() > 1 && w.as_bytes()[1].is_ascii_uppercase() && self.name_before(i) {
            return None;
        }
        // Newspapers, programmes, holidays.
        if self.is_cap(i + 1) && self.word_in(i + 1, WEEKDAY_NAME_TAILS) && self.t[i + 1].gap == 1 {
            return None;
        }
        if i > 0 && self.is_cap(i - 1) && self.word_in(i - 1, WEEKDAY_NAME_HEADS) {
            return None;
        }
        if self.name_before(i) {
            return None; // "Fox News Sunday"
        }
        if i >= 2 && self.word_is(i - 1, "on") && self.word_in(i - 2, &["Mail", "Independent"]) {
            return None; // "Mail on Sunday"
        }
        if i > 0 && self.word_in(i - 1, &["every", "each", "a", "any"]) {
            return None;
        }
        let wd = weekday_from_index(d);
        // Apposition: "on Saturday, February 4" is one mention with the date's value.
        if let Some((end, value)) = self.apposition(i, wd) {
            let first = self.extend_prep(i, end, false);
            return Some(Found {
                first,
                last: end,
                value: value.map(fmt_day),
                gran: Granularity::Day,
            });
        }
        let value = self.pubd.map(|p| {
            let date = match self.tense(i, i) {
                // "will meet later on Thursday" written on a Thursday is that day.
                Tense::Future if p.weekday() == wd => p,
                Tense::Future => weekday_after(p, wd),
                _ => weekday_on_or_before(p, wd, false),
            };
            fmt_day(date)
        });
        let first = self.extend_prep(i, i, false);
        Some(Found {
            first,
            last: i,
            value,
            gran: Granularity::Day,
        })
    }

    fn month(&self, i: usize) -> Option<Found> {
        let p = self.month_first(i)?;
        if !Self::phrase_valid(&p) {
            return None;
        }
        let borrowed = p.day.is_none() && p.end == i && p.year.is_some();
        if p.day.is_none() && (p.year.is_none() || borrowed) && !self.bare_month_ok(i, p.month) {
            return None;
        }
        if p.month == 5 && p.day.is_none() && self.name_before(i) {
            return None;
        }
        if (p.month == 3 || p.month == 5) && i > 0 && self.punct_with(i - 1, is_apos) {
            return None;
        }
        if i >= 2 && self.word_is(i - 1, "s") && self.punct_with(i - 2, is_apos) {
            return None; // "Women's March"
        }
        // Named events: "the October Revolution", "the Arab Spring"-style names.
        if p.day.is_none()
            && p.year.is_none()
            && self.is_cap(p.end + 1)
            && self.word_in(
                p.end + 1,
                &[
                    "Revolution",
                    "Uprising",
                    "Rising",
                    "Movement",
                    "Madness",
                    "Manifesto",
                    "Declaration",
                    "Agreement",
                    "Accords",
                    "Offensive",
                    "Days",
                ],
            )
        {
            return None;
        }
        let first = self.extend_start(i, p.end, false, false);
        let (value, gran) = self.phrase_value(&p, first, p.end);
        Some(Found {
            first,
            last: p.end,
            value,
            gran,
        })
    }

    fn number(&self, i: usize) -> Option<Found> {
        let len = self.num_len(i);
        if self.part_of_number(i) {
            return None;
        }
        // A number glued after a dash or slash belongs to something else ("2-1", "24/7").
        if i > 0
            && self.glued(i)
            && self.t[i - 1].kind == Kind::Punct
            && (self.t[i - 1].ch == '/'
                || (is_dash(self.t[i - 1].ch)
                    && self.is_num(i.wrapping_sub(2))
                    && self.glued(i - 1)))
        {
            // Year ranges "2015-2016" still count for the second year.
            let range = len == 4 && i >= 2 && self.num_len(i - 2) == 4 && is_dash(self.t[i - 1].ch);
            if !range {
                return None;
            }
        }
        if len == 4 {
            // ISO date: 2025-11-24 or 2025/11/24
            if self.glued(i + 1)
                && (self.punct(i + 1, '-') || self.punct(i + 1, '/'))
                && self.is_num(i + 2)
                && self.glued(i + 2)
                && self.num_len(i + 2) <= 2
                && self.t[i + 3..]
                    .first()
                    .is_some_and(|t| t.kind == Kind::Punct && t.ch == self.t[i + 1].ch)
                && self.glued(i + 3)
                && self.is_num(i + 4)
                && self.glued(i + 4)
                && self.num_len(i + 4) <= 2
            {
                let date = ymd(
                    self.num_val(i) as i32,
                    self.num_val(i + 2),
                    self.num_val(i + 4),
                )?;
                let first = self.extend_prep(i, i + 4, false);
                return Some(Found {
                    first,
                    last: i + 4,
                    value: Some(fmt_day(date)),
                    gran: Granularity::Day,
                });
            }
            // Decade: 1990s, 1990's
            let v = self.num_val(i);
            if (1000..=2090).contains(&v) && v.is_multiple_of(10) {
                let mut end = None;
                if self.glued(i + 1) && self.word_is(i + 1, "s") {
                    end = Some(i + 1);
                } else if self.glued(i + 1)
                    && self.punct_with(i + 1, is_apos)
                    && self.glued(i + 2)
                    && self.word_is(i + 2, "s")
                    && !(self.is_lower(i + 3)
                        && self.t[i + 3].gap == 1
                        && !self.word_in(i + 3, &["and", "or", "to", "when", "as", "but"]))
                {
                    end = Some(i + 2);
                }
                if let Some(e) = end {
                    let first = self.extend_start(i, e, true, false);
                    let s = self.s(i);
                    return Some(Found {
                        first,
                        last: e,
                        value: Some(format!("{}X", &s[..3])),
                        gran: Granularity::Decade,
                    });
                }
            }
            let y = self.year_at(i)?;
            if self.is_year_count(i) || self.name_before(i) {
                return None;
            }
            // "2016-17" season: a range we cannot express as one value.
            if self.glued(i + 1)
                && self.punct_with(i + 1, is_dash)
                && self.is_num(i + 2)
                && self.glued(i + 2)
                && self.num_len(i + 2) == 2
            {
                return None;
            }
            if y < 1900 && !self.strong_year_context(i) {
                return None;
            }
            let first = self.extend_start(i, i, false, false);
            return Some(Found {
                first,
                last: i,
                value: Some(format!("{y:04}")),
                gran: Granularity::Year,
            });
        }
        if len <= 2 {
            // US month/day: "on 3/30", "3/31" after it, or with a year "3/30/2017".
            if self.punct(i + 1, '/')
                && self.glued(i + 1)
                && self.is_num(i + 2)
                && self.glued(i + 2)
                && self.num_len(i + 2) <= 2
            {
                return self.slash_date(i);
            }
            // ordinal-less "24 hours" etc. fall through day_first's month check.
            if let Some(p) = self.day_first(i) {
                if !Self::phrase_valid(&p) {
                    return None;
                }
                let first = self.extend_start(i, p.end, false, false);
                let (value, gran) = self.phrase_value(&p, first, p.end);
                return Some(Found {
                    first,
                    last: p.end,
                    value,
                    gran,
                });
            }
        }
        None
    }

    /// Contexts that make even an old number a year ("in 1492", "since 1066").
    fn strong_year_context(&self, i: usize) -> bool {
        let mut j = i;
        if j >= 1 && self.word_in(j - 1, &["early", "mid", "late"]) {
            j -= 1;
        }
        j >= 1
            && self.word_in(
                j - 1,
                &[
                    "in", "since", "until", "till", "from", "during", "year", "by", "circa",
                    "before", "after", "between", "ad",
                ],
            )
    }

    fn slash_date(&self, i: usize) -> Option<Found> {
        let a = self.num_val(i);
        let b = self.num_val(i + 2);
        // With a year: 3/30/2017 (US order unless the first part cannot be a month).
        if self.punct(i + 3, '/') && self.glued(i + 3) && self.is_num(i + 4) && self.glued(i + 4) {
            let yl = self.num_len(i + 4);
            if yl != 4 && yl != 2 {
                return None;
            }
            if self.glued(i + 5) && (self.punct(i + 5, '/') || self.is_num(i + 5)) {
                return None;
            }
            let mut y = self.num_val(i + 4) as i32;
            if yl == 2 {
                y += 2000;
            }
            let date = if a <= 12 { ymd(y, a, b) } else { ymd(y, b, a) }?;
            let first = self.extend_prep(i, i + 4, false);
            return Some(Found {
                first,
                last: i + 4,
                value: Some(fmt_day(date)),
                gran: Granularity::Day,
            });
        }
        if self.glued(i + 3)
            && (self.punct(i + 3, '/') || self.is_num(i + 3) || self.is_word(i + 3))
        {
            return None;
        }
        // Without a year only where clearly a date: right after "on", or coordinated
        // with such a date ("on 3/30 & 3/31"). "9/11" and "24/7" never.
        if !(1..=12).contains(&a) || !(1..=31).contains(&b) || (a == 9 && b == 11) {
            return None;
        }
        let after_on = i > 0 && self.word_is(i - 1, "on");
        let coordinated = i > 0
            && self.prev_end.is_some_and(|pe| pe + 2 == i)
            && (self.punct(i - 1, '&')
                || self.word_in(i - 1, &["and", "or"])
                || self.punct(i - 1, ','))
            && self.prev_gran == Some(Granularity::Day);
        if !after_on && !coordinated {
            return None;
        }
        ymd(2000, a, b)?;
        let value = self
            .pubd
            .and_then(|p| resolve_month_day(p, a, b, self.tense(i, i + 2)))
            .map(fmt_day);
        let first = self.extend_prep(i, i + 2, false);
        Some(Found {
            first,
            last: i + 2,
            value,
            gran: Granularity::Day,
        })
    }

    /// "two days ago", "a week ago", "three years ago".
    fn ago(&self, i: usize) -> Option<Found> {
        if i < 2 {
            return None;
        }
        let u = i - 1;
        let uw = self.s(u);
        let unit = if eq_any(uw, &["day", "days"]) {
            0
        } else if eq_any(uw, &["week", "weeks"]) {
            1
        } else if eq_any(uw, &["month", "months"]) {
            2
        } else if eq_any(uw, &["year", "years"]) {
            3
        } else {
            return None;
        };
        let c = u - 1;
        let n: i64 = if self.is_num(c) && self.num_len(c) <= 3 && !self.part_of_number(c) {
            self.num_val(c) as i64
        } else if self.is_word(c) {
            let w = self.s(c);
            let words = [
                "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve",
            ];
            if eq_any(w, &["a", "an"]) {
                1
            } else if let Some(p) = words.iter().position(|x| w.eq_ignore_ascii_case(x)) {
                p as i64
            } else {
                return None;
            }
        } else {
            return None;
        };
        // "a few days ago", "about two weeks ago" are vague.
        if c > 0
            && self.word_in(
                c - 1,
                &[
                    "few", "about", "around", "some", "nearly", "almost", "over", "than", "several",
                ],
            )
        {
            return None;
        }
        let p = self.pubd;
        let (value, gran) = match unit {
            0 => (p.map(|p| fmt_day(p - Duration::days(n))), Granularity::Day),
            1 => (
                p.map(|p| fmt_week(p - Duration::days(7 * n))),
                Granularity::Week,
            ),
            2 => (
                p.map(|p| {
                    let (y, m) = add_months(p.year(), p.month(), -(n as i32));
                    fmt_month(y, m)
                }),
                Granularity::Month,
            ),
            _ => (
                p.map(|p| format!("{:04}", p.year() - n as i32)),
                Granularity::Year,
            ),
        };
        if let Some(pe) = self.prev_end {
            if pe >= c {
                return None;
            }
        }
        Some(Found {
            first: c,
            last: i,
            value,
            gran,
        })
    }
}

/// Date mentions in running text, resolved against the publication date.
pub fn extract(text: &str, published: Option<NaiveDate>) -> Vec<DateMention> {
    // Each thread keeps its token buffer from one article to the next: a new one per
    // article was tens of kB allocated, often on fresh pages (faulted in and zeroed),
    // for every article of an ingest.
    thread_local! {
        static TOKS: std::cell::RefCell<Vec<Tok>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    TOKS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut toks) => {
            toks.clear();
            let out = extract_with(text, published, &mut toks);
            // A huge article's buffer is not kept.
            if toks.capacity() > 1 << 16 {
                *toks = Vec::new();
            }
            out
        }
        // Not reached (`extract_with` does not call back here); a fresh buffer then.
        Err(_) => extract_with(text, published, &mut Vec::new()),
    })
}

fn extract_with(text: &str, published: Option<NaiveDate>, toks: &mut Vec<Tok>) -> Vec<DateMention> {
    toks.reserve(text.len() / 5 + 4);
    tokenize(text, toks);
    let toks = &*toks;
    let mut sc = Scanner {
        text,
        t: toks,
        pubd: published,
        prev_end: None,
        prev_gran: None,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        // Only a few token shapes can start a date; test cheaply before dispatch.
        let t = &toks[i];
        let candidate = match t.kind {
            Kind::Word => t.lex != Lex::Other,
            Kind::Num => true,
            Kind::Punct => is_apos(t.ch),
        };
        if candidate {
            if let Some(f) = sc.at(i) {
                let s = toks[f.first].s;
                let e = toks[f.last].e;
                out.push(DateMention {
                    text: text[s..e].to_string(),
                    start: s,
                    end: e,
                    value: f.value,
                    granularity: f.gran,
                });
                sc.prev_end = Some(f.last);
                sc.prev_gran = Some(f.gran);
                i = f.last + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------
// Publication dates
// ---------------------------------------------------------------------------

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

fn plausible(d: NaiveDate) -> Option<NaiveDate> {
    (1000..=2200).contains(&d.year()).then_some(d)
}

/// Publication date from metadata in any common form: ISO 8601 with or without
/// time and zone, RFC 2822, "2017/2/7", "Feb 7, 2017", "7 February 2017", "2017-02",
/// "20170207", Unix timestamps (seconds or milliseconds). `None` for anything else.
///
/// A time zone offset is ignored on purpose: the calendar day the source printed is
/// the day its readers saw.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim().trim_matches(|c| c == '"' || c == '\'');
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    if all_digits(s) {
        return match s.len() {
            8 => {
                let y = s[..4].parse().ok()?;
                let m = s[4..6].parse().ok()?;
                let d = s[6..8].parse().ok()?;
                ymd(y, m, d).and_then(plausible)
            }
            9 | 10 => {
                let secs: i64 = s.parse().ok()?;
                chrono::DateTime::from_timestamp(secs, 0).map(|t| t.date_naive())
            }
            12 | 13 => {
                let ms: i64 = s.parse().ok()?;
                chrono::DateTime::from_timestamp_millis(ms).map(|t| t.date_naive())
            }
            _ => None,
        };
    }
    // Numeric forms: Y-M-D[Thh:mm...], Y/M/D, Y.M.D, Y-M, D/M/Y, M/D/Y.
    let b = s.as_bytes();
    if b[0].is_ascii_digit() {
        let head_end = s.find(['T', ' ', 't']).unwrap_or(s.len());
        let head = &s[..head_end];
        let parts: Vec<&str> = head.split(['-', '/', '.']).collect();
        if parts.iter().all(|p| all_digits(p)) {
            let sep_ok = head
                .bytes()
                .filter(|c| !c.is_ascii_digit())
                .collect::<Vec<_>>();
            let one_sep = sep_ok.windows(2).all(|w| w[0] == w[1]);
            if one_sep {
                let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
                if nums.len() == parts.len() {
                    match (parts.len(), parts[0].len()) {
                        (3, 4) => return ymd(nums[0] as i32, nums[1], nums[2]).and_then(plausible),
                        (2, 4) if parts[1].len() <= 2 => {
                            return ymd(nums[0] as i32, nums[1], 1).and_then(plausible)
                        }
                        (3, 1..=2) if parts[2].len() == 4 => {
                            let y = nums[2] as i32;
                            // US order first unless the first part cannot be a month.
                            return if nums[0] <= 12 {
                                ymd(y, nums[0], nums[1])
                            } else {
                                ymd(y, nums[1], nums[0])
                            }
                            .and_then(plausible);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    // Textual forms: find a month name, a day and a year among the words,
    // ignoring weekday names, times ("10:00:00") and zones ("GMT", "+0100").
    let mut month = None;
    let mut day = None;
    let mut year = None;
    for piece in s.split(|c: char| c.is_whitespace() || c == ',') {
        let piece = piece.trim_matches(|c: char| c == '.' || c == '(' || c == ')');
        if piece.is_empty() || piece.contains(':') {
            continue;
        }
        if piece.starts_with('+') || piece.starts_with('-') {
            continue;
        }
        if let Some((m, _)) = month_word(piece) {
            if month.is_none() {
                month = Some(m);
            }
            continue;
        }
        let digits = piece.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        if all_digits(digits) {
            let suffix = &piece[digits.len()..];
            if !suffix.is_empty() && !eq_any(suffix, &["st", "nd", "rd", "th"]) {
                continue;
            }
            let v: u32 = digits.parse().ok()?;
            if digits.len() == 4 && suffix.is_empty() && year.is_none() {
                year = Some(v as i32);
            } else if digits.len() <= 2 && day.is_none() {
                day = Some(v);
            }
            continue;
        }
        // ISO date glued to text like "2017-02-07T10:00:00Z" handled above; any
        // other word is ignored (weekday names, "GMT", "at").
    }
    let (m, y) = (month?, year?);
    ymd(y, m, day.unwrap_or(1)).and_then(plausible)
}

/// A date in a path or file name: "2025/11/24/...", "2025-11-24-slug.md",
/// "20251124_...", "2017/feb/07/...", but not random digit runs.
pub fn date_from_path(path: &str) -> Option<NaiveDate> {
    let b = path.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && b[j].is_ascii_digit() {
            j += 1;
        }
        let run = &path[i..j];
        let year_ok = |y: i32| (1900..=2100).contains(&y);
        // Preceded by a letter means an identifier ("id20170207"), unless a separator.
        let clean_left = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if clean_left && run.len() == 8 {
            let clean_right = j == n || !b[j].is_ascii_alphanumeric();
            if clean_right {
                let y: i32 = run[..4].parse().ok()?;
                let m: u32 = run[4..6].parse().ok()?;
                let d: u32 = run[6..8].parse().ok()?;
                if year_ok(y) {
                    if let Some(date) = ymd(y, m, d) {
                        return Some(date);
                    }
                }
            }
        }
        if clean_left
            && run.len() == 4
            && j < n
            && matches!(b[j], b'/' | b'-' | b'_' | b'.' | b'\\')
        {
            let y: i32 = run.parse().ok()?;
            if year_ok(y) {
                let sep = b[j];
                // month: digits or a month name
                let ms = j + 1;
                let mut me = ms;
                while me < n && b[me].is_ascii_alphanumeric() {
                    me += 1;
                }
                let mtok = &path[ms..me];
                let month = if all_digits(mtok) && mtok.len() <= 2 {
                    mtok.parse::<u32>().ok()
                } else {
                    month_word(mtok).map(|(m, _)| m)
                };
                if let Some(m) = month {
                    if me < n && b[me] == sep {
                        let ds = me + 1;
                        let mut de = ds;
                        while de < n && b[de].is_ascii_digit() {
                            de += 1;
                        }
                        let dtok = &path[ds..de];
                        let right_ok = de == n || !b[de].is_ascii_digit();
                        if !dtok.is_empty() && dtok.len() <= 2 && right_ok {
                            if let Some(date) = dtok.parse().ok().and_then(|d| ymd(y, m, d)) {
                                return Some(date);
                            }
                        }
                    }
                }
            }
        }
        i = j;
    }
    None
}

/// A dateline at the start of the body: "WASHINGTON, Nov 24 (Reuters) -",
/// "MOSCOW, March 13. /TASS/.", "LONDON (AP) - Feb. 3, 2017". Without a year the
/// date resolves to the latest such date on or before `reference` (for example the
/// file's modification date); `None` if there is no year and no reference.
pub fn dateline_date(body: &str, reference: Option<NaiveDate>) -> Option<NaiveDate> {
    let body = body.trim_start();
    // The dateline is short: a place in capitals, then the date, then the agency.
    let mut cut = body.len().min(160);
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &body[..cut];
    let first_line = head.split('\n').next().unwrap_or("");
    let mut toks = Vec::new();
    tokenize(first_line, &mut toks);
    // A place name in capitals at the very start.
    let caps = toks
        .iter()
        .take_while(|t| {
            t.kind == Kind::Word
                && first_line[t.s..t.e]
                    .bytes()
                    .all(|c| !c.is_ascii_lowercase())
                || (t.kind == Kind::Punct && matches!(t.ch, '.' | '-' | '\''))
        })
        .count();
    if caps == 0
        || !toks[..caps]
            .iter()
            .any(|t| t.kind == Kind::Word && t.e - t.s >= 2)
    {
        return None;
    }
    let sc = Scanner {
        text: first_line,
        t: &toks,
        pubd: None,
        prev_end: None,
        prev_gran: None,
    };
    // The date must come within the dateline: before any lowercase running text.
    let mut k = caps;
    let mut words = 0;
    while k < toks.len() && words < 8 {
        if toks[k].kind == Kind::Word && sc.is_lower(k) && !sc.word_in(k, &["of"]) {
            break;
        }
        let phrase = sc
            .month_first(k)
            .filter(|p| p.day.is_some())
            .or_else(|| sc.day_first(k));
        if let Some(p) = phrase {
            let d = p.day?;
            return match p.year {
                Some(YearRef::Abs(y)) => ymd(y, p.month, d),
                Some(YearRef::Rel(_)) => None,
                None => {
                    let r = reference?;
                    resolve_month_day(r, p.month, d, Tense::Past)
                }
            };
        }
        if toks[k].kind == Kind::Word {
            words += 1;
        }
        k += 1;
    }
    None
}

/// User filter values "YYYY", "YYYY-MM", "YYYY-MM-DD" -> inclusive range (used by
/// --from/--to/--mentions); Err with a message for anything else.
pub fn parse_filter_date(s: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let bad = || format!("invalid date {s:?}: expected YYYY, YYYY-MM or YYYY-MM-DD");
    let t = s.trim();
    let parts: Vec<&str> = t.split('-').collect();
    if parts.is_empty() || parts.len() > 3 || !parts.iter().all(|p| all_digits(p)) {
        return Err(bad());
    }
    if parts[0].len() != 4 || parts[1..].iter().any(|p| p.len() > 2) {
        return Err(bad());
    }
    let y: i32 = parts[0].parse().map_err(|_| bad())?;
    match parts.len() {
        1 => Ok((
            ymd(y, 1, 1).ok_or_else(bad)?,
            ymd(y, 12, 31).ok_or_else(bad)?,
        )),
        2 => {
            let m: u32 = parts[1].parse().map_err(|_| bad())?;
            let first = ymd(y, m, 1).ok_or_else(|| format!("invalid month in {s:?}"))?;
            let (ny, nm) = add_months(y, m, 1);
            let last = ymd(ny, nm, 1).ok_or_else(bad)? - Duration::days(1);
            Ok((first, last))
        }
        _ => {
            let m: u32 = parts[1].parse().map_err(|_| bad())?;
            let d: u32 = parts[2].parse().map_err(|_| bad())?;
            let date = ymd(y, m, d).ok_or_else(|| format!("no such day: {s:?}"))?;
            Ok((date, date))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lexicon's words are found in any case, and only they: checked on every
    /// word of the sample archive, and on the lexicon's words cut, extended and
    /// changed by a letter.
    #[test]
    fn a_word_is_in_the_lexicon_exactly_when_it_is_listed() {
        let listed = |w: &[u8]| {
            LEXICON
                .iter()
                .any(|(k, _)| k.as_bytes().eq_ignore_ascii_case(w))
        };
        let check = |w: &[u8]| {
            assert_eq!(
                lookup(w) != Lex::Other,
                listed(w),
                "{}",
                String::from_utf8_lossy(w)
            );
        };
        for (word, lex) in LEXICON {
            assert_eq!(lookup(word.as_bytes()), lex);
            assert_eq!(lookup(word.to_uppercase().as_bytes()), lex);
            let mut w = word.as_bytes().to_vec();
            check(&w[1..]);
            check(&w[..w.len() - 1]);
            w.push(b's');
            check(&w);
            for k in 0..w.len() {
                let c = w[k];
                w[k] = if c == b'z' { b'a' } else { c + 1 };
                check(&w);
                w[k] = c;
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut words = 0;
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                for w in text.split(|c: char| !c.is_ascii_alphabetic()) {
                    check(w.as_bytes());
                    words += 1;
                }
            }
        }
        assert!(words > 10_000, "{words}");
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// (text, value) of every mention.
    fn ex(text: &str, published: &str) -> Vec<(String, String)> {
        extract(text, Some(d(published)))
            .into_iter()
            .map(|m| {
                assert_eq!(&text[m.start..m.end], m.text);
                (m.text, m.value.unwrap_or_default())
            })
            .collect()
    }

    fn one(text: &str, published: &str) -> (String, String) {
        let v = ex(text, published);
        assert_eq!(v.len(), 1, "{text:?} -> {v:?}");
        v.into_iter().next().unwrap()
    }

    fn none(text: &str) {
        let v = ex(text, "2017-03-15");
        assert!(v.is_empty(), "{text:?} -> {v:?}");
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn explicit_dates() {
        assert_eq!(
            one("It began on Dec. 16, 2014, in Peshawar.", "2017-02-16"),
            pair("on Dec. 16, 2014", "2014-12-16")
        );
        assert_eq!(
            one("They met on 24 November 2025.", "2025-11-24"),
            pair("on 24 November 2025", "2025-11-24")
        );
        assert_eq!(
            one("Filed 2025-11-24 in court.", "2025-11-24"),
            pair("2025-11-24", "2025-11-24")
        );
        assert_eq!(
            one("Flights start in March 2018.", "2017-02-06"),
            pair("in March 2018", "2018-03")
        );
        assert_eq!(
            one("He was born on October 2, 1904.", "2017-03-16"),
            pair("on October 2, 1904", "1904-10-02")
        );
        assert_eq!(
            one("September, 2014 was bad.", "2017-03-16"),
            pair("September, 2014", "2014-09")
        );
    }

    #[test]
    fn years_and_decades() {
        assert_eq!(
            one("Talks resume in 2019.", "2017-03-15"),
            pair("in 2019", "2019")
        );
        assert_eq!(
            one("the third since 1997 and more", "2017-01-06"),
            pair("1997", "1997")
        );
        assert_eq!(
            one("during the 2016 presidential election", "2017-03-30"),
            pair("2016", "2016")
        );
        assert_eq!(
            ex("born between 1972 and 1973.", "2017-03-29"),
            vec![pair("1972", "1972"), pair("1973", "1973")]
        );
        assert_eq!(
            one("It died out in the 1990s.", "2017-01-27"),
            pair("in the 1990s", "199X")
        );
        assert_eq!(
            one("not since the early 1970s.", "2017-02-27"),
            pair("the early 1970s", "197X")
        );
        assert_eq!(
            one("by the end of the 1920s.", "2017-02-28"),
            pair("the 1920s", "192X")
        );
        assert_eq!(
            one("It peaked in late 2014.", "2017-02-28"),
            pair("in late 2014", "2014")
        );
    }

    #[test]
    fn possessive_months_adjectives_and_todays_news() {
        assert_eq!(
            one(
                "Few believed he could win November's election.",
                "2017-02-17"
            ),
            pair("November", "2016-11")
        );
        // "the revised purchase" is no past-tense verb: the aim is still to come.
        assert_eq!(
            one(
                "Verizon is now aiming to complete the revised purchase by the end of June.",
                "2017-03-13"
            ),
            pair("June", "2017-06")
        );
        assert_eq!(
            one("Certainly today's news is welcome news.", "2017-02-07"),
            pair("today", "2017-02-07")
        );
        assert!(ex("Theresa May's plan was rejected.", "2017-02-07").is_empty());
    }

    #[test]
    fn deictic_days() {
        assert_eq!(
            one("DeVos was confirmed today.", "2017-02-07"),
            pair("today", "2017-02-07")
        );
        assert_eq!(
            one("Yesterday, 500 flights were cancelled.", "2017-02-09"),
            pair("Yesterday", "2017-02-08")
        );
        assert_eq!(
            one("After yesterday's 4pm deadline passed", "2017-03-28"),
            pair("yesterday", "2017-03-27")
        );
        assert_eq!(
            one("He will meet them tomorrow.", "2017-02-23"),
            pair("tomorrow", "2017-02-24")
        );
    }

    #[test]
    fn weekdays_past_and_future() {
        // 2017-03-29 is a Wednesday.
        assert_eq!(
            one("Nunes said Tuesday he won't step aside.", "2017-03-29"),
            pair("Tuesday", "2017-03-28")
        );
        assert_eq!(
            one("the ministry said on Wednesday.", "2017-03-29"),
            pair("on Wednesday", "2017-03-29")
        );
        assert_eq!(
            one(
                "It will be heard by the High Court on Thursday.",
                "2017-03-29"
            ),
            pair("on Thursday", "2017-03-30")
        );
        assert_eq!(
            one(
                "They are to be charged with murder on Wednesday.",
                "2017-02-28"
            ),
            pair("on Wednesday", "2017-03-01")
        );
        assert_eq!(
            one("after Sunday's 3-0 defeat at home", "2017-02-07"),
            pair("Sunday", "2017-02-05")
        );
        assert_eq!(
            one("At Monday's hearing he will call Comey.", "2017-03-19"),
            pair("Monday", "2017-03-20")
        );
        assert_eq!(
            one("injured last Wednesday morning", "2017-03-20"),
            pair("last Wednesday", "2017-03-15")
        );
        assert_eq!(
            one("at next Wednesday's meeting", "2017-03-18"),
            pair("next Wednesday", "2017-03-22")
        );
        assert_eq!(
            one(
                "They voted on Saturday, February 4, in the first round.",
                "2017-02-06"
            ),
            pair("on Saturday, February 4", "2017-02-04")
        );
        assert_eq!(
            one("again, Wednesday morning.", "2017-03-30"),
            pair("Wednesday", "2017-03-29")
        );
    }

    #[test]
    fn tense_details() {
        // Future weekday named on its own weekday is that day (2017-02-16 is a Thursday).
        assert_eq!(
            one(
                "Harward is expected to meet officials later on Thursday.",
                "2017-02-16"
            ),
            pair("on Thursday", "2017-02-16")
        );
        // A present copula is not future: "are an increase from ... in January".
        assert_eq!(
            one(
                "The figures are an increase from 7,167 in January.",
                "2017-03-24"
            ),
            pair("in January", "2017-01")
        );
        // A noun governing "to" is not an infinitive: "hail to parts of Texas on Sunday".
        assert_eq!(
            one(
                "A storm brought hail to parts of Texas on Sunday.",
                "2017-03-27"
            ),
            pair("on Sunday", "2017-03-26")
        );
        assert_eq!(
            one(
                "They are looking forward to the forum in December.",
                "2017-01-27"
            ),
            pair("in December", "2017-12")
        );
        assert_eq!(
            one("Talks are due in mid-February in Moscow.", "2017-02-07"),
            pair("in mid-February", "2017-02")
        );
        assert_eq!(
            ex("in February and March of 2014, Sochi hosted", "2017-02-07")[0],
            pair("in February", "2014-02")
        );
        assert_eq!(
            ex("in February and March of 2014", "2017-02-07")[1],
            pair("March of 2014", "2014-03")
        );
        none("the 100th anniversary of the October Revolution.");
        assert_eq!(
            one("to appear in court next Wednesday 22 March.", "2017-03-18"),
            pair("next Wednesday 22 March", "2017-03-22")
        );
        assert_eq!(
            one("14 February 2016: Leicester lose 2-1", "2017-02-23"),
            pair("14 February 2016", "2016-02-14")
        );
    }

    #[test]
    fn relative_units() {
        assert_eq!(
            one("He fell ill last week.", "2017-02-07"),
            pair("last week", "2017-W05")
        );
        assert_eq!(
            one("Earlier this week, pubs called for cuts.", "2017-02-17"),
            pair("Earlier this week", "2017-W07")
        );
        assert_eq!(
            one("Ahead of next week's Budget", "2017-02-28"),
            pair("next week", "2017-W10")
        );
        assert_eq!(
            one("admitted earlier this month that", "2017-02-16"),
            pair("earlier this month", "2017-02")
        );
        assert_eq!(
            one("a meeting last month in Seoul", "2025-11-24"),
            pair("last month", "2025-10")
        );
        assert_eq!(
            one("work to begin later this year.", "2017-03-24"),
            pair("later this year", "2017")
        );
        assert_eq!(
            one("due to follow next year", "2017-02-17"),
            pair("next year", "2018")
        );
        assert_eq!(
            one("Two days ago, he left.", "2017-02-17"),
            pair("Two days ago", "2017-02-15")
        );
    }

    #[test]
    fn weekends() {
        assert_eq!(
            one("it fell apart over the weekend, as attacks", "2017-02-28"),
            pair("over the weekend", "2017-02-25")
        );
        assert_eq!(
            one("During a visit at the weekend, however,", "2017-02-13"),
            pair("at the weekend", "2017-02-11")
        );
        assert_eq!(
            one("Two congressmen said this weekend that", "2017-03-13"),
            pair("this weekend", "2017-03-11")
        );
        assert_eq!(
            one("Over the weekend, G20 leaders met.", "2025-11-24"),
            pair("Over the weekend", "2025-11-22")
        );
    }

    #[test]
    fn months_without_year() {
        assert_eq!(
            one("In March, Chint completed two projects.", "2016-12-16"),
            pair("In March", "2016-03")
        );
        assert_eq!(
            one("In March, Tokyo is to host talks.", "2017-02-09"),
            pair("In March", "2017-03")
        );
        assert_eq!(
            one("He will make his decision in March.", "2017-02-16"),
            pair("in March", "2017-03")
        );
        assert_eq!(
            one(
                "Trump and Xi met in October for the first time.",
                "2025-11-24"
            ),
            pair("in October", "2025-10")
        );
        assert_eq!(
            one("called for cuts in his March Budget.", "2017-02-17"),
            pair("March", "2017-03")
        );
        assert_eq!(
            one("In mid-February, a man attacked a soldier.", "2017-03-18"),
            pair("In mid-February", "2017-02")
        );
        assert_eq!(
            one("the upcoming meeting in May is used", "2017-03-18"),
            pair("in May", "2017-05")
        );
        assert_eq!(
            one("Last May two soldiers were killed.", "2017-03-19"),
            pair("Last May", "2016-05")
        );
        assert_eq!(
            one("a truck attack in Nice last July.", "2017-03-18"),
            pair("last July", "2016-07")
        );
    }

    #[test]
    fn anchored_months_and_days() {
        assert_eq!(
            one("He sued them in March last year, accusing", "2017-03-01"),
            pair("in March last year", "2016-03")
        );
        assert_eq!(
            one("once in July of last year, after", "2017-03-30"),
            pair("in July of last year", "2016-07")
        );
        assert_eq!(
            one("to reopen in April this year.", "2017-02-08"),
            pair("in April this year", "2017-04")
        );
        assert_eq!(
            one("On 4 May last year Watson struck.", "2017-02-09"),
            pair("On 4 May last year", "2016-05-04")
        );
        assert_eq!(
            one("shot on December 19, last year.", "2017-02-13"),
            pair("on December 19, last year", "2016-12-19")
        );
        assert_eq!(
            one("done before Oct 1 this year, he said.", "2017-03-17"),
            pair("Oct 1 this year", "2017-10-01")
        );
    }

    #[test]
    fn month_day_without_year() {
        assert_eq!(
            one("On Dec 23, Oscar was signed.", "2017-01-13"),
            pair("On Dec 23", "2016-12-23")
        );
        assert_eq!(
            one(
                "Tillerson will visit the country on March 18.",
                "2017-03-16"
            ),
            pair("on March 18", "2017-03-18")
        );
        assert_eq!(
            one(
                "May is to write to the EU on 29 March formally",
                "2017-03-20"
            ),
            pair("on 29 March", "2017-03-29")
        );
        assert_eq!(
            one("before the 8 November election.", "2017-03-15"),
            pair("8 November", "2016-11-08")
        );
        assert_eq!(
            ex("I'll be in #DC on 3/30 & 3/31.", "2017-03-29"),
            vec![pair("on 3/30", "2017-03-30"), pair("3/31", "2017-03-31")]
        );
    }

    #[test]
    fn look_alikes_are_not_dates() {
        none("May Allah gather us together with him.");
        none("May has said no deal is better than a bad deal.");
        none("The UK informed Tusk's office of May's intention.");
        none("Prime Minister Theresa May spoke to Mrs May's aides.");
        none("They joined the Women's March on Washington.");
        none("Several hundred people marched silently.");
        none("Lord Bew told the Sunday Times it was not personal.");
        none("he said on Fox News Sunday.");
        none("It was reported by the Mail on Sunday.");
        none("The Good Friday Agreement is a shared framework.");
        none("amendments he has announced to Agenda 2010 - the series");
        none("Trump asked April Ryan, the correspondent.");
        none("less than 24 hours after a 2-1 defeat in the last-16 tie.");
        none("I worked on my projects 24/7 at the 7/11.");
        none("they split 47/41 and then 44/43.");
        none("The meeting is expected around 10pm Irish time.");
        none("The 63-year-old wants to cut 500,000 jobs over the five-year term.");
        none("He became rich in his late 20s.");
        none("They have been campaigning for decades.");
        none("to ensure that tomorrow's factory towns prosper.");
        none("It cost $2017 and weighed 2000 kg.");
        none("Exports rose 3.5 percent year-on-year.");
        none("the idea of today is empowerment, even today.");
    }

    #[test]
    fn no_publication_date_gives_no_relative_value() {
        let v = extract("He left on Monday, in 2019.", None);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].value, None);
        assert_eq!(v[1].value.as_deref(), Some("2019"));
    }

    #[test]
    fn byte_offsets_with_unicode() {
        let text = "Xi “said” on Monday — in 2019.";
        let v = extract(text, Some(d("2025-11-24")));
        assert_eq!(v.len(), 2);
        assert_eq!(&text[v[0].start..v[0].end], "on Monday");
        assert_eq!(v[1].text, "in 2019");
    }

    #[test]
    fn index_terms_cover_containers() {
        let m = |v: &str, g| DateMention {
            text: String::new(),
            start: 0,
            end: 0,
            value: Some(v.to_string()),
            granularity: g,
        };
        assert_eq!(
            m("2019-03-05", Granularity::Day).index_terms(),
            ["2019-03-05", "2019-03", "2019", "201X"]
        );
        assert_eq!(
            m("2019-W10", Granularity::Week).index_terms(),
            ["2019-W10", "2019-03", "2019", "201X"]
        );
        assert_eq!(
            m("2020-W01", Granularity::Week).index_terms(),
            ["2020-W01", "2019-12", "2020-01", "2019", "2020", "201X", "202X"]
        );
        assert_eq!(
            m("2019-03", Granularity::Month).index_terms(),
            ["2019-03", "2019", "201X"]
        );
        assert_eq!(m("2019", Granularity::Year).index_terms(), ["2019", "201X"]);
        assert_eq!(m("199X", Granularity::Decade).index_terms(), ["199X"]);
    }

    #[test]
    fn parse_date_forms() {
        let want = Some(d("2017-02-07"));
        for s in [
            "2017-02-07",
            "2017-02-07T10:00:00Z",
            "2017-02-07 10:00:00+01:00",
            "2017-02-07T10:00:00.123+0100",
            "Tue, 07 Feb 2017 10:00:00 GMT",
            "2017/2/7",
            "Feb 7, 2017",
            "February 7, 2017",
            "7 February 2017",
            "7 Feb 2017",
            "Tuesday, February 7th, 2017",
            "20170207",
            "1486461600",
            "1486461600000",
            "02/07/2017",
        ] {
            assert_eq!(parse_date(s), want, "{s}");
        }
        assert_eq!(parse_date("2017-02"), Some(d("2017-02-01")));
        for s in [
            "",
            "garbage",
            "2017-13-45",
            "99999999999999999999",
            "Feb",
            "é",
            "2017-02-30",
            "--",
            "2017/",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn dates_in_paths() {
        assert_eq!(
            date_from_path("news/2025/11/24/trump-xi.html"),
            Some(d("2025-11-24"))
        );
        assert_eq!(
            date_from_path("posts/2025-11-24-slug.md"),
            Some(d("2025-11-24"))
        );
        assert_eq!(date_from_path("20251124_call.txt"), Some(d("2025-11-24")));
        assert_eq!(
            date_from_path("world/2017/feb/07/story"),
            Some(d("2017-02-07"))
        );
        assert_eq!(date_from_path("articles/123456789/story.txt"), None);
        assert_eq!(date_from_path("img/12345678.jpg"), None);
        assert_eq!(date_from_path("sport/199.txt"), None);
        assert_eq!(date_from_path("id20251124x"), None);
    }

    #[test]
    fn datelines() {
        let r = Some(d("2025-12-01"));
        assert_eq!(
            dateline_date("WASHINGTON, Nov 24 (Reuters) - Trump spoke", r),
            Some(d("2025-11-24"))
        );
        assert_eq!(
            dateline_date(
                "MOSCOW, March 13. /TASS/. Russia said",
                Some(d("2017-03-20"))
            ),
            Some(d("2017-03-13"))
        );
        assert_eq!(
            dateline_date("LONDON (AP) — Feb. 3, 2017 — The", None),
            Some(d("2017-02-03"))
        );
        assert_eq!(
            dateline_date("WASHINGTON, Nov 24 (Reuters) - Trump", None),
            None
        );
        assert_eq!(
            dateline_date("BRUSSELS (Reuters) - Prime Minister Theresa May", r),
            None
        );
        assert_eq!(dateline_date("On March 3 the president said", r), None);
    }

    #[test]
    fn filter_dates() {
        assert_eq!(
            parse_filter_date("2017"),
            Ok((d("2017-01-01"), d("2017-12-31")))
        );
        assert_eq!(
            parse_filter_date("2016-02"),
            Ok((d("2016-02-01"), d("2016-02-29")))
        );
        assert_eq!(
            parse_filter_date("2017-12"),
            Ok((d("2017-12-01"), d("2017-12-31")))
        );
        assert_eq!(
            parse_filter_date("2017-02-07"),
            Ok((d("2017-02-07"), d("2017-02-07")))
        );
        for s in [
            "",
            "17",
            "2017-13",
            "2017-02-30",
            "2017/02/07",
            "last week",
            "2017-02-07-1",
        ] {
            assert!(parse_filter_date(s).is_err(), "{s}");
        }
    }
}
