//! The blocking API: batches and requests for a plain `fn main()`, on a runtime of
//! grequests' own (feature `blocking`).
//!
//! The runtime is a current-thread tokio runtime on a background thread, started on first
//! use. Requests run on that thread, so they keep moving while the caller is busy between
//! two items of an `imap`; the caller only waits for results.
//!
//! Called from inside an async runtime, where blocking would stall that runtime, every
//! request fails with a [runtime error](crate::Error::is_runtime) instead of panicking:
//! use the async API there.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use futures_core::Stream;
use tokio::runtime::Handle;

use crate::error::{Error, Result};
use crate::scheduler::driver::{Async, Blocking};
use crate::scheduler::mode::{Ordered, Streamed};
use crate::scheduler::{Batch, IntoRequest};
use crate::{Request, Response};

const INSIDE_RUNTIME: &str =
    "grequests' blocking API was called from inside an async runtime, where it would block it: await the async API instead";
const NO_RUNTIME: &str = "grequests' blocking runtime could not be started";

/// The handle of the blocking runtime, or why it cannot be used here.
fn handle() -> std::result::Result<&'static Handle, &'static str> {
    if Handle::try_current().is_ok() {
        return Err(INSIDE_RUNTIME);
    }
    static RUNTIME: OnceLock<Option<Handle>> = OnceLock::new();
    RUNTIME.get_or_init(start).as_ref().ok_or(NO_RUNTIME)
}

fn start() -> Option<Handle> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    let handle = runtime.handle().clone();
    std::thread::Builder::new()
        .name("grequests-blocking".into())
        .spawn(move || runtime.block_on(std::future::pending::<()>()))
        .ok()?;
    Some(handle)
}

/// Runs `future` to completion on the blocking runtime: for reading a streamed body from
/// plain code, e.g. `blocking::wait(response.chunk())`.
pub fn wait<F: Future>(future: F) -> Result<F::Output> {
    handle()
        .map(|handle| handle.block_on(future))
        .map_err(Error::runtime)
}

impl Request {
    /// Sends this request from plain code and waits for the response.
    pub fn send_blocking(self) -> Result<Response> {
        wait(self.send())?
    }
}

macro_rules! blocking_fns {
    ($($name:ident => $mode:ident),*) => {$(
        #[doc = concat!("[`", stringify!($name), "`](crate::", stringify!($name), ") for plain code.")]
        pub fn $name<R: IntoIterator>(
            requests: R,
        ) -> Batch<R::IntoIter, crate::mode::$mode, Blocking>
        where
            R::Item: IntoRequest,
        {
            crate::$name(requests).drive()
        }
    )*};
}

blocking_fns!(map => Map, try_map => TryMap, imap => Imap, try_imap => TryImap,
              imap_enumerated => ImapEnumerated, try_imap_enumerated => TryImapEnumerated);

impl<I, M> Batch<I, M, Blocking>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Ordered,
{
    /// Sends the batch and waits for every result, in request order.
    pub fn run(self) -> Vec<M::Item<I::Item>> {
        let mut batch = self.drive::<Async>();
        match handle() {
            Ok(handle) => handle.block_on(batch.into_future()),
            Err(why) => {
                batch.engine.refuse(why);
                poll_refused(batch.into_future())
            }
        }
    }
}

impl<I, M> IntoIterator for Batch<I, M, Blocking>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Streamed,
{
    type Item = M::Item<I::Item>;
    type IntoIter = Iter<I, M>;

    fn into_iter(self) -> Iter<I, M> {
        let mut batch = self.drive::<Async>();
        let handle = match handle() {
            Ok(handle) => Some(handle),
            Err(why) => {
                batch.engine.refuse(why);
                None
            }
        };
        Iter { batch, handle }
    }
}

/// The iterator of a blocking `imap` batch. Dropping it cancels what is in flight.
pub struct Iter<I: Iterator, M>
where
    I::Item: IntoRequest,
{
    batch: Batch<I, M, Async>,
    handle: Option<&'static Handle>,
}

impl<I, M> std::fmt::Debug for Iter<I, M>
where
    I: Iterator,
    I::Item: IntoRequest,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Iter")
            .field("batch", &self.batch)
            .finish()
    }
}

impl<I, M> Iterator for Iter<I, M>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Streamed,
{
    type Item = M::Item<I::Item>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = std::future::poll_fn(|cx| Pin::new(&mut self.batch).poll_next(cx));
        match self.handle {
            Some(handle) => handle.block_on(next),
            None => poll_refused(next),
        }
    }
}

/// Polls a batch whose engine refused to send: it is ready at once, never pending.
fn poll_refused<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = futures_util::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}
