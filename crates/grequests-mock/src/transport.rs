//! [`MockTransport`]: routes requests to replies, in memory; [`serve`] is how it answers one.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use grequests_core::{Client, Error};

use crate::matcher::Route;
use crate::recorded::RecordedRequest;
use crate::reply::Reply;
use crate::route::{lock, RouteHandle, RouteState};

mod serve;

/// The in-memory transport. Cheap to clone; clones share routes and records.
#[derive(Clone)]
pub struct MockTransport {
    inner: Arc<Inner>,
}

struct Inner {
    created: tokio::time::Instant,
    routes: Mutex<Vec<Arc<RouteState>>>,
    recording: AtomicBool,
    recorded: Mutex<Vec<RecordedRequest>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Per host (lowercase): requests in flight now, and the most at once.
    hosts: Mutex<std::collections::HashMap<String, Arc<HostCount>>>,
    /// Woken whenever the number of requests in flight changes, while anyone waits.
    in_flight_changed: tokio::sync::Notify,
    /// How many [`MockTransport::wait_in_flight`] calls are waiting: with none, a request
    /// skips the notification (it takes the `Notify`'s lock, twice a request).
    in_flight_watchers: AtomicUsize,
    /// Requests no route matched, as explained to them (the first few), and how many.
    unmatched: Mutex<(usize, Vec<String>)>,
    allow_unmatched: AtomicBool,
    verify_on_drop: AtomicBool,
}

/// The requests to one host in flight now, and the most at once. Shared with each request
/// being served, which counts itself out without looking the host up again.
#[derive(Default)]
struct HostCount {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// The name a host is counted by: as DNS compares it, whatever case a request was sent in.
/// Borrowed when it is lowercase already, as most are.
fn host_key(host: &str) -> Cow<'_, str> {
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host)
    }
}

/// A [`MockTransport::wait_in_flight`] call, counted while it runs (cancelled included).
/// Counted before it first reads the count in flight, and a request reads the watchers
/// after it changed that count (both `SeqCst`): either the request sees the watcher and
/// notifies, or the watcher sees the request's count.
struct Watching<'a>(&'a Inner);

impl<'a> Watching<'a> {
    fn start(inner: &'a Inner) -> Self {
        inner.in_flight_watchers.fetch_add(1, Ordering::SeqCst);
        Watching(inner)
    }
}

