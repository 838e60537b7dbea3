//! `grequests`: send many HTTP requests at once from the command line.
//!
//! `grequests fetch urls.txt -o out.jsonl` fetches every URL of a list, politely (per-host
//! concurrency and delay, robots.txt), resumably (`--resume` after any crash) and sharded by
//! host across machines (`--shard I/N`), writing one JSONL record per input line, and WARC
//! records with `--warc`. The README's "Command line" section documents the record.

mod args;
mod crawl;
mod fetch;
mod frontier;
mod input;
mod output;
mod progress;
mod record;
mod resume;
mod robots;
mod shard;
mod warc;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Fetch(args) => {
            let runtime = match runtime(args.threads) {
                Ok(runtime) => runtime,
                Err(err) => {
                    eprintln!("grequests: can't start the runtime: {err}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(crawl::run(args)) {
                Ok(crawl::Ended::Done) => ExitCode::SUCCESS,
                Ok(crawl::Ended::Interrupted) => {
                    eprintln!("grequests: interrupted; run again with --resume to go on");
                    // As a shell reports a process ended by SIGINT.
                    ExitCode::from(130)
                }
                Err(err) => {
                    eprintln!("grequests: {err}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// The runtime of `--threads`: one thread runs everything on it, with no handoff between
/// workers (the library's benchmarks call this "current-thread"); more is tokio's
/// work-stealing pool of that many workers.
fn runtime(threads: u32) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(threads as usize);
        builder
    };
    builder.enable_all().build()
}
