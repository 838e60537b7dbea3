//! How an engine [`Error`] reaches Python: a kind the package maps onto requests' exception
//! classes, and the message, which names the URL and the cause.

use grequests_core::{Error, Input};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    _native,
    NativeError,
    PyException,
    "An engine error, as (kind, message); grequests_rs raises requests' class for the kind."
);

/// The kind of `error`, most specific first, in requests' terms.
pub(crate) fn kind(error: &Error) -> &'static str {
    if error.is_connect() && error.is_timeout() {
        "connect_timeout"
    } else if error.is_timeout() {
        "read_timeout"
    } else if error.is_proxy() {
        "proxy"
    } else if error.is_tls() {
        "ssl"
    } else if error.is_dns() || error.is_connect() {
        "connection"
    } else if error.is_redirect() {
        "too_many_redirects"
    } else if error.is_builder() {
        match error.invalid_input() {
            Some(Input::Header | Input::Cookie) => "invalid_header",
            Some(Input::Url) => "invalid_url",
            Some(Input::Scheme) => "invalid_schema",
            Some(Input::MissingScheme) => "missing_schema",
            Some(Input::Proxy) => "invalid_proxy_url",
            Some(Input::Timeout) => "invalid_timeout",
            Some(Input::Tls) if caused_by_io(error) => "missing_file",
            Some(Input::Tls) => "ssl",
            _ => "invalid",
        }
    } else if error.is_decode() {
        "content_decoding"
    } else if error.is_body() {
        "chunked_encoding"
    } else if error.is_request() {
        "connection"
    } else {
        "request"
    }
}

/// Whether an I/O error is among the causes of `error` (a file that is not there).
fn caused_by_io(error: &Error) -> bool {
    let mut cause = std::error::Error::source(error);
    while let Some(err) = cause {
        if err.is::<std::io::Error>() {
            return true;
        }
        cause = err.source();
    }
    false
}

/// `(kind, message)`, the form results carry an error in. The message is the error and its
/// causes, as `Display` of each level gives only that level.
pub(crate) fn described(error: &Error) -> (&'static str, String) {
    (kind(error), format!("{error:#}"))
}

/// `error` raised as a [`NativeError`].
pub(crate) fn raise(error: &Error) -> PyErr {
    NativeError::new_err(described(error))
}
