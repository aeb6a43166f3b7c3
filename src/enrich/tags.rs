//! The tagger: which countries, leaders and international organisations an article
//! names, with the byte span of every mention.
//!
//! One trie (an Aho-Corasick automaton walked anchored, leftmost-longest,
//! case-sensitive: [`Names`]) holds every surface form in the gazetteer plus the stop
//! phrases; longer names win, so "New Mexico",
//! "Papua New Guinea" or "Organization of American States" swallow the shorter names
//! inside them. Each hit is then checked against the text around it (word boundaries,
//! company and media names, language names, treaties named after capitals), and a
//! second pass decides what needs the whole article: surnames, ambiguous country names
//! (Georgia, Jordan, Chad), weak acronyms and "Brussels" meaning the EU.
//!
//! Case matters ("US" but not "us", "Turkey" but not "turkey"); all-caps text matches
//! too because every pattern is also added in upper case (datelines: "MOSCOW, March 13").

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};
use chrono::NaiveDate;

use crate::article::{Article, Mention};
use crate::enrich::gazetteer::levenshtein;
use crate::enrich::gazetteer::{fold_diacritics, Country, Gazetteer};

/// Everything the tagger found in one article.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tags {
    pub countries: Vec<CountryTag>,
    pub leaders: Vec<LeaderTag>,
    pub orgs: Vec<OrgTag>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CountryTag {
    pub code: String,
    pub name: String,
    /// True when the country is found only through a non-capital city or region.
    pub via_place: bool,
    pub mentions: Vec<Mention>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LeaderTag {
    pub name: String,
    pub country: String,
    /// Found by the pattern "<country> <title> <Name>", not in the gazetteer.
    pub inferred: bool,
    pub mentions: Vec<Mention>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrgTag {
    pub name: String,
    pub mentions: Vec<Mention>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    Name,
    Demonym,
    Capital,
    /// Seat of government or constituent part (Kremlin, England).
    Metonym,
    /// A name that is also a common word or given name (Georgia, Jordan, Chad).
    Ambiguous,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stop,
    Leader(usize),
    Org { org: usize, weak: bool },
    Surname(usize),
    Country { country: usize, how: How },
    Place(usize),
}

/// Builds the matcher once; `tag` is then read-only and can be shared across threads.
pub struct Tagger {
    names: Names,
    /// Per pattern id: what it names (a surface form can name several things).
    kinds: Vec<Vec<Kind>>,
    /// Per pattern id: an all-caps abbreviation that is also an English word ("US", "WHO").
    wordlike: Vec<bool>,
    countries: Vec<(String, String)>,
    /// Per country: few people live there ([`Country::is_small`]).
    small: Vec<bool>,
    /// Common given names, for telling "Danny Tsai" from "Yesterday Tsai".
    given_names: HashSet<String>,
    /// (country, folded lower-case name) for the names of a small country that are
    /// also a common surname, given name or US city, and its capitals.
    weak_names: HashSet<(usize, String)>,
    continent: Vec<String>,
    neighbours: Vec<Vec<usize>>,
    leaders: Vec<LeaderInfo>,
    /// Surname groups: leaders sharing a surname.
    surnames: Vec<Vec<usize>>,
    orgs: Vec<String>,
    eu: Option<usize>,
    be: Option<usize>,
    us: Option<usize>,
    country_by_code: HashMap<String, usize>,
    /// Folded lower-case full names and aliases -> leader, for names captured by
    /// the "<country> <title> <Name>" pattern.
    leader_names: HashMap<String, usize>,
}

/// Words after a country name that mark a company, brand or media title
/// ("China Daily", "Malaysia Airlines", "Evergreen Marine Corp Taiwan Ltd").
#[rustfmt::skip]
const COMPANY_WORDS: &[&str] = &[
    "Airlines", "Airline", "Airways", "Air", "Daily", "Times", "Post", "Herald", "Tribune",
    "Journal", "Telegraph", "Gazette", "Today", "News", "Ltd", "Limited", "Inc", "Corp",
    "Corporation", "Co", "Company", "Group", "Holdings", "Petroleum", "Oil", "Motors",
    "Realty", "Telecom", "Mobile", "Television", "TV", "Radio", "Broadcasting", "Pictures",
    "Records", "Hotel", "Hotels", "Express", "Insurance", "Securities", "Magazine", "Press",
    "Network", "Studios", "Entertainment", "Foods", "LLC", "PLC", "plc", "AG", "GmbH",
    "Technologies", "Pharmaceuticals", "Steel", "Electric", "Electronics", "Marine",
    "Shipping", "Lines", "Tobacco", "Brewery", "Bancorp", "Investments", "Capital",
    "Ventures", "Partners", "Media", "Show", "Talent", "Idol", "Inc.", "Ltd.", "Corp.",
    "Co.", "Estates", "Airport", "Cup", "FC", "AFC", "Fund", "Management",
];

/// Capitalised words that may stand right before a country name without making it
/// part of another proper name.
#[rustfmt::skip]
const FREE_BEFORE: &[&str] = &[
    "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western",
    "Central", "Greater", "Mainland", "Communist", "Soviet", "Imperial", "Nazi", "Modern",
    "Ancient", "Rural", "Socialist", "Free", "Occupied", "Post-war", "Postwar", "Pre-war",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "The", "In", "And", "But", "For", "From", "With", "As", "At",
    "By", "On", "To", "Of", "If", "When", "While", "Both", "Neither", "Either", "Like",
    "Unlike", "Including", "Against", "Between", "Across", "Since", "After", "Before",
    "Outside", "Inside", "Within", "Across", "Why", "How", "What", "Where", "Did", "Does",
    "Do", "Will", "Can", "Could", "Would", "Should", "Has", "Have", "Is", "Are", "Was",
    "Were", "Said", "Says", "Say", "Told", "Tells", "Mr", "Mrs", "Ms", "Dr", "Team",
    "Brexit", "Trump", "Putin", "Obama", "Rep", "Sen", "Gov", "Ex", "Former", "New", "Old",
    "Great", "Little", "Welcome", "Visit", "Visiting", "About", "Over", "Under", "Through",
    "Into", "Onto", "Upon", "Toward", "Towards", "Via", "Versus", "Vs", "Only", "Even",
    "Also", "Then", "Now", "Today", "Yesterday", "Tomorrow", "Here", "There", "This",
    "That", "These", "Those", "Our", "Their", "Your", "His", "Her", "Its", "My", "We",
    "They", "He", "She", "It", "I", "You", "Global", "Rest", "All", "Every", "Each", "Many",
    "Most", "Some", "Any", "Other", "Another", "Whole", "Entire", "Wartime", "Postwar",
    "Today's", "Ireland", "Scotland", "England", "Wales", "Britain", "Democratic",
];

/// Titles that let a surname stand for a leader ("President Trump", "Mr Xi").
#[rustfmt::skip]
const TITLES: &[&str] = &[
    "President", "President-elect", "Presidents", "Premier", "Chancellor", "PM", "King",
    "Queen", "Emperor", "Emir", "Amir", "Sultan", "Sheikh", "Ayatollah", "Taoiseach",
    "Pope", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Madam", "president",
    "president-elect", "premier", "chancellor", "leader", "Leader", "counterpart",
    "Minister", "minister", "dictator", "strongman", "Presidente", "Tsar", "Czar",
    "Generalissimo", "Chairman",
];

/// Offices that make "<country> <office> <Name>" a head of state or government.
#[rustfmt::skip]
const OFFICES: &[&str] = &[
    "President-elect", "President", "Prime Minister", "Premier", "Chancellor", "King",
    "Queen", "Emir", "Amir", "Sultan", "Supreme Leader", "Taoiseach", "Emperor",
    "president-elect", "president", "prime minister", "premier", "chancellor",
];

/// Words after a leader's name that make it the name of a building, street or body.
#[rustfmt::skip]
const NAMED_AFTER: &[&str] = &[
    "Airport", "airport", "International", "Center", "Centre", "Memorial", "Library",
    "School", "Foundation", "Street", "Avenue", "Boulevard", "Bridge", "Stadium",
    "Institute", "University", "College", "Highway", "Square", "Park", "Museum", "Hall",
    "Building", "Prize", "Award", "Scholarship", "Fellowship", "High",
];

/// Ship prefixes: "USS Abraham Lincoln" is a ship named after the man.
#[rustfmt::skip]
const SHIP_PREFIXES: &[&str] = &[
    "USS", "HMS", "HMCS", "HMAS", "HMNZS", "RMS", "USNS", "INS", "SS", "MV", "MS", "RV",
];

/// Capitalised words after a full name that keep it the person's: a party label
/// ("a Teddy Roosevelt Republican"), an era.
#[rustfmt::skip]
const AFTER_NAME: &[&str] = &[
    "Republican", "Republicans", "Democrat", "Democrats", "Democratic", "Conservative",
    "Conservatives", "Labour", "Tory", "Tories", "Era", "Years", "Presidency",
];

/// Courtesy titles: they say someone is a man or a woman, not which office they hold.
const HONORIFICS: &[&str] = &["Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Madam"];

/// Particles that carry an Arabic or Persian name on ("Abdul Hamid al-Sarraj").
const NAME_PARTICLES: &[&str] = &["al-", "el-", "bin ", "ibn ", "bint ", "Al-", "El-"];

/// Words before a month-like surname ("in May") that show it is a date.
#[rustfmt::skip]
const DATE_WORDS: &[&str] = &[
    "in", "on", "since", "by", "until", "till", "of", "early", "late", "mid", "last",
    "next", "this", "from", "through", "during", "end", "between", "before", "after", "In",
    "On", "Since", "By", "Until", "From", "During", "Early", "Late", "Last", "Next",
];

/// Capitalised words that may follow a surname without making it someone else's name.
#[rustfmt::skip]
const AFTER_SURNAME: &[&str] = &[
    "Administration", "Government", "Cabinet", "White", "Doctrine", "Kremlin", "Said",
    "Says", "Tells", "Told", "To", "In", "And", "On", "As", "Is", "Was", "Has", "Will",
    "Calls", "Signs", "Says", "Vows", "Meets", "Warns", "Slams", "Urges", "Visit",
];

/// All-caps abbreviations that are also English words when shouted.
#[rustfmt::skip]
const WORDLIKE: &[&str] = &[
    "US", "WHO", "IT", "AM", "AN", "AS", "IN", "IS", "NO", "ON", "OR", "SO", "TO", "UP",
    "WE", "ME", "MY", "HE", "BE", "DO", "GO", "OF", "OK", "AU", "ICC", "CAR", "UN",
];

/// Words before a language name that show the language is meant ("speaks Chinese").
#[rustfmt::skip]
const LANGUAGE_VERBS: &[&str] = &[
    "speak", "speaks", "spoke", "speaking", "spoken", "learn", "learns", "learning",
    "learned", "learnt", "teach", "teaches", "teaching", "taught", "fluent", "study",
    "studying", "studied", "translated", "translate", "subtitles", "subtitled", "dubbed",
    "written",
];

/// Words after a capital that make it the name of an agreement ("Paris accord").
#[rustfmt::skip]
const TREATY_WORDS: &[&str] = &[
    "accord", "accords", "Accord", "Accords", "agreement", "agreements", "Agreement",
    "Agreements", "treaty", "Treaty", "protocol", "Protocol", "convention", "Convention",
    "pact", "Pact", "climate", "Club", "Consensus", "consensus", "format", "Format",
    "principles", "Principles", "Peace", "peace", "deal", "Deal",
];

/// Prepositions that show "Brussels" is the place, not the EU.
#[rustfmt::skip]
const LOCATIVE: &[&str] = &[
    "in", "at", "to", "from", "near", "outside", "into", "visit", "visited", "visiting",
    "via", "around", "In", "At", "From", "central", "downtown",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

fn char_after(text: &str, i: usize) -> Option<char> {
    text[i..].chars().next()
}

/// The word ending just before `i`, separated from it by exactly one space
/// (or by "'s " when `allow_possessive`). Returns (start, word).
fn prev_word(text: &str, i: usize) -> Option<(usize, &str)> {
    let before = &text[..i];
    let before = before.strip_suffix(' ')?;
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.' || c == '\'' || c == '’' || c == '-'))
        .map(|(j, c)| j + c.len_utf8())
        .unwrap_or(0);
    let w = &before[start..];
    if w.is_empty() {
        None
    } else {
        Some((start, w))
    }
}

/// The word starting just after `i`, separated by exactly one space. Returns (end, word).
fn next_word(text: &str, i: usize) -> Option<(usize, &str)> {
    let after = text[i..].strip_prefix(' ')?;
    let start = i + 1;
    let len = after
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.' || c == '-' || c == '&'))
        .map(|(j, _)| j)
        .unwrap_or(after.len());
    let w = after[..len].trim_end_matches('.');
    if w.is_empty() {
        None
    } else {
        Some((start + w.len(), w))
    }
}

/// The nearest word before (or after) `i`, skipping spaces and punctuation but not
/// more than a few characters of them.
fn near_word(text: &str, i: usize, after: bool) -> Option<&str> {
    if after {
        let rest = &text[i..];
        let skip = rest.find(|c: char| c.is_alphanumeric())?;
        if skip == 0 || skip > 4 {
            return None;
        }
        let w = &rest[skip..];
        let len = w.find(|c: char| !c.is_alphanumeric()).unwrap_or(w.len());
        Some(&w[..len])
    } else {
        let before = &text[..i];
        // The end of the last letter or digit, which may be several bytes long.
        let (pos, last) = before
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_alphanumeric())?;
        let end = pos + last.len_utf8();
        if end == i || i - end > 4 {
            return None;
        }
        let w = &before[..end];
        let start = w
            .char_indices()
            .rev()
            .find(|&(_, c)| !c.is_alphanumeric())
            .map(|(j, c)| j + c.len_utf8())
            .unwrap_or(0);
        Some(&w[start..])
    }
}

