//! Turns hyper-util's errors into grequests errors of the right kind.

use std::error::Error as StdError;
use std::io;
use std::time::Instant;

use grequests_transport::{Cause, Error};

use crate::budget::ConnTag;
use crate::connect::{ConnectTimeout, ProxyError};
use crate::dns::DnsError;

/// Classifies a failed exchange by the causes in its chain; `started` is when the request
/// was handed to the pool, to tell a reused connection from a fresh one, and `evicted` says
/// the connection budget closed the connection it was on.
pub(crate) fn classify(
    err: hyper_util::client::legacy::Error,
    started: Instant,
    evicted: bool,
) -> Error {
    if is_stale(&err, started, evicted) {
        return Error::stale_connection(Cause::source(err));
    }
    let mut kind = if err.is_connect() {
        Kind::Connect
    } else {
        Kind::Request
    };
    for cause in causes(&err) {
        if cause.is::<DnsError>() {
            kind = Kind::Dns;
            break;
        }
        if cause.is::<ConnectTimeout>() {
            kind = Kind::ConnectTimeout;
            break;
        }
        if cause.is::<ProxyError>() {
            kind = Kind::Proxy;
            break;
        }
        if cause.is::<rustls::Error>() {
            kind = Kind::Tls;
            break;
        }
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            if matches!(io.raw_os_error(), Some(23 | 24)) {
                return Error::connect(format!(
                    "the OS refused a new socket (too many open files): lower the batch's size \
                     or raise the limit (ulimit -n): {io}"
                ));
            }
            if io.kind() == io::ErrorKind::TimedOut {
                kind = if err.is_connect() {
                    Kind::ConnectTimeout
                } else {
                    Kind::Timeout
                };
            }
        }
    }
    // hyper-util's error is the source; the causes below it (an io::Error, a rustls
    // alert, the connect timeout) follow through `source()`.
    let cause = Cause::source(err);
    match kind {
        Kind::Connect => Error::connect(cause),
        Kind::Dns => Error::dns(cause),
        Kind::Tls => Error::tls(cause),
        Kind::Timeout => Error::timeout(cause),
        Kind::ConnectTimeout => Error::connect_timeout(cause),
        Kind::Proxy => Error::proxy(cause),
        Kind::Request => Error::request(cause),
    }
}

/// A failure on a connection made before the request started, or that served another
/// exchange first, before a response arrived: the server closed (or reset) a connection
/// that sat idle in the pool. Or one the budget
/// closed (`evicted`) as the pool handed it out: a race between two threads that only a
/// retry on another connection settles, fresh connection or not.
fn is_stale(err: &hyper_util::client::legacy::Error, started: Instant, evicted: bool) -> bool {
    if err.is_connect() {
        return false;
    }
    let reused = evicted
        || err.connect_info().is_some_and(|connected| {
            let mut extras = http::Extensions::new();
            connected.get_extras(&mut extras);
            extras
                .get::<ConnTag>()
                .is_some_and(|tag| tag.born < started || tag.conn.served_before())
        });
    reused
        && causes(err).into_iter().any(|cause| {
            if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
                return hyper.is_incomplete_message() || (evicted && hyper.is_canceled());
            }
            cause.downcast_ref::<io::Error>().is_some_and(|io| {
                matches!(
                    io.kind(),
                    io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::BrokenPipe
                        | io::ErrorKind::UnexpectedEof
                )
            })
        })
}

enum Kind {
    Connect,
    ConnectTimeout,
    Proxy,
    Dns,
    Tls,
    Timeout,
    Request,
}

/// The causes of an error, looking inside `io::Error`s too (whose `source` skips the error
/// they wrap, e.g. a rustls error behind tokio-rustls).
pub(crate) fn causes<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(err);
    while let Some(cause) = next {
        out.push(cause);
        next = match cause
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => cause.source(),
        };
        if out.len() > 32 {
            break;
        }
    }
    out
}
