//! [`HyperTransport`]: one exchange over hyper-util's pooled client.

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use grequests_transport::{Body, DecodeLimits, PoolStatus, Result, Timeouts, Transport};
use http::header::{Entry, HeaderValue, ACCEPT_ENCODING, PROXY_AUTHORIZATION};
use http::uri::Scheme;
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::proxy::matcher::Matcher;

use crate::body::IncomingBody;
use crate::budget::{ConnTag, ConnectionBudget, Lease, PoolCounters};
use crate::connect::{ConnectScope, Connector, CONNECT_SCOPE};
use crate::decode::{self, ACCEPT_ENCODING as ACCEPTED};
use crate::error::classify;
use crate::head_limit::HeadWithin;
use crate::host::set_http1_host;
use crate::HyperTransportBuilder;

/// The default grequests transport: HTTP/1.1 and HTTP/2 over hyper-util's pooled client,
/// TLS by rustls.
///
/// Cheap to clone; clones share one connection pool. TLS settings belong to a transport,
/// so a connection made with verification off can never serve a verified request
/// (requests' CVE-2024-35195): that takes another transport, with its own pool.
///
/// ```no_run
/// use grequests_hyper::HyperTransport;
/// let transport = HyperTransport::builder()
///     .pool_max_idle_per_host(32)
///     .build()
///     .expect("valid TLS settings");
/// let client = grequests_core::Client::with_transport(transport);
/// # drop(client);
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client: PooledClient<Connector, Body>,
    pub(crate) budget: ConnectionBudget,
    pub(crate) counters: Arc<PoolCounters>,
    pub(crate) proxies: Option<Arc<Matcher>>,
    pub(crate) decompress: bool,
    /// Every connection speaks HTTP/2 (prior knowledge): plain http is not HTTP/1.1 either.
    pub(crate) http2_only: bool,
    /// For requests that carry no [`DecodeLimits`] of their own.
    pub(crate) decode_limits: DecodeLimits,
}

impl HyperTransport {
    /// A transport with the defaults: verification on, webpki roots, proxies from the
    /// environment, decoding on.
    pub fn new() -> Result<Self> {
        HyperTransportBuilder::new().build()
    }

    /// Settings for a transport.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::new()
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        HyperTransport {
            inner: Arc::new(inner),
        }
    }

    /// Credentials for a plain-http request sent through a proxy go in the request itself,
    /// to the proxy; https requests carry them in the CONNECT, made by the connector.
    fn proxy_authorization(&self, uri: &http::Uri) -> Option<HeaderValue> {
        if uri.scheme() == Some(&Scheme::HTTPS) {
            return None;
        }
        let proxies = self.inner.proxies.as_ref()?;
        proxies.intercept(uri)?.basic_auth().cloned()
    }
}