impl Drop for Watching<'_> {
    fn drop(&mut self) {
        self.0.in_flight_watchers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How many unmatched requests `verify` describes in full.
const SHOWN_UNMATCHED: usize = 5;

impl Default for MockTransport {
    fn default() -> Self {
        MockTransport {
            inner: Arc::new(Inner {
                created: tokio::time::Instant::now(),
                routes: Mutex::default(),
                recording: AtomicBool::new(true),
                recorded: Mutex::default(),
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
                in_flight_changed: tokio::sync::Notify::new(),
                in_flight_watchers: AtomicUsize::new(0),
                hosts: Mutex::default(),
                unmatched: Mutex::default(),
                allow_unmatched: AtomicBool::new(false),
                verify_on_drop: AtomicBool::new(true),
            }),
        }
    }
}

impl MockTransport {
    /// A mock with no routes: every request fails as unmatched until routes are added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to keep every request for [`requests`](MockTransport::requests) (default
    /// on). Off, a mock serving millions of requests uses constant memory; route call
    /// counts and expectations still work.
    pub fn record_requests(&self, on: bool) {
        self.inner.recording.store(on, Ordering::Relaxed);
    }

    /// Registers a route; routes are tried in the order registered.
    pub fn route(&self, route: Route) -> RouteHandle {
        let state = Arc::new(RouteState::new(route));
        lock(&self.inner.routes).push(state.clone());
        RouteHandle { state }
    }

    /// Registers a route that lives only as long as the returned guard: dropping it removes
    /// the route (and checks the route's expectation, unless the thread is panicking). For
    /// a route that one part of a test needs.
    ///
    /// ```
    /// use grequests_mock::{MockTransport, Reply, Route};
    /// let mock = MockTransport::new();
    /// {
    ///     let _outage = mock.scoped_route(Route::any()).priority(1).reply(Reply::status(503));
    ///     // ... requests here get 503
    /// }
    /// // ... and from here on, the other routes answer again.
    /// # mock.allow_unmatched();
    /// ```
    pub fn scoped_route(&self, route: Route) -> ScopedRoute {
        let handle = self.route(route);
        ScopedRoute {
            handle,
            mock: Arc::downgrade(&self.inner),
        }
    }

    /// A client that sends on this mock, with the default policy.
    pub fn client(&self) -> Client {
        Client::with_transport(self.clone())
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.recorded).clone()
    }

    /// The requests `route` answered, in arrival order.
    pub fn requests_for(&self, route: &RouteHandle) -> Vec<RecordedRequest> {
        let id = route.id();
        lock(&self.inner.recorded)
            .iter()
            .filter(|r| r.route_id == Some(id))
            .cloned()
            .collect()
    }

    /// Every request as a line: arrival and finish on tokio's clock since the mock was made,
    /// method and URL, outcome, the route that answered, and how many were in flight when it
    /// arrived. Under paused time the text is the same on every run: a snapshot test.
    ///
    /// ```text
    ///     0.000s     2.000s  GET http://api.test/item/1  -> 200  [GET /item/{n}]  (in flight: 1)
    /// ```
    pub fn log(&self) -> String {
        lock(&self.inner.recorded)
            .iter()
            .map(|r| r.log_line() + "\n")
            .collect()
    }

    /// Requests being served right now.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` requests are in flight (held at a [`Gate`](crate::Gate),
    /// delayed, or streaming), so that a test can release them knowing they all arrived.
    pub async fn wait_in_flight(&self, n: usize) {
        let _watching = Watching::start(&self.inner);
        loop {
            let changed = self.inner.in_flight_changed.notified();
            if self.in_flight() >= n {
                return;
            }
            changed.await;
        }
    }

    /// The most requests ever served at once to `host`: what a per-host limit must bound.
    pub fn max_in_flight_for_host(&self, host: &str) -> usize {
        let hosts = lock(&self.inner.hosts);
        let count = hosts.get(host_key(host).as_ref());
        count.map_or(0, |count| count.max.load(Ordering::SeqCst))
    }

    /// The most requests ever served at once.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight.load(Ordering::SeqCst)
    }

    /// Lets requests that match no route fail (as [`Error::is_no_route`]) without failing
    /// [`verify`](MockTransport::verify): for tests that send them on purpose.
    pub fn allow_unmatched(&self) -> &Self {
        self.inner.allow_unmatched.store(true, Ordering::Relaxed);
        self
    }

    /// Whether dropping the last handle to the mock checks [`verify`](MockTransport::verify)
    /// and panics when it fails (default on; never while the thread is already panicking).
    pub fn verify_on_drop(&self, on: bool) -> &Self {
        self.inner.verify_on_drop.store(on, Ordering::Relaxed);
        self
    }

    /// Checks every route's expectation, and that every request matched a route (unless
    /// [`allow_unmatched`](MockTransport::allow_unmatched)); the error lists each failure,
    /// with the unmatched requests explained route by route.
    pub fn verify(&self) -> std::result::Result<(), String> {
        self.inner.verify()
    }

    /// [`verify`](MockTransport::verify), panicking with its message: for tests.
    #[track_caller]
    pub fn assert_expectations(&self) {
        if let Err(message) = self.verify() {
            panic!("{message}");
        }
    }

    /// The route that answers `request`: the highest priority among those that match and
    /// still take calls, the first registered on a tie.
    fn find(&self, request: &RecordedRequest) -> Option<Arc<RouteState>> {
        let routes = lock(&self.inner.routes);
        let mut best: Option<&Arc<RouteState>> = None;
        for route in routes.iter() {
            if route.exhausted() || !route.route.matches(request) {
                continue;
            }
            if best.is_none_or(|b| route.priority() > b.priority()) {
                best = Some(route);
            }
        }
        best.cloned()
    }

    fn unmatched(&self, request: &RecordedRequest) -> Error {
        let explanation = self.explain(request);
        let mut unmatched = lock(&self.inner.unmatched);
        unmatched.0 += 1;
        if unmatched.1.len() < SHOWN_UNMATCHED {
            unmatched.1.push(explanation.clone());
        }
        Error::no_route(explanation)
    }

    /// Why no route takes `request`, route by route.
    fn explain(&self, request: &RecordedRequest) -> String {
        let routes = lock(&self.inner.routes);
        let mut out = format!("no mock route matches\n  {}", request.describe());
        if routes.is_empty() {
            out.push_str("\n  (no routes are registered)");
        }
        for route in routes.iter() {
            let why = match route.route.explain(request) {
                Some(why) => why,
                None if route.exhausted() => "it already took all the calls it allows".to_owned(),
                None => "it matches".to_owned(),
            };
            out.push_str(&format!("\n  route {}: {why}", route.label()));
        }
        out
    }
}

