//! A grequests [`Transport`](grequests_transport::Transport) built from a tower service stack:
//! for thousands of requests to flaky or rate-limited servers.
//!
//! Pick it when servers fail now and then (retries with backoff, a retry budget,
//! `Retry-After`), when a crawl must be polite to each site (per-host concurrency and rate
//! limits), or when you want your own tower layers (tracing, auth, metrics) on every
//! attempt. For plain fast fan-out the hyper backend alone is leaner.
//!
//! Everything is tower's own middleware: `tower::timeout` for the per-attempt timeout and
//! the deadline, `tower::retry` with its `Policy`, `Backoff` and `TpsBudget`, and
//! `tower::limit` for concurrency and rate; what this crate adds is the policy (what to
//! retry, how long to wait) and their assembly. The defaults and their reasons are on
//! [`TowerTransportBuilder`].
//!
//! A polite crawl: two requests in flight and five a second per site, retries on failure.
//!
//! ```no_run
//! use std::time::Duration;
//! use grequests_tower::{Rate, TowerTransport};
//!
//! # async fn crawl(urls: Vec<String>) -> grequests_transport::Result<()> {
//! let transport = TowerTransport::builder()
//!     .per_host_concurrency_limit(2)
//!     .per_host_rate_limit(Rate::new(5, Duration::from_secs(1)))
//!     .max_retries(4)
//!     .deadline(Duration::from_secs(120))
//!     .build()?;
//! let client = grequests_core::Client::with_transport(transport);
//! let pages = grequests_core::map(urls.iter().map(|u| client.get(u))).size(64).await;
//! # drop(pages); Ok(()) }
//! ```
//!
//! Your own layer, on every attempt:
//!
//! ```no_run
//! use tower::util::MapRequestLayer;
//! # fn build() -> grequests_transport::Result<()> {
//! let transport = grequests_tower::TowerTransport::builder()
//!     .layer(MapRequestLayer::new(|mut request: http::Request<grequests_transport::Body>| {
//!         request.headers_mut().insert("x-request-source", http::HeaderValue::from_static("crawler"));
//!         request
//!     }))
//!     .build()?;
//! # drop(transport); Ok(()) }
//! ```
//!
//! The other way round, any transport is a tower service ([`TransportService`]), so the
//! same retry and timeout stack runs over the mock in tests.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod builder;
mod error;
mod limit;
mod retry;
mod service;
mod transport;

use std::time::Duration;

use grequests_transport::{Body, BoxError, Error, Result};

pub use builder::TowerTransportBuilder;
pub use retry::{Attempts, FullJitterBackoff};
pub use service::TransportService;
pub use transport::TowerTransport;

/// The type every layer of the stack is boxed to.
pub type HttpService =
    tower::util::BoxCloneSyncService<http::Request<Body>, http::Response<Body>, BoxError>;

/// The longest period a [`Rate`] may have.
const MAX_RATE_PERIOD: Duration = Duration::from_secs(365 * 24 * 3600);

/// A rate: at most `count` requests started per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    count: u64,
    per: Duration,
}

impl Rate {
    /// `count` requests per `per`, e.g. `Rate::new(10, Duration::from_secs(1))`.
    pub fn new(count: u64, per: Duration) -> Self {
        Rate { count, per }
    }

    fn check(self) -> Result<()> {
        if self.count == 0 || self.per.is_zero() {
            return Err(Error::builder(
                "a rate needs a count and a period above zero",
            ));
        }
        // tower's rate limiter adds the period to an Instant, which must not overflow.
        if self.per > MAX_RATE_PERIOD {
            return Err(Error::builder("a rate's period must be at most 365 days"));
        }
        Ok(())
    }
}

impl From<Rate> for tower::limit::rate::Rate {
    fn from(rate: Rate) -> Self {
        tower::limit::rate::Rate::new(rate.count, rate.per)
    }
}
