//! A per-request connect timeout around any connector.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;

use http::Uri;
use tower_service::Service;

use hyper_util::client::legacy::connect::Connection;

use super::born::Stamped;
use super::slots::HostSlots;
use super::BoxError;
use crate::budget::{self, ConnectionBudget, PoolCounters, Usage};

tokio::task_local! {
    /// The connect settings of the request being sent. The pooled client calls the connector
    /// from inside the request's future, so the value set around that future is in scope.
    pub(crate) static CONNECT_SCOPE: ConnectScope;
}

/// What the connector is told by, and tells back to, the request it connects for.
#[derive(Clone, Default)]
pub(crate) struct ConnectScope {
    pub(crate) timeout: Option<Duration>,
    /// Present when the request has a read timeout, which starts once a connection is ready.
    pub(crate) watch: Option<Arc<ConnectWatch>>,
}

/// Whether a connection is being made for the request, and when the last one was ready.
#[derive(Default)]
pub(crate) struct ConnectWatch {
    state: Mutex<(bool, Option<Instant>)>,
}

impl ConnectWatch {
    pub(crate) fn started(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.0 = true;
        }
    }

    pub(crate) fn finished(&self) {
        if let Ok(mut state) = self.state.lock() {
            *state = (false, Some(Instant::now()));
        }
    }

    /// `(connecting now, when the last connection was ready)`.
    pub(crate) fn status(&self) -> (bool, Option<Instant>) {
        self.state.lock().map(|s| *s).unwrap_or((false, None))
    }
}

/// A connect in progress for the request watching it. The request's response-head limit
/// pauses while one is: a connect that never said it ended (dropped when the pool served
/// the request with a connection that fell idle, or moved to the background) would pause
/// it for good.
struct Connecting(Option<Arc<ConnectWatch>>);

impl Connecting {
    fn start(watch: Option<Arc<ConnectWatch>>) -> Self {
        if let Some(watch) = &watch {
            watch.started();
        }
        Connecting(watch)
    }
}

impl Drop for Connecting {
    fn drop(&mut self) {
        if let Some(watch) = &self.0 {
            watch.finished();
        }
    }
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

/// The connector hyper-util holds. Its settings are behind one `Arc`: hyper-util clones its
/// connector for every request, connected or not, and a clone of the stack itself counted
/// eight references up and down.
pub(crate) struct Timed<C> {
    settings: Arc<Settings<C>>,
}

impl<C> Clone for Timed<C> {
    fn clone(&self) -> Self {
        Timed {
            settings: self.settings.clone(),
        }
    }
}

struct Settings<C> {
    inner: C,
    /// For requests that set no connect timeout of their own.
    default: Option<Duration>,
    /// The cap on connections per host, if any.
    slots: Option<Arc<HostSlots>>,
    budget: ConnectionBudget,
    pool: Arc<PoolCounters>,
    /// Every connection speaks HTTP/2 (prior knowledge), whatever ALPN says.
    http2_only: bool,
}

/// Where the connector's connections are counted.
pub(crate) struct Accounting {
    pub(crate) budget: ConnectionBudget,
    pub(crate) pool: Arc<PoolCounters>,
    pub(crate) http2_only: bool,
}

impl<C> Timed<C> {
    pub(crate) fn new(
        inner: C,
        default: Option<Duration>,
        slots: Option<Arc<HostSlots>>,
        accounting: Accounting,
    ) -> Self {
        let settings = Settings {
            inner,
            default,
            slots,
            budget: accounting.budget,
            pool: accounting.pool,
            http2_only: accounting.http2_only,
        };
        Timed {
            settings: Arc::new(settings),
        }
    }
}

impl<C> fmt::Debug for Timed<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timed")
            .field("default", &self.settings.default)
            .field("budget", &self.settings.budget)
            .finish_non_exhaustive()
    }
}

