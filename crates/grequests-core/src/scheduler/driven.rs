//! [`Driven`]: an `imap`'s requests in flight, polled by driver tasks of the batch's own.
//!
//! An `imap` stream is polled only when its consumer asks for the next item; polled there,
//! requests in flight would stall while the consumer is busy (futures-rs #2387). A task per
//! request avoids that at about 3 500 instructions a request (spawning, the `JoinSet`, the
//! task's own wake-ups; measured on the mock); a driver task per runtime worker (at most
//! `size` of them) polls them in a `FuturesUnordered`, as `map`'s future does inline, and
//! hands each result over through a queue the consumer drains. Requests are dealt to the
//! drivers round-robin, so that a multi-thread runtime still spreads their work over its
//! cores.
//!
//! The engine keeps the bound: it starts a request only when a slot is free, so the drivers
//! hold at most `size` requests and the queue at most `size` results. Dropping the set
//! aborts the drivers, which drops every request in them. A driver dropped by its runtime
//! (shut down under a batch that is polled again elsewhere) says so, and each request in
//! flight is reported as lost, once.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use futures_util::stream::FuturesUnordered;
use tokio::task::AbortHandle;

use super::in_flight::{Caught, Finished};
use crate::model::Response;
use crate::Result;

/// The requests of one batch, on its driver tasks, each spawned with its first request.
pub(crate) struct Driven {
    shared: Arc<Shared>,
    drivers: Vec<AbortHandle>,
    /// The driver the next request goes to.
    next: usize,
    /// Started and not yet reported.
    len: usize,
}

/// What the engine and the drivers hand each other.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Per driver: started by the engine, not yet taken up.
    started: Vec<Vec<Caught>>,
    drivers: Vec<Option<Waker>>,
    finished: VecDeque<(usize, Result<Response>)>,
    consumer: Option<Waker>,
    /// The set let go of its drivers (aborted them): they stop, and report nothing.
    closed: bool,
    /// A driver was dropped while the set still held it: by its runtime.
    lost: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding it; a poisoned lock still holds consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Driven {
    pub(crate) fn new() -> Self {
        Driven {
            shared: Arc::default(),
            drivers: Vec::new(),
            next: 0,
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// How many driver tasks it has spawned.
    #[cfg(test)]
    pub(crate) fn drivers(&self) -> usize {
        self.drivers.len()
    }

    /// Hands `exchange` to the next driver, spawning it (on the current runtime) for its
    /// first. A batch of `size` gets at most that many drivers, and at most one a worker.
    pub(crate) fn start(&mut self, exchange: Caught, size: Option<usize>) {
        let mut state = self.shared.lock();
        // Drivers their runtime dropped after every result was taken: start afresh. (Ones
        // dropped with requests in them are reported by `poll_next` first, with any started
        // meanwhile.)
        if state.lost && self.len == 0 {
            drop(state);
            self.cancel_all();
            state = self.shared.lock();
        }
        self.len += 1;
        let index = self.next;
        if state.started.is_empty() {
            let workers = tokio::runtime::Handle::current().metrics().num_workers();
            let drivers = workers.min(size.unwrap_or(usize::MAX)).max(1);
            state.started.resize_with(drivers, Vec::new);
            state.drivers.resize_with(drivers, || None);
        }
        self.next = (index + 1) % state.started.len();
        state.started[index].push(exchange);
        let waker = state.drivers[index].take();
        drop(state);
        if index == self.drivers.len() {
            let task = tokio::spawn(BatchTask {
                shared: self.shared.clone(),
                index,
                set: FuturesUnordered::new(),
            });
            self.drivers.push(task.abort_handle());
        } else if let Some(waker) = waker {
            waker.wake();
        }
        // Else it is awake already, and takes the new one up when it next runs.
    }

    /// The next result; `None` when nothing is in flight.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Finished>> {
        let mut state = self.shared.lock();
        if let Some((slot, result)) = state.finished.pop_front() {
            self.len -= 1;
            return Poll::Ready(Some(Finished::Done(slot, result)));
        }
        if self.len == 0 {
            return Poll::Ready(None);
        }
        if state.lost {
            drop(state);
            self.cancel_all();
            return Poll::Ready(Some(Finished::Lost));
        }
        match &state.consumer {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => state.consumer = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// Drops every request in flight: the drivers are aborted, and the next request starts
    /// others.
    pub(crate) fn cancel_all(&mut self) {
        self.close();
        self.shared = Arc::default();
        self.next = 0;
        self.len = 0;
    }

    fn close(&mut self) {
        self.shared.lock().closed = true;
        for driver in self.drivers.drain(..) {
            driver.abort();
        }
    }
}

impl Drop for Driven {
    fn drop(&mut self) {
        self.close();
    }
}

/// A driver task's future: polls its share of the batch's requests until it is aborted.
struct BatchTask {
    shared: Arc<Shared>,
    index: usize,
    set: FuturesUnordered<Caught>,
}

impl Future for BatchTask {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        {
            let mut state = this.shared.lock();
            // Aborted: an abort takes effect at the task's next yield, which may be this.
            if state.closed {
                return Poll::Ready(());
            }
            for exchange in state.started[this.index].drain(..) {
                this.set.push(exchange);
            }
            match &state.drivers[this.index] {
                Some(waker) if waker.will_wake(cx.waker()) => {}
                _ => state.drivers[this.index] = Some(cx.waker().clone()),
            }
        }
        while let Poll::Ready(Some(done)) = Pin::new(&mut this.set).poll_next(cx) {
            let consumer = {
                let mut state = this.shared.lock();
                state.finished.push_back(done);
                state.consumer.take()
            };
            if let Some(consumer) = consumer {
                consumer.wake();
            }
        }
        Poll::Pending
    }
}

impl Drop for BatchTask {
    fn drop(&mut self) {
        let consumer = {
            let mut state = self.shared.lock();
            if state.closed {
                return;
            }
            // Dropped while the set still holds it: the runtime dropped this task.
            state.lost = true;
            state.consumer.take()
        };
        if let Some(consumer) = consumer {
            consumer.wake();
        }
    }
}
