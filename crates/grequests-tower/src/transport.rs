//! [`TowerTransport`]: a tower stack as a grequests [`Transport`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use grequests_transport::{Body, BoxError, PoolStatus, Result, Transport};
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
type Sending = BoxFuture<'static, Result<http::Response<Body>>>;

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
        // Asked now, so that the future keeps a flag rather than the method.
        let unretried = failures.would_retry_but_for_streaming(&request);
        Box::pin(Explained {
            exchange: self.clone().oneshot(request),
            failures,
            unretried,
        })
    }
}

pin_project_lite::pin_project! {
    /// A stack's exchange with its error told at this level: a future of its own rather
    /// than `map_err` with a closure, which kept a clone of the request's method in every
    /// request's box (24 bytes more, and the clone).
    struct Explained<F> {
        #[pin]
        exchange: F,
        failures: Arc<Failures>,
        // `Failures::would_retry_but_for_streaming`'s answer for the request.
        unretried: bool,
    }
}

impl<F> Future for Explained<F>
where
    F: Future<Output = std::result::Result<Resp, BoxError>>,
{
    type Output = Result<Resp>;

    fn poll(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let unretried = *this.unretried;
        let failures = &**this.failures;
        this.exchange
            .poll(cx)
            .map(|result| result.map_err(|err| failures.explain(err, unretried)))
    }
}

/// What the stack's errors mean at this level.
pub(crate) struct Failures {
    /// The retry policy, to tell why a streaming request was not retried.
    policy: Option<RetryPolicy>,
    deadline: Option<Duration>,
}

impl Failures {
    /// Whether `request` streams its body with a method the policy retries: a failure
    /// that would be retried is then explained as not retried.
    fn would_retry_but_for_streaming(&self, request: &Req) -> bool {
        request.body().is_streaming()
            && self
                .policy
                .as_ref()
                .is_some_and(|policy| policy.retries_method(request.method()))
    }

    /// `err` at this level; `unretried` is [`would_retry_but_for_streaming`]'s answer.
    ///
    /// [`would_retry_but_for_streaming`]: Failures::would_retry_but_for_streaming
    fn explain(&self, err: BoxError, unretried: bool) -> grequests_transport::Error {
        let elapsed = match self.deadline {
            Some(limit) => format!("the deadline of {limit:?} elapsed"),
            None => "timed out".to_owned(),
        };
        let error = into_error(err, &elapsed);
        match &self.policy {
            Some(policy) if unretried && policy.retries_outcome(Err(&error)) => {
                error.with_context("not retried: a streaming request body can be sent only once")
            }
            _ => error,
        }
    }
}

impl Transport for TowerTransport {
    /// Not an `async fn`: the stack's one boxed future is the transport's.
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<Body>,
    ) -> BoxFuture<'async_trait, Result<http::Response<Body>>>
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An exchange's box holds the stack's future and little else: 1 032 bytes while the
    /// error's explanation kept the request's method, 1 008 since, 960 since `Body` is two
    /// words (rustc 1.95, tokio with its multi-thread runtime, as a user's build has it).
    /// The bound is glibc's large-allocation threshold (1 000), whose slow path costs every
    /// request ~400 instructions; tower's `Retry` and `Timeout` futures, a tokio `Sleep`
    /// each, take most of it.
    #[tokio::test]
    async fn an_exchange_s_future_is_a_small_allocation() {
        let transport = TowerTransport::builder()
            .transport(grequests_transport::transport_fn(|_request| async {
                Ok(http::Response::new(Body::empty()))
            }))
            .build()
            .expect("a stack");
        let request = http::Request::builder()
            .uri("http://a.test/x")
            .body(Body::empty())
            .expect("a request");
        let exchange = transport.send(request);
        let size = std::mem::size_of_val(&*exchange);
        assert!(size <= 1_000, "an exchange's future takes {size} bytes");
    }
}
