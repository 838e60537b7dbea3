//! The one error type of grequests, classified by kind.
//!
//! Like hyper's and reqwest's errors, [`Error`] is a small handle around a boxed private
//! `Inner { kind, url, source }`. Callers ask it questions ([`Error::is_timeout`],
//! [`Error::is_connect`], …) instead of parsing its `Display` text, which is not a contract.

use std::error::Error as StdError;
use std::fmt;

use url::Url;

/// A boxed error from a lower layer, kept as the [`source`](StdError::source) of an [`Error`].
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// The error of a request that could not be built, sent, or read.
///
/// HTTP error statuses are *not* errors: a `500` is a response (the core's
/// `Response::error_for_status` turns it into one).
///
/// ```
/// let err = grequests_core::Error::timeout("read timed out");
/// assert!(err.is_timeout());
/// assert!(!err.is_connect());
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: Kind,
    url: Option<Url>,
    context: Option<String>,
    source: Option<BoxError>,
    /// A failure on a reused connection before any byte of the response: see
    /// [`Error::stale_connection`].
    stale: bool,
    /// Which input a [builder error](Error::is_builder) is about, when it is known.
    input: Option<Input>,
}

/// The input a [builder error](Error::is_builder) is about: what a caller (the Python
/// package mapping errors onto requests' classes, a form pointing at a field) needs to know
/// besides the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// The URL, or the query parameters added to it.
    Url,
    /// The URL's scheme, which no backend sends (`ftp://…`, or `localhost:8080/` read as
    /// the scheme `localhost`).
    Scheme,
    /// The URL has no scheme at all (`example.com/`).
    MissingScheme,
    /// The method.
    Method,
    /// A header's name or value.
    Header,
    /// A cookie's name or value.
    Cookie,
    /// The body: a form, JSON, a multipart part.
    Body,
    /// A TLS file or its content: a CA bundle, a client certificate or key that can't be
    /// read or holds no valid PEM.
    Tls,
    /// A proxy's URL: malformed, without a host, or of a scheme no connector speaks.
    Proxy,
    /// A timeout that is no duration (negative, not a number), as a caller converting
    /// seconds reports it.
    Timeout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Builder,
    Connect,
    ConnectTimeout,
    Dns,
    Tls,
    Proxy,
    Timeout,
    Request,
    NoRoute,
    Redirect,
    Body,
    Decode,
    Status(http::StatusCode),
    Canceled,
    Runtime,
}

impl Error {
    fn new(kind: Kind, cause: Cause) -> Self {
        let (context, source) = match cause.0 {
            CauseKind::Message(message) => (Some(message), None),
            CauseKind::Source(source) => (None, Some(source)),
            CauseKind::None => (None, None),
        };
        Error {
            inner: Box::new(Inner {
                kind,
                url: None,
                context,
                source,
                stale: false,
                input: None,
            }),
        }
    }

