//! [`to_uri`]: a request's `Url` as the `http::Uri` a transport sends, with the scheme and
//! authority of the last origin remembered per thread.
//!
//! Parsing the whole serialization again costs about 1 100 instructions a request; most of
//! it is the authority, which a batch to one origin repeats on every request. The path and
//! query are parsed on each call by `http` itself, so what is sent is what
//! `url[..AfterQuery].parse::<Uri>()` gives, errors included (a test compares the two).

use std::cell::RefCell;

use http::uri::{Authority, InvalidUri, PathAndQuery, Scheme, Uri};
use url::{Position, Url};

thread_local! {
    /// The last origin turned into a URI on this thread.
    static LAST_ORIGIN: RefCell<Option<LastOrigin>> = const { RefCell::new(None) };
}

struct LastOrigin {
    /// `scheme://authority`, credentials included, as the `Url` serializes it.
    text: String,
    scheme: Scheme,
    authority: Authority,
    /// Whether its authority passed [`assemble_canonical`]'s check: a `Url`'s own origin
    /// (from [`to_uri`]) may hold credentials, which the fast path turns away.
    canonical: bool,
}

/// `url` without its fragment, which is never sent, as an `http::Uri`.
pub(crate) fn to_uri(url: &Url) -> Result<Uri, InvalidUri> {
    let origin = &url[..Position::BeforePath];
    let target = &url[Position::BeforePath..Position::AfterQuery];
    // Only what `http` would read as an absolute-form origin takes the cache: an http(s)
    // scheme and an authority that is the whole of what follows it.
    let authority = origin
        .strip_prefix(url.scheme())
        .and_then(|o| o.strip_prefix("://"));
    match authority {
        Some(authority) if is_http(url.scheme()) => {
            assemble(origin, url.scheme(), authority, target)
        }
        _ => url[..Position::AfterQuery].parse(),
    }
}

/// The URI of `origin` (`scheme://authority`, the two given apart) and `target` (a path
/// and query, or nothing for `/`), the origin's parts parsed once per run of calls to it.
pub(super) fn assemble(
    origin: &str,
    scheme: &str,
    authority: &str,
    target: &str,
) -> Result<Uri, InvalidUri> {
    let (scheme, authority) = match cached(origin) {
        Some((scheme, authority, _)) => (scheme, authority),
        None => remember(origin, scheme, authority, false)?,
    };
    with_target(scheme, authority, target)
}

/// [`assemble`] for a URL's text to be sent as written: `None` unless `is_canonical` holds
/// for its authority, which is asked once per run of calls to one origin.
pub(super) fn assemble_canonical(
    origin: &str,
    scheme: &str,
    authority: &str,
    target: &str,
    is_canonical: impl FnOnce(&str) -> bool,
) -> Option<Uri> {
    let (scheme, authority) = match cached(origin) {
        Some((scheme, authority, true)) => (scheme, authority),
        Some((scheme, authority_parsed, false)) => {
            if !is_canonical(authority) {
                return None;
            }
            LAST_ORIGIN.with(|last| {
                if let Some(last) = last.borrow_mut().as_mut() {
                    last.canonical = true;
                }
            });
            (scheme, authority_parsed)
        }
        None => {
            if !is_canonical(authority) {
                return None;
            }
            remember(origin, scheme, authority, true).ok()?
        }
    };
    with_target(scheme, authority, target).ok()
}

/// The parsed parts of `origin` when it was the last one on this thread, and whether its
/// authority was vouched canonical.
fn cached(origin: &str) -> Option<(Scheme, Authority, bool)> {
    LAST_ORIGIN.with(|last| match &*last.borrow() {
        Some(last) if last.text == origin => {
            Some((last.scheme.clone(), last.authority.clone(), last.canonical))
        }
        _ => None,
    })
}

/// Parses `origin`'s parts and keeps them as the last origin.
fn remember(
    origin: &str,
    scheme: &str,
    authority: &str,
    canonical: bool,
) -> Result<(Scheme, Authority), InvalidUri> {
    let scheme: Scheme = scheme.parse()?;
    let authority: Authority = authority.parse()?;
    let parts = (scheme.clone(), authority.clone());
    LAST_ORIGIN.with(|last| {
        *last.borrow_mut() = Some(LastOrigin {
            text: origin.to_owned(),
            scheme,
            authority,
            canonical,
        });
    });
    Ok(parts)
}

/// The URI of an origin's parts and `target`.
fn with_target(scheme: Scheme, authority: Authority, target: &str) -> Result<Uri, InvalidUri> {
    let path_and_query: PathAndQuery = if target.is_empty() {
        PathAndQuery::from_static("/")
    } else {
        target.parse()?
    };
    let mut parts = http::uri::Parts::default();
    parts.scheme = Some(scheme);
    parts.authority = Some(authority);
    parts.path_and_query = Some(path_and_query);
    Ok(Uri::from_parts(parts).expect("an absolute URI's three parts make a URI"))
}

fn is_http(scheme: &str) -> bool {
    scheme == "http" || scheme == "https"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsed in every order after each other, so that each meets the cache warm with
    /// another origin, and with its own.
    const CORPUS: &[&str] = &[
        "http://127.0.0.1:18080/small",
        "http://127.0.0.1:18080/small?x=1&y=two%20words#frag",
        "http://127.0.0.1:18080",
        "http://127.0.0.1:18080/?",
        "http://user:pass@127.0.0.1:18080/x",
        "http://user@127.0.0.1:18080/x",
        "https://example.com/a/b?c",
        "https://example.com:8443/",
        "http://[::1]:8080/v6?q=[1]",
        "http://example.com/a%7Bb%7D|c^d`e",
        "http://example.com/{}",
        "http://example.com/\"quoted\"",
        "ws://example.com/socket",
        "data:text/plain,hi",
        "mailto:someone@example.com",
        "file:///etc/hosts",
    ];

    fn plain(url: &Url) -> Result<Uri, String> {
        url[..Position::AfterQuery]
            .parse::<Uri>()
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_cached_origin_gives_what_a_whole_parse_gives() {
        let urls: Vec<Url> = CORPUS
            .iter()
            .map(|u| Url::parse(u).expect("the corpus parses"))
            .collect();
        for first in &urls {
            let _ = to_uri(first);
            for url in &urls {
                let cached = to_uri(url).map_err(|e| e.to_string());
                let whole = plain(url);
                assert_eq!(cached, whole, "{url} after {first}");
                if let (Ok(a), Ok(b)) = (&cached, &whole) {
                    assert_eq!(
                        (a.scheme(), a.authority(), a.path_and_query()),
                        (b.scheme(), b.authority(), b.path_and_query()),
                        "{url} after {first}"
                    );
                }
            }
        }
    }
}
