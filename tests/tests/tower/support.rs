//! Shared set-up: a tower transport over the mock, and timing of what the mock received.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use grequests::mock::{MockTransport, Reply, Route};
use grequests::tower::{TowerTransport, TowerTransportBuilder};
use grequests::Client;
use tokio::time::Instant;

/// A builder over `mock` with a quick, predictable backoff ceiling.
pub fn over(mock: &MockTransport) -> TowerTransportBuilder {
    TowerTransport::builder()
        .transport(mock.clone())
        .backoff(Duration::from_millis(100), Duration::from_secs(10))
}

pub fn client(transport: TowerTransport) -> Client {
    Client::with_transport(transport)
}

/// Answers `replies` in order on `path` and records when each call came.
pub fn timed_route(
    mock: &MockTransport,
    path: &str,
    replies: Vec<Reply>,
) -> Arc<Mutex<Vec<Instant>>> {
    let times = Arc::new(Mutex::new(Vec::new()));
    let log = times.clone();
    let replies = Arc::new(replies);
    mock.route(Route::any().path(path)).respond_with(move |_| {
        let log = log.clone();
        let replies = replies.clone();
        async move {
            let mut log = log.lock().unwrap();
            log.push(Instant::now());
            let n = log.len() - 1;
            replies
                .get(n)
                .or(replies.last())
                .cloned()
                .unwrap_or_else(Reply::ok)
        }
    });
    times
}

/// The gaps between consecutive calls.
pub fn gaps(times: &Mutex<Vec<Instant>>) -> Vec<Duration> {
    let times = times.lock().unwrap();
    times.windows(2).map(|w| w[1] - w[0]).collect()
}
