//! `--peer python`: grequests 0.7, aiohttp and pyreqwest, and this project's own Python
//! package (`grequests_rs`, built in release), in a virtualenv the harness makes.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The PyPI packages of the peers, and the build tool of ours.
const PACKAGES: &[&str] = &[
    "grequests==0.7.0",
    "aiohttp",
    "pyreqwest",
    "maturin>=1.9.4,<2",
];

pub struct Peers {
    python: PathBuf,
}

fn checked(command: &mut Command, what: &str) -> Result<(), String> {
    eprintln!("$ {what}");
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{what}: {status}")),
        Err(err) => Err(format!("{what}: {err}")),
    }
}

impl Peers {
    /// Creates `target/bench/venv` with the peers unless it has them already, and installs
    /// this project's package into it, built afresh in release.
    pub fn prepare() -> Result<Peers, String> {
        let venv = super::work_dir().join("venv");
        let python = venv.join("bin/python");
        let ready = Command::new(&python)
            .args(["-c", "import grequests, aiohttp, pyreqwest"])
            .output()
            .is_ok_and(|o| o.status.success())
            && venv.join("bin/maturin").exists();
        if !ready {
            checked(
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
                "python3 -m venv target/bench/venv (is python3-venv installed?)",
            )?;
            checked(
                Command::new(venv.join("bin/pip"))
                    .args(["install", "--quiet", "--disable-pip-version-check"])
                    .args(PACKAGES),
                &format!("pip install {}", PACKAGES.join(" ")),
            )?;
        }
        install_ours(&venv)?;
        Ok(Peers { python })
    }

    /// The command that runs peer `name` (`python-grequests`, `python-aiohttp`,
    /// `python-pyreqwest`, `python-grequests-rs-map`, `python-grequests-rs-imap`).
    pub fn command(&self, name: &str, url: &str, requests: usize, size: usize) -> Command {
        let mut command = Command::new(&self.python);
        match name {
            "python-grequests" => command.arg("xtask/peers/grequests_imap.py"),
            "python-aiohttp" => command.arg("xtask/peers/aiohttp_gather.py"),
            "python-pyreqwest" => command.arg("xtask/peers/pyreqwest_gather.py"),
            ours => command
                .arg("xtask/peers/grequests_rs_batch.py")
                .arg(ours.rsplit('-').next().unwrap_or("map")),
        };
        command
            .arg(url)
            .arg(requests.to_string())
            .arg(size.to_string());
        command
    }
}

/// Builds `grequests_rs` in release into `target/bench/wheels` and installs it.
fn install_ours(venv: &Path) -> Result<(), String> {
    let wheels = super::work_dir().join("wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    checked(
        Command::new(venv.join("bin/maturin"))
            .args(["build", "--release", "--quiet"])
            .args(["--manifest-path", "crates/grequests-py/Cargo.toml", "--out"])
            .arg(&wheels)
            .arg("--interpreter")
            .arg(venv.join("bin/python"))
            .env("CARGO_TARGET_DIR", "target/python-release"),
        "maturin build --release (crates/grequests-py)",
    )?;
    let wheel = std::fs::read_dir(&wheels)
        .map_err(|err| err.to_string())?
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "whl"))
        .ok_or("maturin built no wheel")?;
    checked(
        Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
            ])
            .arg("--force-reinstall")
            .arg(&wheel),
        "pip install the grequests_rs wheel",
    )
}