impl Transport for HyperTransport {
    /// Written out rather than as an `async fn`: the request's headers are finished and
    /// hyper-util's exchange made before the future, so the future holds neither copy of
    /// the request an `async fn` keeps (its argument and its local, 264 bytes each, for the
    /// whole exchange; rust-lang/rust#62958). Its box is then a small allocation: over
    /// 1 000 bytes, glibc's large-allocation path cost every request ~400 instructions.
    fn send<'life0, 'async_trait>(
        &'life0 self,
        mut request: http::Request<Body>,
    ) -> BoxFuture<'async_trait, Result<http::Response<Body>>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        let timeouts = Timeouts::of(&request);
        let decode_limits = request
            .extensions()
            .get::<DecodeLimits>()
            .copied()
            .unwrap_or(self.inner.decode_limits);
        // No body follows a HEAD's response, whatever its Content-Encoding says.
        let is_head = request.method() == http::Method::HEAD;
        let started = std::time::Instant::now();
        if self.inner.decompress {
            if let Entry::Vacant(slot) = request.headers_mut().entry(ACCEPT_ENCODING) {
                slot.insert(HeaderValue::from_static(ACCEPTED));
            }
        }
        if !self.inner.http2_only {
            set_http1_host(&mut request);
        }
        if let Some(auth) = self.proxy_authorization(request.uri()) {
            request.headers_mut().insert(PROXY_AUTHORIZATION, auth);
        }
        let exchange = self.inner.client.request(request);
        Box::pin(async move {
            let response = match (timeouts.connect, timeouts.head_limit()) {
                // No limit of the request's own: no task-local scope to maintain on every poll,
                // the connector falls back to its default.
                (None, None) => exchange.await,
                (connect, None) => {
                    let scope = ConnectScope {
                        timeout: connect,
                        watch: None,
                    };
                    CONNECT_SCOPE.scope(scope, exchange).await
                }
                (connect, Some(head)) => HeadWithin::new(exchange, connect, head).await?,
            }
            .map_err(|err| {
                let evicted = conn_tag(err.connect_info()).is_some_and(|tag| {
                    let evicted = tag.conn.evicted();
                    tag.finish();
                    evicted
                });
                classify(err, started, evicted)
            })?;
            let (mut parts, incoming) = response.into_parts();
            let tag = parts.extensions.remove::<ConnTag>();
            #[cfg(feature = "tracing")]
            if tracing::enabled!(tracing::Level::TRACE) {
                let reused = tag.as_ref().is_some_and(|tag| tag.born < started);
                tracing::trace!(reused, version = ?parts.version, "response head");
            }
            let lease = Lease::new(tag);
            if let Some(reason) = parts.extensions.remove::<hyper::ext::ReasonPhrase>() {
                parts
                    .extensions
                    .insert(grequests_transport::ReasonPhrase::from_bytes(
                        reason.as_bytes(),
                    ));
            }
            let body = Body::wrap(IncomingBody::new(incoming, lease));
            let response = http::Response::from_parts(parts, body);
            let bodiless = is_head || matches!(response.status().as_u16(), 204 | 304);
            if self.inner.decompress && !bodiless {
                decode::decode(response, decode_limits)
            } else {
                Ok(response)
            }
        })
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        Some(HyperTransport::pool_status(self))
    }
}

impl HyperTransport {
    /// A snapshot of this transport's connections, and of its budget's.
    ///
    /// ```no_run
    /// let transport = grequests_hyper::HyperTransport::new()?;
    /// let status = transport.pool_status();
    /// assert_eq!(status.open, status.idle + status.in_use);
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn pool_status(&self) -> PoolStatus {
        use std::sync::atomic::Ordering::Relaxed;
        let counters = &self.inner.counters;
        let open = counters.open.load(Relaxed);
        let idle = counters.idle.load(Relaxed).min(open);
        PoolStatus::new(
            open,
            idle,
            counters.waiting.load(Relaxed),
            self.inner.budget.max(),
            self.inner.budget.open(),
        )
    }

    /// The connection budget this transport counts against.
    pub fn connection_budget(&self) -> &ConnectionBudget {
        &self.inner.budget
    }
}

/// The connection a failed exchange was on, if it got one.
fn conn_tag(connected: Option<&hyper_util::client::legacy::connect::Connected>) -> Option<ConnTag> {
    let mut extras = http::Extensions::new();
    connected?.get_extras(&mut extras);
    extras.remove::<ConnTag>()
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("proxies", &self.inner.proxies.is_some())
            .field("decompress", &self.inner.decompress)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exchange's box stays a small allocation (glibc serves more than 1 000 bytes from
    /// its slow path): 1 016 bytes while `send` was an `async fn` holding the request
    /// twice, 496 since, 312 since the head limit is a future of its own and `Body` two
    /// words (rustc 1.95). A future's size is its type's, whatever it awaits.
    #[tokio::test]
    async fn an_exchange_s_future_is_a_small_allocation() {
        let transport = HyperTransport::new().expect("a transport");
        let request = http::Request::builder()
            .uri("http://a.invalid/x")
            .body(Body::empty())
            .expect("a request");
        let exchange = transport.send(request);
        let size = std::mem::size_of_val(&*exchange);
        assert!(size <= 1_000, "an exchange's future takes {size} bytes");
    }
}
