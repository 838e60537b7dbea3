//! [`Stamped`]: a connection that says when it was made, so that a failed request can tell a
//! reused connection from the fresh one it opened, that counts its exchanges for the
//! [connection budget](crate::ConnectionBudget), and that frees its host's connection slot
//! and its budget descriptor when it closes.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use grequests_transport::RemoteAddr;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpInfo};
use tokio::sync::OwnedSemaphorePermit;

use crate::budget::{ConnTag, Usage};

/// A connection stamped with the moment it was made, holding its budget descriptor and its
/// host's connection slot (see [`HostSlots`](super::HostSlots)) until it closes.
pub(crate) struct Stamped<T> {
    inner: T,
    born: Instant,
    usage: Usage,
    _slot: Option<OwnedSemaphorePermit>,
}

impl<T> Stamped<T> {
    pub(crate) fn new(inner: T, usage: Usage, slot: Option<OwnedSemaphorePermit>) -> Self {
        Stamped {
            inner,
            born: Instant::now(),
            usage,
            _slot: slot,
        }
    }
}

impl<T: Connection> Connection for Stamped<T> {
    /// hyper-util copies a connection's extras into every response's extensions, each a
    /// box: the tag and the contract's [`RemoteAddr`], not hyper-util's `HttpInfo` as well
    /// (which the transport had to swap for a `RemoteAddr` on every response). hyper-util
    /// asks once per connection.
    fn connected(&self) -> Connected {
        let inner = self.inner.connected();
        let mut extras = http::Extensions::new();
        inner.get_extras(&mut extras);
        let mut connected = Connected::new().proxy(inner.is_proxied()).extra(ConnTag {
            conn: self.usage.conn().clone(),
            born: self.born,
        });
        if let Some(info) = extras.get::<HttpInfo>() {
            connected = connected.extra(RemoteAddr(info.remote_addr()));
        }
        if inner.is_negotiated_h2() {
            connected = connected.negotiated_h2();
        }
        connected
    }
}

impl<T: Read + Unpin> Read for Stamped<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(eof) = self.usage.before_read(cx) {
            return eof;
        }
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            this.usage.after_read();
        }
        result
    }
}

impl<T: Write + Unpin> Write for Stamped<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        this.usage.before_write()?;
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(written)) = result {
            this.usage.after_write(&buf[..written.min(buf.len())]);
        }
        result
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
        let this = &mut *self;
        this.usage.before_write()?;
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(mut written)) = result {
            for buf in bufs {
                let taken = written.min(buf.len());
                this.usage.after_write(&buf[..taken]);
                written -= taken;
                if written == 0 {
                    break;
                }
            }
        }
        result
    }
}
