//! The core's rules, proven against the in-memory mock under tokio's paused clock: no
//! sockets, no real delays, the same result every run.

#![allow(clippy::unwrap_used)]

mod blocking;
mod cancel;
mod imap;
mod map;
mod memory;
mod mock;
mod model;
mod redirects;
mod support;
mod timeouts;
