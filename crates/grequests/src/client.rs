//! [`Client`] and [`ClientBuilder`] on the backend the cargo features chose.

use std::ops::Deref;
use std::time::Duration;

use grequests_core::http::header::{HeaderName, HeaderValue};
use grequests_core::{redirect, Result, Transport};

/// The session: requests' `Session`, on the default backend unless told otherwise.
///
/// Cloning is cheap and shares the connection pool and the cookie jar. It dereferences to
/// the core's [`grequests_core::Client`], which has the request verbs:
///
/// ```no_run
/// # #[tokio::main] async fn main() {
/// let client = grequests::Client::new();
/// let requests = (1..=3).map(|i| client.get(format!("http://127.0.0.1:8080/anything/{i}")));
/// let responses = grequests::map(requests).size(2).await;
/// # drop(responses);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: grequests_core::Client,
}

impl Client {
    /// A client on the default backend (`hyper`), with the default policy: cookies kept,
    /// 30 redirects, TLS verified.
    #[cfg(feature = "hyper")]
    pub fn new() -> Client {
        Client::builder().build().unwrap_or_else(|err| {
            // Default settings cannot be invalid; should the backend still refuse, every
            // request fails with its reason instead of the program panicking.
            Client::with_transport(Refusing(std::sync::Arc::new(err)))
        })
    }

    /// Settings for a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client on any transport, e.g. the mock, with the default policy.
    pub fn with_transport(transport: impl Transport) -> Client {
        Client {
            inner: grequests_core::Client::with_transport(transport),
        }
    }
}

#[cfg(feature = "hyper")]
impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Deref for Client {
    type Target = grequests_core::Client;

    fn deref(&self) -> &grequests_core::Client {
        &self.inner
    }
}

impl From<Client> for grequests_core::Client {
    fn from(client: Client) -> Self {
        client.inner
    }
}

impl From<grequests_core::Client> for Client {
    fn from(inner: grequests_core::Client) -> Self {
        Client { inner }
    }
}

/// The client behind the module-level verbs (`grequests::get`, …). It keeps no cookies
/// between requests, like grequests' per-call sessions; use a [`Client`] for a session.
#[cfg(feature = "hyper")]
pub(crate) fn shared() -> &'static Client {
    static SHARED: std::sync::OnceLock<Client> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        Client::builder()
            .cookie_store(false)
            .build()
            .unwrap_or_else(|err| Client::with_transport(Refusing(std::sync::Arc::new(err))))
    })
}

/// Settings for a [`Client`]: the core's policy, plus the default backend's connection
/// settings when the `hyper` feature is on.
#[must_use]
#[derive(Debug)]
pub struct ClientBuilder {
    core: grequests_core::ClientBuilder,
    #[cfg(feature = "hyper")]
    hyper: grequests_hyper::HyperTransportBuilder,
}

macro_rules! core_options {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, $($arg: $ty),*) -> Self {
            self.core = self.core.$name($($arg),*);
            self
        }
    )*};
}

#[cfg(feature = "hyper")]
macro_rules! hyper_options {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, $($arg: $ty),*) -> Self {
            self.hyper = self.hyper.$name($($arg),*);
            self
        }
    )*};
}

impl ClientBuilder {
    fn new() -> Self {
        ClientBuilder {
            core: grequests_core::ClientBuilder::new(),
            #[cfg(feature = "hyper")]
            hyper: grequests_hyper::HyperTransportBuilder::new(),
        }
    }

