//! The tantivy schema: which field holds what, and how text is analysed.

use super::normalize::Normalize;
use super::tokenizer::NewsTokenizer;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{RemoveLongFilter, TextAnalyzer};
use tantivy::Index;

/// Bumped whenever the schema or the analysis of a field changes: an index written
/// under another version must be rebuilt. 2: near-duplicate bands are 16 bands of a
/// 64-hash signature (were 8 of 32). 3: Chinese, Japanese and Korean runs are indexed
/// as overlapping character pairs (were one word per run). 4: the people's names of
/// `normalize::kept_whole` are indexed whole (were stemmed: `Hollande` as `holland`),
/// and an address with a query is also indexed without it.
pub const SCHEMA_VERSION: u32 = 4;

/// Name under which the English analyser is registered.
pub const NEWS_TOKENIZER: &str = "news";

/// Every field, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// "article" or "file": file records carry the manifest used for incremental ingest.
    pub kind: Field,
    pub id: Field,
    pub path: Field,
    pub record: Field,
    pub title: Field,
    pub subtitle: Field,
    pub body: Field,
    pub published: Field,
    pub published_from: Field,
    /// Mentioned dates as terms at every granularity that contains them ("2019-03-05",
    /// "2019-03", "2019", "201X"), so `--mentions 2019` is one term lookup.
    pub mentioned: Field,
    pub countries: Field,
    /// Countries found only through a city or region.
    pub place_countries: Field,
    pub leaders: Field,
    pub orgs: Field,
    pub source: Field,
    pub url: Field,
    pub authors: Field,
    /// The full enrichment (tags with mentions, dates) as JSON, for `show` and `enrich`.
    pub enrichment: Field,
    /// MinHash band keys (a multi-valued u64 fast column, not indexed), to find
    /// near-duplicates already in the index.
    pub dup_bands: Field,
    /// The near-duplicate group: the id of the article that started it.
    pub group: Field,
    /// A 64-bit hash of `group` in a fast column: folding a page of results compares
    /// these, rather than reading each group's name from the column's dictionary.
    pub group_key: Field,
    // File records.
    pub file_key: Field,
    pub file_size: Field,
    pub file_mtime: Field,
    pub file_hash: Field,
    pub file_ids: Field,
    /// Where a streamed file was read to (JSON, see `ingest::StreamState`), so a later
    /// run reads only what was appended. Absent from indexes written before it was
    /// added: their files are read whole when they change.
    pub file_stream: Option<Field>,
    /// The archive file an article was read from (its manifest record's key): its
    /// `path`, or for an article ingested from a file of enriched records, that file.
    /// Replacing or removing a file's articles goes by this field. Absent from indexes
    /// written before it was added: there `path` does (and `--enriched` asks for a
    /// rebuild).
    pub origin: Option<Field>,
    /// Each article's vector from the index's model (`ingest --model`), one signed byte
    /// per dimension (`semantic::quantize`), in a fast column; empty without a model.
    /// Absent from indexes written before it was added.
    pub semantic: Option<Field>,
    /// The article's address as [`url_key`] writes it, indexed whole (and, where it
    /// has a query, without it too: [`url_key_without_query`]): a pasted link finds
    /// its article. Absent from indexes written before it was added.
    pub url_key: Option<Field>,
}

