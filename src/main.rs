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

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let out = output::Output::new(cli.color);
    match commands::run(cli.command, &out) {
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
