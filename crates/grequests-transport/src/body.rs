//! [`Body`]: the one body type for requests and responses, buffered or streaming.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http_body::{Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use http_body_util::BodyExt;

use crate::{BoxError, Error, Result};

/// Bodies up to this size are copied out of the transport's buffers when collected.
const SMALL_BODY: usize = 4096;

/// A request or response body: either bytes in memory (cheap to clone, so a redirect or a
/// retry can send it again) or a stream of chunks (sent once).
///
/// ```
/// use grequests_core::Body;
/// let body = Body::from("hello");
/// assert_eq!(body.as_bytes(), Some(&b"hello"[..]));
/// assert!(body.try_clone().is_some());
/// ```
pub struct Body {
    kind: Kind,
}

/// Two words: every request is moved through hyper's dispatch (its channel, its callback,
/// hyper-util's retry of a canceled request) a dozen times as an `http::Request<Body>`, and
/// the 40 bytes an inline `Bytes` took were copied each time. A buffered body's bytes are
/// boxed instead (one small allocation for a request that has a body; none without one).
enum Kind {
    Full(Option<Box<Bytes>>),
    Streaming(BoxBody<Bytes, Error>),
}

impl Body {
    /// A body with no bytes.
    pub fn empty() -> Self {
        Body {
            kind: Kind::Full(None),
        }
    }

    /// Wraps any [`http_body::Body`], e.g. hyper's `Incoming`. Its errors become
    /// [body errors](Error::is_body) unless they already are a grequests [`Error`].
    pub fn wrap<B>(body: B) -> Self
    where
        B: http_body::Body + Send + Sync + 'static,
        B::Data: Into<Bytes>,
        B::Error: Into<BoxError>,
    {
        Body {
            kind: Kind::Streaming(BoxBody::new(IntoBytes { inner: body })),
        }
    }

    /// A streaming body from a stream of chunks, sent with chunked transfer encoding. The
    /// stream need not be `Sync` (a `futures::stream::BoxStream` will do): it is only ever
    /// polled through `&mut`.
    pub fn from_stream<S, D, E>(stream: S) -> Self
    where
        S: Stream<Item = std::result::Result<D, E>> + Send + 'static,
        D: Into<Bytes>,
        E: Into<BoxError>,
    {
        let stream = sync_wrapper::SyncStream::new(stream);
        Body::wrap(http_body_util::StreamBody::new(StreamFrames { stream }))
    }

    /// The bytes of a buffered body; `None` for a streaming one.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::Full(Some(bytes)) => Some(bytes.as_ref()),
            Kind::Full(None) => Some(&[]),
            Kind::Streaming(_) => None,
        }
    }

    /// A copy of a buffered body; `None` for a streaming body, which can be read only once.
    pub fn try_clone(&self) -> Option<Body> {
        match &self.kind {
            Kind::Full(bytes) => Some(Body {
                kind: Kind::Full(bytes.clone()),
            }),
            Kind::Streaming(_) => None,
        }
    }

    /// The bytes of a buffered body without a copy; a streaming body is handed back.
    pub fn try_into_bytes(self) -> std::result::Result<Bytes, Body> {
        match self.kind {
            Kind::Full(bytes) => Ok(bytes.map(|b| *b).unwrap_or_default()),
            Kind::Streaming(_) => Err(self),
        }
    }

    /// Whether this body is a stream (not replayable).
    pub fn is_streaming(&self) -> bool {
        matches!(self.kind, Kind::Streaming(_))
    }

    /// Reads the next chunk of data; `Ok(None)` at the end. Trailers are skipped.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        next_chunk(self).await
    }

    /// Reads the whole body into memory; more than `limit` bytes is a [body error](Error::is_body).
    ///
    /// Not an `async fn`, which would keep the body twice, as its argument and as the
    /// local it moves it into (rust-lang/rust#62958): every buffered response awaits this.
    #[allow(clippy::manual_async_fn)] // the `async fn` it suggests is the copy said above
    pub fn collect(mut self, limit: Option<u64>) -> impl Future<Output = Result<Bytes>> + Send {
        async move {
            if let Kind::Full(bytes) = &mut self.kind {
                let bytes = bytes.take().map(|b| *b).unwrap_or_default();
                check_limit(bytes.len() as u64, limit)?;
                return Ok(bytes);
            }
            read_to_end(self, limit).await
        }
    }

    /// Reads and discards at most `cap` bytes (errors included), so that the connection the
    /// body arrived on can be reused; for bodies nobody reads, such as a redirect's.
    pub async fn drain(mut self, cap: u64) {
        let mut seen = 0u64;
        while seen <= cap {
            match self.chunk().await {
                Ok(Some(chunk)) => seen += chunk.len() as u64,
                _ => return,
            }
        }
    }
}

