//! The scheduler: send many requests at once with [`map`], [`imap`] and
//! [`imap_enumerated`], bounded by a pool `size`.
//!
//! | grequests | here | yields |
//! |---|---|---|
//! | `map(rs)` | [`map`]`(rs).await` | `Vec<Option<Response>>` in request order |
//! | `imap(rs)` | [`imap`]`(rs)` (a `Stream`) | `Response` in completion order, failures skipped |
//! | `imap_enumerated(rs)` | [`imap_enumerated`]`(rs)` | `(index, Option<Response>)`, every index once |
//! | — | [`try_map`], [`try_imap`], [`try_imap_enumerated`] | the same with `Result<Response, Error>` |
//!
//! Every batch takes any `IntoIterator` of requests (or `(request, data)` pairs, see
//! [`IntoRequest`]) and pulls it lazily: with `size(k)` at most `k` requests are built,
//! in flight, or finished and waiting to be taken. Dropping a batch cancels what it has in
//! flight.

mod driven;
mod engine;
mod in_flight;
mod into_request;
mod map;
pub mod mode;
mod progress;
mod stream;

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

pub use into_request::IntoRequest;
pub use map::MapFuture;
pub use progress::Progress;

use crate::model::{FailedRequest, Response};
use crate::Error;
use engine::{Engine, OnExpiry, Plan};

/// The exception handler: told which request failed and why, it may supply a response to
/// use in its place (grequests' `exception_handler`). It runs on the consumer's task.
pub type ExceptionHandler = Box<dyn FnMut(&FailedRequest, Error) -> Option<Response> + Send>;

/// A batch of requests with its options; what [`map`], [`imap`] and the others return.
///
/// A `map` batch is awaited (`IntoFuture`); an `imap` batch is a `futures::Stream`. Options
/// are set before that:
///
/// ```no_run
/// # async fn run(client: grequests_core::Client) {
/// use std::time::Duration;
/// let requests = (0..100).map(|i| client.get(format!("http://127.0.0.1:8080/get?i={i}")));
/// let responses = grequests_core::map(requests)
///     .size(10)
///     .gtimeout(Duration::from_secs(30))
///     .exception_handler(|request, error| {
///         eprintln!("request {} failed: {error}", request.index());
///         None
///     })
///     .await;
/// assert_eq!(responses.len(), 100);
/// # }
/// ```
#[must_use = "a batch sends nothing until it is awaited (map) or polled (imap)"]
pub struct Batch<I: Iterator, M, D = driver::Async>
where
    I::Item: IntoRequest,
{
    pub(crate) engine: Engine<I>,
    pub(crate) handler: Option<ExceptionHandler>,
    mode: PhantomData<fn() -> (M, D)>,
}

/// Who drives a batch: an `.await` in async code, or the blocking API's own runtime.
pub mod driver {
    /// Awaited (`map`) or polled as a `Stream` (`imap`) in async code.
    #[derive(Debug)]
    pub enum Async {}
    /// Run to completion (`map`) or iterated (`imap`) from plain code: see
    /// `grequests_core::blocking`.
    #[derive(Debug)]
    pub enum Blocking {}
}

// The iterator is only ever used through `&mut`, never pinned, so a batch can move freely.
impl<I: Iterator, M, D> Unpin for Batch<I, M, D> where I::Item: IntoRequest {}

impl<I: Iterator, M, D> fmt::Debug for Batch<I, M, D>
where
    I::Item: IntoRequest,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("mode", &std::any::type_name::<M>())
            .field("size", &self.engine.size)
            .field("gtimeout", &self.engine.gtimeout)
            .finish_non_exhaustive()
    }
}

impl<I: Iterator, M: mode::Mode, D> Batch<I, M, D>
where
    I::Item: IntoRequest,
{
    fn new(requests: I) -> Self {
        let plan = Plan {
            size: M::DEFAULT_SIZE,
            keeps_results: M::KEEPS_RESULTS,
            on_expiry: if M::REPORTS_UNSENT {
                OnExpiry::ReportUnsent
            } else {
                OnExpiry::Stop
            },
        };
        Batch {
            engine: Engine::new(requests, plan),
            handler: None,
            mode: PhantomData,
        }
    }
}

