//! Builds what the benchmark runs, in release.

use std::path::PathBuf;
use std::process::Command;

/// The binaries the benchmark runs.
pub struct Binaries {
    pub contenders: PathBuf,
    pub testserver: PathBuf,
}

pub fn release() -> Result<Binaries, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let run = |args: &[&str]| -> Result<(), String> {
        eprintln!("$ cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(args)
            .status()
            .map_err(|e| format!("can't run cargo: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("cargo {} failed", args.join(" ")))
        }
    };
    run(&[
        "build",
        "--release",
        "--quiet",
        "-p",
        "grequests-testserver",
    ])?;
    run(&[
        "build",
        "--release",
        "--quiet",
        "--manifest-path",
        "xtask/contenders/Cargo.toml",
        "--target-dir",
        "target/contenders",
    ])?;
    Ok(Binaries {
        contenders: PathBuf::from("target/contenders/release/grequests-contenders"),
        testserver: PathBuf::from("target/release/grequests-testserver"),
    })
}
