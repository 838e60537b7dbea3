//! `grequests fetch` run as users run it: the binary, a URL list on disk, the embedded
//! httpbin on 127.0.0.1 under many names (`--resolve`), and the output read back by a real
//! JSON parser (and the WARC file by warcio's own checker).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use grequests_testserver::{PythonEnv, TestServer};
use serde_json::Value;

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_grequests"));
    command.arg("fetch").arg("--quiet");
    command
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grequests-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn write_lines(path: &Path, lines: impl IntoIterator<Item = String>) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("the input"));
    for line in lines {
        writeln!(file, "{line}").expect("a line");
    }
    file.flush().expect("the input");
}

/// `--resolve` arguments sending `hosts` names to the server.
fn resolve(server: &TestServer, hosts: &[String]) -> Vec<String> {
    let port = server.addr().port();
    hosts
        .iter()
        .flat_map(|h| ["--resolve".to_owned(), format!("{h}:{port}:127.0.0.1")])
        .collect()
}

/// Every line of `path`, parsed; a line that does not parse fails the test.
fn records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("the output");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the last line is cut short"
    );
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn indexes(records: &[Value]) -> Vec<u64> {
    let mut all: Vec<u64> = records.iter().filter_map(|r| r["index"].as_u64()).collect();
    all.sort_unstable();
    all
}

fn succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "grequests fetch failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

fn server() -> TestServer {
    TestServer::builder()
        .threads(2)
        .spawn_thread()
        .expect("httpbin")
}

/// warcio and PyYAML, for the checks that use the field's own tools.
fn python() -> PythonEnv {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = PythonEnv::target_dir(&workspace).join("cli-venv");
    PythonEnv::ensure(dir, "import warcio, yaml", &["warcio>=1.7", "PyYAML>=6"])
        .unwrap_or_else(|err| panic!("{err}"))
}

