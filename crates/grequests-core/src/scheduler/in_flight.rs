//! The requests of a batch in flight, driven: inline in the batch's own future (`map`), or
//! on a driver task of the batch's own (the `imap`s, see [`Driven`]).
//!
//! A `map` future is the only consumer of its results and polls whenever one is ready, so
//! its requests can be polled inline (a `FuturesUnordered`). An `imap` stream is polled
//! only when its consumer asks for the next item; polled inline, requests in flight would
//! stall while the consumer is busy (futures-rs #2387), so a driver task polls them.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream::FuturesUnordered;

use super::driven::Driven;
use crate::model::Response;
use crate::{Error, Result};

pub(crate) type Exchange = Pin<Box<dyn Future<Output = Result<Response>> + Send>>;

/// A finished exchange: the slot it belongs to and its result. A value that lives for one
/// `match`: boxing the large variant would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Finished {
    Done(usize, Result<Response>),
    /// Every request in flight is gone without a result: the runtime dropped the driver
    /// task under them.
    Lost,
}

pub(crate) enum InFlight {
    Inline(FuturesUnordered<Caught>),
    Driven(Driven),
}

impl InFlight {
    pub(crate) fn inline() -> Self {
        InFlight::Inline(FuturesUnordered::new())
    }

    pub(crate) fn driven() -> Self {
        InFlight::Driven(Driven::new())
    }

    /// Whether its requests are polled inline by the batch's future (`map`'s way).
    pub(crate) fn is_inline(&self) -> bool {
        matches!(self, InFlight::Inline(_))
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            InFlight::Inline(set) => set.len(),
            InFlight::Driven(set) => set.len(),
        }
    }

    /// Starts `exchange` for `slot`, in a batch of `size`.
    pub(crate) fn start(&mut self, slot: usize, exchange: Exchange, size: Option<usize>) {
        let exchange = Caught { slot, exchange };
        match self {
            InFlight::Inline(set) => set.push(exchange),
            InFlight::Driven(set) => set.start(exchange, size),
        }
    }

    /// Drops every exchange in flight, inline or on the driver.
    pub(crate) fn cancel_all(&mut self) {
        match self {
            InFlight::Inline(set) => *set = FuturesUnordered::new(),
            InFlight::Driven(set) => set.cancel_all(),
        }
    }

    pub(crate) fn poll_finished(&mut self, cx: &mut Context<'_>) -> Poll<Option<Finished>> {
        match self {
            InFlight::Inline(set) => Pin::new(set)
                .poll_next(cx)
                .map(|done| done.map(|(slot, result)| Finished::Done(slot, result))),
            InFlight::Driven(set) => set.poll_next(cx),
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
            InFlight::Driven(set) => write!(f, "Driven({})", set.len()),
        }
    }
}
