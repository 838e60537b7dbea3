//! [`GuardedBody`]: the one wrapper that holds a response body to its time limits (the
//! read timeout between chunks, the low-speed limit, the total timeout of a streamed
//! response), with one timer for all three; [`BodyGuards`] says which apply.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use super::LowSpeedLimit;
use crate::{Body, Error};

/// The time limits a [`GuardedBody`] holds a body to; each is off when `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyGuards {
    /// The least the transfer must receive per window.
    pub low_speed: Option<LowSpeedLimit>,
    /// The longest the reader waits for the next chunk (requests' read timeout).
    pub read_timeout: Option<Duration>,
    /// The total deadline, and the timeout it came from (named in the error).
    pub deadline: Option<(Instant, Duration)>,
}

impl BodyGuards {
    /// Whether no limit is on, so that a body need not be wrapped at all.
    pub fn are_off(&self) -> bool {
        *self == BodyGuards::default()
    }
}

/// A response body under its [`BodyGuards`]. The client wraps each response body it hands
/// out in one, once; transports leave the body's time limits to it. The clocks start when
/// the body first makes its reader wait: a body that is all there at once (most small ones)
/// never reads the clock, and time the consumer spends not reading does not count.
pub struct GuardedBody {
    inner: Body,
    guards: BodyGuards,
    /// Bytes received in the current low-speed window.
    received: u64,
    window_ends: Option<Instant>,
    /// When the next chunk is due, while the reader waits for one.
    chunk_due: Option<Instant>,
    timer: Option<Pin<Box<Sleep>>>,
}

impl std::fmt::Debug for GuardedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedBody")
            .field("inner", &self.inner)
            .field("guards", &self.guards)
            .finish_non_exhaustive()
    }
}

impl GuardedBody {
    /// Guards `inner` with `guards`.
    pub fn new(inner: Body, guards: BodyGuards) -> Self {
        GuardedBody {
            inner,
            guards,
            received: 0,
            window_ends: None,
            chunk_due: None,
            timer: None,
        }
    }

    /// Reads the whole body into memory under its guards, failing past `limit` bytes, as
    /// [`Body::collect`] does; without wrapping it into a [`Body`] (and a box) first.
    pub fn collect(self, limit: Option<u64>) -> impl Future<Output = Result<Bytes, Error>> + Send {
        crate::body::read_to_end(self, limit)
    }

    fn count(&mut self, len: usize) {
        self.chunk_due = None;
        let Some(limit) = self.guards.low_speed else {
            return;
        };
        self.received += len as u64;
        if self.received >= limit.bytes() {
            self.received = 0;
            self.window_ends = limit.window_end(Instant::now());
        }
    }

    /// The reader is about to wait: the clocks that start then, start.
    fn waiting(&mut self, now: Instant) {
        if self.window_ends.is_none() {
            self.window_ends = self.guards.low_speed.and_then(|l| l.window_end(now));
        }
        if self.chunk_due.is_none() {
            // A timeout too long to be a deadline never fires.
            self.chunk_due = self.guards.read_timeout.and_then(|t| now.checked_add(t));
        }
    }

    fn next_due(&self) -> Option<Instant> {
        [
            self.window_ends,
            self.chunk_due,
            self.guards.deadline.map(|(at, _)| at),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The error of a limit that has passed, if one has: the total timeout first, then the
    /// read timeout, then the low-speed limit.
    fn expired(&self, now: Instant) -> Option<Error> {
        if let Some((at, limit)) = self.guards.deadline {
            if now >= at {
                return Some(Error::timeout(format!(
                    "total timeout of {limit:?} elapsed (total_timeout)"
                )));
            }
        }
        if let (Some(at), Some(limit)) = (self.chunk_due, self.guards.read_timeout) {
            if now >= at {
                return Some(Error::timeout(format!(
                    "read timed out: no data for {limit:?}"
                )));
            }
        }
        match (self.window_ends, self.guards.low_speed) {
            (Some(at), Some(limit)) if now >= at => Some(limit.error()),
            _ => None,
        }
    }
}

impl http_body::Body for GuardedBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                this.count(frame.data_ref().map_or(0, Bytes::len));
                return Poll::Ready(Some(Ok(frame)));
            }
            Poll::Ready(other) => return Poll::Ready(other),
            Poll::Pending => {}
        }
        this.waiting(Instant::now());
        loop {
            let Some(due) = this.next_due() else {
                return Poll::Pending;
            };
            let timer = this
                .timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(due)));
            if timer.deadline() != due {
                timer.as_mut().reset(due);
            }
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            // The timer fired, so the earliest of the limits has passed.
            if let Some(err) = this.expired(Instant::now().max(due)) {
                return Poll::Ready(Some(Err(err)));
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
