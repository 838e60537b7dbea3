//! The default grequests backend: a [`Transport`](grequests_transport::Transport) on hyper 1.x
//! through hyper-util's pooled client, with TLS by rustls (ring).
//!
//! - HTTP/1.1 keep-alive and HTTP/2 (ALPN over TLS, or prior knowledge for h2c); one pool
//!   per transport, shared by its clones.
//! - Connect, read (per wait, head and body chunks) and total timeouts, per request.
//! - TLS verification on by default against the platform's roots (or `SSL_CERT_FILE`,
//!   `SSL_CERT_DIR`, `REQUESTS_CA_BUNDLE`) merged with webpki's; extra roots, a minimum
//!   version, client certificates, and a loudly named switch to turn verification off.
//! - HTTP proxies (CONNECT for https) and SOCKS4/4a/5/5h proxies, from the builder or from
//!   `ALL_PROXY`/`HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` as requests and curl read them.
//! - gzip, deflate (zlib or raw), brotli and zstd decoding, at most five chained encodings,
//!   under the decompression-bomb guard; limits on response header count and size.
//! - Errors classified: DNS, connect (and connect timeout), TLS, proxy, timeout, request,
//!   body, decode, stale pooled connection.
//!
//! Most users get it through the `grequests` facade's default `hyper` feature.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod budget;
mod builder;
mod connect;
mod decode;
mod deflate;
mod dns;
mod error;
mod head_limit;
mod host;
mod tls;
mod transport;

pub use budget::{ConnectionBudget, DEFAULT_MAX_IDLE, DEFAULT_MAX_IDLE_PER_HOST};
pub use builder::HyperTransportBuilder;
pub use connect::ConnectTimeout;
#[cfg(feature = "hickory")]
#[cfg_attr(docsrs, doc(cfg(feature = "hickory")))]
pub use dns::HickoryResolver;
pub use dns::{
    CachingResolver, DnsError, Resolve, Resolving, SystemResolver, DEFAULT_DNS_CACHE_HOSTS,
    DEFAULT_DNS_TTL,
};
pub use grequests_transport::PoolStatus;
pub use tls::TlsVersion;
pub use transport::HyperTransport;
