//! [`CachingResolver`]: remembers each host's addresses for a while, so that a crawl of
//! 100 000 URLs over 2 000 hosts asks the resolver about 2 000 times, not once per connection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt, Shared};
use tokio::time::Instant;

use super::resolve::{Resolve, Resolving};

/// How long the default resolver keeps an answer: see [`CachingResolver::system`].
pub const DEFAULT_DNS_TTL: Duration = Duration::from_secs(30);

/// How many hosts the default resolver remembers.
pub const DEFAULT_DNS_CACHE_HOSTS: usize = 10_000;

/// Caches another resolver's answers for `ttl` (the system resolver reports no TTL, so the
/// cache cannot honour the record's own), up to `max_hosts` hosts, and asks once for a host
/// however many connections want it at the same moment. Failures are not cached.
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

/// What the cache knows of each host.
type Entries = HashMap<String, Entry>;

/// One lookup, shared by every connection that asks while it runs. Its error is the
/// message: the transport reports a failed lookup by its text alone.
type Lookup = Shared<BoxFuture<'static, Result<Arc<[SocketAddr]>, Arc<str>>>>;

enum Entry {
    /// Addresses, good until then.
    Known(Arc<[SocketAddr]>, Instant),
    /// Being looked up since then.
    Asking(Lookup, Instant),
}

impl CachingResolver {
    /// Caches `inner`'s answers for `ttl`, for at most 10 000 hosts.
    pub fn new(inner: impl Resolve, ttl: Duration) -> Self {
        CachingResolver {
            inner: Arc::new(inner),
            ttl,
            max_hosts: DEFAULT_DNS_CACHE_HOSTS,
            cache: Arc::default(),
        }
    }

    /// The transport's default resolver: the [system's](crate::SystemResolver), its answers
    /// kept for [`DEFAULT_DNS_TTL`] (30 s) for up to [`DEFAULT_DNS_CACHE_HOSTS`] hosts.
    ///
    /// A batch makes a new connection, and so a lookup, for each request that finds no idle
    /// one: a `map` of 5 000 to one host makes hundreds at once (each a blocking thread
    /// running `getaddrinfo`), and a crawl whose idle connections are evicted makes one per
    /// revisit. curl and browsers keep answers for 60 s; 30 s covers a batch's revisits
    /// while keeping a moved host pinned for half as long. Pass
    /// [`SystemResolver`](crate::SystemResolver) to
    /// [`dns_resolver`](crate::HyperTransportBuilder::dns_resolver) to ask every time, or
    /// `HickoryResolver` (feature `hickory`) to honour each record's own TTL.
    pub fn system() -> Self {
        Self::new(crate::SystemResolver::new(), DEFAULT_DNS_TTL)
    }

    /// At most this many hosts are remembered; past it, expired entries go first, then the
    /// cache starts over.
    pub fn max_hosts(mut self, max: usize) -> Self {
        self.max_hosts = max.max(1);
        self
    }

    /// The lookup of `host` that starts now, entered so that later askers share it; once
    /// done, it leaves its answer (or, failed, nothing) in the cache.
    fn ask(&self, cache: &mut Entries, host: &str, now: Instant) -> Lookup {
        let lookup = self.inner.resolve(host);
        let (shared_cache, key) = (self.cache.clone(), host.to_owned());
        let ttl = self.ttl;
        let asking = async move {
            let answer = lookup
                .await
                .map(Arc::from)
                .map_err(|e| Arc::from(e.to_string()));
            if let Ok(mut cache) = shared_cache.lock() {
                match (&answer, Instant::now().checked_add(ttl)) {
                    (Ok(addrs), Some(expires)) => {
                        cache.insert(key, Entry::Known(Arc::clone(addrs), expires));
                    }
                    _ => {
                        cache.remove(&key);
                    }
                }
            }
            answer
        }
        .boxed()
        .shared();
        if cache.len() >= self.max_hosts {
            cache.retain(|_, entry| match entry {
                Entry::Known(_, expires) => *expires > now,
                Entry::Asking(..) => true,
            });
            if cache.len() >= self.max_hosts {
                cache.clear();
            }
        }
        cache.insert(host.to_owned(), Entry::Asking(asking.clone(), now));
        asking
    }
}

impl Resolve for CachingResolver {
    fn resolve(&self, host: &str) -> Resolving {
        let now = Instant::now();
        let Ok(mut cache) = self.cache.lock() else {
            return self.inner.resolve(host);
        };
        let lookup = match cache.get(host) {
            Some(Entry::Known(addrs, expires)) if *expires > now => {
                let addrs = addrs.to_vec();
                return Box::pin(async move { Ok(addrs) });
            }
            // A lookup older than the TTL is hung, not slow: start another beside it.
            Some(Entry::Asking(lookup, since)) if now.duration_since(*since) < self.ttl => {
                lookup.clone()
            }
            _ => self.ask(&mut cache, host, now),
        };
        drop(cache);
        Box::pin(async move {
            match lookup.await {
                Ok(addrs) => Ok(addrs.to_vec()),
                Err(message) => Err(message.to_string().into()),
            }
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

    /// Answers after a while, so that lookups overlap.
    struct Slow(Arc<AtomicUsize>);

    impl Resolve for Slow {
        fn resolve(&self, host: &str) -> Resolving {
            self.0.fetch_add(1, Ordering::SeqCst);
            let known = host != "fails";
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if known {
                    Ok(vec![SocketAddr::from(([127, 0, 0, 1], 0))])
                } else {
                    Err("no such host".into())
                }
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_askers_share_one_lookup_and_failures_are_not_kept() {
        let calls = Arc::new(AtomicUsize::new(0));
        let cache = CachingResolver::new(Slow(calls.clone()), Duration::from_secs(30));
        let askers = (0..100).map(|_| cache.resolve("a.test"));
        let answers = futures_util::future::join_all(askers).await;
        assert!(answers
            .iter()
            .all(|a| a.as_ref().is_ok_and(|a| a.len() == 1)));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let failed = futures_util::future::join_all((0..10).map(|_| cache.resolve("fails"))).await;
        for answer in &failed {
            let message = answer.as_ref().err().map(ToString::to_string);
            assert_eq!(message.as_deref(), Some("no such host"));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(cache.resolve("fails").await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 3, "a failure was cached");
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
