//! The four backends, each set up to answer the same scenarios.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use grequests::mock::{Failure, MockTransport, Reply, Route};
use grequests::tower::TowerTransport;
use grequests::{Body, Client, Error, HyperTransport, Timeouts};
use grequests_core::transport_fn;
use grequests_testserver::HostileServer;

/// A backend under test: a client, where each scenario lives, and what it holds alive.
pub struct Backend {
    pub client: Client,
    base: String,
    pub refused_url: String,
    pub dns_url: String,
    /// Requests the backend is still working on, where it can tell.
    pub in_flight: Option<Arc<dyn Fn() -> usize + Send + Sync>>,
    _server: Option<HostileServer>,
}

impl Backend {
    /// `/ok` answers 200 "ok"; `/never-answer` never does; `/stall-mid-body` sends 10
    /// bytes of its body, then nothing; `/endless-chunked` is larger than any limit;
    /// `/reset-before-head` resets.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn hyper_transport() -> HyperTransport {
    HyperTransport::builder().no_proxies().build().unwrap()
}

async fn over_sockets(client: Client) -> Backend {
    let server = HostileServer::start().await.unwrap();
    Backend {
        client,
        base: server.url(""),
        refused_url: format!("http://127.0.0.1:{}/", grequests_tests::closed_port()),
        dns_url: "http://nowhere.invalid/ok".to_owned(),
        in_flight: None,
        _server: Some(server),
    }
}

pub async fn hyper() -> Backend {
    over_sockets(Client::with_transport(hyper_transport())).await
}

pub async fn tower() -> Backend {
    let transport = TowerTransport::builder()
        .transport(hyper_transport())
        .max_retries(0)
        .build()
        .unwrap();
    over_sockets(Client::with_transport(transport)).await
}

pub async fn mock() -> Backend {
    let mock = MockTransport::new();
    // The odd-input rule sends requests no route takes, on purpose.
    mock.allow_unmatched();
    mock.route(Route::get("/ok")).reply(Reply::ok().text("ok"));
    mock.route(Route::get("/never-answer"))
        .reply(Reply::ok().delay(Duration::from_secs(3600)));
    mock.route(Route::get("/stall-mid-body"))
        .reply(Reply::fail(Failure::StallAfterHead).body("0123456789"));
    mock.route(Route::get("/endless-chunked"))
        .reply(Reply::ok().chunks(vec![vec![b'x'; 1 << 20]; 128]));
    mock.route(Route::get("/reset-before-head"))
        .reply(Reply::fail(Failure::Reset));
    mock.route(Route::get("/refused"))
        .reply(Reply::fail(Failure::ConnectionRefused));
    mock.route(Route::get("/dns"))
        .reply(Reply::fail(Failure::Dns));
    let counter = mock.clone();
    Backend {
        client: Client::with_transport(mock),
        base: "http://mock.test".to_owned(),
        refused_url: "http://mock.test/refused".to_owned(),
        dns_url: "http://nowhere.invalid/dns".to_owned(),
        in_flight: Some(Arc::new(move || counter.in_flight())),
        _server: None,
    }
}

/// Decrements the count of requests in flight when the exchange ends or is dropped.
struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A transport written as a closure, the way a user would adapt another client: it
/// honours the read timeout as the contract asks.
pub async fn closure() -> Backend {
    let active = Arc::new(AtomicUsize::new(0));
    let counter = active.clone();
    let transport = transport_fn(move |request: http::Request<Body>| {
        active.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(active.clone());
        async move {
            let _guard = guard;
            let read = Timeouts::of(&request).read;
            let respond = |status: u16, body: Body| {
                Ok(http::Response::builder()
                    .status(status)
                    .body(body)
                    .expect("a valid response"))
            };
            match request.uri().path() {
                "/ok" => respond(200, Body::from("ok")),
                "/never-answer" => {
                    let wait = read.unwrap_or(Duration::from_secs(3600));
                    tokio::time::sleep(wait).await;
                    Err(Error::timeout(format!("no response within {wait:?}")))
                }
                "/endless-chunked" => respond(200, Body::from(vec![b'x'; 128 << 20])),
                // Ten bytes, then nothing: the body's time limits are the client's.
                "/stall-mid-body" => {
                    let first = futures_util::stream::iter([Ok::<_, Error>(
                        bytes::Bytes::from_static(b"0123456789"),
                    )]);
                    respond(
                        200,
                        Body::from_stream(first.chain(futures_util::stream::pending())),
                    )
                }
                "/reset-before-head" => Err(Error::request("connection reset")),
                "/refused" => Err(Error::connect("connection refused")),
                "/dns" => Err(Error::dns("no such host")),
                _ => respond(404, Body::empty()),
            }
        }
    });
    Backend {
        client: Client::with_transport(transport),
        base: "http://closure.test".to_owned(),
        refused_url: "http://closure.test/refused".to_owned(),
        dns_url: "http://nowhere.invalid/dns".to_owned(),
        in_flight: Some(Arc::new(move || counter.load(Ordering::SeqCst))),
        _server: None,
    }
}
