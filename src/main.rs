//! The `newsidx` binary: parse flags, run one command, print errors as one line.

mod cli;
mod commands;
mod guard;
mod output;

use clap::Parser;
use std::process::ExitCode;

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

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let out = output::Output::new(cli.color);
    // A command that reads an index runs in a child process that a damaged index
    // cannot take down without a clear line (see guard.rs).
    if let Some(index) = commands::index_of(&cli.command) {
        match guard::run_in_child() {
            None => {}
            Some(guard::Ended::Exited(code)) => return ExitCode::from(code),
            Some(guard::Ended::Stopped(sig)) => return ExitCode::from(128 + sig as u8),
            Some(guard::Ended::Crashed(sig)) => {
                let e = commands::crashed(&index, sig);
                eprintln!("{}: {:#}", out.red("error"), e);
                return ExitCode::from(2);
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
