//! The engine under `map`, `imap` and `imap_enumerated`.
//!
//! Requests are pulled lazily from the user's iterator and started in an [`InFlight`] set:
//! on driver tasks of the batch's own for the `imap`s, so requests in flight keep moving
//! while the consumer is busy (a `buffer_unordered` only polls them when the consumer
//! does: futures-rs #2387), inline for `map`, whose future polls them itself. A request's
//! [`Ticket`] waits in the `running` slab while it is out; its slot is freed only when the
//! consumer takes its result, so requests running plus results waiting never exceed
//! `size`: that is the backpressure bound. Dropping the engine drops the set, which cancels
//! them all. Response hooks and the progress callback run here, on the consumer's side, so
//! nothing fires for a result nobody takes.
//!
//! The batch moves through one [`Phase`]: `Idle` until first polled, then `Running` (or
//! `Refusing` with no runtime to send on), and `Expired` once `gtimeout` passes.

#[cfg(test)]
mod tests;
mod ticket;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use slab::Slab;
use tokio::time::Sleep;

use ticket::Ticket;
pub(crate) use ticket::{Completed, Failure};

use super::in_flight::{Finished, InFlight};
use super::progress::{Progress, ProgressFn};
use super::IntoRequest;
use crate::client::{BatchOptions, Client};
use crate::model::{Parts, Response};
use crate::trace::{self, BatchSpan};
use crate::{Error, Result};

/// How a mode runs its batch; each mode's constants (see [`Mode`](super::mode::Mode)) make one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) size: Option<usize>,
    /// The consumer keeps every result until the batch ends (`map`): its requests are
    /// polled inline by the batch's own future, not by driver tasks, and their responses'
    /// headers made dense (see `Batch::keeps_results`).
    pub(crate) keeps_results: bool,
    pub(crate) on_expiry: OnExpiry,
}

/// What happens to requests not yet sent when `gtimeout` expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnExpiry {
    /// Each is pulled and reported as timed out: `map` and `imap_enumerated` promise one
    /// result per request.
    ReportUnsent,
    /// They are never pulled: `imap` simply ends.
    Stop,
}

/// Where the batch is in its life.
enum Phase {
    /// Not polled yet: the runtime is looked for, the deadline and the span set up, on the
    /// first poll (a batch built outside a runtime may be awaited inside one).
    Idle,
    /// Sending, as slots free up; `gtimeout`'s deadline, if any.
    Running { deadline: Option<Pin<Box<Sleep>>> },
    /// There is no runtime to send on: each request fails with this reason, unsent.
    Refusing(&'static str),
    /// `gtimeout` passed: what was in flight failed; what was not sent is reported as timed
    /// out, or never pulled, as [`OnExpiry`] says.
    Expired,
}

/// A request pulled from the iterator: ready to send, or already failed (bad input).
enum Pulled<U> {
    Send(Ticket<U>, Client, Box<Parts>),
    Invalid(Ticket<U>, Error),
}

type Data<I> = <<I as Iterator>::Item as IntoRequest>::Data;

pub(crate) struct Engine<I: Iterator>
where
    I::Item: IntoRequest,
{
    /// `None` once exhausted, or once `gtimeout` stops an `imap`.
    requests: Option<I>,
    pub(crate) size: Option<usize>,
    pub(crate) gtimeout: Option<Duration>,
    /// What every request is sent with; `keeps_results` starts as the plan's.
    pub(crate) options: BatchOptions,
    pub(crate) progress: Option<ProgressFn>,
    on_expiry: OnExpiry,
    phase: Phase,
    in_flight: InFlight,
    /// The tickets of the requests out on the wire.
    running: Slab<Ticket<Data<I>>>,
    ready: VecDeque<Completed<Data<I>>>,
    next_index: usize,
    counts: Progress,
    trace: Option<BatchSpan>,
}

impl<I> Engine<I>
where
    I: Iterator,
    I::Item: IntoRequest,
{
    pub(crate) fn new(requests: I, plan: Plan) -> Self {
        let total = match requests.size_hint() {
            (lower, Some(upper)) if lower == upper => Some(lower),
            _ => None,
        };
        Engine {
            requests: Some(requests),
            size: plan.size,
            gtimeout: None,
            options: BatchOptions {
                stream: false,
                keeps_results: plan.keeps_results,
            },
            progress: None,
            on_expiry: plan.on_expiry,
            phase: Phase::Idle,
            in_flight: if plan.keeps_results {
                InFlight::inline()
            } else {
                InFlight::driven()
            },
            running: Slab::new(),
            ready: VecDeque::new(),
            next_index: 0,
            counts: Progress {
                done: 0,
                failed: 0,
                total,
                received: 0,
            },
            trace: None,
        }
    }

    /// How many requests the iterator says it holds, at least; bounded, so that a wrong
    /// hint cannot reserve a fortune.
    pub(crate) fn expected_len(&self) -> usize {
        self.requests
            .as_ref()
            .map_or(0, |r| r.size_hint().0)
            .min(1 << 20)
    }

    /// The next finished request, in completion order; `None` once every request pulled
    /// has been reported and the iterator is exhausted.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Completed<Data<I>>>> {
        if matches!(self.phase, Phase::Idle) {
            self.start();
        }
        let _entered = self.trace.as_ref().map(BatchSpan::enter);
        if let Phase::Running {
            deadline: Some(deadline),
        } = &mut self.phase
        {
            if deadline.as_mut().poll(cx).is_ready() {
                self.expire();
            }
        }
        match self.next_completed(cx) {
            Poll::Ready(Some(completed)) => Poll::Ready(Some(self.deliver(completed))),
            other => other,
        }
    }

