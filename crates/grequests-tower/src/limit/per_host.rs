//! Limits per destination (`host:port`): each gets its own `ConcurrencyLimit` and
//! `RateLimit` around the shared inner service, made on its first request.
//!
//! A crawl can touch millions of hosts; past [`PRUNE_ABOVE`] hosts, the limiters no request
//! is using are dropped (such a host starts a new rate window if it comes back).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use grequests_transport::{Body, BoxError};
use tower::limit::{ConcurrencyLimit, RateLimit};
use tower::{Service, ServiceExt};

use super::Shared;
use crate::{HttpService, Rate};

/// How many hosts' limiters are kept before idle ones are dropped.
pub(crate) const PRUNE_ABOVE: usize = 10_000;

/// A host's limiter, and a token that each request using it holds: a token held by the
/// map alone means the limiter is idle.
type Limiter = (HttpService, Arc<()>);

#[derive(Clone)]
pub(crate) struct PerHost {
    inner: HttpService,
    concurrency: Option<usize>,
    rate: Option<Rate>,
    hosts: Arc<Mutex<HashMap<String, Limiter>>>,
}

impl PerHost {
    pub(crate) fn new(inner: HttpService, concurrency: Option<usize>, rate: Option<Rate>) -> Self {
        PerHost {
            inner,
            concurrency,
            rate,
            hosts: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn for_host(&self, host: &str) -> Limiter {
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if hosts.len() >= PRUNE_ABOVE && !hosts.contains_key(host) {
            hosts.retain(|_, (_, token)| Arc::strong_count(token) > 1);
        }
        let (service, token) = hosts.entry(host.to_owned()).or_insert_with(|| {
            (
                limited(self.inner.clone(), self.concurrency, self.rate),
                Arc::new(()),
            )
        });
        (service.clone(), token.clone())
    }

    #[cfg(test)]
    fn hosts(&self) -> usize {
        self.hosts.lock().map_or(0, |hosts| hosts.len())
    }
}

/// `inner` under a concurrency limit and a rate limit, either optional.
pub(crate) fn limited(
    inner: HttpService,
    concurrency: Option<usize>,
    rate: Option<Rate>,
) -> HttpService {
    let mut service = inner;
    if let Some(rate) = rate {
        service = HttpService::new(Shared::new(RateLimit::new(service, rate.into())));
    }
    if let Some(max) = concurrency {
        service = HttpService::new(ConcurrencyLimit::new(service, max));
    }
    service
}

impl Service<http::Request<Body>> for PerHost {
    type Response = http::Response<Body>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let host = request
            .uri()
            .authority()
            .map_or_else(String::new, |a| a.as_str().to_ascii_lowercase());
        let (service, token) = self.for_host(&host);
        Box::pin(async move {
            let response = service.oneshot(request).await;
            drop(token);
            response
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(host: &str) -> http::Request<Body> {
        let mut request = http::Request::new(Body::empty());
        *request.uri_mut() = format!("http://{host}/").parse().unwrap_or_default();
        request
    }

    #[tokio::test]
    async fn idle_hosts_are_dropped_past_the_threshold() {
        let ok = tower::service_fn(|_: http::Request<Body>| async {
            Ok::<_, BoxError>(http::Response::new(Body::empty()))
        });
        let mut per_host = PerHost::new(HttpService::new(ok), Some(1), None);
        for i in 0..PRUNE_ABOVE + 5 {
            let response = per_host.call(request(&format!("h{i}.test"))).await;
            assert!(response.is_ok());
        }
        // Every limiter was idle when the threshold was crossed: only the newest remain.
        assert!(per_host.hosts() <= 6, "{} hosts kept", per_host.hosts());
    }

    #[tokio::test]
    async fn a_busy_host_is_never_dropped() {
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let released = Arc::new(tokio::sync::Mutex::new(Some(released)));
        let slow = tower::service_fn(move |request: http::Request<Body>| {
            let released = released.clone();
            async move {
                if request.uri().host() == Some("busy.test") {
                    if let Some(wait) = released.lock().await.take() {
                        let _ = wait.await;
                    }
                }
                Ok::<_, BoxError>(http::Response::new(Body::empty()))
            }
        });
        let per_host = PerHost::new(HttpService::new(slow), Some(1), None);
        let mut busy = per_host.clone();
        let pending = tokio::spawn(async move { busy.call(request("busy.test")).await });
        tokio::task::yield_now().await;
        let mut other = per_host.clone();
        for i in 0..PRUNE_ABOVE + 1 {
            assert!(other.call(request(&format!("h{i}.test"))).await.is_ok());
        }
        let kept = per_host
            .hosts
            .lock()
            .map(|hosts| hosts.contains_key("busy.test"))
            .unwrap_or(false);
        assert!(
            kept,
            "the limiter of a host with a request in flight was dropped"
        );
        let _ = release.send(());
        assert!(pending.await.is_ok_and(|r| r.is_ok()));
    }
}
