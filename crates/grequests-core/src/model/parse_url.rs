//! [`parse`]: `Url::parse` with the origin of the last URL remembered per thread.
//!
//! A batch usually sends many requests to one origin, and most of `Url::parse`'s work there
//! is the scheme and the host (IDNA, IP forms): about 6 100 instructions a URL, against
//! 1 600 for resolving the rest against an already parsed origin. The result is the same
//! `Url` `Url::parse` gives: the origin is parsed by it, and the rest goes through the same
//! parser, as an absolute path (or query, or fragment) reference. Anything else, or anything
//! that could change the host when resolved (`//`, `\`), takes the full parse.

use std::cell::RefCell;

use url::{ParseError, Url};

thread_local! {
    /// The last origin parsed on this thread: its text (`http://host:port`) and its `Url`
    /// (with the path `/`).
    static LAST_ORIGIN: RefCell<Option<(String, Url)>> = const { RefCell::new(None) };
}

/// `Url::parse(input)`, faster when `input`'s origin is the last one seen on this thread.
pub(crate) fn parse(input: &str) -> Result<Url, ParseError> {
    let Some((origin, rest)) = split_origin(input) else {
        return Url::parse(input);
    };
    let joined = LAST_ORIGIN.with(|last| {
        let last = last.borrow();
        match &*last {
            Some((text, base)) if text == origin => Some(base.join(rest)),
            _ => None,
        }
    });
    match joined {
        Some(Ok(url)) => Ok(url),
        // Not seen last (or an error, which the full parse reports in its own words).
        _ => {
            let url = Url::parse(input)?;
            // The origin's Url is the parsed one cut back to its root: cheaper than parsing
            // the origin again, which would make every miss (a crawl over many hosts) dearer.
            let mut base = url.clone();
            base.set_path("/");
            base.set_query(None);
            base.set_fragment(None);
            LAST_ORIGIN.with(|last| *last.borrow_mut() = Some((origin.to_owned(), base)));
            Ok(url)
        }
    }
}

/// `("http://host:port", rest)` when `input` is an http(s) URL whose `rest` is empty or
/// starts a path that cannot be read as another authority, a query or a fragment.
fn split_origin(input: &str) -> Option<(&str, &str)> {
    let after_scheme = if input.len() > 8 && input.as_bytes()[..8].eq_ignore_ascii_case(b"https://")
    {
        8
    } else if input.len() > 7 && input.as_bytes()[..7].eq_ignore_ascii_case(b"http://") {
        7
    } else {
        return None;
    };
    let authority_end = input[after_scheme..]
        .find(['/', '?', '#', '\\'])
        .map_or(input.len(), |at| after_scheme + at);
    let (origin, rest) = input.split_at(authority_end);
    // Credentials, whitespace and controls: the full parse handles their rules.
    if origin[after_scheme..]
        .bytes()
        .any(|b| b == b'@' || b <= b' ' || b == 0x7f)
    {
        return None;
    }
    let safe_rest = match rest.as_bytes() {
        [] => true,
        [b'/', b'/' | b'\\', ..] => false,
        [b'/' | b'?' | b'#', ..] => true,
        _ => false,
    };
    safe_rest.then_some((origin, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// URLs whose parse the fast path must reproduce exactly, errors included; each is
    /// parsed after the others have filled the cache with their origins.
    const CORPUS: &[&str] = &[
        "http://127.0.0.1:18080/small",
        "http://127.0.0.1:18080/small?x=1&y=two words#frag",
        "http://127.0.0.1:18080",
        "http://127.0.0.1:18080?q",
        "http://127.0.0.1:18080#f",
        "http://127.0.0.1:18080/a/./b/../c/%2e%2E/d",
        "http://127.0.0.1:18080/ä/€?ü=ß",
        "http://127.0.0.1:18080/a\tb\nc",
        "http://127.0.0.1:18080/trailing   ",
        "http://127.0.0.1:18080//evil.example/x",
        "http://127.0.0.1:18080/\\evil.example/x",
        "http://127.0.0.1:18080\\evil.example/x",
        "http://127.0.0.1:180800/port",
        "http://127.0.0.1:80/default-port",
        "http://user:pass@127.0.0.1:18080/x",
        "HTTP://Example.COM/Path",
        "http://example.com/path",
        "https://example.com:443/x",
        "https://xn--nxasmq6b.example/x",
        "https://bücher.example/x",
        "http://[::1]:8080/v6",
        "http://0x7f.1/hex-ipv4",
        "http://exa mple.com/",
        "http://",
        "http:///no-host",
        "http://example.com:99999/bad-port",
        "ftp://example.com/",
        "example.com/no-scheme",
        "",
    ];

    #[test]
    fn the_fast_path_gives_what_url_parse_gives() {
        for _round in 0..2 {
            for first in CORPUS {
                let _ = parse(first);
                for input in CORPUS {
                    // Debug shows every component (host kind, port, path…), not only the
                    // serialization that `==` compares.
                    let (fast, full) = (parse(input), Url::parse(input));
                    assert_eq!(
                        format!("{fast:?}"),
                        format!("{full:?}"),
                        "{input:?} after {first:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_safe_rests_take_the_fast_path() {
        assert_eq!(split_origin("http://h:1/x?y"), Some(("http://h:1", "/x?y")));
        assert_eq!(split_origin("http://h//x"), None);
        assert_eq!(split_origin("http://h/\\x"), None);
        assert_eq!(split_origin("http://u@h/x"), None);
        assert_eq!(split_origin("ftp://h/x"), None);
    }
}
