//! Helpers shared by the core suites.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use grequests_core::{Client, RequestBuilder};
use grequests_mock::{MockTransport, Reply, Route};

/// A mock whose `/delay/{ms}` routes answer after that many milliseconds of tokio time,
/// `/status/{code}` with that status, and `/refused` with a refused connection.
pub fn httpbin_like() -> (MockTransport, Client) {
    let mock = MockTransport::new();
    mock.route(Route::any().path("/delay/{ms}"))
        .respond_with_fn(|request| {
            let ms: u64 = request
                .param("ms")
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(0);
            Reply::status(200)
                .text(format!("slept {ms}"))
                .delay(Duration::from_millis(ms))
        });
    mock.route(Route::any().path("/status/{code}"))
        .respond_with_fn(|request| {
            Reply::status(
                request
                    .param("code")
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(500),
            )
        });
    mock.route(Route::any().path("/refused"))
        .reply(Reply::fail(grequests_mock::Failure::ConnectionRefused));
    // Anything else answers with its own path.
    mock.route(Route::any())
        .priority(-1)
        .respond_with_fn(|request| Reply::status(200).text(request.path()));
    let client = mock.client();
    (mock, client)
}

/// An iterator that counts how many items were pulled from it.
pub struct Counted<I> {
    pub inner: I,
    pub pulled: Arc<AtomicUsize>,
}

impl<I: Iterator> Iterator for Counted<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let item = self.inner.next();
        if item.is_some() {
            self.pulled.fetch_add(1, Ordering::SeqCst);
        }
        item
    }
}

/// `n` requests to `/delay/{ms}` with the given delays, cycling.
pub fn delayed(client: &Client, delays_ms: &[u64], n: usize) -> Vec<RequestBuilder> {
    (0..n)
        .map(|i| {
            client.get(format!(
                "http://mock.test/delay/{}",
                delays_ms[i % delays_ms.len()]
            ))
        })
        .collect()
}

/// Lets every task that can make progress do so, without advancing the clock.
pub async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}
