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

use super::born::Stamped;
use super::slots::HostSlots;
use super::BoxError;

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
    fn started(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.0 = true;
        }
    }

    fn finished(&self) {
        if let Ok(mut state) = self.state.lock() {
            *state = (false, Some(Instant::now()));
        }
    }

    /// `(connecting now, when the last connection was ready)`.
    pub(crate) fn status(&self) -> (bool, Option<Instant>) {
        self.state.lock().map(|s| *s).unwrap_or((false, None))
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

#[derive(Clone, Debug)]
pub(crate) struct Timed<C> {
    inner: C,
    /// For requests that set no connect timeout of their own.
    default: Option<Duration>,
    /// The cap on connections per host, if any.
    slots: Option<Arc<HostSlots>>,
}

impl<C> Timed<C> {
    pub(crate) fn new(inner: C, default: Option<Duration>, slots: Option<Arc<HostSlots>>) -> Self {
        Timed {
            inner,
            default,
            slots,
        }
    }
}

impl<C> Service<Uri> for Timed<C>
where
    C: Service<Uri> + Clone + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = Stamped<C::Response>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let scope = CONNECT_SCOPE.try_with(Clone::clone).unwrap_or_default();
        if let Some(watch) = &scope.watch {
            watch.started();
        }
        let slots = self.slots.clone();
        let mut inner = self.inner.clone();
        let default = self.default;
        Box::pin(async move {
            // Waiting for a slot is not connecting: the connect timeout starts after it.
            let slot = match &slots {
                Some(slots) => slots.acquire(&dst).await,
                None => None,
            };
            #[cfg(feature = "tracing")]
            let (host, connect_started) = (
                dst.authority().map(|a| a.to_string()).unwrap_or_default(),
                Instant::now(),
            );
            let connecting = inner.call(dst);
            let result = match scope.timeout.or(default) {
                None => connecting.await.map_err(Into::into),
                Some(limit) => match tokio::time::timeout(limit, connecting).await {
                    Ok(result) => result.map_err(Into::into),
                    Err(_) => Err(Box::new(ConnectTimeout(limit)) as BoxError),
                },
            };
            if let Some(watch) = &scope.watch {
                watch.finished();
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
            result.map(|io| Stamped::new(io, slot))
        })
    }
}
