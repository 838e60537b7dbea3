//! [`HeadWithin`]: an exchange under its response-head limit.
//!
//! Written out rather than as an `async fn` around `tokio::select!`: every poll of the
//! exchange (about five a request) went through the select's closure and copied the
//! exchange's output through two more layers, about 500 instructions a request on nginx.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use grequests_transport::{HeadLimit, Result};
use tokio::time::{Instant, Sleep};

use crate::connect::ConnectWatch;

pin_project_lite::pin_project! {
    /// Waits for the response head, failing with the limit's error when it passes with no
    /// connection being made: the limit counts from the moment a connection is ready
    /// (connecting has its own timeout, and waiting for a connection is not the server's
    /// slowness), or from the start when a pooled connection is reused.
    pub(crate) struct HeadWithin<F> {
        #[pin]
        exchange: F,
        // Started on the first poll that waits; `Unlimited` when the limit is too long to
        // be a deadline.
        #[pin]
        timer: Timer,
        head: HeadLimit,
        watch: Arc<ConnectWatch>,
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
    pub(crate) fn new(exchange: F, head: HeadLimit, watch: Arc<ConnectWatch>) -> Self {
        HeadWithin {
            exchange,
            timer: Timer::NotStarted,
            head,
            watch,
        }
    }
}

impl<F: Future> Future for HeadWithin<F> {
    type Output = Result<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        // The exchange first: an answer that is ready wins over a limit that just passed.
        if let Poll::Ready(output) = this.exchange.poll(cx) {
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
            let (connecting, ready_at) = this.watch.status();
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

    fn read_limit(limit: Duration) -> HeadLimit {
        let timeouts = Timeouts {
            read: Some(limit),
            ..Timeouts::default()
        };
        timeouts
            .head_limit()
            .expect("a read timeout limits the head")
    }

    /// The watch marks a connect in progress now and ready `after` from now.
    fn connecting_for(after: Duration) -> Arc<ConnectWatch> {
        let watch = Arc::new(ConnectWatch::default());
        watch.started();
        let ready = watch.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            ready.finished();
        });
        watch
    }

    const LIMIT: Duration = Duration::from_millis(100);

    #[tokio::test(start_paused = true)]
    async fn a_silent_server_fails_when_the_limit_passes() {
        let started = Instant::now();
        let watch = Arc::new(ConnectWatch::default());
        let exchange = HeadWithin::new(std::future::pending::<()>(), read_limit(LIMIT), watch);
        let err = exchange.await.expect_err("no answer ever comes");
        assert!(err.is_timeout(), "{err}");
        assert_eq!(started.elapsed(), LIMIT);
    }

    #[tokio::test(start_paused = true)]
    async fn the_limit_waits_while_a_connection_is_made() {
        let started = Instant::now();
        let watch = connecting_for(Duration::from_millis(250));
        let answer = tokio::time::sleep(Duration::from_millis(300));
        let exchange = HeadWithin::new(answer, read_limit(LIMIT), watch);
        exchange
            .await
            .expect("answered 50 ms after its connection was ready");
        assert_eq!(started.elapsed(), Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn the_limit_counts_from_the_moment_the_connection_is_ready() {
        let started = Instant::now();
        let watch = connecting_for(Duration::from_millis(250));
        let exchange = HeadWithin::new(std::future::pending::<()>(), read_limit(LIMIT), watch);
        let err = exchange.await.expect_err("no answer ever comes");
        assert!(err.is_timeout(), "{err}");
        assert_eq!(started.elapsed(), Duration::from_millis(350));
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_within_the_limit_is_handed_over() {
        let watch = Arc::new(ConnectWatch::default());
        let answer = async {
            tokio::time::sleep(LIMIT / 2).await;
            7
        };
        let exchange = HeadWithin::new(answer, read_limit(LIMIT), watch);
        assert_eq!(exchange.await.expect("answered in time"), 7);
    }
}
