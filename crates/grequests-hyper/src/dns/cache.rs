//! [`CachingResolver`]: remembers each host's addresses for a while, so that a crawl of
//! 100 000 URLs over 2 000 hosts asks the resolver about 2 000 times, not once per connection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::resolve::{Resolve, Resolving};

/// Caches another resolver's answers for `ttl` (the system resolver reports no TTL, so the
/// cache cannot honour the record's own), up to `max_hosts` hosts. Failures are not cached.
///
/// ```no_run
/// use std::time::Duration;
/// use grequests_hyper::{CachingResolver, HyperTransport, SystemResolver};
/// let transport = HyperTransport::builder()
///     .dns_resolver(CachingResolver::new(SystemResolver::new(), Duration::from_secs(60)))
///     .build()?;
/// # Ok::<(), grequests_transport::Error>(())
/// ```
pub struct CachingResolver {
    inner: Arc<dyn Resolve>,
    ttl: Duration,
    max_hosts: usize,
    cache: Arc<Mutex<Entries>>,
}

/// Each host's addresses and when they expire.
type Entries = HashMap<String, (Vec<SocketAddr>, Instant)>;

impl CachingResolver {
    /// Caches `inner`'s answers for `ttl`, for at most 10 000 hosts.
    pub fn new(inner: impl Resolve, ttl: Duration) -> Self {
        CachingResolver {
            inner: Arc::new(inner),
            ttl,
            max_hosts: 10_000,
            cache: Arc::default(),
        }
    }

    /// At most this many hosts are remembered; past it, expired entries go first, then the
    /// cache starts over.
    pub fn max_hosts(mut self, max: usize) -> Self {
        self.max_hosts = max.max(1);
        self
    }
}

impl Resolve for CachingResolver {
    fn resolve(&self, host: &str) -> Resolving {
        let now = Instant::now();
        if let Ok(cache) = self.cache.lock() {
            if let Some((addrs, expires)) = cache.get(host) {
                if *expires > now {
                    let addrs = addrs.clone();
                    return Box::pin(async move { Ok(addrs) });
                }
            }
        }
        let lookup = self.inner.resolve(host);
        let (cache, host) = (self.cache.clone(), host.to_owned());
        let (ttl, max_hosts) = (self.ttl, self.max_hosts);
        Box::pin(async move {
            let addrs = lookup.await?;
            if let (Ok(mut cache), Some(expires)) = (cache.lock(), now.checked_add(ttl)) {
                if cache.len() >= max_hosts {
                    let now = Instant::now();
                    cache.retain(|_, (_, expires)| *expires > now);
                    if cache.len() >= max_hosts {
                        cache.clear();
                    }
                }
                cache.insert(host, (addrs.clone(), expires));
            }
            Ok(addrs)
        })
    }
}

impl std::fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachingResolver")
            .field("ttl", &self.ttl)
            .field("max_hosts", &self.max_hosts)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    struct Counting(Arc<AtomicUsize>);

    impl Resolve for Counting {
        fn resolve(&self, _host: &str) -> Resolving {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Ok(vec![SocketAddr::from(([127, 0, 0, 1], 0))]) })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn answers_are_kept_for_the_ttl() {
        let calls = Arc::new(AtomicUsize::new(0));
        let cache = CachingResolver::new(Counting(calls.clone()), Duration::from_secs(30));
        for _ in 0..5 {
            assert!(cache.resolve("a.test").await.is_ok());
            assert!(cache.resolve("b.test").await.is_ok());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        tokio::time::advance(Duration::from_secs(31)).await;
        assert!(cache.resolve("a.test").await.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn the_cache_is_bounded() {
        let calls = Arc::new(AtomicUsize::new(0));
        let cache =
            CachingResolver::new(Counting(calls.clone()), Duration::from_secs(30)).max_hosts(3);
        for host in ["a", "b", "c", "d"] {
            assert!(cache.resolve(host).await.is_ok());
        }
        let held = cache.cache.lock().map(|c| c.len()).unwrap_or(usize::MAX);
        assert!(held <= 3, "{held}");
    }
}