impl Fields {
    /// The field that says which archive file an article came from: what replacing
    /// or removing a file's articles deletes by.
    pub fn owner(&self) -> Field {
        self.origin.unwrap_or(self.path)
    }
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let idx = TextFieldIndexing::default()
            .set_tokenizer(NEWS_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(idx);
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let tag = STRING | STORED | FAST;
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        id: b.add_text_field("id", STRING | STORED),
        path: b.add_text_field("path", STRING | STORED),
        record: b.add_u64_field("record", STORED),
        title: b.add_text_field("title", text(true)),
        subtitle: b.add_text_field("subtitle", text(true)),
        body: b.add_text_field("body", text(true)),
        published: b.add_date_field(
            "published",
            DateOptions::from(tantivy::schema::INDEXED)
                .set_stored()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        published_from: b.add_text_field("published_from", STORED),
        mentioned: b.add_text_field("mentioned", STRING | FAST),
        countries: b.add_text_field("countries", tag.clone()),
        place_countries: b.add_text_field("place_countries", tag.clone()),
        leaders: b.add_text_field("leaders", tag.clone()),
        orgs: b.add_text_field("orgs", tag.clone()),
        source: b.add_text_field("source", tag),
        url: b.add_text_field("url", STORED),
        authors: b.add_text_field("authors", STRING | STORED),
        enrichment: b.add_text_field("enrichment", STORED),
        dup_bands: b.add_u64_field("dup_bands", FAST),
        group: b.add_text_field("group", STRING | STORED | FAST),
        group_key: b.add_u64_field("group_key", FAST),
        file_key: b.add_text_field("file_key", STRING | STORED),
        file_size: b.add_u64_field("file_size", NumericOptions::default().set_stored()),
        file_mtime: b.add_i64_field("file_mtime", NumericOptions::default().set_stored()),
        file_hash: b.add_text_field("file_hash", STORED),
        file_ids: b.add_text_field("file_ids", STORED),
        file_stream: Some(b.add_text_field("file_stream", STORED)),
        origin: Some(b.add_text_field("origin", STRING)),
        semantic: Some(b.add_bytes_field("semantic", FAST)),
        url_key: Some(b.add_text_field("url_key", STRING)),
    };
    (b.build(), fields)
}

/// A word of this many bytes or more is not indexed (tantivy's `RemoveLongFilter`):
/// such a run is a URL fragment, a hash or a glued-together line, not a word. A query
/// word this long therefore matches nothing.
pub const MAX_TOKEN_BYTES: usize = 48;

/// The analyser for title, subtitle and body: words split at anything not a letter or
/// digit (so "post-war" is the phrase "post war", and "Xi’s" equals "Xi's"), Chinese,
/// Japanese and Korean runs as overlapping character pairs (`tokenizer.rs`), case and
/// diacritics folded (Erdoğan = Erdogan), English stemming but for some people's names
/// (tantivy's `LowerCaser`, `AsciiFoldingFilter` and `Stemmer`, each word form's result
/// remembered: see `normalize.rs`).
pub fn news_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(NewsTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Normalize)
        .build()
}

pub fn register_tokenizers(index: &Index) {
    index.tokenizers().register(NEWS_TOKENIZER, news_analyzer());
}

pub fn fields_of(schema: &Schema) -> Option<Fields> {
    let f = |n: &str| schema.get_field(n).ok();
    Some(Fields {
        kind: f("kind")?,
        id: f("id")?,
        path: f("path")?,
        record: f("record")?,
        title: f("title")?,
        subtitle: f("subtitle")?,
        body: f("body")?,
        published: f("published")?,
        published_from: f("published_from")?,
        mentioned: f("mentioned")?,
        countries: f("countries")?,
        place_countries: f("place_countries")?,
        leaders: f("leaders")?,
        orgs: f("orgs")?,
        source: f("source")?,
        url: f("url")?,
        authors: f("authors")?,
        enrichment: f("enrichment")?,
        dup_bands: f("dup_bands")?,
        group: f("group")?,
        group_key: f("group_key")?,
        file_key: f("file_key")?,
        file_size: f("file_size")?,
        file_mtime: f("file_mtime")?,
        file_hash: f("file_hash")?,
        file_ids: f("file_ids")?,
        file_stream: f("file_stream"),
        origin: f("origin"),
        semantic: f("semantic"),
        url_key: f("url_key"),
    })
}

