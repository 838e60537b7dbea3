//! # grequests for Rust
//!
//! Send many HTTP requests at once, as easily as Python's
//! [grequests](https://pypi.org/project/grequests/): build unsent requests with
//! [`get`], [`post`], …, then send them all with [`map`] (results in request order),
//! [`imap`] (in completion order) or [`imap_enumerated`] (every index once), at most
//! `size` at a time.
//!
//! ```no_run
//! # #[tokio::main] async fn main() {
//! let urls = ["http://127.0.0.1:8080/get", "http://127.0.0.1:8080/status/500", "fakedomain/"];
//! let responses = grequests::map(urls.iter().map(|u| grequests::get(*u))).await;
//! println!("{responses:?}"); // [Some(<Response [200]>), Some(<Response [500]>), None]
//! # }
//! ```
//!
//! The same from a plain `fn main()`, with the `blocking` feature (on by default):
//!
//! ```no_run
//! let rs = ["http://127.0.0.1:8080/get", "http://127.0.0.1:8080/delay/1"].map(grequests::get);
//! let responses = grequests::blocking::map(rs).size(10).run();
//! ```
//!
//! ## What every batch guarantees
//! - Every request gets exactly one result: [`map`] gives `None` (or the exception
//!   handler's value) for a failure, [`imap`] skips it, [`imap_enumerated`] yields
//!   `(index, None)`, and the `try_` forms give the [`Error`]. HTTP error statuses are
//!   responses, as in grequests.
//! - Requests are pulled lazily from any iterator; with `size(k)` at most `k` are in flight
//!   or waiting to be taken, so memory does not grow with the number of requests.
//! - Dropping a batch cancels what it has in flight. `gtimeout` really cancels too.
//! - No global state is patched: use it from any thread, inside any tokio runtime.
//!
//! ## Errors
//! [`Error`] has predicates instead of types to match: `is_timeout`, `is_connect`,
//! `is_dns`, `is_tls`, `is_redirect`, `is_builder`, `is_body`, `is_decode`, `is_status`.
//! Bad input (a URL without scheme, a header with a line break) is a builder error,
//! delivered through the same path as any other failure, never a panic.
//!
//! ## Backends (cargo features)
//! - `hyper` (default): hyper 1.x with hyper-util's connection pool and rustls.
//! - `tower`: [`tower::TowerTransport`], retries, timeouts and limits as a tower stack.
//! - `mock`: [`mock::MockTransport`], an in-memory transport for tests.
//! - `blocking` (default): [`blocking`] for code without an async runtime.
//! - `progress-bar`: [`Batch::progress_bar`] draws an indicatif bar.
//!
//! Any [`Transport`] can be used with [`Client::with_transport`].
//!
//! ## Testing code that uses grequests
//! ```
//! # #[cfg(feature = "mock")]
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use grequests::mock::{MockTransport, Reply, Route};
//! let mock = MockTransport::new();
//! mock.route(Route::get("/users")).reply(Reply::json(200, &serde_json::json!([1, 2])));
//! let client = grequests::Client::with_transport(mock.clone());
//! let users = client.get("http://api.test/users").send().await.unwrap();
//! assert_eq!(users.json::<Vec<u32>>().unwrap(), [1, 2]);
//! # }
//! # #[cfg(not(feature = "mock"))] fn main() {}
//! ```

#![deny(missing_docs)]
// docs.rs builds with every feature and marks what each item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

pub use grequests_core::{
    async_trait, cookie, driver, http, imap, imap_enumerated, limits, map, mode, multipart,
    redirect, try_imap, try_imap_enumerated, try_map, Batch, Body, Cause, Client, ClientBuilder,
    CookieJar, DecodeLimits, EachResponseHook, Error, FailedRequest, Input, IntoMethod,
    IntoRequest, IntoUrl, LowSpeedLimit, PoolStatus, Progress, ReasonPhrase, RemoteAddr, Request,
    RequestBuilder, RequestHead, Response, Result, StoredCookie, Timeouts, Transport, Url,
};

/// A resolver on hickory-resolver, for [`ClientBuilder::dns_resolver`].
#[cfg(feature = "hickory")]
#[cfg_attr(docsrs, doc(cfg(feature = "hickory")))]
pub use grequests_core::HickoryResolver;
/// The default backend's transport, for [`ClientBuilder::transport`] when it is to be shared
/// or configured apart, and its resolvers, for [`ClientBuilder::dns_resolver`].
#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
pub use grequests_core::{
    delete, get, head, options, patch, post, put, request, CachingResolver, ConnectionBudget,
    HyperTransport, HyperTransportBuilder, Resolve, Resolving, SystemResolver, TlsVersion,
};

/// The tower backend (feature `tower`): retries with backoff and a budget, per-attempt
/// timeouts and a deadline, global and per-host limits, your own layers.
///
/// Features add up: turning `tower` on does not change what `Client::new()` uses (another
/// crate in your build could turn it on). Ask for it explicitly:
///
/// ```no_run
/// # fn main() -> grequests::Result<()> {
/// let transport = grequests::tower::TowerTransport::builder().max_retries(5).build()?;
/// let client = grequests::Client::with_transport(transport);
/// # drop(client); Ok(()) }
/// ```
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use grequests_tower as tower;

/// The in-memory mock transport (feature `mock`).
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub use grequests_mock as mock;

/// grequests for a plain `fn main()`: the same verbs, and batches that block.
///
/// ```no_run
/// let rs = (200..206).map(|code| grequests::get(format!("http://127.0.0.1:8080/status/{code}")));
/// for (index, response) in grequests::blocking::imap_enumerated(rs).size(5) {
///     println!("{index} {response:?}");
/// }
/// ```
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking {
    #[cfg(feature = "hyper")]
    pub use crate::{delete, get, head, options, patch, post, put, request};
    pub use grequests_core::blocking::{
        imap, imap_enumerated, map, try_imap, try_imap_enumerated, try_map, wait,
    };
}

/// The README's code blocks, compiled as doc tests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The testing guide's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/testing.md")]
pub struct TestingGuide;
