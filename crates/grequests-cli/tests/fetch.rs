//! `grequests fetch` run as users run it: the binary, a URL list on disk, the embedded
//! httpbin on 127.0.0.1 under many names (`--resolve`), and the output read back by a real
//! JSON parser (and the WARC file by warcio's own checker).

mod support;

use grequests_testserver::TestServer;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::*;

#[test]
fn every_line_gets_one_record_with_its_outcome() {
    let server = server();
    let dir = scratch("records");
    let base = server.base_url();
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("its address")
    };
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
            format!("{base}/delay/3"),
            format!("http://{refused}/"),
        ],
    );
    let out = dir.join("out.jsonl");
    let output = binary()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--body", "text", "--timeout", "500ms"])
        .output();
    succeeded(&output.expect("grequests runs"));
    let records = records(&out);
    assert_eq!(indexes(&records), [1, 4, 5, 6, 7, 8, 9, 10, 11]);
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
    // A server that never answers in time, retried (`--retries` 2) and then a record.
    assert_eq!(by_index[&10]["error"]["kind"], "timeout");
    assert_eq!(by_index[&11]["error"]["kind"], "connect");
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
        // Workers on two threads may finish two lines of a host at once.
        .args(["--threads", "2"])
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
fn a_crawl_over_more_hosts_than_connections_reuses_each_hosts_connection() {
    // 40 hosts, 5 lines each, interleaved (h0, h1, .., h39, h0, ..), 8 connections at
    // most. Handed out in turn, each host would come round only after 39 others had
    // evicted its connection: 200 connects. The frontier sends a host's next line on the
    // connection its last one freed: about one connect per host.
    let server = server();
    let (hosts, input, out) = interleaved_list(&server, "w", 40, 5);
    let output = binary()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--per-host", "1", "--concurrency", "4"])
        .args(["--max-connections", "8"])
        .args(resolve(&server, &hosts))
        .output();
    succeeded(&output.expect("grequests runs"));
    let records = records(&out);
    assert_eq!(indexes(&records), (1..=200).collect::<Vec<_>>());
    assert!(records.iter().all(|r| r["status"] == 200), "{records:?}");
    let connects = server.connections_accepted();
    assert!(
        (40..=60).contains(&connects),
        "{connects} connections for 40 hosts"
    );
}

#[test]
fn under_a_64_descriptor_limit_a_crawl_of_100_hosts_loses_nothing() {
    // A child whose soft RLIMIT_NOFILE is 64: the budget is 48 connections, fewer than the
    // hosts, so every record still comes back 200 only if connects wait for descriptors
    // instead of failing, and the connects stay near one per host only if a host's lines
    // follow each other on its connection.
    let server = server();
    let (hosts, input, out) = interleaved_list(&server, "n", 100, 3);
    let fetch = binary();
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 64 && exec \"$0\" \"$@\"")
        .arg(fetch.get_program())
        .args(fetch.get_args())
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--per-host", "1", "--concurrency", "20"])
        .args(resolve(&server, &hosts))
        .output();
    succeeded(&output.expect("grequests runs"));
    let records = records(&out);
    assert_eq!(indexes(&records), (1..=300).collect::<Vec<_>>());
    let failed: Vec<&Value> = records.iter().filter(|r| r["status"] != 200).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let connects = server.connections_accepted();
    assert!(
        (100..=150).contains(&connects),
        "{connects} connections for 100 hosts"
    );
}

/// `count` hosts named `{prefix}{i}.test` (resolved to `server` with [`resolve`]) and a
/// list of `rounds` lines for each, interleaved (h0, h1, .., h0, ..), in a scratch
/// directory: the names, the list's path, and the output's.
fn interleaved_list(
    server: &TestServer,
    prefix: &str,
    count: usize,
    rounds: usize,
) -> (Vec<String>, PathBuf, PathBuf) {
    let dir = scratch(&format!("interleaved-{prefix}"));
    let hosts: Vec<String> = (0..count).map(|i| format!("{prefix}{i}.test")).collect();
    let port = server.addr().port();
    let urls = (0..rounds).flat_map(|i| {
        hosts
            .iter()
            .map(move |h| format!("http://{h}:{port}/get?i={i}"))
    });
    let input = dir.join("urls.txt");
    write_lines(&input, urls);
    (hosts, input, dir.join("out.jsonl"))
}

#[test]
fn each_port_of_a_host_is_its_own_host_for_the_per_host_limit() {
    // Two origins on one address, the list sorted by origin, one request at a time per host:
    // keyed by origin, the second origin's first request runs beside the first's, so the
    // first two records written (in the order they finished) come from both; keyed by the
    // address alone, the first three would all be the first origin's.
    let origins = [server(), server()];
    let dir = scratch("per-origin");
    let input = dir.join("urls.txt");
    write_lines(
        &input,
        origins
            .iter()
            .flat_map(|s| (0..3).map(move |i| format!("{}/delay/0.5?i={i}", s.base_url()))),
    );
    let out = dir.join("out.jsonl");
    let output = binary()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--per-host", "1"])
        .output();
    succeeded(&output.expect("grequests runs"));
    let records = records(&out);
    assert_eq!(records.len(), 6);
    let first_two: std::collections::HashSet<&str> = records[..2]
        .iter()
        .map(|r| r["remote_addr"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(first_two.len(), 2, "{records:?}");
    for origin in &origins {
        let peaks = origin.peak_in_flight_by_host();
        assert_eq!(peaks.values().max(), Some(&1), "{peaks:?}");
    }
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
