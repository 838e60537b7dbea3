//! Turns hyper-util's errors into grequests errors of the right kind.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Instant;

use grequests_core::Error;

use crate::connect::{Born, ConnectTimeout};
use crate::dns::DnsError;

/// Classifies a failed exchange by the causes in its chain; `started` is when the request
/// was handed to the pool, to tell a reused connection from a fresh one.
pub(crate) fn classify(err: hyper_util::client::legacy::Error, started: Instant) -> Error {
    if is_stale(&err, started) {
        return Error::stale_connection(Described::new(err));
    }
    let described = Described::new(err);
    let mut kind = if described.is_connect {
        Kind::Connect
    } else {
        Kind::Request
    };
    for cause in causes(described.inner.as_ref()) {
        if cause.is::<DnsError>() {
            kind = Kind::Dns;
            break;
        }
        if cause.is::<ConnectTimeout>() {
            kind = Kind::Timeout;
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
                kind = Kind::Timeout;
            }
        }
    }
    match kind {
        Kind::Connect => Error::connect(described),
        Kind::Dns => Error::dns(described),
        Kind::Tls => Error::tls(described),
        Kind::Timeout => Error::timeout(described),
        Kind::Request => Error::request(described),
    }
}

/// A failure on a connection made before the request started, before a response arrived:
/// the server closed (or reset) a connection that sat idle in the pool.
fn is_stale(err: &hyper_util::client::legacy::Error, started: Instant) -> bool {
    if err.is_connect() {
        return false;
    }
    let reused = err.connect_info().is_some_and(|connected| {
        let mut extras = http::Extensions::new();
        connected.get_extras(&mut extras);
        extras.get::<Born>().is_some_and(|born| born.0 < started)
    });
    reused
        && causes(err).into_iter().any(|cause| {
            if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
                return hyper.is_incomplete_message();
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
    Dns,
    Tls,
    Timeout,
    Request,
}

/// The causes of an error, looking inside `io::Error`s too (whose `source` skips the error
/// they wrap, e.g. a rustls error behind tokio-rustls).
fn causes<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
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

/// hyper-util's error says only "client error (Connect)"; this keeps it as the source and
/// shows the whole chain of causes, which is what a user needs to read.
struct Described {
    message: String,
    is_connect: bool,
    inner: Box<dyn StdError + Send + Sync>,
}

impl Described {
    fn new(err: hyper_util::client::legacy::Error) -> Self {
        let is_connect = err.is_connect();
        let mut parts: Vec<String> = Vec::new();
        for cause in causes(&err).into_iter().skip(1) {
            let text = cause.to_string();
            if !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
        }
        let message = if parts.is_empty() {
            err.to_string()
        } else {
            parts.join(": ")
        };
        Described {
            message,
            is_connect,
            inner: Box::new(err),
        }
    }
}

impl fmt::Debug for Described {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for Described {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Described {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.inner.as_ref())
    }
}
