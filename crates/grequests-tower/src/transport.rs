//! [`TowerTransport`]: a tower stack as a grequests [`Transport`].

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use std::sync::Arc;

use grequests_transport::{Body, BoxError, PoolStatus, Result, Transport};
use tower::{Service, ServiceExt};

use crate::error::into_error;
use crate::retry::RetryPolicy;
use crate::HttpService;

/// A [`Transport`] made of a tower service stack.
///
/// Built by [`TowerTransport::builder`] with timeouts, retries and limits over the hyper
/// backend (or any transport), or from any tower service of your own with
/// [`TowerTransport::from_service`].
#[derive(Clone)]
pub struct TowerTransport {
    service: HttpService,
    /// The retry policy, to tell why a streaming request was not retried.
    policy: Option<RetryPolicy>,
    deadline: Option<Duration>,
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
            service: HttpService::new(service.map_err(Into::into)),
            policy: None,
            deadline: None,
            under: None,
        }
    }

    pub(crate) fn assembled(
        service: HttpService,
        policy: Option<RetryPolicy>,
        deadline: Option<Duration>,
        under: Arc<dyn Transport>,
    ) -> Self {
        TowerTransport {
            service,
            policy,
            deadline,
            under: Some(under),
        }
    }
}

#[async_trait]
impl Transport for TowerTransport {
    async fn send(&self, request: http::Request<Body>) -> Result<http::Response<Body>> {
        let streaming = request.body().is_streaming();
        let method = request.method().clone();
        let result = self.service.clone().oneshot(request).await;
        result.map_err(|err| {
            let elapsed = match self.deadline {
                Some(limit) => format!("the deadline of {limit:?} elapsed"),
                None => "timed out".to_owned(),
            };
            let error = into_error(err, &elapsed);
            match &self.policy {
                Some(policy) if streaming && policy.is_retryable(&method, Err(&error)) => error
                    .with_context("not retried: a streaming request body can be sent only once"),
                _ => error,
            }
        })
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
                &self.policy.as_ref().map(|p| p.settings().max_retries),
            )
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}
