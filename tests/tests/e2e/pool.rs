//! One connection pool per client, shared by everything it sends (Python grequests opens a
//! session, and a socket, per request).

use std::net::SocketAddr;

use futures_util::StreamExt;
use grequests::Client;
use grequests_tests::{reset_peak_rss, status_kib};
use grequests_testserver::TestServer;

use crate::support::{client, client_over_origins_with, is_child, run_child, server};

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let server = server().await;
    let client = client();
    for _ in 0..20 {
        client.get(server.url("/get")).send().await.unwrap();
    }
    assert_eq!(server.connections_accepted(), 1);
}

#[tokio::test]
async fn a_batch_opens_at_most_size_connections() {
    let server = server().await;
    let client = client();
    for _ in 0..3 {
        let responses = grequests::map((0..40).map(|_| client.get(server.url("/get"))))
            .size(4)
            .await;
        assert_eq!(responses.iter().flatten().count(), 40);
    }
    assert!(
        server.connections_accepted() <= 4,
        "{} connections",
        server.connections_accepted()
    );
}

#[tokio::test]
async fn module_level_verbs_share_the_default_clients_pool() {
    let server = server().await;
    for _ in 0..10 {
        grequests::get(server.url("/get")).send().await.unwrap();
    }
    assert_eq!(server.connections_accepted(), 1);
}

#[tokio::test]
async fn separate_clients_have_separate_pools() {
    let server = server().await;
    client().get(server.url("/get")).send().await.unwrap();
    client().get(server.url("/get")).send().await.unwrap();
    assert_eq!(server.connections_accepted(), 2);
}

#[tokio::test]
async fn a_batch_wider_than_the_idle_cap_keeps_its_connections() {
    // 64 at a time to one origin that keeps 8 idle: the connections past the cap fall idle
    // for a moment between two requests, and closing them then would reconnect all along.
    let server = server().await;
    let client = grequests::Client::builder()
        .no_proxies()
        .pool_max_idle_per_host(8)
        .build()
        .unwrap();
    for _ in 0..3 {
        let responses = grequests::map((0..640).map(|_| client.get(server.url("/get"))))
            .size(64)
            .await;
        assert_eq!(responses.iter().flatten().count(), 640);
    }
    // Up to 64 are needed; a slack for a connection a slow machine let settle mid-batch.
    let accepted = server.connections_accepted();
    assert!(accepted <= 128, "{accepted} connections for 64 at a time");
}

/// Origins the crawl below visits once each.
const CRAWLED_ORIGINS: usize = 3_000;

/// A crawl over thousands of origins with 8 connections closes one for nearly every
/// request. hyper-util's pool used to keep each closed connection listed, with its
/// dispatch channel (about 10 KiB), until its idle sweep 90 s later. Measured
/// in a child process: the growth of its peak RSS over the crawl (20 MB before, 3 MB now).
#[test]
fn a_crawl_over_thousands_of_origins_keeps_no_closed_connections() {
    let server = TestServer::builder().threads(2).spawn_thread().unwrap();
    let stdout = run_child(
        "pool::crawl_child",
        &[("GREQUESTS_SERVER", &server.addr().to_string())],
        None,
    );
    let growth: u64 = stdout
        .lines()
        .find_map(|line| line.split("peak growth KiB: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no figure in:\n{stdout}"));
    println!(
        "{CRAWLED_ORIGINS} origins: peak RSS grew {growth} KiB, {} connections accepted",
        server.connections_accepted()
    );
    assert!(
        server.connections_accepted() >= CRAWLED_ORIGINS,
        "one connection per origin at least"
    );
    assert!(
        growth < 12 * 1024,
        "peak RSS grew {growth} KiB over {CRAWLED_ORIGINS} origins"
    );
}

/// Run by the test above in a child process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run in a child process by the pool tests"]
async fn crawl_child() {
    if !is_child() {
        return;
    }
    let server: SocketAddr = std::env::var("GREQUESTS_SERVER").unwrap().parse().unwrap();
    let client = client_over_origins_with(
        Client::builder().max_connections(8),
        server,
        CRAWLED_ORIGINS,
    );
    // Warm the allocator and the runtime on origins of their own before the baseline.
    let port = server.port();
    let warm = (0..8).map(|i| client.get(format!("http://o{i}.test:{port}/get")));
    assert!(grequests::map(warm).await.iter().all(Option::is_some));
    reset_peak_rss();
    let baseline = status_kib("VmRSS:");
    let requests = (8..CRAWLED_ORIGINS).map(|i| client.get(format!("http://o{i}.test:{port}/get")));
    let mut responses = std::pin::pin!(grequests::try_imap(requests).size(8));
    let mut ok = 0;
    while let Some(response) = responses.next().await {
        assert_eq!(response.unwrap().status(), 200);
        ok += 1;
    }
    assert_eq!(ok, CRAWLED_ORIGINS - 8);
    let peak = status_kib("VmHWM:");
    println!("peak growth KiB: {}", peak.saturating_sub(baseline));
}
