//! `/redirect/{n}`, `/relative-redirect/{n}`, `/absolute-redirect/{n}`, `/redirect-to`.

use http::StatusCode;

use super::{empty, Response};
use crate::request::Echo;

/// `/redirect/{n}` and `/relative-redirect/{n}`: both go on as relative redirects, as httpbin.
pub(crate) fn relative(n: &str) -> Response {
    match n.parse::<u32>() {
        Ok(0) | Err(_) => empty(StatusCode::BAD_REQUEST),
        Ok(1) => found("/get".to_owned()),
        Ok(n) => found(format!("/relative-redirect/{}", n - 1)),
    }
}

pub(crate) fn absolute(echo: &Echo, n: &str) -> Response {
    let base = echo.base();
    match n.parse::<u32>() {
        Ok(0) | Err(_) => empty(StatusCode::BAD_REQUEST),
        Ok(1) => found(format!("{base}/get")),
        Ok(n) => found(format!("{base}/absolute-redirect/{}", n - 1)),
    }
}

/// `/redirect-to?url=...&status_code=307`.
pub(crate) fn to(echo: &Echo) -> Response {
    let Some(url) = echo.arg("url") else {
        return empty(StatusCode::BAD_REQUEST);
    };
    let status = echo
        .arg("status_code")
        .and_then(|c| c.parse::<u16>().ok())
        .and_then(|c| StatusCode::from_u16(c).ok())
        .filter(StatusCode::is_redirection)
        .unwrap_or(StatusCode::FOUND);
    let mut response = found(url);
    *response.status_mut() = status;
    response
}

fn found(location: String) -> Response {
    let mut response = empty(StatusCode::FOUND);
    if let Ok(value) = http::HeaderValue::try_from(location) {
        response.headers_mut().insert(http::header::LOCATION, value);
    }
    response
}
