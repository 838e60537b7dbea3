//! Concurrency and rate limits, global and per host, from tower's own middleware.

mod per_host;
mod shared;

pub(crate) use per_host::PerHostLayer;
pub(crate) use shared::Shared;
