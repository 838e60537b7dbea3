//! `--peer python`: grequests 0.7, aiohttp and pyreqwest, and this project's own Python
//! package (`grequests_rs`, built in release), in a virtualenv the harness makes.

use std::path::Path;
use std::process::Command;

use grequests_testserver::PythonEnv;

/// The PyPI packages of the peers, and the build tool of ours.
const PACKAGES: &[&str] = &[
    "grequests==0.7.0",
    "aiohttp",
    "pyreqwest",
    "maturin>=1.9.4,<2",
];

pub struct Peers {
    env: PythonEnv,
}

impl Peers {
    /// Creates `target/bench/venv` with the peers unless it has them already, and installs
    /// this project's package into it, built afresh in release.
    pub fn prepare() -> Result<Peers, String> {
        eprintln!("$ the Python peers and grequests_rs (release) in target/bench/venv");
        let env = PythonEnv::ensure(
            super::work_dir().join("venv"),
            "import grequests, aiohttp, pyreqwest, maturin",
            PACKAGES,
        )?;
        env.install_wheel(
            Path::new("crates/grequests-py/Cargo.toml"),
            Path::new("target/python-release"),
            true,
        )?;
        Ok(Peers { env })
    }

    /// The command that runs peer `name` (`python-grequests`, `python-aiohttp`,
    /// `python-pyreqwest`, `python-grequests-rs-map`, `python-grequests-rs-imap`).
    pub fn command(&self, name: &str, url: &str, requests: usize, size: usize) -> Command {
        let mut command = Command::new(self.env.python());
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
