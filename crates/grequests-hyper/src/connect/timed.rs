//! A per-request connect timeout around any connector.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use tower_service::Service;

use super::BoxError;

tokio::task_local! {
    /// The connect timeout of the request being sent. The pooled client calls the connector
    /// from inside the request's future, so the value set around that future is in scope.
    pub(crate) static CONNECT_TIMEOUT: Option<Duration>;
}

/// Connecting (DNS, TCP, proxy tunnel, TLS) took longer than the connect timeout.
#[derive(Debug)]
pub struct ConnectTimeout(pub(crate) Duration);

impl fmt::Display for ConnectTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connect timed out after {:?}", self.0)
    }
}

impl std::error::Error for ConnectTimeout {}

#[derive(Clone, Debug)]
pub(crate) struct Timed<C> {
    inner: C,
}

impl<C> Timed<C> {
    pub(crate) fn new(inner: C) -> Self {
        Timed { inner }
    }
}

impl<C> Service<Uri> for Timed<C>
where
    C: Service<Uri>,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let limit = CONNECT_TIMEOUT.try_with(|limit| *limit).ok().flatten();
        let connecting = self.inner.call(dst);
        Box::pin(async move {
            match limit {
                None => connecting.await.map_err(Into::into),
                Some(limit) => match tokio::time::timeout(limit, connecting).await {
                    Ok(result) => result.map_err(Into::into),
                    Err(_) => Err(Box::new(ConnectTimeout(limit)) as BoxError),
                },
            }
        })
    }
}