impl Inner {
    fn verify(&self) -> std::result::Result<(), String> {
        let mut failures: Vec<String> = lock(&self.routes)
            .iter()
            .filter_map(|route| route.unmet())
            .collect();
        let (count, shown) = &*lock(&self.unmatched);
        if *count > 0 && !self.allow_unmatched.load(Ordering::Relaxed) {
            failures.push(format!(
                "{count} request(s) matched no route (allow_unmatched() if that is intended):"
            ));
            failures.extend(shown.iter().map(|s| s.replace('\n', "\n  ")));
            if *count > shown.len() {
                failures.push(format!("… and {} more", count - shown.len()));
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "mock expectations not met:\n  {}",
                failures.join("\n  ")
            ))
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if std::thread::panicking() || !self.verify_on_drop.load(Ordering::Relaxed) {
            return;
        }
        if let Err(message) = self.verify() {
            panic!("{message}\n(checked as the last handle to the mock was dropped)");
        }
    }
}

/// A route removed from its mock when dropped: [`MockTransport::scoped_route`]. It derefs
/// to the [`RouteHandle`], and its builder methods return the guard itself.
#[must_use = "the route is removed as soon as this guard is dropped"]
pub struct ScopedRoute {
    handle: RouteHandle,
    mock: std::sync::Weak<Inner>,
}

impl ScopedRoute {
    /// Answers every call with `reply`.
    pub fn reply(self, reply: Reply) -> Self {
        let _ = self.handle.clone().reply(reply);
        self
    }

    /// Takes precedence over the routes registered before it (see
    /// [`RouteHandle::priority`]).
    pub fn priority(self, priority: i32) -> Self {
        let _ = self.handle.clone().priority(priority);
        self
    }

    /// Expects this many calls, checked when the guard drops.
    pub fn expect(self, times: impl Into<crate::Times>) -> Self {
        let _ = self.handle.clone().expect(times);
        self
    }
}

impl std::ops::Deref for ScopedRoute {
    type Target = RouteHandle;

    fn deref(&self) -> &RouteHandle {
        &self.handle
    }
}

impl fmt::Debug for ScopedRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ScopedRoute").field(&self.handle).finish()
    }
}

impl Drop for ScopedRoute {
    fn drop(&mut self) {
        if let Some(inner) = self.mock.upgrade() {
            lock(&inner.routes).retain(|route| !Arc::ptr_eq(route, &self.handle.state));
        }
        if std::thread::panicking() {
            return;
        }
        if let Some(unmet) = self.handle.state.unmet() {
            panic!("{unmet}\n(checked as its scoped route was dropped)");
        }
    }
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockTransport")
            .field("routes", &lock(&self.inner.routes).len())
            .field("received", &lock(&self.inner.recorded).len())
            .finish()
    }
}
