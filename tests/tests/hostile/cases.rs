//! Every misbehaviour, one request each: the exact error class, and a time bound.

use std::time::{Duration, Instant};

use crate::support::{client, outcome, server};

/// `(path, outcome, within)`: what a client with the default limits (and the suite's 1 s
/// low-speed window) must end each request in, and how soon.
pub const CASES: &[(&str, &str, Duration)] = &[
    ("/ok", "200", FAST),
    ("/garbage-status", "request", FAST),
    ("/status-000", "request", FAST),
    ("/http09", "request", FAST),
    ("/nul-header", "request", FAST),
    ("/bare-cr", "request", FAST),
    ("/obs-fold", "request", FAST),
    ("/many-headers", "request", FAST),
    ("/huge-header", "request", FAST),
    ("/conflicting-length", "request", FAST),
    ("/signed-length", "request", FAST),
    ("/short-body", "body", FAST),
    ("/long-body", "200", FAST),
    ("/bad-chunk-size", "body", FAST),
    ("/negative-chunk", "body", FAST),
    ("/overflow-chunk", "body", FAST),
    ("/chunk-extension-flood", "body", FAST),
    ("/trailer-flood", "body", FAST),
    ("/truncated-chunked", "body", FAST),
    ("/reset-before-head", "request", FAST),
    ("/reset-mid-body", "body", FAST),
    ("/close-without-answer", "request", FAST),
    ("/never-answer", "timeout", SLOW),
    ("/stall-mid-body", "timeout", SLOW),
    ("/slow-headers", "timeout", SLOW),
    ("/slow-body", "timeout", SLOW),
    ("/endless-1xx", "timeout", SLOW),
    ("/endless-chunked", "body", FAST),
    ("/huge-length", "body", FAST),
    ("/gzip-bomb", "decode", FAST),
    ("/gzip-nested-bomb", "decode", FAST),
    ("/gzip-small-nested", "200", FAST),
    ("/brotli-bomb", "decode", FAST),
    ("/zstd-bomb", "decode", FAST),
    ("/gzip-empty", "200", FAST),
    ("/too-many-encodings", "decode", FAST),
    ("/lying-encoding", "decode", FAST),
    ("/redirect-loop", "redirect", FAST),
    ("/redirect-chain/100", "redirect", FAST),
    ("/redirect-file", "redirect", FAST),
    ("/redirect-ftp", "redirect", FAST),
    ("/redirect-javascript", "redirect", FAST),
    ("/redirect-data", "redirect", FAST),
    ("/redirect-empty", "redirect", FAST),
    ("/redirect-garbage", "redirect", FAST),
    ("/redirect-trickle", "200", SLOW),
    ("/stale", "200", FAST),
    ("/post-then-close", "request", FAST),
];

