//! [`TowerTransportBuilder`]: the stack's settings and their defaults.

use std::sync::Arc;
use std::time::Duration;

use grequests_transport::{Body, BoxError, Error, Result, Transport};
use http::StatusCode;
use tower::layer::layer_fn;
use tower::limit::ConcurrencyLimitLayer;
use tower::retry::budget::TpsBudget;
use tower::retry::RetryLayer;
use tower::timeout::TimeoutLayer;
use tower::{Layer, Service, ServiceBuilder, ServiceExt};

use crate::error::into_error;
use crate::limit::{PerHostLayer, Shared};
use crate::retry::{RetryPolicy, RetrySettings};
use crate::transport::{Stack, StackService};
use crate::{HttpService, Rate, TowerTransport, TransportService};

type LayerFn = Box<dyn FnOnce(HttpService) -> HttpService + Send>;

/// Settings for a [`TowerTransport`].
///
/// The stack, outermost first: the deadline, the retry policy, the global concurrency and
/// rate limits, the per-host limits, the per-attempt timeout, your layers, the transport.
/// Limits apply to every attempt, and a request waiting out its backoff holds no slot.
///
/// Defaults, and why:
/// - a 30 s timeout per attempt, no overall deadline: a stuck server costs one attempt;
/// - 3 retries, full-jitter backoff from 100 ms up to 10 s: enough to ride out a restart,
///   spread so that clients failing together do not retry together;
/// - retried statuses 429, 502, 503, 504; `Retry-After` honoured up to 60 s;
/// - only idempotent methods are retried;
/// - a retry budget of 20% of requests over 10 s, with 10 retries a second always allowed:
///   a dead host gets about 1.2× the load, not 4×;
/// - no concurrency or rate limit: the batch's `size` bounds concurrency already.
#[must_use]
pub struct TowerTransportBuilder {
    transport: Option<Arc<dyn Transport>>,
    attempt_timeout: Option<Duration>,
    deadline: Option<Duration>,
    retry: RetrySettings,
    budget: (Duration, u32, f32),
    concurrency: Option<usize>,
    rate: Option<Rate>,
    per_host_concurrency: Option<usize>,
    per_host_rate: Option<Rate>,
    layers: Vec<LayerFn>,
    error: Option<Error>,
}

impl Default for TowerTransportBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TowerTransportBuilder {
    /// The defaults listed above.
    pub fn new() -> Self {
        TowerTransportBuilder {
            transport: None,
            attempt_timeout: Some(Duration::from_secs(30)),
            deadline: None,
            retry: RetrySettings {
                max_retries: 3,
                statuses: [429, 502, 503, 504]
                    .into_iter()
                    .filter_map(|c| StatusCode::from_u16(c).ok())
                    .collect(),
                retry_non_idempotent: false,
                max_retry_after: Duration::from_secs(60),
                min_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(10),
            },
            budget: (Duration::from_secs(10), 10, 0.2),
            concurrency: None,
            rate: None,
            per_host_concurrency: None,
            per_host_rate: None,
            layers: Vec::new(),
            error: None,
        }
    }