    /// Fails every request with a [runtime error](Error::is_runtime) saying `why`, without
    /// sending any; the engine then never returns `Pending`.
    #[cfg(feature = "blocking")]
    pub(crate) fn refuse(&mut self, why: &'static str) {
        self.phase = Phase::Refusing(why);
    }

    fn start(&mut self) {
        // Named by how the batch runs: an `imap` told it keeps its results is still one.
        let mode = if self.in_flight.is_inline() {
            "map"
        } else {
            "imap"
        };
        self.trace = Some(BatchSpan::new(mode, self.size, self.counts.total));
        self.phase = if tokio::runtime::Handle::try_current().is_err() {
            Phase::Refusing(
                "grequests' async API must run inside a tokio runtime (use grequests::blocking from plain code)",
            )
        } else {
            Phase::Running {
                deadline: self
                    .gtimeout
                    .map(|limit| Box::pin(tokio::time::sleep(limit))),
            }
        };
    }

    fn next_completed(&mut self, cx: &mut Context<'_>) -> Poll<Option<Completed<Data<I>>>> {
        if let Some(completed) = self.ready.pop_front() {
            return Poll::Ready(Some(completed));
        }
        match self.phase {
            Phase::Running { .. } => {}
            Phase::Idle => unreachable!("grequests engine: polled before it started"),
            Phase::Refusing(why) => {
                return Poll::Ready(self.pull().map(|pulled| match pulled {
                    Pulled::Send(ticket, ..) => ticket.fail(Error::runtime(why)),
                    Pulled::Invalid(ticket, error) => ticket.fail(error),
                }))
            }
            Phase::Expired => {
                let limit = self.gtimeout.unwrap_or_default();
                return Poll::Ready(self.pull().map(|pulled| match pulled {
                    Pulled::Send(ticket, ..) => ticket.fail(gtimeout_error(limit)),
                    Pulled::Invalid(ticket, error) => ticket.fail(error),
                }));
            }
        }
        self.fill();
        if let Some(completed) = self.ready.pop_front() {
            return Poll::Ready(Some(completed));
        }
        loop {
            match self.in_flight.poll_finished(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Finished::Done(key, result))) => {
                    return Poll::Ready(Some(self.complete(key, result)))
                }
                Poll::Ready(Some(Finished::Lost)) => {
                    // Only when the runtime drops the driver (panics are caught in it):
                    // every request out still gets its one result.
                    self.fail_running(|| {
                        Error::canceled(
                            "the batch's driver task was dropped by its runtime (shut down?)",
                        )
                    });
                    if let Some(completed) = self.ready.pop_front() {
                        return Poll::Ready(Some(completed));
                    }
                }
            }
        }
    }

    /// The next request from the iterator with its ticket, `None` once it is exhausted.
    fn pull(&mut self) -> Option<Pulled<Data<I>>> {
        let Some(item) = self.requests.as_mut().and_then(Iterator::next) else {
            self.requests = None;
            return None;
        };
        let index = self.next_index;
        self.next_index += 1;
        let (request, client, data) = item.into_request();
        Some(match (request.parts, client) {
            (Ok(mut parts), Some(client)) => {
                // Kept only when nothing else will name the request: see `Ticket::url`.
                let keep_url =
                    self.gtimeout.is_some() || !matches!(self.phase, Phase::Running { .. });
                let url = keep_url.then(|| parts.url.clone());
                let hooks = std::mem::take(&mut parts.hooks);
                let method = Some(parts.method.clone());
                let ticket = Ticket::new(index, data, method, url, hooks);
                Pulled::Send(ticket, client, parts)
            }
            (Ok(parts), None) => {
                let error = Error::builder(
                    "a Request with no client to send it: pair it with one (RequestBuilder::from_parts)",
                )
                .with_url(parts.url.url().clone());
                let ticket =
                    Ticket::new(index, data, Some(parts.method), Some(parts.url), Vec::new());
                Pulled::Invalid(ticket, error)
            }
            (Err(error), _) => {
                // The failure names the error's own URL, if it has one.
                let ticket = Ticket::new(index, data, None, None, Vec::new());
                Pulled::Invalid(ticket, error)
            }
        })
    }

    /// Pulls requests until `size` of them are running or waiting to be taken.
    fn fill(&mut self) {
        let limit = self.size.unwrap_or(usize::MAX);
        while self.in_flight.len() + self.ready.len() < limit {
            match self.pull() {
                None => return,
                Some(Pulled::Invalid(ticket, error)) => self.ready.push_back(ticket.fail(error)),
                Some(Pulled::Send(ticket, client, parts)) => self.launch(ticket, client, parts),
            }
        }
    }

    fn launch(&mut self, ticket: Ticket<Data<I>>, client: Client, parts: Box<Parts>) {
        let options = self.options;
        // Boxed once here: the request's future is large, and starting it moves it by
        // value through several calls.
        let span = trace::request_span(&parts.method, &parts.url);
        let exchange = trace::boxed_in(client.execute_parts(parts, options), span);
        let key = self.running.insert(ticket);
        self.in_flight.start(key, exchange, self.size);
    }

    fn complete(&mut self, key: usize, result: Result<Response>) -> Completed<Data<I>> {
        match self.running.try_remove(key) {
            Some(ticket) => ticket.finish(result),
            // Every key comes from `launch` and is removed exactly once, by the one result
            // its exchange produces.
            None => unreachable!("grequests engine: a result for a slot that is not running"),
        }
    }

    /// `gtimeout` is up: every running request fails with a timeout error, now.
    fn expire(&mut self) {
        self.phase = Phase::Expired;
        // Their futures are dropped (inline or with the driver); their tickets are reported
        // here.
        self.in_flight.cancel_all();
        let limit = self.gtimeout.unwrap_or_default();
        self.fail_running(|| gtimeout_error(limit));
        if self.on_expiry == OnExpiry::Stop {
            self.requests = None;
        }
    }

    /// Every request out fails with `error()`, queued in the order they were pulled.
    fn fail_running(&mut self, error: impl Fn() -> Error) {
        let mut failed: Vec<_> = self
            .running
            .drain()
            .map(|ticket| ticket.fail(error()))
            .collect();
        failed.sort_by_key(|c| c.index);
        self.ready.extend(failed);
    }

    fn deliver(&mut self, completed: Completed<Data<I>>) -> Completed<Data<I>> {
        self.counts.done += 1;
        match &completed.outcome {
            Ok(response) => self.counts.received += response.buffered_len(),
            Err(_) => self.counts.failed += 1,
        }
        if let Some(trace) = &mut self.trace {
            trace.progress(self.counts.done, self.counts.failed);
        }
        if let Some(progress) = &mut self.progress {
            progress(self.counts);
        }
        completed
    }
}

fn gtimeout_error(limit: Duration) -> Error {
    Error::timeout(format!(
        "the batch's gtimeout of {limit:?} elapsed before this request finished"
    ))
}
