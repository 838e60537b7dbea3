//! Upload progress: a request body that reports the bytes handed to the transport.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::model::UploadProgress;
use crate::Body;
use crate::Error;

/// A request body that calls its progress callback as its chunks go out.
pub(crate) struct Reporting {
    inner: Body,
    sent: u64,
    total: Option<u64>,
    progress: UploadProgress,
}

impl Reporting {
    pub(crate) fn new(inner: Body, total: Option<u64>, progress: UploadProgress) -> Self {
        let total = total.or_else(|| http_body::Body::size_hint(&inner).exact());
        Reporting {
            inner,
            sent: 0,
            total,
            progress,
        }
    }
}

impl http_body::Body for Reporting {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        let frame = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &frame {
            if let Some(data) = frame.data_ref() {
                this.sent += data.len() as u64;
                if let Ok(mut progress) = this.progress.lock() {
                    progress(this.sent, this.total);
                }
            }
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
