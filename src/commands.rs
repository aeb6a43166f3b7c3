//! One function per subcommand: turn validated flags into library calls and print.

use crate::cli::{self, Command};
use crate::exit_codes::ExitCode;
use crate::output::Output;
use anyhow::{bail, Result};
use indicatif::{ProgressBar, ProgressStyle};
use newsidx::enrich::{self, Enricher, Gazetteer};
use newsidx::error::Error;
use newsidx::index::NewsIndex;
use newsidx::ingest::{self, FileEntry, Problem};
use newsidx::pipeline::{self, IngestOptions, Progress};
use newsidx::service::{self, FilterQuery, SearchQuery, SimilarQuery, TagsQuery, TimelineQuery};
use serde_json::json;
use std::io::Write;
use std::path::Path;

/// Runs one command, so that it never ends in a panic or a raw low-level error.
/// tantivy may panic on corrupt data, and a damaged index may also surface as an
/// index or I/O error in the middle of a command: either way the index is checked
/// (every file against its checksum) and, if that finds damage, the one-line
/// "damaged; run `newsidx ingest --rebuild`" error is returned; otherwise a panic is
/// an internal error, said in one line.
pub fn run_guarded(cmd: Command, out: &Output) -> Result<ExitCode> {
    let index = index_of(&cmd);
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cmd, out)));
    match ran {
        Ok(Ok(code)) => Ok(code),
        Ok(Err(e)) => {
            let low_level = matches!(
                e.downcast_ref::<newsidx::error::Error>(),
                Some(
                    newsidx::error::Error::Tantivy(_)
                        | newsidx::error::Error::Write { .. }
                        | newsidx::error::Error::Io { .. }
                )
            );
            match index.filter(|_| low_level).and_then(|p| damage(&p)) {
                Some(d) => Err(d),
                None => Err(e),
            }
        }
        Err(payload) => {
            if let Some(d) = index.and_then(|p| damage(&p)) {
                return Err(d);
            }
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            let at = crate::panic_location().unwrap_or_default();
            Err(anyhow::anyhow!(
                "internal error ({what}{at}); please report it"
            ))
        }
    }
}

/// The error for a command that crashed (a signal) on `index`: the damage a check of
/// the index finds, or an internal error.
pub fn crashed(index: &Path, signal: i32) -> anyhow::Error {
    damage(index).unwrap_or_else(|| {
        anyhow::anyhow!("internal error (the command stopped on signal {signal}); please report it")
    })
}

/// The index folder a command reads or writes. `serve` is one of them: a crash that
/// no panic handler can catch (SIGBUS on a file cut short under a memory map, an
/// absurd allocation) ends the server with the guard's one line and exit 2, where a
/// panic in one request only answers 500 and the server goes on.
pub fn index_of(cmd: &Command) -> Option<std::path::PathBuf> {
    Some(
        match cmd {
            Command::Ingest(a) => &a.index,
            Command::Serve(a) => &a.index,
            Command::Search(a) => &a.index,
            Command::Tags(a) => &a.index,
            Command::Timeline(a) => &a.index,
            Command::Show(a) => &a.index,
            Command::Similar(a) => &a.index,
            Command::Stats(a) => &a.index,
            Command::Eval(a) if a.long_tail.is_some() => &a.index,
            Command::Export(a) if a.records.is_empty() => &a.index,
            // extract reads files, never an index.
            Command::Enrich(_)
            | Command::Export(_)
            | Command::Extract(_)
            | Command::Eval(_)
            | Command::Completions(_)
            | Command::Man(_) => return None,
        }
        .index
        .clone(),
    )
}

/// The damage a full check of the index finds, as the error to show.
fn damage(index: &Path) -> Option<anyhow::Error> {
    match std::panic::catch_unwind(|| NewsIndex::verify(index)) {
        Ok(Err(e @ newsidx::error::Error::Damaged { .. })) => Some(e.into()),
        Ok(_) => None,
        Err(_) => Some(
            newsidx::error::Error::Damaged {
                path: index.to_path_buf(),
                reason: "its files cannot be read".into(),
            }
            .into(),
        ),
    }
}

pub fn run(cmd: Command, out: &Output) -> Result<ExitCode> {
    // The index a reading command is about (ingest says its own).
    let index = index_of(&cmd).filter(|_| !matches!(cmd, Command::Ingest(_)));
    let done = |r: Result<()>| r.map(|()| ExitCode::Success);
    let res = match cmd {
        Command::Ingest(a) => ingest(a, out),
        Command::Enrich(a) => enrich(a, out),
        Command::Extract(a) => extract(a, out),
        Command::Search(a) => done(search(a, out)),
        Command::Tags(a) => done(tags(a, out)),
        Command::Timeline(a) => done(timeline(a, out)),
        Command::Show(a) => done(show(a, out)),
        Command::Similar(a) => done(similar(a, out)),
        Command::Stats(a) => done(stats(a, out)),
        Command::Eval(a) => done(eval(a, out)),
        Command::Serve(a) => done(serve(a)),
        Command::Export(a) => export(a, out),
        Command::Completions(a) => done(completions(a)),
        Command::Man(a) => done(man(a)),
    };
    // tantivy's own errors (an unreadable segment met during a search) do not say
    // which index they are about, nor what to do.
    res.map_err(|e| match (&index, e.downcast_ref::<newsidx::error::Error>()) {
        (Some(p), Some(newsidx::error::Error::Tantivy(_))) => e.context(format!(
            "{}: cannot read the index; if this happens again, rebuild it with `newsidx ingest --rebuild`",
            p.display()
        )),
        _ => e,
    })
}

/// A problem as printed: `error: path:line: message (what to do)`. A problem that
/// says nothing of what to do gets the next step of `what` (ingest or enrich).
fn problem_line(out: &Output, root: &Path, p: &Problem, what: Step) -> String {
    let label = if p.is_error() {
        out.red("error")
    } else {
        out.yellow("warning")
    };
    format!("{label}: {}", shown(root, &next_step(p, what)))
}

/// The problem with a next step, if it has none of its own.
fn next_step(p: &Problem, what: Step) -> Problem {
    if !p.is_error() || p.hint.is_some() {
        return p.clone();
    }
    let hint = match (what, p.line.is_some()) {
        (Step::Ingest, true) => "fix the file at that line; the next ingest reads it again",
        (Step::Ingest, false) => "fix or remove the file; the next ingest tries it again",
        (Step::Enrich, true) => "fix the file at that line",
        (Step::Enrich, false) => "fix the file",
    };
    p.clone().with_hint(hint)
}

#[derive(Clone, Copy)]
enum Step {
    Ingest,
    Enrich,
}

/// The problem with its path as the user can open it (under the folder they gave).
fn shown(root: &Path, p: &Problem) -> String {
    let mut q = p.clone();
    q.path = root.join(&p.path).display().to_string();
    q.to_string()
}

struct Bar(Option<ProgressBar>);

