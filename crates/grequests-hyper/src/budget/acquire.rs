//! Taking a descriptor from the budget for a new connection, waiting when it is spent.

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use tokio::sync::OwnedSemaphorePermit;
use tokio::task::Id;

use super::registry::{PoolCounters, Report};
use super::Shared;

/// How often a waiting connect looks again for an idle connection to evict (one spared as
/// fresh may have used up its grace).
const RECHECK: Duration = Duration::from_millis(250);

/// The connect gave up waiting: the pool served its request with a connection that fell
/// idle, and hyper-util finishes such a connect in the background only to pool it.
#[derive(Debug)]
pub(crate) struct Abandoned;

impl fmt::Display for Abandoned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connect abandoned: its request was served by a pooled connection")
    }
}

impl std::error::Error for Abandoned {}

/// A descriptor of the budget for a connection to `origin`. `task` is the request's task:
/// polled from another, the connect was moved to the background, and it stops waiting.
pub(crate) async fn acquire(
    shared: &Shared,
    origin: &Arc<str>,
    pool: &PoolCounters,
    task: Option<Id>,
) -> Result<OwnedSemaphorePermit, Abandoned> {
    if let Ok(permit) = shared.permits.clone().try_acquire_owned() {
        return Ok(permit);
    }
    let registry = &shared.registry;
    let (key, evicted) = registry.wait(origin, pool);
    report(evicted);
    let _waiting = Waiting { shared, key, pool };
    #[cfg(feature = "tracing")]
    let started = std::time::Instant::now();
    let mut permit = pin!(shared.permits.clone().acquire_owned());
    let mut recheck = pin!(tokio::time::sleep(RECHECK));
    let result = std::future::poll_fn(|cx| {
        if tokio::task::try_id() != task {
            return Poll::Ready(Err(Abandoned));
        }
        if let Poll::Ready(permit) = permit.as_mut().poll(cx) {
            // The semaphore is never closed.
            return Poll::Ready(permit.map_err(|_| Abandoned));
        }
        while recheck.as_mut().poll(cx).is_ready() {
            report(registry.recheck(key));
            recheck
                .as_mut()
                .reset(tokio::time::Instant::now() + RECHECK);
        }
        Poll::Pending
    })
    .await;
    #[cfg(feature = "tracing")]
    tracing::debug!(
        origin = %origin,
        waited_ms = started.elapsed().as_millis() as u64,
        got_one = result.is_ok(),
        "waited for the connection budget"
    );
    result
}

/// Takes the connect off the waiting list however it ends.
struct Waiting<'a> {
    shared: &'a Shared,
    key: usize,
    pool: &'a PoolCounters,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.shared.registry.done_waiting(self.key, self.pool);
    }
}

/// Says that an idle connection was evicted, when tracing is on.
pub(crate) fn report(evicted: impl IntoIterator<Item = Report>) {
    #[cfg(feature = "tracing")]
    for (origin, idle, why) in evicted {
        tracing::debug!(
            origin = %origin,
            idle_ms = idle.as_millis() as u64,
            reason = ?why,
            "evicted an idle connection"
        );
    }
    #[cfg(not(feature = "tracing"))]
    drop(evicted.into_iter());
}