    /// The transport under the stack (default: the hyper backend's defaults).
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// The limit on each attempt; `None` for none.
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.attempt_timeout = timeout.into();
        self
    }

    /// The limit on all attempts and waits together.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How many times a request is retried at most (0: never).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The backoff's first ceiling and its cap.
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.retry.min_backoff = min;
        self.retry.max_backoff = max;
        self
    }

    /// The statuses that are retried (default 429, 502, 503, 504).
    pub fn retry_statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        let mut codes = Vec::new();
        for code in statuses {
            match StatusCode::from_u16(code) {
                Ok(status) => codes.push(status),
                Err(_) => {
                    self.error
                        .get_or_insert(Error::builder(format!("invalid status code {code}")));
                }
            }
        }
        self.retry.statuses = codes;
        self
    }

    /// Retries POST and PATCH too. Only for endpoints that are safe to call twice.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry.retry_non_idempotent = retry;
        self
    }

    /// The longest `Retry-After` obeyed; longer requests are cut to this.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.retry.max_retry_after = cap;
        self
    }

    /// The retry budget (tower's `TpsBudget`): retries may add `retry_ratio` of the
    /// requests of the last `window`, plus `min_per_sec` retries a second.
    pub fn retry_budget(mut self, window: Duration, min_per_sec: u32, retry_ratio: f32) -> Self {
        if !(0.0..=1000.0).contains(&retry_ratio)
            || !(Duration::from_secs(1)..=Duration::from_secs(60)).contains(&window)
        {
            self.error.get_or_insert(Error::builder(
                "retry budget: window must be 1-60 s and retry_ratio 0-1000",
            ));
        }
        self.budget = (window, min_per_sec, retry_ratio);
        self
    }

    /// At most `max` requests in flight through this transport (clamped to 1 and tokio's
    /// semaphore maximum).
    pub fn concurrency_limit(mut self, max: usize) -> Self {
        self.concurrency = Some(clamp_permits(max));
        self
    }

    /// At most `rate` requests started through this transport.
    pub fn rate_limit(mut self, rate: Rate) -> Self {
        self.rate = Some(rate);
        self
    }

    /// At most `max` requests in flight to each `host:port` (clamped to 1 and tokio's
    /// semaphore maximum).
    pub fn per_host_concurrency_limit(mut self, max: usize) -> Self {
        self.per_host_concurrency = Some(clamp_permits(max));
        self
    }

    /// At most `rate` requests started to each `host:port`.
    pub fn per_host_rate_limit(mut self, rate: Rate) -> Self {
        self.per_host_rate = Some(rate);
        self
    }

    /// Adds a tower layer of yours around the transport, inside the timeouts and retries:
    /// it sees every attempt. Layers added first sit closest to the transport.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + 'static,
        L::Service: Service<http::Request<Body>, Response = http::Response<Body>>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<http::Request<Body>>>::Error: Into<BoxError>,
        <L::Service as Service<http::Request<Body>>>::Future: Send + 'static,
    {
        self.layers.push(Box::new(move |inner| {
            HttpService::new(layer.layer(inner).map_err(Into::into))
        }));
        self
    }

    /// The transport, or the first bad setting.
    pub fn build(self) -> Result<TowerTransport> {
        if let Some(err) = self.error {
            return Err(err);
        }
        for rate in [self.rate, self.per_host_rate].into_iter().flatten() {
            rate.check()?;
        }
        let transport: Arc<dyn Transport> = match self.transport {
            Some(transport) => transport,
            #[cfg(feature = "hyper")]
            None => Arc::new(grequests_hyper::HyperTransport::new()?),
            #[cfg(not(feature = "hyper"))]
            None => {
                return Err(Error::builder(
                    "no transport under the stack: pass one with .transport(..), or turn on \
                     the `hyper` feature of grequests-tower",
                ))
            }
        };
        let (window, min_per_sec, ratio) = self.budget;
        let policy = RetryPolicy::new(self.retry, TpsBudget::new(window, min_per_sec, ratio));
        let limits = Limits {
            attempt_timeout: self.attempt_timeout,
            deadline: self.deadline,
            concurrency: self.concurrency,
            rate: self.rate,
            per_host_concurrency: self.per_host_concurrency,
            per_host_rate: self.per_host_rate,
        };
        let base = TransportService::from_arc(transport.clone()).map_err(BoxError::from);
        let stack = if self.layers.is_empty() {
            limits.around(base, policy.clone())
        } else {
            let mut service = HttpService::new(base);
            for layer in self.layers {
                service = layer(service);
            }
            limits.around(service, policy.clone())
        };
        Ok(TowerTransport::assembled(
            stack,
            Some(policy),
            self.deadline,
            transport,
        ))
    }
}

/// The stack's fixed layers, outermost first: the deadline, retries, the global
/// concurrency and rate limits, the per-host limits, the attempt timeout.
///
/// They are composed as types, each absent one an `Either` that passes through, and the
/// whole is one [`Stack`]: a request clones the stack and tower's `Retry` clones it again,
/// which costs a few reference counts instead of an allocation a layer.
struct Limits {
    attempt_timeout: Option<Duration>,
    deadline: Option<Duration>,
    concurrency: Option<usize>,
    rate: Option<Rate>,
    per_host_concurrency: Option<usize>,
    per_host_rate: Option<Rate>,
}

impl Limits {
    fn around<S: StackService + 'static>(self, base: S, policy: RetryPolicy) -> Arc<dyn Stack> {
        let attempt_timeout = self.attempt_timeout.map(|limit| {
            let elapsed: Arc<str> = format!("attempt timed out after {limit:?}").into();
            ServiceBuilder::new()
                .map_err(move |err: BoxError| BoxError::from(into_error(err, &elapsed)))
                .timeout(limit)
        });
        let per_host = (self.per_host_concurrency.is_some() || self.per_host_rate.is_some())
            .then(|| PerHostLayer::new(self.per_host_concurrency, self.per_host_rate));
        let rate = self.rate.map(|rate| {
            layer_fn(move |inner| Shared::new(tower::limit::RateLimit::new(inner, rate.into())))
        });
        let stack = ServiceBuilder::new()
            .option_layer(self.deadline.map(TimeoutLayer::new))
            .layer(RetryLayer::new(policy))
            .option_layer(self.concurrency.map(ConcurrencyLimitLayer::new))
            .option_layer(rate)
            .option_layer(per_host)
            .option_layer(attempt_timeout)
            .service(base);
        Arc::new(stack)
    }
}

impl std::fmt::Debug for TowerTransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TowerTransportBuilder")
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("concurrency", &self.concurrency)
            .field("rate", &self.rate)
            .field("per_host_concurrency", &self.per_host_concurrency)
            .field("per_host_rate", &self.per_host_rate)
            .finish_non_exhaustive()
    }
}

/// A concurrency limit tokio's semaphore accepts: above its maximum it panics.
fn clamp_permits(max: usize) -> usize {
    max.clamp(1, tokio::sync::Semaphore::MAX_PERMITS)
}
