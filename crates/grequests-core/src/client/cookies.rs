//! The client's cookie jar: requests' `Session.cookies`, kept by `cookie_store`, which applies
//! the domain, path, `Secure` and expiry rules of RFC 6265.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use url::Url;

/// A thread-safe cookie jar. Cookies set by responses are stored and sent back only to the
/// domain and path they belong to.
#[derive(Default)]
pub struct CookieJar {
    store: Mutex<cookie_store::CookieStore>,
    /// Whether a cookie was ever stored: most batches never see one, and then no request
    /// needs to take the lock.
    used: AtomicBool,
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores the cookies of `Set-Cookie` headers received from `url`.
    pub fn store_from_headers(&self, url: &Url, headers: &HeaderMap) {
        let mut cookies = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| cookie::Cookie::parse(v.to_owned()).ok())
            .peekable();
        if cookies.peek().is_none() {
            return;
        }
        if let Ok(mut store) = self.store.lock() {
            store.store_response_cookies(cookies, url);
            self.used.store(true, Ordering::Release);
        }
    }

    /// Adds a cookie as if `url` had set it with `Set-Cookie: {cookie}`.
    pub fn add(&self, cookie: &str, url: &Url) {
        if let Ok(cookie) = cookie::Cookie::parse(cookie.to_owned()) {
            if let Ok(mut store) = self.store.lock() {
                store.store_response_cookies(std::iter::once(cookie), url);
                self.used.store(true, Ordering::Release);
            }
        }
    }

    /// The `Cookie` header value for a request to `url`, if any cookie matches.
    pub fn header_for(&self, url: &Url) -> Option<String> {
        if !self.used.load(Ordering::Acquire) {
            return None;
        }
        let store = self.store.lock().ok()?;
        let mut header = String::new();
        for (name, value) in store.get_request_values(url) {
            if !header.is_empty() {
                header.push_str("; ");
            }
            header.push_str(name);
            header.push('=');
            header.push_str(value);
        }
        (!header.is_empty()).then_some(header)
    }

    /// The `(name, value)` pairs that would be sent to `url`.
    pub fn cookies_for(&self, url: &Url) -> Vec<(String, String)> {
        match self.store.lock() {
            Ok(store) => store
                .get_request_values(url)
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CookieJar")
    }
}

/// Joins the non-empty `Cookie` header values given into one.
pub(crate) fn join<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Option<HeaderValue> {
    let joined = values
        .into_iter()
        .flatten()
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    if joined.is_empty() {
        return None;
    }
    HeaderValue::try_from(joined).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn cookies_go_only_to_their_domain_and_path() {
        let jar = CookieJar::new();
        jar.add("session=abc; Path=/app", &url("http://a.test/app/login"));
        assert_eq!(
            jar.header_for(&url("http://a.test/app/home")).as_deref(),
            Some("session=abc")
        );
        assert_eq!(jar.header_for(&url("http://a.test/other")), None);
        assert_eq!(jar.header_for(&url("http://b.test/app/home")), None);
    }

    #[test]
    fn secure_cookies_are_not_sent_over_http() {
        let jar = CookieJar::new();
        jar.add("token=1; Secure", &url("https://a.test/"));
        assert_eq!(
            jar.header_for(&url("https://a.test/")).as_deref(),
            Some("token=1")
        );
        assert_eq!(jar.header_for(&url("http://a.test/")), None);
    }
}