impl Progress for Bar {
    fn start(&mut self, total_bytes: u64, files: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total_bytes);
            b.set_message(format!("{files} files to read"));
        }
    }
    fn advance(&mut self, bytes: u64, _articles: u64) {
        if let Some(b) = &self.0 {
            b.inc(bytes);
        }
    }
    fn stage(&mut self, what: &str) {
        if let Some(b) = &self.0 {
            b.set_message(what.to_string());
            // Nothing advances the bar now: the spinner says the run is alive.
            b.enable_steady_tick(std::time::Duration::from_millis(250));
        }
    }
    fn finish(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// tantivy's limit on one writer thread's memory arena (just under 4 GiB), in MB.
const WRITER_MB_PER_THREAD_MAX: usize = 4094;

fn ingest(a: cli::IngestArgs, out: &Output) -> Result<ExitCode> {
    let json = a.json;
    ingest_run(a, out).inspect_err(|e| {
        if json {
            // A script reading stdout learns that the run stopped, and why.
            let line = crate::error_line(e);
            println!(
                "{}",
                json!({"error": line, "exit_code": ExitCode::Error.code()})
            );
        }
    })
}

fn ingest_run(a: cli::IngestArgs, out: &Output) -> Result<ExitCode> {
    let mut opts = IngestOptions::new(a.dir.clone(), a.index.index.clone());
    opts.rebuild = a.rebuild;
    opts.gazetteer = a.gazetteer;
    opts.model = a.model;
    opts.commit_every = a.commit_every.max(1);
    opts.checksum = a.checksum;
    opts.keep_non_articles = a.keep_non_articles;
    opts.enriched = a.enriched;
    if let Some(t) = a.threads {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (t, note) = cap_threads(t, cores);
        if let Some(note) = note {
            eprintln!("{}: {note}", out.yellow("warning"));
        }
        opts.threads = t;
        opts.writer_threads = t.min(cores).max(1);
    }
    if a.max_body_bytes < 1024 {
        bail!(
            "--max-body-bytes {}: at least 1024 bytes are needed to keep an article",
            a.max_body_bytes
        );
    }
    opts.max_body_bytes = a.max_body_bytes;
    if let Some(mb) = a.writer_memory {
        if mb < 20 {
            bail!("--writer-memory {mb}: the index writer needs at least 20 MB; give 20 or more");
        }
        let max = WRITER_MB_PER_THREAD_MAX * opts.writer_threads;
        if mb > max {
            bail!(
                "--writer-memory {mb}: the index writer takes at most {WRITER_MB_PER_THREAD_MAX} MB per writer thread, {max} MB here; give {max} or less, or leave it out"
            );
        }
        opts.writer_memory = mb << 20;
    }
    let bar = if out.stderr_terminal && !a.json {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Some(b)
    } else {
        None
    };
    let mut progress = Bar(bar.clone());
    let dir = a.dir.clone();
    let mut report = |p: &Problem| {
        let line = problem_line(out, &dir, p, Step::Ingest);
        match &bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    };
    let stop = opts.stop.clone();
    // First Ctrl-C: stop reading and commit what is in. A second one: leave now (the
    // last commit stands; the next run finishes the work).
    let _ = ctrlc::set_handler(move || {
        if stop.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(ExitCode::Interrupted.code().into());
        }
    });
    let sum = pipeline::ingest(&opts, &mut report, &mut progress)?;
    let code = if sum.interrupted {
        ExitCode::Interrupted
    } else if sum.errors > 0 || sum.files_failed > 0 {
        ExitCode::Partial
    } else {
        ExitCode::Success
    };
    let mut so = std::io::stdout().lock();
    if a.json {
        let mut v = serde_json::to_value(&sum)?;
        v["exit_code"] = json!(code.code());
        writeln!(so, "{v}")?;
        so.flush()?;
        return Ok(code);
    }
    writeln!(
        so,
        "{} {} → {} in {:.2} s ({:.0} articles/s)",
        out.bold(if sum.interrupted {
            "Interrupted"
        } else {
            "Ingested"
        }),
        a.dir.display(),
        sum.index,
        sum.elapsed_secs,
        sum.articles_per_sec
    )?;
    writeln!(
        so,
        "  files     {} seen, {} read, {} unchanged, {} skipped, {} failed",
        sum.files_seen, sum.files_read, sum.files_unchanged, sum.files_skipped, sum.files_failed
    )?;
    writeln!(
        so,
        "  articles  {} added, {} updated, {} removed, {} unchanged",
        sum.articles_added, sum.articles_updated, sum.articles_removed, sum.articles_unchanged
    )?;
    if let Some(line) = skipped_line(&sum.skipped) {
        writeln!(so, "  skipped   {line}")?;
    }
    if sum.warnings + sum.errors > 0 {
        writeln!(
            so,
            "  problems  {} warnings, {} errors (listed above)",
            sum.warnings, sum.errors
        )?;
    }
    if sum.interrupted {
        writeln!(
            so,
            "  stopped early: {} articles indexed and committed, {} files finished; run ingest again to finish",
            sum.articles_indexed, sum.files_read
        )?;
    }
    so.flush()?;
    Ok(code)
}

