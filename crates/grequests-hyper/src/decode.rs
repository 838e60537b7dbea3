//! Content decoding: gzip, deflate (zlib or raw), brotli and zstd, chained up to a limit, under
//! [`DecodeLimits`] so that a compression bomb is an error rather than an out-of-memory.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use async_compression::tokio::bufread::{BrotliDecoder, GzipDecoder, ZstdDecoder};
use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use grequests_transport::{Body, DecodeLimits, Error, Result};

use crate::deflate::AnyDeflate;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use http_body_util::BodyDataStream;
use tokio::io::{AsyncBufRead, BufReader};
use tokio_util::io::{ReaderStream, StreamReader};

/// The most encodings one response may chain (urllib3's limit since CVE-2025-66418).
pub(crate) const MAX_ENCODINGS: usize = 5;

/// What `Accept-Encoding` the transport sends when decoding is on.
pub(crate) const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

#[derive(Clone, Copy)]
enum Coding {
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}

type Reader = Pin<Box<dyn AsyncBufRead + Send + Sync>>;

/// Decodes the body per `Content-Encoding`. A response with an encoding we do not know is
/// left as it is, header included, as requests does.
pub(crate) fn decode(
    response: http::Response<Body>,
    limits: DecodeLimits,
) -> Result<http::Response<Body>> {
    let codings = match codings(response.headers())? {
        Some(codings) if !codings.is_empty() => codings,
        _ => return Ok(response),
    };
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(CONTENT_ENCODING);
    parts.headers.remove(CONTENT_LENGTH);
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let data = BodyDataStream::new(body)
        .map_ok(move |chunk| {
            counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            chunk
        })
        .map_err(io::Error::other);
    let mut reader: Reader = Box::pin(StreamReader::new(data));
    // Encodings are listed in the order they were applied: undo the last one first.
    for coding in codings.into_iter().rev() {
        reader = match coding {
            Coding::Gzip => {
                let mut decoder = GzipDecoder::new(reader);
                decoder.multiple_members(true);
                Box::pin(BufReader::new(decoder))
            }
            Coding::Deflate => Box::pin(BufReader::new(AnyDeflate::new(reader))),
            Coding::Brotli => Box::pin(BufReader::new(BrotliDecoder::new(reader))),
            Coding::Zstd => {
                let mut decoder = ZstdDecoder::new(reader);
                decoder.multiple_members(true);
                Box::pin(BufReader::new(decoder))
            }
        };
    }
    let decoded = Limited {
        inner: ReaderStream::new(reader),
        received,
        decoded: 0,
        limits,
    };
    Ok(http::Response::from_parts(
        parts,
        Body::from_stream(decoded),
    ))
}

/// The codings to undo; `None` when one is unknown (the body is then passed on as is).
fn codings(headers: &http::HeaderMap) -> Result<Option<Vec<Coding>>> {
    let mut codings = Vec::new();
    for value in headers.get_all(CONTENT_ENCODING) {
        let Ok(value) = value.to_str() else {
            return Ok(None);
        };
        for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let coding = match token.to_ascii_lowercase().as_str() {
                "identity" => continue,
                "gzip" | "x-gzip" => Coding::Gzip,
                "deflate" => Coding::Deflate,
                "br" => Coding::Brotli,
                "zstd" => Coding::Zstd,
                _ => return Ok(None),
            };
            codings.push(coding);
            if codings.len() > MAX_ENCODINGS {
                return Err(Error::decode(format!(
                    "response chains more than {MAX_ENCODINGS} content encodings"
                )));
            }
        }
    }
    Ok(Some(codings))
}

/// Counts decoded bytes against what was received, and stops at the limits.
struct Limited<S> {
    inner: S,
    /// Bytes received from the server so far, counted before decoding.
    received: Arc<AtomicU64>,
    decoded: u64,
    limits: DecodeLimits,
}

impl<S> Stream for Limited<S>
where
    S: Stream<Item = io::Result<Bytes>> + Unpin,
{
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let item = match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(item) => item,
        };
        let received = self.received.load(Ordering::Relaxed);
        match item {
            // An encoded body with no bytes at all (a 200 with Content-Length: 0, say) is an
            // empty body, not a truncated stream.
            Some(Err(err)) if received == 0 && err.kind() == io::ErrorKind::UnexpectedEof => {
                Poll::Ready(None)
            }
            Some(Err(err)) => Poll::Ready(Some(Err(from_io(err)))),
            Some(Ok(chunk)) => {
                self.decoded += chunk.len() as u64;
                Poll::Ready(Some(
                    self.limits.check(received, self.decoded).map(|()| chunk),
                ))
            }
            None => Poll::Ready(None),
        }
    }
}

/// An I/O error from the decoder is either the body's own error passed through (a read
/// timeout, a reset) or corrupt compressed data.
fn from_io(err: io::Error) -> Error {
    if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        if let Some(inner) = err.into_inner() {
            if let Ok(err) = inner.downcast::<Error>() {
                return *err;
            }
        }
        return Error::body("body error");
    }
    Error::decode(err)
}
