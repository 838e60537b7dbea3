//! The blocking API: batches and requests for a plain `fn main()`, on a runtime of
//! grequests' own (feature `blocking`).
//!
//! The runtime is a current-thread tokio runtime, started on first use. A caller drives it
//! while it waits, so a `map` does its I/O and its requests on the caller's thread with no
//! hop between threads; a background thread drives it whenever no caller is waiting, so
//! requests in flight keep moving while the caller is busy between two items of an `imap`.
//! Several threads may block at once: one drives, the others are woken with their results.
//! (Measured on 2 cores against nginx: this beat a runtime driven by its own thread, current
//! or multi-thread, by about a third; see docs/bench.md.)
//!
//! Called from inside an async runtime, where blocking would stall that runtime, every
//! request fails with a [runtime error](crate::Error::is_runtime) instead of panicking:
//! use the async API there.

use std::future::{Future, IntoFuture};
use std::sync::OnceLock;
use std::task::{Context, Poll};

use std::sync::{Condvar, Mutex};

use tokio::runtime::{Handle, Runtime};
use tokio::sync::Notify;

use crate::scheduler::driver::{Async, Blocking};
use crate::scheduler::mode::{Ordered, Streamed};
use crate::scheduler::{Batch, IntoRequest};
use crate::{Error, Result};
use crate::{RequestBuilder, Response};

const INSIDE_RUNTIME: &str =
    "grequests' blocking API was called from inside an async runtime, where it would block it: await the async API instead";
const NO_RUNTIME: &str = "grequests' blocking runtime could not be started";

/// The blocking runtime: a current-thread tokio runtime that the calling thread drives
/// while it waits (so a `map` runs its I/O and its requests on one thread, with no hop
/// between threads per event), and that a background thread drives whenever no caller is
/// waiting (so requests in flight keep moving between two items of a blocking `imap`).
struct BlockingRuntime {
    runtime: Runtime,
    /// Callers inside `block_on` right now.
    callers: Mutex<usize>,
    /// Tells the background thread that the callers are all gone.
    idle: Condvar,
    /// Tells the background thread to hand the runtime over to a caller.
    wanted: Notify,
}

/// The blocking runtime, or why it cannot be used here.
fn runtime() -> std::result::Result<&'static BlockingRuntime, &'static str> {
    if Handle::try_current().is_ok() {
        return Err(INSIDE_RUNTIME);
    }
    static RUNTIME: OnceLock<Option<&'static BlockingRuntime>> = OnceLock::new();
    RUNTIME.get_or_init(start).ok_or(NO_RUNTIME)
}

fn start() -> Option<&'static BlockingRuntime> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    // Lives as long as the process, like the thread that drives it.
    let shared: &'static BlockingRuntime = Box::leak(Box::new(BlockingRuntime {
        runtime,
        callers: Mutex::new(0),
        idle: Condvar::new(),
        wanted: Notify::new(),
    }));
    std::thread::Builder::new()
        .name("grequests-blocking".into())
        .spawn(move || loop {
            {
                let mut callers = lock(&shared.callers);
                while *callers > 0 {
                    callers = shared
                        .idle
                        .wait(callers)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            }
            shared.runtime.block_on(shared.wanted.notified());
        })
        .ok()?;
    Some(shared)
}

fn lock(callers: &Mutex<usize>) -> std::sync::MutexGuard<'_, usize> {
    callers
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Counts a caller in; counts it out when dropped, even when its future panics.
struct Caller(&'static BlockingRuntime);

impl Caller {
    fn enter(shared: &'static BlockingRuntime) -> Caller {
        *lock(&shared.callers) += 1;
        shared.wanted.notify_one();
        Caller(shared)
    }
}

impl Drop for Caller {
    fn drop(&mut self) {
        let mut callers = lock(&self.0.callers);
        *callers -= 1;
        if *callers == 0 {
            self.0.idle.notify_one();
        }
    }
}

impl BlockingRuntime {
    fn block_on<F: Future>(&'static self, future: F) -> F::Output {
        let _caller = Caller::enter(self);
        self.runtime.block_on(future)
    }
}

/// Runs `future` to completion on the blocking runtime: for reading a streamed body from
/// plain code, e.g. `blocking::wait(response.chunk())`.
pub fn wait<F: Future>(future: F) -> Result<F::Output> {
    runtime()
        .map(|shared| shared.block_on(future))
        .map_err(Error::runtime)
}

impl RequestBuilder {
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
        match runtime() {
            Ok(shared) => shared.block_on(batch.into_future()),
            Err(why) => {
                batch.engine.refuse(why);
                poll_refused(batch.into_future())
            }
        }
    }
}

/// A blocking `imap` batch is an iterator: each `next` waits for the next result, while
/// the requests in flight keep moving between two calls. Dropping it cancels them.
impl<I, M> Iterator for Batch<I, M, Blocking>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Streamed,
{
    type Item = M::Item<I::Item>;

    fn next(&mut self) -> Option<Self::Item> {
        let shared = runtime().map_err(|why| self.engine.refuse(why)).ok();
        let next = std::future::poll_fn(|cx| self.poll_item(cx));
        match shared {
            Some(shared) => shared.block_on(next),
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
