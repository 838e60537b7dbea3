//! One service instance shared by all clones, behind an async mutex.
//!
//! tower's `RateLimit` is not `Clone`: its state is the window it counts in. The usual
//! remedy, a `Buffer`, spawns its worker on the runtime that builds it, and a client is
//! shared across runtimes (every `#[tokio::test]` has its own), where a dead worker would
//! fail every later request. A mutex held only while the limiter admits a request does the
//! same job on any runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use grequests_transport::BoxError;
use tokio::sync::Mutex;
use tower::{Service, ServiceExt};

pub(crate) struct Shared<S> {
    inner: Arc<Mutex<S>>,
}

impl<S> Shared<S> {
    pub(crate) fn new(inner: S) -> Self {
        Shared {
            inner: Arc::new(Mutex::new(inner)),
        }
    }
}

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Shared {
            inner: self.inner.clone(),
        }
    }
}

impl<S, Request> Service<Request> for Shared<S>
where
    S: Service<Request> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    Request: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness is awaited in `call`, under the lock.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let inner = self.inner.clone();
        Box::pin(async move {
            let pending = {
                let mut service = inner.lock().await;
                service.ready().await.map_err(Into::into)?;
                service.call(request)
            };
            pending.await.map_err(Into::into)
        })
    }
}
