//! [`TowerTransport`]: a tower stack as a grequests [`Transport`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::TryFutureExt;
use grequests_transport::{Body, BoxError, PoolStatus, Result, Transport};
use http::Method;
use tower::{Service, ServiceExt};

use crate::error::into_error;
use crate::retry::RetryPolicy;

/// A [`Transport`] made of a tower service stack.
///
/// Built by [`TowerTransport::builder`] with timeouts, retries and limits over the hyper
/// backend (or any transport), or from any tower service of your own with
/// [`TowerTransport::from_service`].
#[derive(Clone)]
pub struct TowerTransport {
    stack: Arc<dyn Stack>,
    failures: Arc<Failures>,
    /// The transport under the stack, which owns the connection pool, when known.
    under: Option<Arc<dyn Transport>>,
}

impl TowerTransport {
    /// The builder, with this crate's defaults.
    pub fn builder() -> crate::TowerTransportBuilder {
        crate::TowerTransportBuilder::new()
    }

    /// The default stack over the default hyper transport.
    pub fn new() -> Result<Self> {
        Self::builder().build()
    }

    /// Any tower service of `http::Request<Body>` to `http::Response<Body>` (tracing,
    /// auth, metrics, your own retries) as a transport. It must be `Clone` (put a
    /// `tower::buffer::Buffer` in front of one that is not); its errors become
    /// [request errors](grequests_transport::Error::is_request) unless they are grequests errors already.
    ///
    /// ```
    /// use grequests_transport::{Body, Error};
    /// let service = tower::service_fn(|_request: http::Request<Body>| async {
    ///     Ok::<_, Error>(http::Response::new(Body::from("hello from a service")))
    /// });
    /// let transport = grequests_tower::TowerTransport::from_service(service);
    /// let client = grequests_core::Client::with_transport(transport);
    /// # drop(client);
    /// ```
    pub fn from_service<S>(service: S) -> Self
    where
        S: Service<http::Request<Body>, Response = http::Response<Body>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
    {
        TowerTransport {
            stack: Arc::new(service.map_err(Into::into)),
            failures: Arc::new(Failures {
                policy: None,
                deadline: None,
            }),
            under: None,
        }
    }

    pub(crate) fn assembled(
        stack: Arc<dyn Stack>,
        policy: Option<RetryPolicy>,
        deadline: Option<Duration>,
        under: Arc<dyn Transport>,
    ) -> Self {
        TowerTransport {
            stack,
            failures: Arc::new(Failures { policy, deadline }),
            under: Some(under),
        }
    }
}

/// A service stack that sends a request in one boxed future: the service cloned by value
/// into it, and its error told at this level. (A `BoxCloneService` would box the clone and
/// then the call's future, on top of the transport's own box.)
pub(crate) trait Stack: Send + Sync + 'static {
    fn send(&self, request: http::Request<Body>, failures: Arc<Failures>) -> Sending;
}

/// One request's exchange through the stack.
type Sending = Pin<Box<dyn Future<Output = Result<http::Response<Body>>> + Send>>;

/// A request and a response, as every layer of the stack sees them.
type Req = http::Request<Body>;
type Resp = http::Response<Body>;

/// What a stack is made of: a service of `http` requests that speaks `BoxError`, cloned for
/// each request, its futures spawnable.
pub(crate) trait StackService:
    Service<Req, Response = Resp, Error = BoxError, Future: Send + 'static> + Clone + Send + Sync
{
}

impl<S> StackService for S where
    S: Service<Req, Response = Resp, Error = BoxError, Future: Send + 'static>
        + Clone
        + Send
        + Sync
{
}

impl<S: StackService + 'static> Stack for S {
    fn send(&self, request: http::Request<Body>, failures: Arc<Failures>) -> Sending {
        let streaming = request.body().is_streaming();
        let method = request.method().clone();
        Box::pin(
            self.clone()
                .oneshot(request)
                .map_err(move |err| failures.explain(err, &method, streaming)),
        )
    }
}

/// What the stack's errors mean at this level.
pub(crate) struct Failures {
    /// The retry policy, to tell why a streaming request was not retried.
    policy: Option<RetryPolicy>,
    deadline: Option<Duration>,
}

impl Failures {
    fn explain(
        &self,
        err: BoxError,
        method: &Method,
        streaming: bool,
    ) -> grequests_transport::Error {
        let elapsed = match self.deadline {
            Some(limit) => format!("the deadline of {limit:?} elapsed"),
            None => "timed out".to_owned(),
        };
        let error = into_error(err, &elapsed);
        match &self.policy {
            Some(policy) if streaming && policy.is_retryable(method, Err(&error)) => {
                error.with_context("not retried: a streaming request body can be sent only once")
            }
            _ => error,
        }
    }
}

#[async_trait]
impl Transport for TowerTransport {
    /// Not an `async fn`: the stack's one boxed future is the transport's.
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<Body>,
    ) -> Pin<Box<dyn Future<Output = Result<http::Response<Body>>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        self.stack.send(request, self.failures.clone())
    }

    /// The pool of the transport under the stack.
    fn pool_status(&self) -> Option<PoolStatus> {
        self.under.as_ref()?.pool_status()
    }
}

impl fmt::Debug for TowerTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TowerTransport")
            .field(
                "retries",
                &self
                    .failures
                    .policy
                    .as_ref()
                    .map(|p| p.settings().max_retries),
            )
            .field("deadline", &self.failures.deadline)
            .finish_non_exhaustive()
    }
}
