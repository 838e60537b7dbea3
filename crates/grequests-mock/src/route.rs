//! A registered route: its matcher, how it answers, and what it expects.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::gate::Gate;
use crate::matcher::Route;
use crate::recorded::RecordedRequest;
use crate::reply::Reply;

type Responder =
    Arc<dyn Fn(RecordedRequest) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync>;

enum Answer {
    /// Replies in order; the last one repeats. Shared with the requests they answer rather
    /// than copied for each (a reply's header and chunk lists are allocations).
    Sequence(Vec<Arc<Reply>>),
    Closure(Responder),
}

/// How many calls a route expects: `3`, `1..=3`, `2..`, `..=4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    min: usize,
    max: Option<usize>,
}

impl Times {
    fn allows(&self, calls: usize) -> bool {
        calls >= self.min && self.max.is_none_or(|max| calls <= max)
    }
}

impl fmt::Display for Times {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (0, Some(0)) => f.write_str("never"),
            (min, Some(max)) if min == max => write!(f, "exactly {min} time(s)"),
            (0, Some(max)) => write!(f, "at most {max} time(s)"),
            (min, Some(max)) => write!(f, "{min} to {max} times"),
            (min, None) => write!(f, "at least {min} time(s)"),
        }
    }
}

impl From<usize> for Times {
    fn from(n: usize) -> Self {
        Times {
            min: n,
            max: Some(n),
        }
    }
}

impl From<std::ops::RangeInclusive<usize>> for Times {
    fn from(range: std::ops::RangeInclusive<usize>) -> Self {
        Times {
            min: *range.start(),
            max: Some(*range.end()),
        }
    }
}

impl From<std::ops::Range<usize>> for Times {
    fn from(range: std::ops::Range<usize>) -> Self {
        Times {
            min: range.start,
            max: Some(range.end.saturating_sub(1)),
        }
    }
}

impl From<std::ops::RangeFrom<usize>> for Times {
    fn from(range: std::ops::RangeFrom<usize>) -> Self {
        Times {
            min: range.start,
            max: None,
        }
    }
}

impl From<std::ops::RangeToInclusive<usize>> for Times {
    fn from(range: std::ops::RangeToInclusive<usize>) -> Self {
        Times {
            min: 0,
            max: Some(range.end),
        }
    }
}

pub(crate) struct RouteState {
    pub(crate) route: Route,
    answer: Mutex<Answer>,
    calls: AtomicUsize,
    expectation: Mutex<Option<Times>>,
    name: Mutex<Option<String>>,
    /// [`label`](RouteState::label) as last made: it names every request the route answers.
    label: Mutex<Option<String>>,
    priority: AtomicI32,
    /// Past this many calls the route stops matching, and requests fall through.
    limit: AtomicUsize,
    gate: Mutex<Option<Gate>>,
    /// Requests this route is serving now, and the most it ever served at once.
    pub(crate) in_flight: AtomicUsize,
    pub(crate) max_in_flight: AtomicUsize,
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
            answer: Mutex::new(Answer::Sequence(vec![Arc::new(Reply::ok())])),
            calls: AtomicUsize::new(0),
            expectation: Mutex::new(None),
            name: Mutex::new(None),
            label: Mutex::new(None),
            priority: AtomicI32::new(0),
            limit: AtomicUsize::new(usize::MAX),
            gate: Mutex::new(None),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    /// Waits at the route's gate, if it has one.
    pub(crate) async fn pass_gate(&self) {
        let gate = lock(&self.gate).clone();
        if let Some(gate) = gate {
            gate.pass().await;
        }
    }

    /// An identity for the route, stable while it lives.
    pub(crate) fn id(&self) -> usize {
        self as *const RouteState as usize
    }

    /// The route's name, or how it matches.
    pub(crate) fn label(&self) -> String {
        lock(&self.label)
            .get_or_insert_with(|| match &*lock(&self.name) {
                Some(name) => format!("{name:?} ({})", self.route),
                None => self.route.to_string(),
            })
            .clone()
    }

    pub(crate) fn priority(&self) -> i32 {
        self.priority.load(Ordering::SeqCst)
    }

