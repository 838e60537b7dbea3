//! [`MockTransport`]: routes requests to replies, in memory.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use grequests_core::{Body, Client, Error, Result, Timeouts, Transport};

use crate::body::{After, MockBody};
use crate::matcher::Route;
use crate::recorded::RecordedRequest;
use crate::reply::{Failure, Reply};
use crate::route::{lock, RouteHandle, RouteState};

/// How long [`Failure::ConnectTimeout`] hangs when the request has no connect timeout.
const DEFAULT_CONNECT_HANG: Duration = Duration::from_secs(30);

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
    /// Per host: requests in flight now, and the most at once.
    hosts: Mutex<std::collections::HashMap<String, (usize, usize)>>,
    /// Woken whenever the number of requests in flight changes.
    in_flight_changed: tokio::sync::Notify,
    /// Requests no route matched, as explained to them (the first few), and how many.
    unmatched: Mutex<(usize, Vec<String>)>,
    allow_unmatched: AtomicBool,
    verify_on_drop: AtomicBool,
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
        lock(&self.inner.hosts).get(host).map_or(0, |(_, max)| *max)
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

/// Counts a request against its route and its host while it is served.
struct Counted<'a> {
    inner: &'a Inner,
    route: &'a RouteState,
    host: String,
}

impl<'a> Counted<'a> {
    fn enter(inner: &'a Inner, route: &'a RouteState, host: String) -> Self {
        let now = route.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        route.max_in_flight.fetch_max(now, Ordering::SeqCst);
        {
            let mut hosts = lock(&inner.hosts);
            // Looked up first: `entry` would take (and so copy) the name on every call.
            let entry = match hosts.get_mut(&host) {
                Some(entry) => entry,
                None => hosts.entry(host.clone()).or_default(),
            };
            entry.0 += 1;
            entry.1 = entry.1.max(entry.0);
        }
        Counted { inner, route, host }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.route.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Some(entry) = lock(&self.inner.hosts).get_mut(&self.host) {
            entry.0 = entry.0.saturating_sub(1);
        }
    }
}

struct InFlight<'a>(&'a Inner);

impl<'a> InFlight<'a> {
    fn enter(inner: &'a Inner) -> Self {
        let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
        inner.in_flight_changed.notify_waiters();
        InFlight(inner)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.in_flight_changed.notify_waiters();
    }
}

impl Transport for MockTransport {
    /// Written out rather than as an `async fn`, which would keep the request twice (its
    /// argument and its local) for the whole exchange; the record is boxed too. The future
    /// is then a small allocation for glibc (1 000 bytes or less; 2 024 as an `async fn`),
    /// whose large-allocation path every request through the mock paid.
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<Body>,
    ) -> BoxFuture<'async_trait, Result<http::Response<Body>>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        let timeouts = Timeouts::of(&request);
        let (head, body) = request.into_parts();
        if head.uri.scheme().is_none() || head.uri.authority().is_none() {
            let err = Error::builder(format!(
                "mock got a request without an absolute URL: {}",
                head.uri
            ));
            return Box::pin(async move {
                let _in_flight = InFlight::enter(&self.inner);
                Err(err)
            });
        }
        let mut recorded = Box::new(RecordedRequest::arrived(head.method, head.uri));
        recorded.headers = head.headers;
        Box::pin(self.serve(recorded, body, timeouts))
    }
}

impl MockTransport {
    /// Serves one request: its body read, its route found, its reply given. Not an
    /// `async fn`, for the reason [`send`](Transport::send) gives.
    #[allow(clippy::manual_async_fn)] // the `async fn` it suggests keeps its arguments twice
    fn serve(
        &self,
        mut recorded: Box<RecordedRequest>,
        body: Body,
        timeouts: Timeouts,
    ) -> impl std::future::Future<Output = Result<http::Response<Body>>> + Send + '_ {
        async move {
            let _in_flight = InFlight::enter(&self.inner);
            recorded.body = body.collect(None).await?;
            recorded.arrived = self.inner.created.elapsed();
            recorded.in_flight = self.in_flight();
            let route = self.find(&recorded);
            if let Some(route) = &route {
                recorded.params = route.route.captures(recorded.path());
                recorded.route = Some(route.label());
                recorded.route_id = Some(route.id());
            }
            let slot = self.record(&recorded);
            let Some(route) = route else {
                let err = self.unmatched(&recorded);
                self.finish(slot, || "no route".to_owned());
                return Err(err);
            };
            // Counted by the name as DNS compares it, whatever case the request was sent in.
            let host = recorded.host().to_ascii_lowercase();
            let _counted = Counted::enter(&self.inner, &route, host);
            route.pass_gate().await;
            let reply = route.answer(*recorded).await;
            let result = respond(reply, timeouts).await;
            self.finish(slot, || match &result {
                Ok(response) => response.status().as_u16().to_string(),
                Err(err) => outcome_of(err).to_owned(),
            });
            result
        }
    }
}

