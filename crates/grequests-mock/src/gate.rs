//! [`Gate`]: holds the requests of a route until the test lets them go, so that a test can
//! script the order in which requests finish instead of relying on latency gaps.

use std::sync::Arc;

use tokio::sync::Semaphore;

/// Holds every request of a route, in arrival order, until [`release`](Gate::release)d.
///
/// ```
/// use grequests_mock::{MockTransport, Reply, Route};
/// use futures_util::StreamExt;
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let mock = MockTransport::new();
/// let gate = mock.route(Route::get("/slow")).reply(Reply::ok().text("slow")).hold();
/// mock.route(Route::get("/fast")).reply(Reply::ok().text("fast"));
/// let client = mock.client();
/// let batch = grequests_core::imap([client.get("http://t.test/slow"), client.get("http://t.test/fast")]);
/// let mut batch = std::pin::pin!(batch.size(2));
/// // The fast one finishes first, whatever the scheduler does; then the slow one goes.
/// assert_eq!(batch.next().await.unwrap().text().unwrap(), "fast");
/// gate.release_all();
/// assert_eq!(batch.next().await.unwrap().text().unwrap(), "slow");
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct Gate {
    permits: Arc<Semaphore>,
}

impl Gate {
    pub(crate) fn new() -> Self {
        Gate {
            permits: Arc::new(Semaphore::new(0)),
        }
    }

    /// Lets the next `n` held (or future) requests of the route through, oldest first.
    pub fn release(&self, n: usize) {
        self.permits.add_permits(n.min(Semaphore::MAX_PERMITS / 2));
    }

    /// Opens the gate for good.
    pub fn release_all(&self) {
        self.permits.add_permits(Semaphore::MAX_PERMITS / 2);
    }

    /// Waits for the gate to let one request through.
    pub(crate) async fn pass(&self) {
        if let Ok(permit) = self.permits.acquire().await {
            permit.forget();
        }
    }
}
