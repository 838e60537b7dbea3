//! [`PythonEnv`]: the virtualenv a suite needs (pytest and the package's test tools, or
//! warcio to check WARC files), made under the target directory on first use and reused.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A virtualenv under `<target>/<name>` with `packages` installed from PyPI.
#[derive(Debug)]
pub struct PythonEnv {
    dir: PathBuf,
}

impl PythonEnv {
    /// The target directory of this build: `CARGO_TARGET_DIR` (relative to `workspace`) or
    /// `workspace/target`.
    pub fn target_dir(workspace: &Path) -> PathBuf {
        match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
            Some(dir) if dir.is_absolute() => dir,
            Some(dir) => workspace.join(dir),
            None => workspace.join("target"),
        }
    }

    /// Makes (or reuses) the virtualenv `dir` and installs `requirements` (pip's syntax)
    /// unless `check` (a Python statement, e.g. `import warcio`) already runs in it.
    pub fn ensure(dir: PathBuf, check: &str, requirements: &[&str]) -> Result<Self, String> {
        let env = PythonEnv { dir };
        if !env.python().exists() {
            run(
                Command::new("python3").args(["-m", "venv"]).arg(&env.dir),
                "python3 -m venv (is python3 with venv installed?)",
            )?;
        }
        let ready = Command::new(env.python())
            .args(["-c", check])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ready {
            run(
                Command::new(env.bin("pip"))
                    .args(["install", "--quiet", "--disable-pip-version-check"])
                    .args(requirements),
                &format!("pip install {}", requirements.join(" ")),
            )?;
        }
        Ok(env)
    }

    /// The virtualenv's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its interpreter.
    pub fn python(&self) -> PathBuf {
        self.bin("python")
    }

    /// One of its commands (`pip`, `maturin`, `warcio`).
    pub fn bin(&self, name: &str) -> PathBuf {
        self.dir.join("bin").join(name)
    }
}

/// Runs `command`, an error with its output when it fails.
pub fn run(command: &mut Command, what: &str) -> Result<std::process::Output, String> {
    let output = command
        .output()
        .map_err(|err| format!("{what}: can't run {command:?}: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(output)
}
