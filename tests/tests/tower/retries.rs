//! What is retried, when, and how often.

use std::time::Duration;

use grequests::mock::{Failure, MockTransport, Reply, Route};
use grequests::tower::Attempts;

use crate::support::{client, gaps, over, timed_route};

#[tokio::test(start_paused = true)]
async fn a_503_503_200_sequence_takes_three_attempts() {
    let mock = MockTransport::new();
    let times = timed_route(
        &mock,
        "/flaky",
        vec![Reply::status(503), Reply::status(503), Reply::ok()],
    );
    let response = client(over(&mock).build().unwrap())
        .get("http://api.test/flaky")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.extensions().get::<Attempts>(), Some(&Attempts(3)));
    let gaps = gaps(&times);
    assert_eq!(gaps.len(), 2);
    assert!(gaps[0] <= Duration::from_millis(100), "{gaps:?}");
    assert!(gaps[1] <= Duration::from_millis(200), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn backoff_ceilings_double_and_stop_at_the_cap() {
    let mock = MockTransport::new();
    let times = timed_route(&mock, "/down", vec![Reply::status(502)]);
    let transport = over(&mock)
        .max_retries(6)
        .backoff(Duration::from_millis(100), Duration::from_millis(800))
        .retry_budget(Duration::from_secs(10), 1000, 1.0)
        .build()
        .unwrap();
    let response = client(transport)
        .get("http://api.test/down")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502, "the last answer is handed back");
    assert_eq!(response.extensions().get::<Attempts>(), Some(&Attempts(7)));
    let ceilings = [100, 200, 400, 800, 800, 800];
    for (gap, ceiling) in gaps(&times).iter().zip(ceilings) {
        assert!(
            *gap <= Duration::from_millis(ceiling),
            "{gap:?} over {ceiling} ms"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn jitter_spreads_retries_over_the_whole_window() {
    // Full jitter: the first wait is uniform on [0, 1 s]; over 40 requests, some wait less
    // than a quarter of it and some more than three quarters.
    let mock = MockTransport::new();
    let times = timed_route(&mock, "/x", vec![Reply::status(503), Reply::ok()]);
    let transport = over(&mock)
        .backoff(Duration::from_secs(1), Duration::from_secs(1))
        .retry_budget(Duration::from_secs(10), 1000, 1.0)
        .build()
        .unwrap();
    let client = client(transport);
    let mut waits = Vec::new();
    for _ in 0..40 {
        // The route answers by how many calls it has logged: clearing replays 503, 200.
        times.lock().unwrap().clear();
        client.get("http://api.test/x").send().await.unwrap();
        waits.push(gaps(&times)[0]);
    }
    assert!(waits.iter().all(|w| *w <= Duration::from_secs(1)));
    assert!(
        waits.iter().any(|w| *w < Duration::from_millis(250)),
        "{waits:?}"
    );
    assert!(
        waits.iter().any(|w| *w > Duration::from_millis(750)),
        "{waits:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_obeyed_and_capped() {
    let mock = MockTransport::new();
    let times = timed_route(
        &mock,
        "/busy",
        vec![Reply::status(429).header("retry-after", "7"), Reply::ok()],
    );
    let client = client(over(&mock).build().unwrap());
    client.get("http://api.test/busy").send().await.unwrap();
    assert_eq!(gaps(&times), [Duration::from_secs(7)]);

    let mock = MockTransport::new();
    let times = timed_route(
        &mock,
        "/busy",
        vec![
            Reply::status(503).header("retry-after", "3600"),
            Reply::ok(),
        ],
    );
    let capped = over(&mock)
        .max_retry_after(Duration::from_secs(60))
        .build()
        .unwrap();
    crate::support::client(capped)
        .get("http://api.test/busy")
        .send()
        .await
        .unwrap();
    assert_eq!(gaps(&times), [Duration::from_secs(60)]);
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_obeyed() {
    let mock = MockTransport::new();
    let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(20));
    let times = timed_route(
        &mock,
        "/busy",
        vec![Reply::status(503).header("retry-after", &at), Reply::ok()],
    );
    client(over(&mock).build().unwrap())
        .get("http://api.test/busy")
        .send()
        .await
        .unwrap();
    let gap = gaps(&times)[0];
    // The date has one-second resolution.
    assert!(
        gap > Duration::from_secs(18) && gap <= Duration::from_secs(20),
        "{gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn non_idempotent_methods_are_not_retried_unless_asked() {
    let mock = MockTransport::new();
    let post = mock
        .route(Route::post("/orders"))
        .replies([Reply::status(503), Reply::status(201)]);
    let response = client(over(&mock).build().unwrap())
        .post("http://api.test/orders")
        .data("order")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(post.calls(), 1);

    let mock = MockTransport::new();
    let post = mock
        .route(Route::post("/orders"))
        .replies([Reply::status(503), Reply::status(201)]);
    let opted_in = over(&mock).retry_non_idempotent(true).build().unwrap();
    let response = client(opted_in)
        .post("http://api.test/orders")
        .data("order")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(post.calls(), 2);
    assert_eq!(mock.requests()[1].body, "order", "the body was replayed");
}

#[tokio::test(start_paused = true)]
async fn connect_failures_and_resets_are_retried_dns_and_tls_are_not() {
    let mock = MockTransport::new();
    let refused = mock.route(Route::get("/refused")).replies([
        Reply::fail(Failure::ConnectionRefused),
        Reply::fail(Failure::Reset),
        Reply::ok(),
    ]);
    let dns = mock
        .route(Route::get("/dns"))
        .reply(Reply::fail(Failure::Dns));
    let client = client(over(&mock).build().unwrap());
    assert_eq!(
        client
            .get("http://api.test/refused")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(refused.calls(), 3);
    let error = client.get("http://api.test/dns").send().await.unwrap_err();
    assert!(error.is_dns());
    assert_eq!(dns.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn giving_up_keeps_the_errors_kind_and_says_why() {
    let mock = MockTransport::new();
    let route = mock
        .route(Route::get("/dead"))
        .reply(Reply::fail(Failure::ConnectionRefused));
    let transport = over(&mock).max_retries(2).build().unwrap();
    let error = client(transport)
        .get("http://api.test/dead")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect());
    assert!(
        error
            .to_string()
            .contains("retries exhausted after 3 attempt(s)"),
        "{error}"
    );
    assert_eq!(route.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_budget_stops_retries_against_a_dead_host() {
    let mock = MockTransport::new();
    let route = mock.route(Route::get("/dead")).reply(Reply::status(503));
    // 20% of requests, and no free retries per second.
    let transport = over(&mock)
        .max_retries(3)
        .retry_budget(Duration::from_secs(10), 0, 0.2)
        .build()
        .unwrap();
    let client = client(transport);
    let requests = (0..50).map(|_| client.get("http://api.test/dead"));
    let responses = grequests::map(requests).size(10).await;
    assert_eq!(responses.iter().flatten().count(), 50);
    // Without a budget: 50 × 4 = 200 calls. With it: 50 plus about a fifth of that.
    assert!(route.calls() <= 50 + 12, "{} calls", route.calls());
    assert!(route.calls() > 50, "no retry was allowed at all");
}

#[tokio::test(start_paused = true)]
async fn a_streaming_body_is_sent_once_and_the_error_says_so() {
    let mock = MockTransport::new();
    let route = mock
        .route(Route::put("/upload"))
        .reply(Reply::fail(Failure::Reset));
    let stream =
        futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from("chunk"))]);
    let error = client(over(&mock).build().unwrap())
        .put("http://api.test/upload")
        .data(grequests::Body::from_stream(stream))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_request());
    assert!(
        error.to_string().contains("streaming request body"),
        "{error}"
    );
    assert_eq!(route.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_attempt_timeout_retries_a_slow_attempt() {
    let mock = MockTransport::new();
    let times = timed_route(
        &mock,
        "/slow",
        vec![Reply::ok().delay(Duration::from_secs(60)), Reply::ok()],
    );
    let transport = over(&mock)
        .attempt_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let response = client(transport)
        .get("http://api.test/slow")
        .send()
        .await
        .unwrap();
    assert_eq!(response.extensions().get::<Attempts>(), Some(&Attempts(2)));
    let gap = gaps(&times)[0];
    assert!(
        gap >= Duration::from_secs(1) && gap <= Duration::from_millis(1100),
        "{gap:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn the_deadline_bounds_all_attempts_together() {
    let mock = MockTransport::new();
    mock.route(Route::get("/slow"))
        .reply(Reply::ok().delay(Duration::from_secs(2)));
    let transport = over(&mock)
        .attempt_timeout(Duration::from_secs(1))
        .deadline(Duration::from_millis(2500))
        .max_retries(10)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let error = client(transport)
        .get("http://api.test/slow")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout());
    assert!(error.to_string().contains("deadline"), "{error}");
    assert_eq!(started.elapsed(), Duration::from_millis(2500));
}

#[test]
fn bad_settings_are_builder_errors() {
    let mock = MockTransport::new();
    assert!(crate::support::over(&mock)
        .retry_statuses([99])
        .build()
        .is_err_and(|e| e.is_builder()));
    let zero = grequests::tower::Rate::new(0, Duration::from_secs(1));
    assert!(crate::support::over(&mock)
        .rate_limit(zero)
        .build()
        .is_err_and(|e| e.is_builder()));
}

#[test]
fn each_retry_is_traced_with_its_reason_and_wait() {
    // tracing caches which call sites are enabled process-wide, and the other tests of this
    // binary run beside it without a subscriber: the child runs this one alone.
    grequests_tests::run_child("retries::retry_tracing_child", &[], None);
}

/// Run by the test above in a child process.
#[tokio::test(start_paused = true)]
#[ignore = "run in a child process by each_retry_is_traced_with_its_reason_and_wait"]
async fn retry_tracing_child() {
    if !grequests_tests::is_child() {
        return;
    }
    let captured = grequests_tests::Captured::default();
    let _guard = captured.install();
    let mock = MockTransport::new();
    timed_route(
        &mock,
        "/flaky",
        vec![Reply::status(503), Reply::status(503), Reply::ok()],
    );
    let response = client(over(&mock).build().unwrap())
        .get("http://api.test/flaky")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let log = captured.text();
    assert_eq!(log.matches("retrying").count(), 2, "{log}");
    assert!(
        log.contains("reason=status 503") && log.contains("wait_ms="),
        "{log}"
    );
    assert!(log.contains("attempts=3"), "{log}");
}
