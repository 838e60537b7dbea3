//! [`HyperTransportBuilder`]: TLS, proxies, DNS overrides, pool and protocol settings.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use grequests_transport::{Error, Result};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::budget::{
    ConnectionBudget, PoolCounters, SweepTimer, DEFAULT_MAX_IDLE, DEFAULT_MAX_IDLE_PER_HOST,
};
use crate::connect::{Accounting, HostSlots, ProxyConnector, Timed};
use crate::dns::{Resolve, Resolver};
use crate::tls::{TlsSettings, TlsVersion};
use crate::transport::{HyperTransport, Inner};

/// The idle timeout given to hyper-util when none is set: longer than any connection
/// lives (a century), so that its pool still sweeps closed connections.
const IDLE_FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Settings for a [`HyperTransport`]. Like the request builder it keeps the first bad input
/// and reports it from [`build`](HyperTransportBuilder::build).
#[must_use]
pub struct HyperTransportBuilder {
    tls: TlsSettings,
    proxies: ProxySettings,
    overrides: HashMap<String, Vec<SocketAddr>>,
    resolver: Option<Arc<dyn Resolve>>,
    connect_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
    pool_max_idle: usize,
    budget: Option<ConnectionBudget>,
    http2_prior_knowledge: bool,
    http1_only: bool,
    max_response_headers: Option<usize>,
    max_header_bytes: Option<usize>,
    decompress: bool,
    decode_limits: grequests_transport::DecodeLimits,
    local_address: Option<IpAddr>,
    interface: Option<String>,
    tcp_keepalive: Option<Duration>,
    http2_keep_alive: Option<(Duration, Duration)>,
    max_connections_per_host: Option<usize>,
    error: Option<Error>,
}

enum ProxySettings {
    FromEnv,
    None,
    Custom(hyper_util::client::proxy::matcher::Builder),
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl HyperTransportBuilder {
    /// The defaults: TLS verification on against the platform's and webpki's roots, proxies from
    /// `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` (as requests' `trust_env`), connections under
    /// the [process's budget](ConnectionBudget::process_default), at most 32 idle per host
    /// and 256 in all, kept 90 s, connecting bounded to 30 s, gzip/deflate/brotli/zstd decoding under the default
    /// [`DecodeLimits`](grequests_transport::DecodeLimits), hyper's header limits.
    pub fn new() -> Self {
        HyperTransportBuilder {
            tls: TlsSettings::new(),
            proxies: ProxySettings::FromEnv,
            overrides: HashMap::new(),
            resolver: None,
            connect_timeout: Some(Duration::from_secs(30)),
            pool_idle_timeout: Some(Duration::from_secs(90)),
            pool_max_idle_per_host: DEFAULT_MAX_IDLE_PER_HOST,
            pool_max_idle: DEFAULT_MAX_IDLE,
            budget: None,
            http2_prior_knowledge: false,
            http1_only: false,
            max_response_headers: None,
            max_header_bytes: None,
            decompress: true,
            decode_limits: grequests_transport::DecodeLimits::default(),
            local_address: None,
            interface: None,
            tcp_keepalive: None,
            http2_keep_alive: None,
            max_connections_per_host: None,
            error: None,
        }
    }

    fn record(mut self, result: Result<()>) -> Self {
        if let Err(err) = result {
            self.error.get_or_insert(err);
        }
        self
    }

    /// Trusts the certificates of a PEM bundle too (requests' `verify='/path/ca.pem'`).
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        let result = self.tls.add_root_pem(pem);
        self.record(result)
    }

    /// Whether to trust the built-in roots (default true): webpki's bundled roots and, unless
    /// [`tls_platform_root_certs(false)`](Self::tls_platform_root_certs), the platform's.
    /// Off, only [added](Self::add_root_certificate_pem) roots count.
    pub fn tls_built_in_root_certs(mut self, enabled: bool) -> Self {
        self.tls.builtin_roots = enabled;
        self
    }

