//! The rules of ARCHITECTURE.md marked "Architecture Invariant", checked by `cargo test`
//! (rust-analyzer's tidy): each test reads the sources as Rust ([`paths`]: every path,
//! `use` trees flattened, relative paths resolved, `cfg` gates known) and names the lines
//! that break one.

#![cfg(test)]

mod paths;

use std::path::{Path, PathBuf};
use std::process::Command;

use paths::{crate_paths, Named};

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

/// Whether `named` is socket code: tokio's `net`, hyper, rustls, or a socket type.
fn is_socket_code(named: &Named) -> bool {
    [
        "tokio::net",
        "hyper",
        "hyper_util",
        "rustls",
        "tokio_rustls",
        "std::net::TcpStream",
    ]
    .iter()
    .any(|prefix| named.starts_with(prefix))
        || ["TcpStream", "TcpListener", "UdpSocket"]
            .iter()
            .any(|socket| named.has_segment(socket))
}

/// Each path of `paths` that `breaks` the rule, one per line.
fn breaking(paths: &[Named], breaks: impl Fn(&Named) -> bool) -> String {
    paths
        .iter()
        .filter(|named| breaks(named))
        .map(Named::at)
        .collect::<Vec<_>>()
        .join("\n")
}

fn crate_src(krate: &str) -> Vec<Named> {
    crate_paths(&workspace().join("crates").join(krate).join("src"))
}

#[test]
fn the_core_opens_no_sockets() {
    let found = breaking(&crate_src("grequests-core"), is_socket_code);
    assert!(found.is_empty(), "socket code in the core:\n{found}");
}

