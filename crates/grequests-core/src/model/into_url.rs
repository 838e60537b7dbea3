use url::Url;

use crate::{Error, Result};

/// Something that can be turned into an `http`/`https` [`Url`]: `&str`, `String`, `Url`.
///
/// A missing scheme is reported with a hint instead of a bare parser message:
///
/// ```
/// use grequests_core::IntoUrl;
/// let err = "fakedomain/".into_url().unwrap_err();
/// assert!(err.is_builder());
/// assert!(err.to_string().contains("missing scheme"));
/// ```
pub trait IntoUrl {
    /// Parses and checks the URL.
    fn into_url(self) -> Result<Url>;

    /// The URL's text, when it is text: a request to a URL already in the form the parser
    /// gives back is made from it without a parse (the `Url` follows when asked for).
    /// `None` (the default) always parses.
    fn url_text(&self) -> Option<&str> {
        None
    }
}

impl IntoUrl for Url {
    fn into_url(self) -> Result<Url> {
        check(self)
    }
}

impl IntoUrl for &Url {
    fn into_url(self) -> Result<Url> {
        check(self.clone())
    }
}

impl IntoUrl for &str {
    fn url_text(&self) -> Option<&str> {
        Some(self)
    }

    fn into_url(self) -> Result<Url> {
        match super::parse_url::parse(self) {
            Ok(url) => check(url),
            Err(url::ParseError::RelativeUrlWithoutBase) => Err(Error::invalid(
                crate::Input::MissingScheme,
                format!("invalid URL {self:?}: missing scheme (did you mean \"http://{self}\"?)"),
            )),
            Err(e) => Err(Error::invalid(
                crate::Input::Url,
                format!("invalid URL {self:?}: {e}"),
            )),
        }
    }
}

impl IntoUrl for String {
    fn url_text(&self) -> Option<&str> {
        Some(self)
    }

    fn into_url(self) -> Result<Url> {
        self.as_str().into_url()
    }
}

impl IntoUrl for &String {
    fn url_text(&self) -> Option<&str> {
        Some(self)
    }

    fn into_url(self) -> Result<Url> {
        self.as_str().into_url()
    }
}

fn check(url: Url) -> Result<Url> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid(
            crate::Input::Scheme,
            format!(
                "unsupported URL scheme {:?} in {url}: only http and https",
                url.scheme()
            ),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(
            crate::Input::Url,
            format!("URL {url} has no host"),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_cannot_be_sent() {
        for bad in [
            "fakedomain/",
            "ftp://x/",
            "http://",
            "http://exa mple.com/",
            "",
        ] {
            let err = bad.into_url().err();
            assert!(err.is_some_and(|e| e.is_builder()), "{bad:?} was accepted");
        }
    }

    #[test]
    fn accepts_http_and_https() {
        assert!("http://127.0.0.1:8080/x?y=1".into_url().is_ok());
        assert!("https://example.invalid".into_url().is_ok());
    }
}
