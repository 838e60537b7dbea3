//! Redirect policy, and the rules that rewrite a request for its next hop.
//!
//! Methods change as requests changes them (`rebuild_method`): 303 becomes GET (except HEAD),
//! 302 becomes GET (except HEAD), 301 turns POST into GET; 307 and 308 keep method and body.
//! Credentials are stricter than requests: `Authorization` and any `Cookie` given on the
//! request stay with the original origin (CVE-2018-18074 and beyond).

use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, TRANSFER_ENCODING};
use http::{Method, StatusCode};
use url::Url;

use super::chain::Replay;
use crate::model::Parts;
use crate::{Error, Result};

/// How many redirects a client follows before failing with a
/// [redirect error](crate::Error::is_redirect).
///
/// ```
/// use grequests_core::redirect::Policy;
/// assert_eq!(Policy::default().max_redirects(), 30);
/// assert_eq!(Policy::none().max_redirects(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    max: usize,
    follow: bool,
}

impl Policy {
    /// Follows up to `max` redirects; one more is an error.
    pub fn limited(max: usize) -> Self {
        Policy { max, follow: true }
    }

    /// Follows no redirects: a 3xx is returned as the response.
    pub fn none() -> Self {
        Policy {
            max: 0,
            follow: false,
        }
    }

    /// The most redirects followed.
    pub fn max_redirects(&self) -> usize {
        self.max
    }

    pub(crate) fn follows(&self) -> bool {
        self.follow
    }
}

impl Default for Policy {
    /// Thirty redirects, as requests.
    fn default() -> Self {
        Policy::limited(30)
    }
}

/// The URL a redirect response points to, relative locations resolved against `from`.
pub(crate) fn location(from: &Url, headers: &http::HeaderMap) -> Option<Result<Url>> {
    let value = headers.get(http::header::LOCATION)?;
    let text = match value.to_str() {
        Ok(text) => text,
        Err(_) => return Some(Err(Error::redirect("Location header is not valid text"))),
    };
    Some(match from.join(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
        Ok(url) => Err(Error::redirect(format!(
            "redirect to unsupported scheme {:?}",
            url.scheme()
        ))),
        Err(e) => Err(Error::redirect(format!("invalid Location {text:?}: {e}"))),
    })
}

/// Rewrites `parts` for the hop to `next`, in place. `replay` is what of the body just sent
/// can be sent again.
pub(crate) fn follow(
    parts: &mut Parts,
    status: StatusCode,
    next: Url,
    replay: Replay,
) -> Result<()> {
    let keeps_method = matches!(
        status,
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
    );
    let becomes_get = match status {
        StatusCode::SEE_OTHER | StatusCode::FOUND => parts.method != Method::HEAD,
        StatusCode::MOVED_PERMANENTLY => parts.method == Method::POST,
        _ => false,
    };
    if becomes_get {
        parts.method = Method::GET;
    }
    if !keeps_method {
        parts.body = None;
        for name in [CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING] {
            parts.headers.remove(name);
        }
    } else {
        parts.body = replay.into_body().map_err(|_| {
            Error::redirect(format!(
                "can't follow a {} redirect: the streaming request body can't be sent twice",
                status.as_u16()
            ))
        })?;
    }
    if should_strip_credentials(parts.url.url(), &next) {
        parts.headers.remove(AUTHORIZATION);
        parts.headers.remove(COOKIE);
        parts.cookies = None;
        parts.left_origin = true;
    }
    parts.url = next.into();
    Ok(())
}

/// requests' `should_strip_auth`: another host, another port, or a scheme change loses the
/// credentials, except the upgrade from `http` to `https` on the same host with default ports.
pub(crate) fn should_strip_credentials(from: &Url, to: &Url) -> bool {
    if from.host_str() != to.host_str() {
        return true;
    }
    if from.scheme() == "http"
        && to.scheme() == "https"
        && from.port().is_none()
        && to.port().is_none()
    {
        return false;
    }
    from.scheme() != to.scheme() || from.port_or_known_default() != to.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn credentials_stay_with_their_origin() {
        let cases = [
            ("http://a.test/x", "http://a.test/y", false),
            ("http://a.test/", "https://a.test/", false),
            ("https://a.test/", "http://a.test/", true),
            ("http://a.test/", "http://b.test/", true),
            ("http://a.test:8080/", "http://a.test:9090/", true),
            ("http://a.test:80/", "http://a.test/", false),
            ("http://a.test:8080/", "https://a.test:8443/", true),
        ];
        for (from, to, strip) in cases {
            assert_eq!(
                should_strip_credentials(&url(from), &url(to)),
                strip,
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn relative_locations_resolve_against_the_current_url() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::LOCATION,
            http::HeaderValue::from_static("../b?c=1"),
        );
        let next = location(&url("http://a.test/x/y/z"), &headers).map(|r| r.ok());
        assert_eq!(next, Some(Some(url("http://a.test/x/b?c=1"))));
    }

    #[test]
    fn a_location_to_another_scheme_is_refused() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::LOCATION,
            http::HeaderValue::from_static("file:///etc/passwd"),
        );
        let next = location(&url("http://a.test/"), &headers);
        assert!(next.is_some_and(|r| r.is_err_and(|e| e.is_redirect())));
    }
}
