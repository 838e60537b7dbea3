//! Endpoints about time and size: `/delay/{s}`, `/bytes/{n}`, `/stream/{n}`, `/drip`.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream;
use http::StatusCode;
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use serde_json::json;

use super::{body, empty, json_ok, Response};
use crate::request::Echo;

/// httpbin caps delays at 10 s; so do we.
const MAX_DELAY: Duration = Duration::from_secs(10);
/// httpbin caps `/bytes` at 100 KiB; we allow more for benchmarks.
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// `/delay/{seconds}`: answers like `/anything` after the delay (fractions allowed).
pub(crate) async fn delay(echo: &Echo, seconds: &str) -> Response {
    let Ok(seconds) = seconds.parse::<f64>() else {
        return empty(StatusCode::BAD_REQUEST);
    };
    let delay = Duration::try_from_secs_f64(seconds.max(0.0))
        .unwrap_or(MAX_DELAY)
        .min(MAX_DELAY);
    tokio::time::sleep(delay).await;
    json_ok(echo.with_body())
}

/// `/bytes/{n}`: `n` random bytes (`?seed=` makes them repeatable).
pub(crate) fn bytes(echo: &Echo, n: &str) -> Response {
    let Ok(n) = n.parse::<usize>() else {
        return empty(StatusCode::BAD_REQUEST);
    };
    let mut rng = match echo.arg("seed").and_then(|s| s.parse().ok()) {
        Some(seed) => fastrand::Rng::with_seed(seed),
        None => fastrand::Rng::new(),
    };
    let data: Vec<u8> = (0..n.min(MAX_BYTES)).map(|_| rng.u8(..)).collect();
    let mut response = http::Response::new(body(data));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/octet-stream"),
    );
    response
}

/// `/stream/{n}`: `n` JSON lines (at most 100), sent as separate chunks.
pub(crate) fn lines(echo: &Echo, n: &str) -> Response {
    let Ok(n) = n.parse::<usize>() else {
        return empty(StatusCode::BAD_REQUEST);
    };
    let base = echo.basic();
    let chunks: Vec<Result<Frame<Bytes>, Infallible>> = (0..n.min(100))
        .map(|id| {
            let mut line = base.clone();
            line.insert("id".into(), json!(id));
            let mut text = serde_json::to_vec(&line).unwrap_or_default();
            text.push(b'\n');
            Ok(Frame::data(Bytes::from(text)))
        })
        .collect();
    let mut response = http::Response::new(StreamBody::new(stream::iter(chunks)).boxed_unsync());
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// `/drip?duration=2&numbytes=10&code=200&delay=0`: `numbytes` asterisks spread over
/// `duration` seconds, after `delay` seconds.
pub(crate) fn drip(echo: &Echo) -> Response {
    let seconds = |name: &str, default: f64| {
        echo.arg(name)
            .and_then(|v| v.parse::<f64>().ok())
            .and_then(|v| Duration::try_from_secs_f64(v.max(0.0)).ok())
            .unwrap_or(Duration::from_secs_f64(default))
            .min(MAX_DELAY)
    };
    let duration = seconds("duration", 2.0);
    let delay = seconds("delay", 0.0);
    let count: u32 = echo
        .arg("numbytes")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .min(10 * 1024 * 1024);
    let status = echo
        .arg("code")
        .and_then(|c| c.parse::<u16>().ok())
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::OK);
    let pause = if count == 0 {
        Duration::ZERO
    } else {
        duration / count
    };
    let drops = stream::unfold((0u32, delay), move |(sent, wait)| async move {
        if sent >= count {
            return None;
        }
        tokio::time::sleep(wait).await;
        Some((
            Ok::<_, Infallible>(Frame::data(Bytes::from_static(b"*"))),
            (sent + 1, pause),
        ))
    });
    let mut response = http::Response::new(StreamBody::new(drops).boxed_unsync());
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(length) = http::HeaderValue::try_from(count.to_string()) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_LENGTH, length);
    }
    response
}
