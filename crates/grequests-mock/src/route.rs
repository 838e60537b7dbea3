//! A registered route: its matcher, how it answers, and what it expects.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::matcher::Route;
use crate::reply::Reply;
use crate::transport::RecordedRequest;

type Responder =
    Arc<dyn Fn(RecordedRequest) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync>;

enum Answer {
    /// Replies in order; the last one repeats.
    Sequence(Vec<Reply>),
    Closure(Responder),
}

#[derive(Clone, Copy)]
enum Expectation {
    Exactly(usize),
    AtLeast(usize),
}

pub(crate) struct RouteState {
    pub(crate) route: Route,
    answer: Mutex<Answer>,
    calls: AtomicUsize,
    expectation: Mutex<Option<Expectation>>,
}

/// A handle on a registered route, to set its answer and expectations and to count calls.
///
/// A new route answers `200 OK` with an empty body until told otherwise.
#[derive(Clone)]
pub struct RouteHandle {
    pub(crate) state: Arc<RouteState>,
}

impl RouteState {
    pub(crate) fn new(route: Route) -> Self {
        RouteState {
            route,
            answer: Mutex::new(Answer::Sequence(vec![Reply::ok()])),
            calls: AtomicUsize::new(0),
            expectation: Mutex::new(None),
        }
    }

    /// Counts the call and produces its reply.
    pub(crate) async fn answer(&self, request: RecordedRequest) -> Reply {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let reply = match &*lock(&self.answer) {
            Answer::Sequence(replies) => Ok(replies
                .get(call)
                .or(replies.last())
                .cloned()
                .unwrap_or_else(Reply::ok)),
            Answer::Closure(responder) => Err(responder.clone()),
        };
        match reply {
            Ok(reply) => reply,
            Err(responder) => responder(request).await,
        }
    }

    /// A sentence saying how the expectation failed, if it did.
    pub(crate) fn unmet(&self) -> Option<String> {
        let calls = self.calls.load(Ordering::SeqCst);
        let expectation = (*lock(&self.expectation))?;
        let (ok, wanted) = match expectation {
            Expectation::Exactly(0) => (calls == 0, "never".to_owned()),
            Expectation::Exactly(n) => (calls == n, format!("exactly {n} time(s)")),
            Expectation::AtLeast(n) => (calls >= n, format!("at least {n} time(s)")),
        };
        (!ok).then(|| {
            format!(
                "route {} expected to be called {wanted}, was called {calls} time(s)",
                self.route
            )
        })
    }
}

impl RouteHandle {
    /// Answers every call with `reply`.
    pub fn reply(self, reply: Reply) -> Self {
        *lock(&self.state.answer) = Answer::Sequence(vec![reply]);
        self
    }

    /// Answers the calls in order; the last reply repeats. For retry tests:
    /// `replies([Reply::status(503), Reply::status(503), Reply::status(200)])`.
    pub fn replies(self, replies: impl IntoIterator<Item = Reply>) -> Self {
        let mut replies: Vec<Reply> = replies.into_iter().collect();
        if replies.is_empty() {
            replies.push(Reply::ok());
        }
        *lock(&self.state.answer) = Answer::Sequence(replies);
        self
    }

    /// Answers with an async closure, given the recorded request.
    pub fn respond_with<F, Fut>(self, responder: F) -> Self
    where
        F: Fn(RecordedRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Reply> + Send + 'static,
    {
        let responder: Responder = Arc::new(move |request| Box::pin(responder(request)));
        *lock(&self.state.answer) = Answer::Closure(responder);
        self
    }

    /// Expects exactly `n` calls, checked by [`MockTransport::verify`](crate::MockTransport::verify).
    pub fn expect(self, n: usize) -> Self {
        *lock(&self.state.expectation) = Some(Expectation::Exactly(n));
        self
    }

    /// Expects at least `n` calls.
    pub fn expect_at_least(self, n: usize) -> Self {
        *lock(&self.state.expectation) = Some(Expectation::AtLeast(n));
        self
    }

    /// Expects no call at all.
    pub fn never(self) -> Self {
        self.expect(0)
    }

    /// How many requests this route has answered.
    pub fn calls(&self) -> usize {
        self.state.calls.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for RouteHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteHandle")
            .field("route", &self.state.route)
            .field("calls", &self.calls())
            .finish()
    }
}

/// A poisoned lock only means a test panicked elsewhere; the data is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
