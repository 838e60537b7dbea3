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
/// HTTP error statuses are *not* errors: a `500` is a [`Response`](crate::Response) (see
/// [`Response::error_for_status`](crate::Response::error_for_status) to turn it into one).
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Builder,
    Connect,
    Dns,
    Tls,
    Timeout,
    Request,
    Redirect,
    Body,
    Decode,
    Status(http::StatusCode),
    Canceled,
    Runtime,
}

impl Error {
    fn new(kind: Kind, source: Option<BoxError>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                url: None,
                context: None,
                source,
                stale: false,
            }),
        }
    }

    /// Bad input: an unparseable URL, a missing scheme, an invalid header, a body that
    /// cannot be serialised.
    pub fn builder(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Builder, Some(source.into()))
    }

    /// The connection could not be established (refused, unreachable, out of sockets).
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Connect, Some(source.into()))
    }

    /// The host name could not be resolved. Also a connect error.
    pub fn dns(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Dns, Some(source.into()))
    }

    /// The TLS handshake failed, e.g. an untrusted certificate. Also a connect error.
    pub fn tls(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Tls, Some(source.into()))
    }

    /// A connect, read or total timeout elapsed, or the batch's `gtimeout` did.
    pub fn timeout(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Timeout, Some(source.into()))
    }

    /// The exchange failed after the connection was made (reset, protocol error), or the
    /// transport refused the request (the mock's unmatched route).
    pub fn request(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Request, Some(source.into()))
    }

    /// The exchange failed on a connection reused from the pool before any byte of the
    /// response arrived: the server most likely closed it while it was idle, as servers do
    /// (Node.js after 5 s). A [request error](Error::is_request) that the client sends
    /// again once, on another connection, when the method is idempotent; transports that
    /// know the request was not written at all retry it themselves, whatever the method.
    pub fn stale_connection(source: impl Into<BoxError>) -> Self {
        let mut err = Self::new(Kind::Request, Some(source.into()));
        err.inner.stale = true;
        err
    }

    /// Too many redirects, or a redirect that cannot be followed.
    pub fn redirect(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Redirect, Some(source.into()))
    }

    /// Reading or writing a body failed, or a body exceeded its size limit.
    pub fn body(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Body, Some(source.into()))
    }

    /// A body could not be decoded (JSON, content encoding).
    pub fn decode(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Decode, Some(source.into()))
    }

    /// The request was canceled before it completed.
    pub fn canceled(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Canceled, Some(source.into()))
    }

    pub(crate) fn status(status: http::StatusCode) -> Self {
        Self::new(Kind::Status(status), None)
    }

    pub(crate) fn runtime(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Runtime, Some(source.into()))
    }

    /// Attaches the URL this error concerns, unless one is already set.
    #[must_use]
    pub fn with_url(mut self, url: Url) -> Self {
        if self.inner.url.is_none() {
            self.inner.url = Some(url);
        }
        self
    }

    /// Adds a note shown before the cause, keeping the kind: e.g. why a failure was not
    /// retried.
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

    /// The connection could not be made; true for DNS and TLS failures as well.
    pub fn is_connect(&self) -> bool {
        matches!(self.inner.kind, Kind::Connect | Kind::Dns | Kind::Tls)
    }

    /// The host name did not resolve.
    pub fn is_dns(&self) -> bool {
        self.inner.kind == Kind::Dns
    }

    /// The TLS handshake failed.
    pub fn is_tls(&self) -> bool {
        self.inner.kind == Kind::Tls
    }

    /// A timeout elapsed: connect, read, total, or the batch's `gtimeout`.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == Kind::Timeout
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

    /// Made by [`Response::error_for_status`](crate::Response::error_for_status).
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
            Kind::Dns => "name did not resolve",
            Kind::Tls => "TLS handshake failed",
            Kind::Timeout => "timed out",
            Kind::Request => "request failed",
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())?;
        if let Kind::Status(code) = self.inner.kind {
            write!(f, " ({code})")?;
        }
        if let Some(url) = &self.inner.url {
            write!(f, " for {url}")?;
        }
        if let Some(context) = &self.inner.context {
            write!(f, " ({context})")?;
        }
        if let Some(source) = &self.inner.source {
            write!(f, ": {source}")?;
        }
        Ok(())
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

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_and_tls_are_connect_errors() {
        assert!(Error::dns("nx").is_connect());
        assert!(Error::tls("bad cert").is_connect());
        assert!(!Error::timeout("t").is_connect());
    }

    #[test]
    fn display_names_kind_url_and_cause() {
        let url = Url::parse("http://example.invalid/x").unwrap_or_else(|e| panic!("{e}"));
        let err = Error::connect("connection refused").with_url(url);
        assert_eq!(
            err.to_string(),
            "connection failed for http://example.invalid/x: connection refused"
        );
        assert!(err.source().is_some());
    }

    #[test]
    fn context_keeps_the_kind() {
        let err = Error::connect("refused").with_context("not retried");
        assert!(err.is_connect());
        assert_eq!(err.to_string(), "connection failed (not retried): refused");
    }

    #[test]
    fn first_url_wins() {
        let a = Url::parse("http://a.invalid/").unwrap_or_else(|e| panic!("{e}"));
        let b = Url::parse("http://b.invalid/").unwrap_or_else(|e| panic!("{e}"));
        let err = Error::body("x").with_url(a.clone()).with_url(b);
        assert_eq!(err.url(), Some(&a));
    }
}
