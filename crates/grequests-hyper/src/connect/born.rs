//! [`Stamped`]: a connection that says when it was made, so that a failed request can tell a
//! reused connection from the fresh one it opened, and that frees its host's connection slot
//! when it closes.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use tokio::sync::OwnedSemaphorePermit;

/// When a connection was established; attached to it as hyper-util "extra" information.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Born(pub(crate) Instant);

/// A connection stamped with the moment it was made, holding its host's connection slot
/// (see [`HostSlots`](super::HostSlots)) until it closes.
pub(crate) struct Stamped<T> {
    inner: T,
    born: Instant,
    _slot: Option<OwnedSemaphorePermit>,
}

impl<T> Stamped<T> {
    pub(crate) fn new(inner: T, slot: Option<OwnedSemaphorePermit>) -> Self {
        Stamped {
            inner,
            born: Instant::now(),
            _slot: slot,
        }
    }
}

impl<T: Connection> Connection for Stamped<T> {
    fn connected(&self) -> Connected {
        self.inner.connected().extra(Born(self.born))
    }
}

impl<T: Read + Unpin> Read for Stamped<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for Stamped<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
}
