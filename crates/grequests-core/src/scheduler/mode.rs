//! The modes a [`Batch`](super::Batch) runs in, and how each hands a finished request over.

use super::engine::Completed;
use super::{ExceptionHandler, IntoRequest};
use crate::model::Response;
use crate::Result;

/// [`map`](crate::map): ordered `Option<Response>`s.
#[derive(Debug)]
pub enum Map {}
/// [`try_map`](crate::try_map): ordered `Result`s.
#[derive(Debug)]
pub enum TryMap {}
/// [`imap`](crate::imap): responses in completion order.
#[derive(Debug)]
pub enum Imap {}
/// [`try_imap`](crate::try_imap): `Result`s in completion order.
#[derive(Debug)]
pub enum TryImap {}
/// [`imap_enumerated`](crate::imap_enumerated): `(index, Option<Response>)`.
#[derive(Debug)]
pub enum ImapEnumerated {}
/// [`try_imap_enumerated`](crate::try_imap_enumerated): `(index, Result)`.
#[derive(Debug)]
pub enum TryImapEnumerated {}

/// Modes that call an exception handler (the others hand every error back).
pub trait Handled: Mode {}
impl Handled for Map {}
impl Handled for Imap {}
impl Handled for ImapEnumerated {}

/// Modes whose batch is awaited for a `Vec` in request order.
pub trait Ordered: Mode {}
impl Ordered for Map {}
impl Ordered for TryMap {}

/// Modes whose batch is a stream in completion order.
pub trait Streamed: Mode {}
impl Streamed for Imap {}
impl Streamed for TryImap {}
impl Streamed for ImapEnumerated {}
impl Streamed for TryImapEnumerated {}

mod sealed {
    use super::super::engine::Completed;
    use super::super::{ExceptionHandler, IntoRequest};
    use super::Mode;

    /// What the engine asks of a mode; out of users' reach, which seals [`Mode`].
    pub trait Sealed {
        /// How many requests are out at once unless `size` says: all for `map`, 2 for the
        /// `imap`s, as grequests.
        const DEFAULT_SIZE: Option<usize>;
        /// Whether every result is kept until the batch ends (`map`): its requests are
        /// then polled inline by the batch's own future, not by driver tasks.
        const KEEPS_RESULTS: bool;
        /// Whether the requests not sent when `gtimeout` passes are reported (one result
        /// per request), or never pulled (`imap` ends).
        const REPORTS_UNSENT: bool;

        /// Hands a finished request over as the mode's item; `None` skips it (a failure
        /// in `imap`).
        #[allow(private_interfaces)]
        fn deliver<R: IntoRequest>(
            completed: Completed<R::Data>,
            handler: &mut Option<ExceptionHandler>,
        ) -> Option<<Self as Mode>::Item<R>>
        where
            Self: Mode;
    }
}

/// How a mode turns a finished request into what its user sees. Sealed: the six modes
/// above are all there are.
pub trait Mode: sealed::Sealed {
    /// What the batch yields per request.
    type Item<R: IntoRequest>;
}

/// The failure's replacement: the handler's value, or `None`.
fn handle(
    outcome: std::result::Result<Response, super::engine::Failure>,
    handler: &mut Option<ExceptionHandler>,
) -> Option<Response> {
    match outcome {
        Ok(response) => Some(response),
        Err(failure) => handler
            .as_mut()
            .and_then(|handler| handler(&failure.request, failure.error)),
    }
}

fn result(outcome: std::result::Result<Response, super::engine::Failure>) -> Result<Response> {
    outcome.map_err(|failure| failure.error)
}

macro_rules! modes {
    ($($mode:ty => [$size:expr, $keeps:expr, $unsent:expr] <$r:ident> $item:ty,
        |$c:ident, $h:ident| $body:expr;)*) => {$(
        impl Mode for $mode {
            type Item<$r: IntoRequest> = $item;
        }
        impl sealed::Sealed for $mode {
            const DEFAULT_SIZE: Option<usize> = $size;
            const KEEPS_RESULTS: bool = $keeps;
            const REPORTS_UNSENT: bool = $unsent;

            #[allow(private_interfaces)]
            fn deliver<$r: IntoRequest>(
                $c: Completed<$r::Data>,
                $h: &mut Option<ExceptionHandler>,
            ) -> Option<<Self as Mode>::Item<$r>> {
                $body
            }
        }
    )*};
}

// [default size, keeps results, reports unsent]
modes! {
    Map => [None, true, true] <R> R::Out<Option<Response>>,
        |c, h| Some(R::wrap(c.data, handle(c.outcome, h)));
    TryMap => [None, true, true] <R> R::Out<Result<Response>>,
        |c, _h| Some(R::wrap(c.data, result(c.outcome)));
    Imap => [Some(2), false, false] <R> R::Out<Response>,
        |c, h| handle(c.outcome, h).map(|response| R::wrap(c.data, response));
    TryImap => [Some(2), false, false] <R> R::Out<Result<Response>>,
        |c, _h| Some(R::wrap(c.data, result(c.outcome)));
    ImapEnumerated => [Some(2), false, true] <R> (usize, R::Out<Option<Response>>),
        |c, h| Some((c.index, R::wrap(c.data, handle(c.outcome, h))));
    TryImapEnumerated => [Some(2), false, true] <R> (usize, R::Out<Result<Response>>),
        |c, _h| Some((c.index, R::wrap(c.data, result(c.outcome))));
}
