//! `cargo xtask msrv`: the workspace's declared `rust-version` must be at least every
//! dependency's, or the declaration lies. Only one toolchain exists on this project's
//! machines, so the check reads what each package declares (`cargo metadata`) rather than
//! building with an old compiler. Also run by `cargo test` (the test below).

use std::process::Command;

use serde_json::Value;

/// A `major.minor[.patch]` version, compared numerically.
type Version = Vec<u64>;

fn parse(version: &str) -> Version {
    let mut parts: Version = version
        .split('.')
        .filter_map(|part| part.parse().ok())
        .collect();
    // "1.88" and "1.88.0" are the same version.
    parts.resize(3, 0);
    parts
}

/// Fails when a package in the resolved graph declares a newer Rust than the workspace.
pub fn run() -> Result<(), String> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let declared = packages
        .iter()
        .find(|p| p["name"] == "grequests")
        .and_then(|p| p["rust_version"].as_str())
        .map(parse)
        .ok_or("the grequests package declares no rust-version")?;
    let mut newer: Vec<String> = packages
        .iter()
        .filter(|p| !members.contains(&p["id"].as_str().unwrap_or("")))
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            let (name, version) = (p["name"].as_str()?, p["version"].as_str()?);
            (parse(needs) > declared).then(|| format!("{name} {version} needs Rust {needs}"))
        })
        .collect();
    newer.sort();
    if newer.is_empty() {
        println!("rust-version {} covers every dependency", join(&declared));
        Ok(())
    } else {
        Err(format!(
            "the workspace declares rust-version {}, but:\n  {}\nraise [workspace.package] rust-version",
            join(&declared),
            newer.join("\n  ")
        ))
    }
}

fn join(version: &Version) -> String {
    version
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_declared_rust_version_covers_every_dependency() {
        if let Err(message) = super::run() {
            panic!("{message}");
        }
    }

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(super::parse("1.88.0"), super::parse("1.88"));
        assert!(super::parse("1.88.1") > super::parse("1.88"));
        assert!(super::parse("1.100") > super::parse("1.88"));
    }
}
