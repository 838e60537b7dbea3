//! [`HostSlots`]: at most N connections per `host:port`, whatever the batch's size
//! (aiohttp's `limit_per_host`; hyper-util's pool has no such cap).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use http::Uri;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Past this many hosts, the slots of hosts with no connection are forgotten.
const PRUNE_AFTER: usize = 1024;

/// One semaphore per `scheme://host:port`; a connection holds a permit while it is open.
#[derive(Debug)]
pub(crate) struct HostSlots {
    max: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostSlots {
    pub(crate) fn new(max: usize) -> Self {
        HostSlots {
            max: max.clamp(1, Semaphore::MAX_PERMITS),
            hosts: Mutex::default(),
        }
    }

    /// Waits for a free connection slot to `dst`'s host. Meanwhile the pool may hand the
    /// request a connection that fell idle, which is how requests past the cap are served.
    pub(crate) async fn acquire(&self, dst: &Uri) -> Option<OwnedSemaphorePermit> {
        let key = format!(
            "{}://{}",
            dst.scheme_str().unwrap_or("http"),
            dst.authority().map_or("", |a| a.as_str())
        );
        let semaphore = {
            let mut hosts = self.hosts.lock().ok()?;
            if hosts.len() > PRUNE_AFTER {
                let max = self.max;
                hosts.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < max);
            }
            hosts
                .entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(self.max)))
                .clone()
        };
        semaphore.acquire_owned().await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slots_are_per_host_and_free_on_drop() {
        let slots = HostSlots::new(2);
        let a: Uri = "http://a.test:80/".parse().unwrap_or_default();
        let b: Uri = "http://b.test:80/".parse().unwrap_or_default();
        let first = slots.acquire(&a).await;
        let second = slots.acquire(&a).await;
        assert!(first.is_some() && second.is_some());
        let third = tokio::time::timeout(std::time::Duration::from_millis(20), slots.acquire(&a));
        assert!(third.await.is_err(), "a third connection to a.test");
        assert!(slots.acquire(&b).await.is_some());
        drop(first);
        assert!(slots.acquire(&a).await.is_some());
    }
}