/// Whether `err` says the process (or the system) is out of file descriptors.
fn out_of_descriptors(err: &BoxError) -> bool {
    crate::error::causes(&**err).into_iter().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| matches!(io.raw_os_error(), Some(23 | 24)))
    })
}

impl<C> Service<Uri> for Timed<C>
where
    C: Service<Uri> + Clone + Send + Sync + 'static,
    C::Response: Connection + Send,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = Stamped<C::Response>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    /// Ready: each connect is made by a clone of the stack below, whose connectors are
    /// always ready (hyper-util's `HttpConnector`, and hyper-rustls and the proxy connector
    /// around it).
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let scope = CONNECT_SCOPE.try_with(Clone::clone).unwrap_or_default();
        let connecting = Connecting::start(scope.watch.clone());
        let settings = self.settings.clone();
        let mut inner = settings.inner.clone();
        // The request's task: hyper-util moves the connect to a task of its own when the
        // request is served by a connection that fell idle meanwhile.
        let task = tokio::task::try_id();
        Box::pin(async move {
            // Says the connect is over however it ends: done, failed, abandoned or dropped.
            let _connecting = connecting;
            let origin: Arc<str> = format!(
                "{}://{}",
                dst.scheme_str().unwrap_or("http"),
                dst.authority().map_or("", |a| a.as_str())
            )
            .into();
            // Waiting for a slot or a descriptor is not connecting: the connect timeout
            // starts after both.
            let slot = match &settings.slots {
                Some(slots) => slots.acquire(&dst).await,
                None => None,
            };
            let shared = settings.budget.shared();
            let permit = budget::acquire(shared, &origin, &settings.pool, task).await?;
            #[cfg(feature = "tracing")]
            let (host, connect_started) = (
                dst.authority().map(|a| a.to_string()).unwrap_or_default(),
                Instant::now(),
            );
            let limit = scope.timeout.or(settings.default);
            let mut result = connect(&mut inner, dst.clone(), limit).await;
            if result.as_ref().is_err_and(out_of_descriptors) {
                // Another part of the program took the descriptors: close an idle
                // connection, give it a moment to go, and try once more.
                budget::report(shared.registry.evict_for_os());
                tokio::time::sleep(Duration::from_millis(10)).await;
                result = connect(&mut inner, dst, limit).await;
            }
            #[cfg(feature = "tracing")]
            match &result {
                Ok(_) => tracing::debug!(
                    %host,
                    elapsed_ms = connect_started.elapsed().as_millis() as u64,
                    "new connection"
                ),
                Err(err) => tracing::debug!(%host, error = %err, "connecting failed"),
            }
            let io = result?;
            let http2 = settings.http2_only || io.connected().is_negotiated_h2();
            let unclaimed = tokio::task::try_id() != task;
            let conn = shared.registry.register(&settings.pool, origin, unclaimed);
            Ok(Stamped::new(io, Usage::new(conn, permit, http2), slot))
        })
    }
}

/// Connects through `inner`, within `limit`.
async fn connect<C>(
    inner: &mut C,
    dst: Uri,
    limit: Option<Duration>,
) -> Result<C::Response, BoxError>
where
    C: Service<Uri>,
    C::Error: Into<BoxError>,
{
    let connecting = inner.call(dst);
    match limit {
        None => connecting.await.map_err(Into::into),
        Some(limit) => match tokio::time::timeout(limit, connecting).await {
            Ok(result) => result.map_err(Into::into),
            Err(_) => Err(Box::new(ConnectTimeout(limit)) as BoxError),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connect_dropped_before_it_finished_no_longer_pauses_the_head_limit() {
        let watch = Arc::new(ConnectWatch::default());
        let connecting = Connecting::start(Some(watch.clone()));
        assert!(watch.status().0);
        // The pool served the request with a connection that fell idle: hyper-util drops
        // (or backgrounds) this connect, whose end must still be told.
        drop(connecting);
        let (still_connecting, ready) = watch.status();
        assert!(!still_connecting && ready.is_some());
    }
}
