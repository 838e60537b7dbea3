//! [`RequestUrl`]: a request's URL as the `http::Uri` it is sent to, with the `Url` made
//! only when something asks for it.
//!
//! Most URLs a batch sends are already in the form `Url::parse` would give them back in:
//! `http://host:port/path?query`, lowercase, nothing to encode or resolve. For those the
//! full parse (about 2 000 instructions even with the origin cached, see `parse_url`) buys
//! nothing the transport needs: [`RequestUrl::canonical`] checks the text in one pass and
//! builds the URI from it, and the `Url` is parsed on first use (a cookie jar that holds
//! cookies, a redirect, an error, [`Response::url`](crate::Response::url)). Any other text
//! takes the full parse, as before. Tests hold the fast path to `Url::parse`: whatever it
//! accepts, `Url::parse` gives back unchanged.

use std::fmt;
use std::sync::{Arc, OnceLock};

use http::uri::{InvalidUri, Uri};
use url::Url;

/// A request's URL: the URI it is sent to, the `Url`, or both. At least one is always set;
/// a `sent` URI made by [`canonical`](RequestUrl::canonical) is the exact text of the `Url`.
///
/// The `Url` is behind a pointer: a request's state is moved a dozen times on its way, and
/// the hot path never makes one. Shared (`Arc`) rather than boxed, so that the copies a
/// request's chain makes for its responses (one per hop) count a reference instead of
/// copying the URL; one that is changed is copied then ([`url_mut`](RequestUrl::url_mut)).
#[derive(Clone)]
pub(crate) struct RequestUrl {
    sent: Option<Uri>,
    url: OnceLock<Arc<Url>>,
}

impl RequestUrl {
    /// A URL parsed already; its URI is made when it is sent.
    pub(crate) fn from_url(url: Url) -> Self {
        RequestUrl {
            sent: None,
            url: OnceLock::from(Arc::new(url)),
        }
    }

    /// `text` as a URI without a `Url`, when it is an http(s) URL that `Url::parse` would
    /// give back unchanged; `None` sends it the long way.
    pub(crate) fn canonical(text: &str) -> Option<Self> {
        let (scheme, rest) = if let Some(rest) = text.strip_prefix("http://") {
            ("http", rest)
        } else {
            ("https", text.strip_prefix("https://")?)
        };
        let authority_len = rest.bytes().position(|b| b == b'/')?;
        let (authority, target) = rest.split_at(authority_len);
        if !is_canonical_target(target) {
            return None;
        }
        let origin = &text[..text.len() - target.len()];
        // The authority is checked once per run of requests to one origin.
        let sent = super::uri::assemble_canonical(origin, scheme, authority, target, |a| {
            is_canonical_authority(a, scheme)
        })?;
        Some(RequestUrl {
            sent: Some(sent),
            url: OnceLock::new(),
        })
    }

    /// The `Url`, parsed now if it was not yet.
    pub(crate) fn url(&self) -> &Url {
        self.url.get_or_init(|| {
            let text = self.sent.as_ref().map(Uri::to_string).unwrap_or_default();
            let url = Url::parse(&text);
            Arc::new(url.expect("a canonical URL is one Url::parse gives back unchanged"))
        })
    }

    /// The `Url` to change; the URI is made again from it when sent.
    pub(crate) fn url_mut(&mut self) -> &mut Url {
        self.url();
        self.sent = None;
        Arc::make_mut(self.url.get_mut().expect("made just now"))
    }

    /// The URI to send (without the fragment, which is never sent).
    pub(crate) fn to_uri(&self) -> Result<Uri, InvalidUri> {
        match &self.sent {
            Some(uri) => Ok(uri.clone()),
            None => super::uri::to_uri(self.url()),
        }
    }

    /// Whether the `Url` was made (for tests of what the hot path avoids).
    #[cfg(test)]
    pub(crate) fn is_parsed(&self) -> bool {
        self.url.get().is_some()
    }
}

impl From<Url> for RequestUrl {
    fn from(url: Url) -> Self {
        RequestUrl::from_url(url)
    }
}

impl fmt::Display for RequestUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.sent, self.url.get()) {
            (_, Some(url)) => fmt::Display::fmt(url, f),
            (Some(uri), None) => fmt::Display::fmt(uri, f),
            (None, None) => Ok(()),
        }
    }
}

impl fmt::Debug for RequestUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

