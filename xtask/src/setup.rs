//! `cargo xtask bench-setup`: the benchmark's servers, from Debian's packages.

use std::process::Command;

/// The packages the benchmark needs: nginx (the server for throughput scenarios, not ours,
/// so nobody tunes the server to the client) and wrk (the server's ceiling); and the
/// command-line peers of `bench --cli` (curl, wget2, aria2c), and GNU time, which measures
/// their peak memory (see `xtask/peers/_cli_run.py`).
const PACKAGES: &[&str] = &["nginx-light", "wrk", "curl", "wget2", "aria2", "time"];

pub fn run() -> Result<(), String> {
    let peers = ["curl", "wget2", "aria2c"];
    let peers_missing = peers.iter().any(|tool| !on_path(tool));
    if missing().is_empty() && !peers_missing {
        println!("nginx, wrk, GNU time, curl, wget2 and aria2c are installed");
        return Ok(());
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let prefix: &[&str] = if root { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| -> Result<(), String> {
        let mut command = Command::new(prefix.first().copied().unwrap_or("apt-get"));
        if !prefix.is_empty() {
            command.arg("apt-get");
        }
        let status = command
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("can't run apt-get: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("apt-get {} failed ({status})", args.join(" ")))
        }
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq"];
    install.extend_from_slice(PACKAGES);
    apt(&install)?;
    match missing().as_slice() {
        [] => Ok(()),
        still => Err(format!("still missing after install: {}", still.join(", "))),
    }
}

/// The tools not found on this machine.
pub fn missing() -> Vec<&'static str> {
    [
        ("nginx", "/usr/sbin/nginx"),
        ("wrk", "/usr/bin/wrk"),
        ("time", "/usr/bin/time"),
    ]
    .into_iter()
    .filter(|(name, path)| !std::path::Path::new(path).exists() && !on_path(name))
    .map(|(name, _)| name)
    .collect()
}

/// Whether `tool` is a command on the PATH.
pub(crate) fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}
