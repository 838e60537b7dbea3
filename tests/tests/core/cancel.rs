//! Cancellation, `gtimeout` and backpressure: nothing outlives its batch, nothing piles up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use grequests_core::{imap, imap_enumerated, map, try_map};

use crate::support::{delayed, httpbin_like, settle};

#[tokio::test(start_paused = true)]
async fn dropping_an_imap_stream_cancels_what_is_in_flight() {
    let (mock, client) = httpbin_like();
    let hooks = Arc::new(AtomicUsize::new(0));
    let requests = (0..20).map(|i| {
        let hooks = hooks.clone();
        client
            .get(format!(
                "http://mock.test/delay/{}",
                if i == 0 { 10 } else { 1000 }
            ))
            .on_response(move |_| {
                hooks.fetch_add(1, Ordering::SeqCst);
            })
    });
    let mut stream = Box::pin(imap(requests).size(4));
    assert!(stream.next().await.is_some());
    settle().await;
    assert!(mock.in_flight() > 0);
    drop(stream);
    settle().await;
    assert_eq!(mock.in_flight(), 0, "tasks outlived their stream");
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        hooks.load(Ordering::SeqCst),
        1,
        "a hook fired for a dropped request"
    );
    assert!(mock.requests().len() <= 5);
}

#[tokio::test(start_paused = true)]
async fn dropping_a_map_future_cancels_it() {
    let (mock, client) = httpbin_like();
    let batch = map(delayed(&client, &[1000], 10));
    let outcome = tokio::time::timeout(Duration::from_millis(100), batch).await;
    assert!(outcome.is_err());
    settle().await;
    assert_eq!(mock.in_flight(), 0);
}

#[tokio::test(start_paused = true)]
async fn gtimeout_fails_the_unfinished_with_timeout_errors() {
    let (mock, client) = httpbin_like();
    let requests = vec![
        client.get("http://mock.test/delay/100"),
        client.get("http://mock.test/delay/5000"),
        client.get("http://mock.test/delay/200"),
        client.get("http://mock.test/delay/100"),
    ];
    let started = tokio::time::Instant::now();
    let results = try_map(requests)
        .size(3)
        .gtimeout(Duration::from_millis(1000))
        .await;
    assert_eq!(started.elapsed(), Duration::from_millis(1000));
    let timed_out: Vec<bool> = results
        .iter()
        .map(|r| r.as_ref().is_err_and(|e| e.is_timeout()))
        .collect();
    assert_eq!(timed_out, [false, true, false, false]);
    settle().await;
    assert_eq!(mock.in_flight(), 0);
}

#[tokio::test(start_paused = true)]
async fn gtimeout_reports_unsent_requests_through_the_handler() {
    let (mock, client) = httpbin_like();
    let handled = Arc::new(AtomicUsize::new(0));
    let count = handled.clone();
    let responses = map(delayed(&client, &[400], 10))
        .size(2)
        .gtimeout(Duration::from_millis(1000))
        .exception_handler(move |_, error| {
            assert!(error.is_timeout(), "{error}");
            count.fetch_add(1, Ordering::SeqCst);
            None
        })
        .await;
    assert_eq!(responses.len(), 10);
    assert_eq!(responses.iter().flatten().count(), 4);
    assert_eq!(handled.load(Ordering::SeqCst), 6);
    assert_eq!(mock.requests().len(), 6);
}

#[tokio::test(start_paused = true)]
async fn gtimeout_in_imap_enumerated_still_yields_every_index() {
    let (_mock, client) = httpbin_like();
    let mut indices: Vec<usize> = imap_enumerated(delayed(&client, &[50, 5000], 8))
        .size(4)
        .gtimeout(Duration::from_millis(500))
        .map(|(i, _)| i)
        .collect()
        .await;
    indices.sort();
    assert_eq!(indices, (0..8).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn a_slow_consumer_holds_at_most_size_results() {
    let (mock, client) = httpbin_like();
    let mut stream = Box::pin(imap(delayed(&client, &[1], 100)).size(4));
    assert!(stream.next().await.is_some());
    // The consumer is busy for a long time; the batch must not run ahead.
    tokio::time::sleep(Duration::from_secs(10)).await;
    settle().await;
    assert!(mock.requests().len() <= 5, "{} sent", mock.requests().len());
    assert_eq!(stream.count().await, 99);
}

#[tokio::test(start_paused = true)]
async fn requests_in_flight_keep_moving_while_the_consumer_is_busy() {
    // Every response takes 100 ms; the consumer spends 1 s on each. On the batch's driver
    // task the other three finish during the first second: the batch takes 4.1 s, not 4.4.
    let (_mock, client) = httpbin_like();
    let started = tokio::time::Instant::now();
    let mut stream = Box::pin(imap(delayed(&client, &[100], 4)).size(4));
    while stream.next().await.is_some() {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert_eq!(started.elapsed(), Duration::from_millis(4100));
}