/// The next non-empty chunk of data of `body`; `Ok(None)` at its end. Trailers are skipped.
async fn next_chunk<B>(body: &mut B) -> Result<Option<Bytes>>
where
    B: http_body::Body<Data = Bytes, Error = Error> + Unpin,
{
    loop {
        match body.frame().await {
            None => return Ok(None),
            Some(Err(e)) => return Err(e),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if !data.is_empty() {
                        return Ok(Some(data));
                    }
                }
            }
        }
    }
}

/// Reads `body` to its end into one `Bytes`, failing past `limit` bytes: what
/// [`Body::collect`] does with a stream, for any body of this crate's frames (a
/// [`GuardedBody`](crate::limits::GuardedBody) is read this way without being boxed into a
/// `Body` first). Not an `async fn`, for the reason [`Body::collect`] gives.
#[allow(clippy::manual_async_fn)] // the `async fn` would keep `body` twice
pub(crate) fn read_to_end<B>(
    mut body: B,
    limit: Option<u64>,
) -> impl Future<Output = Result<Bytes>> + Send
where
    B: http_body::Body<Data = Bytes, Error = Error> + Unpin + Send,
{
    async move {
        // A declared Content-Length over the limit fails before any byte is read.
        check_limit(body.size_hint().lower(), limit)?;
        let mut first: Option<Bytes> = None;
        let mut rest = BytesMut::new();
        let mut total: u64 = 0;
        while let Some(chunk) = next_chunk(&mut body).await? {
            total += chunk.len() as u64;
            check_limit(total, limit)?;
            match &first {
                None => first = Some(chunk),
                Some(head) => {
                    if rest.is_empty() {
                        rest.extend_from_slice(head);
                    }
                    rest.extend_from_slice(&chunk);
                }
            }
        }
        Ok(match first {
            // A small chunk is usually a slice of the connection's read buffer: copied, it
            // stops pinning kilobytes of buffer per response in a large batch.
            Some(head) if rest.is_empty() && head.len() <= SMALL_BODY => {
                Bytes::copy_from_slice(&head)
            }
            Some(head) if rest.is_empty() => head,
            Some(_) => rest.freeze(),
            None => Bytes::new(),
        })
    }
}

fn check_limit(total: u64, limit: Option<u64>) -> Result<()> {
    match limit {
        Some(limit) if total > limit => Err(Error::body(format!(
            "body is larger than the limit of {limit} bytes (max_body_size)"
        ))),
        _ => Ok(()),
    }
}

fn into_body_error(err: BoxError) -> Error {
    match err.downcast::<Error>() {
        Ok(err) => *err,
        Err(other) => Error::body(other),
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Full(bytes) => f
                .debug_struct("Body")
                .field("len", &bytes.as_ref().map_or(0, |b| b.len()))
                .finish(),
            Kind::Streaming(_) => f.debug_struct("Body").field("streaming", &true).finish(),
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, Error>>> {
        match &mut self.kind {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(*b)))),
            Kind::Streaming(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(bytes) => bytes.as_ref().is_none_or(|b| b.is_empty()),
            Kind::Streaming(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Streaming(body) => body.size_hint(),
        }
    }
}

macro_rules! body_from {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Body {
            fn from(value: $ty) -> Self {
                let bytes = Bytes::from(value);
                Body { kind: Kind::Full((!bytes.is_empty()).then(|| Box::new(bytes))) }
            }
        }
    )*};
}
body_from!(Bytes, Vec<u8>, String, &'static str, &'static [u8]);

