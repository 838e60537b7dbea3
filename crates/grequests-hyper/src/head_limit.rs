//! [`HeadWithin`]: an exchange under its response-head limit.
//!
//! Written out rather than as an `async fn` around `tokio::select!`: every poll of the
//! exchange (about five a request) went through the select's closure and copied the
//! exchange's output through two more layers, about 500 instructions a request on nginx.
//! It enters the connect scope around each poll of the exchange itself (the same cost as
//! tokio's scope future, measured), so that one future owns the scope, the watch and the
//! limit.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use grequests_transport::{HeadLimit, Result};
use tokio::time::{Instant, Sleep};

use crate::connect::{ConnectScope, ConnectWatch, CONNECT_SCOPE};

pin_project_lite::pin_project! {
    /// Waits for the response head, failing with the limit's error when it passes with no
    /// connection being made: the limit counts from the moment a connection is ready
    /// (connecting has its own timeout, and waiting for a connection is not the server's
    /// slowness), or from the start when a pooled connection is reused. The exchange is
    /// polled in `scope`, where the connector finds its settings and the watch.
    pub(crate) struct HeadWithin<F> {
        #[pin]
        exchange: F,
        scope: ConnectScope,
        // Started on the first poll that waits; `Unlimited` when the limit is too long to
        // be a deadline.
        #[pin]
        timer: Timer,
        head: HeadLimit,
    }
}

pin_project_lite::pin_project! {
    /// The limit's clock.
    #[project = TimerProj]
    enum Timer {
        NotStarted,
        Running { #[pin] sleep: Sleep },
        Unlimited,
    }
}

impl<F: Future> HeadWithin<F> {
    /// `exchange` under `head`, polled in a scope of `connect` and a new watch.
    pub(crate) fn new(exchange: F, connect: Option<std::time::Duration>, head: HeadLimit) -> Self {
        let scope = ConnectScope {
            timeout: connect,
            watch: Some(Arc::new(ConnectWatch::default())),
        };
        HeadWithin {
            exchange,
            scope,
            timer: Timer::NotStarted,
            head,
        }
    }
}

impl<F: Future> Future for HeadWithin<F> {
    type Output = Result<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        // The exchange first: an answer that is ready wins over a limit that just passed.
        let exchange = this.exchange.as_mut();
        let polled = CONNECT_SCOPE.sync_scope(this.scope.clone(), || exchange.poll(cx));
        if let Poll::Ready(output) = polled {
            return Poll::Ready(Ok(output));
        }
        let limit = this.head.limit;
        loop {
            let mut sleep = match this.timer.as_mut().project() {
                TimerProj::Running { sleep } => sleep,
                TimerProj::Unlimited => return Poll::Pending,
                TimerProj::NotStarted => {
                    let timer = match Instant::now().checked_add(limit) {
                        Some(deadline) => Timer::Running {
                            sleep: tokio::time::sleep_until(deadline),
                        },
                        // A limit too long to be a deadline is no limit.
                        None => Timer::Unlimited,
                    };
                    this.timer.set(timer);
                    continue;
                }
            };
            ready!(sleep.as_mut().poll(cx));
            let now = Instant::now();
            let watch = this.scope.watch.as_deref();
            let (connecting, ready_at) = watch.map_or((false, None), ConnectWatch::status);
            let after_ready = ready_at.and_then(|ready| ready.checked_add(limit));
            let next = match (connecting, after_ready) {
                (true, _) => now.checked_add(limit).unwrap_or(now),
                (false, Some(at)) if at > now => at,
                _ => return Poll::Ready(Err(this.head.error())),
            };
            sleep.reset(next);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use grequests_transport::Timeouts;

    use super::*;

    const LIMIT: Duration = Duration::from_millis(100);

    fn read_limit(limit: Duration) -> HeadLimit {
        let timeouts = Timeouts {
            read: Some(limit),
            ..Timeouts::default()
        };
        timeouts
            .head_limit()
            .expect("a read timeout limits the head")
    }

    /// An exchange that connects as the connector does (its settings from the scope it is
    /// polled in), for `connecting`, then answers `answer` later, or never.
    async fn connects_then_answers(connecting: Duration, answer: Option<Duration>) -> u8 {
        let scope = CONNECT_SCOPE
            .try_with(Clone::clone)
            .expect("polled in the scope");
        let watch = scope.watch.expect("a head limit watches the connect");
        watch.started();
        tokio::time::sleep(connecting).await;
        watch.finished();
        match answer {
            Some(after) => tokio::time::sleep(after).await,
            None => std::future::pending().await,
        }
        7
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_server_fails_when_the_limit_passes() {
        let started = Instant::now();
        let pooled = std::future::pending::<()>();
        let err = HeadWithin::new(pooled, None, read_limit(LIMIT))
            .await
            .expect_err("no answer ever comes");
        assert!(err.is_timeout(), "{err}");
        assert_eq!(started.elapsed(), LIMIT);
    }

    #[tokio::test(start_paused = true)]
    async fn the_limit_waits_while_a_connection_is_made() {
        let started = Instant::now();
        let exchange = connects_then_answers(Duration::from_millis(250), Some(LIMIT / 2));
        let answer = HeadWithin::new(exchange, None, read_limit(LIMIT)).await;
        assert_eq!(
            answer.expect("answered within the limit of its connection"),
            7
        );
        assert_eq!(started.elapsed(), Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn the_limit_counts_from_the_moment_the_connection_is_ready() {
        let started = Instant::now();
        let exchange = connects_then_answers(Duration::from_millis(250), None);
        let err = HeadWithin::new(exchange, None, read_limit(LIMIT))
            .await
            .expect_err("no answer ever comes");
        assert!(err.is_timeout(), "{err}");
        assert_eq!(started.elapsed(), Duration::from_millis(350));
    }

    #[tokio::test(start_paused = true)]
    async fn the_connector_finds_the_request_s_connect_timeout() {
        let connect = Some(Duration::from_secs(3));
        let exchange = async { CONNECT_SCOPE.try_with(|scope| scope.timeout) };
        let found = HeadWithin::new(exchange, connect, read_limit(LIMIT)).await;
        assert_eq!(found.expect("at once").ok(), Some(connect));
    }
}
