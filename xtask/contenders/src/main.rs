//! One benchmark run of one contender, reported as a JSON line on stdout:
//! `grequests-contenders CONTENDER --url URL --requests N --size K --flavor ct|mt [--h2c] [--ca FILE]`.
//!
//! Contenders: `bare-hyper` and `reqwest` (hand-rolled `buffer_unordered` loops, what users
//! write without us), `grequests-map`, `grequests-imap`, `grequests-blocking-map`,
//! `grequests-tower-map`, and on the mock transport `mock-map`, `mock-imap`.

mod args;
mod peers;
mod ours;
mod usage;

use std::time::Instant;

fn main() {
    let args = match args::Args::parse() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("grequests-contenders: {message}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let outcome = match args.contender.as_str() {
        "bare-hyper" => args.runtime().block_on(peers::bare_hyper(&args)),
        "reqwest" => args.runtime().block_on(peers::reqwest(&args)),
        "grequests-map" => args.runtime().block_on(ours::map(&args)),
        "grequests-imap" => args.runtime().block_on(ours::imap(&args)),
        "grequests-tower-map" => args.runtime().block_on(ours::tower_map(&args)),
        "grequests-blocking-map" => ours::blocking_map(&args),
        "mock-map" => args.runtime().block_on(ours::mock_map(&args)),
        "mock-imap" => args.runtime().block_on(ours::mock_imap(&args)),
        other => Err(format!("unknown contender {other:?}")),
    };
    let wall = started.elapsed().as_secs_f64();
    let usage = usage::now();
    match outcome {
        Ok(ok) => {
            let report = serde_json::json!({
                "contender": args.contender,
                "flavor": args.flavor,
                "requests": args.requests,
                "ok": ok,
                "wall_s": wall,
                "rps": args.requests as f64 / wall,
                "cpu_s": usage.cpu_s,
                "max_rss_kib": usage.max_rss_kib,
            });
            println!("{report}");
        }
        Err(message) => {
            eprintln!("grequests-contenders {}: {message}", args.contender);
            std::process::exit(1);
        }
    }
}
