//! [`IncomingBody`]: hyper's response body with errors that say what went wrong; it ends its
//! exchange on the connection when it ends. Its time limits (the read timeout between
//! chunks, the low-speed limit) are the client's guard's.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use grequests_transport::{Cause, Error};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;

use crate::budget::Lease;

/// hyper's response body, ending its exchange on the connection when it ends.
pub(crate) struct IncomingBody {
    inner: Incoming,
    /// The exchange on the connection, ended with the body.
    lease: Lease,
}

impl IncomingBody {
    pub(crate) fn new(inner: Incoming, lease: Lease) -> Self {
        IncomingBody { inner, lease }
    }
}

impl http_body::Body for IncomingBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        let frame = std::task::ready!(Pin::new(&mut this.inner).poll_frame(cx));
        if frame.is_none() || this.inner.is_end_stream() {
            this.lease.end();
        }
        Poll::Ready(frame.map(|f| f.map_err(body_error)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A body error with what went wrong in this level's words; hyper's error, and the I/O
/// error under it, stay the source.
fn body_error(err: hyper::Error) -> Error {
    let io =
        std::error::Error::source(&err).and_then(|cause| cause.downcast_ref::<std::io::Error>());
    let what = match io.map(std::io::Error::kind) {
        _ if err.is_incomplete_message() => "the connection closed before the body was complete",
        Some(std::io::ErrorKind::UnexpectedEof) => {
            "the connection closed before the body was complete"
        }
        Some(std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput) => {
            "the body is malformed (its length or chunked framing)"
        }
        Some(std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted) => {
            "the connection was reset while reading the body"
        }
        _ if err.is_parse() => "the body is malformed (its length or chunked framing)",
        _ if err.is_timeout() => "timed out reading the body",
        _ => "the connection failed while reading the body",
    };
    Error::body(Cause::source(err)).with_context(what)
}
