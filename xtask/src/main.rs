//! Project tooling, run as `cargo xtask <command>` (an alias in `.cargo/config.toml`).
//!
//! - `cargo xtask bench-setup`: installs the benchmark's servers (nginx, wrk) from Debian.
//! - `cargo xtask bench [--quick] [--json] [--docs] [--peer python]`: measures grequests
//!   against its peers, side by side, in interleaved rounds.
//! - `cargo xtask msrv`: checks that the declared `rust-version` covers every dependency.

mod bench;
mod msrv;
mod setup;
mod tidy;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "grequests project tooling")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Installs nginx and wrk from Debian's packages (needs root, or sudo).
    BenchSetup,
    /// Runs the benchmark: every contender against the same servers, interleaved rounds.
    Bench(bench::BenchArgs),
    /// Checks that the workspace's rust-version is at least every dependency's.
    Msrv,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::BenchSetup => setup::run(),
        Command::Bench(args) => bench::run(&args),
        Command::Msrv => msrv::run(),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cargo xtask: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
