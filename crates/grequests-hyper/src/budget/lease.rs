//! The exchange's side of the count: a response ends its exchange on the connection that
//! carried it exactly once, when its body finishes or is dropped.

use std::sync::Arc;
use std::time::Instant;

use super::acquire::report;
use super::registry::Conn;

/// The connection a response came on and when it was made, attached by the connector as
/// hyper-util "extra" information, so that it reaches the response's (and a failed
/// exchange's) extensions: a failure can then tell a reused connection from a fresh one.
#[derive(Clone, Debug)]
pub(crate) struct ConnTag {
    pub(crate) conn: Arc<Conn>,
    pub(crate) born: Instant,
}

impl ConnTag {
    /// Ends the exchange of a request that failed on this connection.
    pub(crate) fn finish(self) {
        report(self.conn.registry.finish(&self.conn));
    }
}

/// Held by a response body: ends its exchange when the body ends or is dropped.
#[derive(Debug)]
pub(crate) struct Lease(Option<ConnTag>);

impl Lease {
    pub(crate) fn new(tag: Option<ConnTag>) -> Self {
        Lease(tag)
    }

    /// The body was read to its end: the connection may be idle from now on.
    pub(crate) fn end(&mut self) {
        if let Some(tag) = self.0.take() {
            tag.finish();
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.end();
    }
}