    /// Bad input: an unparseable URL, a missing scheme, an invalid header, a body that
    /// cannot be serialised.
    pub fn builder(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Builder, cause.into())
    }

    /// Bad input, and which: `Error::invalid(Input::Header, "…")` is a
    /// [builder error](Error::is_builder) whose [`invalid_input`](Error::invalid_input) is
    /// `Some(Input::Header)`.
    ///
    /// ```
    /// use grequests_core::{Error, Input};
    /// let err = Error::invalid(Input::Cookie, "a cookie value with a control character");
    /// assert!(err.is_builder());
    /// assert_eq!(err.invalid_input(), Some(Input::Cookie));
    /// ```
    pub fn invalid(input: Input, cause: impl Into<Cause>) -> Self {
        let mut error = Self::new(Kind::Builder, cause.into());
        error.inner.input = Some(input);
        error
    }

    /// The connection could not be established (refused, unreachable, out of sockets).
    pub fn connect(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Connect, cause.into())
    }

    /// Connecting took longer than the connect timeout: both a
    /// [connect error](Error::is_connect) (the request never reached the server) and a
    /// [timeout](Error::is_timeout).
    pub fn connect_timeout(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::ConnectTimeout, cause.into())
    }

    /// The proxy could not be reached, refused the tunnel or its credentials. Also a
    /// connect error.
    pub fn proxy(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Proxy, cause.into())
    }

    /// The host name could not be resolved. Also a connect error.
    pub fn dns(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Dns, cause.into())
    }

    /// The TLS handshake failed, e.g. an untrusted certificate. Also a connect error.
    pub fn tls(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Tls, cause.into())
    }

    /// A connect, read or total timeout elapsed, or the batch's `gtimeout` did.
    pub fn timeout(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Timeout, cause.into())
    }

    /// The exchange failed after the connection was made (reset, protocol error), or the
    /// transport refused the request (the mock's unmatched route).
    pub fn request(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Request, cause.into())
    }

    /// The exchange failed on a connection reused from the pool before any byte of the
    /// response arrived: the server most likely closed it while it was idle, as servers do
    /// (Node.js after 5 s). A [request error](Error::is_request) that the client sends
    /// again once, on another connection, when the method is idempotent; transports that
    /// know the request was not written at all retry it themselves, whatever the method.
    pub fn stale_connection(cause: impl Into<Cause>) -> Self {
        let mut err = Self::new(Kind::Request, cause.into());
        err.inner.stale = true;
        err
    }

    /// A transport that dispatches requests by rule (the mock, a router) has no rule for
    /// this one: a mistake in a test or a configuration, which no retry can fix.
    pub fn no_route(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::NoRoute, cause.into())
    }

    /// Too many redirects, or a redirect that cannot be followed.
    pub fn redirect(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Redirect, cause.into())
    }

    /// Reading or writing a body failed, or a body exceeded its size limit.
    pub fn body(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Body, cause.into())
    }

    /// A body could not be decoded (JSON, content encoding).
    pub fn decode(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Decode, cause.into())
    }

    /// The request was canceled before it completed.
    pub fn canceled(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Canceled, cause.into())
    }

    /// An HTTP error status turned into an error ([`is_status`](Error::is_status)).
    pub fn status(status: http::StatusCode) -> Self {
        Self::new(Kind::Status(status), Cause(CauseKind::None))
    }

    /// No usable async runtime: the request could not start
    /// ([`is_runtime`](Error::is_runtime)).
    pub fn runtime(cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Runtime, cause.into())
    }

    /// Attaches the URL this error concerns, unless one is already set.
    #[must_use]
    pub fn with_url(mut self, url: Url) -> Self {
        if self.inner.url.is_none() {
            self.inner.url = Some(url);
        }
        self
    }

    /// Adds a note to this level's context, shown by `Display` before any earlier one,
    /// keeping the kind: e.g. why a failure was not retried.
    #[must_use]
    pub fn with_context(mut self, context: impl fmt::Display) -> Self {
        let context = match self.inner.context.take() {
            Some(old) => format!("{context}: {old}"),
            None => context.to_string(),
        };
        self.inner.context = Some(context);
        self
    }

    /// The URL this error concerns, when known.
    pub fn url(&self) -> Option<&Url> {
        self.inner.url.as_ref()
    }

    /// Bad input, found while building the request.
    pub fn is_builder(&self) -> bool {
        self.inner.kind == Kind::Builder
    }

    /// For a [builder error](Error::is_builder), which input was bad, when it is known.
    pub fn invalid_input(&self) -> Option<Input> {
        self.inner.input
    }

    /// The connection could not be made; true for DNS and TLS failures as well.
    pub fn is_connect(&self) -> bool {
        matches!(
            self.inner.kind,
            Kind::Connect | Kind::ConnectTimeout | Kind::Dns | Kind::Tls | Kind::Proxy
        )
    }

    /// The proxy failed: unreachable, refused the tunnel, or refused the credentials.
    pub fn is_proxy(&self) -> bool {
        self.inner.kind == Kind::Proxy
    }

    /// The host name did not resolve.
    pub fn is_dns(&self) -> bool {
        self.inner.kind == Kind::Dns
    }

    /// The TLS handshake failed.
    pub fn is_tls(&self) -> bool {
        self.inner.kind == Kind::Tls
    }

    /// A timeout elapsed: connect, read, total, low-speed, or the batch's `gtimeout`.
    pub fn is_timeout(&self) -> bool {
        matches!(self.inner.kind, Kind::Timeout | Kind::ConnectTimeout)
    }

    /// The exchange failed after connecting.
    pub fn is_request(&self) -> bool {
        self.inner.kind == Kind::Request
    }

    /// Made by [`Error::stale_connection`]: failed on a reused connection before the
    /// response started.
    pub fn is_stale_connection(&self) -> bool {
        self.inner.stale
    }

    /// Made by [`Error::no_route`]: no rule of the transport matched the request.
    pub fn is_no_route(&self) -> bool {
        self.inner.kind == Kind::NoRoute
    }

    /// A redirect could not be followed (too many, or a body that cannot be replayed).
    pub fn is_redirect(&self) -> bool {
        self.inner.kind == Kind::Redirect
    }

    /// A body could not be read or exceeded its limit.
    pub fn is_body(&self) -> bool {
        self.inner.kind == Kind::Body
    }

    /// A body could not be decoded.
    pub fn is_decode(&self) -> bool {
        self.inner.kind == Kind::Decode
    }

    /// Made by the core's `Response::error_for_status`.
    pub fn is_status(&self) -> bool {
        matches!(self.inner.kind, Kind::Status(_))
    }

    /// The request was canceled.
    pub fn is_canceled(&self) -> bool {
        self.inner.kind == Kind::Canceled
    }

    /// The blocking API was misused, e.g. called from inside an async runtime, or the async
    /// API was driven outside of a tokio runtime.
    pub fn is_runtime(&self) -> bool {
        self.inner.kind == Kind::Runtime
    }

    /// The status of an error made by `error_for_status`.
    pub fn status_code(&self) -> Option<http::StatusCode> {
        match self.inner.kind {
            Kind::Status(code) => Some(code),
            _ => None,
        }
    }

    fn describe(&self) -> &'static str {
        match self.inner.kind {
            Kind::Builder => "invalid request",
            Kind::Connect => "connection failed",
            Kind::ConnectTimeout => "connect timed out",
            Kind::Proxy => "proxy failed",
            Kind::Dns => "name did not resolve",
            Kind::Tls => "TLS handshake failed",
            Kind::Timeout => "timed out",
            Kind::Request => "request failed",
            Kind::NoRoute => "no route for the request",
            Kind::Redirect => "redirect failed",
            Kind::Body => "body error",
            Kind::Decode => "decode error",
            Kind::Status(code) if code.is_client_error() => "HTTP status client error",
            Kind::Status(_) => "HTTP status server error",
            Kind::Canceled => "request canceled",
            Kind::Runtime => "runtime error",
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("grequests::Error");
        d.field("kind", &self.inner.kind);
        if let Some(url) = &self.inner.url {
            d.field("url", &url.as_str());
        }
        if let Some(context) = &self.inner.context {
            d.field("context", context);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl Error {
    /// This level's text: its kind, status, URL and context. The cause is reached through
    /// `source()`, so that anyhow and eyre reports, which print the chain, show each cause
    /// once.
    fn write_level(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        out.write_str(self.describe())?;
        if let Kind::Status(code) = self.inner.kind {
            write!(out, " ({code})")?;
        }
        if let Some(url) = &self.inner.url {
            write!(out, " for {url}")?;
        }
        if let Some(context) = &self.inner.context {
            write!(out, ": {context}")?;
        }
        Ok(())
    }
}

/// `{}` shows this level only; `{:#}` (anyhow's convention) shows it followed by each cause
/// not already in the text, joined by `: `, for a message that must stand alone (a record
/// in a file, a Python exception).
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return self.write_level(f);
        }
        let mut message = String::new();
        self.write_level(&mut message)?;
        let mut cause = self.source();
        while let Some(level) = cause {
            let text = level.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            cause = level.source();
        }
        f.write_str(&message)
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|e| &**e as &(dyn StdError + 'static))
    }
}

