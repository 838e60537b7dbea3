//! The retry policy: what is retried, how long to wait, and when to stop.
//!
//! - Only idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) unless the user opts
//!   in, since a POST that reached the server may have taken effect.
//! - Connect failures (not DNS or TLS ones, which another try will not fix), timeouts,
//!   resets, and the chosen statuses (default 429, 502, 503, 504).
//! - Waits: `Retry-After` on 429/503 when present (seconds or HTTP-date, capped), otherwise
//!   exponential backoff with full jitter.
//! - A [`TpsBudget`] shared by all requests bounds retries to a share of the traffic, so a
//!   dead host cannot triple the load.
//! - Bodies are replayed from memory; a streaming body is sent once and never retried.

mod backoff;
pub(crate) mod retry_after;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use grequests_transport::{Body, BoxError, Error};
use http::{Method, StatusCode};
use tower::retry::budget::{Budget, TpsBudget};
use tower::retry::Policy;

pub use backoff::FullJitterBackoff;

use crate::error::as_error;

/// How many attempts a response took, in its extensions (`Response::extensions`).
///
/// ```no_run
/// # fn show(response: &grequests_core::Response) {
/// use grequests_tower::Attempts;
/// if let Some(Attempts(n)) = response.extensions().get::<Attempts>() {
///     println!("answered after {n} attempt(s)");
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts(pub u32);

/// What the builder decided about retries; shared by every request's policy.
#[derive(Debug, Clone)]
pub(crate) struct RetrySettings {
    pub(crate) max_retries: u32,
    pub(crate) statuses: Vec<StatusCode>,
    pub(crate) retry_non_idempotent: bool,
    pub(crate) max_retry_after: Duration,
    pub(crate) min_backoff: Duration,
    pub(crate) max_backoff: Duration,
}

/// One request's retry state; tower clones the policy for every request.
#[derive(Clone)]
pub(crate) struct RetryPolicy {
    settings: Arc<RetrySettings>,
    budget: Arc<TpsBudget>,
    backoff: FullJitterBackoff,
    attempts: u32,
}

impl RetryPolicy {
    pub(crate) fn new(settings: RetrySettings, budget: TpsBudget) -> Self {
        let backoff = FullJitterBackoff::new(settings.min_backoff, settings.max_backoff);
        RetryPolicy {
            settings: Arc::new(settings),
            budget: Arc::new(budget),
            backoff,
            attempts: 0,
        }
    }

    pub(crate) fn settings(&self) -> &RetrySettings {
        &self.settings
    }

    /// Whether this outcome would be retried, budget and attempt count aside.
    pub(crate) fn is_retryable(
        &self,
        method: &Method,
        outcome: Result<StatusCode, &Error>,
    ) -> bool {
        self.retries_method(method) && self.retries_outcome(outcome)
    }

    /// Whether requests of this method are retried at all.
    pub(crate) fn retries_method(&self, method: &Method) -> bool {
        self.settings.retry_non_idempotent || grequests_transport::is_idempotent(method)
    }

    /// Whether this outcome would be retried for a method that is.
    pub(crate) fn retries_outcome(&self, outcome: Result<StatusCode, &Error>) -> bool {
        match outcome {
            Ok(status) => self.settings.statuses.contains(&status),
            Err(error) => {
                (error.is_connect() && !error.is_dns() && !error.is_tls())
                    || error.is_timeout()
                    || error.is_request()
            }
        }
    }

    fn delay(&mut self, result: &Result<http::Response<Body>, BoxError>) -> Duration {
        if let Ok(response) = result {
            if matches!(
                response.status(),
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) {
                if let Some(asked) = retry_after::parse(response.headers(), SystemTime::now()) {
                    return asked.min(self.settings.max_retry_after);
                }
            }
        }
        self.backoff.next_delay()
    }
}

/// Why an attempt is retried: its status, or its error.
#[cfg(feature = "tracing")]
fn retry_reason(result: &Result<http::Response<Body>, BoxError>) -> String {
    match result {
        Ok(response) => format!("status {}", response.status().as_u16()),
        Err(err) => err.to_string(),
    }
}

impl Policy<http::Request<Body>, http::Response<Body>, BoxError> for RetryPolicy {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        request: &mut http::Request<Body>,
        result: &mut Result<http::Response<Body>, BoxError>,
    ) -> Option<tokio::time::Sleep> {
        self.attempts += 1;
        #[cfg(feature = "tracing")]
        tracing::Span::current().record("attempts", self.attempts);
        if self.attempts == 1 {
            self.budget.deposit();
        }
        let retryable = match result {
            Ok(response) => {
                response.extensions_mut().insert(Attempts(self.attempts));
                self.is_retryable(request.method(), Ok(response.status()))
            }
            Err(err) => as_error(err).is_some_and(|e| self.is_retryable(request.method(), Err(e))),
        };
        if !retryable {
            return None;
        }
        let why_not = if self.attempts > self.settings.max_retries {
            "retries exhausted"
        } else if !self.budget.withdraw() {
            "retry budget exhausted"
        } else {
            let wait = self.delay(result);
            #[cfg(feature = "tracing")]
            tracing::debug!(
                attempt = self.attempts,
                reason = %retry_reason(result),
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            return Some(tokio::time::sleep(wait));
        };
        #[cfg(feature = "tracing")]
        tracing::debug!(attempts = self.attempts, why_not, "not retrying");
        if let Err(err) = result {
            let attempts = self.attempts;
            let taken = std::mem::replace(err, Box::new(Error::request("placeholder")));
            *err = match taken.downcast::<Error>() {
                Ok(error) => {
                    Box::new(error.with_context(format!("{why_not} after {attempts} attempt(s)")))
                }
                Err(other) => other,
            };
        }
        None
    }

    fn clone_request(&mut self, request: &http::Request<Body>) -> Option<http::Request<Body>> {
        let body = request.body().try_clone()?;
        let mut clone = http::Request::new(body);
        *clone.method_mut() = request.method().clone();
        *clone.uri_mut() = request.uri().clone();
        *clone.version_mut() = request.version();
        *clone.headers_mut() = request.headers().clone();
        *clone.extensions_mut() = request.extensions().clone();
        Some(clone)
    }
}
