//! The file formats ingest reads, one row each: the file name endings that select
//! it, whether it is read whole or as a stream, and whether its bytes may be binary
//! (compressed). The walk, the reader dispatch and the incremental-ingest checks all
//! ask this table, so a new format is a reader module and one row.
//!
//! Text, Markdown, JSON, JSON Lines and CSV are read by `ingest/{text,json,csvfile}.rs`;
//! saved web pages by [`html`], web archives by [`warc`].

use std::path::Path;

use super::Format;

pub(crate) mod html;
pub(crate) mod warc;

/// How a format is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Into memory whole, so refused above [`MAX_WHOLE_FILE`](super::MAX_WHOLE_FILE).
    Whole,
    /// Record by record, in bounded memory, whatever the file's size.
    Streamed,
}

/// One row of the table.
#[derive(Debug)]
pub struct FormatSpec {
    pub format: Format,
    pub name: &'static str,
    /// File name endings, lower case, with their dot.
    pub suffixes: &'static [&'static str],
    pub reading: Reading,
    /// The file may be gzip-compressed (recognised by its first bytes): it is
    /// binary on disk, so the NUL-byte test for text files does not apply, and its
    /// content hash is of the compressed bytes, as for any file.
    pub compressed: bool,
    /// Records appended to the file can be read on their own (see `StreamState`).
    pub appendable: bool,
}

pub static FORMATS: &[FormatSpec] = &[
    FormatSpec {
        format: Format::Text,
        name: "text",
        suffixes: &[".txt", ".text"],
        reading: Reading::Whole,
        compressed: false,
        appendable: false,
    },
    FormatSpec {
        format: Format::Markdown,
        name: "markdown",
        suffixes: &[".md", ".markdown"],
        reading: Reading::Whole,
        compressed: false,
        appendable: false,
    },
    FormatSpec {
        format: Format::Json,
        name: "json",
        suffixes: &[".json"],
        reading: Reading::Whole,
        compressed: false,
        appendable: false,
    },
    FormatSpec {
        format: Format::JsonLines,
        name: "jsonl",
        suffixes: &[".jsonl", ".ndjson"],
        reading: Reading::Streamed,
        compressed: false,
        appendable: true,
    },
    FormatSpec {
        format: Format::Csv,
        name: "csv",
        suffixes: &[".csv"],
        reading: Reading::Streamed,
        compressed: false,
        appendable: true,
    },
    FormatSpec {
        format: Format::Html,
        name: "html",
        suffixes: &[
            ".html",
            ".htm",
            ".xhtml",
            ".html.gz",
            ".htm.gz",
            ".xhtml.gz",
        ],
        reading: Reading::Whole,
        compressed: true,
        appendable: false,
    },
    FormatSpec {
        format: Format::Warc,
        name: "warc",
        suffixes: &[".warc", ".warc.gz"],
        reading: Reading::Streamed,
        compressed: true,
        appendable: true,
    },
];

/// The row of a format.
pub fn spec(format: Format) -> &'static FormatSpec {
    FORMATS
        .iter()
        .find(|s| s.format == format)
        .expect("every format has a row")
}

/// The format of a file, by the end of its name (case-insensitive).
pub fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    FORMATS
        .iter()
        .find(|s| {
            s.suffixes
                .iter()
                .any(|x| name.ends_with(x) && name.len() > x.len())
        })
        .map(|s| s.format)
}

/// `.txt .md …` for messages.
pub fn suffix_list() -> String {
    FORMATS
        .iter()
        .flat_map(|s| s.suffixes.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `bytes` start a gzip member.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}
