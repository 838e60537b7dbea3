//! The [`Transport`] trait: one HTTP exchange, implemented by each backend.
//!
//! The core never opens a socket. It turns a request into an
//! `http::Request<Body>` whose URI is absolute (`http://host:port/path?query`), hands it to a
//! transport, and applies the client policy (redirects, cookies, credentials, body limits) to
//! what comes back. Per-request settings a transport must honour travel in the request's
//! extensions: see [`Timeouts`].

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::limits::LowSpeedLimit;
use crate::{Body, PoolStatus, Result};

/// Sends one HTTP request and returns its response head with a (possibly streaming) body.
///
/// A transport follows no redirects and keeps no cookies: the core's `Client` does
/// that, identically for every backend. It must honour the [`Timeouts`] found in the request's
/// extensions, classify its failures with the [`Error`](crate::Error) constructors
/// (`Error::connect`, `Error::dns`, `Error::timeout`, …) and never panic on what a server sends.
///
/// ```
/// use grequests_core::{async_trait, Body, Result, Transport};
///
/// /// Answers every request with `204 No Content`.
/// struct NoContent;
///
/// #[async_trait]
/// impl Transport for NoContent {
///     async fn send(&self, _request: http::Request<Body>) -> Result<http::Response<Body>> {
///         Ok(http::Response::builder().status(204).body(Body::empty()).expect("valid"))
///     }
/// }
/// ```
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Performs one exchange.
    async fn send(&self, request: http::Request<Body>) -> Result<http::Response<Body>>;

    /// What the transport's connection pool holds now, if it has one (default: `None`).
    fn pool_status(&self) -> Option<PoolStatus> {
        None
    }
}

impl std::fmt::Debug for dyn Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dyn Transport")
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(&self, request: http::Request<Body>) -> Result<http::Response<Body>> {
        (**self).send(request).await
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        (**self).pool_status()
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(&self, request: http::Request<Body>) -> Result<http::Response<Body>> {
        (**self).send(request).await
    }

    fn pool_status(&self) -> Option<PoolStatus> {
        (**self).pool_status()
    }
}

/// The timeouts of one request, as requests understands them, plus the low-speed guard;
/// found in a request's extensions when they differ from the defaults.
///
/// `connect` bounds establishing the connection (DNS, TCP, TLS); `read` bounds each wait for
/// the server: for the response head, and then between two chunks of the body. `low_speed`
/// bounds the wait for the head too: a transport fails a request whose head has not come
/// within one [window](LowSpeedLimit::window) of the connection being ready (or of the
/// exchange starting, on a reused connection), with [`LowSpeedLimit::error`]. Time spent
/// queueing before the transport, or waiting for a connection, does not count. The client
/// itself enforces the low-speed guard on the body and the total timeout.
///
/// ```
/// use grequests_core::{LowSpeedLimit, Timeouts};
/// let defaults = Timeouts::default();
/// assert_eq!((defaults.connect, defaults.read), (None, None));
/// assert_eq!(defaults.low_speed, Some(LowSpeedLimit::default()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Limit on establishing a connection.
    pub connect: Option<Duration>,
    /// Limit on each wait for bytes from the server.
    pub read: Option<Duration>,
    /// The low-speed guard, whose window also bounds the wait for the head.
    pub low_speed: Option<LowSpeedLimit>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: None,
            read: None,
            low_speed: Some(LowSpeedLimit::default()),
        }
    }
}

impl Timeouts {
    /// The timeouts in a request's extensions, or the defaults.
    pub fn of<B>(request: &http::Request<B>) -> Timeouts {
        request
            .extensions()
            .get::<Timeouts>()
            .copied()
            .unwrap_or_default()
    }

    /// How long the head may take once a connection is ready: the shorter of the read
    /// timeout and the low-speed window; `None` for no limit. The error to fail with is
    /// built only when the limit passes ([`HeadLimit::error`]).
    pub fn head_limit(&self) -> Option<HeadLimit> {
        let read = self.read.map(|limit| HeadLimit {
            limit,
            cause: HeadCause::Read,
        });
        let window = self.low_speed.map(|low_speed| HeadLimit {
            limit: low_speed.window(),
            cause: HeadCause::LowSpeed(low_speed),
        });
        match (read, window) {
            (Some(read), Some(window)) => Some(if read.limit <= window.limit {
                read
            } else {
                window
            }),
            (read, window) => read.or(window),
        }
    }
}

/// What bounds the wait for a response head: [`Timeouts::head_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadLimit {
    /// How long the head may take once a connection is ready.
    pub limit: Duration,
    cause: HeadCause,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeadCause {
    Read,
    LowSpeed(LowSpeedLimit),
}

impl HeadLimit {
    /// The [timeout](crate::Error::is_timeout) a request fails with when the limit passes.
    pub fn error(&self) -> crate::Error {
        match self.cause {
            HeadCause::Read => crate::Error::timeout(format!(
                "read timed out: no response within {:?}",
                self.limit
            )),
            HeadCause::LowSpeed(low_speed) => low_speed.error(),
        }
    }
}

/// A [`Transport`] made from an async closure; handy for tests and adapters.
///
/// ```
/// use grequests_core::{transport_fn, Body, Client};
/// let client = Client::with_transport(transport_fn(|request| async move {
///     let echo = request.uri().to_string();
///     Ok(http::Response::new(Body::from(echo)))
/// }));
/// # drop(client);
/// ```
pub fn transport_fn<F, Fut>(f: F) -> TransportFn<F>
where
    F: Fn(http::Request<Body>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<http::Response<Body>>> + Send + 'static,
{
    TransportFn { f }
}

/// The [`Transport`] returned by [`transport_fn`].
pub struct TransportFn<F> {
    f: F,
}

impl<F> std::fmt::Debug for TransportFn<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TransportFn")
    }
}

#[async_trait]
impl<F, Fut> Transport for TransportFn<F>
where
    F: Fn(http::Request<Body>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<http::Response<Body>>> + Send + 'static,
{
    async fn send(&self, request: http::Request<Body>) -> Result<http::Response<Body>> {
        (self.f)(request).await
    }
}
