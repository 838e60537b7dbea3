//! [`HyperTransport`]: one exchange over hyper-util's pooled client.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use grequests_core::{Body, Error, Result, Timeouts, Transport};
use http::header::{HeaderValue, ACCEPT_ENCODING, PROXY_AUTHORIZATION};
use http::uri::Scheme;
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::proxy::matcher::Matcher;

use crate::body::ReadTimeout;
use crate::connect::{Connector, CONNECT_TIMEOUT};
use crate::decode::{self, ACCEPT_ENCODING as ACCEPTED};
use crate::error::classify;
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
    pub(crate) proxies: Option<Arc<Matcher>>,
    pub(crate) decompress: bool,
    pub(crate) max_decoded_body_size: Option<u64>,
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

#[async_trait]
impl Transport for HyperTransport {
    async fn send(&self, mut request: http::Request<Body>) -> Result<http::Response<Body>> {
        let timeouts = Timeouts::of(&request);
        if self.inner.decompress && !request.headers().contains_key(ACCEPT_ENCODING) {
            request
                .headers_mut()
                .insert(ACCEPT_ENCODING, HeaderValue::from_static(ACCEPTED));
        }
        if let Some(auth) = self.proxy_authorization(request.uri()) {
            request.headers_mut().insert(PROXY_AUTHORIZATION, auth);
        }
        let exchange = CONNECT_TIMEOUT.scope(timeouts.connect, self.inner.client.request(request));
        // The head must come within the read timeout of the connection being ready; the
        // connection time is bounded by the connect timeout, so the two add up.
        let head_limit = timeouts
            .read
            .map(|read| read + timeouts.connect.unwrap_or_default());
        let response = match head_limit {
            None => exchange.await,
            Some(limit) => match tokio::time::timeout(limit, exchange).await {
                Ok(result) => result,
                Err(_) => {
                    return Err(Error::timeout(format!(
                        "read timed out: no response within {limit:?}"
                    )))
                }
            },
        }
        .map_err(classify)?;
        let (parts, incoming) = response.into_parts();
        let body = match timeouts.read {
            Some(limit) => Body::wrap(ReadTimeout::new(incoming, limit)),
            None => Body::wrap(incoming),
        };
        let response = http::Response::from_parts(parts, body);
        if self.inner.decompress {
            decode::decode(response, self.inner.max_decoded_body_size)
        } else {
            Ok(response)
        }
    }
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("proxies", &self.inner.proxies.is_some())
            .field("decompress", &self.inner.decompress)
            .finish_non_exhaustive()
    }
}
