//! Instructions per request, counted by callgrind: the one figure this shared, noisy
//! machine cannot blur. Each contender runs twice under valgrind (N and 2N requests); the
//! difference divided by N is the cost of one more request, start-up and one-time work
//! (certificate stores, pools) left out.

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

/// Whether valgrind can be run; when it cannot, says so on standard error.
pub fn available() -> bool {
    let found = Command::new("valgrind").arg("--version").output().is_ok();
    if !found {
        eprintln!("valgrind is not installed: no instruction counts (apt-get install valgrind)");
    }
    found
}

/// `(contender, instructions per request)` of the library's contenders on the current-thread
/// runtime, size 50, against `url`; nothing when valgrind is not installed.
pub fn measure(
    contenders: &std::path::Path,
    url: &str,
) -> Result<Vec<(&'static str, f64)>, String> {
    if !available() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    for &name in CONTENDERS {
        let per_request = marginal(name, |requests| {
            let mut command = Command::new(contenders);
            command
                .arg(name)
                .args(["--url", url, "--requests", &requests.to_string()])
                .args(["--size", "50", "--flavor", "ct"]);
            Ok(command)
        })?;
        rows.push((name, per_request));
    }
    Ok(rows)
}

/// What one more request costs `name`: `command(n)` (a run of `n` requests) counted for
/// [`REQUESTS`] and twice as many, the difference divided by [`REQUESTS`].
pub fn marginal(
    name: &str,
    mut command: impl FnMut(usize) -> Result<Command, String>,
) -> Result<f64, String> {
    let short = count(name, command(REQUESTS)?)?;
    let long = count(name, command(2 * REQUESTS)?)?;
    let per_request = long.saturating_sub(short) as f64 / REQUESTS as f64;
    eprintln!("   callgrind: {name:<24} {per_request:>10.0} instructions/request");
    Ok(per_request)
}

/// Instructions of one run of `command`, under callgrind.
fn count(name: &str, command: Command) -> Result<u64, String> {
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(command.get_program())
        .args(command.get_args())
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
