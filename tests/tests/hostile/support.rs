//! Shared set-up: the hostile server, clients, and how an outcome is named.

use std::time::Duration;

use grequests::{Client, LowSpeedLimit};
use grequests_testserver::HostileServer;

/// The low-speed guard of the suite's clients: the default's rule (1 KiB per window) on a
/// 1 s window instead of 60 s, so that slow cases end within seconds.
pub const FAST_GUARD: LowSpeedLimit = LowSpeedLimit::new(1024, Duration::from_secs(1));

pub async fn server() -> HostileServer {
    HostileServer::start().await.unwrap()
}

/// A client with every default but the low-speed window, ignoring the machine's proxies.
pub fn client() -> Client {
    Client::builder()
        .no_proxies()
        .low_speed_limit(FAST_GUARD)
        .build()
        .unwrap()
}

/// What a request ended in: `"200"`-style for a response, the error's class otherwise.
pub fn outcome(result: &grequests::Result<grequests::Response>) -> String {
    match result {
        Ok(response) => response.status().as_u16().to_string(),
        Err(err) => class(err).to_owned(),
    }
}

pub fn class(err: &grequests::Error) -> &'static str {
    if err.is_timeout() {
        "timeout"
    } else if err.is_decode() {
        "decode"
    } else if err.is_body() {
        "body"
    } else if err.is_redirect() {
        "redirect"
    } else if err.is_connect() {
        "connect"
    } else if err.is_request() {
        "request"
    } else if err.is_builder() {
        "builder"
    } else {
        "other"
    }
}
