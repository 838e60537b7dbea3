//! Limits per destination (`host:port`): each gets its own `ConcurrencyLimit` and
//! `RateLimit` around the shared inner service, made on its first request.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use grequests_core::{Body, BoxError};
use tower::limit::{ConcurrencyLimit, RateLimit};
use tower::{Service, ServiceExt};

use super::Shared;
use crate::{HttpService, Rate};

#[derive(Clone)]
pub(crate) struct PerHost {
    inner: HttpService,
    concurrency: Option<usize>,
    rate: Option<Rate>,
    hosts: Arc<Mutex<HashMap<String, HttpService>>>,
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

    fn for_host(&self, host: &str) -> HttpService {
        let mut hosts = self
            .hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        hosts
            .entry(host.to_owned())
            .or_insert_with(|| limited(self.inner.clone(), self.concurrency, self.rate))
            .clone()
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
        let service = self.for_host(&host);
        Box::pin(service.oneshot(request))
    }
}