/// Generous bounds for a shared, noisy machine: what matters is that nothing waits for a
/// minute or forever.
const FAST: Duration = Duration::from_secs(5);
const SLOW: Duration = Duration::from_secs(8);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_ends_in_its_class_and_in_time() {
    let server = server().await;
    let client = client();
    // Every path the server knows is covered here, or by a test of its own.
    for (path, _) in grequests_testserver::HOSTILE_PATHS {
        let own_test = [
            "/set-cookie-flood",
            "/cookie-length",
            "/redirect-chain/{n}",
            "/custom-reason",
        ];
        assert!(
            own_test.contains(path) || CASES.iter().any(|(p, _, _)| p == path),
            "{path} has no case"
        );
    }
    let runs = CASES.iter().map(|&(path, expected, within)| {
        let request = client.get(server.url(path));
        async move {
            let started = Instant::now();
            let result = request.send().await;
            (
                path,
                expected,
                within,
                outcome(&result),
                started.elapsed(),
                result,
            )
        }
    });
    let mut failures = Vec::new();
    for (path, expected, within, got, took, result) in futures_util::future::join_all(runs).await {
        if got != expected || took > within {
            failures.push(format!(
                "{path}: {got} in {took:?} (want {expected} within {within:?}): {result:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn limit_errors_name_the_limit_and_the_setting() {
    let server = server().await;
    let client = client();
    let expectations = [
        ("/huge-length", "limit of 67108864 bytes (max_body_size)"),
        (
            "/endless-chunked",
            "limit of 67108864 bytes (max_body_size)",
        ),
        (
            "/gzip-bomb",
            "past the limit of 100:1 (max_decompression_ratio)",
        ),
        (
            "/slow-body",
            "fewer than 1024 bytes received in 1s (low_speed_limit)",
        ),
    ];
    for (path, wanted) in expectations {
        let err = client.get(server.url(path)).send().await.unwrap_err();
        assert!(err.to_string().contains(wanted), "{path}: {err}");
    }
}

#[tokio::test]
async fn legitimate_bodies_pass_the_limits() {
    let server = server().await;
    let client = client();
    let small = client
        .get(server.url("/gzip-small-nested"))
        .send()
        .await
        .unwrap();
    assert_eq!(small.bytes().unwrap(), vec![0u8; 256 * 1024]);
    let head = client.head(server.url("/gzip-empty")).send().await.unwrap();
    assert!(head.bytes().unwrap().is_empty());
    let long = client.get(server.url("/long-body")).send().await.unwrap();
    assert_eq!(long.text().unwrap(), "hello");
}

#[tokio::test]
async fn limits_can_be_raised_or_removed_per_request() {
    let server = server().await;
    let client = client();
    // Without the ratio guard, the nested bomb runs into the body limit instead.
    let err = client
        .get(server.url("/gzip-nested-bomb"))
        .max_decompression_ratio(None)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_body(), "{err}");
    let err = client
        .get(server.url("/gzip-nested-bomb"))
        .max_decompression_ratio(None)
        .max_decoded_body_size(1 << 20)
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("max_decoded_body_size"), "{err}");
    // A body limit raised past 2 GiB lets the huge length through to its (short) end.
    let bounded = client
        .get(server.url("/short-body"))
        .max_body_size(8)
        .send()
        .await
        .unwrap_err();
    assert!(
        bounded.to_string().contains("limit of 8 bytes"),
        "{bounded}"
    );
    let slow = client
        .get(server.url("/slow-headers"))
        .low_speed_limit(None)
        .total_timeout(Duration::from_secs(8))
        .send()
        .await
        .unwrap();
    assert_eq!(slow.text().unwrap(), "ok");
}

#[tokio::test]
async fn a_streamed_bomb_is_bounded_per_read_and_stopped_by_the_ratio_guard() {
    let server = server().await;
    let client = client();
    let mut response = client
        .get(server.url("/gzip-bomb"))
        .stream(true)
        .send()
        .await
        .unwrap();
    let mut total = 0usize;
    let err = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                assert!(chunk.len() <= 64 * 1024, "a read of {} bytes", chunk.len());
                total += chunk.len();
            }
            Ok(None) => panic!("a 10 GiB bomb ended after {total} bytes"),
            Err(err) => break err,
        }
    };
    assert!(err.is_decode(), "{err}");
    assert!(total < 9 << 20, "{total} bytes decoded before the guard");
}

#[tokio::test]
async fn total_timeout_bounds_a_streamed_body() {
    let server = server().await;
    let client = grequests::Client::builder()
        .no_proxies()
        .low_speed_limit(None)
        .build()
        .unwrap();
    let started = Instant::now();
    let mut response = client
        .get(server.url("/slow-body"))
        .stream(true)
        .total_timeout(Duration::from_millis(800))
        .send()
        .await
        .unwrap();
    let err = loop {
        match response.chunk().await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the slow body ended"),
            Err(err) => break err,
        }
    };
    assert!(
        err.is_timeout() && err.to_string().contains("total_timeout"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_longest_durations_never_panic_over_sockets() {
    let server = server().await;
    let client = grequests::Client::builder()
        .no_proxies()
        .timeout(Duration::MAX)
        .total_timeout(Duration::MAX)
        .build()
        .unwrap();
    let response = client
        .get(server.url("/ok"))
        .read_timeout(Duration::MAX)
        .low_speed_limit(grequests::LowSpeedLimit::new(1, Duration::MAX))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().unwrap(), "ok");
}