#[test]
fn the_core_asks_tokio_for_no_sockets() {
    // A path the reader misses (inside a macro it cannot parse) still needs tokio's `net`.
    let metadata = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(workspace())
        .output()
        .expect("cargo metadata runs");
    assert!(
        metadata.status.success(),
        "{}",
        String::from_utf8_lossy(&metadata.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&metadata.stdout).expect("cargo metadata prints JSON");
    let core = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == "grequests-core"))
        .expect("grequests-core is a workspace member");
    let tokio: Vec<&serde_json::Value> = core["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|dep| dep["name"] == "tokio" && dep["kind"].is_null())
        .collect();
    assert_eq!(tokio.len(), 1, "grequests-core's tokio: {tokio:?}");
    let asked: Vec<&str> = tokio[0]["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .collect();
    let by_features: Vec<&str> = core["features"]
        .as_object()
        .into_iter()
        .flat_map(|features| features.values())
        .filter_map(serde_json::Value::as_array)
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .filter_map(|enables| {
            enables
                .strip_prefix("tokio/")
                .or(enables.strip_prefix("tokio?/"))
        })
        .collect();
    let net: Vec<&&str> = asked
        .iter()
        .chain(&by_features)
        .filter(|feature| matches!(**feature, "net" | "full"))
        .collect();
    assert!(net.is_empty(), "grequests-core turns on tokio's {net:?}");
    assert!(asked.contains(&"rt"), "the reading is wrong: {asked:?}");
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

/// Whether `named` is behind one of `features`.
fn gated_on(named: &Named, features: &[&str]) -> bool {
    named
        .features
        .iter()
        .any(|f| features.contains(&f.as_str()))
}

#[test]
fn the_core_names_its_default_backend_only_behind_the_hyper_feature() {
    // `hickory` turns `hyper` on, so a path gated on it is behind `hyper` too. A file is
    // gated where its `mod` line is (`client/backend.rs`, `verbs.rs`).
    let found = breaking(&crate_src("grequests-core"), |named| {
        named.starts_with("grequests_hyper") && !gated_on(named, &["hyper", "hickory"])
    });
    assert!(
        found.is_empty(),
        "the core names grequests_hyper outside the `hyper` feature:\n{found}"
    );
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
    let found = breaking(&crate_src("grequests-py"), |named| {
        is_socket_code(named) || named.starts_with("grequests_hyper")
    });
    assert!(found.is_empty(), "socket code in grequests-py:\n{found}");
}

/// Whether `named` is in the scheduler or the client, which the model must not know.
fn names_a_layer_above_the_model(named: &Named) -> bool {
    named.starts_with("crate::scheduler") || named.starts_with("crate::client")
}

#[test]
fn the_model_knows_neither_the_scheduler_nor_the_client() {
    let model = workspace().join("crates/grequests-core/src/model");
    let found = breaking(&crate_src("grequests-core"), |named| {
        named.file.starts_with(&model) && names_a_layer_above_the_model(named)
    });
    assert!(
        found.is_empty(),
        "the model imports the scheduler or the client:\n{found}"
    );
}

/// Whether `named` builds a `Client`: `Client::builder`, `Client::with_transport`, or the
/// core's `Client` type by its full name. (`PooledClient::builder` is hyper-util's.)
fn builds_a_client(named: &Named) -> bool {
    let segments: Vec<&str> = named.path.split("::").collect();
    matches!(
        segments.as_slice(),
        [.., "Client", "builder" | "with_transport"]
    ) || named.starts_with("grequests_core::Client")
        || named.starts_with("grequests::Client")
}

#[test]
fn production_backends_never_build_a_client() {
    let mut backends = crate_src("grequests-hyper");
    backends.extend(crate_src("grequests-tower"));
    let found = breaking(&backends, builds_a_client);
    assert!(found.is_empty(), "a transport builds a Client:\n{found}");
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
    // A rule that finds nothing in code that breaks it would prove nothing: a crate of
    // each way to name what a rule forbids, and of ways that name nothing.
    let src = workspace().join("target/tmp/tidy-checks/src");
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(src.join("model")).expect("a scratch crate");
    let files = [
        (
            "lib.rs",
            "mod model;\n#[cfg(feature = \"hyper\")]\nmod backend;\n\
             #[cfg(not(feature = \"hyper\"))]\nuse grequests_hyper::Ungated;\n\
             // tokio::net in a comment, and in a string:\nconst S: &str = \"tokio::net\";\n\
             fn f() { let _ = format!(\"{}\", grequests_hyper::IN_A_MACRO); }\n",
        ),
        ("backend.rs", "use grequests_hyper::GatedByItsModLine;\n"),
        (
            "model/mod.rs",
            "mod request;\nuse crate::{other, scheduler::{Batch, mode}};\n",
        ),
        (
            "model/request.rs",
            "use super::super::scheduler::Relative;\nuse tokio::{net::TcpStream, sync};\n\
             use super::super::client::{BatchOptions as Options, self};\n\
             fn g() { let _ = PooledClient::builder(); let _ = Client::builder(); }\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(src.join(name), text).expect("a scratch file");
    }
    let paths = crate_paths(&src);
    let model = src.join("model");
    let mut above: Vec<String> = paths
        .iter()
        .filter(|n| n.file.starts_with(&model) && names_a_layer_above_the_model(n))
        .map(|n| n.path.clone())
        .collect();
    above.sort();
    assert_eq!(
        above,
        [
            "crate::client",
            "crate::client::BatchOptions",
            "crate::scheduler::Batch",
            "crate::scheduler::Relative",
            "crate::scheduler::mode"
        ]
    );
    let sockets: Vec<String> = paths
        .iter()
        .filter(|n| is_socket_code(n))
        .map(|n| format!("{}:{}", n.line, n.path))
        .collect();
    assert_eq!(sockets, ["2:tokio::net::TcpStream"]);
    let ungated: Vec<&str> = paths
        .iter()
        .filter(|n| n.starts_with("grequests_hyper") && !gated_on(n, &["hyper"]))
        .map(|n| n.path.as_str())
        .collect();
    assert_eq!(
        ungated,
        ["grequests_hyper::Ungated", "grequests_hyper::IN_A_MACRO"]
    );
    let builders: Vec<&str> = paths
        .iter()
        .filter(|n| builds_a_client(n))
        .map(|n| n.path.as_str())
        .collect();
    assert_eq!(builders, ["Client::builder"]);
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
    let found = breaking(&crate_src("grequests-tower"), |named| {
        named.starts_with("grequests_hyper") && !gated_on(named, &["hyper"])
    });
    assert!(
        found.is_empty(),
        "grequests_hyper used outside the `hyper` feature:\n{found}"
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
