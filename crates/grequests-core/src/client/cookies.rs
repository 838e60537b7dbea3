//! The client's cookie jar: requests' `Session.cookies`, kept by `cookie_store`, which applies
//! the domain, path, `Secure` and expiry rules of RFC 6265, behind the rules a server must
//! not be able to bend: no cookie for a public suffix (the compiled-in list of the `psl`
//! crate), no `Secure` cookie from plain http, and caps on what one server can make the jar
//! hold and send.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use url::Url;

use crate::limits::{MAX_COOKIES_PER_URL, MAX_COOKIE_HEADER, MAX_COOKIE_SIZE};

/// A thread-safe cookie jar. Cookies set by responses are stored and sent back only to the
/// domain and path they belong to.
///
/// A cookie is ignored when its `Domain` is a public suffix other than the host that set
/// it (`Domain=com`, `co.uk`), when it is `Secure` but came over plain http, when it is
/// larger than [`MAX_COOKIE_SIZE`], or when the jar already sends
/// [`MAX_COOKIES_PER_URL`] cookies to that URL. The `Cookie` header it builds stops at
/// [`MAX_COOKIE_HEADER`] bytes.
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
            .peekable();
        if cookies.peek().is_none() {
            return;
        }
        if let Ok(mut store) = self.store.lock() {
            for cookie in cookies {
                store_one(&mut store, cookie, url);
            }
            self.used.store(true, Ordering::Release);
        }
    }

    /// Adds a cookie as if `url` had set it with `Set-Cookie: {cookie}`, under the same
    /// rules.
    pub fn add(&self, cookie: &str, url: &Url) {
        if let Ok(mut store) = self.store.lock() {
            store_one(&mut store, cookie, url);
            self.used.store(true, Ordering::Release);
        }
    }

    /// Whether a cookie was ever stored (none can match a request until then).
    pub(crate) fn ever_stored(&self) -> bool {
        self.used.load(Ordering::Acquire)
    }

    /// The `Cookie` header value for a request to `url`, if any cookie matches.
    pub fn header_for(&self, url: &Url) -> Option<String> {
        if !self.ever_stored() {
            return None;
        }
        let store = self.store.lock().ok()?;
        let mut header = String::new();
        for (name, value) in store.get_request_values(url) {
            if header.len() + name.len() + value.len() + 3 > MAX_COOKIE_HEADER {
                continue;
            }
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

/// A cookie in a [`CookieJar`], as [`CookieJar::all`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCookie {
    /// The cookie's name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// The host it is sent to (and, unless `host_only`, its subdomains).
    pub domain: String,
    /// Whether it is sent to `domain` only, not its subdomains (no `Domain` attribute).
    pub host_only: bool,
    /// The path it is sent under.
    pub path: String,
    /// Whether it is sent over https only.
    pub secure: bool,
}

impl CookieJar {
    /// Every unexpired cookie in the jar: what a session holds, for showing or copying it.
    ///
    /// ```
    /// use grequests_core::{CookieJar, Url};
    /// let jar = CookieJar::new();
    /// let url = Url::parse("https://api.example.com/login").expect("a valid URL");
    /// jar.add("sid=42; Path=/", &url);
    /// let all = jar.all();
    /// assert_eq!((all[0].name.as_str(), all[0].domain.as_str()), ("sid", "api.example.com"));
    /// assert!(all[0].host_only);
    /// ```
    pub fn all(&self) -> Vec<StoredCookie> {
        let Ok(store) = self.store.lock() else {
            return Vec::new();
        };
        store
            .iter_unexpired()
            .map(|cookie| StoredCookie {
                name: cookie.name().to_owned(),
                value: cookie.value().to_owned(),
                domain: String::from(&cookie.domain),
                host_only: matches!(cookie.domain, cookie_store::CookieDomain::HostOnly(_)),
                path: String::from(&cookie.path),
                secure: cookie.secure().unwrap_or(false),
            })
            .collect()
    }
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CookieJar")
    }
}

