//! The stack speaks `BoxError`, as tower's middleware does; grequests errors go in and
//! come out unchanged, and tower's own errors get a kind.

use grequests_transport::{BoxError, Error};
use tower::timeout::error::Elapsed;

/// A stack error as a grequests error; `elapsed` says what an `Elapsed` from a tower
/// timeout meant at this level.
pub(crate) fn into_error(err: BoxError, elapsed: &str) -> Error {
    match err.downcast::<Error>() {
        Ok(err) => *err,
        Err(err) if err.is::<Elapsed>() => Error::timeout(elapsed.to_owned()),
        Err(err) => Error::request(err),
    }
}

/// The grequests error inside a stack error, if it is one.
pub(crate) fn as_error(err: &BoxError) -> Option<&Error> {
    err.downcast_ref::<Error>()
}
