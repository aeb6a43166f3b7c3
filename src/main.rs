//! The `newsidx` binary: parse flags, run one command, print errors as one line.

mod cli;
mod commands;
mod exit_codes;
mod output;

use clap::Parser;
use exit_codes::ExitCode;

/// mimalloc: less CPU per allocation than glibc's malloc, and memory freed by the
/// tantivy writer thread goes back to use instead of piling up in per-thread arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let out = output::Output::new(cli.color);
    match commands::run(cli.command, &out) {
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
    let out = output::Output::new(cli::Color::Auto);
    eprintln!(
        "{}: {}",
        out.red("error"),
        newsidx::error::bounded(&line, newsidx::error::LINE_MAX)
    );
    ExitCode::Error.into()
}
