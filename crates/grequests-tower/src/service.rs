//! [`TransportService`]: any [`Transport`] as a tower `Service`, so tower layers can wrap it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use grequests_transport::{Body, Error, Transport};

/// A [`Transport`] (the hyper backend, the mock, yours) as a
/// `tower::Service<http::Request<Body>>`.
///
/// ```
/// use grequests_tower::TransportService;
/// use tower::ServiceExt;
/// # async fn run(mock: impl grequests_transport::Transport) {
/// let service = TransportService::new(mock);
/// let response = service
///     .oneshot(http::Request::new(grequests_transport::Body::empty()))
///     .await;
/// # drop(response); }
/// ```
pub struct TransportService<T: ?Sized> {
    transport: Arc<T>,
}

impl<T: Transport> TransportService<T> {
    /// Wraps `transport`.
    pub fn new(transport: T) -> Self {
        TransportService {
            transport: Arc::new(transport),
        }
    }
}

impl<T: ?Sized + Transport> TransportService<T> {
    /// Wraps a shared transport.
    pub fn from_arc(transport: Arc<T>) -> Self {
        TransportService { transport }
    }
}

impl<T: ?Sized> Clone for TransportService<T> {
    fn clone(&self) -> Self {
        TransportService {
            transport: self.transport.clone(),
        }
    }
}

impl<T: ?Sized> fmt::Debug for TransportService<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransportService")
    }
}

impl<T: ?Sized + Transport> tower::Service<http::Request<Body>> for TransportService<T> {
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let transport = self.transport.clone();
        // `Arc<T>` is a transport too; calling it would box a second future.
        Box::pin(async move { T::send(&transport, request).await })
    }
}
