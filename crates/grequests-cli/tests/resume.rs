//! `grequests fetch` over a long run: killed and resumed, interrupted, sharded across
//! machines, over a large input; and the README's Kubernetes Job.

mod support;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::process::Command;

use support::*;

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
    let output = output_with_stdin(
        Command::new(python.python()).args(["-c", script]),
        yaml.as_bytes(),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
#[cfg(target_os = "linux")]
fn lines_read_ahead_are_bounded_by_their_weight_not_only_their_count() {
    // 400 JSON lines of 256 KiB for one host that starts one every 10 ms: the lines pile
    // up behind it, and 400 is well inside the window's count, so only their weight can
    // bound what is read ahead (100 MiB if nothing does).
    let dir = scratch("heavy-lines");
    let input = dir.join("heavy.jsonl");
    let lines = 400;
    let body = "a".repeat(256 << 10);
    write_lines(
        &input,
        (0..lines).map(|i| format!(r#"{{"url":"http://one.invalid/x?i={i}","body":"{body}"}}"#)),
    );
    let out = dir.join("out.jsonl");
    let mut command = binary();
    command
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--per-host", "1", "--delay-per-host", "10ms"]);
    let peak = peak_rss_kib(command);
    println!("{lines} lines of 256 KiB: peak RSS {} MiB", peak / 1024);
    assert_eq!(records(&out).len(), lines, "every line has its record");
    assert!(peak > 0 && peak < 64 * 1024, "peak RSS {peak} KiB");
    let _ = std::fs::remove_dir_all(&dir);
}