#[test]
fn every_line_gets_one_record_with_its_outcome() {
    let server = server();
    let dir = scratch("records");
    let base = server.base_url();
    let input = dir.join("urls.txt");
    write_lines(
        &input,
        [
            format!("{base}/get"),
            "# a comment".into(),
            String::new(),
            format!("{base}/status/404"),
            "not a url".into(),
            "http://nowhere.invalid/".into(),
            format!(r#"{{"url":"{base}/post","method":"POST","json":{{"k":1}},"id":"row-9"}}"#),
            format!("{base}/redirect/2"),
            r#"{"id": 5, "method": "GET"}"#.into(),
        ],
    );
    let out = dir.join("out.jsonl");
    let output = binary()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--body", "text"])
        .output();
    succeeded(&output.expect("grequests runs"));
    let records = records(&out);
    assert_eq!(indexes(&records), [1, 4, 5, 6, 7, 8, 9]);
    let by_index: HashMap<u64, &Value> = records
        .iter()
        .map(|r| (r["index"].as_u64().unwrap_or(0), r))
        .collect();
    assert_eq!(by_index[&1]["status"], 200);
    assert_eq!(by_index[&1]["http_version"], "HTTP/1.1");
    assert_eq!(by_index[&1]["remote_addr"], server.addr().to_string());
    assert_eq!(by_index[&4]["status"], 404);
    assert_eq!(by_index[&5]["error"]["kind"], "builder");
    assert_eq!(by_index[&6]["error"]["kind"], "dns");
    let posted = by_index[&7];
    assert_eq!(posted["id"], "row-9");
    let echoed: Value = serde_json::from_str(posted["body"].as_str().unwrap_or("")).expect("json");
    assert_eq!(echoed["json"]["k"], 1);
    assert_eq!(by_index[&8]["redirects"], serde_json::json!([302, 302]));
    assert_eq!(by_index[&8]["final_url"], format!("{base}/get"));
    let body = by_index[&1]["body"].as_str().unwrap_or("");
    assert_eq!(by_index[&1]["content_length"], body.len());
    assert_eq!(by_index[&9]["id"], 5);
    assert_eq!(by_index[&9]["error"]["kind"], "builder");
}

#[test]
fn the_server_never_sees_more_than_per_host_requests_of_one_host() {
    let server = server();
    let dir = scratch("per-host");
    let hosts: Vec<String> = (0..4).map(|i| format!("h{i}.test")).collect();
    let port = server.addr().port();
    // Sorted by host, as lists often are: the frontier keeps the other hosts busy.
    let urls = hosts
        .iter()
        .flat_map(|h| (0..12).map(move |i| format!("http://{h}:{port}/delay/0.1?i={i}")));
    let input = dir.join("urls.txt");
    write_lines(&input, urls);
    let out = dir.join("out.jsonl");
    let started = Instant::now();
    let output = binary()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--per-host", "2", "--concurrency", "50"])
        .args(resolve(&server, &hosts))
        .output();
    succeeded(&output.expect("grequests runs"));
    let elapsed = started.elapsed();
    let records = records(&out);
    assert_eq!(indexes(&records), (1..=48).collect::<Vec<_>>());
    assert!(records.iter().all(|r| r["status"] == 200), "{records:?}");
    let peaks = server.peak_in_flight_by_host();
    for host in &hosts {
        assert_eq!(peaks.get(&format!("{host}:{port}")), Some(&2), "{peaks:?}");
    }
    // 12 requests of 0.1 s, 2 at a time, per host, the hosts side by side: about 0.6 s,
    // not the 2.4 s of one host after another.
    println!("48 requests over 4 hosts, 2 per host: {elapsed:?}");
}

#[test]
fn a_delay_per_host_spaces_its_requests() {
    let server = server();
    let dir = scratch("delay");
    let input = dir.join("urls.txt");
    write_lines(
        &input,
        (0..4).map(|i| format!("{}/get?i={i}", server.base_url())),
    );
    let out = dir.join("out.jsonl");
    let started = Instant::now();
    let output = binary()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--delay-per-host", "300ms"])
        .output();
    succeeded(&output.expect("grequests runs"));
    assert_eq!(records(&out).len(), 4);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

/// Starts a fetch of `urls` slow URLs and waits until `lines` records are written.
fn start_and_wait(args: &[String], out: &Path, lines: usize) -> Child {
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

#[test]
fn killed_at_any_moment_and_resumed_every_index_is_there_once() {
    let server = server();
    let dir = scratch("resume");
    let hosts: Vec<String> = (0..10).map(|i| format!("r{i}.test")).collect();
    let port = server.addr().port();
    let total = 300;
    let urls = (0..total).map(|i| format!("http://{}:{port}/delay/0.2?i={i}", hosts[i % 10]));
    let input = dir.join("urls.txt");
    write_lines(&input, urls);
    let (out, warc) = (dir.join("out.jsonl"), dir.join("out.warc.gz"));
    let mut args: Vec<String> = vec![
        input.display().to_string(),
        "-o".into(),
        out.display().to_string(),
        "--warc".into(),
        warc.display().to_string(),
        "--concurrency".into(),
        "20".into(),
    ];
    args.extend(resolve(&server, &hosts));
    // Three kills, each at a random point of its third of the run.
    let random = |below: usize| {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(below);
        hasher.finish() as usize % below
    };
    for round in 0..3 {
        let at = 10 + 80 * round + random(60);
        let mut child = start_and_wait(&args, &out, at);
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        // Whatever the kill left, a crash can also leave half a line and half a WARC record.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&out)
            .expect("out");
        file.write_all(br#"{"index":9999,"url":"http://cut"#)
            .expect("a partial line");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&warc)
            .expect("warc");
        file.write_all(&[0x1f, 0x8b, 0x08, 0x00])
            .expect("a partial record");
        if round == 0 {
            args.push("--resume".into());
        }
    }
    succeeded(&binary().args(&args).output().expect("the last resume"));
    let records = records(&out);
    assert_eq!(indexes(&records), (1..=total as u64).collect::<Vec<_>>());
    assert!(records.iter().all(|r| r["status"] == 200));

    let python = python();
    let check = Command::new(python.bin("warcio"))
        .arg("check")
        .arg(&warc)
        .output();
    let check = check.expect("warcio check runs");
    assert!(
        check.status.success(),
        "warcio check: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    let index = Command::new(python.bin("warcio"))
        .arg("index")
        .arg(&warc)
        .output();
    let index = String::from_utf8(index.expect("warcio index runs").stdout).unwrap_or_default();
    let responses = index
        .lines()
        .filter(|l| l.contains(r#""warc-type": "response""#))
        .count();
    assert_eq!(
        responses, total,
        "one response record per line, none left from a crash"
    );
    // Each record's span points at its own response.
    let spans: HashSet<u64> = records
        .iter()
        .filter_map(|r| r["warc"]["offset"].as_u64())
        .collect();
    assert_eq!(spans.len(), total);
}

#[test]
fn ctrl_c_stops_cleanly_and_resume_finishes() {
    let server = server();
    let dir = scratch("ctrl-c");
    let input = dir.join("urls.txt");
    let base = server.base_url();
    write_lines(&input, (0..120).map(|i| format!("{base}/delay/0.3?i={i}")));
    let out = dir.join("out.jsonl");
    let args: Vec<String> = vec![
        input.display().to_string(),
        "-o".into(),
        out.display().to_string(),
        "--per-host".into(),
        "10".into(),
    ];
    let child = start_and_wait(&args, &out, 10);
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    assert!(interrupted.is_ok_and(|s| s.success()));
    let output = child.wait_with_output().expect("grequests ends");
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("--resume"));
    let first = records(&out).len();
    assert!(first < 120, "the interrupt stopped nothing");
    let mut resumed = binary();
    succeeded(
        &resumed
            .args(&args)
            .arg("--resume")
            .output()
            .expect("resume"),
    );
    assert_eq!(indexes(&records(&out)), (1..=120).collect::<Vec<_>>());
}

#[test]
fn shards_split_the_list_by_host() {
    let dir = scratch("shards");
    let input = dir.join("urls.txt");
    // Names under .invalid fail at once: the split is all this test looks at.
    let urls: Vec<String> = (0..10_000)
        .map(|i| format!("http://h{}.invalid/p{i}", i % 500))
        .collect();
    write_lines(&input, urls.clone());
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut host_shard: HashMap<String, usize> = HashMap::new();
    let mut documented: HashMap<String, usize> = HashMap::new();
    for shard in 0..4 {
        let out = dir.join(format!("out-{shard}.jsonl"));
        let output = binary()
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .arg(format!("--shard={shard}/4"))
            .output();
        succeeded(&output.expect("grequests runs"));
        for record in records(&out) {
            let index = record["index"].as_u64().unwrap_or(0);
            *seen.entry(index).or_default() += 1;
            let host = urls[index as usize - 1]
                .split('/')
                .nth(2)
                .unwrap_or("")
                .to_owned();
            let expected = *documented
                .entry(host.clone())
                .or_insert_with(|| documented_shard(&host, 4));
            assert_eq!(expected, shard, "{host}");
            assert_eq!(*host_shard.entry(host).or_insert(shard), shard);
        }
    }
    assert_eq!(seen.len(), 10_000);
    assert_eq!(host_shard.len(), 500);
    assert!(seen.values().all(|&n| n == 1));
    let output = binary()
        .arg(&input)
        .arg("--shard=4/4")
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "a bad shard is a usage error"
    );
}

/// The README's rule, computed with `sha256sum` as a shell user would.
fn documented_shard(host: &str, count: u64) -> usize {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child.stdin.take().map(|mut s| s.write_all(host.as_bytes()));
    let out = child.wait_with_output().expect("sha256sum");
    let hex = String::from_utf8_lossy(&out.stdout);
    let first = u64::from_str_radix(&hex[..16], 16).expect("hex");
    (first % count) as usize
}

#[test]
fn robots_txt_is_fetched_once_per_origin_and_obeyed() {
    let server = server();
    let dir = scratch("robots");
    let input = dir.join("urls.txt");
    let base = server.base_url();
    write_lines(
        &input,
        [
            format!("{base}/get"),
            format!("{base}/deny/secret"),
            format!("{base}/get?2"),
        ],
    );
    let out = dir.join("out.jsonl");
    let output = binary()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--respect-robots")
        .output();
    succeeded(&output.expect("grequests runs"));
    let records = records(&out);
    let denied: Vec<&Value> = records
        .iter()
        .filter(|r| r["error"]["kind"] == "robots")
        .collect();
    assert_eq!(denied.len(), 1, "{records:?}");
    assert_eq!(denied[0]["index"], 2);
    assert_eq!(records.iter().filter(|r| r["status"] == 200).count(), 2);
}

#[test]
fn bodies_are_saved_by_their_sha256_and_base64_in_records() {
    let server = server();
    let dir = scratch("bodies");
    let input = dir.join("urls.txt");
    write_lines(&input, [format!("{}/bytes/5000?seed=3", server.base_url())]);
    let (out, bodies) = (dir.join("out.jsonl"), dir.join("bodies"));
    let output = binary()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--body", "base64", "--save-bodies"])
        .arg(&bodies)
        .output();
    succeeded(&output.expect("grequests runs"));
    let record = &records(&out)[0];
    let sha = record["body_sha256"].as_str().unwrap_or_default();
    assert_eq!(record["body_path"], format!("{}/{sha}", &sha[..2]));
    let saved =
        std::fs::read(bodies.join(record["body_path"].as_str().unwrap_or(""))).expect("saved");
    assert_eq!(saved.len(), 5000);
    use base64::Engine;
    let inline = base64::engine::general_purpose::STANDARD
        .decode(record["body"].as_str().unwrap_or(""))
        .expect("base64");
    assert_eq!(inline, saved);
}

/// Peak resident memory of a run over `lines` input lines, sampled from /proc while it runs.
fn peak_rss_kib(mut command: Command) -> u64 {
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

#[test]
#[cfg(target_os = "linux")]
fn memory_does_not_grow_with_the_input() {
    let dir = scratch("memory");
    let input = dir.join("urls.txt");
    let lines = 2_000_000;
    write_lines(
        &input,
        (0..lines).map(|i| format!("http://host-{i}.invalid/some/path?page={i}")),
    );
    let out = dir.join("out.jsonl");
    let mut command = binary();
    // One line in 20 is fetched (and fails at once): the rest are read and skipped.
    command.arg(&input).arg("-o").arg(&out).arg("--shard=0/20");
    let peak = peak_rss_kib(command);
    let written = records(&out).len();
    println!(
        "{lines} lines, {written} records: peak RSS {} MiB",
        peak / 1024
    );
    assert!(written > lines / 40 && written < lines / 10, "{written}");
    assert!(peak > 0 && peak < 64 * 1024, "peak RSS {peak} KiB");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_readme_kubernetes_job_parses_and_shards_by_its_index() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("README.md");
    let yaml = readme
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a yaml block in README.md");
    let python = python();
    let script = r#"
import sys, yaml
job = yaml.safe_load(sys.stdin)
assert job["kind"] == "Job", job["kind"]
spec = job["spec"]
assert spec["completionMode"] == "Indexed"
container = spec["template"]["spec"]["containers"][0]
command = container["command"] + container.get("args", [])
assert command[:2] == ["grequests", "fetch"], command
shard = command[command.index("--shard") + 1]
assert shard == "$(JOB_COMPLETION_INDEX)/" + str(spec["completions"]), shard
assert "--resume" in command
print("ok")
"#;
    let mut child = Command::new(python.python())
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python");
    child.stdin.take().map(|mut s| s.write_all(yaml.as_bytes()));
    let output = child.wait_with_output().expect("python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_503_with_retry_after_is_retried_after_it_and_the_stats_add_up() {
    let server = server();
    let dir = scratch("retry");
    let input = dir.join("urls.txt");
    let base = server.base_url();
    write_lines(
        &input,
        [
            format!("{base}/unstable?key=a&failures=1&status=503&retry_after=1"),
            format!("{base}/status/404"),
            "http://x.invalid/".into(),
        ],
    );
    let (out, stats) = (dir.join("out.jsonl"), dir.join("stats.json"));
    let started = Instant::now();
    let output = binary()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--stats-json")
        .arg(&stats)
        .output();
    succeeded(&output.expect("grequests runs"));
    let records = records(&out);
    let retried = records.iter().find(|r| r["index"] == 1).expect("line 1");
    assert_eq!(retried["status"], 200);
    assert_eq!(retried["attempts"], 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not waited for"
    );
    let stats: Value =
        serde_json::from_slice(&std::fs::read(&stats).expect("stats")).expect("stats JSON");
    assert_eq!(stats["records"], 3);
    assert_eq!(stats["failed"], 1);
    assert_eq!(stats["by_status_class"]["2xx"], 1);
    assert_eq!(stats["by_status_class"]["4xx"], 1);
    assert_eq!(stats["by_error_kind"]["dns"], 1);
    assert_eq!(stats["interrupted"], false);
}