/// `host[:port]` as `Url` writes it: a lowercase ASCII domain (no IDNA label, no last
/// label that may read as a number, which would make it an IPv4 address) or a dotted-quad
/// IPv4 address in its shortest form; a port in its shortest form, not the scheme's default.
fn is_canonical_authority(authority: &str, scheme: &str) -> bool {
    let (host, port) = match authority.as_bytes().iter().rposition(|&b| b == b':') {
        Some(at) => (&authority[..at], Some(&authority[at + 1..])),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|port| {
        let default = if scheme == "https" { "443" } else { "80" };
        (1..=5).contains(&port.len())
            && !(port.len() > 1 && port.starts_with('0'))
            && decimal(port.as_bytes()).is_some_and(|p| p <= 65_535)
            && port != default
    });
    port_ok && is_canonical_host(host.as_bytes())
}

/// One pass over the host's labels: each non-empty, of lowercase letters, digits and
/// hyphens, none an IDNA label (`xn--`). A last label that starts with a digit may read as
/// a number (`1.2.3`, `a.0x10`), so that host must be a dotted quad in shortest form.
fn is_canonical_host(host: &[u8]) -> bool {
    let mut label_start = 0;
    for (at, &b) in host.iter().enumerate() {
        if b == b'.' {
            if at == label_start {
                return false;
            }
            label_start = at + 1;
        } else {
            let allowed = b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
            if !allowed || (at == label_start && host[at..].starts_with(b"xn--")) {
                return false;
            }
        }
    }
    match host.get(label_start) {
        None => false,
        Some(first) if first.is_ascii_lowercase() => true,
        Some(_) => is_canonical_ipv4(host),
    }
}

/// Four decimal octets, each in its shortest form: a byte loop, as every request to an
/// address runs it (`split` and `parse` took ~1 000 instructions for `127.0.0.1`).
fn is_canonical_ipv4(host: &[u8]) -> bool {
    let mut parts = 0;
    for part in host.split(|&b| b == b'.') {
        parts += 1;
        let shortest = (1..=3).contains(&part.len()) && !(part.len() > 1 && part[0] == b'0');
        if !shortest || decimal(part).is_none_or(|octet| octet > 255) {
            return false;
        }
    }
    parts == 4
}

/// The value of at most five ASCII digits; `None` for anything else.
fn decimal(digits: &[u8]) -> Option<u32> {
    if digits.len() > 5 {
        return None;
    }
    digits.iter().try_fold(0u32, |value, &b| {
        b.is_ascii_digit().then(|| value * 10 + u32::from(b - b'0'))
    })
}

/// Bytes `Url` keeps as written in a path and a query: ASCII letters and digits, and
/// `-._~!$&()*+,;=:@/%`.
const PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut b = 0;
    while b < 256 {
        plain[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let marks = b"-._~!$&()*+,;=:@/%";
    let mut i = 0;
    while i < marks.len() {
        plain[marks[i] as usize] = true;
        i += 1;
    }
    plain
};

/// A path (and query) that `Url` keeps as written, checked in one pass: only [`PLAIN`]
/// bytes (a `?` starts the query, where more `?` may follow), so no fragment, no backslash
/// (a `/` to `Url`); no `.` or `..` segment (resolved away), and no `//` at its start (it
/// would read as an authority).
fn is_canonical_target(target: &str) -> bool {
    let bytes = target.as_bytes();
    if bytes.starts_with(b"//") {
        return false;
    }
    let mut segment_start = 0;
    for (at, &b) in bytes.iter().enumerate() {
        match b {
            b'/' | b'?' => {
                if is_dot_segment(&bytes[segment_start..at]) {
                    return false;
                }
                if b == b'?' {
                    return bytes[at + 1..]
                        .iter()
                        .all(|&b| PLAIN[b as usize] || b == b'?');
                }
                segment_start = at + 1;
            }
            _ if PLAIN[b as usize] => {}
            _ => return false,
        }
    }
    !is_dot_segment(&bytes[segment_start..])
}

/// `.` or `..`, written plainly or percent-encoded (`%2e`), as `Url` resolves them.
fn is_dot_segment(segment: &[u8]) -> bool {
    const DOTS: [&[u8]; 6] = [b".", b"..", b"%2e", b".%2e", b"%2e.", b"%2e%2e"];
    matches!(segment.first(), Some(b'.' | b'%'))
        && segment.len() <= 6
        && DOTS.iter().any(|dots| segment.eq_ignore_ascii_case(dots))
}

#[cfg(test)]
mod tests;
