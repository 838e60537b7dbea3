//! The contract, written once: each function is one rule every backend keeps.

use std::time::{Duration, Instant};

use crate::backends::Backend;

pub async fn answers(backend: Backend) {
    let response = backend.client.get(backend.url("/ok")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), "ok");
}

pub async fn honours_the_read_timeout(backend: Backend) {
    let started = Instant::now();
    let err = backend
        .client
        .get(backend.url("/never-answer"))
        .read_timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

pub async fn times_out_between_body_chunks(backend: Backend) {
    // The head and 10 bytes come at once, then nothing: the client's guard ends it, the
    // same way over every transport.
    let started = Instant::now();
    let err = backend
        .client
        .get(backend.url("/stall-mid-body"))
        .read_timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(err.to_string().contains("read timed out"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // Streamed, the chunk that came is handed over, and the wait for the next one fails.
    let mut streamed = backend
        .client
        .get(backend.url("/stall-mid-body"))
        .read_timeout(Duration::from_millis(200))
        .stream(true)
        .send()
        .await
        .unwrap();
    let mut received = 0;
    let failure = loop {
        match streamed.chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => panic!("the stalled body ended"),
            Err(err) => break err,
        }
    };
    assert_eq!(received, 10);
    assert!(failure.is_timeout(), "{failure}");
}

pub async fn classifies_refused_and_unresolved(backend: Backend) {
    let refused = backend
        .client
        .get(&backend.refused_url)
        .send()
        .await
        .unwrap_err();
    assert!(
        refused.is_connect() && !refused.is_dns() && !refused.is_timeout(),
        "{refused}"
    );
    let unresolved = backend
        .client
        .get(&backend.dns_url)
        .send()
        .await
        .unwrap_err();
    assert!(
        unresolved.is_dns() && unresolved.is_connect(),
        "{unresolved}"
    );
}

pub async fn a_reset_is_a_request_error(backend: Backend) {
    let err = backend
        .client
        .get(backend.url("/reset-before-head"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_request(), "{err}");
}

pub async fn bodies_are_bounded(backend: Backend) {
    let err = backend
        .client
        .get(backend.url("/endless-chunked"))
        .max_body_size(1024)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_body(), "{err}");
    // And by default: 64 MiB.
    let err = backend
        .client
        .get(backend.url("/endless-chunked"))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("67108864"), "{err}");
}

pub async fn dropping_a_request_cancels_it(backend: Backend) {
    let pending = backend.client.get(backend.url("/never-answer")).send();
    assert!(tokio::time::timeout(Duration::from_millis(100), pending)
        .await
        .is_err());
    if let Some(in_flight) = &backend.in_flight {
        assert_eq!(in_flight(), 0, "the dropped request is still running");
    }
    // The backend is still fine afterwards.
    assert!(backend.client.get(backend.url("/ok")).send().await.is_ok());
}

pub async fn odd_input_is_an_answer_not_a_panic(backend: Backend) {
    let odd = [
        backend.client.request(
            http::Method::from_bytes(b"BREW").unwrap(),
            backend.url("/ok"),
        ),
        backend
            .client
            .get(backend.url(&format!("/ok?{}", "q".repeat(16 * 1024)))),
        backend.client.get(backend.url("/%ZZ/\u{1F600}?a=%00")),
        backend.client.get(backend.url("/ok")).header("x-empty", ""),
    ];
    let results = grequests::try_map(odd).await;
    assert_eq!(results.len(), 4);
}
