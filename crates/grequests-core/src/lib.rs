//! The core of grequests for Rust: the request/response model, the client policy and the
//! `map`/`imap` scheduler, written against the [`Transport`] trait. It opens no sockets:
//! backends (`grequests-hyper`, `grequests-tower`, `grequests-mock`) implement
//! [`Transport`], and most users depend on the `grequests` facade, which picks one.
//!
//! What users must know up front:
//! - Every request handed to a batch gets exactly one result. Failures (transport errors,
//!   timeouts, too many redirects, bad input) are `None` or the exception handler's value in
//!   [`map`], are skipped by [`imap`], and are `(index, None)` in [`imap_enumerated`]; the
//!   `try_` forms hand back every [`Error`]. HTTP error statuses are responses.
//! - Dropping a batch cancels the requests it has in flight; nothing keeps running.
//! - The async API runs inside any tokio runtime with time enabled; outside of one, each
//!   request fails with a clear [runtime error](Error::is_runtime) instead of a panic.

#![deny(missing_docs)]
// docs.rs builds with every feature and marks what each item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

mod body;
mod client;
mod error;
pub mod limits;
mod model;
mod scheduler;
mod trace;
mod transport;

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;

pub use async_trait::async_trait;
pub use body::Body;
pub use client::cookies::CookieJar;
pub use client::{redirect, Client, ClientBuilder, DEFAULT_USER_AGENT};
/// Re-exported so that [`Response::cookies`] needs no matching `cookie` version.
pub use cookie;
pub use error::{BoxError, Cause, Error, Result};
pub use limits::{DecodeLimits, LowSpeedLimit};
pub use model::multipart;
pub use model::{
    is_idempotent, EachResponseHook, FailedRequest, Hook, IntoMethod, IntoUrl, ReasonPhrase,
    Request, RequestHead, Response,
};
pub use scheduler::{
    driver, imap, imap_enumerated, map, mode, try_imap, try_imap_enumerated, try_map, Batch,
    ExceptionHandler, IntoRequest, MapFuture, Progress,
};
pub use transport::{transport_fn, HeadLimit, RemoteAddr, Timeouts, Transport, TransportFn};

/// Re-exported so that backends and users speak the same `http` types.
pub use http;
/// Re-exported `url::Url`, the type of every URL here.
pub use url::Url;
