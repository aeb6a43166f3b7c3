//! Command-line flags. Each field's doc comment is its `--help` text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "newsidx",
    version,
    about = "Search engine for news archives: ingest a folder of articles, tag countries, leaders, organisations and dates, search with filters.",
    propagate_version = true
)]
pub struct Cli {
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments, noting where a value clap defaults came from
    /// where a command must know it.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        use clap::{CommandFactory, FromArgMatches};
        let m = Cli::command().try_get_matches()?;
        let mut cli = Cli::from_arg_matches(&m)?;
        if let Command::Export(a) = &mut cli.command {
            a.index_typed = m
                .subcommand_matches("export")
                .and_then(|e| e.value_source("index"))
                == Some(clap::parser::ValueSource::CommandLine);
        }
        Ok(cli)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every article under DIR into the index (incremental: only what changed).
    Ingest(IngestArgs),
    /// Show what enrichment finds in files or standard input: tags with the text that triggered them, dates; or one enriched record per line (--records).
    Enrich(EnrichArgs),
    /// Show what ingest reads from one file: each article's text and metadata.
    Extract(ExtractArgs),
    /// Search the index: ranked articles with highlighted snippets.
    Search(SearchArgs),
    /// Count tags over the whole index or over the matches of a query.
    Tags(TagsArgs),
    /// Matches over time as a bar chart, optionally split by the top tags.
    Timeline(TimelineArgs),
    /// One whole article with its tags, dates and near-duplicate group.
    Show(ShowArgs),
    /// The articles most like a given one.
    Similar(SimilarArgs),
    /// Articles, sources, date range and size of the index.
    Stats(StatsArgs),
    /// Measure enrichment on the hand-labelled sets: precision, recall, F1.
    Eval(EvalArgs),
    /// Answer searches over HTTP: a JSON API (see README), read-only.
    Serve(ServeArgs),
    /// Write the index's articles for another search engine: OpenSearch/Elasticsearch
    /// bulk files and mapping (incremental), Quickwit documents and index config, or
    /// NDJSON records.
    Export(ExportArgs),
    /// Print a shell completion script (e.g. `newsidx completions bash > /etc/bash_completion.d/newsidx`).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), of newsidx or of one command (`newsidx man search | man -l -`).
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command (default: the page of newsidx itself).
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct IndexArg {
    /// The index folder (default: $NEWSIDX_INDEX, else ./index).
    #[arg(long, env = "NEWSIDX_INDEX", default_value = "index", value_name = "PATH", value_parser = index_path)]
    pub index: PathBuf,
}

/// An index path, from `--index` or `NEWSIDX_INDEX`: empty is a mistake (an unset
/// variable in a script), not the current folder.
fn index_path(s: &str) -> Result<PathBuf, String> {
    if s.trim().is_empty() {
        return Err("empty; give the index folder (or unset NEWSIDX_INDEX)".into());
    }
    Ok(PathBuf::from(s))
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The folder of articles (.txt, .md, .json, .jsonl, .ndjson, .csv), walked recursively.
    #[arg(default_value = "corpus")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub index: IndexArg,
    /// Start from an empty index.
    #[arg(long)]
    pub rebuild: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// A file of your own countries' aliases, leaders and organisations (see README).
    #[arg(long, value_name = "FILE")]
    pub gazetteer: Option<PathBuf>,
    /// Threads that parse and enrich (default: all cores; at most 4 per core and 64);
    /// the index writer gets as many, up to one per core.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Memory budget of the index writer in MB (default: 1/16 of RAM, 64 to 384).
    #[arg(long, value_name = "MB")]
    pub writer_memory: Option<usize>,
    /// Articles between two commits; an interrupted run loses at most this many.
    #[arg(long, value_name = "N", default_value_t = 200_000)]
    pub commit_every: usize,
    /// Compare the content of every file, not only of those whose size or
    /// modification time changed (as rsync --checksum): finds an edit that kept both.
    #[arg(long)]
    pub checksum: bool,
    /// Longest body (and title, subtitle) kept, in bytes; longer ones are cut, with a
    /// warning. Bounds the memory an ingest takes.
    #[arg(long, value_name = "BYTES", default_value_t = newsidx::ingest::DEFAULT_MAX_BODY)]
    pub max_body_bytes: usize,
    /// Index web pages that are not articles too (home pages, section listings,
    /// error and login pages), which are otherwise skipped with the reason.
    #[arg(long)]
    pub keep_non_articles: bool,
    /// DIR holds enriched records (`newsidx enrich --records` output, `.jsonl` or
    /// `.ndjson` files): index them without enriching again; other files are skipped.
    #[arg(long)]
    pub enriched: bool,
    /// A sentence-embedding model's folder (a BERT in safetensors with its vocab.txt,
    /// such as all-MiniLM-L6-v2): each article's meaning is stored, and searches order
    /// their best matches by it too. Given once, when the index is made or rebuilt;
    /// later runs use the same model. Reading is slower: see README.
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EnrichArgs {
    /// Article files in any supported format; `-` reads standard input (its format
    /// from --format, else from its first bytes).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One JSON object per article.
    #[arg(long, conflicts_with = "records")]
    pub json: bool,
    /// One enriched record per line (JSON): every field of `show --json` and the
    /// near-duplicate signature; what `ingest --enriched` indexes.
    #[arg(long)]
    pub records: bool,
    /// The input's format, instead of the file name's ending (standard input: instead
    /// of its first bytes).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<InputFormat>,
    /// Name files by their path under DIR (the ids `ingest DIR` gives), not by their
    /// file name alone.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The path standard input's articles are named by (ids NAME#1, NAME#2…).
    #[arg(long, value_name = "NAME", default_value = "stdin")]
    pub name: String,
    /// A file of your own gazetteer entries.
    #[arg(long, value_name = "FILE")]
    pub gazetteer: Option<PathBuf>,
    /// Longest body (and title, subtitle) kept, in bytes; longer ones are cut at a word
    /// boundary, with a warning, as ingest cuts them.
    #[arg(long, value_name = "BYTES", default_value_t = newsidx::ingest::DEFAULT_MAX_BODY)]
    pub max_body_bytes: usize,
    /// Keep web pages that are not articles (home pages, listings, error pages).
    #[arg(long)]
    pub keep_non_articles: bool,
}

/// An input format, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Text,
    Markdown,
    Json,
    #[value(alias = "jsonl")]
    Ndjson,
    Csv,
    Html,
    Warc,
}

impl InputFormat {
    pub fn format(self) -> newsidx::ingest::Format {
        use newsidx::ingest::Format;
        match self {
            InputFormat::Text => Format::Text,
            InputFormat::Markdown => Format::Markdown,
            InputFormat::Json => Format::Json,
            InputFormat::Ndjson => Format::JsonLines,
            InputFormat::Csv => Format::Csv,
            InputFormat::Html => Format::Html,
            InputFormat::Warc => Format::Warc,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Files in any supported format: saved web pages, web archives, text, JSON, CSV.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One JSON object per article.
    #[arg(long)]
    pub json: bool,
    /// Show web pages that are not articles too.
    #[arg(long)]
    pub keep_non_articles: bool,
    /// Longest body (and title, subtitle) shown, in bytes; longer ones are cut, with a
    /// warning, as ingest cuts them.
    #[arg(long, value_name = "BYTES", default_value_t = newsidx::ingest::DEFAULT_MAX_BODY)]
    pub max_body_bytes: usize,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only articles about this country: ISO code, name or demonym, any case (TW, taiwan, Taiwanese). Repeat for AND.
    #[arg(long, value_name = "COUNTRY")]
    pub country: Vec<String>,
    /// Let --country also match articles that name the country only through a city or region.
    #[arg(long)]
    pub via_place: bool,
    /// Only articles that mention this leader: full name or unambiguous surname, any case. Repeat for AND.
    #[arg(long, value_name = "NAME")]
    pub leader: Vec<String>,
    /// Only articles that mention this international organisation (UN, NATO, G20, …). Repeat for AND.
    #[arg(long, value_name = "ORG")]
    pub org: Vec<String>,
    /// Published on or after this date: YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Published on or before this date: YYYY, YYYY-MM or YYYY-MM-DD (the whole period).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only articles that mention a date within this period: YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub mentions: Vec<String>,
    /// Only articles from this source, any case (as `tags --kind source` lists them). Repeat for any of several.
    #[arg(long, value_name = "SOURCE")]
    pub source: Vec<String>,
    /// Only articles by this author: a full name or part of one, any case. Repeat: all
    /// of them.
    #[arg(long, value_name = "NAME")]
    pub author: Vec<String>,
    /// Only the article at this address (a link as pasted, with or without its scheme,
    /// `www.` or tracking parameters). Repeat for any of several.
    #[arg(long, value_name = "URL")]
    pub url: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words (all required), "a phrase", -excluded, a OR b.
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// How many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Skip this many results first (for paging).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Characters per snippet (at least 40).
    #[arg(long, default_value_t = 220, value_name = "N")]
    pub snippet_chars: usize,
    /// Snippets per article, best first.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub snippets: usize,
    /// Show every copy of near-duplicate articles (by default each group shows once, "+N similar").
    #[arg(long)]
    pub all: bool,
    /// Order of results (with no query words, relevance means newest first).
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// Also count the top countries, leaders, organisations and sources over all matches.
    #[arg(long)]
    pub facets: bool,
    /// Search the words exactly as typed: no correction of a misspelt word.
    #[arg(long)]
    pub exact: bool,
    /// One JSON object per hit (with --facets, a last line {"facets": …}).
    #[arg(long)]
    pub json: bool,
    /// Print the request body that runs this search on an exported index instead of
    /// searching (`newsidx export --to opensearch`).
    #[arg(long = "as", value_enum, value_name = "ENGINE")]
    pub as_engine: Option<AsEngine>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AsEngine {
    Opensearch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    Country,
    Leader,
    Org,
    Source,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Words to match, as in search (default: every article).
    #[arg(allow_hyphen_values = true)]
    pub query: Option<String>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Count over the words exactly as typed: no correction of a misspelt word.
    #[arg(long)]
    pub exact: bool,
    /// Length of one period.
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    pub by: PeriodArg,
    /// Split each period's count by the most frequent tags of this kind.
    #[arg(long, value_enum)]
    pub split_by: Option<SplitArg>,
    /// How many of the most frequent tags to split by.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// One JSON object per period.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV: period, count and one column per split tag.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The article's id (as in search results).
    pub id: String,
    #[command(flatten)]
    pub index: IndexArg,
    /// One JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// The article's id (as in search results).
    pub id: String,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// How many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// One JSON object per hit.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TagKind {
    Country,
    Leader,
    Org,
    Source,
}

impl TagKind {
    pub fn name(self) -> &'static str {
        match self {
            TagKind::Country => "country",
            TagKind::Leader => "leader",
            TagKind::Org => "org",
            TagKind::Source => "source",
        }
    }
}

#[derive(Debug, Args)]
pub struct TagsArgs {
    /// Count over the matches of this query (default: the whole index).
    #[arg(allow_hyphen_values = true)]
    pub query: Option<String>,
    /// Which kind of tag (default: country, leader and org).
    #[arg(long, value_enum)]
    pub kind: Option<TagKind>,
    #[command(flatten)]
    pub index: IndexArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Count over the words exactly as typed: no correction of a misspelt word.
    #[arg(long)]
    pub exact: bool,
    /// How many tags of each kind [default: 20; with --rare, all].
    #[arg(long)]
    pub limit: Option<usize>,
    /// List the rare tags instead, rarest first, each with its article count, up to 3
    /// article ids and the words that triggered it, for auditing the long tail.
    #[arg(long)]
    pub rare: bool,
    /// With --rare: the most articles a rare tag is carried by.
    #[arg(long, default_value_t = 8, requires = "rare")]
    pub max_articles: usize,
    /// One JSON object per tag.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub index: IndexArg,
    /// One JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The folder with the labelled sets (tags/ and dates/).
    #[arg(long, default_value = "tests/data/labels", value_name = "DIR")]
    pub labels: PathBuf,
    /// One JSON object with every figure.
    #[arg(long)]
    pub json: bool,
    /// Also list every article and sentence where enrichment differs from the labels.
    #[arg(long)]
    pub verbose: bool,
    /// Also measure enrichment speed on one core over the articles under PATH (a file or folder).
    #[arg(long, value_name = "PATH")]
    pub throughput: Option<PathBuf>,
    /// Also measure the rare tags of the index (--index) against the judged pairs in
    /// DIR (as tests/data/long-tail): macro precision per kind, the right tags kept,
    /// and the long-tail pairs nobody judged.
    #[arg(long, value_name = "DIR")]
    pub long_tail: Option<PathBuf>,
    // The index the long-tail set is measured on.
    #[command(flatten)]
    pub index: IndexArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportTo {
    Opensearch,
    Quickwit,
    Ndjson,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The engine to write for.
    #[arg(long, value_enum)]
    pub to: ExportTo,
    /// The export folder: created if missing; it may hold only files an earlier
    /// export wrote (OpenSearch exports to it are incremental).
    pub dir: PathBuf,
    #[command(flatten)]
    pub index: IndexArg,
    /// Export these enriched records (`newsidx enrich --records`) instead of an index:
    /// files, folders of `.jsonl`/`.ndjson` files, or `-` for standard input. They are
    /// the whole archive: what the last export into DIR had and they lack is deleted.
    #[arg(long, num_args = 1.., value_name = "PATH")]
    pub records: Vec<PathBuf>,
    /// Largest data file in bytes (one bulk request each, for OpenSearch).
    #[arg(long, value_name = "BYTES", default_value_t = newsidx::export::DEFAULT_MAX_FILE_BYTES)]
    pub max_file_bytes: u64,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// `--index` was typed (not taken from NEWSIDX_INDEX or the default).
    #[arg(skip)]
    pub index_typed: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub index: IndexArg,
    /// Address to listen on. Loopback by default; any other address asks for a token.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: std::net::IpAddr,
    /// Port to listen on (0: any free port; the first line printed names it).
    #[arg(long, default_value_t = 8700, value_name = "N")]
    pub port: u16,
    /// Access token: every API request must send `Authorization: Bearer TOKEN`. Prefer
    /// the environment variable (a command line is visible to other users).
    #[arg(
        long,
        env = "NEWSIDX_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// Serve a non-loopback address without a token (anyone who reaches it can search).
    #[arg(long, conflicts_with = "token")]
    pub no_token: bool,
    /// Searches running at once; more wait for a turn (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Seconds one request may take, waiting for a turn included.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub timeout: u64,
}
