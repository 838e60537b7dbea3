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
use pin_project_lite::pin_project;
use tower::limit::{ConcurrencyLimit, RateLimit};
use tower::util::{Either, Oneshot};
use tower::{Layer, Service, ServiceExt};

use super::Shared;
use crate::Rate;

/// How many hosts' limiters are kept before idle ones are dropped.
pub(crate) const PRUNE_ABOVE: usize = 10_000;

/// `S` under a host's rate limit, when there is one.
type RateLimited<S> = Either<Shared<RateLimit<S>>, S>;

/// `S` under a host's concurrency and rate limits, either optional.
type Limited<S> = Either<ConcurrencyLimit<RateLimited<S>>, RateLimited<S>>;

/// A host's limiter, and a token that each request using it holds: a token held by the
/// map alone means the limiter is idle.
type Limiter<S> = (Limited<S>, Arc<()>);

/// Puts [`PerHost`] limits around a service.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PerHostLayer {
    concurrency: Option<usize>,
    rate: Option<Rate>,
}

impl PerHostLayer {
    pub(crate) fn new(concurrency: Option<usize>, rate: Option<Rate>) -> Self {
        PerHostLayer { concurrency, rate }
    }
}

impl<S: Clone> Layer<S> for PerHostLayer {
    type Service = PerHost<S>;

    fn layer(&self, inner: S) -> PerHost<S> {
        PerHost::new(inner, self.concurrency, self.rate)
    }
}

pub(crate) struct PerHost<S> {
    inner: S,
    concurrency: Option<usize>,
    rate: Option<Rate>,
    hosts: Arc<Mutex<HashMap<String, Limiter<S>>>>,
}

impl<S: Clone> Clone for PerHost<S> {
    fn clone(&self) -> Self {
        PerHost {
            inner: self.inner.clone(),
            concurrency: self.concurrency,
            rate: self.rate,
            hosts: self.hosts.clone(),
        }
    }
}

impl<S: Clone> PerHost<S> {
    pub(crate) fn new(inner: S, concurrency: Option<usize>, rate: Option<Rate>) -> Self {
        PerHost {
            inner,
            concurrency,
            rate,
            hosts: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// `host`'s limiter (`host` in lower case), made on its first request.
    fn for_host(&self, host: &str) -> Limiter<S> {
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((service, token)) = hosts.get(host) {
            return (service.clone(), token.clone());
        }
        if hosts.len() >= PRUNE_ABOVE {
            hosts.retain(|_, (_, token)| Arc::strong_count(token) > 1);
        }
        let limiter = (self.limited(), Arc::new(()));
        hosts.insert(host.to_owned(), limiter.clone());
        limiter
    }

    /// The inner service under a new host's limits.
    fn limited(&self) -> Limited<S> {
        let inner = self.inner.clone();
        let rated = match self.rate {
            Some(rate) => Either::Left(Shared::new(RateLimit::new(inner, rate.into()))),
            None => Either::Right(inner),
        };
        match self.concurrency {
            Some(max) => Either::Left(ConcurrencyLimit::new(rated, max)),
            None => Either::Right(rated),
        }
    }

    #[cfg(test)]
    fn hosts(&self) -> usize {
        self.hosts.lock().map_or(0, |hosts| hosts.len())
    }
}

impl<S> Service<http::Request<Body>> for PerHost<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = BoxError>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = BoxError;
    type Future = PerHostFuture<Limited<S>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness is the host's limiter's, awaited in the future.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let authority = request.uri().authority().map_or("", |a| a.as_str());
        let (service, token) = if authority.bytes().any(|b| b.is_ascii_uppercase()) {
            self.for_host(&authority.to_ascii_lowercase())
        } else {
            self.for_host(authority)
        };
        PerHostFuture {
            response: service.oneshot(request),
            token: Some(token),
        }
    }
}

pin_project! {
    /// A request waiting for its host's limiter, then for its response; it holds the
    /// host's token until the response is in.
    pub(crate) struct PerHostFuture<S: Service<http::Request<Body>>> {
        #[pin]
        response: Oneshot<S, http::Request<Body>>,
        token: Option<Arc<()>>,
    }
}

impl<S> Future for PerHostFuture<S>
where
    S: Service<http::Request<Body>>,
{
    type Output = Result<S::Response, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.response.poll(cx));
        this.token.take();
        Poll::Ready(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HttpService;

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
        let pending = tokio::spawn(busy.call(request("busy.test")));
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
