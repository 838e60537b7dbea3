//! [`Client`]: the session. One transport (so one connection pool), default headers, a cookie
//! jar and the redirect policy, shared by every request it builds.

#[cfg(feature = "hyper")]
mod backend;
mod builder;
mod chain;
pub mod cookies;
mod execute;
mod prepare;
pub mod redirect;
mod request_builder;
pub(crate) mod upload;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, Method};

#[cfg(feature = "hyper")]
pub(crate) use backend::refusing;
pub use builder::ClientBuilder;
use cookies::CookieJar;
pub(crate) use execute::BatchOptions;
pub use request_builder::RequestBuilder;

use crate::limits::{DecodeLimits, LowSpeedLimit};
use crate::model::{IntoMethod, IntoUrl, Request};
use crate::Transport;

/// The session every request is sent with: requests' `Session`.
///
/// Cloning is cheap and shares the connection pool and the cookie jar. Build one with
/// `Client::new()` on the default backend (feature `hyper`), [`Client::builder`], or
/// [`Client::with_transport`] on any [`Transport`] (the mock, a tower stack, your own).
///
/// ```
/// use grequests_core::{transport_fn, Body, Client};
/// let client = Client::builder()
///     .transport(transport_fn(|_| async { Ok(http::Response::new(Body::empty())) }))
///     .default_header("x-team", "search")
///     .build()
///     .expect("valid settings");
/// let request = client.get("http://127.0.0.1:8080/get");
/// # drop(request);
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    transport: Arc<dyn Transport>,
    headers: Arc<HeaderMap>,
    jar: Option<Arc<CookieJar>>,
    redirect: redirect::Policy,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    max_body_size: Option<u64>,
    low_speed: Option<LowSpeedLimit>,
    decode: DecodeLimits,
}

/// The `User-Agent` sent unless another is set.
pub const DEFAULT_USER_AGENT: &str = concat!("grequests-rs/", env!("CARGO_PKG_VERSION"));

impl Client {
    /// A client with the default policy over `transport`.
    pub fn with_transport(transport: impl Transport) -> Client {
        ClientBuilder::new().finish(Arc::new(transport))
    }

    /// Settings for a new client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The client's cookie jar, unless cookies are turned off.
    pub fn cookie_jar(&self) -> Option<&CookieJar> {
        self.inner.jar.as_deref()
    }

    /// The transport requests are sent on.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    /// What the transport's connection pool holds now (open, idle, in use, waiting for the
    /// connection budget), for a progress bar or a test; `None` for a transport without
    /// a pool, such as the mock.
    ///
    /// ```
    /// # fn show(client: &grequests_core::Client) {
    /// if let Some(pool) = client.pool_status() {
    ///     eprintln!("{} open, {} idle, {} waiting", pool.open, pool.idle, pool.waiting);
    /// }
    /// # }
    /// ```
    pub fn pool_status(&self) -> Option<crate::PoolStatus> {
        self.inner.transport.pool_status()
    }

    /// A request with any method: an [`http::Method`] or its name in any case (`"post"`).
    pub fn request(&self, method: impl IntoMethod, url: impl IntoUrl) -> RequestBuilder {
        RequestBuilder::from_parts(self.clone(), Request::new(method, url))
    }

    /// A `GET` request.
    pub fn get(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// A `POST` request.
    pub fn post(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// A `PUT` request.
    pub fn put(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// A `PATCH` request.
    pub fn patch(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PATCH, url)
    }

    /// A `DELETE` request.
    pub fn delete(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// A `HEAD` request.
    pub fn head(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// An `OPTIONS` request.
    pub fn options(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::OPTIONS, url)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("redirect", &self.inner.redirect)
            .field("cookies", &self.inner.jar.is_some())
            .finish_non_exhaustive()
    }
}
