//! `cargo xtask bench`: grequests against its peers on the same servers, side by side.
//!
//! Every contender runs as a process of its own (clean peak memory and CPU time from
//! getrusage), in interleaved rounds (A B C, A B C, …) so that a noisy neighbour hurts
//! everyone alike; the table shows medians with min–max and ratios to the bare hyper-util
//! loop and to reqwest measured in the same run.

mod build;
mod chart;
mod cli;
mod instructions;
mod machine;
mod python;
mod ray;
mod report;
mod runner;
mod scenarios;
mod servers;
mod side_by_side;

use std::path::PathBuf;

use clap::Args;

/// Options of `cargo xtask bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Fewer requests and rounds: under two minutes once built.
    #[arg(long)]
    pub quick: bool,
    /// Also write the figures as JSON to target/bench/results.json.
    #[arg(long)]
    pub json: bool,
    /// Also write docs/bench.md and docs/bench.svg.
    #[arg(long)]
    pub docs: bool,
    /// Add peers from other ecosystems: `python` (grequests 0.7 and aiohttp in a venv).
    #[arg(long = "peer")]
    pub peers: Vec<String>,
    /// Rounds per contender (default 3, quick 1).
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Only the scenarios whose id contains this text.
    #[arg(long)]
    pub only: Option<String>,
    /// Instead of the library's scenarios: `grequests fetch` against curl, xargs + curl,
    /// wget2, aria2c and the library's `imap` on 100 000 URLs over 1 000 origins.
    #[arg(long)]
    pub cli: bool,
    /// Instead of the library's scenarios: `grequests_rs.ray.fetch` against the same Ray
    /// Data pipeline on requests and on aiohttp, 100 000 URLs over 100 origins, 2 actors.
    #[arg(long, conflicts_with = "cli")]
    pub ray: bool,
}

/// Where the benchmark keeps its files.
pub fn work_dir() -> PathBuf {
    PathBuf::from("target/bench")
}

pub fn run(args: &BenchArgs) -> Result<(), String> {
    let missing = crate::setup::missing();
    if !missing.is_empty() {
        return Err(format!(
            "{} not installed: run `cargo xtask bench-setup` first",
            missing.join(" and ")
        ));
    }
    std::fs::create_dir_all(work_dir()).map_err(|e| format!("target/bench: {e}"))?;
    let rounds = args.rounds.unwrap_or(if args.quick { 1 } else { 3 }).max(1);
    if args.cli {
        build::release()?;
        return cli::run_cli(args.quick, rounds, args.docs);
    }
    if args.ray {
        return ray::run_ray(args.quick, rounds, args.docs);
    }
    let binaries = build::release()?;
    let python = if args.peers.iter().any(|p| p == "python") {
        Some(python::Peers::prepare()?)
    } else {
        None
    };
    let plan = scenarios::plan(args.quick, python.is_some());
    let plan: Vec<_> = plan
        .into_iter()
        .filter(|s| args.only.as_deref().is_none_or(|only| s.id.contains(only)))
        .collect();
    let servers = servers::Servers::start(&binaries, &plan)?;
    let mut results = Vec::new();
    for scenario in &plan {
        eprintln!("== {} ({})", scenario.title, scenario.id);
        let measured = runner::measure(scenario, &servers, &binaries, python.as_ref(), rounds)?;
        results.push(measured);
    }
    let instructions = match servers.base(scenarios::Server::Nginx) {
        Ok((base, _)) => {
            eprintln!("== Instructions per request (callgrind)");
            instructions::measure(&binaries.contenders, &format!("{base}/small"))?
        }
        Err(_) => Vec::new(),
    };
    drop(servers);
    let machine = machine::describe();
    let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let report = report::Report::new(
        &results,
        &instructions,
        &machine,
        &format!("cargo xtask {command}"),
        rounds,
    );
    println!("{}", report.text());
    std::fs::write(work_dir().join("report.md"), report.markdown())
        .map_err(|e| format!("report.md: {e}"))?;
    chart::draw(&results, &work_dir().join("chart.svg"))?;
    if args.json {
        let path = work_dir().join("results.json");
        std::fs::write(&path, report.json()).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if args.docs {
        std::fs::create_dir_all("docs").map_err(|e| format!("docs: {e}"))?;
        side_by_side::write_docs_report(&report.markdown())?;
        chart::draw(&results, std::path::Path::new("docs/bench.svg"))?;
        eprintln!("wrote docs/bench.md and docs/bench.svg");
    }
    Ok(())
}