/// What an [`Error`] constructor is given: a message, which becomes this level's context
/// (shown by `Display`), or a lower-level error, which becomes its
/// [`source`](StdError::source) (not shown by `Display`, as in hyper and reqwest).
///
/// ```
/// use std::error::Error as _;
/// let message = grequests_core::Error::timeout("no data for 5s");
/// assert_eq!(message.to_string(), "timed out: no data for 5s");
/// assert!(message.source().is_none());
///
/// let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
/// let caused = grequests_core::Error::connect(io);
/// assert_eq!(caused.to_string(), "connection failed");
/// assert_eq!(caused.source().map(|s| s.to_string()).as_deref(), Some("refused"));
/// ```
#[derive(Debug)]
pub struct Cause(CauseKind);

#[derive(Debug)]
enum CauseKind {
    Message(String),
    Source(BoxError),
    None,
}

impl From<&str> for Cause {
    fn from(message: &str) -> Self {
        Cause(CauseKind::Message(message.to_owned()))
    }
}

impl From<String> for Cause {
    fn from(message: String) -> Self {
        Cause(CauseKind::Message(message))
    }
}

impl From<BoxError> for Cause {
    fn from(source: BoxError) -> Self {
        Cause(CauseKind::Source(source))
    }
}

impl From<std::io::Error> for Cause {
    fn from(source: std::io::Error) -> Self {
        Cause(CauseKind::Source(Box::new(source)))
    }
}

