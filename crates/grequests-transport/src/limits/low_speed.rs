//! [`LowSpeedLimit`], and [`GuardedBody`]: the response body that enforces it and the total
//! timeout of a streamed response.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::{Body, Error};

/// A transfer that receives fewer than [`bytes`](LowSpeedLimit::bytes) bytes in a
/// [`window`](LowSpeedLimit::window) fails with a [timeout](Error::is_timeout): curl's
/// `--speed-limit`/`--speed-time`.
///
/// It keeps a healthy slow download alive however long it takes, yet ends a server that
/// trickles a byte a second, sends its headers a byte at a time, answers with endless
/// `100 Continue`s or never answers at all. While the response head is awaited no body byte
/// can arrive, so the head must come within one window of the connection being ready (the
/// transport applies that part: see [`Timeouts`](crate::Timeouts)); time spent queueing in a
/// rate limiter or for a connection does not count.
///
/// The default, 1 KiB per 60 s, is what reverse proxies allow a silent upstream (nginx's
/// `proxy_read_timeout`, AWS ALB's idle timeout): a server slower than that is broken.
///
/// ```
/// use std::time::Duration;
/// use grequests_core::LowSpeedLimit;
/// let limit = LowSpeedLimit::default();
/// assert_eq!((limit.bytes(), limit.window()), (1024, Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowSpeedLimit {
    bytes: u64,
    window: Duration,
}

impl LowSpeedLimit {
    /// Fails a transfer that receives fewer than `bytes` bytes in `window`.
    pub const fn new(bytes: u64, window: Duration) -> Self {
        LowSpeedLimit { bytes, window }
    }

    /// The bytes that must arrive in each window.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The length of a window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// When a window starting `now` ends; `None` when that is too far to represent.
    pub(crate) fn window_end(&self, now: Instant) -> Option<Instant> {
        now.checked_add(self.window)
    }

    /// The [timeout](Error::is_timeout) a request fails with when this limit passes; for
    /// transports, which apply the window to the wait for the head.
    pub fn error(&self) -> Error {
        Error::timeout(format!(
            "transfer too slow: fewer than {} bytes received in {:?} (low_speed_limit)",
            self.bytes, self.window
        ))
    }
}

impl Default for LowSpeedLimit {
    fn default() -> Self {
        LowSpeedLimit::new(1024, Duration::from_secs(60))
    }
}

/// A response body under the low-speed limit and, for a streamed response, the total
/// timeout, which then bounds the body until it is read or dropped. The client wraps every
/// response body it hands out in one; a body that is all there at once never reads the clock.
pub struct GuardedBody {
    inner: Body,
    low_speed: Option<LowSpeedLimit>,
    /// Bytes received in the current window.
    received: u64,
    window_ends: Option<Instant>,
    /// The total deadline and the timeout it came from, for the error.
    deadline: Option<(Instant, Duration)>,
    timer: Option<Pin<Box<Sleep>>>,
}

impl std::fmt::Debug for GuardedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedBody")
            .field("inner", &self.inner)
            .field("low_speed", &self.low_speed)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl GuardedBody {
    /// Guards `inner` with the low-speed limit, if any, and a deadline with the total timeout
    /// it came from (named in the error), if any.
    pub fn new(
        inner: Body,
        low_speed: Option<LowSpeedLimit>,
        deadline: Option<(Instant, Duration)>,
    ) -> Self {
        GuardedBody {
            inner,
            low_speed,
            received: 0,
            // The first window starts when the body first makes the reader wait: a body
            // that is all there at once (most small ones) never reads the clock.
            window_ends: None,
            deadline,
            timer: None,
        }
    }

    fn count(&mut self, len: usize) {
        let Some(limit) = self.low_speed else { return };
        self.received += len as u64;
        if self.received >= limit.bytes {
            self.received = 0;
            self.window_ends = limit.window_end(Instant::now());
        }
    }

    fn next_due(&self) -> Option<Instant> {
        match (self.window_ends, self.deadline) {
            (Some(a), Some((b, _))) => Some(a.min(b)),
            (a, b) => a.or(b.map(|(at, _)| at)),
        }
    }

    /// The error of a limit that has passed, if one has.
    fn expired(&self, now: Instant) -> Option<Error> {
        if let Some((at, limit)) = self.deadline {
            if now >= at {
                return Some(Error::timeout(format!(
                    "total timeout of {limit:?} elapsed (total_timeout)"
                )));
            }
        }
        match (self.window_ends, self.low_speed) {
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
                if let Some(data) = frame.data_ref() {
                    this.count(data.len());
                }
                return Poll::Ready(Some(Ok(frame)));
            }
            Poll::Ready(other) => return Poll::Ready(other),
            Poll::Pending => {}
        }
        if this.window_ends.is_none() {
            this.window_ends = this.low_speed.and_then(|l| l.window_end(Instant::now()));
        }
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
            // The timer fired, so the earlier of the two limits has passed.
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
