//! `imap` batches are streams.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::mode::Streamed;
use super::{Batch, IntoRequest};

impl<I, M> Stream for Batch<I, M>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Streamed,
{
    type Item = M::Item<I::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match this.engine.poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(completed)) => {
                    if let Some(item) = M::deliver::<I::Item>(completed, &mut this.handler) {
                        return Poll::Ready(Some(item));
                    }
                }
            }
        }
    }
}
