//! What the end-to-end tests share: the binary, scratch directories, the server, and a
//! real JSON parser for the records. Each test binary uses a part of it.
#![allow(dead_code)]

use grequests_testserver::{PythonEnv, TestServer};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_grequests"));
    command.arg("fetch").arg("--quiet");
    command
}

/// A fresh directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grequests-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

pub fn write_lines(path: &Path, lines: impl IntoIterator<Item = String>) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("the input"));
    for line in lines {
        writeln!(file, "{line}").expect("a line");
    }
    file.flush().expect("the input");
}

/// `--resolve` arguments sending `hosts` names to the server.
pub fn resolve(server: &TestServer, hosts: &[String]) -> Vec<String> {
    let port = server.addr().port();
    hosts
        .iter()
        .flat_map(|h| ["--resolve".to_owned(), format!("{h}:{port}:127.0.0.1")])
        .collect()
}

/// Every line of `path`, parsed; a line that does not parse fails the test.
pub fn records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("the output");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the last line is cut short"
    );
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

pub fn indexes(records: &[Value]) -> Vec<u64> {
    let mut all: Vec<u64> = records.iter().filter_map(|r| r["index"].as_u64()).collect();
    all.sort_unstable();
    all
}

pub fn succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "grequests fetch failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

pub fn server() -> TestServer {
    TestServer::builder()
        .threads(2)
        .spawn_thread()
        .expect("httpbin")
}

/// warcio and PyYAML, for the checks that use the field's own tools.
pub fn python() -> PythonEnv {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = PythonEnv::target_dir(&workspace).join("cli-venv");
    PythonEnv::ensure(dir, "import warcio, yaml", &["warcio>=1.7", "PyYAML>=6"])
        .unwrap_or_else(|err| panic!("{err}"))
}

/// Starts a fetch of `urls` slow URLs and waits until `lines` records are written.
pub fn start_and_wait(args: &[String], out: &Path, lines: usize) -> Child {
    let mut child = binary()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("grequests starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let written = std::fs::read_to_string(out)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if written >= lines {
            return child;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("no {lines} records within 60 s");
}

/// Runs `command` with `input` on its standard input, capturing what it prints.
pub fn output_with_stdin(command: &mut Command, input: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("{command:?}: {err}"));
    child.stdin.take().map(|mut s| s.write_all(input));
    child
        .wait_with_output()
        .unwrap_or_else(|err| panic!("{command:?}: {err}"))
}

/// The README's rule, computed with `sha256sum` as a shell user would.
pub fn documented_shard(host: &str, count: u64) -> usize {
    let out = output_with_stdin(&mut Command::new("sha256sum"), host.as_bytes());
    let hex = String::from_utf8_lossy(&out.stdout);
    let first = u64::from_str_radix(&hex[..16], 16).expect("hex");
    (first % count) as usize
}

/// Peak resident memory of a run over `lines` input lines, sampled from /proc while it runs.
pub fn peak_rss_kib(mut command: Command) -> u64 {
    let mut child = command
        .stdout(Stdio::null())
        .spawn()
        .expect("grequests starts");
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if child.try_wait().ok().flatten().is_some() {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
