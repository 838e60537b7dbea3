//! Connection control for large fan-outs: a cap per host, the local address and interface,
//! TCP and HTTP/2 keep-alive, and the peer's address on each response.

use std::time::Duration;

use grequests::Client;
use grequests_testserver::TestServer;

use crate::support::{json, server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_per_host_are_capped() {
    let server = server().await;
    let capped = Client::builder()
        .no_proxies()
        .max_connections_per_host(2)
        .build()
        .unwrap();
    let requests = (0..20).map(|_| capped.get(server.url("/delay/0.1")));
    let results = grequests::map(requests).await;
    assert!(results.iter().all(Option::is_some), "{results:?}");
    assert_eq!(server.connections_accepted(), 2);

    // Without the cap, the same batch opens a connection per request.
    let other = grequests_testserver::TestServer::start().await.unwrap();
    let free = Client::builder().no_proxies().build().unwrap();
    let results = grequests::map((0..20).map(|_| free.get(other.url("/delay/0.1")))).await;
    assert!(results.iter().all(Option::is_some));
    assert_eq!(other.connections_accepted(), 20);
}

#[tokio::test]
async fn connections_leave_from_the_local_address_asked_for() {
    let server = server().await;
    let client = Client::builder()
        .no_proxies()
        .local_address([127, 0, 0, 2].into())
        .build()
        .unwrap();
    let response = client.get(server.url("/ip")).send().await.unwrap();
    assert_eq!(json(&response)["origin"], "127.0.0.2");
}

#[tokio::test]
async fn connections_go_through_the_interface_asked_for() {
    let server = server().await;
    let through_lo = Client::builder()
        .no_proxies()
        .interface("lo")
        .build()
        .unwrap();
    assert_eq!(
        through_lo
            .get(server.url("/get"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let nowhere = Client::builder()
        .no_proxies()
        .interface("nosuchif0")
        .build()
        .unwrap();
    let err = nowhere.get(server.url("/get")).send().await.unwrap_err();
    assert!(err.is_connect(), "{err}");
}

#[tokio::test]
async fn keep_alive_settings_keep_connections_working() {
    let server = TestServer::start().await.unwrap();
    let client = Client::builder()
        .no_proxies()
        .http2_prior_knowledge()
        .http2_keep_alive(Duration::from_millis(50), Duration::from_secs(2))
        .tcp_keepalive(Duration::from_secs(30))
        .build()
        .unwrap();
    // Pings go out and are answered while the server takes its time.
    let response = client.get(server.url("/delay/0.3")).send().await.unwrap();
    assert_eq!(response.version(), grequests::http::Version::HTTP_2);
    assert_eq!(response.status(), 200);
    assert_eq!(response.remote_addr(), Some(server.addr()));
}
