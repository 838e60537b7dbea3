//! The engine under `map`, `imap` and `imap_enumerated`.
//!
//! Requests are pulled lazily from the user's iterator and started in an [`InFlight`] set:
//! a task each for the `imap`s, so requests in flight keep moving while the consumer is
//! busy (a `buffer_unordered` only polls them when the consumer does: futures-rs #2387),
//! inline for `map`, whose future polls them itself. A slot is freed only when the consumer
//! takes its result, so requests running plus results waiting never exceed `size`: that
//! is the backpressure bound. Dropping the engine drops the set, which cancels them all. Response hooks and the progress callback run here, on the consumer's side,
//! so nothing fires for a result nobody takes.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Method;
use tokio::task::Id;
use tokio::time::Sleep;
use url::Url;

use super::in_flight::{Finished, InFlight};
use super::progress::{Progress, ProgressFn};
use super::IntoRequest;
use crate::model::{FailedRequest, Hook, Response};
use crate::trace::{self, BatchSpan};
use crate::{Error, Result};

/// A finished request, in the engine's words.
pub(crate) struct Completed<U> {
    pub(crate) index: usize,
    pub(crate) data: U,
    pub(crate) outcome: std::result::Result<Response, Failure>,
}

/// A failure with what the exception handler is told about its request.
pub(crate) struct Failure {
    pub(crate) request: FailedRequest,
    pub(crate) error: Error,
}