fn is_capitalised(w: &str) -> bool {
    let mut cs = w.chars();
    matches!(cs.next(), Some(c) if c.is_uppercase()) && w.chars().any(|c| c.is_lowercase())
}

fn is_all_caps(w: &str) -> bool {
    w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !w.chars().any(|c| c.is_lowercase())
}

/// True when position `i` begins a sentence (or a line, quote or the field).
fn sentence_start(text: &str, i: usize) -> bool {
    let before = text[..i].trim_end_matches([' ', '\t']);
    match before.chars().next_back() {
        None => true,
        Some(c) => matches!(
            c,
            '.' | '!'
                | '?'
                | '\n'
                | '\r'
                | '"'
                | '“'
                | '”'
                | '('
                | ':'
                | ';'
                | '—'
                | '–'
                | '|'
                | '\''
                | '‘'
        ),
    }
}

/// A field written in Title Case (headlines): capitalised neighbours mean nothing there.
fn title_case(text: &str) -> bool {
    let words = text
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic) && w.len() >= 4);
    let mut n = 0;
    for w in words {
        if !(is_capitalised(w) || is_all_caps(w)) {
            return false;
        }
        n += 1;
    }
    n >= 3
}

fn strip_possessive(w: &str) -> &str {
    w.strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .or_else(|| w.strip_suffix('\''))
        .or_else(|| w.strip_suffix('’'))
        .unwrap_or(w)
}

fn variants(p: &str) -> Vec<String> {
    let mut out = vec![p.to_string()];
    let folded = fold_diacritics(p);
    if folded != p {
        out.push(folded);
    }
    let mut more = Vec::new();
    for v in &out {
        if v.contains('\'') {
            more.push(v.replace('\'', "’"));
        }
        if v.contains('’') {
            more.push(v.replace('’', "'"));
        }
        more.push(v.to_uppercase());
        let mut cs = v.chars();
        if let Some(c) = cs.next() {
            if c.is_lowercase() {
                more.push(c.to_uppercase().chain(cs).collect());
            }
        }
    }
    out.extend(more);
    out.sort();
    out.dedup();
    out
}

/// One accepted hit before article-level decisions.
#[derive(Debug, Clone)]
struct Hit {
    field: usize,
    start: usize,
    end: usize,
    pat: usize,
}

/// The fields a mention may be in, in the order the tagger reads them.
pub(crate) const FIELDS: [&str; 3] = ["title", "subtitle", "body"];

#[derive(Default)]
struct Builder {
    patterns: Vec<String>,
    kinds: Vec<Vec<Kind>>,
    index: HashMap<String, usize>,
}

impl Builder {
    fn add(&mut self, p: &str, kind: Kind) {
        let p = p.trim();
        if p.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            return;
        }
        for v in variants(p) {
            let id = *self.index.entry(v.clone()).or_insert_with(|| {
                self.patterns.push(v);
                self.kinds.push(Vec::new());
                self.patterns.len() - 1
            });
            if !self.kinds[id].contains(&kind) {
                self.kinds[id].push(kind);
            }
        }
    }
}

/// The gazetteer's surface forms where a word begins, found leftmost-longest
/// (non-overlapping: at the first place a word begins with a name, the longest name
/// that starts there, then on from its end), by walking a trie of the names only from
/// the places where one can start: a word's first byte pair that begins some name.
/// Most of a text's bytes (the rest of each word) begin none. An unanchored automaton
/// steps through every byte instead, and its DFA (72 MB for the shipped gazetteer)
/// missed the cache at most steps once the index writer shared it: the scan took 6% of
/// an ingest's time.
struct Names {
    /// The names as a trie, walked anchored (no failure transitions): a few MB.
    nfa: NFA,
    start: StateID,
    /// Bit `a << 8 | b` is set when some name begins with the bytes `a b`, or is the
    /// one byte `a` (then for every `b`, and for `b` = 0, what the end of the text
    /// reads as).
    starts: Box<[u64; 1024]>,
    /// The pairs that begin a name of under four bytes (walked whenever seen).
    short: Box<[u64; 1024]>,
    /// Bit `quad(q)` is set for the first four bytes `q` of every longer name: a
    /// pair such as "th" begins names ("the Netherlands") but mostly other words.
    quads: Box<[u64; 1024]>,
    /// What it was built from, for the test against Aho-Corasick's own search.
    #[cfg(test)]
    patterns: Vec<String>,
}

/// Whether bit `i` is set.
fn bit(bits: &[u64], i: usize) -> bool {
    bits[i >> 6] & (1 << (i & 63)) != 0
}

/// A 16-bit hash of four bytes.
fn quad(q: &[u8]) -> usize {
    let x = u32::from_le_bytes([q[0], q[1], q[2], q[3]]);
    (x.wrapping_mul(0x9E37_79B1) >> 16) as usize
}

impl Names {
    fn new(patterns: &[String]) -> Names {
        let nfa = aho_corasick::nfa::contiguous::Builder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns)
            .expect("gazetteer patterns always build");
        let start = nfa
            .start_state(Anchored::Yes)
            .expect("a contiguous NFA searches anchored");
        let mut starts = Box::new([0u64; 1024]);
        let mut short = Box::new([0u64; 1024]);
        let mut quads = Box::new([0u64; 1024]);
        let set = |bits: &mut [u64; 1024], i: usize| bits[i >> 6] |= 1 << (i & 63);
        for p in patterns.iter().map(String::as_bytes) {
            let pairs: Vec<usize> = match *p {
                [] => (0..1 << 16).collect(),
                [a] => (0..256).map(|b| usize::from(a) << 8 | b).collect(),
                [a, b, ..] => vec![usize::from(a) << 8 | usize::from(b)],
            };
            for pair in pairs {
                set(&mut starts, pair);
                if p.len() < 4 {
                    set(&mut short, pair);
                }
            }
            if p.len() >= 4 {
                set(&mut quads, quad(&p[..4]));
            }
        }
        Names {
            nfa,
            start,
            starts,
            short,
            quads,
            #[cfg(test)]
            patterns: patterns.to_vec(),
        }
    }

    /// (start, end, pattern id) of each name in `text` that begins a word (no letter
    /// or digit before it), in order: at each such place the longest name that starts
    /// there, then on from its end. A name inside a word is of no use ([`Tagger::scan`]
    /// drops it) and is not walked.
    fn find_iter<'t>(&'t self, text: &'t str) -> impl Iterator<Item = (usize, usize, usize)> + 't {
        let b = text.as_bytes();
        let mut i = 0;
        std::iter::from_fn(move || {
            while i < b.len() {
                let pair = usize::from(b[i]) << 8 | usize::from(b.get(i + 1).copied().unwrap_or(0));
                if bit(&self.starts[..], pair)
                    && (bit(&self.short[..], pair)
                        || b.get(i..i + 4)
                            .is_some_and(|q| bit(&self.quads[..], quad(q))))
                    && text.is_char_boundary(i)
                    && !char_before(text, i).is_some_and(is_word_char)
                {
                    if let Some((end, pat)) = self.longest_at(b, i) {
                        let s = i;
                        i = end;
                        return Some((s, end, pat));
                    }
                }
                i += 1;
            }
            None
        })
    }

    /// The end and pattern id of the longest name that starts at `at`.
    fn longest_at(&self, b: &[u8], at: usize) -> Option<(usize, usize)> {
        let mut sid = self.start;
        let mut best = None;
        for (j, &c) in b.iter().enumerate().skip(at) {
            sid = self.nfa.next_state(Anchored::Yes, sid, c);
            if self.nfa.is_special(sid) {
                if self.nfa.is_dead(sid) {
                    break;
                }
                if self.nfa.is_match(sid) {
                    // A state's matches may include shorter names ending here (from
                    // its failure path): the one that starts at `at` is as long as
                    // the path walked.
                    let len = j + 1 - at;
                    let here = (0..self.nfa.match_len(sid))
                        .map(|k| self.nfa.match_pattern(sid, k))
                        .find(|&p| self.nfa.pattern_len(p) == len);
                    if let Some(p) = here {
                        best = Some((j + 1, p.as_usize()));
                    }
                }
            }
        }
        best
    }
}

