//! Instructions per request, counted by callgrind: the one figure this shared, noisy
//! machine cannot blur. Each contender runs twice under valgrind (N and 2N requests, the
//! current-thread runtime, size 50, against nginx); the difference divided by N is the cost
//! of one more request, start-up and one-time work (certificate stores, pools) left out.

use std::process::Command;

/// The Rust contenders counted, the bare loop first (the others are compared with it).
const CONTENDERS: &[&str] = &[
    "bare-hyper",
    "reqwest",
    "grequests-map",
    "grequests-imap",
    "grequests-tower-map",
];

/// Requests in the shorter run; the longer has twice as many.
const REQUESTS: usize = 2_000;

/// `(contender, instructions per request)`, or nothing when valgrind is not installed.
pub fn measure(
    contenders: &std::path::Path,
    url: &str,
) -> Result<Vec<(&'static str, f64)>, String> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("valgrind is not installed: no instruction counts (apt-get install valgrind)");
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    for &name in CONTENDERS {
        let short = count(contenders, name, url, REQUESTS)?;
        let long = count(contenders, name, url, 2 * REQUESTS)?;
        let per_request = long.saturating_sub(short) as f64 / REQUESTS as f64;
        eprintln!("   callgrind: {name:<24} {per_request:>10.0} instructions/request");
        rows.push((name, per_request));
    }
    Ok(rows)
}

/// Instructions of one run of `name` with `requests` requests.
fn count(
    contenders: &std::path::Path,
    name: &str,
    url: &str,
    requests: usize,
) -> Result<u64, String> {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(contenders)
        .arg(name)
        .args(["--url", url, "--requests", &requests.to_string()])
        .args(["--size", "50", "--flavor", "ct"])
        .output()
        .map_err(|err| format!("valgrind {name}: {err}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("valgrind {name} failed: {stderr}"));
    }
    stderr
        .lines()
        .find_map(|line| line.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("valgrind {name}: no instruction count in its output"))
}