/// The summary's skip counts in words, grouped: pages and records that are not
/// articles, web-archive records, files. `None` when nothing was skipped.
fn skipped_line(skipped: &std::collections::BTreeMap<String, u64>) -> Option<String> {
    // A code's group: by its prefix (`no_text` is a page's, so a not-article's).
    let group = |c: &str| {
        if c.starts_with("not_article_") || c == "no_text" {
            0
        } else if c.starts_with("warc_") {
            1
        } else {
            2
        }
    };
    let groups = [
        ("not articles", "not_article_"),
        ("WARC records", "warc_"),
        ("files", ""),
    ];
    let mut parts = Vec::new();
    for (g, (name, prefix)) in groups.into_iter().enumerate() {
        let mut items: Vec<(u64, &str)> = skipped
            .iter()
            .filter(|(c, n)| group(c) == g && **n > 0)
            .map(|(c, n)| (*n, c.as_str()))
            .collect();
        if items.is_empty() {
            continue;
        }
        // Most first, then by code: the same run prints the same line.
        items.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let total: u64 = items.iter().map(|(n, _)| n).sum();
        let each: Vec<String> = items
            .iter()
            .map(|(n, c)| format!("{n} {}", skip_label(c.strip_prefix(prefix).unwrap_or(c))))
            .collect();
        parts.push(format!("{total} {name} ({})", each.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A reason code in words, without its group's prefix.
fn skip_label(code: &str) -> String {
    match code {
        "home" => "home page".into(),
        "error" => "error page".into(),
        "short" => "too little text".into(),
        "links" => "mostly links".into(),
        "no_text" => "no text".into(),
        "non_html" => "not HTML".into(),
        "not_http" => "not HTTP".into(),
        "http_error" => "HTTP error".into(),
        "index_folder" => "index folder".into(),
        "not_enriched" => "not enriched records".into(),
        other => other.replace('_', " "),
    }
}

/// `--threads N` capped at 4 per core and 64 in all: more threads only add memory
/// (each has its own buffers) and contention. Returns the count and, when capped, a
/// warning to print.
fn cap_threads(requested: usize, cores: usize) -> (usize, Option<String>) {
    let max = (4 * cores).clamp(1, 64);
    if requested > max {
        let note = format!(
            "--threads {requested} is more than this machine can use; using {max} (4 per core, {cores} cores, at most 64)"
        );
        (max, Some(note))
    } else {
        (requested.max(1), None)
    }
}

fn gazetteer_for(path: Option<&Path>) -> Result<std::borrow::Cow<'static, Gazetteer>>
where
    Gazetteer: Clone,
{
    Ok(match path {
        Some(p) => std::borrow::Cow::Owned(
            Gazetteer::with_user_file(p)
                .map_err(|e| newsidx::error::Error::Gazetteer(e.to_string()))?,
        ),
        None => std::borrow::Cow::Borrowed(Gazetteer::shipped()),
    })
}

/// What ingest reads from each file, article by article, before enrichment (the
/// publication date is decided as ingest decides it). Articles are printed as they
/// are read (a web archive streams), problems as one line each on stderr; a file
/// that cannot be read is said and the next one is read. Exit 1 when a file or a
/// record could not be read.
fn extract(a: cli::ExtractArgs, out: &Output) -> Result<ExitCode> {
    if a.max_body_bytes < 1024 {
        bail!(
            "--max-body-bytes {}: at least 1024 bytes are needed to keep an article",
            a.max_body_bytes
        );
    }
    let opts = ingest::ReadOptions {
        max_body_bytes: a.max_body_bytes,
        keep_non_articles: a.keep_non_articles,
        ..ingest::ReadOptions::default()
    };
    let mut code = ExitCode::Success;
    for path in &a.files {
        match extract_file(path, &a, &opts, out)? {
            Ok(c) => {
                if c != ExitCode::Success {
                    code = c;
                }
            }
            Err(line) => {
                eprintln!("{}: {line}", out.red("error"));
                code = ExitCode::Partial;
            }
        }
    }
    Ok(code)
}

/// One file of [`extract`]: `Err` only for a write error on stdout; `Ok(Err(line))`
/// when the file could not be read at all.
fn extract_file(
    path: &Path,
    a: &cli::ExtractArgs,
    opts: &ingest::ReadOptions,
    out: &Output,
) -> Result<std::result::Result<ExitCode, String>> {
    use newsidx::error::{bounded, one_line};
    let shown_path = || bounded(&one_line(&path.display().to_string()), 200);
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(m) if m.is_dir() => {
            return Ok(Err(format!(
                "{}: is a folder, not a file; give article files (`newsidx ingest DIR` reads a whole folder)",
                shown_path()
            )))
        }
        Ok(m) => {
            return Ok(Err(format!(
                "{}: is {}, not a regular file; give an article file",
                shown_path(),
                newsidx::error::kind_of(&m)
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Err(format!(
                "{}: no such file; give an article file (`newsidx extract FILE...`)",
                shown_path()
            )))
        }
        Err(e) => {
            return Ok(Err(format!(
                "{}: cannot read ({e}); check the path and its permissions",
                shown_path()
            )))
        }
    }
    let root = path.parent().unwrap_or(Path::new("."));
    let entry = match FileEntry::for_path(root, path) {
        Ok(e) => e,
        Err(p) => return Ok(Err(shown(root, &next_step(&p, Step::Enrich)))),
    };
    let mut so = std::io::stdout().lock();
    let mut write_error = None;
    let mut record_failed = false;
    let res = ingest::read_articles_with(
        &entry,
        opts,
        &mut |art| {
            if write_error.is_some() {
                return;
            }
            let (published, from) = newsidx::enrich::publication_date(&art, None);
            let r = if a.json {
                let v = json!({
                    "id": art.id,
                    "title": art.title,
                    "body": art.body,
                    "published": published.map(|d| d.format("%Y-%m-%d").to_string()),
                    "published_from": from,
                    "modified": art.modified,
                    "modified_from": art.modified_from,
                    "captured": art.captured,
                    "authors": art.authors,
                    "url": art.url,
                    "source": art.source,
                    "language": art.language,
                });
                writeln!(so, "{v}")
            } else {
                let date = match (published, from) {
                    (Some(d), Some(f)) => format!("{d} (from {})", f.as_str()),
                    _ => "unknown".to_string(),
                };
                let line = |label: &str, v: Option<&str>| match v {
                    Some(v) if !v.is_empty() => format!("  {label:<10} {v}\n"),
                    _ => String::new(),
                };
                let authors = art.authors.join(", ");
                writeln!(
                    so,
                    "{}  {}\n  published  {date}\n{}{}{}{}{}{}\n{}\n",
                    out.bold(&art.title),
                    out.dim(&art.id),
                    line("modified", art.modified.as_deref()),
                    line("captured", art.captured.as_deref()),
                    line("authors", Some(&authors)),
                    line("url", art.url.as_deref()),
                    line("source", art.source.as_deref()),
                    line("language", art.language.as_deref()),
                    art.body
                )
            };
            if let Err(e) = r {
                write_error = Some(e);
            }
        },
        &mut |p| {
            record_failed |= p.is_error();
            eprintln!("{}", problem_line(out, root, &p, Step::Enrich));
        },
    );
    if let Some(e) = write_error {
        return Err(e.into());
    }
    match res {
        Err(p) => Ok(Err(shown(root, &next_step(&p, Step::Enrich)))),
        Ok(_) if record_failed => Ok(Ok(ExitCode::Partial)),
        Ok(_) => Ok(Ok(ExitCode::Success)),
    }
}

/// What enrichment finds, article by article, in files or standard input, as text,
/// `--json` or enriched records (`--records`). A stream: each article is written as
/// soon as it is read and enriched, so memory does not grow with the input. Every path
/// is checked before anything is read (a folder, a FIFO, a missing file: exit 2); a
/// bad record or file is one line on stderr and the rest goes on (exit 1).
fn enrich(a: cli::EnrichArgs, out: &Output) -> Result<ExitCode> {
    if a.max_body_bytes < 1024 {
        bail!(
            "--max-body-bytes {}: at least 1024 bytes are needed to keep an article",
            a.max_body_bytes
        );
    }
    let stdin_given = a.files.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_given > 1 {
        bail!("standard input (`-`) is given {stdin_given} times; give it once");
    }
    for path in a.files.iter().filter(|p| p.as_os_str() != "-") {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => {}
            Ok(m) if m.is_dir() => bail!(
                "{}: is a folder, not a file; give article files (`newsidx ingest DIR` reads a whole folder)",
                path.display()
            ),
            Ok(m) => bail!(
                "{}: is {}, not a regular file; give an article file",
                path.display(),
                newsidx::error::kind_of(&m)
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "{}: no such file; give an article file (`newsidx enrich FILE`)",
                path.display()
            ),
            Err(e) => bail!("{}: cannot read ({e}); check the path and its permissions", path.display()),
        }
    }
    if let Some(r) = &a.root {
        if !r.is_dir() {
            bail!(
                "--root {}: not a folder; give the archive folder the files lie in",
                r.display()
            );
        }
    }
    let gaz = gazetteer_for(a.gazetteer.as_deref())?;
    let enricher = Enricher::new(&gaz);
    let opts = ingest::ReadOptions {
        max_body_bytes: a.max_body_bytes,
        keep_non_articles: a.keep_non_articles,
        ..ingest::ReadOptions::default()
    };
    let mut so = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
    // Records go to a sink, as an ingest's articles go to the index.
    let mut records = a
        .records
        .then(|| newsidx::sink::NdjsonSink::new(std::io::stdout().lock(), true));
    let mut code = ExitCode::Success;
    for path in &a.files {
        let stdin = path.as_os_str() == "-";
        let root: &Path = match (&a.root, stdin) {
            (Some(r), false) => r,
            _ => path.parent().unwrap_or(Path::new(".")),
        };
        let mut write_error: Option<std::io::Error> = None;
        let mut failed = false;
        let mut emit = |art: newsidx::article::Article| {
            if write_error.is_some() {
                return;
            }
            let e = enricher.enrich(art, None);
            // Flushed record by record: a consumer (a Spark task) sees each one as
            // soon as it is made.
            let written = match &mut records {
                Some(sink) => {
                    use newsidx::sink::{Prepare, Sink};
                    let line = sink.preparer().prepare(&e.article.path, &e, None);
                    sink.add(&e.article.id, e.bands.as_ref(), line, false)
                        .map_err(std::io::Error::other)
                }
                None => write_enriched(&mut so, &e, &a, out).and_then(|()| so.flush()),
            };
            if let Err(err) = written {
                write_error = Some(err);
            }
        };
        let mut report = |p: Problem| {
            failed |= p.is_error();
            let line = if stdin {
                let mut q = next_step(&p, Step::Enrich);
                q.path = a.name.clone();
                q.to_string()
            } else {
                shown(root, &next_step(&p, Step::Enrich))
            };
            let label = if p.is_error() {
                out.red("error")
            } else {
                out.yellow("warning")
            };
            eprintln!("{label}: {line}");
        };
        let res = if stdin {
            read_stdin(&a, &opts, &mut emit, &mut report)
        } else {
            let entry = match a.format {
                Some(f) => FileEntry::for_path_as(root, path, f.format()),
                None => FileEntry::for_path(root, path),
            };
            entry
                .and_then(|entry| ingest::read_articles_with(&entry, &opts, &mut emit, &mut report))
        };
        if let Some(e) = write_error {
            return Err(e.into());
        }
        if let Err(p) = res {
            report(p);
        }
        if failed {
            code = ExitCode::Partial;
        }
    }
    so.flush()?;
    Ok(code)
}

/// Standard input, in the format given or told by its first bytes.
fn read_stdin(
    a: &cli::EnrichArgs,
    opts: &ingest::ReadOptions,
    emit: &mut dyn FnMut(newsidx::article::Article),
    report: &mut dyn FnMut(Problem),
) -> std::result::Result<usize, Problem> {
    use std::io::Read;
    let mut stdin = std::io::stdin().lock();
    let mut head = Vec::new();
    // With --format nothing is read ahead: the first record goes out as soon as it is in.
    // Else as little as tells the format: a first line, or a few KiB.
    if a.format.is_none() {
        let mut buf = [0u8; 8192];
        loop {
            let n = match stdin.read(&mut buf[..8192 - head.len()]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Problem::error(
                        &a.name,
                        format!("cannot read standard input: {e}"),
                    ))
                }
            };
            head.extend_from_slice(&buf[..n]);
            let start = head.iter().position(|b| !b.is_ascii_whitespace());
            let line_in = start.is_some_and(|s| head[s..].contains(&b'\n'));
            let gzip = head.starts_with(&[0x1f, 0x8b]);
            if n == 0 {
                if start.is_none() {
                    report(Problem::warning(&a.name, "standard input is empty"));
                    return Ok(0);
                }
                break;
            }
            if head.len() >= 8192 || (line_in && (!gzip || head.len() >= 512)) {
                break;
            }
        }
    }
    let format = match a.format {
        Some(f) => f.format(),
        None => ingest::sniff_format(&head).ok_or_else(|| {
            Problem::error(
                &a.name,
                "cannot tell the format of standard input from its first bytes",
            )
            .with_hint("give --format ndjson, warc, json, csv, html, text or markdown")
        })?,
    };
    let input = std::io::Cursor::new(head).chain(stdin);
    ingest::read_stream(&a.name, format, Box::new(input), opts, emit, report)
}

/// One enriched article in the output form asked for.
fn write_enriched(
    so: &mut impl Write,
    e: &enrich::Enriched,
    a: &cli::EnrichArgs,
    out: &Output,
) -> std::io::Result<()> {
    if a.json {
        let v = json!({
            "id": e.article.id,
            "title": e.article.title,
            "published": e.published.map(|d| d.format("%Y-%m-%d").to_string()),
            "published_from": e.published_from,
            "countries": e.tags.countries,
            "leaders": e.tags.leaders,
            "orgs": e.tags.orgs,
            "dates": e.dates,
        });
        return writeln!(so, "{v}");
    }
    writeln!(
        so,
        "{}  {}",
        out.bold(&e.article.title),
        out.dim(&e.article.id)
    )?;
    match (e.published, e.published_from) {
        (Some(d), Some(src)) => writeln!(so, "  published  {d} (from {})", src.as_str())?,
        _ => writeln!(so, "  published  unknown")?,
    }
    let quote = |ms: &[newsidx::article::Mention]| -> String {
        let mut seen: Vec<&str> = Vec::new();
        for m in ms {
            if !seen.contains(&m.text.as_str()) {
                seen.push(&m.text);
            }
        }
        let shown: Vec<String> = seen.iter().take(6).map(|t| format!("\"{t}\"")).collect();
        format!("{} ×{}", shown.join(", "), ms.len())
    };
    for c in &e.tags.countries {
        let via = if c.via_place { " (via place)" } else { "" };
        writeln!(
            so,
            "  country    {} {}{via}  ← {}",
            out.cyan(&c.code),
            c.name,
            quote(&c.mentions)
        )?;
    }
    for l in &e.tags.leaders {
        let inf = if l.inferred { " (inferred)" } else { "" };
        writeln!(
            so,
            "  leader     {} [{}]{inf}  ← {}",
            out.cyan(&l.name),
            l.country,
            quote(&l.mentions)
        )?;
    }
    for o in &e.tags.orgs {
        writeln!(
            so,
            "  org        {}  ← {}",
            out.cyan(&o.name),
            quote(&o.mentions)
        )?;
    }
    for d in &e.dates {
        let g = serde_json::to_value(d.granularity).map_err(std::io::Error::other)?;
        writeln!(
            so,
            "  date       {} ({})  ← \"{}\"",
            out.cyan(d.value.as_deref().unwrap_or("unresolved")),
            g.as_str().unwrap_or_default(),
            d.text
        )?;
    }
    writeln!(so)?;
    Ok(())
}

fn open(index: &Path) -> Result<NewsIndex> {
    let idx = NewsIndex::open(index)?;
    // A bad line in the index's own table of sources is said, and left out.
    for p in &idx.sources().problems {
        eprintln!("warning: {}", newsidx::error::one_line(p));
    }
    Ok(idx)
}

/// A service error as the command line says it: a request parameter by its flag
/// (`--from: …`), an unknown id with where ids are shown.
/// [`cli_error`] for a command about one article. An id the index does not find
/// may be one that a damaged term dictionary or postings list lost: before saying
/// it is not there, the index's files are checked against their checksums. That is
/// a full read of the index, paid only on this error and only here (never by the
/// server, where any client could make every request pay it).
fn article_error(e: Error, index: &Path) -> anyhow::Error {
    if matches!(e, Error::UnknownArticle(_)) {
        if let Some(d) = damage(index) {
            return d;
        }
    }
    cli_error(e)
}

fn cli_error(e: Error) -> anyhow::Error {
    match e {
        Error::InvalidParameter { name, reason } => {
            Error::InvalidArgument(format!("--{}: {reason}", name.replace('_', "-"))).into()
        }
        Error::UnknownArticle(_) => {
            anyhow::anyhow!(
                "{e}; an article's id is listed by `newsidx search` beside its date and source (`id` with --json): its file's path in the archive, then # and its record's number for a file of many articles"
            )
        }
        e => e.into(),
    }
}

fn filters(f: &cli::FilterArgs) -> FilterQuery {
    FilterQuery {
        country: f.country.clone(),
        via_place: f.via_place,
        leader: f.leader.clone(),
        org: f.org.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
        mentions: f.mentions.clone(),
        source: f.source.clone(),
        author: f.author.clone(),
        url: f.url.clone(),
        excluded: Vec::new(),
    }
}

/// "N matches", or "S stories (N articles)" when near copies fold; a count that
/// stopped at its bound says "N+" (N or more).
fn matches_said(res: &service::SearchResponse) -> String {
    let more = if res.total_is_lower_bound { "+" } else { "" };
    let one = |n: usize, word: &str, words: &str| {
        if n == 1 && more.is_empty() {
            format!("1 {word}")
        } else {
            format!("{n}{more} {words}")
        }
    };
    if res.stories == res.total {
        one(res.total, "match", "matches")
    } else {
        format!(
            "{} ({})",
            one(res.stories, "story", "stories"),
            one(res.total, "article", "articles")
        )
    }
}

/// What a query was searched as other than as typed, one warning line each on stderr.
fn warn_all(warnings: &[String], out: &Output) {
    for w in warnings {
        eprintln!("{}: {}", out.yellow("warning"), newsidx::error::one_line(w));
    }
}

fn search(a: cli::SearchArgs, out: &Output) -> Result<()> {
    let idx = open(&a.index.index)?;
    let q = SearchQuery {
        q: a.query.clone(),
        filters: filters(&a.filters),
        limit: a.limit,
        offset: a.offset,
        snippet_chars: a.snippet_chars,
        snippets: a.snippets,
        sort: match a.sort {
            cli::SortArg::Relevance => service::Sort::Relevance,
            cli::SortArg::Newest => service::Sort::Newest,
            cli::SortArg::Oldest => service::Sort::Oldest,
        },
        all: a.all,
        facets: a.facets,
        exact: a.exact,
    };
    if let Some(cli::AsEngine::Opensearch) = a.as_engine {
        let (body, warnings) = service::opensearch_request(&idx, &q).map_err(cli_error)?;
        for w in &warnings {
            eprintln!("{}: {}", out.yellow("warning"), newsidx::error::one_line(w));
        }
        writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string_pretty(&body)?
        )?;
        return Ok(());
    }
    let res = service::search(&idx, &q).map_err(cli_error)?;
    // Whatever was searched other than as typed is said on stderr, before the results
    // (and, with --json, in the last line too).
    warn_all(&res.warnings, out);
    let mut so = std::io::stdout().lock();
    if a.json {
        for h in &res.hits {
            writeln!(so, "{}", serde_json::to_string(h)?)?;
        }
        // `--limit 0` asks for the counts alone: they are the one line.
        let line = if a.limit == 0 {
            Some(res.counts_line())
        } else {
            res.facets_line()
        };
        if let Some(line) = line {
            writeln!(so, "{}", serde_json::to_string(&line)?)?;
        }
        return Ok(());
    }
    if res.hits.is_empty() && a.limit > 0 {
        if res.total + res.partial_total > 0 {
            writeln!(
                so,
                "No articles match on this page: {} in all, --offset {} is past them.",
                matches_said(&res),
                a.offset
            )?;
        } else {
            let query = a.query.trim();
            // (A query that holds quotes is shown as typed, not quoted again.)
            let query = if query.contains('"') {
                query.to_string()
            } else {
                format!("\"{query}\"")
            };
            let f = &a.filters;
            let filtered = !(f.country.is_empty()
                && f.leader.is_empty()
                && f.org.is_empty()
                && f.mentions.is_empty()
                && f.source.is_empty()
                && f.author.is_empty()
                && f.url.is_empty()
                && f.from.is_none()
                && f.to.is_none());
            match (a.query.trim().is_empty(), filtered) {
                (true, _) => writeln!(so, "No articles match these filters.")?,
                (false, true) => writeln!(so, "No articles match {query} with these filters.")?,
                (false, false) => writeln!(so, "No articles match {query}.")?,
            }
        }
        return Ok(());
    }
    for h in &res.hits {
        writeln!(
            so,
            "{:>2}. {}",
            h.rank,
            out.bold(&out.highlight(&h.title, &h.title_highlights))
        )?;
        let mut meta = vec![h.published.clone().unwrap_or_else(|| "undated".into())];
        if let Some(s) = &h.source {
            meta.push(s.clone());
        }
        // The id, exactly as `show` and `similar` take it (a record's position in
        // its file is not its id when the record carries its own).
        meta.push(h.id.clone());
        if h.similar > 0 {
            meta.push(format!("+{} similar", h.similar));
        }
        if h.partial {
            // What it lacks, as typed (the query's words come from the user: one line).
            // An article listed for its meaning says so: it may hold none of the words.
            let kind = if h.related {
                "close in meaning"
            } else {
                "partial match"
            };
            meta.push(if h.missing.is_empty() {
                kind.to_string()
            } else {
                format!(
                    "{kind}, lacks: {}",
                    newsidx::error::one_line(&h.missing.join(", "))
                )
            });
        }
        writeln!(so, "    {}", out.dim(&meta.join(" · ")))?;
        let mut tags = Vec::new();
        if !h.countries.is_empty() {
            tags.push(h.countries.join(" "));
        }
        if !h.leaders.is_empty() {
            tags.push(h.leaders.join(", "));
        }
        if !h.orgs.is_empty() {
            tags.push(h.orgs.join(", "));
        }
        if !tags.is_empty() {
            writeln!(so, "    {}", out.cyan(&tags.join(" · ")))?;
        }
        for s in &h.snippets {
            let text = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
            let marks = if text == s.text {
                s.highlights.clone()
            } else {
                remap(&s.text, &s.highlights)
            };
            let lead = if s.start > 0
                && !text.starts_with(|c: char| c.is_uppercase() || c == '"' || c == '“')
            {
                "…"
            } else {
                ""
            };
            let tail = if text.ends_with(['.', '!', '?', '"', '”']) {
                ""
            } else {
                "…"
            };
            writeln!(so, "    {lead}{}{tail}", out.highlight(&text, &marks))?;
        }
        writeln!(so)?;
    }
    if let Some(f) = &res.facets {
        for (kind, top) in f.kinds() {
            let list: Vec<String> = top
                .iter()
                .map(|v| format!("{} {}", v.value, v.count))
                .collect();
            writeln!(
                so,
                "{} {}",
                out.bold(&format!("{kind:<8}")),
                list.join(" · ")
            )?;
        }
    }
    let shown_to = a.offset + res.hits.len();
    // Pages count stories (near copies folded into one entry); articles are said
    // beside them when the two differ.
    let of = matches_said(&res);
    let mut footer = if a.limit == 0 {
        format!("{of} (--limit 0: none listed)")
    } else if res.total > 0 && res.partial_total > 0 {
        // The list holds both: its length first, then each kind ("1–10 of 6 matches"
        // had read as if ten entries were six).
        let more = if res.total_is_lower_bound { "+" } else { "" };
        format!(
            "{}–{} of {}{more}: {of} holding every word",
            a.offset + 1,
            shown_to,
            res.stories + res.partial_stories
        )
    } else if res.total > 0 {
        format!("{}–{} of {of}", a.offset + 1, shown_to)
    } else {
        format!("{}–{}: no article holds every word", a.offset + 1, shown_to)
    };
    if res.partial_total > 0 {
        // The best partial matches rank among the full ones; the rest follow them all.
        footer.push_str(&format!(
            "; partial matches (some of the words{}): {}{}",
            if res.hits.iter().any(|h| h.related) {
                ", or close in meaning"
            } else {
                ""
            },
            if res.partial_stories == res.partial_total {
                res.partial_total.to_string()
            } else {
                format!(
                    "{} stories ({} articles)",
                    res.partial_stories, res.partial_total
                )
            },
            if res.total > 0 {
                ", the best ranked among the full ones, the rest after them"
            } else {
                ""
            }
        ));
    }
    if res.partial_uncounted {
        // Known to follow, not counted on this page: said, so that its count is not
        // taken for the whole list's.
        footer.push_str("; partial matches (some of the words) follow them");
    }
    if res.hits.iter().any(|h| h.similar > 0) {
        footer.push_str("; near copies folded (--all shows them)");
    }
    writeln!(so, "{}", out.dim(&footer))?;
    Ok(())
}

/// Highlight offsets after runs of white space are folded to one space.
fn remap(text: &str, marks: &[[usize; 2]]) -> Vec<[usize; 2]> {
    let mut map = vec![0usize; text.len() + 1];
    let mut out_len = 0usize;
    let mut prev_space = true;
    let mut started = false;
    for (i, c) in text.char_indices() {
        map[i] = out_len;
        if c.is_whitespace() {
            if !prev_space && started {
                out_len += 1;
            }
            prev_space = true;
        } else {
            if prev_space && started && out_len > 0 {
                // the single space was counted when the run began
            }
            started = true;
            prev_space = false;
            out_len += c.len_utf8();
        }
    }
    map[text.len()] = out_len;
    marks
        .iter()
        .map(|&[s, e]| [map[s.min(text.len())], map[e.min(text.len())]])
        .collect()
}

fn tags(a: cli::TagsArgs, out: &Output) -> Result<()> {
    let idx = open(&a.index.index)?;
    let q = TagsQuery {
        q: a.query.clone().unwrap_or_default(),
        filters: filters(&a.filters),
        kind: a.kind.map(cli::TagKind::name),
        limit: a.limit.unwrap_or(if a.rare { usize::MAX } else { 20 }),
        rare: a.rare,
        max_articles: a.max_articles,
        exact: a.exact,
    };
    let res = service::tags(&idx, &q).map_err(cli_error)?;
    warn_all(&res.warnings, out);
    let mut so = std::io::stdout().lock();
    if let Some(rare) = &res.rare {
        return rare_tags(&q, &res, rare, a.json, out);
    }
    if a.json {
        for t in &res.tags {
            writeln!(so, "{}", serde_json::to_string(t)?)?;
        }
        return Ok(());
    }
    let g = Gazetteer::shipped();
    for (kind, distinct) in q
        .kind
        .map_or(vec!["country", "leader", "org"], |k| vec![k])
        .into_iter()
        .map(|k| (k, res.distinct.get(k).copied().unwrap_or(0)))
    {
        writeln!(
            so,
            "{}",
            out.bold(&format!(
                "{kind} ({distinct} distinct over {} articles)",
                res.articles
            ))
        )?;
        for t in res.tags.iter().filter(|t| t.kind == kind) {
            let name = if kind == "country" {
                g.country_name(&t.value)
                    .map(|n| format!("  {n}"))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            writeln!(so, "  {:>7}  {}{}", t.count, t.value, out.dim(&name))?;
        }
        writeln!(so)?;
    }
    Ok(())
}

/// `tags --rare`: per kind, each rare value with its count, articles and trigger words.
fn rare_tags(
    q: &TagsQuery,
    res: &service::TagsResponse,
    rare: &[service::RareTag],
    json: bool,
    out: &Output,
) -> Result<()> {
    let mut so = std::io::stdout().lock();
    if json {
        for t in rare {
            writeln!(so, "{}", serde_json::to_string(t)?)?;
        }
        return Ok(());
    }
    let g = Gazetteer::shipped();
    for kind in q.kind.map_or(vec!["country", "leader", "org"], |k| vec![k]) {
        let values: Vec<_> = rare.iter().filter(|t| t.kind == kind).collect();
        writeln!(
            so,
            "{}",
            out.bold(&format!(
                "{kind}: {} of {} distinct carried by at most {} of {} articles",
                values.len(),
                res.distinct.get(kind).copied().unwrap_or(0),
                q.max_articles,
                res.articles
            ))
        )?;
        for t in values {
            let name = if kind == "country" {
                g.country_name(&t.value)
                    .map(|n| format!("  {n}"))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            writeln!(so, "  {:>7}  {}{}", t.count, t.value, out.dim(&name))?;
            writeln!(so, "           words: {}", t.triggers.join(" · "))?;
            writeln!(
                so,
                "           {}",
                out.dim(&format!(
                    "in {}{}",
                    t.articles.join(", "),
                    match t.count as usize - t.articles.len() {
                        0 => String::new(),
                        n => format!(" and {n} more"),
                    }
                ))
            )?;
        }
        writeln!(so)?;
    }
    Ok(())
}

fn stats(a: cli::StatsArgs, out: &Output) -> Result<()> {
    let idx = open(&a.index.index)?;
    let s = service::stats(&idx)?;
    let mut so = std::io::stdout().lock();
    if a.json {
        writeln!(so, "{}", serde_json::to_string(&s)?)?;
        return Ok(());
    }
    writeln!(so, "{}  {}", out.bold("index"), idx.path.display())?;
    writeln!(so, "  articles   {}", s.articles)?;
    writeln!(so, "  files      {}", s.files)?;
    writeln!(so, "  sources    {}", s.sources)?;
    writeln!(
        so,
        "  published  {} … {}",
        s.earliest.as_deref().unwrap_or("?"),
        s.latest.as_deref().unwrap_or("?")
    )?;
    writeln!(so, "  size       {:.1} MB", s.index_bytes as f64 / 1e6)?;
    writeln!(so, "  archive    {}", idx.meta.root.display())?;
    if let Some(m) = &s.model {
        writeln!(so, "  model      {m}")?;
    }
    match (s.nearest_vectors, s.nearest_current) {
        (Some(n), Some(true)) => writeln!(so, "  nearest    {n} article vectors, current")?,
        (Some(0), _) => writeln!(
            so,
            "  nearest    no file of article vectors: the next ingest writes it"
        )?,
        (Some(n), _) => writeln!(
            so,
            "  nearest    {n} article vectors, out of date: the next ingest writes them anew"
        )?,
        _ => {}
    }
    Ok(())
}

/// Enrichment speed on one thread: all articles read first, then only enrichment timed.
fn throughput(path: &Path) -> Result<serde_json::Value> {
    let mut articles = Vec::new();
    for ev in ingest::walk(path) {
        if let ingest::WalkEvent::File(e) = ev {
            let _ = ingest::read_articles(&e, &mut |a| articles.push(a), &mut |_| {});
        }
    }
    if articles.is_empty() {
        bail!("{}: no articles to measure", path.display());
    }
    let enricher = Enricher::new(Gazetteer::shipped());
    let bytes: usize = articles
        .iter()
        .map(|a| a.title.len() + a.body.len() + a.subtitle.as_ref().map_or(0, |s| s.len()))
        .sum();
    let n = articles.len();
    let started = std::time::Instant::now();
    let mut tags = 0usize;
    for a in articles {
        let e = enricher.enrich(a, None);
        tags += e.tags.countries.len() + e.tags.leaders.len() + e.tags.orgs.len() + e.dates.len();
    }
    let secs = started.elapsed().as_secs_f64();
    Ok(json!({
        "articles": n,
        "mb": bytes as f64 / 1e6,
        "seconds": secs,
        "mb_per_sec_per_core": bytes as f64 / 1e6 / secs,
        "articles_per_sec": n as f64 / secs,
        "tags_and_dates": tags,
    }))
}

fn eval(a: cli::EvalArgs, _out: &Output) -> Result<()> {
    let t = a.labels.join("tags");
    let d = a.labels.join("dates/gold.jsonl");
    // The specification article (`tags/trump-xi-call.txt`) counts only where the gold
    // labels it, so a set without it needs no such file.
    for p in [t.join("articles.csv"), t.join("gold.jsonl"), d.clone()] {
        if !p.is_file() {
            bail!(
                "{}: missing; pass --labels DIR with tags/ and dates/ as in tests/data/labels",
                p.display()
            );
        }
    }
    let started = std::time::Instant::now();
    let tags = enrich::evaluate_tags(
        &t.join("articles.csv"),
        &t.join("gold.jsonl"),
        &t.join("trump-xi-call.txt"),
    );
    let dates = enrich::dates_eval::evaluate_dates(&d);
    let secs = started.elapsed().as_secs_f64();
    let speed = a.throughput.as_deref().map(throughput).transpose()?;
    let long_tail = match &a.long_tail {
        Some(dir) => {
            let set = newsidx::service::long_tail::read_set(dir)?;
            let idx = open(&a.index.index)?;
            Some(newsidx::service::long_tail::measure(&idx, &set)?)
        }
        None => None,
    };
    let mut so = std::io::stdout().lock();
    if a.json {
        let prf = |p: &enrich::eval::Prf| json!({"precision": p.precision(), "recall": p.recall(), "f1": p.f1(), "tp": p.tp, "fp": p.fp, "fn": p.fn_});
        writeln!(
            so,
            "{}",
            json!({
                "countries": prf(&tags.countries), "leaders": prf(&tags.leaders), "orgs": prf(&tags.orgs),
                "dates": {"precision": dates.precision, "recall": dates.recall, "f1": dates.f1, "value_accuracy": dates.value_accuracy, "gold": dates.gold, "predicted": dates.predicted},
                "throughput": speed,
                "long_tail": long_tail,
            })
        )?;
        return Ok(());
    }
    if a.verbose {
        for d in tags.differences.iter().chain(&dates.errors) {
            writeln!(so, "{d}")?;
        }
        if let Some(r) = &long_tail {
            let lists = [
                ("wrong kept", &r.wrong_produced),
                ("right lost", &r.right_lost),
                ("unjudged", &r.unjudged),
            ];
            for (what, pairs) in lists {
                for p in pairs {
                    writeln!(
                        so,
                        "long tail {what}: {} {:?} {} {}",
                        p.kind, p.value, p.article, p.why
                    )?;
                }
            }
            for m in &r.missing {
                writeln!(so, "long tail missing article: {m}")?;
            }
        }
    }
    write!(so, "{tags}")?;
    writeln!(
        so,
        "{:<10} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
        "dates", "tp", "fp", "fn", "precision", "recall", "F1"
    )?;
    writeln!(
        so,
        "{:<10} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
        "mentions",
        dates.exact,
        dates.predicted - dates.exact,
        dates.gold - dates.exact,
        dates.precision,
        dates.recall,
        dates.f1
    )?;
    writeln!(
        so,
        "values right: {}/{} ({:.1}%)",
        dates.values_right,
        dates.exact,
        dates.value_accuracy * 100.0
    )?;
    writeln!(
        so,
        "({} articles, {} date sentences, {secs:.2} s)",
        tags.articles, dates.items
    )?;
    if let Some(r) = &long_tail {
        write_long_tail(&mut so, r)?;
    }
    if let Some(v) = speed {
        let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
        writeln!(
            so,
            "throughput: {} articles, {:.1} MB in {:.2} s on one core: {:.1} MB/s, {:.0} articles/s",
            v["articles"],
            f("mb"),
            f("seconds"),
            f("mb_per_sec_per_core"),
            f("articles_per_sec")
        )?;
    }
    Ok(())
}

/// The long-tail figures as a table, one row per kind.
fn write_long_tail(
    so: &mut impl Write,
    r: &newsidx::service::long_tail::LongTailReport,
) -> Result<()> {
    writeln!(
        so,
        "long tail: {} judged pairs over {} articles ({} not in the index)",
        r.pairs, r.articles, r.articles_missing
    )?;
    writeln!(
        so,
        "{:<10} {:>6} {:>8} {:>8} {:>6} {:>11} {:>11} {:>9}",
        "kind", "values", "macro P", "micro P", "kept", "right kept", "wrong kept", "unjudged"
    )?;
    for (kind, k) in &r.kinds {
        writeln!(
            so,
            "{:<10} {:>6} {:>8.3} {:>8.3} {:>6.3} {:>11} {:>11} {:>9}",
            kind,
            k.values,
            k.macro_precision,
            k.micro_precision,
            k.kept,
            format!("{}/{}", k.right_produced, k.right),
            format!("{}/{}", k.wrong_produced, k.wrong),
            k.unjudged
        )?;
    }
    Ok(())
}

fn timeline(a: cli::TimelineArgs, out: &Output) -> Result<()> {
    use newsidx::search::timeline::Period;
    let idx = open(&a.index.index)?;
    let q = TimelineQuery {
        q: a.query.clone().unwrap_or_default(),
        filters: filters(&a.filters),
        by: match a.by {
            cli::PeriodArg::Day => Period::Day,
            cli::PeriodArg::Week => Period::Week,
            cli::PeriodArg::Month => Period::Month,
            cli::PeriodArg::Year => Period::Year,
        },
        split_by: a.split_by.map(|s| match s {
            cli::SplitArg::Country => "country",
            cli::SplitArg::Leader => "leader",
            cli::SplitArg::Org => "org",
            cli::SplitArg::Source => "source",
        }),
        top: a.top,
        exact: a.exact,
    };
    let res = service::timeline(&idx, &q).map_err(cli_error)?;
    warn_all(&res.warnings, out);
    let (rows, undated) = (res.periods, res.undated);
    let mut so = std::io::stdout().lock();
    if a.json {
        for r in &rows {
            writeln!(so, "{}", serde_json::to_string(r)?)?;
        }
        return Ok(());
    }
    // Split columns in order of their totals.
    let mut cols: Vec<(String, u64)> = Vec::new();
    for r in &rows {
        for (k, v) in &r.split {
            match cols.iter_mut().find(|(c, _)| c == k) {
                Some(c) => c.1 += v,
                None => cols.push((k.clone(), *v)),
            }
        }
    }
    cols.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    if a.csv {
        let mut header = vec!["period".to_string(), "count".to_string()];
        header.extend(cols.iter().map(|(c, _)| c.clone()));
        writeln!(
            so,
            "{}",
            header
                .iter()
                .map(|h| csv_field(h))
                .collect::<Vec<_>>()
                .join(",")
        )?;
        for r in &rows {
            let mut line = vec![r.period.clone(), r.count.to_string()];
            line.extend(
                cols.iter()
                    .map(|(c, _)| r.split.get(c).copied().unwrap_or(0).to_string()),
            );
            writeln!(so, "{}", line.join(","))?;
        }
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(so, "No dated articles match.")?;
        return Ok(());
    }
    let max = rows.iter().map(|r| r.count).max().unwrap_or(1).max(1);
    let width = 40usize;
    let mut i = 0;
    while i < rows.len() {
        let r = &rows[i];
        // A long run of empty periods is one line in the chart.
        let empty_run = rows[i..].iter().take_while(|r| r.count == 0).count();
        if empty_run > 3 {
            let last = &rows[i + empty_run - 1];
            writeln!(
                so,
                "{}",
                out.dim(&format!(
                    "{:<10} … {} empty periods to {}",
                    r.period, empty_run, last.period
                ))
            )?;
            i += empty_run;
            continue;
        }
        i += 1;
        let n = ((r.count as f64 / max as f64) * width as f64).round() as usize;
        let bar = "█".repeat(n);
        let mut line = format!("{:<10} {:<width$} {:>6}", r.period, bar, r.count);
        if !cols.is_empty() {
            let parts: Vec<String> = cols
                .iter()
                .filter_map(|(c, _)| {
                    r.split
                        .get(c)
                        .filter(|v| **v > 0)
                        .map(|v| format!("{c} {v}"))
                })
                .collect();
            line.push_str(&format!("  {}", out.dim(&parts.join(" · "))));
        }
        writeln!(so, "{line}")?;
    }
    let total: u64 = rows.iter().map(|r| r.count).sum();
    let mut tail = format!("{total} dated articles");
    if undated > 0 {
        tail.push_str(&format!(", {undated} without a date"));
    }
    writeln!(so, "{}", out.dim(&tail))?;
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn show(a: cli::ShowArgs, out: &Output) -> Result<()> {
    let idx = open(&a.index.index)?;
    let hit = match service::article(&idx, &a.id) {
        Ok(hit) => hit,
        // A mistyped id: the ids it may have meant (`542` → `articles.csv#542`).
        Err(e @ Error::UnknownArticle(_)) => {
            if let Some(d) = damage(&a.index.index) {
                return Err(d);
            }
            let like = newsidx::search::ids_like(&idx, &a.id, 3).unwrap_or_default();
            return Err(if like.is_empty() {
                cli_error(e)
            } else {
                anyhow::anyhow!("{e}; did you mean {}?", like.join(", "))
            });
        }
        Err(e) => return Err(article_error(e, &a.index.index)),
    };
    let mut so = std::io::stdout().lock();
    if a.json {
        writeln!(so, "{}", serde_json::to_string(&hit)?)?;
        return Ok(());
    }
    writeln!(so, "{}", out.bold(&hit.title))?;
    let mut meta = vec![hit.published.clone().unwrap_or_else(|| "undated".into())];
    if let Some(s) = &hit.source {
        meta.push(s.clone());
    }
    meta.push(hit.id.clone());
    writeln!(so, "{}", out.dim(&meta.join(" · ")))?;
    if let Some(u) = &hit.url {
        writeln!(so, "{}", out.dim(u))?;
    }
    let names = |v: &serde_json::Value, key: &str| -> String {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t[key].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    for (label, v, key) in [
        ("countries", &hit.countries, "code"),
        ("leaders", &hit.leaders, "name"),
        ("orgs", &hit.orgs, "name"),
    ] {
        let s = names(v, key);
        if !s.is_empty() {
            writeln!(so, "{:<10} {}", label, out.cyan(&s))?;
        }
    }
    if let Some(ds) = hit.dates.as_array() {
        let list: Vec<String> = ds
            .iter()
            .map(|d| {
                format!(
                    "{} = {}",
                    d["text"].as_str().unwrap_or(""),
                    d["value"].as_str().unwrap_or("?")
                )
            })
            .collect();
        if !list.is_empty() {
            writeln!(so, "{:<10} {}", "dates", list.join(" · "))?;
        }
    }
    if !hit.similar.is_empty() {
        writeln!(so, "{:<10} {} near copies:", "group", hit.similar.len())?;
        for m in &hit.similar {
            writeln!(so, "           {}  {}", m.id, out.dim(&m.title))?;
        }
    }
    writeln!(so)?;
    if let Some(sub) = hit.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        writeln!(so, "{}", out.bold(sub))?;
        writeln!(so)?;
    }
    writeln!(so, "{}", hit.body)?;
    Ok(())
}

fn similar(a: cli::SimilarArgs, out: &Output) -> Result<()> {
    let idx = open(&a.index.index)?;
    let q = SimilarQuery {
        id: a.id.clone(),
        filters: filters(&a.filters),
        limit: a.limit,
    };
    let hits = service::similar(&idx, &q)
        .map_err(|e| article_error(e, &a.index.index))?
        .hits;
    let mut so = std::io::stdout().lock();
    if a.json {
        for h in &hits {
            writeln!(so, "{}", serde_json::to_string(h)?)?;
        }
        return Ok(());
    }
    if hits.is_empty() && a.limit > 0 {
        writeln!(so, "No similar articles found.")?;
    }
    for h in &hits {
        writeln!(so, "{:>2}. {}", h.rank, out.bold(&h.title))?;
        writeln!(
            so,
            "    {}",
            out.dim(&format!(
                "{} · {} · {}",
                h.published.as_deref().unwrap_or("undated"),
                h.source.as_deref().unwrap_or("-"),
                h.id
            ))
        )?;
    }
    Ok(())
}

fn serve(a: cli::ServeArgs) -> Result<()> {
    use newsidx::server::{self, Config, Limits};
    let token = a.token.filter(|t| !t.trim().is_empty());
    if !a.bind.is_loopback() && token.is_none() && !a.no_token {
        bail!(
            "--bind {}: other machines can reach this address; give an access token (--token or NEWSIDX_TOKEN), or --no-token to serve it without one",
            a.bind
        );
    }
    let mut limits = Limits::default();
    if let Some(n) = a.concurrency {
        limits.concurrency = n.max(1);
    }
    limits.timeout = std::time::Duration::from_secs(a.timeout.max(1));
    server::install_panic_hook();
    server::run(Config {
        index: a.index.index,
        addr: std::net::SocketAddr::new(a.bind, a.port),
        token,
        limits,
    })
}

fn export(a: cli::ExportArgs, out: &Output) -> Result<ExitCode> {
    use newsidx::export::{self, records, Target};
    let opts = export::Options {
        target: match a.to {
            cli::ExportTo::Opensearch => Target::OpenSearch,
            cli::ExportTo::Quickwit => Target::Quickwit,
            cli::ExportTo::Ndjson => Target::Ndjson,
        },
        dir: a.dir.clone(),
        max_file_bytes: a.max_file_bytes,
    };
    let sum = if a.records.is_empty() {
        let idx = NewsIndex::open_for_scan(&a.index.index)?;
        export::export(&idx, &opts)?
    } else {
        // `--index` on the command line with `--records` is a mistake worth a word (an
        // index named by NEWSIDX_INDEX is simply not read).
        if a.index_typed {
            bail!("--index and --records cannot be used together: --records exports the records themselves, without an index; drop one of them");
        }
        let stdin_given = a.records.iter().filter(|p| p.as_os_str() == "-").count();
        if stdin_given > 1 {
            bail!("standard input (`-`) is given {stdin_given} times to --records; give it once");
        }
        for p in a.records.iter().filter(|p| p.as_os_str() != "-") {
            if let Err(e) = std::fs::metadata(p) {
                let what = if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or folder".to_string()
                } else {
                    format!("cannot read ({e})")
                };
                bail!(
                    "--records {}: {what}; give files or folders of enriched records (`newsidx enrich --records`)",
                    p.display()
                );
            }
        }
        let inputs: Vec<records::Input> = a
            .records
            .iter()
            .map(|p| records::Input::from_arg(p))
            .collect();
        let mut report = |p: &Problem| {
            let label = if p.is_error() {
                out.red("error")
            } else {
                out.yellow("warning")
            };
            eprintln!("{label}: {p}");
        };
        records::export_records(&inputs, &opts, &mut report)?
    };
    let code = if sum.errors > 0 {
        ExitCode::Partial
    } else {
        ExitCode::Success
    };
    let mut so = std::io::stdout().lock();
    if a.json {
        writeln!(so, "{}", serde_json::to_string(&sum)?)?;
        return Ok(code);
    }
    let what = match opts.target {
        Target::OpenSearch => format!(
            "{} written, {} unchanged, {} deleted",
            sum.written, sum.unchanged, sum.deleted
        ),
        _ => format!("{} written", sum.written),
    };
    writeln!(
        so,
        "Exported {} articles to {} ({}): {what}",
        sum.articles,
        a.dir.display(),
        sum.to
    )?;
    if sum.files.is_empty() && sum.run > 1 {
        writeln!(so, "  nothing changed since the last export")?;
    } else if sum.files.is_empty() {
        writeln!(so, "  no articles to export")?;
    } else {
        writeln!(so, "  files  {}", sum.files.join(" "))?;
    }
    if let Some(d) = &sum.definition {
        writeln!(so, "  index definition  {d}")?;
    }
    if sum.kept > 0 {
        writeln!(
            so,
            "  {} articles of the last export kept: some records could not be read",
            sum.kept
        )?;
    }
    Ok(code)
}

fn completions(a: cli::CompletionsArgs) -> Result<()> {
    use clap::CommandFactory;
    let mut cmd = cli::Cli::command();
    // Written whole: clap_complete panics on a failed write (`… | head`).
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "newsidx", &mut buf);
    std::io::stdout().lock().write_all(&buf)?;
    Ok(())
}

fn man(a: cli::ManArgs) -> Result<()> {
    use clap::CommandFactory;
    let cmd = cli::Cli::command();
    let page = match &a.command {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                bail!("no command '{name}'; the commands are {}", names.join(", "));
            };
            // The page of `newsidx search` is named newsidx-search, as git's are.
            // clap takes a 'static name; this runs once, just before the process ends.
            let page_name: &'static str = Box::leak(format!("newsidx-{name}").into_boxed_str());
            sub.clone()
                .name(page_name)
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf)?;
    std::io::stdout().lock().write_all(&buf)?;
    Ok(())
}