    /// Whether to trust the machine's certificates too (default true), so that a corporate
    /// or private CA installed on it verifies: the platform's store, or the files named by
    /// `SSL_CERT_FILE`/`SSL_CERT_DIR` when set (as OpenSSL and curl read them), plus the
    /// bundles named by requests' `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE`. They are read
    /// once per process and merged with webpki's roots, so a machine without a store still
    /// verifies public sites.
    ///
    /// ```no_run
    /// let transport = grequests_hyper::HyperTransport::builder()
    ///     .tls_platform_root_certs(false) // webpki's roots and added ones only
    ///     .build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn tls_platform_root_certs(mut self, enabled: bool) -> Self {
        self.tls.platform_roots = enabled;
        self
    }

    /// The oldest TLS version accepted (default TLS 1.2; rustls speaks nothing older).
    ///
    /// ```no_run
    /// use grequests_hyper::TlsVersion;
    /// let transport = grequests_hyper::HyperTransport::builder()
    ///     .tls_min_version(TlsVersion::Tls13)
    ///     .build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn tls_min_version(mut self, version: TlsVersion) -> Self {
        self.tls.min_version = Some(version);
        self
    }

    /// Presents a client certificate (mutual TLS, requests' `cert=(cert, key)`), both PEM.
    pub fn identity_pem(mut self, cert_chain: &[u8], private_key: &[u8]) -> Self {
        let result = self.tls.set_identity(cert_chain, private_key);
        self.record(result)
    }

    /// **Turns certificate verification off** (requests' `verify=False`): any certificate,
    /// for any host name, is accepted, so anyone on the path can read and change the
    /// traffic. For tests against self-signed servers only.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.tls.accept_invalid_certs = accept;
        self
    }

    fn custom_proxies(&mut self) -> &mut hyper_util::client::proxy::matcher::Builder {
        if !matches!(self.proxies, ProxySettings::Custom(_)) {
            self.proxies = ProxySettings::Custom(Matcher::builder());
        }
        match &mut self.proxies {
            ProxySettings::Custom(builder) => builder,
            _ => unreachable!("set just above"),
        }
    }

    fn with_proxies(
        mut self,
        edit: impl FnOnce(
            hyper_util::client::proxy::matcher::Builder,
        ) -> hyper_util::client::proxy::matcher::Builder,
    ) -> Self {
        let builder = std::mem::take(self.custom_proxies());
        self.proxies = ProxySettings::Custom(edit(builder));
        self
    }

    /// Sends every request through this proxy: `http://user:pass@host:port`, or SOCKS as
    /// `socks5h://` (the proxy resolves names), `socks5://` (resolved here, overrides
    /// included), `socks4a://` or `socks4://`. Credentials in the URL authenticate to the
    /// proxy only and never appear in an error. Replaces the environment's proxies
    /// (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, which may name SOCKS proxies too). A URL
    /// no connector can use (no host, another scheme) fails [`build`](Self::build) with a
    /// builder error about [`Input::Proxy`](grequests_transport::Input::Proxy), rather than
    /// sending that traffic around the proxy.
    ///
    /// ```no_run
    /// let transport = grequests_hyper::HyperTransport::builder()
    ///     .proxy_all("socks5h://user:password@127.0.0.1:1080")
    ///     .build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn proxy_all(self, proxy_url: &str) -> Self {
        let url = proxy_url.to_owned();
        self.record(crate::connect::proxy_url::check(proxy_url))
            .with_proxies(|b| b.all(url))
    }

    /// Sends `http` requests through this proxy.
    pub fn proxy_http(self, proxy_url: &str) -> Self {
        let url = proxy_url.to_owned();
        self.record(crate::connect::proxy_url::check(proxy_url))
            .with_proxies(|b| b.http(url))
    }

    /// Sends `https` requests through this proxy, in a CONNECT tunnel.
    pub fn proxy_https(self, proxy_url: &str) -> Self {
        let url = proxy_url.to_owned();
        self.record(crate::connect::proxy_url::check(proxy_url))
            .with_proxies(|b| b.https(url))
    }

    /// Hosts that bypass the proxies, in `NO_PROXY` syntax (`localhost,.internal,10.0.0.0/8`).
    pub fn no_proxy(self, hosts: &str) -> Self {
        let hosts = hosts.to_owned();
        self.with_proxies(|b| b.no(hosts))
    }

    /// Ignores proxies, the environment's included (requests' `trust_env=False` for proxies).
    pub fn no_proxies(mut self) -> Self {
        self.proxies = ProxySettings::None;
        self
    }

    /// Resolves `host` to `addr` (its port replaced by the URL's), without asking DNS: the
    /// client's DNS override hook. Names under `.invalid` always fail without asking DNS.
    pub fn resolve(mut self, host: &str, addr: SocketAddr) -> Self {
        self.overrides
            .entry(host.to_ascii_lowercase())
            .or_default()
            .push(addr);
        self
    }

    /// Resolves names with `resolver` instead of the default,
    /// [`CachingResolver::system`](crate::CachingResolver::system) (`getaddrinfo`, answers
    /// kept 30 s). Overrides and `.invalid` names are still answered first.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use grequests_hyper::{CachingResolver, HyperTransport, SystemResolver};
    /// let transport = HyperTransport::builder()
    ///     .dns_resolver(CachingResolver::new(SystemResolver::new(), Duration::from_secs(60)))
    ///     .build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn dns_resolver(mut self, resolver: impl Resolve) -> Self {
        self.resolver = Some(Arc::new(resolver));
        self
    }

    /// Makes `host` fail to resolve, without asking DNS.
    pub fn resolve_nowhere(mut self, host: &str) -> Self {
        self.overrides.insert(host.to_ascii_lowercase(), Vec::new());
        self
    }

    /// The connect timeout of requests that set none (default 30 s; `None`: wait as long
    /// as the operating system does).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long an idle pooled connection is kept (default 90 s; `None`: forever).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections per `scheme://host:port` the pool keeps (default 32;
    /// requests' `pool_maxsize`). One past it is closed once it has been idle for a second,
    /// not as it falls idle: a batch of more than `max` at a time to one origin keeps its
    /// connections. 0 keeps none: each connection closes after its exchange.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// How many idle connections the pool keeps in all, closing the least recently used
    /// past it (default 256).
    ///
    /// ```no_run
    /// let transport = grequests_hyper::HyperTransport::builder()
    ///     .pool_max_idle(64)
    ///     .pool_max_idle_per_host(4)
    ///     .build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn pool_max_idle(mut self, max: usize) -> Self {
        self.pool_max_idle = max;
        self
    }

    /// At most `max` connections open at once, a budget of this transport's own (default:
    /// the [process's budget](ConnectionBudget::process_default), shared by every
    /// transport that sets none). Past it, a new connection first closes the least recently
    /// used idle one; when none is idle, the request waits for one.
    ///
    /// ```no_run
    /// let transport = grequests_hyper::HyperTransport::builder().max_connections(100).build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn max_connections(self, max: usize) -> Self {
        self.connection_budget(ConnectionBudget::new(max))
    }

    /// Counts this transport's connections against `budget`, which other transports may
    /// share (see [`ConnectionBudget`]).
    pub fn connection_budget(mut self, budget: ConnectionBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Speaks HTTP/2 from the first byte, without upgrade or ALPN (h2c for `http://`).
    pub fn http2_prior_knowledge(mut self) -> Self {
        self.http2_prior_knowledge = true;
        self
    }

    /// Never offers HTTP/2 over TLS.
    pub fn http1_only(mut self) -> Self {
        self.http1_only = true;
        self
    }

    /// The most headers a response may have (HTTP/1; default 100).
    pub fn max_response_headers(mut self, max: usize) -> Self {
        self.max_response_headers = Some(max);
        self
    }

    /// The most bytes a response head may take (at least 8192).
    pub fn max_header_bytes(mut self, max: usize) -> Self {
        self.max_header_bytes = Some(max.max(8192));
        self
    }

    /// Whether to ask for and decode gzip, deflate (zlib or raw), brotli and zstd bodies (default true).
    pub fn decompress(mut self, enabled: bool) -> Self {
        self.decompress = enabled;
        self
    }

    /// Connects from this local address (e.g. one of several addresses of a crawler, to
    /// spread its connections).
    ///
    /// ```no_run
    /// let transport = grequests_hyper::HyperTransport::builder()
    ///     .local_address(std::net::Ipv4Addr::new(10, 0, 0, 7).into())
    ///     .build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn local_address(mut self, address: IpAddr) -> Self {
        self.local_address = Some(address);
        self
    }

    /// Connects through this network interface (`SO_BINDTODEVICE` on Linux, which needs
    /// `CAP_NET_RAW`); an interface that does not exist makes every connection fail.
    ///
    /// ```no_run
    /// let transport = grequests_hyper::HyperTransport::builder().interface("eth1").build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn interface(mut self, name: &str) -> Self {
        self.interface = Some(name.to_owned());
        self
    }

    /// Sends TCP keep-alive probes after a connection is idle this long (default: off, the
    /// operating system's setting).
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// let transport = grequests_hyper::HyperTransport::builder()
    ///     .tcp_keepalive(Duration::from_secs(60))
    ///     .build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn tcp_keepalive(mut self, idle: Duration) -> Self {
        self.tcp_keepalive = Some(idle);
        self
    }

    /// Pings HTTP/2 connections every `interval`, idle ones included, and closes one whose
    /// ping is not answered within `timeout` (default: no pings), so a dead peer is found
    /// before a request is lost on it.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// let transport = grequests_hyper::HyperTransport::builder()
    ///     .http2_keep_alive(Duration::from_secs(30), Duration::from_secs(10))
    ///     .build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn http2_keep_alive(mut self, interval: Duration, timeout: Duration) -> Self {
        self.http2_keep_alive = Some((interval, timeout));
        self
    }

    /// At most `max` connections open to each `scheme://host:port` (aiohttp's
    /// `limit_per_host`; default: no cap). Requests past it wait for a connection to fall
    /// idle; that wait counts against neither the connect timeout nor the low-speed guard.
    /// With HTTP/2, one connection carries many requests anyway.
    ///
    /// ```no_run
    /// let transport = grequests_hyper::HyperTransport::builder()
    ///     .max_connections_per_host(6)
    ///     .build()?;
    /// # Ok::<(), grequests_transport::Error>(())
    /// ```
    pub fn max_connections_per_host(mut self, max: usize) -> Self {
        self.max_connections_per_host = Some(max);
        self
    }

    /// The [decompression limits](grequests_transport::DecodeLimits) of requests that carry none
    /// of their own (a `Client` sends its own when they differ
    /// from the defaults): by default 100:1 past 8 MiB decoded, no total cap.
    pub fn decode_limits(mut self, limits: grequests_transport::DecodeLimits) -> Self {
        self.decode_limits = limits;
        self
    }

    /// The transport, or the first bad setting.
    pub fn build(self) -> Result<HyperTransport> {
        if let Some(err) = self.error {
            return Err(err);
        }
        let tls = self.tls.client_config()?;
        let proxies = match self.proxies {
            ProxySettings::FromEnv => Some(Matcher::from_env()),
            ProxySettings::None => None,
            ProxySettings::Custom(builder) => Some(builder.build()),
        }
        .map(Arc::new);

        let inner = self
            .resolver
            .unwrap_or_else(|| Arc::new(crate::CachingResolver::system()));
        let resolver = Resolver::new(self.overrides, inner);
        let mut http = HttpConnector::new_with_resolver(resolver.clone());
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_local_address(self.local_address);
        if let Some(interface) = &self.interface {
            http.set_interface(interface.as_str());
        }
        http.set_keepalive(self.tcp_keepalive);
        let proxy = ProxyConnector::new(http, resolver, proxies.clone());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        let https = if self.http1_only {
            https.enable_http1().wrap_connector(proxy)
        } else {
            https.enable_all_versions().wrap_connector(proxy)
        };

        let counters = Arc::new(PoolCounters::new(
            self.pool_max_idle,
            self.pool_max_idle_per_host,
        ));
        let mut pool = PooledClient::builder(TokioExecutor::new());
        pool.timer(TokioTimer::new())
            .pool_timer(SweepTimer::new(counters.closed.clone()))
            // With no idle timeout hyper-util runs no sweep at all, and closed connections
            // stay listed; a timeout no connection outlives keeps the sweep.
            .pool_idle_timeout(self.pool_idle_timeout.unwrap_or(IDLE_FOREVER))
            // The registry applies the per-origin cap once a connection has settled (see
            // `PoolCounters::max_idle_per_origin`); hyper-util applies only "none".
            .pool_max_idle_per_host(if self.pool_max_idle_per_host == 0 {
                0
            } else {
                usize::MAX
            })
            .http2_only(self.http2_prior_knowledge);
        if let Some(max) = self.max_response_headers {
            pool.http1_max_headers(max);
        }
        if let Some(max) = self.max_header_bytes {
            pool.http1_max_buf_size(max);
            pool.http2_max_header_list_size(u32::try_from(max).unwrap_or(u32::MAX));
        }
        if let Some((interval, timeout)) = self.http2_keep_alive {
            pool.http2_keep_alive_interval(interval)
                .http2_keep_alive_timeout(timeout)
                .http2_keep_alive_while_idle(true);
        }
        let slots = self
            .max_connections_per_host
            .map(|max| Arc::new(HostSlots::new(max)));
        let budget = self
            .budget
            .unwrap_or_else(ConnectionBudget::process_default);
        let accounting = Accounting {
            budget: budget.clone(),
            pool: counters.clone(),
            http2_only: self.http2_prior_knowledge,
        };
        let client = pool.build(Timed::new(https, self.connect_timeout, slots, accounting));
        Ok(HyperTransport::from_inner(Inner {
            client,
            budget,
            counters,
            proxies,
            decompress: self.decompress,
            http2_only: self.http2_prior_knowledge,
            decode_limits: self.decode_limits,
        }))
    }
}

impl std::fmt::Debug for HyperTransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransportBuilder")
            .field(
                "danger_accept_invalid_certs",
                &self.tls.accept_invalid_certs,
            )
            .field("http2_prior_knowledge", &self.http2_prior_knowledge)
            .finish_non_exhaustive()
    }
}
