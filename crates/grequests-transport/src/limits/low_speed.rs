//! [`LowSpeedLimit`]: the least a transfer must receive per window, curl's
//! `--speed-limit`; [`GuardedBody`](super::GuardedBody) enforces it.

use std::time::Duration;

use tokio::time::Instant;

use crate::Error;

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
