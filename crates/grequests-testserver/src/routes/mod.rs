//! httpbin's endpoints, one module per family.

mod auth;
mod cookies;
mod encoding;
mod redirect;
mod stream;
mod unstable;

use std::convert::Infallible;

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};

use crate::request::Echo;

/// The body type of every answer.
pub(crate) type ServerBody = UnsyncBoxBody<Bytes, Infallible>;
pub(crate) type Response = http::Response<ServerBody>;

/// Answers one request.
pub(crate) async fn route(echo: Echo) -> Response {
    let path = echo.path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let method = echo.parts.method.clone();
    match (segments.as_slice(), &method) {
        // httpbin's index; grequests' own tests ask for `//`.
        ([""] | ["", ""], _) => index(),
        (["get"], &Method::GET) | (["get"], &Method::HEAD) => json_ok(echo.basic()),
        (["robots.txt"], _) => robots(),
        (["post"], &Method::POST)
        | (["put"], &Method::PUT)
        | (["patch"], &Method::PATCH)
        | (["delete"], &Method::DELETE) => json_ok(echo.with_body()),
        (["get" | "post" | "put" | "patch" | "delete"], _) => empty(StatusCode::METHOD_NOT_ALLOWED),
        (["anything", ..], _) => {
            let mut map = echo.with_body();
            map.insert("method".into(), json!(method.as_str()));
            json_ok(map)
        }
        (["headers"], _) => json_ok(json!({ "headers": echo.headers() })),
        (["user-agent"], _) => json_ok(json!({ "user-agent": echo.header("user-agent") })),
        (["ip"], _) => json_ok(json!({ "origin": echo.origin() })),
        (["status", codes], _) => status(codes),
        (["response-headers"], _) => response_headers(&echo),
        (["delay", seconds], _) => stream::delay(&echo, seconds).await,
        (["bytes", n], _) => stream::bytes(&echo, n),
        (["stream", n], _) => stream::lines(&echo, n),
        (["drip"], _) => stream::drip(&echo),
        (["gzip"], _) => encoding::gzip(&echo),
        (["deflate"], _) => encoding::deflate(&echo),
        (["brotli"], _) => encoding::brotli(&echo),
        (["zstd"], _) => encoding::zstd(&echo),
        (["deflate-raw"], _) => encoding::deflate_raw(&echo),
        (["cookies"], _) => cookies::show(&echo),
        (["cookies", "set"], _) => cookies::set(&echo),
        (["cookies", "delete"], _) => cookies::delete(&echo),
        (["basic-auth", user, password], _) => auth::basic(&echo, user, password),
        (["bearer"], _) => auth::bearer(&echo),
        (["redirect", n] | ["relative-redirect", n], _) => redirect::relative(n),
        (["absolute-redirect", n], _) => redirect::absolute(&echo, n),
        (["redirect-to"], _) => redirect::to(&echo),
        (["unstable"], _) => unstable::answer(&echo),
        // Not httpbin's: a per-host limit as seen from here, for a suite in another process.
        (["peak-in-flight"], _) => json_ok(json!(echo.state.peak_in_flight())),
        _ => empty(StatusCode::NOT_FOUND),
    }
}

pub(crate) fn body(bytes: impl Into<Bytes>) -> ServerBody {
    Full::new(bytes.into()).boxed_unsync()
}

pub(crate) fn json_ok(value: impl Into<Value>) -> Response {
    json_response(StatusCode::OK, &value.into())
}

pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut text = serde_json::to_vec_pretty(value).unwrap_or_default();
    text.push(b'\n');
    let mut response = http::Response::new(body(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = http::Response::new(body(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// `/status/200,201,500`: one of the codes, picked at random, as httpbin.
fn index() -> Response {
    let mut response = Response::new(body("<!DOCTYPE html><title>grequests-testserver</title>\n"));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// httpbin's robots.txt: everything but `/deny`.
fn robots() -> Response {
    let mut response = Response::new(body("User-agent: *\nDisallow: /deny\n"));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain"),
    );
    response
}

fn status(codes: &str) -> Response {
    let codes: Vec<u16> = codes
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    if codes.is_empty() {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({"error": "invalid status code"}),
        );
    }
    let code = codes[fastrand::usize(..codes.len())];
    match StatusCode::from_u16(code) {
        Ok(status) => {
            let mut response = empty(status);
            if status.is_redirection() {
                response.headers_mut().insert(
                    http::header::LOCATION,
                    http::HeaderValue::from_static("/redirect/1"),
                );
            }
            response
        }
        Err(_) => json_response(
            StatusCode::BAD_REQUEST,
            &json!({"error": "invalid status code"}),
        ),
    }
}

/// `/response-headers?k=v`: the query as headers, and as the JSON body.
fn response_headers(echo: &Echo) -> Response {
    let args = echo.args();
    let mut response = json_ok(args.clone());
    if let Value::Object(map) = args {
        let mut replaced = std::collections::HashSet::new();
        for (name, value) in map {
            let values = match value {
                Value::Array(list) => list,
                other => vec![other],
            };
            for value in values {
                if let (Ok(name), Some(Ok(value))) = (
                    http::HeaderName::try_from(name.as_str()),
                    value.as_str().map(http::HeaderValue::try_from),
                ) {
                    // The first value replaces a default (Content-Type); later ones add up.
                    if replaced.insert(name.clone()) {
                        response.headers_mut().insert(name, value);
                    } else {
                        response.headers_mut().append(name, value);
                    }
                }
            }
        }
    }
    response
}
