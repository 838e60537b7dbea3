//! What `bench --cli` and `bench --ray` share: contenders run as whole commands in
//! interleaved rounds on one list of URLs, a table with each one's ratio to ours (the first
//! contender), and that table kept as one section of docs/bench.md.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use super::report::median;
use super::runner::{run, Sample};

/// Runs each of `names` once per round, in the same order every round (A B C, A B C, …),
/// with the command `command(index)` makes for the contender at `index`; a contender that
/// fails is reported and left out of that round.
pub fn interleaved(
    names: &[&'static str],
    rounds: usize,
    count: usize,
    mut command: impl FnMut(usize) -> Result<Command, String>,
) -> Vec<(&'static str, Vec<Sample>)> {
    let mut samples: Vec<(&'static str, Vec<Sample>)> =
        names.iter().map(|name| (*name, Vec::new())).collect();
    for round in 1..=rounds {
        for (index, (name, runs)) in samples.iter_mut().enumerate() {
            match command(index).and_then(|mut command| run(&mut command)) {
                Ok(sample) => {
                    eprintln!(
                        "   round {round}: {name:<22} {:>8.0} req/s  {:>6.1} µs CPU/req  {:>6.1} MiB  {}/{} ok",
                        sample.rps,
                        sample.cpu_s * 1e6 / count as f64,
                        sample.max_rss_kib / 1024.0,
                        sample.ok,
                        sample.requests
                    );
                    runs.push(sample);
                }
                Err(err) => eprintln!("   round {round}: {name:<22} skipped: {err}"),
            }
        }
    }
    samples
}

/// A markdown section headed `## {title}`: medians (min–max) of requests per second, CPU
/// and peak memory when `resources` were measured, rows fetched (the worst round), and the
/// first contender's rate over each one's.
pub fn table(
    title: &str,
    samples: &[(&'static str, Vec<Sample>)],
    count: usize,
    resources: bool,
) -> String {
    let (ours_name, ours) = samples
        .first()
        .map(|(name, runs)| (*name, median(runs.iter().map(|s| s.rps).collect()).0))
        .unwrap_or(("ours", f64::NAN));
    let mut out = format!("## {title}\n\n| contender | req/s | min–max |");
    if resources {
        out.push_str(" CPU µs/req | peak MiB |");
    }
    let _ = write!(out, " fetched | {ours_name} vs it |\n|---|---:|---:|");
    if resources {
        out.push_str("---:|---:|");
    }
    out.push_str("---:|---:|\n");
    for (name, runs) in samples {
        if runs.is_empty() {
            let blanks = if resources { 5 } else { 3 };
            let _ = writeln!(out, "| {name} | not run |{}", " |".repeat(blanks));
            continue;
        }
        let (rate, min, max) = median(runs.iter().map(|s| s.rps).collect());
        let _ = write!(out, "| {name} | {rate:.0} | {min:.0}–{max:.0} |");
        if resources {
            let (cpu, _, _) = median(runs.iter().map(|s| s.cpu_s * 1e6 / count as f64).collect());
            let (rss, _, _) = median(runs.iter().map(|s| s.max_rss_kib / 1024.0).collect());
            let _ = write!(out, " {cpu:.1} | {rss:.1} |");
        }
        let ok = runs.iter().map(|s| s.ok).min().unwrap_or(0);
        let _ = writeln!(out, " {ok} | {:.2}x |", ours / rate.max(1e-9));
    }
    out
}

/// Writes `report` as docs/bench.md, keeping the old file's `## ` sections that the report
/// does not have: those of the runs that write one section each (`--ray`, `--cli`) and the
/// ones measured by hand.
pub fn write_docs_report(report: &str) -> Result<(), String> {
    let path = Path::new("docs/bench.md");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    std::fs::write(path, with_other_sections(report, &old))
        .map_err(|e| format!("docs/bench.md: {e}"))
}

/// `report`, then each `## ` section of `old` whose heading it does not have.
fn with_other_sections(report: &str, old: &str) -> String {
    let mut updated = report.trim_end().to_owned();
    for section in old.split("\n## ").skip(1) {
        let heading = section.lines().next().unwrap_or_default();
        if !report.contains(&format!("\n## {heading}\n")) {
            updated.push_str("\n\n## ");
            updated.push_str(section.trim_end());
        }
    }
    updated + "\n"
}

#[cfg(test)]
#[test]
fn a_new_report_keeps_the_sections_other_runs_wrote() {
    let old = "# Benchmarks\n\n## Throughput\n\nold figures\n\n## Ray Data\n\nray figures\n";
    let report = "# Benchmarks\n\n## Throughput\n\nnew figures\n";
    assert_eq!(
        with_other_sections(report, old),
        "# Benchmarks\n\n## Throughput\n\nnew figures\n\n## Ray Data\n\nray figures\n"
    );
}

/// Replaces docs/bench.md's section that starts with `heading` (up to the next `## `) by
/// `section`, or appends it; the rest of the file stays as it is.
pub fn write_docs_section(heading: &str, section: &str) -> Result<(), String> {
    let path = Path::new("docs/bench.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let kept = match text.find(heading) {
        Some(at) => {
            let end = text[at + 1..]
                .find("\n## ")
                .map_or(text.len(), |e| at + 1 + e + 1);
            format!("{}{}", &text[..at], &text[end..])
        }
        None => text,
    };
    let updated = format!("{}\n\n{}", kept.trim_end(), section.trim_end());
    std::fs::write(path, updated.trim_start().to_owned() + "\n")
        .map_err(|e| format!("docs/bench.md: {e}"))
}
