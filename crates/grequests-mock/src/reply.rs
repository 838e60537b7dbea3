//! [`Reply`]: what a route answers, or how it fails.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};

/// A failure the mock can produce instead of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The connection is refused: a [connect error](grequests_core::Error::is_connect).
    ConnectionRefused,
    /// The host name does not resolve: a [DNS error](grequests_core::Error::is_dns).
    Dns,
    /// Connecting never finishes: fails when the request's connect timeout elapses, with a
    /// [timeout error](grequests_core::Error::is_timeout) (after 30 s of tokio time if the
    /// request has none).
    ConnectTimeout,
    /// The connection is reset before a response arrives.
    Reset,
    /// The TLS handshake fails (an untrusted certificate): a
    /// [TLS error](grequests_core::Error::is_tls), also a connect error.
    Tls,
    /// The server answers something that is not HTTP: a
    /// [request error](grequests_core::Error::is_request).
    Protocol,
    /// The connection is reset while the request body is being sent, before any response.
    ResetDuringUpload,
    /// The head arrives, then the body never does: the client's read timeout (or its
    /// low-speed limit) ends the request.
    StallAfterHead,
    /// The body stops short of its `Content-Length`: a
    /// [body error](grequests_core::Error::is_body) after the chunks given.
    BodyCutShort,
    /// A pooled connection the server had closed while idle: a
    /// [stale-connection error](grequests_core::Error::is_stale_connection), which the
    /// client sends again once when the method is idempotent.
    StaleConnection,
}

/// A mocked response: status, headers, body, latency; or a [`Failure`].
///
/// ```
/// use std::time::Duration;
/// use grequests_mock::Reply;
/// let slow = Reply::status(200).text("late").delay(Duration::from_secs(2));
/// let flaky_body = Reply::status(200).chunks(["part 1, ", "part 2"]).reset_after_chunks(1);
/// # drop((slow, flaky_body));
/// ```
#[derive(Clone)]
#[must_use]
pub struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) chunks: Vec<Bytes>,
    pub(crate) delay: Duration,
    pub(crate) chunk_delay: Duration,
    pub(crate) reset_after_chunks: Option<usize>,
    pub(crate) failure: Option<Failure>,
    pub(crate) custom_error: Option<ErrorMaker>,
}

pub(crate) type ErrorMaker = std::sync::Arc<dyn Fn() -> grequests_core::Error + Send + Sync>;

impl Reply {
    /// A response with this status and an empty body.
    ///
    /// # Panics
    /// When `code` is not a valid status (100 to 999): a bug in the test, shown where it is.
    #[track_caller]
    pub fn status(code: u16) -> Reply {
        Reply {
            status: StatusCode::from_u16(code)
                .unwrap_or_else(|_| panic!("Reply::status({code}): not an HTTP status")),
            headers: Vec::new(),
            chunks: Vec::new(),
            delay: Duration::ZERO,
            chunk_delay: Duration::ZERO,
            reset_after_chunks: None,
            failure: None,
            custom_error: None,
        }
    }

    /// `200 OK`, empty body.
    pub fn ok() -> Reply {
        Reply::status(200)
    }

    /// A JSON body with `Content-Type: application/json`.
    ///
    /// # Panics
    /// When `json` does not serialise, or `code` is not a status.
    #[track_caller]
    pub fn json<T: serde::Serialize + ?Sized>(code: u16, json: &T) -> Reply {
        let body = serde_json::to_vec(json)
            .unwrap_or_else(|e| panic!("Reply::json: the value does not serialise: {e}"));
        Reply::status(code)
            .header("content-type", "application/json")
            .body(body)
    }

    /// A redirect to `location`.
    #[track_caller]
    pub fn redirect(code: u16, location: &str) -> Reply {
        Reply::status(code).header("location", location)
    }

    /// A failure instead of a response.
    #[track_caller]
    pub fn fail(failure: Failure) -> Reply {
        Reply {
            failure: Some(failure),
            ..Reply::status(500)
        }
    }

    /// Fails with an error of your own making (called once per answer), e.g. to test how
    /// code handles a kind the [`Failure`] catalogue lacks.
    ///
    /// ```
    /// use grequests_mock::Reply;
    /// let reply = Reply::error(|| grequests_core::Error::decode("bad gzip header"));
    /// # drop(reply);
    /// ```
    pub fn error(make: impl Fn() -> grequests_core::Error + Send + Sync + 'static) -> Reply {
        Reply {
            custom_error: Some(std::sync::Arc::new(make)),
            ..Reply::status(500)
        }
    }

    /// Adds a header.
    ///
    /// # Panics
    /// When `name` or `value` is not valid HTTP.
    #[track_caller]
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        let name = HeaderName::try_from(name)
            .unwrap_or_else(|e| panic!("Reply::header: invalid name {name:?}: {e}"));
        let value = HeaderValue::try_from(value)
            .unwrap_or_else(|e| panic!("Reply::header({name}): invalid value {value:?}: {e}"));
        self.headers.push((name, value));
        self
    }

    /// The body, sent in one chunk.
    pub fn body(mut self, body: impl Into<Bytes>) -> Reply {
        self.chunks = vec![body.into()];
        self
    }

    /// A text body with `Content-Type: text/plain; charset=utf-8`.
    pub fn text(self, text: impl Into<String>) -> Reply {
        self.header("content-type", "text/plain; charset=utf-8")
            .body(text.into())
    }

    /// The body, sent as these chunks.
    pub fn chunks<I, B>(mut self, chunks: I) -> Reply
    where
        I: IntoIterator<Item = B>,
        B: Into<Bytes>,
    {
        self.chunks = chunks.into_iter().map(Into::into).collect();
        self
    }

    /// Time until the response head arrives; a request whose read timeout is shorter fails
    /// with a timeout error when it elapses.
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// Time before each body chunk; the read timeout applies to each wait.
    pub fn chunk_delay(mut self, delay: Duration) -> Reply {
        self.chunk_delay = delay;
        self
    }

    /// Resets the connection after sending `n` chunks of the body: reading on fails with a
    /// [body error](grequests_core::Error::is_body).
    pub fn reset_after_chunks(mut self, n: usize) -> Reply {
        self.reset_after_chunks = Some(n);
        self
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.failure {
            Some(failure) => write!(f, "Reply::fail({failure:?})"),
            None => write!(f, "Reply::status({})", self.status.as_u16()),
        }
    }
}
