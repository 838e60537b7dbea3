//! [`Response`]: status, headers, final URL, redirect history and body.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, SET_COOKIE};
use http::{Extensions, HeaderMap, StatusCode, Version};
use serde::de::DeserializeOwned;
use url::Url;

use super::head::RequestHead;
use super::headers::Headers;
use crate::{Body, Error, ReasonPhrase, Result};

/// The answer to a request. HTTP error statuses are responses too: check
/// [`ok`](Response::ok) or call [`error_for_status`](Response::error_for_status).
///
/// Its `Debug` form is the one grequests users know: `<Response [200]>`.
pub struct Response {
    /// Boxed: a response passes through a dozen frames on its way to the caller (the
    /// chain, the driver's queue, the engine, the stream), and inline each move copied
    /// its 400 bytes. One allocation is cheaper than those copies.
    pub(crate) inner: Box<Fields>,
}

/// What a [`Response`] holds.
pub(crate) struct Fields {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: Headers,
    /// Lifted out of the extensions, where the transport reports it: an extensions map
    /// holding one value costs more than the address.
    pub(crate) remote_addr: Option<std::net::SocketAddr>,
    pub(crate) extensions: Extensions,
    pub(crate) history: Vec<Response>,
    pub(crate) elapsed: Duration,
    pub(crate) content: Content,
    pub(crate) request: RequestHead,
}

pub(crate) enum Content {
    Buffered(Bytes),
    Streaming(Body),
}

impl Response {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// `true` for a status below 400, as requests' `Response.ok`.
    pub fn ok(&self) -> bool {
        self.inner.status.as_u16() < 400
    }

    /// The reason phrase the server sent (`599 UNKNOWN` gives `"UNKNOWN"`), or the
    /// status' canonical one (`"Not Found"`) when it sent the canonical phrase or none
    /// (HTTP/2 has none); empty for an unknown code without one.
    pub fn reason(&self) -> &str {
        match self.inner.extensions.get::<ReasonPhrase>() {
            Some(reason) => reason.as_str(),
            None => self.inner.status.canonical_reason().unwrap_or(""),
        }
    }

    /// The HTTP version of the response.
    pub fn version(&self) -> Version {
        self.inner.version
    }

