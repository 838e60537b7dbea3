//! End to end over real loopback sockets: the facade on the hyper backend against the
//! embedded httpbin. Every example of grequests' README is here, with what it must print.

#![allow(clippy::unwrap_used)]

mod bodies;
mod connections;
mod descriptors;
mod dns;
mod failures;
mod parity;
mod pool;
mod proxy;
mod redirects;
mod seed;
mod socks;
mod support;
mod tls;
mod tracing;
mod uploads;
