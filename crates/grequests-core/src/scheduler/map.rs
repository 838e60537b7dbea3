//! `map` batches are awaited for a `Vec` in request order.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::mode::Ordered;
use super::{Batch, IntoRequest};

impl<I, M> IntoFuture for Batch<I, M>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Ordered,
{
    type Output = Vec<M::Item<I::Item>>;
    type IntoFuture = MapFuture<I, M>;

    fn into_future(self) -> MapFuture<I, M> {
        // One slot per request: growing by doubling would leave up to half the vector
        // unused, so take the iterator's word for its length.
        let expected = self.engine.expected_len();
        MapFuture {
            batch: self,
            results: Vec::with_capacity(expected),
        }
    }
}

/// The future of a `map` batch: every request's result, in request order.
#[must_use = "futures do nothing unless awaited"]
pub struct MapFuture<I, M>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Ordered,
{
    batch: Batch<I, M>,
    results: Vec<Option<M::Item<I::Item>>>,
}

impl<I, M> Unpin for MapFuture<I, M>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Ordered,
{
}

impl<I, M> std::fmt::Debug for MapFuture<I, M>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Ordered,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapFuture")
            .field("batch", &self.batch)
            .field(
                "finished",
                &self.results.iter().filter(|r| r.is_some()).count(),
            )
            .finish()
    }
}

impl<I, M> Future for MapFuture<I, M>
where
    I: Iterator,
    I::Item: IntoRequest,
    M: Ordered,
{
    type Output = Vec<M::Item<I::Item>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match this.batch.engine.poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(completed)) => {
                    let index = completed.index;
                    let item = M::deliver::<I::Item>(completed, &mut this.batch.handler);
                    if this.results.len() <= index {
                        this.results.resize_with(index + 1, || None);
                    }
                    this.results[index] = item;
                }
                Poll::Ready(None) => {
                    let results = std::mem::take(&mut this.results);
                    let expected = results.len();
                    // The engine reports every index it pulled exactly once, so every
                    // place is filled. `filter_map` over a vector collects in place: no
                    // second vector of responses at the peak.
                    #[allow(clippy::filter_map_identity)]
                    let ordered: Vec<_> = results.into_iter().filter_map(|item| item).collect();
                    debug_assert_eq!(ordered.len(), expected);
                    return Poll::Ready(ordered);
                }
            }
        }
    }
}