struct Slot<U> {
    index: usize,
    data: U,
    hooks: Vec<Hook>,
    method: Method,
    url: Option<Url>,
    task: Option<Id>,
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

pub(crate) struct Engine<I: Iterator>
where
    I::Item: IntoRequest,
{
    requests: Option<I>,
    pub(crate) size: Option<usize>,
    pub(crate) gtimeout: Option<Duration>,
    pub(crate) stream: bool,
    pub(crate) progress: Option<ProgressFn>,
    on_expiry: OnExpiry,
    deadline: Option<Pin<Box<Sleep>>>,
    started: bool,
    expired: bool,
    /// Why requests cannot be sent at all (no runtime to send them on), if so.
    refusal: Option<&'static str>,
    in_flight: InFlight,
    slots: Vec<Option<Slot<<I::Item as IntoRequest>::Data>>>,
    free: Vec<usize>,
    ready: VecDeque<Completed<<I::Item as IntoRequest>::Data>>,
    next_index: usize,
    done: usize,
    failed: usize,
    received: u64,
    total: Option<usize>,
    trace: Option<BatchSpan>,
}

impl<I> Engine<I>
where
    I: Iterator,
    I::Item: IntoRequest,
{
    pub(crate) fn new(
        requests: I,
        size: Option<usize>,
        on_expiry: OnExpiry,
        in_flight: InFlight,
    ) -> Self {
        let total = match requests.size_hint() {
            (lower, Some(upper)) if lower == upper => Some(lower),
            _ => None,
        };
        Engine {
            requests: Some(requests),
            size,
            gtimeout: None,
            stream: false,
            progress: None,
            on_expiry,
            deadline: None,
            started: false,
            expired: false,
            refusal: None,
            in_flight,
            slots: Vec::new(),
            free: Vec::new(),
            ready: VecDeque::new(),
            next_index: 0,
            done: 0,
            failed: 0,
            received: 0,
            total,
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
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Completed<<I::Item as IntoRequest>::Data>>> {
        if !self.started {
            self.start();
        }
        let _entered = self.trace.as_ref().map(BatchSpan::enter);
        if !self.expired {
            if let Some(deadline) = &mut self.deadline {
                if deadline.as_mut().poll(cx).is_ready() {
                    self.expire();
                }
            }
        }
        let completed = match self.next_completed(cx) {
            Poll::Ready(Some(completed)) => completed,
            other => return other,
        };
        Poll::Ready(Some(self.deliver(completed)))
    }

    /// Fails every request with a [runtime error](Error::is_runtime) saying `why`, without
    /// sending any; the engine then never returns `Pending`.
    #[cfg(feature = "blocking")]
    pub(crate) fn refuse(&mut self, why: &'static str) {
        self.started = true;
        self.refusal = Some(why);
    }

    fn start(&mut self) {
        self.started = true;
        let mode = if self.in_flight.keeps_results() {
            "map"
        } else {
            "imap"
        };
        self.trace = Some(BatchSpan::new(mode, self.size, self.total));
        if tokio::runtime::Handle::try_current().is_err() {
            self.refusal = Some(
                "grequests' async API must run inside a tokio runtime (use grequests::blocking from plain code)",
            );
        } else {
            if let Some(limit) = self.gtimeout {
                self.deadline = Some(Box::pin(tokio::time::sleep(limit)));
            }
        }
    }

    fn next_completed(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Completed<<I::Item as IntoRequest>::Data>>> {
        if let Some(completed) = self.ready.pop_front() {
            return Poll::Ready(Some(completed));
        }
        if self.expired {
            return Poll::Ready(self.report_unsent());
        }
        self.fill();
        if let Some(completed) = self.ready.pop_front() {
            return Poll::Ready(Some(completed));
        }
        loop {
            match self.in_flight.poll_finished(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Finished::Done(slot, result))) => {
                    return Poll::Ready(Some(self.complete(slot, result)))
                }
                Poll::Ready(Some(Finished::Lost(id, error))) => {
                    // Rare (a panic, a runtime shutting down), so a scan for the slot is
                    // fine; the request still gets its one result.
                    let slot = self
                        .slots
                        .iter()
                        .position(|s| s.as_ref().is_some_and(|s| s.task == Some(id)));
                    if let Some(slot) = slot {
                        return Poll::Ready(Some(self.complete(slot, Err(error))));
                    }
                }
            }
        }
    }

    /// Pulls requests until `size` of them are running or waiting to be taken.
    fn fill(&mut self) {
        let limit = self.size.unwrap_or(usize::MAX);
        while self.in_flight.len() + self.ready.len() < limit {
            let Some(item) = self.requests.as_mut().and_then(Iterator::next) else {
                self.requests = None;
                return;
            };
            self.launch(item);
        }
    }

    fn launch(&mut self, item: I::Item) {
        let index = self.next_index;
        self.next_index += 1;
        let (request, data) = item.into_request();
        let client = request.client;
        let mut parts = match request.parts {
            Ok(parts) => parts,
            Err(error) => {
                let slot = self.occupy(Slot {
                    index,
                    data,
                    hooks: Vec::new(),
                    method: Method::GET,
                    url: error.url().cloned(),
                    task: None,
                });
                let failed = self.fail(slot, error);
                self.ready.push_back(failed);
                return;
            }
        };
        if self.stream {
            parts.options.stream = true;
        }
        parts.options.compact = self.in_flight.keeps_results();
        // A failed request's error names its URL; only one canceled by `gtimeout` has no
        // error of its own to ask, so only then is a copy kept.
        let url = self.gtimeout.map(|_| parts.url.clone());
        let slot = self.occupy(Slot {
            index,
            data,
            hooks: std::mem::take(&mut parts.hooks),
            method: parts.method.clone(),
            url,
            task: None,
        });
        if let Some(why) = self.refusal {
            let error = Error::runtime(why);
            let failed = self.fail(slot, error);
            self.ready.push_back(failed);
            return;
        }
        // Boxed once here: the request's future is large, and starting it moves it by
        // value through several calls.
        let span = trace::request_span(&parts.method, &parts.url);
        let exchange = Box::pin(trace::instrument(
            async move { client.execute(parts).await },
            span,
        ));
        let task = self.in_flight.start(slot, exchange);
        if let Some(Some(s)) = self.slots.get_mut(slot) {
            s.task = task;
        }
    }

    fn occupy(&mut self, slot: Slot<<I::Item as IntoRequest>::Data>) -> usize {
        match self.free.pop() {
            Some(key) => {
                self.slots[key] = Some(slot);
                key
            }
            None => {
                self.slots.push(Some(slot));
                self.slots.len() - 1
            }
        }
    }

    fn release(&mut self, key: usize) -> Option<Slot<<I::Item as IntoRequest>::Data>> {
        let slot = self.slots.get_mut(key)?.take()?;
        self.free.push(key);
        Some(slot)
    }

    fn complete(
        &mut self,
        key: usize,
        result: Result<Response>,
    ) -> Completed<<I::Item as IntoRequest>::Data> {
        match result {
            Ok(response) => match self.release(key) {
                Some(slot) => Completed {
                    index: slot.index,
                    data: slot.data,
                    outcome: Ok(apply_hooks(response, slot.hooks)),
                },
                None => unreachable_slot(),
            },
            Err(error) => self.fail(key, error),
        }
    }

    fn fail(&mut self, key: usize, error: Error) -> Completed<<I::Item as IntoRequest>::Data> {
        match self.release(key) {
            Some(slot) => Completed {
                index: slot.index,
                data: slot.data,
                outcome: Err(Failure {
                    request: FailedRequest {
                        index: slot.index,
                        method: slot.method,
                        url: slot.url.or_else(|| error.url().cloned()),
                    },
                    error,
                }),
            },
            None => unreachable_slot(),
        }
    }

    /// `gtimeout` is up: every running request fails with a timeout error, now.
    fn expire(&mut self) {
        self.expired = true;
        self.deadline = None;
        // Their futures are dropped or their tasks aborted; their slots are reported here.
        self.in_flight.cancel_all();
        let limit = self.gtimeout.unwrap_or_default();
        let running: Vec<usize> = (0..self.slots.len())
            .filter(|&key| self.slots[key].is_some())
            .collect();
        let mut timed_out: Vec<_> = running
            .into_iter()
            .map(|key| self.fail(key, gtimeout_error(limit)))
            .collect();
        timed_out.sort_by_key(|c| c.index);
        self.ready.extend(timed_out);
        if self.on_expiry == OnExpiry::Stop {
            self.requests = None;
        }
    }

    fn report_unsent(&mut self) -> Option<Completed<<I::Item as IntoRequest>::Data>> {
        let item = self.requests.as_mut()?.next();
        let Some(item) = item else {
            self.requests = None;
            return None;
        };
        let index = self.next_index;
        self.next_index += 1;
        let (request, data) = item.into_request();
        let (method, url) = match &request.parts {
            Ok(parts) => (parts.method.clone(), Some(parts.url.clone())),
            Err(error) => (Method::GET, error.url().cloned()),
        };
        let error = match request.parts {
            Err(error) => error,
            Ok(_) => gtimeout_error(self.gtimeout.unwrap_or_default()),
        };
        Some(Completed {
            index,
            data,
            outcome: Err(Failure {
                request: FailedRequest { index, method, url },
                error,
            }),
        })
    }

    fn deliver(
        &mut self,
        completed: Completed<<I::Item as IntoRequest>::Data>,
    ) -> Completed<<I::Item as IntoRequest>::Data> {
        self.done += 1;
        match &completed.outcome {
            Ok(response) => self.received += response.buffered_len(),
            Err(_) => self.failed += 1,
        }
        if let Some(trace) = &mut self.trace {
            trace.progress(self.done, self.failed);
        }
        if let Some(progress) = &mut self.progress {
            progress(Progress {
                done: self.done,
                failed: self.failed,
                total: self.total,
                received: self.received,
            });
        }
        completed
    }
}

fn apply_hooks(mut response: Response, hooks: Vec<Hook>) -> Response {
    for hook in hooks {
        hook(&mut response);
    }
    response
}

fn gtimeout_error(limit: Duration) -> Error {
    Error::timeout(format!(
        "the batch's gtimeout of {limit:?} elapsed before this request finished"
    ))
}

/// Every key handed to `complete`/`fail` is occupied: it comes from `occupy` and is released
/// exactly once, by the one result its task or the engine produces.
#[cold]
fn unreachable_slot() -> ! {
    unreachable!("grequests engine: a result for a slot that is not occupied")
}
