//! The requests of a batch in flight, driven: inline in the batch's own future, or each on
//! a task of its own.
//!
//! A `map` future is the only consumer of its results and polls whenever one is ready, so
//! its requests can be polled inline (a `FuturesUnordered`): no task per request, no
//! wake-up hop through a `JoinSet`. An `imap` stream is polled only when its consumer
//! asks for the next item; polled inline, requests in flight would stall while the
//! consumer is busy (futures-rs #2387), so each gets a task that runs on its own.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream::FuturesUnordered;
use tokio::task::{Id, JoinSet};

use crate::model::Response;
use crate::{Error, Result};

pub(crate) type Exchange = Pin<Box<dyn Future<Output = Result<Response>> + Send>>;

/// A finished exchange: the slot it belongs to and its result. A value that lives for one
/// `match`: boxing the large variant would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Finished {
    Done(usize, Result<Response>),
    /// A task that ended without a result (the runtime shut down under it), by id.
    Lost(Id, Error),
}

pub(crate) enum InFlight {
    Inline(FuturesUnordered<Caught>),
    Tasks(JoinSet<(usize, Result<Response>)>),
}

impl InFlight {
    pub(crate) fn inline() -> Self {
        InFlight::Inline(FuturesUnordered::new())
    }

    pub(crate) fn tasks() -> Self {
        InFlight::Tasks(JoinSet::new())
    }

    /// Whether its requests are polled inline by the batch's future (`map`'s way).
    pub(crate) fn is_inline(&self) -> bool {
        matches!(self, InFlight::Inline(_))
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            InFlight::Inline(set) => set.len(),
            InFlight::Tasks(set) => set.len(),
        }
    }

    /// Starts `exchange` for `slot`; the task's id when it got a task.
    pub(crate) fn start(&mut self, slot: usize, exchange: Exchange) -> Option<Id> {
        match self {
            InFlight::Inline(set) => {
                set.push(Caught { slot, exchange });
                None
            }
            InFlight::Tasks(set) => Some(set.spawn(Caught { slot, exchange }).id()),
        }
    }

    /// Drops every exchange in flight: their futures are dropped (inline) or their tasks
    /// aborted.
    pub(crate) fn cancel_all(&mut self) {
        match self {
            InFlight::Inline(set) => *set = FuturesUnordered::new(),
            InFlight::Tasks(set) => *set = JoinSet::new(),
        }
    }

    pub(crate) fn poll_finished(&mut self, cx: &mut Context<'_>) -> Poll<Option<Finished>> {
        match self {
            InFlight::Inline(set) => Pin::new(set)
                .poll_next(cx)
                .map(|done| done.map(|(slot, result)| Finished::Done(slot, result))),
            InFlight::Tasks(set) => set.poll_join_next_with_id(cx).map(|joined| {
                joined.map(|joined| match joined {
                    Ok((_, (slot, result))) => Finished::Done(slot, result),
                    Err(error) => Finished::Lost(
                        error.id(),
                        Error::canceled("the request's task was canceled"),
                    ),
                })
            }),
        }
    }
}

/// The exchange for `slot`, a panic in it (a transport's, a hook's) failing its request
/// instead of the caller's task or the batch: caught here, in the one place both kinds of set
/// run. A named future over the exchange's box, so that the inline set holds it without a
/// second box.
pub(crate) struct Caught {
    slot: usize,
    exchange: Exchange,
}

impl Future for Caught {
    type Output = (usize, Result<Response>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| this.exchange.as_mut().poll(cx)));
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready((this.slot, result)),
            Err(_) => Poll::Ready((
                this.slot,
                Err(Error::request(
                    "the request panicked (in its transport or a hook)",
                )),
            )),
        }
    }
}

impl std::fmt::Debug for InFlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InFlight::Inline(set) => write!(f, "Inline({})", set.len()),
            InFlight::Tasks(set) => write!(f, "Tasks({})", set.len()),
        }
    }
}