/// An address as one key, so that the forms of one link are one key: the scheme,
/// a `www.` and a default port dropped, the host in lower case, the fragment, tracking
/// parameters (`utm_…`, `fbclid`, `gclid`) and a trailing `/` dropped
/// (`https://www.BBC.co.uk/news/uk-123/?utm_source=x#top` → `bbc.co.uk/news/uk-123`).
pub fn url_key(url: &str) -> String {
    let u = url.trim();
    let u = u.split('#').next().unwrap_or_default();
    let lower = u.to_ascii_lowercase();
    let rest = ["https://", "http://", "//"]
        .iter()
        .find(|s| lower.starts_with(*s))
        .map_or(u, |s| &u[s.len()..]);
    let cut = rest.find(['/', '?']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(cut);
    let mut host = host.to_ascii_lowercase();
    for port in [":80", ":443"] {
        if let Some(h) = host.strip_suffix(port) {
            host = h.to_string();
        }
    }
    let host = host
        .strip_prefix("www.")
        .unwrap_or(&host)
        .trim_end_matches('.');
    let tail = percent_decoded(tail);
    let (path, query) = tail.split_once('?').unwrap_or((&tail, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| {
            let name = p.split('=').next().unwrap_or_default().to_ascii_lowercase();
            !(name.is_empty() || name.starts_with("utm_") || name == "fbclid" || name == "gclid")
        })
        .collect();
    let mut key = format!("{host}{}", path.trim_end_matches('/'));
    if !kept.is_empty() {
        key.push('?');
        key.push_str(&kept.join("&"));
    }
    key
}

/// [`url_key`] without its query (`dw.com/en/a-123?maca=en-rss` →
/// `dw.com/en/a-123`), or `None` where it has none: an article is indexed under both,
/// so a link pasted without the parameters a feed added (or with others) finds it.
pub fn url_key_without_query(key: &str) -> Option<&str> {
    key.split_once('?').map(|(path, _)| path)
}

/// `s` with its `%XX` escapes decoded, where they decode to UTF-8 (a browser copies
/// `m%C3%BCnchen` for `münchen`); otherwise as it is.
fn percent_decoded(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Whether a word typed in a query is an address: `http://…`, `https://…`,
/// `www.host/…`, or a host and a path (`tass.com/world/936355`: a name of two labels at
/// least, the last of letters, then `/` and more).
pub fn is_url(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    if (w.starts_with("https://") || w.starts_with("http://")) && w.len() > 8 {
        return true;
    }
    let Some((host, path)) = w.split_once('/') else {
        return false;
    };
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok =
        |l: &&str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    // The last label a domain's: a country's two letters, or a common generic one
    // (`iran.nuclear/deal` is no address).
    let tld = |l: &&str| {
        (l.len() == 2 && l.chars().all(|c| c.is_ascii_alphabetic()))
            || matches!(
                *l,
                "com"
                    | "org"
                    | "net"
                    | "edu"
                    | "gov"
                    | "int"
                    | "mil"
                    | "info"
                    | "biz"
                    | "news"
                    | "online"
                    | "media"
                    | "press"
                    | "today"
                    | "world"
                    | "global"
            )
    };
    labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels.last().is_some_and(tld)
        && !path.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the analyser keeps whole are part of how text is indexed: an index
    /// written under another list holds other terms. A change to the list fails here
    /// until it goes with a new `SCHEMA_VERSION` (and this digest).
    #[test]
    fn the_names_kept_whole_go_with_the_schema_version() {
        let list = include_bytes!("names_unstemmed.txt");
        let digest = list.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        assert_eq!((SCHEMA_VERSION, digest), (4, 0xfe0b_9ff6_d58e_7688));
    }

    #[test]
    fn the_forms_of_one_link_are_one_key() {
        let key = "bbc.co.uk/news/uk-123";
        for u in [
            "https://www.bbc.co.uk/news/uk-123",
            "http://bbc.co.uk/news/uk-123/",
            "HTTPS://WWW.BBC.CO.UK/news/uk-123#comments",
            "https://www.bbc.co.uk:443/news/uk-123?utm_source=twitter&utm_medium=x",
            "www.bbc.co.uk/news/uk-123",
            "  //bbc.co.uk/news/uk-123?fbclid=abc ",
        ] {
            assert_eq!(url_key(u), key, "{u}");
        }
        // The path keeps its case and a query its other parameters.
        assert_eq!(
            url_key("https://example.com/Story.aspx?id=7&utm_campaign=a"),
            "example.com/Story.aspx?id=7"
        );
        assert_ne!(
            url_key("https://example.com/a"),
            url_key("https://example.com/b")
        );
        assert!(is_url("https://x.com/a") && is_url("www.x.com/a"));
        assert!(is_url("tass.com/world/936355") && is_url("news.sky.com/story/x"));
        assert!(!is_url("https://") && !is_url("www.x") && !is_url("x.com"));
        for word in [
            "and/or",
            "u.s./mexico",
            "e.g./i.e.",
            "9/11",
            "1.5bn/year",
            "x.com/",
            "iran.nuclear/deal",
            "trump.putin/summit",
        ] {
            assert!(!is_url(word), "{word}");
        }
        // A link copied with its letters escaped is the link.
        assert_eq!(
            url_key("https://www.sueddeutsche.de/sport/fussball-m%C3%BCnchen-1.234"),
            url_key("https://sueddeutsche.de/sport/fussball-münchen-1.234")
        );
        assert_eq!(url_key("https://x.com/100%"), "x.com/100%");
    }
}
