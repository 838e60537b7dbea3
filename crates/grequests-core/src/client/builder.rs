use std::sync::Arc;
use std::time::Duration;

use http::header::{
    HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, USER_AGENT,
};
use http::HeaderMap;

use super::cookies::CookieJar;
use super::{redirect, Client, ClientInner, DEFAULT_USER_AGENT};
use crate::limits::{DecodeLimits, LowSpeedLimit, DEFAULT_MAX_BODY_SIZE};
use crate::model::header_pair;
use crate::Transport;
use crate::{Error, Result};

/// Settings for a [`Client`]; like a request, it keeps the first bad input and reports it
/// from [`build`](ClientBuilder::build).
#[must_use]
#[derive(Debug)]
pub struct ClientBuilder {
    transport: Option<Arc<dyn Transport>>,
    headers: HeaderMap,
    cookies: Option<Arc<CookieJar>>,
    redirect: redirect::Policy,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    max_body_size: Option<u64>,
    low_speed: Option<LowSpeedLimit>,
    decode: DecodeLimits,
    error: Option<Error>,
    /// The default backend's settings, used when no transport is chosen.
    #[cfg(feature = "hyper")]
    pub(super) backend: grequests_hyper::HyperTransportBuilder,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// Defaults: a `grequests-rs/VERSION` user agent, a cookie jar, 30 redirects, no
    /// per-wait or total timeout (the hyper backend bounds connecting to 30 s), and the
    /// [limits](crate::limits) that survive a hostile server: bodies buffered up to 64 MiB,
    /// decompression up to 100:1 past 8 MiB, at least 1 KiB received every 60 s.
    pub fn new() -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static(DEFAULT_USER_AGENT));
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        ClientBuilder {
            transport: None,
            headers,
            cookies: Some(Arc::new(CookieJar::new())),
            redirect: redirect::Policy::default(),
            connect_timeout: None,
            read_timeout: None,
            total_timeout: None,
            max_body_size: Some(DEFAULT_MAX_BODY_SIZE),
            low_speed: Some(LowSpeedLimit::default()),
            decode: DecodeLimits::default(),
            error: None,
            #[cfg(feature = "hyper")]
            backend: grequests_hyper::HyperTransportBuilder::new(),
        }
    }

    /// The transport to send requests on.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// A header sent with every request unless the request sets its own. `Authorization`
    /// and `Cookie` follow the request's own credentials: dropped once a redirect leaves
    /// the origin. `Proxy-Authorization` is refused (a builder error): it belongs in the
    /// proxy URL.
    pub fn default_header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        match header_pair(name, value) {
            Ok((name, _)) if name == PROXY_AUTHORIZATION => {
                // A default header goes to every origin; proxy credentials must reach the
                // proxy only (CVE-2023-32681).
                self.error.get_or_insert(Error::builder(
                    "Proxy-Authorization can't be a default header: give the credentials in \
                     the proxy URL (http://user:password@proxy:port), which sends them to the \
                     proxy only",
                ));
            }
            Ok((name, mut value)) => {
                if name == AUTHORIZATION || name == COOKIE {
                    value.set_sensitive(true);
                }
                self.headers.insert(name, value);
            }
            Err(err) => {
                self.error.get_or_insert(err);
            }
        }
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent<V>(self, value: V) -> Self
    where
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.default_header(USER_AGENT, value)
    }

    /// Turns the cookie jar on (default) or off.
    pub fn cookie_store(mut self, enabled: bool) -> Self {
        self.cookies = enabled.then(|| Arc::new(CookieJar::new()));
        self
    }

    /// Uses a jar shared with other clients.
    pub fn cookie_jar(mut self, jar: Arc<CookieJar>) -> Self {
        self.cookies = Some(jar);
        self
    }

    /// The redirect policy.
    pub fn redirect(mut self, policy: redirect::Policy) -> Self {
        self.redirect = policy;
        self
    }

    /// Default connect and read timeouts, as a request's `timeout`.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.connect_timeout(timeout).read_timeout(timeout)
    }

    /// Default connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Default read timeout.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Default limit on a whole exchange, redirects and body included.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// Default limit on the size of a response body read into memory (64 MiB unless set);
    /// `None` removes it. A larger body fails as a [body error](Error::is_body).
    pub fn max_body_size(mut self, bytes: impl Into<Option<u64>>) -> Self {
        self.max_body_size = bytes.into();
        self
    }

    /// Fails a request when fewer than `limit.bytes()` arrive in `limit.window()`, the
    /// wait for the head from a ready connection included (default 1 KiB per 60 s); `None` removes
    /// the guard.
    ///
    /// ```
    /// use std::time::Duration;
    /// use grequests_core::LowSpeedLimit;
    /// let builder = grequests_core::Client::builder()
    ///     .low_speed_limit(LowSpeedLimit::new(10 * 1024, Duration::from_secs(20)));
    /// # drop(builder);
    /// ```
    pub fn low_speed_limit(mut self, limit: impl Into<Option<LowSpeedLimit>>) -> Self {
        self.low_speed = limit.into();
        self
    }

    /// Default limit on a decompressed body (none unless set; a buffered body is bounded
    /// by [`max_body_size`](ClientBuilder::max_body_size) anyway).
    pub fn max_decoded_body_size(mut self, bytes: impl Into<Option<u64>>) -> Self {
        self.decode.max_decoded_size = bytes.into();
        self
    }

    /// The decompression-bomb guard: past 8 MiB decoded, a body may decode to at most
    /// `ratio` times what was received (default 100); `None` removes the guard.
    pub fn max_decompression_ratio(mut self, ratio: impl Into<Option<u32>>) -> Self {
        self.decode.max_ratio = ratio.into();
        self
    }

    /// The client, or the first bad setting as a [builder error](Error::is_builder).
    ///
    /// With no [`transport`](ClientBuilder::transport) chosen, it sends on the default
    /// backend (feature `hyper`); without that feature, that is a builder error.
    pub fn build(mut self) -> Result<Client> {
        if let Some(err) = self.error.take() {
            return Err(err);
        }
        if let Some(transport) = self.transport.take() {
            return Ok(self.finish(transport));
        }
        #[cfg(feature = "hyper")]
        {
            let transport = std::mem::take(&mut self.backend).build()?;
            Ok(self.finish(Arc::new(transport)))
        }
        #[cfg(not(feature = "hyper"))]
        Err(Error::builder(
            "no transport: call ClientBuilder::transport, or turn on the `hyper` feature for the default backend",
        ))
    }

    pub(crate) fn finish(self, transport: Arc<dyn Transport>) -> Client {
        Client {
            inner: Arc::new(ClientInner {
                transport,
                headers: Arc::new(self.headers),
                jar: self.cookies,
                redirect: self.redirect,
                connect_timeout: self.connect_timeout,
                read_timeout: self.read_timeout,
                total_timeout: self.total_timeout,
                max_body_size: self.max_body_size,
                low_speed: self.low_speed,
                decode: self.decode,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(feature = "hyper"))]
    #[test]
    fn without_a_backend_the_build_says_how_to_get_one() {
        let err = ClientBuilder::new().build().err();
        assert!(err.as_ref().is_some_and(Error::is_builder));
        assert!(err.is_some_and(|e| e.to_string().contains("`hyper` feature")));
    }

    #[cfg(feature = "hyper")]
    #[test]
    fn without_a_transport_the_build_uses_the_default_backend() {
        assert!(ClientBuilder::new().build().is_ok());
    }

    #[test]
    fn the_first_bad_setting_wins_over_the_backend() {
        let err = ClientBuilder::new()
            .default_header("x-a", "b\r\nc")
            .build()
            .err();
        assert!(err.is_some_and(|e| e.is_builder()));
    }
}
