//! The tower stack over the hyper backend, against the embedded server.

use std::time::Duration;

use grequests::tower::{Attempts, TowerTransport};
use grequests::{Client, HyperTransport};
use grequests_testserver::TestServer;

fn transport() -> TowerTransport {
    TowerTransport::builder()
        .transport(HyperTransport::builder().no_proxies().build().unwrap())
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_server_that_fails_twice_then_answers() {
    let server = TestServer::start().await.unwrap();
    let client = Client::with_transport(transport());
    let response = client
        .get(server.url("/unstable?key=k1&failures=2&status=502"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.extensions().get::<Attempts>(), Some(&Attempts(3)));
}

#[tokio::test]
async fn retry_after_from_a_real_server() {
    let server = TestServer::start().await.unwrap();
    let client = Client::with_transport(transport());
    let started = std::time::Instant::now();
    let response = client
        .get(server.url("/unstable?key=k2&failures=1&status=429&retry_after=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn the_attempt_timeout_over_sockets() {
    let server = TestServer::start().await.unwrap();
    let transport = TowerTransport::builder()
        .transport(HyperTransport::builder().no_proxies().build().unwrap())
        .attempt_timeout(Duration::from_millis(200))
        .max_retries(1)
        .backoff(Duration::from_millis(10), Duration::from_millis(10))
        .build()
        .unwrap();
    let error = Client::with_transport(transport)
        .get(server.url("/delay/3"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert!(error.to_string().contains("after 2 attempt(s)"), "{error}");
}

#[tokio::test]
async fn batches_through_the_tower_stack() {
    let server = TestServer::start().await.unwrap();
    let client = Client::with_transport(transport());
    let requests =
        (0..30).map(|i| client.get(server.url(&format!("/unstable?key=b{i}&failures={}", i % 2))));
    let responses = grequests::map(requests).size(8).await;
    assert!(responses
        .iter()
        .all(|r| r.as_ref().is_some_and(|r| r.status() == 200)));
}