    /// The headers; look-ups ignore case.
    ///
    /// A response kept by [`map`](crate::map) holds its headers in a dense form (one
    /// buffer and offsets, a fifth of a `HeaderMap`'s memory), and builds this map the
    /// first time it is asked for. [`header`](Response::header),
    /// [`header_all`](Response::header_all) and [`header_pairs`](Response::header_pairs)
    /// read either form without building it.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers.map()
    }

    /// A header's first value as text, if present and visible ASCII; see
    /// [`header_all`](Response::header_all) for a repeated header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers.texts(name).next()
    }

    /// Every value of a header, in the order received, each as text when it is visible
    /// ASCII (requests joins them with `", "`: `header_all(n).join(", ")`).
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.inner.headers.texts(name).collect()
    }

    /// Every header as its lowercase name and its value's bytes, the values of a repeated
    /// name in the order received, without building [`headers`](Response::headers)'s map.
    ///
    /// ```
    /// let response = grequests_core::Response::from(
    ///     http::Response::builder().header("X-Id", "7").body("").unwrap(),
    /// );
    /// assert_eq!(response.header_pairs().collect::<Vec<_>>(), [("x-id", &b"7"[..])]);
    /// ```
    pub fn header_pairs(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.inner.headers.pairs()
    }

    /// The address of the server (or proxy) the response came from, when the transport
    /// knows it (it reports a [`RemoteAddr`](crate::RemoteAddr), which the response keeps
    /// here rather than in its [`extensions`](Response::extensions)).
    pub fn remote_addr(&self) -> Option<std::net::SocketAddr> {
        self.inner.remote_addr
    }

    /// Values the transport attached to the response, e.g. the number of attempts made.
    pub fn extensions(&self) -> &Extensions {
        &self.inner.extensions
    }

    /// Mutable access to the extensions.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.inner.extensions
    }

    /// The final URL, after redirects.
    pub fn url(&self) -> &Url {
        self.inner.request.url.url()
    }

    /// The final URL's text, as `url().as_str()` gives it, without making the [`Url`] when
    /// the request was sent as written (a URL already in the form the parser gives back
    /// is sent without a parse, and [`url`](Response::url) parses it on first use, about
    /// 6 000 instructions).
    pub fn url_string(&self) -> String {
        self.inner.request.url.to_string()
    }

    /// The redirect responses followed to get here, oldest first. Their bodies are not kept.
    pub fn history(&self) -> &[Response] {
        &self.inner.history
    }

    /// Takes the redirect responses out of this one, oldest first, leaving its history
    /// empty: for handing them on without a copy (a binding that wraps each in an object of
    /// its own).
    pub fn take_history(&mut self) -> Vec<Response> {
        std::mem::take(&mut self.inner.history)
    }

    /// Time from sending the first request to receiving this response's head (and its
    /// body, unless streaming).
    pub fn elapsed(&self) -> Duration {
        self.inner.elapsed
    }

    /// The request this response answers (the last one sent, after redirects).
    pub fn request(&self) -> &RequestHead {
        &self.inner.request
    }

    /// Whether this is a redirect with a `Location` header.
    pub fn is_redirect(&self) -> bool {
        self.inner.status.is_redirection()
            && self
                .inner
                .headers
                .get_all(http::header::LOCATION.as_str())
                .next()
                .is_some()
    }

    /// The name of the character encoding [`text`](Response::text) decodes with: the
    /// `charset` of `Content-Type` when it names a known encoding, otherwise UTF-8.
    pub fn encoding(&self) -> &'static str {
        self.encoding_rs().name()
    }

    fn encoding_rs(&self) -> &'static encoding_rs::Encoding {
        self.inner
            .headers
            .texts(CONTENT_TYPE.as_str())
            .next()
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .and_then(|m| {
                m.get_param(mime::CHARSET)
                    .and_then(|c| encoding_rs::Encoding::for_label(c.as_str().as_bytes()))
            })
            .unwrap_or(encoding_rs::UTF_8)
    }

    /// The length of the body read into memory; 0 for a streamed response.
    pub(crate) fn buffered_len(&self) -> u64 {
        match &self.inner.content {
            Content::Buffered(bytes) => bytes.len() as u64,
            Content::Streaming(_) => 0,
        }
    }

    /// The body, if it was read (not a [streamed](crate::RequestBuilder::stream) response).
    pub fn bytes(&self) -> Result<Bytes> {
        match &self.inner.content {
            Content::Buffered(bytes) => Ok(bytes.clone()),
            Content::Streaming(_) => Err(Error::body(
                "the body of a streamed response is read with chunk() or buffer()",
            )
            .with_url(self.inner.request.url.url().clone())),
        }
    }

    /// The body decoded as text with [`encoding`](Response::encoding); invalid sequences
    /// become U+FFFD.
    pub fn text(&self) -> Result<String> {
        let bytes = self.bytes()?;
        let (text, _, _) = self.encoding_rs().decode(&bytes);
        Ok(text.into_owned())
    }

    /// The body parsed as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        let bytes = self.bytes()?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::decode(crate::Cause::source(e)).with_url(self.inner.request.url.url().clone())
        })
    }

    /// The cookies this response sets (its `Set-Cookie` headers that parse).
    pub fn cookies(&self) -> Vec<cookie::Cookie<'static>> {
        self.inner
            .headers
            .texts(SET_COOKIE.as_str())
            .filter_map(|v| cookie::Cookie::parse(v.to_owned()).ok())
            .collect()
    }

    /// The next chunk of a streamed body; `Ok(None)` at its end. On a response whose body
    /// was read already, yields that body once.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        match &mut self.inner.content {
            Content::Streaming(body) => body.chunk().await,
            Content::Buffered(bytes) if bytes.is_empty() => Ok(None),
            Content::Buffered(bytes) => Ok(Some(std::mem::take(bytes))),
        }
    }

    /// The body as a stream of chunks (requests' `iter_content`), consuming the response.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// # async fn run(client: grequests_core::Client) -> grequests_core::Result<()> {
    /// let response = client.get("http://127.0.0.1:8080/stream/20").stream(true).send().await?;
    /// let mut chunks = std::pin::pin!(response.bytes_stream());
    /// while let Some(chunk) = chunks.next().await {
    ///     println!("{} bytes", chunk?.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn bytes_stream(self) -> impl futures_core::Stream<Item = Result<Bytes>> + Send {
        futures_util::stream::unfold(Some(self), |state| async move {
            let mut response = state?;
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                Ok(None) => None,
                Err(error) => Some((Err(error), None)),
            }
        })
    }

    /// Reads the rest of a streamed body into memory (at most `limit` bytes), so that
    /// [`text`](Response::text), [`json`](Response::json) and [`bytes`](Response::bytes) work.
    pub async fn buffer(&mut self, limit: Option<u64>) -> Result<()> {
        if let Content::Streaming(body) = &mut self.inner.content {
            let body = std::mem::take(body);
            let bytes = body
                .collect(limit)
                .await
                .map_err(|e| e.with_url(self.inner.request.url.url().clone()))?;
            self.inner.content = Content::Buffered(bytes);
        }
        Ok(())
    }

    /// Turns a 4xx or 5xx response into a [status error](Error::is_status) (requests'
    /// `raise_for_status`).
    pub fn error_for_status(self) -> Result<Response> {
        self.error_for_status_ref()?;
        Ok(self)
    }

    /// Like [`error_for_status`](Response::error_for_status), borrowing.
    pub fn error_for_status_ref(&self) -> Result<&Response> {
        if self.inner.status.is_client_error() || self.inner.status.is_server_error() {
            Err(Error::status(self.inner.status).with_url(self.inner.request.url.url().clone()))
        } else {
            Ok(self)
        }
    }
}

