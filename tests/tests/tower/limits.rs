//! Concurrency and rate limits, global and per host, measured at the mock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use grequests::mock::{MockTransport, Reply, Route};
use grequests::tower::Rate;

use crate::support::{client, over, timed_route};

/// Counts requests in flight per host, and the most seen at once for each.
fn per_host_meter(
    mock: &MockTransport,
    delay: Duration,
) -> Arc<Mutex<HashMap<String, (usize, usize)>>> {
    let meter: Arc<Mutex<HashMap<String, (usize, usize)>>> = Arc::default();
    let log = meter.clone();
    mock.route(Route::any()).respond_with(move |request| {
        let log = log.clone();
        async move {
            let host = request.host().to_owned();
            {
                let mut log = log.lock().unwrap();
                let entry = log.entry(host.clone()).or_default();
                entry.0 += 1;
                entry.1 = entry.1.max(entry.0);
            }
            tokio::time::sleep(delay).await;
            log.lock().unwrap().entry(host).or_default().0 -= 1;
            Reply::ok()
        }
    });
    meter
}

#[tokio::test(start_paused = true)]
async fn the_global_concurrency_limit_is_never_exceeded() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::ok().delay(Duration::from_millis(50)));
    let client = client(over(&mock).concurrency_limit(3).build().unwrap());
    let responses =
        grequests::map((0..30).map(|i| client.get(format!("http://h{}.test/", i % 4)))).await;
    assert_eq!(responses.iter().flatten().count(), 30);
    assert_eq!(mock.max_in_flight(), 3);
}

#[tokio::test(start_paused = true)]
async fn per_host_limits_hold_for_each_host_separately() {
    let mock = MockTransport::new();
    let meter = per_host_meter(&mock, Duration::from_millis(50));
    let client = client(over(&mock).per_host_concurrency_limit(2).build().unwrap());
    let urls = (0..60).map(|i| format!("http://site{}.test/page/{i}", i % 3));
    let responses = grequests::map(urls.map(|u| client.get(u))).await;
    assert_eq!(responses.iter().flatten().count(), 60);
    let meter = meter.lock().unwrap();
    assert_eq!(meter.len(), 3);
    for (host, (_, most)) in meter.iter() {
        assert_eq!(*most, 2, "{host}");
    }
    // Three hosts, two each: six at once overall.
    assert_eq!(mock.max_in_flight(), 6);
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_spaces_requests() {
    let mock = MockTransport::new();
    let times = timed_route(&mock, "/", vec![Reply::ok()]);
    let transport = over(&mock)
        .rate_limit(Rate::new(5, Duration::from_secs(1)))
        .build()
        .unwrap();
    let client = client(transport);
    let started = tokio::time::Instant::now();
    let responses = grequests::map((0..15).map(|_| client.get("http://a.test/"))).await;
    assert_eq!(responses.iter().flatten().count(), 15);
    // 5 now, 5 after one second, 5 after two.
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    let times = times.lock().unwrap();
    for window in times.windows(6) {
        assert!(
            window[5] - window[0] >= Duration::from_secs(1),
            "six requests within a second"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn per_host_rates_do_not_slow_other_hosts() {
    let mock = MockTransport::new();
    mock.route(Route::any()).reply(Reply::ok());
    let transport = over(&mock)
        .per_host_rate_limit(Rate::new(2, Duration::from_secs(1)))
        .build()
        .unwrap();
    let client = client(transport);
    let started = tokio::time::Instant::now();
    let requests = (0..12).map(|i| client.get(format!("http://s{}.test/", i % 6)));
    let responses = grequests::map(requests).await;
    assert_eq!(responses.iter().flatten().count(), 12);
    // Two requests per host, all within the first window.
    assert_eq!(started.elapsed(), Duration::ZERO);
    let slow = (0..6).map(|_| client.get("http://s0.test/"));
    let started = tokio::time::Instant::now();
    grequests::map(slow).await;
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn user_layers_see_every_attempt() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .replies([Reply::status(503), Reply::ok()]);
    let transport = over(&mock)
        .layer(tower::util::MapRequestLayer::new(
            |mut request: http::Request<grequests::Body>| {
                request
                    .headers_mut()
                    .insert("x-layer", http::HeaderValue::from_static("on"));
                request
            },
        ))
        .build()
        .unwrap();
    client(transport)
        .get("http://a.test/")
        .send()
        .await
        .unwrap();
    let seen = mock.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r.header("x-layer") == Some("on")));
}

#[tokio::test]
async fn any_tower_service_can_be_a_transport() {
    let service = tower::service_fn(|request: http::Request<grequests::Body>| async move {
        let echo = format!("{} {}", request.method(), request.uri().path());
        Ok::<_, std::convert::Infallible>(http::Response::new(grequests::Body::from(echo)))
    });
    let transport = grequests::tower::TowerTransport::from_service(service);
    let response = client(transport)
        .delete("http://a.test/thing")
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().unwrap(), "DELETE /thing");
}

#[tokio::test(start_paused = true)]
async fn limits_past_what_tokio_accepts_are_clamped_not_a_panic() {
    let mock = MockTransport::new();
    mock.route(Route::any()).reply(Reply::ok());
    let transport = over(&mock)
        .concurrency_limit(usize::MAX)
        .per_host_concurrency_limit(usize::MAX)
        .build()
        .unwrap();
    let client = client(transport);
    assert!(client.get("http://a.test/").send().await.is_ok());
    let err = over(&mock)
        .rate_limit(Rate::new(1, Duration::MAX))
        .build()
        .unwrap_err();
    assert!(err.is_builder(), "{err}");
}

#[tokio::test(start_paused = true)]
async fn waiting_in_a_limiter_is_not_counted_by_the_low_speed_guard() {
    // A polite crawl: one request per 30 s to a host. The fourth waits 90 s in the rate
    // limiter, longer than the default 60 s low-speed window, and must still succeed:
    // the window counts from when the transport below takes the request.
    let mock = MockTransport::new();
    mock.route(Route::any()).reply(Reply::ok());
    let transport = over(&mock)
        .per_host_rate_limit(Rate::new(1, Duration::from_secs(30)))
        .build()
        .unwrap();
    let client = client(transport);
    let started = tokio::time::Instant::now();
    let results = grequests::try_map((0..4).map(|_| client.get("http://polite.test/"))).await;
    for result in &results {
        assert!(result.is_ok(), "{result:?}");
    }
    assert!(
        started.elapsed() >= Duration::from_secs(90),
        "{:?}",
        started.elapsed()
    );
}