    pub(crate) fn exhausted(&self) -> bool {
        self.calls.load(Ordering::SeqCst) >= self.limit.load(Ordering::SeqCst)
    }

    /// Counts the call and produces its reply.
    pub(crate) async fn answer(&self, request: RecordedRequest) -> Arc<Reply> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let reply = match &*lock(&self.answer) {
            Answer::Sequence(replies) => Ok(replies
                .get(call)
                .or(replies.last())
                .cloned()
                .unwrap_or_else(|| Arc::new(Reply::ok()))),
            Answer::Closure(responder) => Err(responder.clone()),
        };
        match reply {
            Ok(reply) => reply,
            Err(responder) => Arc::new(responder(request).await),
        }
    }

    /// A sentence saying how the expectation failed, if it did.
    pub(crate) fn unmet(&self) -> Option<String> {
        let calls = self.calls.load(Ordering::SeqCst);
        let expected = (*lock(&self.expectation))?;
        (!expected.allows(calls)).then(|| {
            format!(
                "route {} expected to be called {expected}, was called {calls} time(s)",
                self.label()
            )
        })
    }
}

impl RouteHandle {
    /// Answers every call with `reply`.
    pub fn reply(self, reply: Reply) -> Self {
        *lock(&self.state.answer) = Answer::Sequence(vec![Arc::new(reply)]);
        self
    }

    /// Answers the calls in order; the last reply repeats. For retry tests:
    /// `replies([Reply::status(503), Reply::status(503), Reply::status(200)])`.
    pub fn replies(self, replies: impl IntoIterator<Item = Reply>) -> Self {
        let mut replies: Vec<Arc<Reply>> = replies.into_iter().map(Arc::new).collect();
        if replies.is_empty() {
            replies.push(Arc::new(Reply::ok()));
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

    /// Expects this many calls: `3`, `1..=3`, `2..` or `..=4`; checked by
    /// [`MockTransport::verify`](crate::MockTransport::verify) and when the mock is dropped.
    pub fn expect(self, times: impl Into<Times>) -> Self {
        *lock(&self.state.expectation) = Some(times.into());
        self
    }

    /// Expects at least `n` calls.
    pub fn expect_at_least(self, n: usize) -> Self {
        self.expect(n..)
    }

    /// Expects at most `n` calls.
    pub fn expect_at_most(self, n: usize) -> Self {
        self.expect(..=n)
    }

    /// Holds this route's requests until the returned [`Gate`] releases them: a test then
    /// decides which request finishes when (see [`MockTransport::wait_in_flight`](crate::MockTransport::wait_in_flight)).
    pub fn hold(&self) -> Gate {
        lock(&self.state.gate).get_or_insert_with(Gate::new).clone()
    }

    /// Names the route in failure messages.
    pub fn named(self, name: &str) -> Self {
        *lock(&self.state.name) = Some(name.to_owned());
        *lock(&self.state.label) = None;
        self
    }

    /// Among routes that match, the highest priority answers (default 0; the first
    /// registered wins a tie).
    pub fn priority(self, priority: i32) -> Self {
        self.state.priority.store(priority, Ordering::SeqCst);
        self
    }

    /// Answers at most `n` calls; later requests fall through to the next route that
    /// matches.
    pub fn up_to_n_times(self, n: usize) -> Self {
        self.state.limit.store(n, Ordering::SeqCst);
        self
    }

    /// Answers with a plain closure, given the recorded request (its path template's
    /// captures in [`params`](RecordedRequest::params)).
    pub fn respond_with_fn<F>(self, responder: F) -> Self
    where
        F: Fn(&RecordedRequest) -> Reply + Send + Sync + 'static,
    {
        let responder = Arc::new(responder);
        self.respond_with(move |request| {
            let reply = responder(&request);
            async move { reply }
        })
    }

    /// Expects no call at all.
    pub fn never(self) -> Self {
        self.expect(0)
    }

    pub(crate) fn id(&self) -> usize {
        self.state.id()
    }

    /// The most requests this route ever served at once (held at its gate included).
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
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
