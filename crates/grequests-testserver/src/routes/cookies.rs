//! `/cookies`, `/cookies/set?k=v` and `/cookies/delete?k`.

use http::StatusCode;
use serde_json::{json, Map, Value};

use super::{empty, json_ok, Response};
use crate::request::Echo;

pub(crate) fn show(echo: &Echo) -> Response {
    let mut cookies = Map::new();
    for header in echo.parts.headers.get_all(http::header::COOKIE) {
        for pair in header.to_str().unwrap_or("").split(';') {
            if let Some((name, value)) = pair.trim().split_once('=') {
                cookies.insert(name.to_owned(), Value::String(value.to_owned()));
            }
        }
    }
    json_ok(json!({ "cookies": cookies }))
}

pub(crate) fn set(echo: &Echo) -> Response {
    let mut response = redirect_to_cookies();
    for (name, value) in
        url::form_urlencoded::parse(echo.parts.uri.query().unwrap_or("").as_bytes())
    {
        if let Ok(cookie) = http::HeaderValue::try_from(format!("{name}={value}; Path=/")) {
            response
                .headers_mut()
                .append(http::header::SET_COOKIE, cookie);
        }
    }
    response
}

pub(crate) fn delete(echo: &Echo) -> Response {
    let mut response = redirect_to_cookies();
    for (name, _) in url::form_urlencoded::parse(echo.parts.uri.query().unwrap_or("").as_bytes()) {
        let expired = format!("{name}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/");
        if let Ok(cookie) = http::HeaderValue::try_from(expired) {
            response
                .headers_mut()
                .append(http::header::SET_COOKIE, cookie);
        }
    }
    response
}

fn redirect_to_cookies() -> Response {
    let mut response = empty(StatusCode::FOUND);
    response.headers_mut().insert(
        http::header::LOCATION,
        http::HeaderValue::from_static("/cookies"),
    );
    response
}