impl MockTransport {
    /// Keeps `request` (when recording), returning where.
    fn record(&self, request: &RecordedRequest) -> Option<usize> {
        if !self.inner.recording.load(Ordering::Relaxed) {
            return None;
        }
        let mut recorded = lock(&self.inner.recorded);
        recorded.push(request.clone());
        Some(recorded.len() - 1)
    }

    /// Notes how the request in `slot` ended; `outcome` is only made for a kept request.
    fn finish(&self, slot: Option<usize>, outcome: impl FnOnce() -> String) {
        let Some(slot) = slot else { return };
        if let Some(request) = lock(&self.inner.recorded).get_mut(slot) {
            request.finished = Some(self.inner.created.elapsed());
            request.outcome = Some(outcome());
        }
    }
}

/// A failure's kind, as the log shows it.
fn outcome_of(err: &Error) -> &'static str {
    if err.is_dns() {
        "dns error"
    } else if err.is_tls() {
        "tls error"
    } else if err.is_connect() && err.is_timeout() {
        "connect timeout"
    } else if err.is_connect() {
        "connect error"
    } else if err.is_timeout() {
        "timeout"
    } else if err.is_body() {
        "body error"
    } else {
        "request error"
    }
}

async fn respond(reply: Reply, timeouts: Timeouts) -> Result<http::Response<Body>> {
    if let Some(make) = &reply.custom_error {
        wait_for_server(reply.delay, timeouts).await?;
        return Err(make());
    }
    let mut after = After::End;
    match reply.failure {
        Some(Failure::ConnectionRefused) => {
            return Err(Error::connect("connection refused (mock)"))
        }
        Some(Failure::Dns) => return Err(Error::dns("name does not resolve (mock)")),
        Some(Failure::ConnectTimeout) => {
            tokio::time::sleep(timeouts.connect.unwrap_or(DEFAULT_CONNECT_HANG)).await;
            return Err(Error::connect_timeout("connect timed out (mock)"));
        }
        Some(Failure::Reset) => {
            wait_for_server(reply.delay, timeouts).await?;
            return Err(Error::request("connection reset by peer (mock)"));
        }
        Some(Failure::StaleConnection) => {
            return Err(Error::stale_connection(
                "connection closed before message completed (mock)",
            ))
        }
        Some(Failure::Tls) => {
            return Err(Error::tls("invalid peer certificate: UnknownIssuer (mock)"))
        }
        Some(Failure::Protocol) => {
            wait_for_server(reply.delay, timeouts).await?;
            return Err(Error::request("invalid HTTP version parsed (mock)"));
        }
        Some(Failure::ResetDuringUpload) => {
            return Err(Error::request(
                "connection reset while sending the request body (mock)",
            ))
        }
        Some(Failure::StallAfterHead) => after = After::Stall,
        Some(Failure::BodyCutShort) => after = After::Cut,
        None => {}
    }
    wait_for_server(reply.delay, timeouts).await?;
    let body = MockBody::new(
        reply.chunks,
        reply.chunk_delay,
        reply.reset_after_chunks,
        after,
    );
    let mut response = http::Response::new(Body::wrap(body));
    *response.status_mut() = if reply.failure.is_some() {
        // A failure that still has a head (a stall, a cut) answers 200 unless told.
        http::StatusCode::OK
    } else {
        reply.status
    };
    for (name, value) in reply.headers {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

/// Waits `delay` for the head, or fails when the head limit (the read timeout or the
/// low-speed window, whichever is shorter) passes first, as a real transport does.
async fn wait_for_server(delay: Duration, timeouts: Timeouts) -> Result<()> {
    match timeouts.head_limit() {
        Some(head) if head.limit < delay => {
            tokio::time::sleep(head.limit).await;
            Err(head.error().with_context("mock"))
        }
        _ => {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An exchange's box stays a small allocation for glibc, which serves more than 1 000
    /// bytes from its slow path: 2 024 bytes while `send` was an `async fn` holding the
    /// request twice and its record inline, 840 since (rustc 1.95).
    #[test]
    fn an_exchange_s_future_is_a_small_allocation() {
        let mock = MockTransport::new();
        mock.verify_on_drop(false);
        let request = http::Request::builder()
            .uri("http://api.test/x")
            .body(Body::empty())
            .expect("a request");
        let exchange = mock.send(request);
        let size = std::mem::size_of_val(&*exchange);
        assert!(size <= 1_000, "an exchange's future takes {size} bytes");
    }
}
