//! [`is_idempotent`]: which requests may be sent twice.

use http::Method;

/// Whether a request with this method may be sent again without changing what it does
/// (RFC 9110 §9.2.2): GET, HEAD, OPTIONS, TRACE, PUT and DELETE. The client's stale-connection
/// retry and the tower backend's retries ask it.
///
/// ```
/// use grequests_core::{http::Method, is_idempotent};
/// assert!(is_idempotent(&Method::PUT));
/// assert!(!is_idempotent(&Method::POST));
/// ```
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}
