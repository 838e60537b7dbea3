//! What `map` holds per response it keeps, measured in a child process: with nginx's
//! headers and a small body, under 1 KiB a response, so 100 000 of them fit in 100 MiB.

use grequests_core::http::{HeaderValue, Response};
use grequests_core::{map, transport_fn, Body, Client, RemoteAddr};
use grequests_tests::{is_child, reset_peak_rss, run_child, status_kib};

/// Responses kept in the measured batch.
const RESPONSES: u64 = 20_000;
/// What one kept response may cost, headers, body, URL and slot included.
const PER_RESPONSE_BYTES: u64 = 1024;

#[test]
fn a_kept_response_costs_under_a_kibibyte() {
    let stdout = run_child("memory::kept_responses_child", &[], None);
    let growth_kib: u64 = stdout
        .lines()
        .find_map(|line| line.split("peak growth KiB: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no figure in:\n{stdout}"));
    let per_response = growth_kib * 1024 / RESPONSES;
    println!("map: {per_response} bytes per kept response");
    assert!(
        per_response < PER_RESPONSE_BYTES,
        "map keeps {per_response} bytes per response (bound {PER_RESPONSE_BYTES})"
    );
}

/// Run by the test above in a child process: a `map` of [`RESPONSES`] responses that
/// carry what nginx sends, each header value in an allocation of its own as a transport's
/// parsed head has them, then the growth of the peak RSS while they are all held.
#[tokio::test]
#[ignore = "run in a child process by a_kept_response_costs_under_a_kibibyte"]
async fn kept_responses_child() {
    if !is_child() {
        return;
    }
    let client = Client::with_transport(transport_fn(|_| async { Ok(nginx_response()) }));
    let urls: Vec<String> = (0..RESPONSES)
        .map(|i| format!("http://127.0.0.1:8080/files/{i}"))
        .collect();
    // Warm up the allocator and the runtime, then measure from here.
    drop(map(urls.iter().take(100).map(|u| client.get(u))).await);
    reset_peak_rss();
    let baseline = status_kib("VmRSS:");
    // `size` as the bench runs it: without one, every request's exchange would be in
    // flight at once, and this would measure those.
    let results = map(urls.iter().map(|u| client.get(u))).size(100).await;
    let peak = status_kib("VmHWM:");
    assert_eq!(results.iter().flatten().count() as u64, RESPONSES);
    let first = results[0].as_ref().unwrap();
    assert_eq!(first.header("etag"), Some("\"6571f0a5-d\""));
    assert_eq!(first.remote_addr().map(|a| a.port()), Some(8080));
    println!("peak growth KiB: {}", peak.saturating_sub(baseline));
}

fn nginx_response() -> Response<Body> {
    let mut response = Response::new(Body::from("Hello, World!"));
    let headers = response.headers_mut();
    for (name, value) in [
        ("server", "nginx/1.22.1"),
        ("date", "Sun, 06 Dec 2026 21:50:00 GMT"),
        ("content-type", "text/plain"),
        ("content-length", "13"),
        ("last-modified", "Thu, 07 Dec 2023 16:31:01 GMT"),
        ("connection", "keep-alive"),
        ("etag", "\"6571f0a5-d\""),
        ("accept-ranges", "bytes"),
    ] {
        let value = bytes::Bytes::from(value.as_bytes().to_vec());
        headers.insert(name, HeaderValue::from_maybe_shared(value).unwrap());
    }
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 8080));
    response.extensions_mut().insert(RemoteAddr(addr));
    response
}
