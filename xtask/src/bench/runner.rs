//! Runs the contenders of a scenario in interleaved rounds and collects their reports.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::build::Binaries;
use super::python::Peers;
use super::scenarios::{Contender, Scenario, Server};
use super::servers::Servers;

/// No single run may take longer: the slowest contender (Python grequests) needs ~15 s.
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// One run of one contender, as it reported itself.
#[derive(Debug, Clone)]
pub struct Sample {
    pub ok: u64,
    pub requests: u64,
    pub wall_s: f64,
    pub rps: f64,
    pub cpu_s: f64,
    pub max_rss_kib: f64,
}

/// Everything measured for one scenario.
pub struct Measured {
    pub scenario: Scenario,
    pub runs: Vec<(Contender, Vec<Sample>)>,
    /// wrk's requests per second, when the scenario measures the server's ceiling.
    pub ceiling: Vec<f64>,
}

pub fn measure(
    scenario: &Scenario,
    servers: &Servers,
    binaries: &Binaries,
    python: Option<&Peers>,
    rounds: usize,
) -> Result<Measured, String> {
    let (base, ca) = servers.base(scenario.server)?;
    let url = format!("{base}{}", scenario.path);
    let mut runs: Vec<(Contender, Vec<Sample>)> = scenario
        .contenders
        .iter()
        .filter(|c| !c.is_python() || python.is_some())
        .map(|c| (c.clone(), Vec::new()))
        .collect();
    let mut ceiling = Vec::new();
    for round in 1..=rounds.max(scenario.min_rounds) {
        for (contender, samples) in &mut runs {
            let requests = contender.requests.unwrap_or(scenario.requests);
            let mut command = match (contender.is_python(), python) {
                (true, Some(peers)) => peers.command(contender.name, &url, requests, scenario.size),
                _ => {
                    let mut command = limited(&binaries.contenders);
                    command.arg(contender.name).args([
                        "--url",
                        &url,
                        "--requests",
                        &requests.to_string(),
                        "--size",
                        &scenario.size.to_string(),
                        "--flavor",
                        contender.flavor,
                    ]);
                    if scenario.h2c {
                        command.arg("--h2c");
                    }
                    if let Some(ca) = &ca {
                        command.arg("--ca").arg(ca);
                    }
                    command
                }
            };
            let sample = run(&mut command)
                .map_err(|e| format!("{} in {}: {e}", contender.label(), scenario.id))?;
            eprintln!(
                "   round {round}: {:<40} {:>10.0} req/s  {:>7.1} µs CPU/req  {:>8.1} MiB",
                contender.label(),
                sample.rps,
                sample.cpu_s / sample.requests.max(1) as f64 * 1e6,
                sample.max_rss_kib / 1024.0
            );
            if sample.ok != sample.requests && scenario.server != Server::Mock {
                return Err(format!(
                    "{} in {}: only {} of {} requests succeeded",
                    contender.label(),
                    scenario.id,
                    sample.ok,
                    sample.requests
                ));
            }
            samples.push(sample);
        }
        if scenario.ceiling {
            let rps = wrk(&url, scenario.size)?;
            eprintln!(
                "   round {round}: {:<40} {:>10.0} req/s",
                "wrk (server ceiling)", rps
            );
            ceiling.push(rps);
        }
    }
    Ok(Measured {
        scenario: scenario.clone(),
        runs,
        ceiling,
    })
}

/// A command run through `sh` with the open-file limit raised.
fn limited(program: &std::path::Path) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null; exec \"$0\" \"$@\"")
        .arg(program);
    command
}

/// Runs one contender, bounded by [`RUN_LIMIT`], and parses its JSON line.
pub(super) fn run(command: &mut Command) -> Result<Sample, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("can't start: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("killed after {RUN_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if !status.success() {
        return Err(format!("exited with {status}"));
    }
    let line = stdout.lines().last().ok_or("printed nothing")?;
    let report: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("bad report {line:?}: {e}"))?;
    let number = |key: &str| {
        report[key]
            .as_f64()
            .ok_or(format!("report lacks {key}: {line}"))
    };
    Ok(Sample {
        ok: number("ok")? as u64,
        requests: number("requests")? as u64,
        wall_s: number("wall_s")?,
        rps: number("rps")?,
        cpu_s: number("cpu_s")?,
        max_rss_kib: number("max_rss_kib")?,
    })
}

/// The server's ceiling: wrk with one thread and as many connections as the batch size.
fn wrk(url: &str, connections: usize) -> Result<f64, String> {
    let output = Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), "-d3s", url])
        .output()
        .map_err(|e| format!("can't run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("wrk printed no rate:\n{text}"))
}