impl Tagger {
    /// A tagger; its matcher is built in a few milliseconds.
    pub fn new(gaz: &Gazetteer) -> Tagger {
        Tagger::build(gaz)
    }

    fn build(gaz: &Gazetteer) -> Tagger {
        let mut b = Builder::default();
        let country_by_code: HashMap<String, usize> = gaz
            .countries
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        for (i, c) in gaz.countries.iter().enumerate() {
            let amb = |s: &String| c.ambiguous.contains(s);
            for n in std::iter::once(&c.name).chain(&c.aliases) {
                let how = if amb(n) { How::Ambiguous } else { How::Name };
                b.add(n, Kind::Country { country: i, how });
            }
            for n in &c.ambiguous {
                b.add(
                    n,
                    Kind::Country {
                        country: i,
                        how: How::Ambiguous,
                    },
                );
            }
            for n in c.demonyms.iter().filter(|n| !amb(n)) {
                b.add(
                    n,
                    Kind::Country {
                        country: i,
                        how: How::Demonym,
                    },
                );
            }
            for n in c.capitals.iter().filter(|n| !amb(n)) {
                b.add(
                    n,
                    Kind::Country {
                        country: i,
                        how: How::Capital,
                    },
                );
            }
        }
        for m in &gaz.metonyms {
            if let Some(&i) = country_by_code.get(&m.code) {
                b.add(
                    &m.name,
                    Kind::Country {
                        country: i,
                        how: How::Metonym,
                    },
                );
            }
        }
        for p in &gaz.places {
            if let Some(&i) = country_by_code.get(&p.code) {
                b.add(&p.name, Kind::Place(i));
            }
        }
        let mut surname_group: HashMap<String, usize> = HashMap::default();
        let mut surnames: Vec<Vec<usize>> = Vec::new();
        let mut surname_forms: Vec<Vec<String>> = Vec::new();
        let mut leader_names = HashMap::default();
        for (i, l) in gaz.leaders.iter().enumerate() {
            for n in std::iter::once(&l.name).chain(&l.aliases) {
                // A one-word name ("Ibrahim", "Philippe") is a given name too often;
                // the generator adds "King Philippe" style aliases instead.
                if !n.contains(' ') && !l.alone {
                    continue;
                }
                // "Michael D. Higgins" is also written "Michael D Higgins".
                for n in std::iter::once(n.clone()).chain(without_initial_stops(n)) {
                    b.add(&n, Kind::Leader(i));
                    leader_names
                        .entry(fold_diacritics(&n).to_lowercase())
                        .or_insert(i);
                }
            }
            // One group per surname as written without diacritics: "Déby" and "Deby"
            // are one surname, so a hit on either sees every leader who bears it.
            // (Two groups sharing the pattern "Deby" made the pick depend on which
            // group the pattern listed first.)
            if l.surname.chars().count() >= 2 {
                let key = fold_diacritics(&l.surname);
                let g = *surname_group.entry(key).or_insert_with(|| {
                    surnames.push(Vec::new());
                    surname_forms.push(Vec::new());
                    surnames.len() - 1
                });
                if !surnames[g].contains(&i) {
                    surnames[g].push(i);
                }
                if !surname_forms[g].contains(&l.surname) {
                    surname_forms[g].push(l.surname.clone());
                }
            }
        }
        // Patterns are added group by group in table order (never in a hash map's
        // order), so pattern ids and the kinds listed per pattern are the same in
        // every process.
        for (g, forms) in surname_forms.iter().enumerate() {
            for s in forms {
                b.add(s, Kind::Surname(g));
            }
        }
        for (i, o) in gaz.orgs.iter().enumerate() {
            for n in &o.aliases {
                b.add(
                    n,
                    Kind::Org {
                        org: i,
                        weak: false,
                    },
                );
            }
            for n in &o.weak {
                b.add(n, Kind::Org { org: i, weak: true });
            }
        }
        for s in &gaz.stop_phrases {
            b.add(s, Kind::Stop);
        }
        let names = Names::new(&b.patterns);
        let wordlike = b
            .patterns
            .iter()
            .map(|p| WORDLIKE.contains(&p.as_str()))
            .collect();
        let org_index = |name: &str| gaz.orgs.iter().position(|o| o.name == name);
        Tagger {
            names,
            kinds: b.kinds,
            wordlike,
            countries: gaz
                .countries
                .iter()
                .map(|c| (c.code.clone(), c.name.clone()))
                .collect(),
            small: gaz.countries.iter().map(Country::is_small).collect(),
            given_names: gaz.given_names.iter().cloned().collect(),
            weak_names: gaz
                .countries
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_small())
                .flat_map(|(i, c)| {
                    // A capital named like its country ("Djibouti", "Gibraltar") is
                    // the country's own name.
                    let own = |n: &String| *n == c.name || c.aliases.contains(n);
                    c.clashes
                        .iter()
                        .chain(c.capitals.iter().filter(move |n| !own(n)))
                        .map(move |n| (i, fold_diacritics(n).to_lowercase()))
                })
                .collect(),
            continent: gaz.countries.iter().map(|c| c.continent.clone()).collect(),
            neighbours: gaz
                .countries
                .iter()
                .map(|c| {
                    c.neighbours
                        .iter()
                        .filter_map(|n| country_by_code.get(n).copied())
                        .collect()
                })
                .collect(),
            leaders: gaz
                .leaders
                .iter()
                .map(|l| {
                    let surname_key = fold_diacritics(&l.surname).to_lowercase();
                    let name_key = fold_diacritics(&l.name).to_lowercase();
                    let words: Vec<String> = name_key.split(' ').map(str::to_string).collect();
                    let surname_words: Vec<&str> = surname_key.split(' ').collect();
                    LeaderInfo {
                        name: l.name.clone(),
                        name_key,
                        country: l.country.clone(),
                        sex: l.sex,
                        alone: l.alone,
                        surname_first: words.len() > 1
                            && surname_words.len() == 1
                            && words[0] == surname_key,
                        given: words
                            .iter()
                            .filter(|w| !surname_words.contains(&w.as_str()))
                            .cloned()
                            .collect(),
                        surname_key,
                        office: l.office.clone(),
                        term: (term_day(&l.start, false), term_day(&l.end, true)),
                        small: country_by_code
                            .get(&l.country)
                            .is_some_and(|&c| gaz.countries[c].is_small()),
                    }
                })
                .collect(),
            surnames,
            orgs: gaz.orgs.iter().map(|o| o.name.clone()).collect(),
            eu: org_index("European Union"),
            be: country_by_code.get("BE").copied(),
            us: country_by_code.get("US").copied(),
            country_by_code,
            leader_names,
        }
    }

    /// A gazetteer leader of `code` whose name the captured words spell, allowing for
    /// transliteration and typos in the given names or the surname ("Pyotr
    /// Poroshenko", "Benjamin Netanjahu", "Vladmir Putin").
    fn known_leader(&self, words: &[String], code: &str) -> Option<usize> {
        let name = fold_diacritics(&words.join(" ")).to_lowercase();
        if let Some(&l) = self.leader_names.get(&name) {
            return Some(l);
        }
        let keys: Vec<String> = words
            .iter()
            .map(|w| fold_diacritics(w).to_lowercase())
            .collect();
        let last = keys.last()?;
        // A different given name is a different person, often of the same family
        // ("Nestor Kirchner" is not Cristina); a transliteration keeps the initial.
        let first = keys.first()?.chars().next();
        let same_given = |l: &LeaderInfo| {
            keys.len() < 2
                || l.given.is_empty()
                || l.given.iter().any(|g| g.chars().next() == first)
        };
        let of_country = || {
            self.leaders.iter().enumerate().filter(move |(_, l)| {
                l.country == code && !l.surname_key.is_empty() && same_given(l)
            })
        };
        // The surname spelled exactly anywhere in the name ("Salman bin Abdulaziz Al Saud").
        if let Some((l, _)) = of_country()
            .find(|(_, l)| keys.contains(&l.surname_key) && l.surname_key.chars().count() >= 4)
        {
            return Some(l);
        }
        // A near miss on the last word, for long surnames only.
        of_country()
            .find(|(_, l)| {
                l.surname_key.chars().count() >= 6 && levenshtein(&l.surname_key, last) <= 2
            })
            .map(|(l, _)| l)
    }

    /// Tag an article's title, subtitle and body.
    pub fn tag(&self, article: &Article) -> Tags {
        self.tag_on(article, crate::enrich::publication_date(article, None).0)
    }

    /// Tag an article published on `date` (its [`crate::enrich::publication_date`]):
    /// the date tells apart members of a family who held one office at different
    /// times ("President Marcos" in 2016 and in 2023).
    pub fn tag_on(&self, article: &Article, date: Option<NaiveDate>) -> Tags {
        let texts: [&str; 3] = [
            article.title.as_str(),
            article.subtitle.as_deref().unwrap_or(""),
            article.body.as_str(),
        ];
        let mut hits = Vec::new();
        for (field, text) in texts.iter().enumerate() {
            self.scan(field, text, &mut hits);
        }
        self.resolve(&texts, &hits, date)
    }

    /// The one of a family (candidates of one country sharing a surname) that a
    /// mention on `date` means: those whose term had not begun are out; of the rest,
    /// the only one, or the only one in office that day. `None` without a date, for
    /// candidates of several countries, or when the terms do not decide.
    fn on_date(&self, cands: &[usize], date: Option<NaiveDate>) -> Option<usize> {
        let d = date?;
        let country = &self.leaders[*cands.first()?].country;
        if cands.len() < 2 || cands.iter().any(|&l| self.leaders[l].country != *country) {
            return None;
        }
        let begun: Vec<usize> = cands
            .iter()
            .copied()
            .filter(|&l| self.leaders[l].term.0.is_none_or(|s| s <= d))
            .collect();
        if begun.len() == 1 {
            return Some(begun[0]);
        }
        let serving: Vec<usize> = begun
            .iter()
            .copied()
            .filter(|&l| {
                let (s, e) = self.leaders[l].term;
                s.is_some() && e.is_none_or(|e| d <= e)
            })
            .collect();
        (serving.len() == 1).then(|| serving[0])
    }

    /// Matches that pass the word-boundary and shouting checks.
    fn scan(&self, field: usize, text: &str, out: &mut Vec<Hit>) {
        // A name found begins a word ([`Names::find_iter`]); it must end one too.
        for (s, e, pat) in self.names.find_iter(text) {
            if char_after(text, e).is_some_and(is_word_char) {
                continue;
            }
            // "US" inside a shouted headline ("TELL US WHY") is the pronoun.
            if self.wordlike[pat] {
                let shouting = near_word(text, s, false).is_some_and(is_all_caps)
                    || near_word(text, e, true).is_some_and(is_all_caps);
                if shouting {
                    continue;
                }
            }
            out.push(Hit {
                field,
                start: s,
                end: e,
                pat,
            });
        }
    }

    /// Is this country-name hit part of another proper name (company, show, person)?
    fn inside_other_name(&self, text: &str, h: &Hit, how: How, titled_field: bool) -> bool {
        let m = &text[h.start..h.end];
        // Right side: company/media words in the capitalised run that follows.
        let possessive = text[h.end..].starts_with("'s") || text[h.end..].starts_with("’s");
        let mut i = h.end;
        if possessive {
            i += if text[h.end..].starts_with("'s") {
                2
            } else {
                4
            };
        }
        for k in 0..3 {
            let Some((e, w)) = next_word(text, i) else {
                break;
            };
            if !(is_capitalised(w) || is_all_caps(w)) {
                break;
            }
            if COMPANY_WORDS.contains(&w) && !possessive {
                return true;
            }
            if possessive {
                // "Germany's Wirecard" names the country; "America's Got Talent" is
                // in the stop list.
                break;
            }
            if k == 0 && how == How::Ambiguous && !titled_field {
                // "Jordan Spieth", "Chad Johnson", "Georgia May Jagger".
                return true;
            }
            i = e;
        }
        // Left side: "Paramount Realty USA", "Good Morning America", "Bank of America".
        let mut j = h.start;
        let mut seen_of = false;
        for k in 0..3 {
            let Some((ws, w)) = prev_word(text, j) else {
                break;
            };
            if w == "of" && k == 0 && !seen_of {
                seen_of = true;
                j = ws;
                continue;
            }
            let w = w.trim_end_matches('.');
            if !(is_capitalised(w) || is_all_caps(w)) {
                break;
            }
            if COMPANY_WORDS.contains(&w) {
                return true;
            }
            if k == 0
                && !seen_of
                && !titled_field
                && !FREE_BEFORE.contains(&w)
                && !w.ends_with("'s")
                && !w.ends_with("’s")
                && !w.ends_with('-')
                && !sentence_start(text, ws)
                && !is_all_caps(m)
                && how != How::Metonym
            {
                return true;
            }
            break;
        }
        false
    }

    fn resolve(&self, texts: &[&str; 3], hits: &[Hit], date: Option<NaiveDate>) -> Tags {
        let titled_field: Vec<bool> = texts.iter().map(|t| title_case(t)).collect();
        let mut events: Vec<(usize, Ev)> = Vec::new(); // (hit index, event)
        let mut surname_hits: Vec<(usize, usize)> = Vec::new(); // (hit, group)
        let mut weak_orgs: Vec<(usize, usize)> = Vec::new();
        let mut ambiguous: Vec<(usize, usize)> = Vec::new();
        let mut named: HashSet<usize> = HashSet::default();
        let mut brussels: Vec<usize> = Vec::new();

        for (hi, h) in hits.iter().enumerate() {
            let text = texts[h.field];
            let kinds = &self.kinds[h.pat];
            if kinds.contains(&Kind::Stop) {
                continue;
            }
            if let Some(Kind::Leader(l)) = kinds.iter().find(|k| matches!(k, Kind::Leader(_))) {
                // "John F. Kennedy airport", "Lincoln Memorial": a thing named after them.
                if next_word(text, h.end).is_some_and(|(_, w)| NAMED_AFTER.contains(&w)) {
                    continue;
                }
                // A ship named after them: "USS Abraham Lincoln".
                if prev_word(text, h.start).is_some_and(|(_, w)| SHIP_PREFIXES.contains(&w)) {
                    continue;
                }
                // Part of a longer name: "Jawaharlal Nehru Medical College", "Abdul
                // Hamid al-Sarraj", "Donald Trump Jr."
                if !titled_field[h.field] && self.longer_name(text, h.end, *l) {
                    continue;
                }
                // A one-word name after a given name is someone else's: "Zhang Mao".
                if !text[h.start..h.end].contains(' ')
                    && self.given_name_before(text, h.start, h.end, titled_field[h.field], &[*l])
                {
                    continue;
                }
                named.insert(*l);
                events.push((hi, Ev::Leader(*l, false)));
                continue;
            }
            if let Some(Kind::Org { org, weak }) =
                kinds.iter().find(|k| matches!(k, Kind::Org { .. }))
            {
                if *weak {
                    weak_orgs.push((hi, *org));
                } else {
                    events.push((hi, Ev::Org(*org)));
                }
                continue;
            }
            if let Some(Kind::Surname(g)) = kinds.iter().find(|k| matches!(k, Kind::Surname(_))) {
                surname_hits.push((hi, *g));
                // A surname that is also a country name is decided later.
                if !kinds
                    .iter()
                    .any(|k| matches!(k, Kind::Country { .. } | Kind::Place(_)))
                {
                    continue;
                }
            }
            if let Some(Kind::Country { country, how }) =
                kinds.iter().find(|k| matches!(k, Kind::Country { .. }))
            {
                let (country, how) = (*country, *how);
                if self.inside_other_name(text, h, how, titled_field[h.field]) {
                    continue;
                }
                let next = next_word(text, h.end).map(|(_, w)| w);
                let prev = prev_word(text, h.start).map(|(_, w)| w);
                if how == How::Demonym {
                    let lang_next = next.is_some_and(|w| {
                        matches!(
                            w,
                            "language"
                                | "languages"
                                | "speakers"
                                | "speaker"
                                | "translation"
                                | "dialect"
                                | "subtitles"
                        )
                    }) || text[h.end..].starts_with("-language")
                        || text[h.end..].starts_with("-speaking");
                    let lang_prev = prev.is_some_and(|w| LANGUAGE_VERBS.contains(&w))
                        || prev.is_some_and(|w| matches!(w, "in" | "into" | "from"))
                            && !text[h.end..].starts_with([' ', '-']);
                    if lang_next || lang_prev {
                        continue;
                    }
                }
                if how == How::Capital && next.is_some_and(|w| TREATY_WORDS.contains(&w)) {
                    continue;
                }
                if how == How::Capital && Some(country) == self.be && self.eu.is_some() {
                    brussels.push(hi);
                    continue;
                }
                if how == How::Ambiguous {
                    ambiguous.push((hi, country));
                    continue;
                }
                events.push((hi, Ev::Country(country, how)));
                continue;
            }
            if let Some(Kind::Place(c)) = kinds.iter().find(|k| matches!(k, Kind::Place(_))) {
                if self.inside_other_name(texts[h.field], h, How::Name, true) {
                    continue;
                }
                events.push((hi, Ev::Place(*c)));
            }
        }

        // Leaders named by "<country> <office> <Name>": known ones pin the surname,
        // unknown ones become inferred leaders.
        let mut pinned: HashMap<usize, usize> = HashMap::default(); // surname hit -> leader
        let mut inferred: Vec<(String, usize, usize, usize, usize)> = Vec::new(); // name, country, field, s, e
        let country_events: Vec<(usize, usize)> = events
            .iter()
            .filter_map(|&(hi, ev)| match ev {
                Ev::Country(c, How::Name | How::Demonym) => Some((hi, c)),
                _ => None,
            })
            .collect();
        for (hi, c) in country_events {
            let h = &hits[hi];
            let text = texts[h.field];
            let mut i = h.end;
            for p in ["'s", "’s"] {
                if text[i..].starts_with(p) {
                    i += p.len();
                }
            }
            let Some(rest) = text[i..].strip_prefix(' ') else {
                continue;
            };
            let Some(office) = OFFICES
                .iter()
                .find(|o| rest.starts_with(**o) && rest[o.len()..].starts_with(' '))
            else {
                continue;
            };
            let name_start = i + 1 + office.len() + 1;
            // A gazetteer hit right there?
            if let Some(nh) = hits
                .iter()
                .position(|x| x.field == h.field && x.start == name_start)
            {
                if let Some(&(_, g)) = surname_hits.iter().find(|(s, _)| *s == nh) {
                    let code = &self.countries[c].0;
                    if let Some(&l) = self.surnames[g]
                        .iter()
                        .find(|&&l| self.leaders[l].country == *code)
                    {
                        pinned.insert(nh, l);
                    }
                }
                continue;
            }
            // Otherwise capture the capitalised name.
            let mut end = name_start;
            let mut words = Vec::new();
            let mut j = name_start - 1;
            while let Some((e, w)) = next_word(text, j) {
                let w = strip_possessive(w);
                let particle = matches!(
                    w,
                    "al" | "al-"
                        | "bin"
                        | "de"
                        | "van"
                        | "von"
                        | "da"
                        | "el"
                        | "der"
                        | "dos"
                        | "di"
                        | "la"
                        | "le"
                );
                if !(is_capitalised(w) || particle) || words.len() >= 5 {
                    break;
                }
                words.push(w.to_string());
                end = e.min(j + 1 + w.len());
                j = e;
                if text[j..].starts_with("'s") || text[j..].starts_with("’s") {
                    break;
                }
            }
            // Headlines capitalise every word: no name can be told from the rest.
            if titled_field[h.field] {
                continue;
            }
            if words.len() >= 2 && words.last().is_some_and(|w| is_capitalised(w)) {
                let name = words.join(" ");
                if let Some(l) = self.known_leader(&words, &self.countries[c].0) {
                    named.insert(l);
                    events.push((usize::MAX - inferred.len() - 1, Ev::Leader(l, false)));
                    inferred.push((name, usize::MAX, h.field, name_start, end));
                } else {
                    inferred.push((name, c, h.field, name_start, end));
                }
            }
        }

        // Surnames: the one named leader with that surname, or a title + a single
        // fitting candidate, or a distinctive surname on its own.
        let mut other_person: HashSet<usize> = HashSet::default();
        for &(hi, g) in &surname_hits {
            let h = &hits[hi];
            let text = texts[h.field];
            let cands = &self.surnames[g];
            if self.given_name_before(text, h.start, h.end, titled_field[h.field], cands) {
                other_person.insert(g);
            }
            // Where the surname comes first ("Park Chung-hee"), a capitalised word
            // after it that is no given name of theirs is someone else's ("Park Seung").
            if !titled_field[h.field] && cands.iter().all(|&l| self.leaders[l].surname_first) {
                if let Some((_, w)) = next_word(text, h.end) {
                    let key = fold_diacritics(w).to_lowercase();
                    if is_capitalised(w)
                        && !AFTER_SURNAME.contains(&w)
                        && !FREE_BEFORE.contains(&w)
                        && !text[h.end..].starts_with(['\'', '’'])
                        && !cands.iter().any(|&l| self.leaders[l].given.contains(&key))
                    {
                        other_person.insert(g);
                    }
                }
            }
        }
        // Countries the article names itself (not through a leader), so far.
        let named_countries: HashSet<usize> = events
            .iter()
            .filter_map(|&(_, ev)| match ev {
                Ev::Country(c, _) => Some(c),
                _ => None,
            })
            .collect();
        for &(hi, g) in &surname_hits {
            let h = &hits[hi];
            let text = texts[h.field];
            let cands = &self.surnames[g];
            let prev = prev_word(text, h.start);
            let next = next_word(text, h.end);
            let (title, title_prev) = match prev {
                Some((ws, w)) if TITLES.contains(&w) => {
                    (Some(w), prev_word(text, ws).map(|(_, x)| x))
                }
                _ => (None, None),
            };
            let country_kind = self.kinds[h.pat]
                .iter()
                .any(|k| matches!(k, Kind::Country { .. } | Kind::Place(_)));
            // Part of a longer capitalised name we do not know ("Lenin Moreno").
            let next_cap = next.is_some_and(|(_, w)| {
                is_capitalised(w)
                    && !AFTER_SURNAME.contains(&w)
                    && !text[h.end..].starts_with(['\'', '’'])
            }) && !titled_field[h.field];
            let date_like = prev.is_some_and(|(_, w)| DATE_WORDS.contains(&w))
                || next.is_some_and(|(_, w)| w.chars().next().is_some_and(|c| c.is_ascii_digit()));
            let prev_other = prev.is_some_and(|(ws, w)| {
                is_capitalised(w)
                    && !TITLES.contains(&w)
                    && !FREE_BEFORE.contains(&w)
                    && !sentence_start(text, ws)
                    && !titled_field[h.field]
                    && !w.ends_with("'s")
                    && !w.ends_with("’s")
            });
            let pick = if let Some(&l) = pinned.get(&hi) {
                Some(l)
            } else if next_cap || prev_other {
                None
            } else {
                let named_c: Vec<usize> = cands
                    .iter()
                    .copied()
                    .filter(|l| named.contains(l))
                    .collect();
                if named_c.len() == 1 && !(date_like && title.is_none()) {
                    Some(named_c[0])
                } else if named_c.len() > 1 {
                    self.on_date(&named_c, date)
                } else if let Some(t) = title {
                    let is_minister = t == "Minister" || t == "minister";
                    if is_minister && title_prev != Some("Prime") && title_prev != Some("prime") {
                        None
                    } else {
                        let honorific = HONORIFICS.contains(&t);
                        let fit: Vec<usize> = cands
                            .iter()
                            .copied()
                            .filter(|&l| match t {
                                "Mr" | "Mr." => self.leaders[l].sex != Some('f'),
                                "Mrs" | "Mrs." | "Ms" | "Ms." | "Madam" | "Queen" => {
                                    self.leaders[l].sex == Some('f')
                                }
                                "King" | "Emperor" | "Emir" | "Amir" | "Sultan" | "Sheikh" => {
                                    self.leaders[l].sex != Some('f')
                                }
                                _ => true,
                            })
                            // "President Mohamed" is no prime minister Mohamed; a famous
                            // leader may have held several offices.
                            .filter(|&l| {
                                self.leaders[l].alone || office_fits(t, &self.leaders[l].office)
                            })
                            // "Mr Smith" is the leader only when the article names no
                            // other Smith and, unless the surname alone names them, names
                            // their country.
                            .filter(|&l| {
                                !honorific
                                    || (!other_person.contains(&g)
                                        && (self.leaders[l].alone
                                            || self
                                                .country_by_code
                                                .get(&self.leaders[l].country)
                                                .is_some_and(|c| named_countries.contains(c))))
                            })
                            .collect();
                        let famous: Vec<usize> = fit
                            .iter()
                            .copied()
                            .filter(|&l| self.leaders[l].alone)
                            .collect();
                        if fit.len() == 1 {
                            Some(fit[0])
                        } else if famous.len() == 1 {
                            Some(famous[0])
                        } else if !honorific {
                            // An office title ("President Marcos"), not a courtesy
                            // one: "Mr Lee" is anyone.
                            self.on_date(&fit, date)
                        } else {
                            None
                        }
                    }
                } else if !date_like
                    && !country_kind
                    // Another person of that name makes the bare surname ambiguous,
                    // but only a head of government has an administration ("the
                    // Clinton administration" is Bill's, beside Hillary Clinton).
                    && (!other_person.contains(&g)
                        || next.is_some_and(|(_, w)| {
                            matches!(w, "administration" | "presidency")
                        }))
                {
                    let famous: Vec<usize> = cands
                        .iter()
                        .copied()
                        .filter(|&l| self.leaders[l].alone)
                        .collect();
                    if famous.len() == 1 {
                        Some(famous[0])
                    } else {
                        None
                    }
                } else {
                    None
                }
            };
            if let Some(l) = pick {
                events.push((hi, Ev::Leader(l, false)));
            } else if country_kind {
                // Not a leader after all: let the country reading stand.
                if let Some(Kind::Country { country, how }) = self.kinds[h.pat]
                    .iter()
                    .find(|k| matches!(k, Kind::Country { .. }))
                {
                    if !self.inside_other_name(text, h, *how, titled_field[h.field]) {
                        events.push((hi, Ev::Country(*country, *how)));
                    }
                }
            }
        }

        // Ambiguous country names need the article to be about that part of the world.
        let direct: HashSet<usize> = events
            .iter()
            .filter_map(|&(_, ev)| match ev {
                Ev::Country(c, _) => Some(c),
                _ => None,
            })
            .collect();
        let us_places = events
            .iter()
            .filter(|&&(_, ev)| matches!(ev, Ev::Place(c) if Some(c) == self.us))
            .count();
        for &(hi, c) in &ambiguous {
            let own = direct.contains(&c);
            let near = self.neighbours[c].iter().any(|n| direct.contains(n))
                || direct.iter().any(|&d| {
                    d != c && Some(d) != self.us && self.continent[d] == self.continent[c]
                });
            if own || (near && us_places == 0) {
                events.push((hi, Ev::Country(c, How::Name)));
            }
        }
        // Weak acronyms count next to the full name.
        let strong_orgs: HashSet<usize> = events
            .iter()
            .filter_map(|&(_, ev)| match ev {
                Ev::Org(o) => Some(o),
                _ => None,
            })
            .collect();
        for &(hi, o) in &weak_orgs {
            if strong_orgs.contains(&o) {
                events.push((hi, Ev::Org(o)));
            }
        }
        // "Brussels" is the EU in an article about the EU, unless it is a place.
        for &hi in &brussels {
            let h = &hits[hi];
            let locative =
                prev_word(texts[h.field], h.start).is_some_and(|(_, w)| LOCATIVE.contains(&w));
            match (self.eu, self.be) {
                (Some(eu), _) if strong_orgs.contains(&eu) && !locative => {
                    events.push((hi, Ev::Org(eu)))
                }
                (_, Some(be)) => events.push((hi, Ev::Country(be, How::Capital))),
                _ => {}
            }
        }

        self.drop_unsupported(texts, hits, &mut events);
        self.assemble(texts, hits, &events, &inferred)
    }

    /// A small country named only by a name that is also a common surname, given name
    /// or US city, by a capital ("Jamestown", "Victoria") or by an abbreviation
    /// ("TCI"), or a small country's leader named only by a shortened form of the
    /// name ("Mohammed Ali"), needs support in the article: another of the country's
    /// names, its leader, one of its places.
    fn drop_unsupported(&self, texts: &[&str; 3], hits: &[Hit], events: &mut Vec<(usize, Ev)>) {
        let text_of = |hi: usize| {
            let h = &hits[hi];
            &texts[h.field][h.start..h.end]
        };
        // The forms of each small country's names (only a small country needs
        // support), and every country named by a hit.
        let mut forms: HashMap<usize, HashSet<String>> = HashMap::default();
        let mut named: HashSet<usize> = HashSet::default();
        let mut supported: HashSet<usize> = HashSet::default();
        for &(hi, ev) in events.iter() {
            match ev {
                Ev::Country(c, _) if hi < hits.len() => {
                    named.insert(c);
                    if self.small[c] {
                        forms
                            .entry(c)
                            .or_default()
                            .insert(fold_diacritics(text_of(hi)).to_lowercase());
                    }
                }
                Ev::Place(c) => {
                    supported.insert(c);
                }
                Ev::Leader(l, _) => {
                    if let Some(&c) = self.country_by_code.get(&self.leaders[l].country) {
                        if hi >= hits.len() || !self.weak_leader_name(l, text_of(hi)) {
                            supported.insert(c);
                        }
                    }
                }
                _ => {}
            }
        }
        for (c, f) in &forms {
            if f.len() >= 2 {
                supported.insert(*c);
            }
        }
        events.retain(|&(hi, ev)| {
            if hi >= hits.len() {
                return true;
            }
            match ev {
                Ev::Country(_, How::Metonym) => true,
                Ev::Country(c, _) if self.small[c] && !supported.contains(&c) => {
                    let h = &hits[hi];
                    let t = text_of(hi);
                    // "the capital Cayenne", "the island of Montserrat".
                    let said = prev_word(texts[h.field], h.start).is_some_and(|(_, w)| {
                        matches!(w, "capital" | "island" | "islands" | "territory" | "of")
                            && prev_word(texts[h.field], h.start - w.len() - 1).is_some_and(
                                |(_, x)| matches!(x, "the" | "capital" | "island" | "islands"),
                            )
                            || w == "capital"
                    });
                    let abbreviation = is_all_caps(t) && !t.contains(' ') && t.len() <= 5;
                    said || !(abbreviation
                        || self
                            .weak_names
                            .contains(&(c, fold_diacritics(t).to_lowercase())))
                }
                Ev::Leader(l, _) if self.weak_leader_name(l, text_of(hi)) => self
                    .country_by_code
                    .get(&self.leaders[l].country)
                    .is_some_and(|c| named.contains(c)),
                _ => true,
            }
        });
    }

    /// A given name right before the surname at `start..end`: someone else's full
    /// name ("Victor Conte", "Seth Heine"). A capitalised word mid-sentence that is
    /// no title and no word that may stand before any name counts; at the start of a
    /// sentence only a common given name, a word introducing the person ("Shailendra
    /// Singh, the founder"), or any word before a surname that comes first in the
    /// leader's own name ("Zhang Mao"). A spelling of the leader's own given name
    /// ("Haidar al-Abadi") does not count.
    fn given_name_before(
        &self,
        text: &str,
        start: usize,
        end: usize,
        titled: bool,
        cands: &[usize],
    ) -> bool {
        let Some((ws, w)) = prev_word(text, start) else {
            return false;
        };
        if titled
            || !is_capitalised(w)
            || TITLES.contains(&w)
            || FREE_BEFORE.contains(&w)
            || w.ends_with("'s")
            || w.ends_with("’s")
        {
            return false;
        }
        let key = fold_diacritics(w).to_lowercase();
        let own = cands.iter().any(|&l| {
            self.leaders[l]
                .given
                .iter()
                .any(|g| levenshtein(g, &key) <= 2.min(g.chars().count() / 3))
        });
        if own {
            return false;
        }
        if !sentence_start(text, ws) {
            return true;
        }
        let introduced = text[end..]
            .strip_prefix(", ")
            .is_some_and(|r| r.starts_with(|c: char| c.is_lowercase()));
        self.given_names.contains(w)
            || introduced
            || (!cands.is_empty() && cands.iter().all(|&l| self.leaders[l].surname_first))
    }

    /// The name of leader `l` ending at `end` goes on: a capitalised word that is
    /// neither part of their own name nor a word that may follow a name ("Nehru
    /// Medical College", "Trump Jr."), or an Arabic particle ("Abdul Hamid
    /// al-Sarraj").
    fn longer_name(&self, text: &str, end: usize, l: usize) -> bool {
        if text[end..].starts_with(['\'', '’']) {
            return false;
        }
        if let Some(rest) = text[end..].strip_prefix(' ') {
            if NAME_PARTICLES.iter().any(|p| rest.starts_with(p)) {
                return true;
            }
        }
        next_word(text, end).is_some_and(|(_, w)| {
            let key = fold_diacritics(w).to_lowercase();
            is_capitalised(w)
                && !AFTER_SURNAME.contains(&w)
                && !AFTER_NAME.contains(&w)
                && !FREE_BEFORE.contains(&w)
                && !TITLES.contains(&w)
                && !self.leaders[l].given.contains(&key)
                && key != self.leaders[l].surname_key
        })
    }

    /// A small country's leader named by a shortened form of the name (an alias that
    /// leaves out given names, or the surname alone).
    fn weak_leader_name(&self, l: usize, text: &str) -> bool {
        let info = &self.leaders[l];
        info.small && fold_diacritics(text).to_lowercase() != info.name_key
    }

    fn assemble(
        &self,
        texts: &[&str; 3],
        hits: &[Hit],
        events: &[(usize, Ev)],
        inferred: &[(String, usize, usize, usize, usize)],
    ) -> Tags {
        let mention = |field: usize, s: usize, e: usize| Mention {
            text: texts[field][s..e].to_string(),
            start: s,
            end: e,
            field: FIELDS[field],
        };
        // (order key, mention) per target.
        type Key = (usize, usize);
        let mut countries: BTreeMap<usize, (Key, bool, Vec<Mention>)> = BTreeMap::new();
        let mut leaders: BTreeMap<usize, (Key, Vec<Mention>)> = BTreeMap::new();
        let mut orgs: BTreeMap<usize, (Key, Vec<Mention>)> = BTreeMap::new();
        let mut add_country = |c: usize, key: Key, direct: bool, m: Mention| {
            let e = countries.entry(c).or_insert((key, false, Vec::new()));
            e.0 = e.0.min(key);
            e.1 |= direct;
            e.2.push(m);
        };
        let mut inferred_tags: Vec<(Key, LeaderTag)> = Vec::new();
        for &(hi, ev) in events {
            let (field, s, e) = if hi >= hits.len() {
                let k = usize::MAX - hi - 1;
                let (_, _, f, s, e) = &inferred[k];
                (*f, *s, *e)
            } else {
                (hits[hi].field, hits[hi].start, hits[hi].end)
            };
            let key = (field, s);
            match ev {
                Ev::Country(c, _) => add_country(c, key, true, mention(field, s, e)),
                Ev::Place(c) => add_country(c, key, false, mention(field, s, e)),
                Ev::Leader(l, _) => {
                    let ent = leaders.entry(l).or_insert((key, Vec::new()));
                    ent.0 = ent.0.min(key);
                    ent.1.push(mention(field, s, e));
                    if let Some(&c) = self.country_by_code.get(&self.leaders[l].country) {
                        add_country(c, key, true, mention(field, s, e));
                    }
                }
                Ev::Org(o) => {
                    let ent = orgs.entry(o).or_insert((key, Vec::new()));
                    ent.0 = ent.0.min(key);
                    ent.1.push(mention(field, s, e));
                }
            }
        }
        for (name, c, f, s, e) in inferred {
            if *c == usize::MAX {
                continue;
            }
            let key = (*f, *s);
            if let Some(t) = inferred_tags.iter_mut().find(|(_, t)| t.name == *name) {
                t.1.mentions.push(mention(*f, *s, *e));
                continue;
            }
            inferred_tags.push((
                key,
                LeaderTag {
                    name: name.clone(),
                    country: self.countries[*c].0.clone(),
                    inferred: true,
                    mentions: vec![mention(*f, *s, *e)],
                },
            ));
        }
        let mut cs: Vec<(Key, CountryTag)> = countries
            .into_iter()
            .map(|(c, (key, direct, mut mentions))| {
                sort_mentions(&mut mentions);
                (
                    key,
                    CountryTag {
                        code: self.countries[c].0.clone(),
                        name: self.countries[c].1.clone(),
                        via_place: !direct,
                        mentions,
                    },
                )
            })
            .collect();
        let mut ls: Vec<(Key, LeaderTag)> = leaders
            .into_iter()
            .map(|(l, (key, mut mentions))| {
                sort_mentions(&mut mentions);
                (
                    key,
                    LeaderTag {
                        name: self.leaders[l].name.clone(),
                        country: self.leaders[l].country.clone(),
                        inferred: false,
                        mentions,
                    },
                )
            })
            .collect();
        ls.extend(inferred_tags);
        let mut os: Vec<(Key, OrgTag)> = orgs
            .into_iter()
            .map(|(o, (key, mut mentions))| {
                sort_mentions(&mut mentions);
                (
                    key,
                    OrgTag {
                        name: self.orgs[o].clone(),
                        mentions,
                    },
                )
            })
            .collect();
        cs.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)));
        ls.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        os.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        Tags {
            countries: cs.into_iter().map(|x| x.1).collect(),
            leaders: ls.into_iter().map(|x| x.1).collect(),
            orgs: os.into_iter().map(|x| x.1).collect(),
        }
    }
}

