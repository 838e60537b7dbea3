//! The read timeout between two chunks of a response body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use grequests_core::Error;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::{Instant, Sleep};

/// A response body that fails with a [timeout](Error::is_timeout) when the server sends
/// nothing for `limit`.
pub(crate) struct ReadTimeout {
    inner: Incoming,
    limit: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl ReadTimeout {
    pub(crate) fn new(inner: Incoming, limit: Duration) -> Self {
        ReadTimeout {
            inner,
            limit,
            deadline: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl http_body::Body for ReadTimeout {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                // A limit too long to be a deadline never fires.
                if let Some(next) = Instant::now().checked_add(this.limit) {
                    this.deadline.as_mut().reset(next);
                }
                Poll::Ready(frame.map(|f| f.map_err(Error::body)))
            }
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::timeout(format!(
                    "read timed out: no data for {:?}",
                    this.limit
                ))))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