pin_project_lite::pin_project! {
    /// Any body as one of bytes and grequests errors. Unlike `map_frame`, it keeps the size
    /// hint, so a declared `Content-Length` over a limit fails before a byte is read.
    struct IntoBytes<B> {
        #[pin]
        inner: B,
    }
}

impl<B> http_body::Body for IntoBytes<B>
where
    B: http_body::Body,
    B::Data: Into<Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, Error>>> {
        self.project().inner.poll_frame(cx).map(|frame| {
            frame.map(|f| {
                f.map(|f| f.map_data(Into::into))
                    .map_err(|e| into_body_error(e.into()))
            })
        })
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project_lite::pin_project! {
    struct StreamFrames<S> {
        #[pin]
        stream: S,
    }
}

impl<S, D, E> Stream for StreamFrames<S>
where
    S: Stream<Item = std::result::Result<D, E>>,
    D: Into<Bytes>,
{
    type Item = std::result::Result<Frame<Bytes>, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.project()
            .stream
            .poll_next(cx)
            .map(|item| item.map(|res| res.map(|data| Frame::data(data.into()))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: &[&'static str]) -> Body {
        let items: Vec<std::result::Result<Bytes, Error>> = parts
            .iter()
            .map(|p| Ok(Bytes::from_static(p.as_bytes())))
            .collect();
        Body::from_stream(futures_util::stream::iter(items))
    }

    #[tokio::test]
    async fn collects_a_stream_in_order() {
        let bytes = chunks(&["ab", "", "cd", "e"]).collect(None).await;
        assert_eq!(bytes.ok().as_deref(), Some(&b"abcde"[..]));
    }

    #[tokio::test]
    async fn limit_rejects_a_larger_stream() {
        let err = chunks(&["abc", "def"]).collect(Some(5)).await.err();
        assert!(err.is_some_and(|e| e.is_body()));
        let ok = chunks(&["abc", "de"]).collect(Some(5)).await;
        assert!(ok.is_ok());
    }

    #[tokio::test]
    async fn limit_rejects_a_larger_buffer() {
        let err = Body::from("123456").collect(Some(5)).await.err();
        assert!(err.is_some_and(|e| e.is_body()));
    }

    /// Every request is copied a dozen times through hyper's dispatch as part of an
    /// `http::Request<Body>`: 40 bytes with the bytes inline, 16 with them boxed.
    #[test]
    fn a_body_is_two_words() {
        assert_eq!(std::mem::size_of::<Body>(), 16);
        let body = Body::from("hello");
        assert_eq!(
            body.try_clone().and_then(|b| b.try_into_bytes().ok()),
            Some(Bytes::from("hello"))
        );
        assert_eq!(Body::empty().as_bytes(), Some(&[][..]));
    }

    #[test]
    fn streaming_bodies_cannot_be_cloned() {
        assert!(chunks(&["a"]).try_clone().is_none());
        assert!(Body::from(vec![1u8, 2]).try_clone().is_some());
    }

    #[tokio::test]
    async fn a_send_but_not_sync_stream_is_a_body() {
        use futures_util::StreamExt;
        let cell = std::cell::Cell::new(0u8); // Send, not Sync
        let stream = futures_util::stream::iter(["a", "b"])
            .map(move |part| {
                cell.set(cell.get() + 1);
                Ok::<_, Error>(part)
            })
            .boxed();
        let bytes = Body::from_stream(stream).collect(None).await;
        assert_eq!(bytes.ok().as_deref(), Some(&b"ab"[..]));
    }

    #[tokio::test]
    async fn a_stream_error_stays_a_grequests_error() {
        let items: Vec<std::result::Result<Bytes, Error>> =
            vec![Ok(Bytes::from_static(b"a")), Err(Error::timeout("read"))];
        let err = Body::from_stream(futures_util::stream::iter(items))
            .collect(None)
            .await
            .err();
        assert!(err.is_some_and(|e| e.is_timeout()));
    }
}
