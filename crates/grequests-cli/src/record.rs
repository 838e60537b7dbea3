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
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_headers"
    )]
    pub headers: Option<grequests::http::HeaderMap>,
    /// The statuses of the redirects followed, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<u16>,
    pub elapsed_ms: u64,
    /// Attempts made (1 unless retried).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// As text (`127.0.0.1:80`, `[::1]:80`): serde writes an address so in JSON, with no
    /// string made for it.
    pub remote_addr: Option<std::net::SocketAddr>,
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
    /// `body`, `decode`, `request`, `robots` (disallowed by robots.txt), `canceled`,
    /// `internal` (a fetch that panicked: a bug).
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
        ErrorRecord::new(kind_of(err), format!("{err:#}"))
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

/// A header map as a record holds it, written straight from the `HeaderMap` (a map built
/// first would cost two allocations a field, on every record).
fn serialize_headers<S: serde::Serializer>(
    headers: &Option<grequests::http::HeaderMap>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let Some(headers) = headers else {
        return serializer.serialize_none();
    };
    let mut map = serializer.serialize_map(Some(headers.keys_len()))?;
    for name in headers.keys() {
        let mut values = headers.get_all(name).iter();
        let first = values.next().map(text).unwrap_or_default();
        match values.next() {
            None => map.serialize_entry(name.as_str(), &first)?,
            Some(second) => {
                let separator = if name == "set-cookie" { "\n" } else { ", " };
                let mut joined = first.into_owned();
                for value in std::iter::once(second).chain(values) {
                    joined.push_str(separator);
                    joined.push_str(&text(value));
                }
                map.serialize_entry(name.as_str(), &joined)?;
            }
        }
    }
    map.end()
}

/// A header value as text: as it is when it is visible ASCII (nearly always), otherwise
/// with invalid UTF-8 replaced.
fn text(value: &grequests::http::HeaderValue) -> std::borrow::Cow<'_, str> {
    match value.to_str() {
        Ok(ascii) => ascii.into(),
        Err(_) => String::from_utf8_lossy(value.as_bytes()),
    }
}
