//! Timeouts and bodies: read, connect and total limits on tokio's paused clock, streaming,
//! resets, size limits.

use std::time::Duration;

use grequests_core::{map, try_map};
use grequests_mock::{Failure, MockTransport, Reply, Route};

#[tokio::test(start_paused = true)]
async fn a_read_timeout_shorter_than_the_server_fails_as_a_timeout() {
    // The seed's `grequests.get('http://httpbin.org/delay/1', timeout=0.001)`.
    let mock = MockTransport::new();
    mock.route(Route::get("/delay/1"))
        .reply(Reply::ok().delay(Duration::from_secs(1)));
    let client = mock.client();
    let started = tokio::time::Instant::now();
    let results = try_map([
        client
            .get("http://mock.test/delay/1")
            .timeout(Duration::from_millis(1)),
        client
            .get("http://mock.test/delay/1")
            .timeout(Duration::from_secs(2)),
    ])
    .await;
    let error = results[0].as_ref().err().unwrap();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(error.url().map(|u| u.path()), Some("/delay/1"));
    assert!(results[1].is_ok());
    assert_eq!(started.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_connect_timeout_bounds_a_hanging_connect() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::fail(Failure::ConnectTimeout));
    let started = tokio::time::Instant::now();
    let error = mock
        .client()
        .get("http://mock.test/")
        .connect_timeout(Duration::from_millis(250))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout());
    assert_eq!(started.elapsed(), Duration::from_millis(250));
}

#[tokio::test(start_paused = true)]
async fn a_total_timeout_covers_slow_bodies_too() {
    let mock = MockTransport::new();
    mock.route(Route::any()).reply(
        Reply::ok()
            .chunks(["a", "b", "c", "d"])
            .chunk_delay(Duration::from_millis(400)),
    );
    let client = mock.client();
    let error = client
        .get("http://mock.test/")
        .read_timeout(Duration::from_secs(1))
        .total_timeout(Duration::from_secs(1))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    let ok = client
        .get("http://mock.test/")
        .read_timeout(Duration::from_secs(1))
        .send()
        .await;
    assert_eq!(ok.unwrap().text().unwrap(), "abcd");
}

#[tokio::test(start_paused = true)]
async fn a_read_timeout_applies_between_body_chunks() {
    let mock = MockTransport::new();
    mock.route(Route::any()).reply(
        Reply::ok()
            .chunks(["a", "b"])
            .chunk_delay(Duration::from_secs(3)),
    );
    let error = mock
        .client()
        .get("http://mock.test/")
        .read_timeout(Duration::from_secs(1))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
}

#[tokio::test(start_paused = true)]
async fn streamed_bodies_are_read_chunk_by_chunk() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::ok().chunks(["one ", "two ", "three"]));
    let responses = map([mock.client().get("http://mock.test/")])
        .stream(true)
        .await;
    let mut response = responses.into_iter().flatten().next().unwrap();
    assert!(response.text().is_err_and(|e| e.is_body()));
    let mut chunks = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        chunks.push(chunk);
    }
    assert_eq!(chunks, ["one ", "two ", "three"]);
}

#[tokio::test(start_paused = true)]
async fn a_streamed_body_is_a_stream_of_chunks_ending_at_an_error() {
    use futures_util::StreamExt;
    let mock = MockTransport::new();
    mock.route(Route::get("/ok"))
        .reply(Reply::ok().chunks(["a", "b", "c"]));
    mock.route(Route::get("/reset"))
        .reply(Reply::ok().chunks(["a", "b", "c"]).reset_after_chunks(2));
    let client = mock.client();
    let ok = client
        .get("http://mock.test/ok")
        .stream(true)
        .send()
        .await
        .unwrap();
    let chunks: Vec<_> = ok.bytes_stream().map(|c| c.unwrap()).collect().await;
    assert_eq!(chunks, ["a", "b", "c"]);
    let reset = client
        .get("http://mock.test/reset")
        .stream(true)
        .send()
        .await
        .unwrap();
    let items: Vec<_> = reset.bytes_stream().collect().await;
    assert_eq!(items.len(), 3, "two chunks, then the error, then the end");
    assert!(items[2].as_ref().is_err_and(|e| e.is_body()));
}

#[tokio::test(start_paused = true)]
async fn a_reset_in_the_middle_of_a_body_is_a_body_error() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::ok().chunks(["x", "y", "z"]).reset_after_chunks(1));
    let client = mock.client();
    let error = client.get("http://mock.test/").send().await.unwrap_err();
    assert!(error.is_body(), "{error}");
    let mut streamed = client
        .get("http://mock.test/")
        .stream(true)
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.chunk().await.unwrap().as_deref(), Some(&b"x"[..]));
    assert!(streamed.chunk().await.is_err_and(|e| e.is_body()));
}

