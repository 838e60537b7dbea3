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

mod client;
mod model;
mod scheduler;
mod trace;
#[cfg(feature = "hyper")]
mod verbs;

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;

pub use client::cookies::{CookieJar, StoredCookie};
pub use client::{redirect, Client, ClientBuilder, RequestBuilder, DEFAULT_USER_AGENT};
/// Re-exported so that [`Response::cookies`] needs no matching `cookie` version.
pub use cookie;
pub use grequests_transport::{
    async_trait, is_idempotent, limits, transport_fn, Body, BoxError, Cause, DecodeLimits, Error,
    HeadLimit, Input, LowSpeedLimit, PoolStatus, ReasonPhrase, RemoteAddr, Result, Timeouts,
    Transport, TransportFn,
};
pub use model::multipart;
pub use model::{
    EachResponseHook, FailedRequest, Hook, IntoMethod, IntoUrl, Request, RequestHead, Response,
};
pub use scheduler::{
    driver, imap, imap_enumerated, map, mode, try_imap, try_imap_enumerated, try_map, Batch,
    ExceptionHandler, IntoRequest, MapFuture, Progress,
};

#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
pub use verbs::{delete, get, head, options, patch, post, put, request};

/// A resolver on hickory-resolver, for [`ClientBuilder::dns_resolver`].
#[cfg(feature = "hickory")]
#[cfg_attr(docsrs, doc(cfg(feature = "hickory")))]
pub use grequests_hyper::HickoryResolver;
/// The default backend's transport, for [`ClientBuilder::transport`] when it is to be shared
/// or configured apart, and its resolvers, for [`ClientBuilder::dns_resolver`].
#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
pub use grequests_hyper::{
    CachingResolver, ConnectionBudget, HyperTransport, HyperTransportBuilder, Resolve, Resolving,
    SystemResolver, TlsVersion, DEFAULT_DNS_CACHE_HOSTS, DEFAULT_DNS_TTL, DEFAULT_MAX_IDLE,
    DEFAULT_MAX_IDLE_PER_HOST,
};

/// Re-exported so that backends and users speak the same `http` types.
pub use grequests_transport::http;
/// Re-exported `url::Url`, the type of every URL here.
pub use url::Url;
