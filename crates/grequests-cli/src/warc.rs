//! `--warc`: WARC/1.1 (ISO 28500:2017) request and response records, each record its own
//! gzip member as web archives write them, so that a reader can seek to any record.
//!
//! A response record holds the status line and header fields as received (rebuilt from the
//! parsed head: hyper keeps no raw bytes) and the body as transferred: `--warc` turns the
//! client's decompression off, so a `Content-Encoding` body stays encoded, as the format
//! wants. Chunked transfer coding is undone by hyper, so `Transfer-Encoding` is left out of
//! the stored head. Each hop of a redirect chain gets its pair of records.

use std::io::Write;
use std::time::SystemTime;

use data_encoding::BASE32;
use flate2::write::GzEncoder;
use flate2::Compression;
use grequests::http::{HeaderMap, Method};
use ring::digest::{Context, SHA256};

use crate::record::version_name;

/// One HTTP exchange, as the records store it.
pub struct Exchange<'a> {
    pub method: &'a Method,
    pub url: &'a url::Url,
    pub request_headers: &'a HeaderMap,
    pub request_body: &'a [u8],
    pub status: u16,
    pub reason: &'a str,
    pub version: grequests::http::Version,
    pub response_headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub remote_ip: Option<std::net::IpAddr>,
}

/// Appends the request and response records of `exchange` to `out`, gzipped.
pub fn write_exchange(out: &mut Vec<u8>, exchange: &Exchange<'_>) -> std::io::Result<()> {
    let date = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let response_id = record_id();
    let target = exchange.url.as_str();

    let mut head = format!(
        "{} {} {}\r\n",
        version_name(exchange.version),
        exchange.status,
        exchange.reason
    )
    .into_bytes();
    for (name, value) in exchange.response_headers {
        if name != "transfer-encoding" {
            push_field(&mut head, name.as_str(), value.as_bytes());
        }
    }
    head.extend_from_slice(b"\r\n");
    let mut fields = vec![
        ("WARC-Type", "response".to_owned()),
        ("WARC-Record-ID", response_id.clone()),
        ("WARC-Date", date.clone()),
        ("WARC-Target-URI", target.to_owned()),
        (
            "Content-Type",
            "application/http;msgtype=response".to_owned(),
        ),
        ("WARC-Payload-Digest", digest(&[exchange.body])),
        ("WARC-Block-Digest", digest(&[&head, exchange.body])),
    ];
    if let Some(ip) = exchange.remote_ip {
        fields.push(("WARC-IP-Address", ip.to_string()));
    }
    write_record(out, &fields, &[&head, exchange.body])?;

    let path = &exchange.url[url::Position::BeforePath..url::Position::AfterQuery];
    let mut head = format!("{} {path} HTTP/1.1\r\n", exchange.method).into_bytes();
    if !exchange.request_headers.contains_key("host") {
        let host = &exchange.url[url::Position::BeforeHost..url::Position::AfterPort];
        push_field(&mut head, "host", host.as_bytes());
    }
    for (name, value) in exchange.request_headers {
        push_field(&mut head, name.as_str(), value.as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    let fields = [
        ("WARC-Type", "request".to_owned()),
        ("WARC-Record-ID", record_id()),
        ("WARC-Date", date),
        ("WARC-Target-URI", target.to_owned()),
        ("WARC-Concurrent-To", response_id),
        (
            "Content-Type",
            "application/http;msgtype=request".to_owned(),
        ),
        ("WARC-Block-Digest", digest(&[&head, exchange.request_body])),
    ];
    write_record(out, &fields, &[&head, exchange.request_body])
}

fn push_field(head: &mut Vec<u8>, name: &str, value: &[u8]) {
    head.extend_from_slice(name.as_bytes());
    head.extend_from_slice(b": ");
    head.extend_from_slice(value);
    head.extend_from_slice(b"\r\n");
}

/// One record, its own gzip member.
fn write_record(
    out: &mut Vec<u8>,
    fields: &[(&str, String)],
    block: &[&[u8]],
) -> std::io::Result<()> {
    let length: usize = block.iter().map(|part| part.len()).sum();
    let mut gzip = GzEncoder::new(out, Compression::default());
    gzip.write_all(b"WARC/1.1\r\n")?;
    for (name, value) in fields {
        write!(gzip, "{name}: {value}\r\n")?;
    }
    write!(gzip, "Content-Length: {length}\r\n\r\n")?;
    for part in block {
        gzip.write_all(part)?;
    }
    gzip.write_all(b"\r\n\r\n")?;
    gzip.finish()?;
    Ok(())
}

/// `sha256:` and the base32 digest, as WARC writers label digests.
fn digest(parts: &[&[u8]]) -> String {
    let mut hasher = Context::new(&SHA256);
    for part in parts {
        hasher.update(part);
    }
    format!("sha256:{}", BASE32.encode(hasher.finish().as_ref()))
}

fn record_id() -> String {
    format!("<urn:uuid:{}>", uuid::Uuid::new_v4())
}
