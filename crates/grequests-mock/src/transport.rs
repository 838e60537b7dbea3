//! [`MockTransport`]: routes requests to replies, in memory.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use grequests_core::{Body, Client, Error, Result, Timeouts, Transport};
use http::{HeaderMap, Method};
use url::Url;

use crate::body::MockBody;
use crate::matcher::Route;
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
    routes: Mutex<Vec<Arc<RouteState>>>,
    recording: AtomicBool,
    recorded: Mutex<Vec<RecordedRequest>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A request the mock received, body included.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: Url,
    /// The headers as sent, the client's defaults and cookies included.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Default for MockTransport {
    fn default() -> Self {
        MockTransport {
            inner: Arc::new(Inner {
                routes: Mutex::default(),
                recording: AtomicBool::new(true),
                recorded: Mutex::default(),
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
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

    /// A client that sends on this mock, with the default policy.
    pub fn client(&self) -> Client {
        Client::with_transport(self.clone())
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.recorded).clone()
    }

    /// Requests being served right now.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// The most requests ever served at once.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight.load(Ordering::SeqCst)
    }

    /// Checks every route's expectation; the error lists each one unmet.
    pub fn verify(&self) -> std::result::Result<(), String> {
        let unmet: Vec<String> = lock(&self.inner.routes)
            .iter()
            .filter_map(|route| route.unmet())
            .collect();
        if unmet.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "mock expectations not met:\n  {}",
                unmet.join("\n  ")
            ))
        }
    }

    /// [`verify`](MockTransport::verify), panicking with its message: for tests.
    #[track_caller]
    pub fn assert_expectations(&self) {
        if let Err(message) = self.verify() {
            panic!("{message}");
        }
    }

    fn find(&self, request: &RecordedRequest) -> Option<Arc<RouteState>> {
        lock(&self.inner.routes)
            .iter()
            .find(|route| route.route.matches(request))
            .cloned()
    }

    fn unmatched(&self, request: &RecordedRequest) -> Error {
        let routes = lock(&self.inner.routes);
        let known = if routes.is_empty() {
            "no routes are registered".to_owned()
        } else {
            let list: Vec<String> = routes.iter().map(|r| r.route.to_string()).collect();
            format!("routes: {}", list.join("; "))
        };
        Error::request(format!(
            "no mock route matches {} {} ({known})",
            request.method, request.url
        ))
    }
}

struct InFlight<'a>(&'a Inner);

impl<'a> InFlight<'a> {
    fn enter(inner: &'a Inner) -> Self {
        let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(inner)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl Transport for MockTransport {
    async fn send(&self, request: http::Request<Body>) -> Result<http::Response<Body>> {
        let _in_flight = InFlight::enter(&self.inner);
        let timeouts = Timeouts::of(&request);
        let (head, body) = request.into_parts();
        let url = Url::parse(&head.uri.to_string()).map_err(|e| {
            Error::builder(format!("mock got a request without an absolute URL: {e}"))
        })?;
        let recorded = RecordedRequest {
            method: head.method,
            url,
            headers: head.headers,
            body: body.collect(None).await?,
        };
        if self.inner.recording.load(Ordering::Relaxed) {
            lock(&self.inner.recorded).push(recorded.clone());
        }
        let route = self
            .find(&recorded)
            .ok_or_else(|| self.unmatched(&recorded))?;
        let reply = route.answer(recorded).await;
        respond(reply, timeouts).await
    }
}

async fn respond(reply: Reply, timeouts: Timeouts) -> Result<http::Response<Body>> {
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
        None => {}
    }
    wait_for_server(reply.delay, timeouts).await?;
    let body = MockBody::new(
        reply.chunks,
        reply.chunk_delay,
        timeouts.read,
        reply.reset_after_chunks,
    );
    let mut response = http::Response::new(Body::wrap(body));
    *response.status_mut() = reply.status;
    for (name, value) in reply.headers {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

/// Waits `delay` for the response head, or fails when the read timeout comes first.
/// Waits `delay` for the head, or fails when the head limit (the read timeout or the
/// low-speed window, whichever is shorter) passes first, as a real transport does.
async fn wait_for_server(delay: Duration, timeouts: Timeouts) -> Result<()> {
    match timeouts.head_limit() {
        Some((limit, error)) if limit < delay => {
            tokio::time::sleep(limit).await;
            Err(error.with_context("mock"))
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