impl Response {
    /// The response whose head is `head`, answering `request` after `elapsed`, with no
    /// history yet: the one way a `Response` is made.
    pub(crate) fn answering(
        mut head: http::response::Parts,
        content: Content,
        request: RequestHead,
        elapsed: Duration,
    ) -> Self {
        let remote_addr = head
            .extensions
            .remove::<crate::RemoteAddr>()
            .map(|addr| addr.0);
        if head.extensions.is_empty() {
            // What the transport took out (its connection's tag, the address) leaves an
            // empty map allocated: a few hundred bytes per response kept.
            head.extensions = Extensions::new();
        }
        Response {
            inner: Box::new(Fields {
                status: head.status,
                version: head.version,
                headers: Headers::new(head.headers),
                remote_addr,
                extensions: head.extensions,
                history: Vec::new(),
                elapsed,
                content,
                request,
            }),
        }
    }

    /// The body as the transport gave it, taken out to be read or drained; the response is
    /// left with no content until the reader puts what it read back.
    pub(crate) fn take_unread_body(&mut self) -> Body {
        match std::mem::replace(&mut self.inner.content, Content::Buffered(Bytes::new())) {
            Content::Streaming(body) => body,
            Content::Buffered(bytes) => Body::from(bytes),
        }
    }

    /// Puts its headers, and its history's, in the dense form: for a response kept until
    /// its batch ends.
    pub(crate) fn keep(&mut self) {
        self.inner.headers.make_dense();
        for hop in &mut self.inner.history {
            hop.keep();
        }
    }

    /// The same response, reporting `url` as its URL (and its request's).
    #[must_use]
    pub fn with_url(mut self, url: Url) -> Self {
        self.inner.request.url = url.into();
        self
    }
}

/// A response made by hand, e.g. the stand-in an exception handler puts in place of a
/// failure (grequests' `exception_handler=lambda r, e: value`). Its URL is `about:blank`
/// until [`with_url`](Response::with_url) says otherwise; its request is a `GET`.
///
/// ```
/// let stand_in = grequests_core::Response::from(http::Response::new("cached copy"));
/// assert_eq!(stand_in.status(), 200);
/// assert_eq!(stand_in.text().unwrap(), "cached copy");
/// ```
impl<B: Into<Body>> From<http::Response<B>> for Response {
    fn from(response: http::Response<B>) -> Self {
        let (parts, body) = response.into_parts();
        let content = match body.into().try_into_bytes() {
            Ok(bytes) => Content::Buffered(bytes),
            Err(streaming) => Content::Streaming(streaming),
        };
        // A constant that always parses.
        let url = Url::parse("about:blank").expect("about:blank is a URL");
        let request = RequestHead::new(
            http::Method::GET,
            url.into(),
            HeaderMap::new(),
            Default::default(),
        );
        Response::answering(parts, content, request, Duration::ZERO)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Response [{}]>", self.inner.status.as_u16())
    }
}
