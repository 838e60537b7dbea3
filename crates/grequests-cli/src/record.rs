//! The JSONL record of one input line, the output's schema (documented in the README).

use serde::Serialize;

/// One output line. Fields without a value are left out, except `index` and `url`.
#[derive(Debug, Default, Serialize)]
pub struct Record {
    /// The input line number, from 1.
    pub index: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<serde_json::Value>,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_version: Option<&'static str>,
    /// Lowercase names; a repeated field's values joined by `, ` (RFC 9110 §5.3), but
    /// `set-cookie`'s by a newline, since cookies may hold commas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<serde_json::Map<String, serde_json::Value>>,
    /// The statuses of the redirects followed, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<u16>,
    pub elapsed_ms: u64,
    /// Attempts made (1 unless retried).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_addr: Option<String>,
    /// Body bytes received (decoded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Where `--save-bodies` put the body, relative to its directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_path: Option<String>,
    /// Where this line's WARC records are in the `--warc` file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc: Option<WarcSpan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorRecord>,
}

/// Bytes `offset..offset + length` of the WARC file.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct WarcSpan {
    pub offset: u64,
    pub length: u64,
}

/// Why a line has no response.
#[derive(Debug, Serialize)]
pub struct ErrorRecord {
    /// `builder` (a bad line), `dns`, `tls`, `proxy`, `connect`, `timeout`, `redirect`,
    /// `body`, `decode`, `request`, `robots` (disallowed by robots.txt), `canceled`.
    pub kind: &'static str,
    pub message: String,
}

impl ErrorRecord {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        ErrorRecord {
            kind,
            message: message.into(),
        }
    }

    /// The kind and full message (every cause) of a library error.
    pub fn from_error(err: &grequests::Error) -> Self {
        let mut message = err.to_string();
        let mut cause = std::error::Error::source(err);
        while let Some(next) = cause {
            let text = next.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            cause = next.source();
        }
        ErrorRecord::new(kind_of(err), message)
    }
}

/// One of the library's error predicates, and the kind's name in records.
type NamedKind = (fn(&grequests::Error) -> bool, &'static str);

/// The library's error kinds, named.
fn kind_of(err: &grequests::Error) -> &'static str {
    let kinds: [NamedKind; 12] = [
        (grequests::Error::is_builder, "builder"),
        (grequests::Error::is_dns, "dns"),
        (grequests::Error::is_tls, "tls"),
        (grequests::Error::is_proxy, "proxy"),
        (grequests::Error::is_timeout, "timeout"),
        (grequests::Error::is_connect, "connect"),
        (grequests::Error::is_redirect, "redirect"),
        (grequests::Error::is_body, "body"),
        (grequests::Error::is_decode, "decode"),
        (grequests::Error::is_status, "status"),
        (grequests::Error::is_canceled, "canceled"),
        (grequests::Error::is_request, "request"),
    ];
    kinds
        .iter()
        .find(|(is, _)| is(err))
        .map_or("other", |(_, name)| name)
}

/// HTTP versions as records and WARC name them.
pub fn version_name(version: grequests::http::Version) -> &'static str {
    use grequests::http::Version;
    match version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2",
        Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}

/// A header map as a record holds it.
pub fn headers_object(
    headers: &grequests::http::HeaderMap,
) -> serde_json::Map<String, serde_json::Value> {
    let mut object = serde_json::Map::new();
    for name in headers.keys() {
        let separator = if name == "set-cookie" { "\n" } else { ", " };
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        object.insert(name.as_str().to_owned(), values.join(separator).into());
    }
    object
}
