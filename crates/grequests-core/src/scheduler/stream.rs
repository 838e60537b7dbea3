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
        self.get_mut().poll_item(cx)
    }
}

impl<I, M, D> Batch<I, M, D>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Streamed,
{
    /// The next item of a streamed batch, whoever drives it.
    pub(crate) fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<M::Item<I::Item>>> {
        let this = self;
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
