//! One function per subcommand: turn validated flags into library calls and print.

use crate::cli::{self, Command};
use crate::output::Output;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use newsidx::enrich::{self, Enricher, Gazetteer};
use newsidx::index::NewsIndex;
use newsidx::ingest::{self, FileEntry, Problem};
use newsidx::pipeline::{self, IngestOptions, Progress};
use newsidx::search::{self, resolve, Filters, SearchRequest};
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub fn run(cmd: Command, out: &Output) -> Result<()> {
    match cmd {
        Command::Ingest(a) => ingest(a, out),
        Command::Enrich(a) => enrich(a, out),
        Command::Extract(a) => extract(a, out),
        Command::Search(a) => search(a, out),
        Command::Tags(a) => tags(a, out),
        Command::Timeline(a) => timeline(a, out),
        Command::Show(a) => show(a, out),
        Command::Similar(a) => similar(a, out),
        Command::Stats(a) => stats(a, out),
        Command::Eval(a) => eval(a, out),
    }
}

fn problem_line(out: &Output, root: &Path, p: &Problem) -> String {
    let label = if p.is_error() {
        out.red("error")
    } else {
        out.yellow("warning")
    };
    format!("{label}: {}", shown(root, p))
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
    fn finish(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn ingest(a: cli::IngestArgs, out: &Output) -> Result<()> {
    let mut opts = IngestOptions::new(a.dir.clone(), a.index.index.clone());
    opts.rebuild = a.rebuild;
    opts.gazetteer = a.gazetteer;
    opts.commit_every = a.commit_every.max(1);
    opts.checksum = a.checksum;
    opts.keep_non_articles = a.keep_non_articles;
    if let Some(t) = a.threads {
        opts.threads = t.max(1);
        opts.writer_threads = (t / 2).max(1);
    }
    if let Some(mb) = a.writer_memory {
        if mb < 20 {
            bail!("--writer-memory {mb}: the index writer needs at least 20 MB");
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
        let line = problem_line(out, &dir, p);
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
            std::process::exit(130);
        }
    });
    let sum = pipeline::ingest(&opts, &mut report, &mut progress)?;
    let mut so = std::io::stdout().lock();
    if a.json {
        writeln!(so, "{}", serde_json::to_string(&sum)?)?;
        return interrupted(&sum);
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
    interrupted(&sum)
}

/// An interrupted ingest exits 130, as a shell expects after Ctrl-C.
fn interrupted(sum: &pipeline::Summary) -> Result<()> {
    if sum.interrupted {
        std::io::stdout().flush()?;
        std::process::exit(130);
    }
    Ok(())
}

fn gazetteer_for(path: Option<&Path>) -> Result<std::borrow::Cow<'static, Gazetteer>>
where
    Gazetteer: Clone,
{
    Ok(match path {
        Some(p) => std::borrow::Cow::Owned(
            Gazetteer::with_user_file(p).map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        None => std::borrow::Cow::Borrowed(Gazetteer::shipped()),
    })
}

/// What ingest reads from one file, article by article, before enrichment (the
/// publication date is decided as ingest decides it).
fn extract(a: cli::ExtractArgs, out: &Output) -> Result<()> {
    let mut failed = 0;
    for path in &a.files {
        if let Err(e) = extract_file(path, &a, out) {
            if a.files.len() == 1 {
                return Err(e);
            }
            eprintln!("error: {e}");
            failed += 1;
        }
    }
    if failed > 0 {
        bail!("{failed} of {} files could not be read", a.files.len());
    }
    Ok(())
}

fn extract_file(path: &Path, a: &cli::ExtractArgs, out: &Output) -> Result<()> {
    if !path.is_file() {
        bail!("{}: no such file", path.display());
    }
    let root = path.parent().unwrap_or(Path::new("."));
    let entry =
        FileEntry::for_path(root, path).map_err(|p| anyhow::anyhow!("{}", shown(root, &p)))?;
    let opts = ingest::ReadOptions {
        keep_non_articles: a.keep_non_articles,
    };
    let mut so = std::io::stdout().lock();
    let mut failed = None;
    let mut write_error = None;
    let res = ingest::read_articles_with(
        &entry,
        &opts,
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
                    _ => "no date".to_string(),
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
        &mut |p| eprintln!("{}", problem_line(out, root, &p)),
    );
    if let Some(e) = write_error {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    if let Err(p) = res {
        failed = Some(p);
    }
    if let Some(p) = failed {
        bail!("{}", shown(root, &p));
    }
    Ok(())
}

fn enrich(a: cli::EnrichArgs, out: &Output) -> Result<()> {
    let path = &a.file;
    if !path.is_file() {
        bail!("{}: no such file", path.display());
    }
    let root = path.parent().unwrap_or(Path::new("."));
    let entry =
        FileEntry::for_path(root, path).map_err(|p| anyhow::anyhow!("{}", shown(root, &p)))?;
    let gaz = gazetteer_for(a.gazetteer.as_deref())?;
    let enricher = Enricher::for_bytes(&gaz, entry.size);
    let file_date =
        chrono::DateTime::from_timestamp(entry.mtime_ns / 1_000_000_000, 0).map(|t| t.date_naive());
    let mut so = std::io::stdout().lock();
    let mut articles = Vec::new();
    let mut problems = Vec::new();
    let res = ingest::read_articles(&entry, &mut |art| articles.push(art), &mut |p| {
        problems.push(p)
    });
    for p in &problems {
        eprintln!("{}", problem_line(out, root, p));
    }
    if let Err(p) = res {
        bail!("{}", shown(root, &p));
    }
    for art in articles {
        let e = enricher.enrich(art, file_date);
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
            writeln!(so, "{v}")?;
            continue;
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
            let g = serde_json::to_value(d.granularity)?;
            writeln!(
                so,
                "  date       {} ({})  ← \"{}\"",
                out.cyan(d.value.as_deref().unwrap_or("unresolved")),
                g.as_str().unwrap_or_default(),
                d.text
            )?;
        }
        writeln!(so)?;
    }
    Ok(())
}

fn open(index: &Path) -> Result<NewsIndex> {
    Ok(NewsIndex::open(index)?)
}

fn filters(idx: &NewsIndex, f: &cli::FilterArgs) -> Result<Filters> {
    // The gazetteer is loaded only when a tag filter needs it: a plain search does
    // not pay for it at start-up.
    let g: resolve::Lazy = &Gazetteer::shipped;
    let mut out = Filters {
        via_place: f.via_place,
        ..Filters::default()
    };
    for c in &f.country {
        out.countries.push(resolve::country(g, idx, c)?);
    }
    for l in &f.leader {
        out.leaders.push(resolve::leader(g, idx, l)?);
    }
    for o in &f.org {
        out.orgs.push(resolve::org(g, idx, o)?);
    }
    if let Some(d) = &f.from {
        out.from = Some(search::date_range(d).context("--from")?.0);
    }
    if let Some(d) = &f.to {
        out.to = Some(search::date_range(d).context("--to")?.1);
    }
    for m in &f.mentions {
        search::date_range(m).context("--mentions")?;
        out.mentions.push(m.trim().to_string());
    }
    Ok(out)
}

fn search(a: cli::SearchArgs, out: &Output) -> Result<()> {
    let idx = open(&a.index.index)?;
    let filters = filters(&idx, &a.filters)?;
    let req = SearchRequest {
        query: a.query.clone(),
        filters,
        limit: a.limit,
        offset: a.offset,
        snippet_chars: a.snippet_chars,
        snippets: a.snippets,
        sort: match a.sort {
            cli::SortArg::Relevance => search::Sort::Relevance,
            cli::SortArg::Newest => search::Sort::Newest,
            cli::SortArg::Oldest => search::Sort::Oldest,
        },
        ranking: search::rank::Ranking::News,
        all_copies: a.all,
    };
    let res = search::search(&idx, &req)?;
    let facets = if a.facets {
        let kinds = ["country", "leader", "org", "source"];
        let (_, counts) = search::tag_counts(&idx, &req.query, &req.filters, &kinds)?;
        Some(
            kinds
                .iter()
                .zip(counts)
                .map(|(k, c)| (*k, search::facets::top(&c, 10)))
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    let mut so = std::io::stdout().lock();
    if a.json {
        for h in &res.hits {
            writeln!(so, "{}", serde_json::to_string(h)?)?;
        }
        if let Some(f) = &facets {
            let obj: serde_json::Map<String, serde_json::Value> = f
                .iter()
                .map(|(k, v)| {
                    let list: Vec<_> = v
                        .iter()
                        .map(|(t, n)| json!({"value": t, "count": n}))
                        .collect();
                    (k.to_string(), json!(list))
                })
                .collect();
            writeln!(so, "{}", json!({"facets": obj, "total": res.total}))?;
        }
        return Ok(());
    }
    if res.hits.is_empty() {
        if res.total + res.partial_total > 0 {
            writeln!(
                so,
                "No articles match on this page: {} matches in all, --offset {} is past them.",
                res.total, a.offset
            )?;
        } else {
            writeln!(so, "No articles match \"{}\" with these filters.", a.query)?;
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
        let mut place = h.path.clone();
        if let Some(r) = h.record {
            place.push_str(&format!(" #{r}"));
        }
        meta.push(place);
        if h.similar > 0 {
            meta.push(format!("+{} similar", h.similar));
        }
        if h.partial {
            meta.push("partial match".to_string());
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
    if let Some(f) = &facets {
        for (kind, top) in f {
            let list: Vec<String> = top.iter().map(|(t, n)| format!("{t} {n}")).collect();
            writeln!(
                so,
                "{} {}",
                out.bold(&format!("{kind:<8}")),
                list.join(" · ")
            )?;
        }
    }
    let shown_to = a.offset + res.hits.len();
    let mut footer = if res.total > 0 {
        format!("{}–{} of {} matches", a.offset + 1, shown_to, res.total)
    } else {
        format!("{}–{}: no article holds every word", a.offset + 1, shown_to)
    };
    if res.partial_total > 0 {
        footer.push_str(&format!(
            "; then partial matches (some of the words): {}",
            res.partial_total
        ));
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
    let filters = filters(&idx, &a.filters)?;
    let kinds: Vec<&'static str> = match a.kind {
        Some(k) => vec![k.name()],
        None => vec!["country", "leader", "org"],
    };
    let (n, counts) = search::tag_counts(&idx, a.query.as_deref().unwrap_or(""), &filters, &kinds)?;
    let g = Gazetteer::shipped();
    let mut so = std::io::stdout().lock();
    for (kind, c) in kinds.iter().zip(&counts) {
        let top = search::facets::top(c, a.limit);
        if a.json {
            for (v, count) in top {
                writeln!(so, "{}", json!({"kind": kind, "value": v, "count": count}))?;
            }
            continue;
        }
        writeln!(
            so,
            "{}",
            out.bold(&format!("{kind} ({} distinct over {n} articles)", c.len()))
        )?;
        for (v, count) in top {
            let name = if *kind == "country" {
                g.country_name(&v)
                    .map(|n| format!("  {n}"))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            writeln!(so, "  {count:>7}  {v}{}", out.dim(&name))?;
        }
        writeln!(so)?;
    }
    Ok(())
}

fn stats(a: cli::StatsArgs, out: &Output) -> Result<()> {
    let idx = open(&a.index.index)?;
    let s = newsidx::index::stats(&idx)?;
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
            })
        )?;
        return Ok(());
    }
    if a.verbose {
        for d in tags.differences.iter().chain(&dates.errors) {
            writeln!(so, "{d}")?;
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

fn timeline(a: cli::TimelineArgs, out: &Output) -> Result<()> {
    use newsidx::search::timeline::Period;
    let idx = open(&a.index.index)?;
    let filters = filters(&idx, &a.filters)?;
    let by = match a.by {
        cli::PeriodArg::Day => Period::Day,
        cli::PeriodArg::Week => Period::Week,
        cli::PeriodArg::Month => Period::Month,
        cli::PeriodArg::Year => Period::Year,
    };
    let split = a.split_by.map(|s| match s {
        cli::SplitArg::Country => "country",
        cli::SplitArg::Leader => "leader",
        cli::SplitArg::Org => "org",
        cli::SplitArg::Source => "source",
    });
    let query = a.query.clone().unwrap_or_default();
    let (rows, undated) = search::timeline(&idx, &query, &filters, by, split, a.top.max(1))?;
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
    use tantivy::schema::Value;
    let idx = open(&a.index.index)?;
    let Some((searcher, _, doc)) = search::find(&idx, &a.id)? else {
        bail!(
            "no article with id '{}'; ids are shown by `newsidx search … --json`",
            a.id
        );
    };
    let f = idx.fields;
    let hit = search::hit_from_doc(&f, &doc, 1, 0.0);
    let get = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let body = get(f.body);
    let enrichment: serde_json::Value =
        serde_json::from_str(&get(f.enrichment)).unwrap_or_default();
    let members = if hit.group.is_empty() {
        vec![]
    } else {
        search::group_members(&idx, &searcher, &hit.group)?
    };
    let others: Vec<&search::Hit> = members.iter().filter(|m| m.id != hit.id).collect();
    let mut so = std::io::stdout().lock();
    if a.json {
        let v = json!({
            "id": hit.id, "title": hit.title, "subtitle": doc.get_first(f.subtitle).and_then(|v| v.as_str()),
            "published": hit.published, "published_from": doc.get_first(f.published_from).and_then(|v| v.as_str()),
            "source": hit.source, "url": hit.url, "path": hit.path, "record": hit.record,
            "authors": doc.get_all(f.authors).filter_map(|v| v.as_str()).collect::<Vec<_>>(),
            "countries": enrichment["tags"]["countries"], "leaders": enrichment["tags"]["leaders"], "orgs": enrichment["tags"]["orgs"],
            "dates": enrichment["dates"], "group": hit.group,
            "similar": others.iter().map(|m| json!({"id": m.id, "title": m.title})).collect::<Vec<_>>(),
            "body": body,
        });
        writeln!(so, "{v}")?;
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
    let t = &enrichment["tags"];
    for (label, v, key) in [
        ("countries", &t["countries"], "code"),
        ("leaders", &t["leaders"], "name"),
        ("orgs", &t["orgs"], "name"),
    ] {
        let s = names(v, key);
        if !s.is_empty() {
            writeln!(so, "{:<10} {}", label, out.cyan(&s))?;
        }
    }
    if let Some(ds) = enrichment["dates"].as_array() {
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
    if !others.is_empty() {
        writeln!(so, "{:<10} {} near copies:", "group", others.len())?;
        for m in &others {
            writeln!(so, "           {}  {}", m.id, out.dim(&m.title))?;
        }
    }
    writeln!(so)?;
    writeln!(so, "{body}")?;
    Ok(())
}

fn similar(a: cli::SimilarArgs, out: &Output) -> Result<()> {
    let idx = open(&a.index.index)?;
    let filters = filters(&idx, &a.filters)?;
    let Some(hits) = search::similar(&idx, &a.id, &filters, a.limit)? else {
        bail!(
            "no article with id '{}'; ids are shown by `newsidx search … --json`",
            a.id
        );
    };
    let mut so = std::io::stdout().lock();
    if a.json {
        for h in &hits {
            writeln!(so, "{}", serde_json::to_string(h)?)?;
        }
        return Ok(());
    }
    if hits.is_empty() {
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
