//! How [`MockTransport`] serves a request: its body read, its route found and counted,
//! its reply given (or its failure acted out), and its record kept.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use grequests_core::{Body, Error, Result, Timeouts, Transport};

use super::{host_key, HostCount, Inner, MockTransport};
use crate::body::{After, MockBody};
use crate::recorded::RecordedRequest;
use crate::reply::{Failure, Reply};
use crate::route::{lock, RouteState};

/// How long [`Failure::ConnectTimeout`] hangs when the request has no connect timeout.
const DEFAULT_CONNECT_HANG: Duration = Duration::from_secs(30);

/// Counts a request against its route and its host while it is served.
struct Counted<'a> {
    route: &'a RouteState,
    host: Arc<HostCount>,
}

impl<'a> Counted<'a> {
    fn enter(inner: &Inner, route: &'a RouteState, host: &str) -> Self {
        let now = route.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        route.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let host = host_key(host);
        let count = {
            let mut hosts = lock(&inner.hosts);
            // Looked up first: `entry` would take (and so copy) the name on every call.
            match hosts.get(host.as_ref()) {
                Some(count) => count.clone(),
                None => hosts.entry(host.into_owned()).or_default().clone(),
            }
        };
        let now = count.now.fetch_add(1, Ordering::SeqCst) + 1;
        count.max.fetch_max(now, Ordering::SeqCst);
        Counted { route, host: count }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.route.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.host.now.fetch_sub(1, Ordering::SeqCst);
    }
}

struct InFlight<'a>(&'a Inner);

impl<'a> InFlight<'a> {
    fn enter(inner: &'a Inner) -> Self {
        let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
        in_flight_changed(inner);
        InFlight(inner)
    }
}

/// Tells whoever waits on the count in flight that it changed.
fn in_flight_changed(inner: &Inner) {
    if inner.in_flight_watchers.load(Ordering::SeqCst) > 0 {
        inner.in_flight_changed.notify_waiters();
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        in_flight_changed(self.0);
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
            let _counted = Counted::enter(&self.inner, &route, recorded.host());
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

async fn respond(reply: Arc<Reply>, timeouts: Timeouts) -> Result<http::Response<Body>> {
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
    let chunks = || reply.chunks.iter().filter(|chunk| !chunk.is_empty());
    let in_hand = after == After::End
        && reply.reset_after_chunks.is_none()
        && reply.chunk_delay.is_zero()
        && chunks().nth(1).is_none();
    let body = if in_hand {
        // Bytes all there, ending cleanly: a buffered body, as a transport hands over a
        // body it has read whole. A reader sees the same one chunk, then the end.
        chunks()
            .next()
            .cloned()
            .map_or_else(Body::empty, Body::from)
    } else {
        Body::wrap(MockBody::new(
            chunks().cloned().collect(),
            reply.chunk_delay,
            reply.reset_after_chunks,
            after,
        ))
    };
    let mut response = http::Response::new(body);
    *response.status_mut() = if reply.failure.is_some() {
        // A failure that still has a head (a stall, a cut) answers 200 unless told.
        http::StatusCode::OK
    } else {
        reply.status
    };
    for (name, value) in &reply.headers {
        response.headers_mut().append(name.clone(), value.clone());
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