impl From<Error> for Cause {
    fn from(source: Error) -> Self {
        Cause(CauseKind::Source(Box::new(source)))
    }
}

impl Cause {
    /// Any error as the cause.
    pub fn source(source: impl StdError + Send + Sync + 'static) -> Self {
        Cause(CauseKind::Source(Box::new(source)))
    }
}

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_combine() {
        assert!(Error::dns("nx").is_connect());
        assert!(Error::tls("bad cert").is_connect());
        assert!(!Error::timeout("t").is_connect());
        let connect_timeout = Error::connect_timeout("30s");
        assert!(connect_timeout.is_connect() && connect_timeout.is_timeout());
        let proxy = Error::proxy("407");
        assert!(proxy.is_proxy() && proxy.is_connect() && !proxy.is_timeout());
        assert!(!Error::connect("refused").is_proxy());
    }

    #[test]
    fn display_names_kind_url_and_cause() {
        let url = Url::parse("http://example.invalid/x").unwrap_or_else(|e| panic!("{e}"));
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let err = Error::connect(refused).with_url(url.clone());
        assert_eq!(
            err.to_string(),
            "connection failed for http://example.invalid/x"
        );
        assert_eq!(
            err.source().map(ToString::to_string).as_deref(),
            Some("refused")
        );
        let err = Error::timeout("no data for 5s").with_url(url);
        assert_eq!(
            err.to_string(),
            "timed out for http://example.invalid/x: no data for 5s"
        );
        assert!(err.source().is_none());
    }

    #[test]
    fn the_alternate_form_adds_each_cause_once() {
        let refused = || std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(
            format!("{:#}", Error::connect(refused())),
            "connection failed: refused"
        );
        // A context that already quotes its cause does not repeat it.
        let err = Error::connect(refused()).with_context("gave up: refused");
        assert_eq!(format!("{err:#}"), "connection failed: gave up: refused");
        let timeout = Error::timeout("no data for 5s");
        assert_eq!(format!("{timeout:#}"), timeout.to_string());
    }

    #[test]
    fn context_keeps_the_kind() {
        let err = Error::connect("refused").with_context("not retried");
        assert!(err.is_connect());
        assert_eq!(err.to_string(), "connection failed: not retried: refused");
    }

    #[test]
    fn first_url_wins() {
        let a = Url::parse("http://a.invalid/").unwrap_or_else(|e| panic!("{e}"));
        let b = Url::parse("http://b.invalid/").unwrap_or_else(|e| panic!("{e}"));
        let err = Error::body("x").with_url(a.clone()).with_url(b);
        assert_eq!(err.url(), Some(&a));
    }
}
