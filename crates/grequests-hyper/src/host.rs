//! [`set_http1_host`]: a plain-http request's `Host`, set before hyper-util would set it,
//! the last origin's value reused per thread.

use std::cell::RefCell;

use grequests_transport::Body;
use http::header::{Entry, HeaderValue, HOST};
use http::uri::Scheme;

thread_local! {
    /// The last authority given a `Host` on this thread, and that header's value. A batch to
    /// one origin then clones a shared value (a reference count) instead of copying and
    /// checking the authority for every request (about 600 instructions, measured).
    static LAST_HOST: RefCell<Option<(String, HeaderValue)>> = const { RefCell::new(None) };
}

/// Gives a plain-http request the `Host` header hyper-util would give it, unless it has one.
///
/// hyper-util adds `Host` only once it knows the connection is HTTP/1, and formats
/// `host:port` into a new `String` to do it (2.5k instructions a request, measured); plain
/// http without prior knowledge is always HTTP/1.1, so the header can be known here, copied
/// from the authority as it is. https waits for ALPN, and keeps hyper-util's way. An
/// authority with credentials in it, or with the default port written out, is left to
/// hyper-util too: its `Host` drops both.
pub(crate) fn set_http1_host(request: &mut http::Request<Body>) {
    let uri = request.uri();
    if uri.scheme() != Some(&Scheme::HTTP) {
        return;
    }
    let Some(authority) = uri.authority() else {
        return;
    };
    let authority = authority.as_str();
    if authority.contains('@') || authority.ends_with(":80") {
        return;
    }
    let Some(host) = host_value(authority) else {
        return;
    };
    if let Entry::Vacant(slot) = request.headers_mut().entry(HOST) {
        slot.insert(host);
    }
}

/// `authority` as a header value, from the per-thread cache when it was the last one asked
/// for; `None` when it is no valid header value.
fn host_value(authority: &str) -> Option<HeaderValue> {
    LAST_HOST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((seen, value)) = last.as_ref() {
            if seen == authority {
                return Some(value.clone());
            }
        }
        let value = HeaderValue::from_str(authority).ok()?;
        *last = Some((authority.to_owned(), value.clone()));
        Some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(uri: &str, own: Option<&str>) -> Option<String> {
        let mut request = http::Request::builder().uri(uri);
        if let Some(own) = own {
            request = request.header(HOST, own);
        }
        let mut request = request.body(Body::empty()).expect("a valid request");
        set_http1_host(&mut request);
        let all: Vec<_> = request.headers().get_all(HOST).iter().collect();
        assert!(all.len() <= 1, "one Host at most: {all:?}");
        all.first().map(|v| v.to_str().expect("ASCII").to_owned())
    }

    #[test]
    fn each_origin_gets_its_own_host_in_turn() {
        // Alternating origins on one thread: the cache must follow each change.
        for _ in 0..2 {
            assert_eq!(
                host_of("http://a.test:8080/x", None).as_deref(),
                Some("a.test:8080")
            );
            assert_eq!(host_of("http://b.test/y", None).as_deref(), Some("b.test"));
            assert_eq!(host_of("http://b.test/z", None).as_deref(), Some("b.test"));
        }
    }

    #[test]
    fn the_callers_host_and_what_hyper_util_handles_are_left_alone() {
        assert_eq!(
            host_of("http://a.test/x", Some("other.test")).as_deref(),
            Some("other.test")
        );
        assert_eq!(host_of("https://a.test/x", None), None);
        assert_eq!(host_of("http://user:pw@a.test/x", None), None);
        assert_eq!(host_of("http://a.test:80/x", None), None);
    }
}
