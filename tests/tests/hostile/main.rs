//! The hostile-server suite: a raw-socket server on 127.0.0.1 that misbehaves by path, and
//! a client with default settings that must answer each case with the right error class,
//! in bounded time and bounded memory, and exactly one result per request.

#![allow(clippy::unwrap_used)]

mod batch;
mod cases;
mod cookies;
mod memory;
mod stale;
mod support;