    /// Sends on `transport` instead of the default backend (the backend settings of this
    /// builder are then unused).
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.core = self.core.transport(transport);
        self
    }

    /// A header sent with every request unless the request sets its own.
    pub fn default_header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<grequests_core::http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<grequests_core::http::Error>,
    {
        self.core = self.core.default_header(name, value);
        self
    }

    /// The `User-Agent` header (default `grequests-rs/VERSION`).
    pub fn user_agent<V>(mut self, value: V) -> Self
    where
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<grequests_core::http::Error>,
    {
        self.core = self.core.user_agent(value);
        self
    }

    core_options! {
        /// Turns the cookie jar on (default) or off.
        cookie_store(enabled: bool);
        /// The redirect policy (default: follow up to 30).
        redirect(policy: redirect::Policy);
        /// Default connect and read timeouts, as a request's `timeout`.
        timeout(timeout: Duration);
        /// Default connect timeout (30 s unless set).
        connect_timeout(timeout: Duration);
        /// Default read timeout: each wait for the server.
        read_timeout(timeout: Duration);
        /// Default limit on a whole exchange, a streamed body included until it is read
        /// or dropped.
        total_timeout(timeout: Duration);
    }

    /// Default limit on a response body read into memory (64 MiB unless set); `None`
    /// removes it.
    pub fn max_body_size(mut self, bytes: impl Into<Option<u64>>) -> Self {
        self.core = self.core.max_body_size(bytes);
        self
    }

    /// Fails a request when fewer than `limit.bytes()` arrive in `limit.window()`, the wait
    /// for the head from a ready connection included (default 1 KiB per 60 s); `None` removes
    /// the guard.
    pub fn low_speed_limit(
        mut self,
        limit: impl Into<Option<grequests_core::LowSpeedLimit>>,
    ) -> Self {
        self.core = self.core.low_speed_limit(limit);
        self
    }

    /// Fails a response whose decoded body grows past `bytes` (none unless set).
    pub fn max_decoded_body_size(mut self, bytes: impl Into<Option<u64>>) -> Self {
        self.core = self.core.max_decoded_body_size(bytes);
        self
    }

    /// The decompression-bomb guard: past 8 MiB decoded, at most `ratio` decoded bytes per
    /// received byte (default 100); `None` removes it.
    pub fn max_decompression_ratio(mut self, ratio: impl Into<Option<u32>>) -> Self {
        self.core = self.core.max_decompression_ratio(ratio);
        self
    }

    #[cfg(feature = "hyper")]
    hyper_options! {
        /// Trusts the certificates of a PEM bundle too.
        add_root_certificate_pem(pem: &[u8]);
        /// Whether the built-in roots (webpki's, and the platform's) are trusted
        /// (default true).
        tls_built_in_root_certs(enabled: bool);
        /// Whether the machine's certificates are trusted too (default true): its store, or
        /// `SSL_CERT_FILE`/`SSL_CERT_DIR`, plus `REQUESTS_CA_BUNDLE`/`CURL_CA_BUNDLE`.
        tls_platform_root_certs(enabled: bool);
        /// The oldest TLS version accepted (default TLS 1.2).
        tls_min_version(version: grequests_hyper::TlsVersion);
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
        resolve(host: &str, addr: std::net::SocketAddr);
        /// Makes `host` fail to resolve, without DNS.
        resolve_nowhere(host: &str);
        /// How long idle pooled connections are kept.
        pool_idle_timeout(timeout: Option<Duration>);
        /// How many idle connections per host are kept.
        pool_max_idle_per_host(max: usize);
        /// HTTP/2 from the first byte (h2c for `http://`).
        http2_prior_knowledge();
        /// Never offers HTTP/2.
        http1_only();
        /// The most headers a response may have.
        max_response_headers(max: usize);
        /// The most bytes a response head may take.
        max_header_bytes(max: usize);
        /// Connects from this local address.
        local_address(address: std::net::IpAddr);
        /// Connects through this network interface (Linux, `SO_BINDTODEVICE`).
        interface(name: &str);
        /// TCP keep-alive probes after this much idle time (default: the OS's).
        tcp_keepalive(idle: Duration);
        /// HTTP/2 pings every `interval`; a connection whose ping is not answered within
        /// `timeout` is closed.
        http2_keep_alive(interval: Duration, timeout: Duration);
        /// At most `max` connections open per `scheme://host:port` (default: no cap).
        max_connections_per_host(max: usize);
        /// Whether to ask for and decode gzip, deflate (zlib or raw), brotli and zstd (default true).
        decompress(enabled: bool);
    }

    /// Resolves names with `resolver` (e.g. a [`CachingResolver`](crate::CachingResolver))
    /// instead of the system's `getaddrinfo`; overrides are still answered first.
    #[cfg(feature = "hyper")]
    pub fn dns_resolver(mut self, resolver: impl grequests_hyper::Resolve) -> Self {
        self.hyper = self.hyper.dns_resolver(resolver);
        self
    }

    /// The client, or the first bad setting as a [builder error](grequests_core::Error::is_builder).
    pub fn build(self) -> Result<Client> {
        #[cfg(feature = "hyper")]
        if !self.core.has_transport() {
            let transport = self.hyper.build()?;
            return self.core.build_with(transport).map(Client::from);
        }
        self.core.build().map(Client::from)
    }
}

/// Stands in for a backend that could not be built: every request fails with its reason.
#[cfg(feature = "hyper")]
struct Refusing(std::sync::Arc<grequests_core::Error>);

#[cfg(feature = "hyper")]
#[grequests_core::async_trait]
impl Transport for Refusing {
    async fn send(
        &self,
        _request: grequests_core::http::Request<grequests_core::Body>,
    ) -> Result<grequests_core::http::Response<grequests_core::Body>> {
        Err(grequests_core::Error::builder(format!(
            "the HTTP backend could not be set up: {}",
            self.0
        )))
    }
}
