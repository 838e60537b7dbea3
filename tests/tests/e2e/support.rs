//! Shared set-up for the end-to-end suites.

use std::net::SocketAddr;

use grequests::Client;
use grequests_testserver::TestServer;

/// A client that ignores the machine's proxy variables, so the suite only ever talks to
/// the servers it started.
pub fn client() -> Client {
    Client::builder().no_proxies().build().unwrap()
}

/// A client whose `count` origins `o{i}.test` all resolve to `server`, on `builder`'s
/// settings.
pub fn client_over_origins_with(
    builder: grequests::ClientBuilder,
    server: SocketAddr,
    count: usize,
) -> Client {
    (0..count)
        .fold(builder.no_proxies(), |builder, i| {
            builder.resolve(&format!("o{i}.test"), server)
        })
        .build()
        .unwrap()
}

/// A default client whose `count` origins `o{i}.test` all resolve to `server`.
pub fn client_over_origins(server: SocketAddr, count: usize) -> Client {
    client_over_origins_with(Client::builder(), server, count)
}

pub async fn server() -> TestServer {
    TestServer::start().await.unwrap()
}

pub fn json(response: &grequests::Response) -> serde_json::Value {
    response.json().unwrap()
}

pub use grequests_tests::{is_child, run_child};