/// What the tagger needs to know about a leader.
struct LeaderInfo {
    name: String,
    /// Folded, lower-case full name.
    name_key: String,
    country: String,
    sex: Option<char>,
    alone: bool,
    /// Folded, lower-case surname, for matching misspelt captured names.
    surname_key: String,
    /// Folded, lower-case words of the name that are not the surname.
    given: Vec<String>,
    /// The name puts the surname first ("Xi Jinping", "Park Chung-hee").
    surname_first: bool,
    /// The office as the gazetteer writes it ("President", "Prime Minister").
    office: String,
    /// The country is small ([`Country::is_small`]).
    small: bool,
    /// First and last day in office, when the gazetteer says (no end: still there).
    term: (Option<NaiveDate>, Option<NaiveDate>),
}

/// A gazetteer date ("2022-06-30", "2015-10", "1990") as a day: the first of its
/// period, or with `last`, the last.
fn term_day(s: &str, last: bool) -> Option<NaiveDate> {
    let mut parts = s.trim().splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let year = parts.next()?? as i32;
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(m), Some(d)) => NaiveDate::from_ymd_opt(year, m, d),
        (Some(m), None) if last => NaiveDate::from_ymd_opt(year, m + 1, 1)
            .or_else(|| NaiveDate::from_ymd_opt(year + 1, 1, 1))
            .and_then(|d| d.pred_opt()),
        (Some(m), None) => NaiveDate::from_ymd_opt(year, m, 1),
        _ if last => NaiveDate::from_ymd_opt(year, 12, 31),
        _ => NaiveDate::from_ymd_opt(year, 1, 1),
    }
}

