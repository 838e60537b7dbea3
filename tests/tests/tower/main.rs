//! The tower backend: retry schedule, budget, `Retry-After`, timeouts and limits, proven
//! on the mock under tokio's paused clock, then over real sockets.

#![allow(clippy::unwrap_used)]

mod limits;
mod retries;
mod sockets;
mod support;
