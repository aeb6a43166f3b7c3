//! The `newsidx` binary: parse flags, run one command, print errors as one line.

mod cli;
mod commands;
mod exit_codes;
mod guard;
mod output;

use exit_codes::ExitCode;

/// mimalloc: less CPU per allocation than glibc's malloc, and memory freed by the
/// tantivy writer thread goes back to use instead of piling up in per-thread arenas.
/// (`guard::Bounded` passes every call to it.)
#[global_allocator]
static GLOBAL: guard::Bounded = guard::Bounded;

/// Where the last panic happened (` at file:line`), for the one-line internal error.
static PANIC_AT: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

pub(crate) fn panic_location() -> Option<String> {
    PANIC_AT.lock().ok().and_then(|g| g.clone())
}

fn main() -> std::process::ExitCode {
    let cli = match cli::Cli::parse_args() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let out = output::Output::new(cli.color);
    // A command that reads an index runs in a child process that a damaged index
    // cannot take down without a clear line (see guard.rs).
    if let Some(index) = commands::index_of(&cli.command) {
        match guard::run_in_child() {
            None => {}
            Some(guard::Ended::Exited(code)) => return std::process::ExitCode::from(code),
            Some(guard::Ended::Stopped(sig)) => {
                return std::process::ExitCode::from(128u8.saturating_add(sig as u8))
            }
            Some(guard::Ended::Crashed(sig)) => {
                let e = commands::crashed(&index, sig);
                eprintln!("{}: {}", out.red("error"), error_line(&e));
                return ExitCode::Error.into();
            }
        }
    }
    // Panics are caught (commands::run_guarded) and said in one line; the default
    // hook's message and backtrace note would only add noise to it.
    std::panic::set_hook(Box::new(|info| {
        if let (Some(l), Ok(mut g)) = (info.location(), PANIC_AT.lock()) {
            *g = Some(format!(" at {}:{}", l.file(), l.line()));
        }
    }));
    match commands::run_guarded(cli.command, &out) {
        Ok(code) => code.into(),
        Err(e) => {
            // A closed pipe (`newsidx search … | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::Success.into();
            }
            eprintln!("{}: {}", out.red("error"), error_line(&e));
            ExitCode::Error.into()
        }
    }
}

/// An error and its causes as one bounded line. A cause whose text the line already
/// holds is not repeated (an error that quotes its source, like `path: {io error}`,
/// would otherwise print it twice).
pub fn error_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        // Compared by its start: the line may hold the cause cut short.
        let start: String = text.chars().take(newsidx::error::QUOTE_MAX).collect();
        if line.contains(&start) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    newsidx::error::bounded(&line, newsidx::error::LINE_MAX)
}

/// A usage error from clap (an unknown flag, a missing argument, a bad number) as one
/// line like every other error: clap's message, its tip and usage joined with "; ".
/// `--help` and `--version` print as clap prints them.
fn usage_error(e: clap::Error) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let text = e.to_string();
    let mut line = String::new();
    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let l = l.strip_prefix("error: ").unwrap_or(l);
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
        }
        line.push_str(l);
    }
    if let Some(hint) = quote_hint(&e) {
        line = match line.split_once("; ") {
            Some((said, rest)) => format!("{said}; {hint}; {rest}"),
            None => format!("{line}; {hint}"),
        };
    }
    let out = output::Output::new(cli::Color::Auto);
    eprintln!(
        "{}: {}",
        out.red("error"),
        newsidx::error::bounded(&line, newsidx::error::LINE_MAX)
    );
    ExitCode::Error.into()
}

/// For a query's second word taken for an argument (`newsidx search merkel trump`):
/// the command with the words in quotes.
fn quote_hint(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(extra)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    if extra.starts_with('-') {
        return None;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args
        .iter()
        .position(|a| matches!(a.as_str(), "search" | "tags" | "timeline"))?;
    let at = cmd + 1 + args[cmd + 1..].iter().position(|a| a == extra)?;
    // The words typed side by side around the one not taken.
    let first = (cmd + 1..=at)
        .rev()
        .take_while(|&i| !args[i].starts_with('-'))
        .last()?;
    let last = (at..args.len())
        .take_while(|&i| !args[i].starts_with('-'))
        .last()?;
    let words = args[first..=last].join(" ").replace('"', "\\\"");
    Some(format!(
        "a query of several words goes in quotes: newsidx {} \"{words}\"",
        args[cmd]
    ))
}