/// What an accepted hit names.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ev {
    Country(usize, How),
    Place(usize),
    Leader(usize, bool),
    Org(usize),
}

/// Whether an office title fits the office the gazetteer gives ("President Mohamed"
/// is not the prime minister Mohamed). An unknown office fits every title.
fn office_fits(title: &str, office: &str) -> bool {
    let o = office.to_lowercase();
    if o.is_empty() {
        return true;
    }
    let head = o.contains("president") || o.contains("chief");
    let government = o.contains("prime minister")
        || o.contains("premier")
        || o.contains("chancellor")
        || o.contains("taoiseach")
        || o.contains("chief");
    match title {
        "President" | "president" | "President-elect" | "president-elect" | "Presidents"
        | "Presidente" => head,
        "Premier" | "premier" | "PM" | "Minister" | "minister" | "Chancellor" | "chancellor"
        | "Taoiseach" => government,
        "King" | "Queen" | "Emperor" | "Emir" | "Amir" | "Sultan" => {
            !head || o.contains(&title.to_lowercase())
        }
        _ => true,
    }
}

fn field_rank(f: &str) -> usize {
    FIELDS.iter().position(|x| *x == f).unwrap_or(3)
}

fn sort_mentions(ms: &mut Vec<Mention>) {
    ms.sort_by_key(|m| (field_rank(m.field), m.start, m.end));
    ms.dedup_by(|a, b| a.field == b.field && a.start == b.start && a.end == b.end);
}

