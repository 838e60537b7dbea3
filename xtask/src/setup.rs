//! `cargo xtask bench-setup`: the benchmark's servers, from Debian's packages.

use std::process::Command;

/// The packages the benchmark needs: nginx (the server for throughput scenarios, not ours,
/// so nobody tunes the server to the client) and wrk (the server's ceiling).
const PACKAGES: &[&str] = &["nginx-light", "wrk"];

pub fn run() -> Result<(), String> {
    if missing().is_empty() {
        println!("nginx and wrk are installed");
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
    [("nginx", "/usr/sbin/nginx"), ("wrk", "/usr/bin/wrk")]
        .into_iter()
        .filter(|(name, path)| {
            !std::path::Path::new(path).exists()
                && !Command::new("sh")
                    .args(["-c", &format!("command -v {name}")])
                    .output()
                    .is_ok_and(|o| o.status.success())
        })
        .map(|(name, _)| name)
        .collect()
}
