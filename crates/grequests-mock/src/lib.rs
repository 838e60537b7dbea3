//! An in-memory [`Transport`](grequests_core::Transport) for testing code that uses
//! grequests: no sockets, no ports, deterministic.
//!
//! - [`Route`]s match on method, host, path (exact, prefix or a `/users/{id}` template whose
//!   captures reach the responder), query (present or absent), headers, basic and bearer
//!   credentials, the body, JSON (equal or including), or a rule of your own.
//! - A request that matches no route fails as [`Error::is_no_route`](grequests_core::Error::is_no_route)
//!   (never retried), with the request and, route by route, the first matcher that failed:
//!   what it expected and what it got ([`Route::explain`]).
//! - No silent passes: expectations (`expect(3)`, `expect(1..=3)`, `never()`) and unmatched
//!   requests are checked by [`MockTransport::verify`] and again when the last handle to
//!   the mock drops.
//! - [`Reply`]s carry a status, headers and a body or JSON; a route can answer with a
//!   sequence (`503, 503, 200`) or an async closure.
//! - Latency runs on tokio's clock, so under `tokio::time::pause()` a test with a one-minute
//!   delay finishes at once, and the request's connect and read timeouts apply to it.
//! - Failures on demand: connection refused, DNS failure, connect timeout, a reset in the
//!   middle of a body.
//! - Every request is recorded; the most requests ever in flight at once is measured.
//!
//! ```
//! use grequests_mock::{MockTransport, Reply, Route};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockTransport::new();
//! mock.route(Route::get("/users/1")).reply(Reply::json(200, &serde_json::json!({"id": 1})))
//!     .expect(1);
//! let client = mock.client();
//! let response = client.get("http://api.test/users/1").send().await.expect("mocked");
//! assert_eq!(response.status(), 200);
//! mock.verify().expect("every expectation met");
//! # }
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod gate;
mod matcher;
mod recorded;
mod reply;
mod route;
mod transport;

pub use gate::Gate;
pub use matcher::Route;
pub use recorded::RecordedRequest;
pub use reply::{Failure, Reply};
pub use route::{RouteHandle, Times};
pub use transport::{MockTransport, ScopedRoute};
