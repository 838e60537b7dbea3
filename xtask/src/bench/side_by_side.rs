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
/// and peak memory when `resources` were measured, instructions a request for the
/// contenders in `instructions` (a column only when it names any), rows fetched (the worst
/// round), and the first contender's rate over each one's.
pub fn table(
    title: &str,
    samples: &[(&'static str, Vec<Sample>)],
    count: usize,
    resources: bool,
    instructions: &[(&'static str, f64)],
) -> String {
    let (ours_name, ours) = samples
        .first()
        .map(|(name, runs)| (*name, median(runs.iter().map(|s| s.rps).collect()).0))
        .unwrap_or(("ours", f64::NAN));
    let mut out = format!("## {title}\n\n| contender | req/s | min–max |");
    if resources {
        out.push_str(" CPU µs/req | peak MiB |");
    }
    if !instructions.is_empty() {
        out.push_str(" instructions/req |");
    }
    let _ = write!(out, " fetched | {ours_name} vs it |\n|---|---:|---:|");
    if resources {
        out.push_str("---:|---:|");
    }
    if !instructions.is_empty() {
        out.push_str("---:|");
    }
    out.push_str("---:|---:|\n");
    for (name, runs) in samples {
        if runs.is_empty() {
            let blanks = 3 + 2 * usize::from(resources) + usize::from(!instructions.is_empty());
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
        if !instructions.is_empty() {
            match instructions.iter().find(|(counted, _)| counted == name) {
                Some((_, per_request)) => {
                    let _ = write!(out, " {:.1}k |", per_request / 1000.0);
                }
                None => out.push_str(" |"),
            }
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
    rewrite_docs(|old| with_other_sections(report, old))
}

/// docs/bench.md rewritten by `update` from its current text (empty when it is missing).
fn rewrite_docs(update: impl FnOnce(&str) -> String) -> Result<(), String> {
    let path = Path::new("docs/bench.md");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    std::fs::write(path, update(&old)).map_err(|e| format!("docs/bench.md: {e}"))
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

/// Replaces the table of docs/bench.md's section that starts with `heading` (up to the
/// next `## `) by `section`'s, in place, keeping the prose written above it by hand; or
/// appends `section`. The rest of the file stays as it is.
pub fn write_docs_section(heading: &str, section: &str) -> Result<(), String> {
    rewrite_docs(|text| with_section(text, heading, section))
}

fn with_section(text: &str, heading: &str, section: &str) -> String {
    let Some(at) = text.find(heading) else {
        let updated = format!("{}\n\n{}", text.trim_end(), section.trim_end());
        return updated.trim_start().to_owned() + "\n";
    };
    let end = text[at + 1..]
        .find("\n## ")
        .map_or(text.len(), |e| at + 1 + e + 1);
    let old = &text[at..end];
    let (title, table) = match section.find("\n|").map(|t| t + 1) {
        Some(table) => (section[..table].trim_end(), &section[table..]),
        None => (section.trim_end(), ""),
    };
    // The old table is the one with the new one's header (a section may hold other tables,
    // written by hand), else its first; what lies around it is prose, kept.
    let header = table.lines().next().unwrap_or("|");
    let old_table = old
        .find(&format!("\n{header}\n"))
        .or_else(|| old.find("\n|"))
        .map(|t| t + 1);
    let title_end = old.find('\n').unwrap_or(old.len());
    let (prose, after) = match old_table {
        Some(start) if title_end < start => {
            let table_len: usize = old[start..]
                .split_inclusive('\n')
                .take_while(|line| line.starts_with('|'))
                .map(str::len)
                .sum();
            (&old[title_end..start], old[start + table_len..].trim_end())
        }
        _ => ("\n\n", ""),
    };
    let after = if after.is_empty() {
        String::new()
    } else {
        format!("\n{after}")
    };
    let rebuilt = format!("{title}{prose}{}{after}", table.trim_end());
    let rest = text[end..].trim_start_matches('\n');
    if rest.is_empty() {
        format!("{}{rebuilt}\n", &text[..at])
    } else {
        format!("{}{rebuilt}\n\n{rest}", &text[..at])
    }
}

#[cfg(test)]
#[test]
fn a_section_s_new_table_keeps_its_place_and_prose() {
    let old = "# B\n\n## Ray Data: old\n\nHow it runs.\n\n| a |\n|---|\n| 1 |\n\n## Command line\n\ncli\n";
    let new = "## Ray Data: new\n\n| a |\n|---|\n| 2 |\n";
    assert_eq!(
        with_section(old, "## Ray Data:", new),
        "# B\n\n## Ray Data: new\n\nHow it runs.\n\n| a |\n|---|\n| 2 |\n\n## Command line\n\ncli\n"
    );
    assert_eq!(
        with_section("# B\n", "## Ray Data:", new),
        "# B\n\n## Ray Data: new\n\n| a |\n|---|\n| 2 |\n"
    );
    // A hand-written table before the contenders' one, and prose after it, stay.
    let old = "## CLI: old\n\nSteps:\n\n| step |\n|---|\n| x |\n\nWhy.\n\n| a |\n|---|\n| 1 |\n\nAfter.\n\n## Next\n";
    let new = "## CLI: new\n\n| a |\n|---|\n| 2 |\n";
    assert_eq!(
        with_section(old, "## CLI:", new),
        "## CLI: new\n\nSteps:\n\n| step |\n|---|\n| x |\n\nWhy.\n\n| a |\n|---|\n| 2 |\n\nAfter.\n\n## Next\n"
    );
}
