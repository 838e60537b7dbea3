//! The rules of ARCHITECTURE.md marked "Architecture Invariant", checked by `cargo test`
//! (rust-analyzer's tidy): each test reads the sources and names the lines that break one.

#![cfg(test)]

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path, text));
                }
            }
        }
    }
    assert!(!out.is_empty(), "no sources under {}", dir.display());
    out
}

/// The lines of code (comments and docs left out) containing any of `needles`.
fn offending(files: &[(PathBuf, String)], needles: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in files {
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if let Some(needle) = needles.iter().find(|n| contains_word(code, n)) {
                out.push(format!("{}:{}: {needle}", path.display(), number + 1));
            }
        }
    }
    out
}

/// Whether `needle` occurs in `line` not as the tail of a longer name (`PooledClient::builder`
/// is not `Client::builder`).
fn contains_word(line: &str, needle: &str) -> bool {
    line.match_indices(needle).any(|(at, _)| {
        !line[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn the_core_opens_no_sockets() {
    let core = sources(&workspace().join("crates/grequests-core/src"));
    let found = offending(
        &core,
        &["tokio::net", "TcpStream", "hyper::", "hyper_util", "rustls"],
    );
    assert!(
        found.is_empty(),
        "socket code in the core:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_leaves_of_the_core_import_nothing_above_them() {
    let src = workspace().join("crates/grequests-core/src");
    let mut leaves = sources(&src.join("limits"));
    for file in ["error.rs", "body.rs"] {
        let path = src.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        leaves.push((path, text));
    }
    let found = offending(
        &leaves,
        &["crate::client", "crate::model", "crate::scheduler"],
    );
    assert!(
        found.is_empty(),
        "a leaf imports a layer above it:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_model_does_not_know_the_scheduler() {
    let model = sources(&workspace().join("crates/grequests-core/src/model"));
    let found = offending(&model, &["crate::scheduler"]);
    assert!(
        found.is_empty(),
        "the model imports the scheduler:\n{}",
        found.join("\n")
    );
}

#[test]
fn production_backends_never_build_a_client() {
    let mut backends = sources(&workspace().join("crates/grequests-hyper/src"));
    backends.extend(sources(&workspace().join("crates/grequests-tower/src")));
    let found = offending(
        &backends,
        &[
            "grequests_core::Client",
            "Client::with_transport",
            "Client::builder",
        ],
    );
    assert!(
        found.is_empty(),
        "a transport builds a Client:\n{}",
        found.join("\n")
    );
}

#[test]
fn source_files_are_short_enough_to_read_in_one_sitting() {
    let files = sources(&workspace().join("crates"));
    let long: Vec<String> = files
        .iter()
        .map(|(path, text)| (path, text.lines().count()))
        .filter(|(_, lines)| *lines > 600)
        .map(|(path, lines)| format!("{}: {lines} lines", path.display()))
        .collect();
    assert!(
        long.is_empty(),
        "files over 600 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_checks_can_fail() {
    // A rule that finds nothing in code that breaks it would prove nothing.
    let bad = vec![(
        PathBuf::from("x.rs"),
        "use tokio::net::TcpStream;\n// tokio::net in a comment\n".to_owned(),
    )];
    assert_eq!(offending(&bad, &["tokio::net"]).len(), 1);
    assert!(contains_word(
        "let c = Client::builder();",
        "Client::builder"
    ));
    assert!(!contains_word(
        "let c = PooledClient::builder();",
        "Client::builder"
    ));
}

#[test]
fn the_tower_backend_does_not_require_the_hyper_backend() {
    // Over the mock or a transport of the user's, the stack pulls in no sockets.
    let manifest = std::fs::read_to_string(workspace().join("crates/grequests-tower/Cargo.toml"))
        .unwrap_or_default();
    let hyper = manifest
        .lines()
        .find(|line| line.starts_with("grequests-hyper"))
        .unwrap_or_default();
    assert!(
        hyper.contains("optional = true"),
        "grequests-tower: {hyper}"
    );
    let code = sources(&workspace().join("crates/grequests-tower/src"));
    for (path, text) in &code {
        for (number, line) in text.lines().enumerate() {
            if line.contains("grequests_hyper") {
                let gated = text
                    .lines()
                    .nth(number.saturating_sub(1))
                    .unwrap_or_default();
                assert!(
                    gated.contains("cfg(feature = \"hyper\")"),
                    "{}:{}: grequests_hyper used outside the `hyper` feature",
                    path.display(),
                    number + 1
                );
            }
        }
    }
}
