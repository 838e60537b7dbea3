//! The default backend (feature `hyper`): [`Client::new`], and the connection settings of
//! grequests-hyper on [`ClientBuilder`], applied when no other transport is chosen.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use grequests_hyper::{ConnectionBudget, Resolve, TlsVersion};

use super::{Client, ClientBuilder};
use crate::{async_trait, Body, Error, Result, Transport};

impl Client {
    /// A client on the default backend (hyper, rustls) with the default policy: cookies
    /// kept, 30 redirects, TLS verified, the [limits](crate::limits) on.
    ///
    /// ```no_run
    /// # #[tokio::main] async fn main() {
    /// let client = grequests_core::Client::new();
    /// let requests = (1..=3).map(|i| client.get(format!("http://127.0.0.1:8080/anything/{i}")));
    /// let responses = grequests_core::map(requests).size(2).await;
    /// # drop(responses);
    /// # }
    /// ```
    pub fn new() -> Client {
        Client::builder().build().unwrap_or_else(refusing)
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

/// A client whose every request fails with `err`. Default settings cannot be invalid; should
/// the backend still refuse (no usable TLS roots, say), requests fail with the reason instead
/// of the program panicking.
pub(crate) fn refusing(err: Error) -> Client {
    Client::with_transport(Refusing(Arc::new(err)))
}

struct Refusing(Arc<Error>);

#[async_trait]
impl Transport for Refusing {
    async fn send(&self, _request: http::Request<Body>) -> Result<http::Response<Body>> {
        Err(Error::builder(format!(
            "the HTTP backend could not be set up: {}",
            self.0
        )))
    }
}

macro_rules! backend_options {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        $(#[$doc])*
        ///
        /// A setting of the default backend: unused when [`transport`](ClientBuilder::transport)
        /// chooses another.
        #[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
        pub fn $name(mut self, $($arg: $ty),*) -> Self {
            self.backend = self.backend.$name($($arg),*);
            self
        }
    )*};
}

impl ClientBuilder {
    backend_options! {
        /// Trusts the certificates of a PEM bundle too.
        add_root_certificate_pem(pem: &[u8]);
        /// Whether the built-in roots (webpki's, and the platform's) are trusted
        /// (default true).
        tls_built_in_root_certs(enabled: bool);
        /// Whether the machine's certificates are trusted too (default true): its store, or
        /// `SSL_CERT_FILE`/`SSL_CERT_DIR`, plus `REQUESTS_CA_BUNDLE`/`CURL_CA_BUNDLE`.
        tls_platform_root_certs(enabled: bool);
        /// The oldest TLS version accepted (default TLS 1.2).
        tls_min_version(version: TlsVersion);
        /// A client certificate and key, PEM (mutual TLS).
        identity_pem(cert_chain: &[u8], private_key: &[u8]);
        /// **Turns certificate verification off** (requests' `verify=False`). Tests only.
        danger_accept_invalid_certs(accept: bool);
        /// Sends every request through this proxy: `http://`, or SOCKS (`socks5h://`,
        /// `socks5://`, `socks4a://`, `socks4://`).
        proxy_all(proxy_url: &str);
        /// Sends `http` requests through this proxy.
        proxy_http(proxy_url: &str);
        /// Sends `https` requests through this proxy (CONNECT).
        proxy_https(proxy_url: &str);
        /// Hosts that bypass the proxies (`NO_PROXY` syntax).
        no_proxy(hosts: &str);
        /// Ignores proxies, the environment's included.
        no_proxies();
        /// Resolves `host` to `addr` without DNS: the DNS override hook.
        resolve(host: &str, addr: SocketAddr);
        /// Makes `host` fail to resolve, without DNS.
        resolve_nowhere(host: &str);
        /// How long idle pooled connections are kept.
        pool_idle_timeout(timeout: Option<Duration>);
        /// How many idle connections per `scheme://host:port` are kept (default 32).
        pool_max_idle_per_host(max: usize);
        /// How many idle connections are kept in all, the least recently used closed first
        /// (default 256).
        pool_max_idle(max: usize);
        /// At most `max` connections open at once, a budget of this client's own (default:
        /// the process's, from the soft `RLIMIT_NOFILE`; see
        /// [`ConnectionBudget`](grequests_hyper::ConnectionBudget)).
        max_connections(max: usize);
        /// Counts this client's connections against `budget`, which other clients may share.
        connection_budget(budget: ConnectionBudget);
        /// HTTP/2 from the first byte (h2c for `http://`).
        http2_prior_knowledge();
        /// Never offers HTTP/2.
        http1_only();
        /// The most headers a response may have.
        max_response_headers(max: usize);
        /// The most bytes a response head may take.
        max_header_bytes(max: usize);
        /// Connects from this local address.
        local_address(address: IpAddr);
        /// Connects through this network interface (Linux, `SO_BINDTODEVICE`).
        interface(name: &str);
        /// TCP keep-alive probes after this much idle time (default: the OS's).
        tcp_keepalive(idle: Duration);
        /// HTTP/2 pings every `interval`; a connection whose ping is not answered within
        /// `timeout` is closed.
        http2_keep_alive(interval: Duration, timeout: Duration);
        /// At most `max` connections open per `scheme://host:port` (default: no cap).
        max_connections_per_host(max: usize);
        /// Whether to ask for and decode gzip, deflate (zlib or raw), brotli and zstd
        /// (default true).
        decompress(enabled: bool);
    }

    /// Resolves names with `resolver` instead of the default
    /// ([`CachingResolver::system`](grequests_hyper::CachingResolver::system): `getaddrinfo`,
    /// answers kept 30 s); overrides are still answered first.
    ///
    /// A setting of the default backend: unused when [`transport`](ClientBuilder::transport)
    /// chooses another.
    #[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
    pub fn dns_resolver(mut self, resolver: impl Resolve) -> Self {
        self.backend = self.backend.dns_resolver(resolver);
        self
    }
}
