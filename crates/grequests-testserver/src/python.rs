//! [`PythonEnv`]: the virtualenv a suite or the bench needs (pytest and the package's test
//! tools, warcio to check WARC files, the Python peers), made under the target directory on
//! first use and reused, and the wheel of the project's Python package installed into it.

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

    /// Builds the Python package of `manifest` (a maturin project) into a wheel and installs
    /// it, replacing any earlier build: in `target` (a target directory of its own, since the
    /// cargo running the caller holds the workspace's), in release when asked.
    pub fn install_wheel(
        &self,
        manifest: &Path,
        target: &Path,
        release: bool,
    ) -> Result<(), String> {
        let wheels = target.join("wheels");
        let _ = std::fs::remove_dir_all(&wheels);
        let mut build = Command::new(self.bin("maturin"));
        build
            .args(["build", "--quiet", "--manifest-path"])
            .arg(manifest);
        if release {
            build.arg("--release");
        }
        build
            .arg("--out")
            .arg(&wheels)
            .arg("--interpreter")
            .arg(self.python())
            .env("CARGO_TARGET_DIR", target)
            .env("VIRTUAL_ENV", &self.dir);
        run(&mut build, "maturin build")?;
        let wheel = std::fs::read_dir(&wheels)
            .map_err(|err| format!("{}: {err}", wheels.display()))?
            .flatten()
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|e| e == "whl"))
            .ok_or_else(|| format!("maturin built no wheel into {}", wheels.display()))?;
        run(
            Command::new(self.bin("pip"))
                .args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-deps",
                ])
                .arg("--force-reinstall")
                .arg(&wheel),
            "pip install the wheel",
        )
        .map(drop)
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
