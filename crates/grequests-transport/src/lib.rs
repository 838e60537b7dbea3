//! The contract between grequests' core and its backends: the [`Transport`] trait, the
//! [`Body`] and [`Error`] both sides speak, the per-request settings a transport must honour
//! ([`Timeouts`], [`DecodeLimits`]) and what it may report back ([`RemoteAddr`],
//! [`ReasonPhrase`]).
//!
//! It knows nothing of clients, sessions or batches. A backend depends on this crate alone;
//! the core (`grequests-core`) builds its client on top, and users reach everything here
//! through the core or the `grequests` facade, which re-export it.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

mod body;
mod error;
mod extensions;
mod idempotent;
pub mod limits;
mod pool;
mod transport;

pub use async_trait::async_trait;
pub use body::Body;
pub use error::{BoxError, Cause, Error, Input, Result};
pub use extensions::{ReasonPhrase, RemoteAddr};
pub use idempotent::is_idempotent;
pub use limits::{DecodeLimits, LowSpeedLimit};
pub use pool::PoolStatus;
pub use transport::{transport_fn, HeadLimit, Timeouts, Transport, TransportFn};

/// Re-exported so that backends and users speak the same `http` types.
pub use http;
