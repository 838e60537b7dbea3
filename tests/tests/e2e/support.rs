//! Shared set-up for the end-to-end suites.

use grequests::Client;
use grequests_testserver::TestServer;

/// A client that ignores the machine's proxy variables, so the suite only ever talks to
/// the servers it started.
pub fn client() -> Client {
    Client::builder().no_proxies().build().unwrap()
}

pub async fn server() -> TestServer {
    TestServer::start().await.unwrap()
}

pub fn json(response: &grequests::Response) -> serde_json::Value {
    response.json().unwrap()
}

pub use grequests_tests::{is_child, run_child};