#[tokio::test(start_paused = true)]
async fn body_size_limits_apply_per_client_and_per_request() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::ok().body(vec![b'x'; 2048]));
    let limited = grequests_core::Client::builder()
        .transport(mock.clone())
        .max_body_size(1024)
        .build()
        .unwrap();
    assert!(limited
        .get("http://mock.test/")
        .send()
        .await
        .is_err_and(|e| e.is_body()));
    let per_request = mock
        .client()
        .get("http://mock.test/")
        .max_body_size(2047)
        .send()
        .await;
    assert!(per_request.is_err_and(|e| e.is_body()));
    assert!(mock.client().get("http://mock.test/").send().await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn each_failure_kind_keeps_its_predicate() {
    let mock = MockTransport::new();
    mock.route(Route::get("/refused"))
        .reply(Reply::fail(Failure::ConnectionRefused));
    mock.route(Route::get("/dns"))
        .reply(Reply::fail(Failure::Dns));
    mock.route(Route::get("/reset"))
        .reply(Reply::fail(Failure::Reset));
    let client = mock.client();
    let results = try_map([
        client.get("http://mock.test/refused"),
        client.get("http://nowhere.invalid/dns"),
        client.get("http://mock.test/reset"),
        client.get("http://mock.test/unrouted"),
    ])
    .await;
    let errors: Vec<_> = results.into_iter().map(|r| r.unwrap_err()).collect();
    assert!(errors[0].is_connect() && !errors[0].is_dns());
    assert!(errors[1].is_dns() && errors[1].is_connect());
    assert!(errors[2].is_request());
    // A request no route takes is its own kind, never a connection failure.
    assert!(errors[3].is_no_route() && !errors[3].is_request() && !errors[3].is_connect());
    assert!(errors[3]
        .to_string()
        .contains("no mock route matches\n  GET http://mock.test/unrouted"));
    let message = mock.verify().unwrap_err();
    assert!(
        message.contains("1 request(s) matched no route"),
        "{message}"
    );
    mock.allow_unmatched();
    assert!(mock.verify().is_ok());
}

#[tokio::test(start_paused = true)]
async fn by_default_a_silent_server_fails_after_one_low_speed_window() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::ok().delay(Duration::from_secs(3600)));
    let started = tokio::time::Instant::now();
    let err = mock
        .client()
        .get("http://mock.test/")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(err.to_string().contains("low_speed_limit"), "{err}");
    assert_eq!(started.elapsed().as_secs(), 60);
}

#[tokio::test(start_paused = true)]
async fn by_default_a_trickling_body_fails_and_a_slow_healthy_one_does_not() {
    let mock = MockTransport::new();
    // One byte a second: 60 bytes a window, under the default 1 KiB.
    mock.route(Route::get("/trickle")).reply(
        Reply::ok()
            .chunks(vec![vec![b'x'; 1]; 600])
            .chunk_delay(Duration::from_secs(1)),
    );
    // 2 KiB every 30 s: slow, but over the limit in every window; five minutes in all.
    mock.route(Route::get("/slow")).reply(
        Reply::ok()
            .chunks(vec![vec![b'x'; 2048]; 10])
            .chunk_delay(Duration::from_secs(30)),
    );
    let client = mock.client();
    let started = tokio::time::Instant::now();
    let err = client
        .get("http://mock.test/trickle")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(
        (60..=61).contains(&started.elapsed().as_secs()),
        "{:?}",
        started.elapsed()
    );
    let slow = client.get("http://mock.test/slow").send().await.unwrap();
    assert_eq!(slow.bytes().unwrap().len(), 20 * 1024);
}

#[tokio::test(start_paused = true)]
async fn the_low_speed_guard_can_be_changed_or_removed() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::ok().delay(Duration::from_secs(120)));
    let client = mock.client();
    let started = tokio::time::Instant::now();
    let err = client
        .get("http://mock.test/")
        .low_speed_limit(grequests_core::LowSpeedLimit::new(
            1,
            Duration::from_secs(5),
        ))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.is_timeout() && started.elapsed().as_secs() == 5,
        "{err}"
    );
    let patient = grequests_core::Client::builder()
        .transport(mock.clone())
        .low_speed_limit(None)
        .build()
        .unwrap();
    assert!(patient.get("http://mock.test/").send().await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn the_longest_durations_never_panic() {
    let mock = MockTransport::new();
    mock.route(Route::any()).reply(Reply::ok().text("fine"));
    let client = grequests_core::Client::builder()
        .transport(mock.clone())
        .timeout(Duration::MAX)
        .total_timeout(Duration::MAX)
        .low_speed_limit(grequests_core::LowSpeedLimit::new(1, Duration::MAX))
        .build()
        .unwrap();
    let response = client
        .get("http://mock.test/")
        .read_timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .stream(true)
        .send()
        .await
        .unwrap();
    let mut response = response;
    assert_eq!(
        response.chunk().await.unwrap().as_deref(),
        Some(&b"fine"[..])
    );
}

#[tokio::test(start_paused = true)]
async fn a_stale_connection_is_retried_once_for_idempotent_methods_only() {
    let mock = MockTransport::new();
    mock.route(Route::get("/stale"))
        .replies([Reply::fail(Failure::StaleConnection), Reply::ok()]);
    mock.route(Route::post("/stale"))
        .replies([Reply::fail(Failure::StaleConnection), Reply::ok()]);
    mock.route(Route::get("/always-stale"))
        .reply(Reply::fail(Failure::StaleConnection));
    let client = mock.client();
    assert!(client.get("http://mock.test/stale").send().await.is_ok());
    let post = client
        .post("http://mock.test/stale")
        .send()
        .await
        .unwrap_err();
    assert!(post.is_stale_connection());
    let keyed = client
        .post("http://mock.test/stale")
        .header("Idempotency-Key", "k1")
        .send()
        .await;
    assert!(keyed.is_ok(), "{keyed:?}");
    let twice = client
        .get("http://mock.test/always-stale")
        .send()
        .await
        .unwrap_err();
    assert!(twice.is_stale_connection());
    let sent = mock
        .requests()
        .iter()
        .filter(|r| r.path() == "/always-stale")
        .count();
    assert_eq!(sent, 2);
}

#[tokio::test(start_paused = true)]
async fn a_connect_timeout_is_both_a_connect_error_and_a_timeout() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::fail(Failure::ConnectTimeout));
    let err = mock
        .client()
        .get("http://mock.test/")
        .connect_timeout(Duration::from_secs(1))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect() && err.is_timeout(), "{err}");
}
