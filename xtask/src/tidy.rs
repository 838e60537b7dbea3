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

/// The `[dependencies]` section of a crate's manifest (dev-dependencies left out).
fn dependencies(krate: &str) -> Vec<String> {
    let manifest =
        std::fs::read_to_string(workspace().join("crates").join(krate).join("Cargo.toml"))
            .unwrap_or_default();
    let mut section = "";
    let mut out = Vec::new();
    for line in manifest.lines() {
        if line.starts_with('[') {
            section = line;
        } else if section == "[dependencies]" && !line.trim().is_empty() {
            out.push(line.to_owned());
        }
    }
    assert!(!out.is_empty(), "no dependencies read for {krate}");
    out
}

#[test]
fn the_transport_contract_depends_on_no_other_grequests_crate() {
    let found: Vec<String> = dependencies("grequests-transport")
        .into_iter()
        .filter(|line| line.starts_with("grequests"))
        .collect();
    assert!(found.is_empty(), "grequests-transport depends on {found:?}");
}

#[test]
fn backends_depend_on_the_contract_not_on_the_core() {
    for backend in ["grequests-hyper", "grequests-tower"] {
        let deps = dependencies(backend);
        assert!(
            deps.iter()
                .any(|line| line.starts_with("grequests-transport")),
            "{backend} does not depend on grequests-transport"
        );
        let core: Vec<&String> = deps
            .iter()
            .filter(|line| line.starts_with("grequests-core"))
            .collect();
        assert!(core.is_empty(), "{backend} depends on the core: {core:?}");
    }
}

/// Whether the item on line `number` of `text` is under `#[cfg(feature = "...")]`: the
/// attributes right above it, or the line itself, name the feature.
fn gated(text: &str, number: usize, feature: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let cfg = format!("cfg(feature = \"{feature}\")");
    let mut at = number;
    loop {
        if lines.get(at).is_some_and(|line| line.contains(&cfg)) {
            return true;
        }
        if at == 0 || !lines[at - 1].trim_start().starts_with("#[") {
            return false;
        }
        at -= 1;
    }
}

/// Every line of code under `dir` naming `needle` outside `#[cfg(feature = "<feature>")]`,
/// files in `exempt` (gated as a whole where their module is declared) left out.
fn ungated(dir: &str, needle: &str, feature: &str, exempt: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in sources(&workspace().join(dir)) {
        if exempt.iter().any(|file| path.ends_with(file)) {
            continue;
        }
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") || !code.contains(needle) {
                continue;
            }
            if !gated(&text, number, feature) {
                out.push(format!("{}:{}", path.display(), number + 1));
            }
        }
    }
    out
}

#[test]
fn the_core_names_its_default_backend_only_behind_the_hyper_feature() {
    // `hickory` turns `hyper` on, so an item gated on it is behind `hyper` too.
    let found: Vec<String> = ungated(
        "crates/grequests-core/src",
        "grequests_hyper",
        "hyper",
        &["client/backend.rs", "verbs.rs"],
    )
    .into_iter()
    .filter(|at| {
        let (path, line) = at.rsplit_once(':').unwrap_or_default();
        let text = std::fs::read_to_string(path).unwrap_or_default();
        !line
            .parse::<usize>()
            .is_ok_and(|n| gated(&text, n - 1, "hickory"))
    })
    .collect();
    assert!(
        found.is_empty(),
        "the core names grequests_hyper outside the `hyper` feature:\n{}",
        found.join("\n")
    );
    let src = workspace().join("crates/grequests-core/src");
    let client = std::fs::read_to_string(src.join("client/mod.rs")).unwrap_or_default();
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    assert!(client.contains("#[cfg(feature = \"hyper\")]\nmod backend;"));
    assert!(lib.contains("#[cfg(feature = \"hyper\")]\nmod verbs;"));
}

#[test]
fn the_python_package_drives_the_core_and_no_backend_directly() {
    // The same engine for Python users: grequests-py goes through the core's client and
    // scheduler, so every limit and policy the Rust API has applies to it too.
    let grequests: Vec<String> = dependencies("grequests-py")
        .into_iter()
        .filter(|line| line.starts_with("grequests"))
        .collect();
    assert!(
        grequests.len() == 1 && grequests[0].starts_with("grequests-core"),
        "grequests-py depends on {grequests:?}"
    );
    let code = sources(&workspace().join("crates/grequests-py/src"));
    let found = offending(
        &code,
        &[
            "tokio::net",
            "TcpStream",
            "hyper::",
            "hyper_util",
            "rustls",
            "grequests_hyper",
        ],
    );
    assert!(
        found.is_empty(),
        "socket code in grequests-py:\n{}",
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
    let gated_use = "#[cfg(feature = \"hyper\")]\n#[cfg_attr(docsrs, doc)]\nuse grequests_hyper;";
    assert!(gated(gated_use, 2, "hyper"));
    assert!(!gated("#[cfg(test)]\nuse grequests_hyper;", 1, "hyper"));
}

#[test]
fn the_tower_backend_does_not_require_the_hyper_backend() {
    // Over the mock or a transport of the user's, the stack pulls in no sockets.
    let hyper: Vec<String> = dependencies("grequests-tower")
        .into_iter()
        .filter(|line| line.starts_with("grequests-hyper"))
        .collect();
    assert!(
        hyper.iter().all(|line| line.contains("optional = true")),
        "grequests-tower: {hyper:?}"
    );
    let found = ungated(
        "crates/grequests-tower/src",
        "grequests_hyper",
        "hyper",
        &[],
    );
    assert!(
        found.is_empty(),
        "grequests_hyper used outside the `hyper` feature:\n{}",
        found.join("\n")
    );
}

#[test]
fn architecture_md_links_to_paths_that_exist() {
    let root = workspace();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap_or_default();
    let broken: Vec<&str> = text
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|link| !link.contains("://") && !link.starts_with('#'))
        .filter(|link| !root.join(link.split('#').next().unwrap_or(link)).exists())
        .collect();
    assert!(
        broken.is_empty(),
        "ARCHITECTURE.md links to missing paths: {broken:?}"
    );
}