/// A name with its initials' full stops dropped ("George W. Bush" → "George W Bush"),
/// or `None` when it has no such initial.
fn without_initial_stops(name: &str) -> Option<String> {
    let is_initial = |w: &str| {
        let mut c = w.chars();
        matches!((c.next(), c.next(), c.next()), (Some(l), Some('.'), None) if l.is_uppercase())
    };
    let words: Vec<&str> = name.split(' ').collect();
    if !words.iter().any(|w| is_initial(w)) || words.len() < 3 {
        return None;
    }
    Some(
        words
            .iter()
            .map(|w| {
                if is_initial(w) {
                    w.trim_end_matches('.')
                } else {
                    w
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name Aho-Corasick's leftmost-longest search finds anchored where a word
    /// begins, on from the end of each, and nothing else: the sample archive, and texts
    /// made of gazetteer names glued and cut at random (names inside names and words,
    /// names running on into others, at the text's ends).
    #[test]
    fn names_are_found_as_leftmost_longest_search_finds_them_at_word_starts() {
        let names = &Tagger::new(Gazetteer::shipped()).names;
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(aho_corasick::StartKind::Anchored)
            .build(&names.patterns)
            .unwrap();
        let check = |text: &str| {
            let mut want: Vec<(usize, usize, usize)> = Vec::new();
            let mut i = 0;
            while i < text.len() {
                let starts_word = text.is_char_boundary(i)
                    && !text[..i]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric);
                let input = aho_corasick::Input::new(text)
                    .range(i..)
                    .anchored(Anchored::Yes);
                match ac.find(input).filter(|_| starts_word) {
                    Some(m) => {
                        want.push((m.start(), m.end(), m.pattern().as_usize()));
                        i = m.end();
                    }
                    None => i += 1,
                }
            }
            let got: Vec<(usize, usize, usize)> = names.find_iter(text).collect();
            assert_eq!(got, want, "{text:.200}");
            want.len()
        };
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut found = 0;
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                found += check(&text);
            }
        }
        assert!(found > 1000, "the sample archive names many: {found}");
        let pats = &names.patterns;
        let mut x: u64 = 2017;
        let mut next = |n: usize| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as usize % n
        };
        let glue = [
            "", " ", "s ", "-", "'s ", ", ", "an", "e", "\n", "é", "日本 ",
        ];
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..1 + next(4) {
                let p = &pats[next(pats.len())];
                // A name, or a piece of one (cut at a character boundary).
                let cut = next(p.len() + 1);
                let piece = match next(3) {
                    0 => p.get(cut..).unwrap_or(p),
                    1 => p.get(..cut).unwrap_or(p),
                    _ => p,
                };
                text.push_str(piece);
                text.push_str(glue[next(glue.len())]);
            }
            check(&text);
        }
    }
    use std::sync::OnceLock;

    fn tagger() -> &'static Tagger {
        static T: OnceLock<Tagger> = OnceLock::new();
        T.get_or_init(|| Tagger::new(Gazetteer::shipped()))
    }

    #[test]
    fn the_matcher_is_built_the_same_way_every_time() {
        // Nothing that decides a tag may follow a hash map's order (the maps are
        // seeded alike today, and may not be tomorrow).
        let a = Tagger::new(Gazetteer::shipped());
        let b = Tagger::new(Gazetteer::shipped());
        assert_eq!(a.kinds, b.kinds);
        assert_eq!(a.surnames, b.surnames);
        // A pattern that lists two surname groups lets the first one listed decide.
        for (p, kinds) in a.kinds.iter().enumerate() {
            let groups = kinds
                .iter()
                .filter(|k| matches!(k, Kind::Surname(_)))
                .count();
            assert!(groups <= 1, "pattern {p} is in {groups} surname groups");
        }
        let g = a
            .surnames
            .iter()
            .find(|g| g.iter().any(|&l| a.leaders[l].surname_key == "deby"))
            .unwrap();
        assert!(g.len() >= 2, "Idriss and Mahamat Déby share one group");
    }

    fn tag(body: &str) -> Tags {
        tagger().tag(&Article {
            body: body.to_string(),
            ..Article::default()
        })
    }

    /// Leaders of an article published on `date` ("YYYY-MM-DD", as its metadata).
    fn leaders_on(body: &str, date: &str) -> Vec<String> {
        let mut v: Vec<String> = tagger()
            .tag(&Article {
                body: body.to_string(),
                date_raw: Some(date.to_string()),
                ..Article::default()
            })
            .leaders
            .into_iter()
            .map(|l| l.name)
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_family_sharing_an_office_is_told_apart_by_the_articles_date() {
        let marcos = "Filipinos in Manila protested. President Marcos said he would stay.";
        assert_eq!(leaders_on(marcos, "2016-11-18"), ["Ferdinand Marcos"]);
        assert_eq!(leaders_on(marcos, "2023-05-02"), ["Ferdinand Marcos Jr."]);
        // "Mr Lee" beside Samsung's Lee Jae-yong is no former president in 2017.
        assert!(leaders_on(
            "South Korea's economy grew. Mr Lee and the Samsung Group deny any wrongdoing.",
            "2017-02-17"
        )
        .is_empty());
        // Without a date the title does not decide between them.
        assert!(leaders(marcos).is_empty(), "{:?}", leaders(marcos));
        // Both named: the bare surname is the one in office that day.
        let both = "Ferdinand Marcos Jr. spoke of Ferdinand Marcos. Marcos said the Philippines would change.";
        assert_eq!(
            leaders_on(both, "2023-05-02"),
            ["Ferdinand Marcos", "Ferdinand Marcos Jr."]
        );
        let kirchner = "Argentina's economy grew. President Kirchner met bankers.";
        assert_eq!(leaders_on(kirchner, "2005-06-01"), ["Néstor Kirchner"]);
        assert_eq!(
            leaders_on(kirchner, "2012-06-01"),
            ["Cristina Fernández de Kirchner"]
        );
        // Neither in office: still undecided.
        assert!(leaders_on(kirchner, "2017-06-01").is_empty());
        let deby = "Chad's army moved north. President Deby said the rebels would be stopped.";
        assert_eq!(leaders_on(deby, "2016-04-11"), ["Idriss Deby Itno"]);
        assert_eq!(leaders_on(deby, "2023-04-11"), ["Mahamat Idriss Déby"]);
        // "Bongbong Marcos" is the son whatever the date.
        assert_eq!(
            leaders_on(
                "Bongbong Marcos won the vote in the Philippines.",
                "2016-05-10"
            ),
            ["Ferdinand Marcos Jr."]
        );
    }

    #[test]
    fn patronymic_leaders_are_found_by_the_fathers_name_or_a_titled_given_name() {
        assert_eq!(
            leaders("Eritrea's border stayed shut. President Isaias spoke in Asmara."),
            ["Isaias Afwerki"]
        );
        assert_eq!(
            leaders("Eritrea's border stayed shut. President Afwerki spoke in Asmara."),
            ["Isaias Afwerki"]
        );
        // The given name alone is not the president.
        assert!(leaders("Isaias scored twice for the Eritrea team.").is_empty());
    }

    #[test]
    fn multi_byte_letters_next_to_a_name_do_not_break_the_scan() {
        // A regression: a two-byte letter just before a name was cut in half.
        for body in [
            "ÖChina and Ö Japan met.",
            "The players mentioned paÖ France, ÉFrance and 中国 China.",
            "Ö.U.S. officials ÖÖ UK Ö",
            "Prime Minister ÖSanae Takaichi said — “Japan” ’s role.",
            "Mr Xi told theÖ UN and NATO in Beijing.",
        ] {
            let _ = tag(body);
        }
        assert!(codes("Éric visited China.").contains(&"CN".to_string()));
    }

    fn codes(body: &str) -> Vec<String> {
        let mut v: Vec<String> = tag(body)
            .countries
            .into_iter()
            .filter(|c| !c.via_place)
            .map(|c| c.code)
            .collect();
        v.sort();
        v
    }

    fn leaders(body: &str) -> Vec<String> {
        let mut v: Vec<String> = tag(body).leaders.into_iter().map(|l| l.name).collect();
        v.sort();
        v
    }

    #[test]
    fn names_abbreviations_demonyms_and_capitals() {
        assert_eq!(
            codes("Talks between the U.S. and the PRC resumed."),
            ["CN", "US"]
        );
        assert_eq!(
            codes("Britons and Filipinos joined Chinese tourists."),
            ["CN", "GB", "PH"]
        );
        assert_eq!(
            codes("A Russian-Turkish joint commission met."),
            ["RU", "TR"]
        );
        assert_eq!(codes("MOSCOW, March 13. /TASS/. Officials said."), ["RU"]);
        assert_eq!(codes("Washington and Beijing disagree."), ["CN", "US"]);
        assert_eq!(codes("Fans in Wales and Scotland cheered."), ["GB"]);
        assert_eq!(codes("The Kremlin declined to comment."), ["RU"]);
        assert_eq!(
            codes("Relations with Burma and Swaziland improved."),
            ["MM", "SZ"]
        );
    }

    #[test]
    fn case_and_homonyms() {
        assert!(codes("Tell us about the roast turkey.").is_empty());
        assert!(codes("She moved to New Mexico and then Indiana.").is_empty());
        assert!(codes("Native American and Latin American artists.").is_empty());
        assert!(codes("The African-American community marched.").is_empty());
        assert!(codes("A German shepherd mix was adopted.").is_empty());
        assert!(codes("She speaks Chinese fluently.").is_empty());
        assert!(codes("He was interviewed on Good Morning America.").is_empty());
        assert!(codes("The deal was reported by China Daily on Monday.").is_empty());
        assert!(codes("Michael Jordan played golf.").is_empty());
        assert_eq!(
            codes("Flights to Papua New Guinea and Guinea-Bissau."),
            ["GW", "PG"]
        );
        assert_eq!(codes("Niger and Nigeria share a border."), ["NE", "NG"]);
    }

    #[test]
    fn an_administration_names_its_head_beside_a_relative() {
        let body = "The embassy hosted Ivanka Trump. The Trump administration said little.";
        assert_eq!(leaders(body), ["Donald Trump"]);
        assert!(leaders("The embassy hosted Ivanka Trump. Trump said little.").is_empty());
    }

    #[test]
    fn a_country_inside_a_militant_groups_name_is_not_tagged() {
        assert!(
            codes("The Islamic State of Iraq and the Levant (ISIL) group claimed it.").is_empty()
        );
        assert_eq!(
            codes("ISIL, the Islamic State of Iraq and Syria, lost ground in Iraq."),
            ["IQ"]
        );
    }

    #[test]
    fn initials_without_stops_and_arabic_surnames() {
        assert_eq!(
            leaders("The choir sang for President Michael D Higgins in Dublin."),
            ["Michael D. Higgins"]
        );
        assert_eq!(
            leaders("Iraqi Prime Minister Haider al-Abadi flew to Washington. Abadi said so."),
            ["Haider al-Abadi"]
        );
        assert_eq!(leaders("Sudan's Umar al-Bashir spoke."), ["Omar al-Bashir"]);
        assert_eq!(
            without_initial_stops("George W. Bush").as_deref(),
            Some("George W Bush")
        );
        assert_eq!(without_initial_stops("Xi Jinping"), None);
    }

    #[test]
    fn institutions_of_the_country_count() {
        assert_eq!(codes("The US Senate passed the bill."), ["US"]);
        assert_eq!(codes("The American Health Care Act failed."), ["US"]);
        assert_eq!(codes("Germany's Wirecard reported results."), ["DE"]);
    }

    #[test]
    fn ambiguous_names_need_context() {
        assert_eq!(
            codes("Serbia's victory in Georgia left Russia and Wales behind."),
            ["GB", "GE", "RS", "RU"]
        );
        assert_eq!(
            codes("Refugees fled to Turkey, Lebanon and Jordan."),
            ["JO", "LB", "TR"]
        );
        let t = tag("Atlanta, Georgia, got snow while Texas stayed dry.");
        assert!(t.countries.iter().all(|c| c.via_place), "{t:?}");
    }

    #[test]
    fn leaders_by_full_name_title_and_distinctive_surname() {
        assert_eq!(
            leaders("President Trump called Mr Xi."),
            ["Donald Trump", "Xi Jinping"]
        );
        assert_eq!(
            leaders("Erdogan's spokesman spoke."),
            ["Recep Tayyip Erdoğan"]
        );
        assert_eq!(
            leaders("Obama-era rules were rolled back."),
            ["Barack Obama"]
        );
        assert!(leaders("Obamacare repeal stalled.").is_empty());
        assert_eq!(
            leaders("George W. Bush spoke. Later Bush met donors."),
            ["George W. Bush"]
        );
        assert!(leaders("Hillary Clinton spoke. Clinton later left.").is_empty());
        assert!(leaders("Li said the economy was fine.").is_empty());
        assert!(leaders("The vote is due in May.").is_empty());
        assert_eq!(
            leaders("Theresa May spoke. In Brussels, May said no."),
            ["Theresa May"]
        );
    }

    #[test]
    fn a_courtesy_title_names_a_leader_only_when_the_article_ties_them() {
        assert!(leaders("Doug Smith runs the agency. Mr Smith said it would improve.").is_empty());
        assert!(leaders("Mr Christie said the ringleaders were caught.").is_empty());
        assert_eq!(
            leaders("The Bahamas held a vote. Mr Christie said he had won."),
            ["Perry Christie"]
        );
        // The surname alone names a famous leader, unless someone else bears it.
        assert_eq!(leaders("Mr Putin said no."), ["Vladimir Putin"]);
        assert!(leaders("Greg Abbott sued. Mr Abbott said the messages broke the law.").is_empty());
        // An office title must fit the office.
        assert!(!leaders("President Mohamed, also known as Farmajo, spoke.")
            .contains(&"Abdoulkader Kamil Mohamed".to_string()));
    }

    #[test]
    fn a_given_name_before_a_surname_makes_someone_else() {
        assert!(leaders("He said so. Danny Tsai, general manager of a label, agreed.").is_empty());
        assert!(
            leaders("Officials met on Mar 10. Zhang Mao, director of the agency, spoke.")
                .is_empty()
        );
        assert!(
            leaders("Victor Conte spoke. Mr Conte's statements were contradictory.").is_empty()
        );
        assert_eq!(
            leaders("Prime Minister Haidar al-Abadi's assertion stood."),
            ["Haider al-Abadi"]
        );
        assert_eq!(
            leaders("Argentine President Nestor Kirchner met bankers. President Kirchner said no."),
            ["Néstor Kirchner"]
        );
    }

    #[test]
    fn a_name_inside_a_ship_or_a_longer_name_is_not_the_leader() {
        assert!(leaders("Bush flew onto the deck of the USS Abraham Lincoln.").is_empty());
        assert!(
            leaders("It sits inside the Jawaharlal Nehru Medical College in Raipur.").is_empty()
        );
        assert!(leaders("The story of Abdul Hamid al-Sarraj is told.").is_empty());
        assert_eq!(
            leaders("Abraham Lincoln freed the slaves."),
            ["Abraham Lincoln"]
        );
        assert_eq!(
            leaders("He called himself a Teddy Roosevelt Republican."),
            ["Theodore Roosevelt"]
        );
    }

    #[test]
    fn a_small_countrys_name_that_is_also_something_else_needs_support() {
        assert_eq!(
            codes("He came to America in 1607 to a town called Jamestown."),
            ["US"]
        );
        assert_eq!(
            codes("Jamestown, the capital of Saint Helena, is small."),
            ["SH"]
        );
        assert!(codes("Opposition from TCI has fuelled speculation.").is_empty());
        assert!(codes("Riots spread in Seine-Saint-Denis.").is_empty());
        assert_eq!(
            codes("They flew from the airport in the capital Cayenne."),
            ["GF"]
        );
        // A capital named like its country is the country's own name.
        assert_eq!(codes("A 16-hour sea journey from Djibouti."), ["DJ"]);
    }

    #[test]
    fn leaders_inferred_from_country_and_office() {
        let t = tag("Ecuador's President Lenin Moreno met Japanese Prime Minister Sanae Takaichi.");
        let names: Vec<(&str, &str, bool)> = t
            .leaders
            .iter()
            .map(|l| (l.name.as_str(), l.country.as_str(), l.inferred))
            .collect();
        assert!(names.contains(&("Lenín Moreno", "EC", false)), "{names:?}");
        assert!(
            names.contains(&("Sanae Takaichi", "JP", false)),
            "{names:?}"
        );
        let t = tag("Ruritanian President Rudolf Elphberg and Russian Deputy Prime Minister Ivan Petrov met.");
        let names: Vec<&str> = t.leaders.iter().map(|l| l.name.as_str()).collect();
        assert!(names.is_empty(), "{names:?}");
        let t = tag("Moldovan President Igor Dodon visited.");
        assert_eq!(t.leaders[0].name, "Igor Dodon");
        assert!(t.leaders[0].inferred);
        assert_eq!(t.leaders[0].country, "MD");
    }

    #[test]
    fn orgs_and_folded_agencies() {
        let t = tag("UNICEF and the UN Security Council met; the European Commission and NATO too. G20 leaders.");
        let mut names: Vec<&str> = t.orgs.iter().map(|o| o.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["European Union", "G20", "NATO", "United Nations"]);
        assert!(tag("WHO IS TO BLAME? Nobody.").orgs.is_empty());
    }

    #[test]
    fn mentions_carry_field_and_byte_offsets() {
        let a = Article {
            title: "Xi meets Erdoğan".to_string(),
            body: "In Ankara, Turkey.".to_string(),
            ..Article::default()
        };
        let t = tagger().tag(&a);
        let tr = t.countries.iter().find(|c| c.code == "TR").unwrap();
        assert!(!tr.via_place);
        let body_m = tr.mentions.iter().find(|m| m.field == "body").unwrap();
        assert_eq!(&a.body[body_m.start..body_m.end], body_m.text);
        let erd = t.leaders.iter().find(|l| l.country == "TR").unwrap();
        assert_eq!(erd.mentions[0].field, "title");
        assert_eq!(erd.mentions[0].text, "Erdoğan");
        let t = tag("Protests in Aleppo.");
        assert!(t.countries[0].via_place);
    }
}