impl<I: Iterator, M, D> Batch<I, M, D>
where
    I::Item: IntoRequest,
{
    /// At most `size` requests in flight (or finished and not yet taken). `None` sends all
    /// at once. `map` defaults to `None`, the `imap`s to 2, as grequests. A size of 0 is
    /// read as 1.
    pub fn size(mut self, size: impl Into<Option<usize>>) -> Self {
        self.engine.size = size.into().map(|s| s.max(1));
        self
    }

    /// A deadline for the whole batch, counted from its first poll. When it passes, every
    /// request still in flight is canceled and fails with a [timeout](Error::is_timeout)
    /// error; `map` and `imap_enumerated` report the requests not yet sent the same way,
    /// `imap` ends.
    pub fn gtimeout(mut self, limit: Duration) -> Self {
        self.engine.gtimeout = Some(limit);
        self
    }

    /// Leaves every response body unread, for chunk-by-chunk reading (grequests'
    /// `stream=True`).
    pub fn stream(mut self, stream: bool) -> Self {
        self.engine.options.stream = stream;
        self
    }

    /// Whether the consumer keeps every response until the batch ends, as `map` does (and
    /// so the default for `map` only). Each response's headers are then held in a dense
    /// form, one small buffer copied out of the connection's read buffer, so that a kept
    /// response neither pins kilobytes of it nor holds a `HeaderMap` (built again when
    /// [`Response::headers`] is called); say so for an `imap` whose responses you collect.
    pub fn keeps_results(mut self, keeps: bool) -> Self {
        self.engine.options.keeps_results = keeps;
        self
    }

    /// Calls `report` after each request finishes, on the consumer's task.
    pub fn on_progress(mut self, report: impl FnMut(Progress) + Send + 'static) -> Self {
        self.engine.progress = Some(Box::new(report));
        self
    }

    /// Draws a progress bar on standard error (feature `progress-bar`).
    #[cfg(feature = "progress-bar")]
    #[cfg_attr(docsrs, doc(cfg(feature = "progress-bar")))]
    pub fn progress_bar(mut self) -> Self {
        self.engine.progress = Some(progress::bar());
        self
    }

    /// The same batch with another driver.
    #[cfg(feature = "blocking")]
    pub(crate) fn drive<E>(self) -> Batch<I, M, E> {
        Batch {
            engine: self.engine,
            handler: self.handler,
            mode: PhantomData,
        }
    }
}

impl<I: Iterator, M: mode::Handled, D> Batch<I, M, D>
where
    I::Item: IntoRequest,
{
    /// Handles failures: the returned response (or `None`) takes the failed request's
    /// place. Called once per failure, with a real error, on the consumer's task.
    pub fn exception_handler(
        mut self,
        handler: impl FnMut(&FailedRequest, Error) -> Option<Response> + Send + 'static,
    ) -> Self {
        self.handler = Some(Box::new(handler));
        self
    }
}

/// Sends every request, at most `size` at once (all by default), and resolves to one result
/// per request in request order: the response, or `None` (or the exception handler's value)
/// for a failure. HTTP error statuses are responses.
pub fn map<R: IntoIterator>(requests: R) -> Batch<R::IntoIter, mode::Map>
where
    R::Item: IntoRequest,
{
    Batch::new(requests.into_iter())
}

/// [`map`], with every error handed back.
pub fn try_map<R: IntoIterator>(requests: R) -> Batch<R::IntoIter, mode::TryMap>
where
    R::Item: IntoRequest,
{
    Batch::new(requests.into_iter())
}

/// A stream of responses in completion order, 2 in flight by default; failures are
/// skipped unless the exception handler supplies a response.
pub fn imap<R: IntoIterator>(requests: R) -> Batch<R::IntoIter, mode::Imap>
where
    R::Item: IntoRequest,
{
    Batch::new(requests.into_iter())
}

/// [`imap`], with every error handed back.
pub fn try_imap<R: IntoIterator>(requests: R) -> Batch<R::IntoIter, mode::TryImap>
where
    R::Item: IntoRequest,
{
    Batch::new(requests.into_iter())
}

/// A stream of `(index, Option<Response>)` in completion order: every request's index
/// exactly once, failures included, 2 in flight by default.
pub fn imap_enumerated<R: IntoIterator>(requests: R) -> Batch<R::IntoIter, mode::ImapEnumerated>
where
    R::Item: IntoRequest,
{
    Batch::new(requests.into_iter())
}

/// [`imap_enumerated`], with every error handed back.
pub fn try_imap_enumerated<R: IntoIterator>(
    requests: R,
) -> Batch<R::IntoIter, mode::TryImapEnumerated>
where
    R::Item: IntoRequest,
{
    Batch::new(requests.into_iter())
}