/// Stores one `Set-Cookie` value received from `url`, unless a rule of [`CookieJar`]
/// refuses it.
fn store_one(store: &mut cookie_store::CookieStore, set_cookie: &str, url: &Url) {
    let Ok(mut cookie) = cookie::Cookie::parse(set_cookie.to_owned()) else {
        return;
    };
    if cookie.name().len() + cookie.value().len() > MAX_COOKIE_SIZE {
        return;
    }
    if cookie.secure() == Some(true) && url.scheme() != "https" {
        return;
    }
    if let Some(domain) = domain_attribute(&cookie) {
        if is_public_suffix(&domain) {
            // RFC 6265 §5.3 step 5: a public suffix is only ever the host's own cookie.
            if url
                .host_str()
                .is_some_and(|host| host.eq_ignore_ascii_case(&domain))
            {
                cookie.unset_domain();
            } else {
                return;
            }
        }
    }
    if store.get_request_values(url).count() >= MAX_COOKIES_PER_URL {
        let domain = domain_attribute(&cookie)
            .or_else(|| url.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        let path = cookie
            .path()
            .map_or_else(|| default_path(url), str::to_owned);
        // At the cap, a cookie the jar already holds may still be updated.
        if !store.contains_any(&domain, &path, cookie.name()) {
            return;
        }
    }
    let _ = store.insert_raw(&cookie, url);
}

/// A cookie's `Domain`, as the store keys it: lower case, without a leading dot.
fn domain_attribute(cookie: &cookie::Cookie<'_>) -> Option<String> {
    cookie
        .domain()
        .map(|d| d.trim_start_matches('.').to_ascii_lowercase())
}

/// Whether `domain` is a public suffix (`com`, `co.uk`, or a name under no known suffix
/// such as `test`), for which no server may set a cookie shared with other sites.
fn is_public_suffix(domain: &str) -> bool {
    psl::suffix_str(domain).is_some_and(|suffix| suffix.eq_ignore_ascii_case(domain))
}

/// RFC 6265 §5.1.4: the directory of the request path.
fn default_path(url: &Url) -> String {
    match url.path().rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(end) => url.path()[..end].to_owned(),
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
    fn public_suffixes_take_no_cookies() {
        let jar = CookieJar::new();
        for domain in ["com", ".com", "co.uk", "test"] {
            let host = if domain.ends_with("uk") {
                "http://evil.co.uk/"
            } else {
                "http://evil.test/"
            };
            jar.add(&format!("x=1; Domain={domain}"), &url(host));
        }
        assert_eq!(jar.header_for(&url("http://victim.test/")), None);
        assert_eq!(jar.header_for(&url("http://victim.co.uk/")), None);
        assert_eq!(jar.header_for(&url("http://evil.test/")), None);
        // A site's own registrable domain is fine, and so is a host that is itself a suffix.
        jar.add("y=2; Domain=evil.test", &url("http://www.evil.test/"));
        assert_eq!(
            jar.header_for(&url("http://a.evil.test/")).as_deref(),
            Some("y=2")
        );
        jar.add("z=3; Domain=test", &url("http://test/"));
        assert_eq!(jar.header_for(&url("http://test/")).as_deref(), Some("z=3"));
        assert_eq!(jar.header_for(&url("http://other.test/")), None);
    }

    #[test]
    fn secure_cookies_set_over_http_are_refused() {
        let jar = CookieJar::new();
        jar.add("token=1; Secure", &url("http://a.test/"));
        assert_eq!(jar.header_for(&url("https://a.test/")), None);
    }

    #[test]
    fn one_server_cannot_flood_the_jar() {
        let jar = CookieJar::new();
        let site = url("http://a.test/");
        for i in 0..10_000 {
            jar.add(&format!("c{i}=v{i}"), &site);
        }
        assert_eq!(jar.cookies_for(&site).len(), MAX_COOKIES_PER_URL);
        // Held cookies can still be updated at the cap.
        jar.add("c0=new", &site);
        assert!(jar
            .cookies_for(&site)
            .contains(&("c0".to_owned(), "new".to_owned())));
        jar.add(
            &format!("big={}", "x".repeat(MAX_COOKIE_SIZE)),
            &url("http://b.test/"),
        );
        assert_eq!(jar.header_for(&url("http://b.test/")), None);
    }

    #[test]
    fn the_cookie_header_is_capped() {
        let jar = CookieJar::new();
        let site = url("http://a.test/");
        for i in 0..100 {
            jar.add(&format!("c{i}={}", "v".repeat(1000)), &site);
        }
        let header = jar.header_for(&site).unwrap_or_default();
        assert!(header.len() <= MAX_COOKIE_HEADER && header.len() > MAX_COOKIE_HEADER - 1100);
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
