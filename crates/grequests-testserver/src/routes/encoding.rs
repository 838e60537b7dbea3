//! `/gzip`, `/deflate`, `/deflate-raw`, `/brotli` and `/zstd`: JSON compressed with that
//! encoding.

use std::io::Write;

use serde_json::{json, Value};

use super::{body, Response};
use crate::request::Echo;

pub(crate) fn gzip(echo: &Echo) -> Response {
    let payload = payload(echo, "gzipped");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(&payload);
    encoded(encoder.finish().unwrap_or_default(), "gzip")
}

pub(crate) fn deflate(echo: &Echo) -> Response {
    let payload = payload(echo, "deflated");
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(&payload);
    encoded(encoder.finish().unwrap_or_default(), "deflate")
}

pub(crate) fn brotli(echo: &Echo) -> Response {
    let payload = payload(echo, "brotli");
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        let _ = writer.write_all(&payload);
    }
    encoded(out, "br")
}

/// `/zstd`: as `/gzip`, in zstd (which httpbin lacks).
pub(crate) fn zstd(echo: &Echo) -> Response {
    let payload = payload(echo, "zstd");
    encoded(
        zstd::encode_all(&payload[..], 3).unwrap_or_default(),
        "zstd",
    )
}

/// `/deflate-raw`: as `/deflate`, but a raw deflate stream without the zlib wrapper, as
/// some servers send `Content-Encoding: deflate`.
pub(crate) fn deflate_raw(echo: &Echo) -> Response {
    let payload = payload(echo, "deflated");
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(&payload);
    encoded(encoder.finish().unwrap_or_default(), "deflate")
}

fn payload(echo: &Echo, flag: &str) -> Vec<u8> {
    let mut map = echo.basic();
    map.remove("args");
    map.remove("url");
    map.insert(flag.into(), json!(true));
    map.insert("method".into(), json!(echo.parts.method.as_str()));
    serde_json::to_vec_pretty(&Value::Object(map)).unwrap_or_default()
}

fn encoded(data: Vec<u8>, encoding: &'static str) -> Response {
    let mut response = http::Response::new(body(data));
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        http::header::CONTENT_ENCODING,
        http::HeaderValue::from_static(encoding),
    );
    response
}
