//! The body of a mocked response: chunks on tokio's clock, stalls, cuts and resets. Its
//! time limits (the read timeout, the low-speed limit) are the client's guard's, as for
//! every transport's body.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use grequests_core::Error;
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

pub(crate) struct MockBody {
    chunks: VecDeque<Bytes>,
    chunk_delay: Duration,
    /// Chunks left to send before the connection resets, if it does.
    reset_in: Option<usize>,
    wait: Option<Pin<Box<Sleep>>>,
    /// What happens after the last chunk: the end, a stall, or a cut.
    after: After,
}

/// How a mocked body ends.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum After {
    End,
    /// Nothing more ever comes (the client's read timeout or low-speed limit ends it).
    Stall,
    /// The connection closes before the declared length.
    Cut,
}

impl MockBody {
    /// A body of `chunks`, none of them empty (an empty frame would read as the end to some
    /// readers), each after `chunk_delay`.
    pub(crate) fn new(
        chunks: Vec<Bytes>,
        chunk_delay: Duration,
        reset_in: Option<usize>,
        after: After,
    ) -> Self {
        MockBody {
            after,
            chunks: chunks.into(),
            chunk_delay,
            reset_in,
            wait: None,
        }
    }
}

impl http_body::Body for MockBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        if this.reset_in == Some(0) {
            this.reset_in = None;
            this.chunks.clear();
            return Poll::Ready(Some(Err(Error::body("connection reset by peer (mock)"))));
        }
        if this.chunks.is_empty() {
            match this.after {
                After::End => return Poll::Ready(None),
                After::Cut => {
                    this.after = After::End;
                    return Poll::Ready(Some(Err(Error::body(
                        "the connection closed before the body was complete (mock)",
                    ))));
                }
                After::Stall => return Poll::Pending,
            }
        }
        if this.wait.is_none() && !this.chunk_delay.is_zero() {
            this.wait = Some(Box::pin(tokio::time::sleep(this.chunk_delay)));
        }
        if let Some(wait) = &mut this.wait {
            if wait.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.wait = None;
        }
        if let Some(left) = &mut this.reset_in {
            *left -= 1;
        }
        Poll::Ready(this.chunks.pop_front().map(|c| Ok(Frame::data(c))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty() && self.reset_in != Some(0) && self.after == After::End
    }

    fn size_hint(&self) -> SizeHint {
        let len: u64 = self.chunks.iter().map(|c| c.len() as u64).sum();
        if self.reset_in.is_some() || self.after != After::End {
            let mut hint = SizeHint::new();
            hint.set_upper(len);
            hint
        } else {
            SizeHint::with_exact(len)
        }
    }
}
