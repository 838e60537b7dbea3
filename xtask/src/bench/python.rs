//! `--peer python`: grequests 0.7 and aiohttp, in a virtualenv the harness makes.

use std::path::PathBuf;
use std::process::Command;

pub struct Peers {
    python: PathBuf,
}

impl Peers {
    /// Creates `target/bench/venv` with the peers, unless it has them already.
    pub fn prepare() -> Result<Peers, String> {
        let venv = super::work_dir().join("venv");
        let python = venv.join("bin/python");
        let ready = Command::new(&python)
            .args(["-c", "import grequests, aiohttp"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ready {
            eprintln!(
                "$ python3 -m venv {} && pip install grequests==0.7.0 aiohttp",
                venv.display()
            );
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status();
            if !made.is_ok_and(|s| s.success()) {
                return Err("python3 -m venv failed (is python3-venv installed?)".into());
            }
            let installed = Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "grequests==0.7.0",
                    "aiohttp",
                ])
                .status();
            if !installed.is_ok_and(|s| s.success()) {
                return Err("pip install grequests aiohttp failed".into());
            }
        }
        Ok(Peers { python })
    }

    /// The command that runs peer `name` (`python-grequests`, `python-aiohttp`).
    pub fn command(&self, name: &str, url: &str, requests: usize, size: usize) -> Command {
        let script = match name {
            "python-grequests" => "xtask/peers/grequests_imap.py",
            _ => "xtask/peers/aiohttp_gather.py",
        };
        let mut command = Command::new(&self.python);
        command
            .arg(script)
            .arg(url)
            .arg(requests.to_string())
            .arg(size.to_string());
        command
    }
}
