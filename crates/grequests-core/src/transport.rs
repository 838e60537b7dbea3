//! The [`Transport`] trait: one HTTP exchange, implemented by each backend.
//!
//! The core never opens a socket. It turns a [`Request`](crate::Request) into an
//! `http::Request<Body>` whose URI is absolute (`http://host:port/path?query`), hands it to a
//! transport, and applies the client policy (redirects, cookies, credentials, body limits) to
//! what comes back. Per-request settings a transport must honour travel in the request's
//! extensions: see [`Timeouts`].

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::body::Body;
use crate::error::Result;

/// Sends one HTTP request and returns its response head with a (possibly streaming) body.
///
/// A transport follows no redirects and keeps no cookies: the [`Client`](crate::Client) does
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
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(&self, request: http::Request<Body>) -> Result<http::Response<Body>> {
        (**self).send(request).await
    }
}

#[async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(&self, request: http::Request<Body>) -> Result<http::Response<Body>> {
        (**self).send(request).await
    }
}

/// The timeouts of one request, as requests understands them; found in every request's
/// extensions.
///
/// `connect` bounds establishing the connection (DNS, TCP, TLS); `read` bounds each wait for
/// the server: for the response head, and then between two chunks of the body. The total
/// timeout is enforced by the client itself and is not the transport's concern.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeouts {
    /// Limit on establishing a connection.
    pub connect: Option<Duration>,
    /// Limit on each wait for bytes from the server.
    pub read: Option<Duration>,
}

impl Timeouts {
    /// The timeouts in a request's extensions, or none.
    pub fn of<B>(request: &http::Request<B>) -> Timeouts {
        request
            .extensions()
            .get::<Timeouts>()
            .copied()
            .unwrap_or_default()
    }
}

/// The address of the peer a response came from, which a transport puts in the response's
/// extensions when it knows it: see [`Response::remote_addr`](crate::Response::remote_addr).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteAddr(pub std::net::SocketAddr);

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
