//! The Python package's pytest suite (`crates/grequests-py/tests`), run by `cargo test`.
//!
//! It makes what the suite needs on its own: a virtualenv under `target/python-venv` with
//! maturin, pytest, requests, mypy (for the stubs) and Ray Data (for `grequests_rs.ray`) from PyPI; the package's wheel, built by maturin into
//! `target/python` and installed into the virtualenv; and the servers on 127.0.0.1 (httpbin
//! plain, TLS and mutual TLS, an HTTP proxy), whose addresses and certificates reach the
//! suite through the environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use grequests_testserver::{PythonEnv, TestProxy, TestServer};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn target_dir() -> PathBuf {
    PythonEnv::target_dir(&workspace())
}

/// Runs `command`, failing the test with its output when it fails.
fn run(command: &mut Command, what: &str) -> Output {
    grequests_testserver::python::run(command, what).unwrap_or_else(|err| panic!("{err}"))
}

/// The virtualenv with the build and test tools, made once and reused.
fn virtualenv() -> PythonEnv {
    PythonEnv::ensure(
        target_dir().join("python-venv"),
        "import pytest, requests, mypy, maturin, ray.data",
        &[
            "maturin>=1.9.4,<2",
            "pytest>=7",
            "requests>=2.28",
            "mypy>=1.10",
            // grequests_rs.ray's suite (about 40 s and 600 MB on first use).
            "ray[data]>=2.49",
        ],
    )
    .unwrap_or_else(|err| panic!("{err}"))
}

/// Builds the wheel (incrementally, in a target directory of its own: the outer cargo holds
/// this one) and installs it into `venv`.
fn install_wheel(venv: &PythonEnv) {
    venv.install_wheel(
        &workspace().join("crates/grequests-py/Cargo.toml"),
        &target_dir().join("python"),
        false,
    )
    .unwrap_or_else(|err| panic!("{err}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_package_passes_its_pytest_suite() {
    let httpbin = TestServer::builder()
        .threads(2)
        .spawn_thread()
        .expect("httpbin");
    let tls = TestServer::builder()
        .tls(true)
        .spawn_thread()
        .expect("httpbin over TLS");
    let mutual = TestServer::builder()
        .tls(true)
        .client_auth(true)
        .spawn_thread()
        .expect("httpbin over mutual TLS");
    let proxy = TestProxy::start().await.expect("proxy");
    let files = target_dir().join("python");
    std::fs::create_dir_all(&files).expect("target/python");
    let write = |name: &str, pem: &str| {
        let path = files.join(name);
        std::fs::write(&path, pem).expect("a PEM file for the suite");
        path
    };
    let ca = write("testserver-ca.pem", tls.ca_pem().unwrap_or_default());
    let mutual_ca = write("mutual-ca.pem", mutual.ca_pem().unwrap_or_default());
    let (client_cert, client_key) = mutual.client_identity_pem().unwrap_or_default();
    let client_cert = write("client-cert.pem", client_cert);
    let client_key = write("client-key.pem", client_key);

    let venv = tokio::task::spawn_blocking(|| {
        let venv = virtualenv();
        install_wheel(&venv);
        venv
    })
    .await
    .expect("the build");

    let mut pytest = Command::new(venv.python());
    pytest
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error::pytest.PytestUnraisableExceptionWarning",
        ])
        .arg(workspace().join("crates/grequests-py/tests"))
        .current_dir(target_dir().join("python"))
        .env("HTTPBIN_URL", format!("{}/", httpbin.base_url()))
        .env("HTTPBIN_TLS_URL", format!("{}/", tls.base_url()))
        .env("HTTPBIN_CA", &ca)
        .env("HTTPBIN_MTLS_URL", format!("{}/", mutual.base_url()))
        .env("HTTPBIN_MTLS_CA", &mutual_ca)
        .env("CLIENT_CERT", &client_cert)
        .env("CLIENT_KEY", &client_key)
        .env("PROXY_URL", proxy.url())
        .env_remove("VIRTUAL_ENV")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("all_proxy");
    let output = tokio::task::spawn_blocking(move || run(&mut pytest, "pytest"))
        .await
        .expect("pytest");
    println!("{}", String::from_utf8_lossy(&output.stdout));
    // The proxy test sent its request through the proxy.
    assert!(
        !proxy.requests().is_empty(),
        "no request went through the proxy: the proxies= test did not run"
    );
}
