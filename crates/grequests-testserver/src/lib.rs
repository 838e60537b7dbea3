//! An httpbin in-process: a hyper server on an ephemeral loopback port, HTTP/1.1 and HTTP/2
//! (h2c by prior knowledge, h2 by ALPN over TLS), answering with httpbin.org's JSON shapes.
//!
//! It is the fixture of grequests' real-socket tests, its demo and its benchmarks, and runs
//! as a binary (`grequests-testserver --port 8080`) for anyone who wants a local httpbin.
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> std::io::Result<()> {
//! let server = grequests_testserver::TestServer::start().await?;
//! println!("try {}", server.url("/get?hello=world"));
//! # Ok(()) }
//! ```
//!
//! Endpoints: `/get /post /put /patch /delete /anything`, `/status/{codes}` (one picked at
//! random from a comma list), `/delay/{seconds}`, `/headers`, `/user-agent`, `/ip`,
//! `/cookies`, `/cookies/set`, `/cookies/delete`, `/redirect/{n}`,
//! `/relative-redirect/{n}`, `/absolute-redirect/{n}`, `/redirect-to?url=&status_code=`,
//! `/basic-auth/{user}/{passwd}`, `/bearer`, `/bytes/{n}`, `/stream/{n}`, `/drip`,
//! `/gzip`, `/deflate`, `/deflate-raw`, `/brotli`, `/zstd`, `/response-headers`,
//! `/robots.txt` (everything but `/deny`).

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod dns;
mod hostile;
mod multipart;
mod proxy;
pub mod python;
mod request;
mod routes;
mod server;
mod socks;
mod tls;

pub use dns::TestDns;
pub use hostile::{HostileServer, MAX_BYTES, MAX_CONNECTION_TIME, PATHS as HOSTILE_PATHS};
pub use proxy::{ProxiedRequest, TestProxy};
pub use python::PythonEnv;
pub use server::{TestServer, TestServerBuilder};
pub use socks::{SocksRequest, TestSocksProxy};
