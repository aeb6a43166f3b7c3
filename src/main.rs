//! The `newsidx` binary: parse flags, run one command, print errors as one line.

mod cli;
mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: less CPU per allocation than glibc's malloc, and memory freed by the
/// tantivy writer thread goes back to use instead of piling up in per-thread arenas.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where the last panic happened (` at file:line`), for the one-line internal error.
static PANIC_AT: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

pub(crate) fn panic_location() -> Option<String> {
    PANIC_AT.lock().ok().and_then(|g| g.clone())
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let out = output::Output::new(cli.color);
    // Panics are caught (commands::run_guarded) and said in one line; the default
    // hook's message and backtrace note would only add noise to it.
    std::panic::set_hook(Box::new(|info| {
        if let (Some(l), Ok(mut g)) = (info.location(), PANIC_AT.lock()) {
            *g = Some(format!(" at {}:{}", l.file(), l.line()));
        }
    }));
    match commands::run_guarded(cli.command, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`newsidx search … | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("{}: {:#}", out.red("error"), e);
            ExitCode::from(2)
        }
    }
}
