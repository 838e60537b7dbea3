//! One connection pool per client, shared by everything it sends (Python grequests opens a
//! session, and a socket, per request).

use crate::support::{client, server};

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
