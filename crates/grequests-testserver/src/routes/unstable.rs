//! `/unstable?key=K&failures=N&status=503`: fails N times for each key, then answers like
//! `/get`. For testing retries; `Retry-After: {retry_after}` is added to failures if asked.

use http::StatusCode;

use super::{empty, json_ok, Response};
use crate::request::Echo;

pub(crate) fn answer(echo: &Echo) -> Response {
    let key = echo.arg("key").unwrap_or_default();
    let failures: u32 = echo
        .arg("failures")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let status = echo
        .arg("status")
        .and_then(|c| c.parse::<u16>().ok())
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let failed = {
        let mut seen = echo
            .state
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = seen.entry(key).or_insert(0);
        let fail = *count < failures;
        if fail {
            *count += 1;
        }
        fail
    };
    if !failed {
        return json_ok(echo.basic());
    }
    let mut response = empty(status);
    if let Some(Ok(value)) = echo.arg("retry_after").map(http::HeaderValue::try_from) {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, value);
    }
    response
}
