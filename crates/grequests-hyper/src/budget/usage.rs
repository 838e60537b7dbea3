//! The connection's side of the count: which writes start an exchange, and the reads that
//! end an evicted connection.

use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::OwnedSemaphorePermit;

use super::registry::{life, Conn};

/// The client connection preface of HTTP/2, written before the first frame.
const H2_PREFACE_LEN: usize = 24;

/// One connection's budget descriptor and its place in the registry; owned by its I/O,
/// so both are given back when the connection closes.
#[derive(Debug)]
pub(crate) struct Usage {
    conn: Arc<Conn>,
    protocol: Protocol,
    _permit: OwnedSemaphorePermit,
}

#[derive(Debug)]
enum Protocol {
    /// A request is the first write after response bytes were read (no pipelining).
    Http1 { read_since_write: bool },
    /// A request is a HEADERS frame that opens a stream.
    Http2(FrameScanner),
}

impl Usage {
    pub(crate) fn new(conn: Arc<Conn>, permit: OwnedSemaphorePermit, http2: bool) -> Self {
        let protocol = if http2 {
            Protocol::Http2(FrameScanner::new())
        } else {
            Protocol::Http1 {
                read_since_write: true,
            }
        };
        Usage {
            conn,
            protocol,
            _permit: permit,
        }
    }

    /// The connection's entry, for the responses it carries.
    pub(crate) fn conn(&self) -> &Arc<Conn> {
        &self.conn
    }

    /// Before a read: `Some(EOF)` when the connection was evicted, so that hyper closes it
    /// as it closes one the server ended.
    pub(crate) fn before_read(&self, cx: &Context<'_>) -> Option<Poll<io::Result<()>>> {
        self.conn.reader.register(cx.waker());
        let evicted = self
            .conn
            .life
            .compare_exchange(
                life::EVICTING,
                life::CLOSED,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok();
        (evicted || self.conn.life.load(Ordering::Acquire) == life::CLOSED)
            .then_some(Poll::Ready(Ok(())))
    }

    /// After a read that returned bytes (or the end, after which nothing is written).
    pub(crate) fn after_read(&mut self) {
        if let Protocol::Http1 { read_since_write } = &mut self.protocol {
            *read_since_write = true;
        }
    }

    /// Before a write: an HTTP/1 request starts here. An error when the connection was
    /// already closed for eviction.
    pub(crate) fn before_write(&mut self) -> io::Result<()> {
        if let Protocol::Http1 { read_since_write } = &mut self.protocol {
            if std::mem::take(read_since_write) && !self.conn.registry.start(&self.conn) {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "the idle connection was closed to free its descriptor",
                ));
            }
        }
        Ok(())
    }

    /// After `written` was accepted: HTTP/2 requests start with the frames in it.
    pub(crate) fn after_write(&mut self, written: &[u8]) {
        if let Protocol::Http2(frames) = &mut self.protocol {
            for _ in 0..frames.new_streams(written) {
                self.conn.registry.start(&self.conn);
            }
        }
    }
}

impl Drop for Usage {
    fn drop(&mut self) {
        self.conn.registry.unregister(&self.conn);
    }
}

/// Follows the frames a client writes, to count the HEADERS frames that open streams
/// (trailers and CONTINUATION frames open none).
#[derive(Debug)]
pub(crate) struct FrameScanner {
    /// Bytes still to pass over: the preface, or a frame's payload.
    skip: usize,
    header: [u8; 9],
    have: usize,
    last_stream: u32,
}

impl FrameScanner {
    pub(crate) fn new() -> Self {
        FrameScanner {
            skip: H2_PREFACE_LEN,
            header: [0; 9],
            have: 0,
            last_stream: 0,
        }
    }

    /// How many new streams the next `bytes` of the connection open.
    pub(crate) fn new_streams(&mut self, mut bytes: &[u8]) -> usize {
        let mut opened = 0;
        while !bytes.is_empty() {
            if self.skip > 0 {
                let passed = self.skip.min(bytes.len());
                self.skip -= passed;
                bytes = &bytes[passed..];
                continue;
            }
            let taken = (9 - self.have).min(bytes.len());
            self.header[self.have..self.have + taken].copy_from_slice(&bytes[..taken]);
            self.have += taken;
            bytes = &bytes[taken..];
            if self.have < 9 {
                break;
            }
            self.have = 0;
            let [l0, l1, l2, kind, _flags, s0, s1, s2, s3] = self.header;
            self.skip = usize::from(l0) << 16 | usize::from(l1) << 8 | usize::from(l2);
            let stream = u32::from_be_bytes([s0 & 0x7f, s1, s2, s3]);
            const HEADERS: u8 = 0x1;
            if kind == HEADERS && stream > self.last_stream {
                self.last_stream = stream;
                opened += 1;
            }
        }
        opened
    }
}
