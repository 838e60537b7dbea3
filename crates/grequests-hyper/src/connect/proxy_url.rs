//! A proxy URL checked when the client is built. hyper-util's matcher drops a URL it can't
//! use without a word, which would send the traffic meant for the proxy straight to the
//! server; the builder refuses it instead.

use grequests_transport::{Error, Input, Result};
use http::Uri;

/// The schemes the connectors speak; a URL without one is an HTTP proxy, as in curl.
const SCHEMES: [&str; 6] = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"];

/// `Ok` if the matcher will use `url`. The error never repeats the URL, which may hold
/// the proxy's credentials.
pub(crate) fn check(url: &str) -> Result<()> {
    let invalid = |why: String| Error::invalid(Input::Proxy, format!("invalid proxy URL: {why}"));
    let uri: Uri = url
        .parse()
        .map_err(|e: http::uri::InvalidUri| invalid(e.to_string()))?;
    if let Some(scheme) = uri.scheme_str() {
        if !SCHEMES
            .iter()
            .any(|known| scheme.eq_ignore_ascii_case(known))
        {
            return Err(invalid(format!(
                "unsupported scheme {scheme:?} (use {})",
                SCHEMES.join(", ")
            )));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("no host".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_what_the_matcher_uses() {
        for good in [
            "http://127.0.0.1:3128",
            "http://user:secret@proxy.example:8080",
            "socks5h://127.0.0.1:1080",
            "SOCKS4A://127.0.0.1:1080",
            "127.0.0.1:3128",
        ] {
            assert!(check(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn refuses_what_the_matcher_would_drop_and_never_shows_credentials() {
        for bad in [
            "ftp://user:secret@proxy.example",
            "http://",
            "not a url",
            "",
        ] {
            let err = check(bad).expect_err(bad);
            assert_eq!(err.invalid_input(), Some(Input::Proxy), "{bad}");
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }
}
