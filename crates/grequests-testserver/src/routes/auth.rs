//! `/basic-auth/{user}/{passwd}` and `/bearer`.

use base64::Engine as _;
use http::StatusCode;
use serde_json::json;

use super::{empty, json_ok, Response};
use crate::request::Echo;

pub(crate) fn basic(echo: &Echo, user: &str, password: &str) -> Response {
    let expected = format!("{user}:{password}");
    let given = echo
        .header("authorization")
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    if given.as_deref() == Some(expected.as_bytes()) {
        json_ok(json!({"authenticated": true, "user": user}))
    } else {
        challenge("Basic realm=\"Fake Realm\"")
    }
}

pub(crate) fn bearer(echo: &Echo) -> Response {
    match echo
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        Some(token) => json_ok(json!({"authenticated": true, "token": token})),
        None => challenge("Bearer"),
    }
}

fn challenge(scheme: &'static str) -> Response {
    let mut response = empty(StatusCode::UNAUTHORIZED);
    response.headers_mut().insert(
        http::header::WWW_AUTHENTICATE,
        http::HeaderValue::from_static(scheme),
    );
    response
}
