//! [`Request`]: a request as built, without the client that will send it (reqwest's
//! `Request`); the builder that holds the client is [`RequestBuilder`](crate::RequestBuilder).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use http::{HeaderMap, Method};
use url::Url;

use super::response::Response;
use super::{IntoMethod, IntoUrl, RequestUrl};
use crate::limits::LowSpeedLimit;
use crate::Body;
use crate::{Error, Result};

/// A callback run once, on the final response, before it is handed over: see
/// [`RequestBuilder::on_response`](crate::RequestBuilder::on_response).
pub type Hook = Box<dyn FnOnce(&mut Response) + Send + 'static>;

/// A callback run on every response of a request, redirects included: see
/// [`RequestBuilder::hook`](crate::RequestBuilder::hook).
pub type EachResponseHook = Box<dyn FnMut(&mut Response) + Send + 'static>;

/// The callback of
/// [`RequestBuilder::on_upload_progress`](crate::RequestBuilder::on_upload_progress): bytes
/// sent so far, and the total when known. Shared by the hops of a redirect chain.
pub(crate) type UploadProgress = Arc<Mutex<dyn FnMut(u64, Option<u64>) + Send>>;

/// A request as built: method, URL, headers, body and settings, or the error its input
/// made; it holds no client. [`RequestBuilder`](crate::RequestBuilder) (what
/// [`Client::get`](crate::Client::get) and friends return) builds one with the client that
/// will send it; [`Client::execute`](crate::Client::execute) sends one, and
/// [`RequestBuilder::from_parts`](crate::RequestBuilder::from_parts) pairs one with a client
/// again for a batch.
///
/// A request that is already an error, [`Request::failed`], can go into a batch without a
/// client: it gets its one result, that error, unsent.
///
/// ```
/// use grequests_core::{Error, Request};
/// let request = Request::new("post", "http://127.0.0.1/upload");
/// assert_eq!(request.method().map(|m| m.as_str()), Some("POST"));
/// let failed = Request::failed(Error::builder("the caller's own check refused it"));
/// assert!(failed.error().is_some_and(Error::is_builder));
/// ```
#[must_use = "a Request does nothing until it is sent"]
pub struct Request {
    /// Boxed: a request is moved half a dozen times on its way into its future (out of the
    /// caller's iterator, into the engine's ticket and launch, into the chain), and inline
    /// each move copied its 368 bytes; the chain's future then holds a pointer.
    pub(crate) parts: Result<Box<Parts>>,
}

/// The validated content of a request.
pub(crate) struct Parts {
    pub(crate) method: Method,
    pub(crate) url: RequestUrl,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Body>,
    /// Cookies given for this request only, as a `Cookie` header value. Sent to the original
    /// host and never carried to another one by a redirect.
    pub(crate) cookies: Option<String>,
    pub(crate) options: OptionsBox,
    pub(crate) hooks: Vec<Hook>,
    pub(crate) each_response: Vec<EachResponseHook>,
    /// Told the bytes sent as the body goes out.
    pub(crate) upload_progress: Option<UploadProgress>,
    /// Set once a redirect left the origin: the client's default credentials are no longer
    /// sent either.
    pub(crate) left_origin: bool,
}

/// Per-request settings; `None` means "the client's default".
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestOptions {
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) allow_redirects: Option<bool>,
    pub(crate) stream: bool,
    pub(crate) max_body_size: Option<Option<u64>>,
    pub(crate) low_speed: Option<Option<LowSpeedLimit>>,
    pub(crate) max_decoded_size: Option<Option<u64>>,
    pub(crate) max_decompression_ratio: Option<Option<u32>>,
}

impl RequestOptions {
    /// Every setting the client's.
    const DEFAULT: RequestOptions = RequestOptions {
        connect_timeout: None,
        read_timeout: None,
        total_timeout: None,
        allow_redirects: None,
        stream: false,
        max_body_size: None,
        low_speed: None,
        max_decoded_size: None,
        max_decompression_ratio: None,
    };
}

impl Default for RequestOptions {
    fn default() -> Self {
        RequestOptions::DEFAULT
    }
}

/// A request's [`RequestOptions`], boxed once one is set: most requests set none, and their
/// `Parts` should not carry room for them (120 bytes inline, 8 boxed), in a batch that
/// holds thousands of requests waiting to be sent.
#[derive(Debug, Clone, Default)]
pub(crate) struct OptionsBox(Option<Box<RequestOptions>>);

impl std::ops::Deref for OptionsBox {
    type Target = RequestOptions;

    fn deref(&self) -> &RequestOptions {
        self.0.as_deref().unwrap_or(&RequestOptions::DEFAULT)
    }
}

impl std::ops::DerefMut for OptionsBox {
    fn deref_mut(&mut self) -> &mut RequestOptions {
        self.0.get_or_insert_with(Box::default)
    }
}

impl Request {
    /// A request with `method` (an [`http::Method`] or its name in any case) to `url`, with
    /// no headers or body yet; a bad method or URL makes it a failed request.
    pub fn new(method: impl IntoMethod, url: impl IntoUrl) -> Request {
        // Most URLs need no parse but the URI's: see `RequestUrl::canonical`.
        let canonical = url.url_text().and_then(RequestUrl::canonical);
        let parts = method.into_method().and_then(|method| {
            let mut headers = HeaderMap::new();
            let url = match canonical {
                Some(url) => url,
                None => {
                    let mut url = url.into_url()?;
                    // requests turns `http://user:pass@host/` into basic auth; so do we, and
                    // the credentials leave the URL so that they are never logged or
                    // redirected with it.
                    if !url.username().is_empty() {
                        let user = percent_decode(url.username());
                        let pass = url.password().map(percent_decode);
                        headers.insert(AUTHORIZATION, basic_auth_value(&user, pass.as_deref()));
                        let _ = url.set_username("");
                        let _ = url.set_password(None);
                    }
                    RequestUrl::from_url(url)
                }
            };
            Ok(Box::new(Parts {
                method,
                url,
                headers,
                body: None,
                cookies: None,
                options: OptionsBox::default(),
                hooks: Vec::new(),
                each_response: Vec::new(),
                upload_progress: None,
                left_origin: false,
            }))
        });
        Request { parts }
    }

    /// A request that is already an error: for a caller whose own checks refused the input
    /// (a Python argument, a line of a URL list), so that the refused request still gets
    /// its one result, `error`, in a batch, without a client and without being sent.
    pub fn failed(error: Error) -> Request {
        Request { parts: Err(error) }
    }

    /// The method, or `None` if the request is invalid.
    pub fn method(&self) -> Option<&Method> {
        self.parts.as_ref().ok().map(|p| &p.method)
    }

    /// The URL with its query, or `None` if the request is invalid.
    pub fn url(&self) -> Option<&Url> {
        self.parts.as_ref().ok().map(|p| p.url.url())
    }

    /// The headers set on this request (its own: the client's defaults and cookies are
    /// added when it is sent), or `None` if the request is invalid.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.parts.as_ref().ok().map(|p| &p.headers)
    }

    /// The body set on this request, or `None` if it has none or is invalid.
    pub fn body(&self) -> Option<&Body> {
        self.parts.as_ref().ok().and_then(|p| p.body.as_ref())
    }

    /// The error this request will fail with when sent, if its input was bad.
    pub fn error(&self) -> Option<&Error> {
        self.parts.as_ref().err()
    }

    /// Applies `edit` to a valid request; an error it returns, carrying the URL, makes the
    /// request a failed one. A failed request stays as it is: its first error is the one
    /// reported.
    pub(crate) fn edit(mut self, edit: impl FnOnce(&mut Parts) -> Result<()>) -> Self {
        if let Ok(parts) = &mut self.parts {
            if let Err(err) = edit(parts) {
                self.parts = Err(err.with_url(parts.url.url().clone()));
            }
        }
        self
    }

    /// A copy of this request, or `None` if it is invalid, its body is a stream (which can
    /// be sent once) or it has response hooks (which run once).
    pub fn try_clone(&self) -> Option<Request> {
        let parts = match &self.parts {
            Err(_) => return None,
            Ok(parts) if !parts.hooks.is_empty() || !parts.each_response.is_empty() => return None,
            Ok(parts) => parts,
        };
        let body = match &parts.body {
            Some(body) => Some(body.try_clone()?),
            None => None,
        };
        Some(Request {
            parts: Ok(Box::new(Parts {
                method: parts.method.clone(),
                url: parts.url.clone(),
                headers: parts.headers.clone(),
                body,
                cookies: parts.cookies.clone(),
                options: parts.options.clone(),
                hooks: Vec::new(),
                each_response: Vec::new(),
                upload_progress: None,
                left_origin: parts.left_origin,
            })),
        })
    }
}

/// A header name and value, or a [builder error](Error::is_builder) that keeps the `http`
/// crate's error as its source and names the header whose value is invalid.
pub(crate) fn header_pair<K, V>(name: K, value: V) -> Result<(HeaderName, HeaderValue)>
where
    HeaderName: TryFrom<K>,
    <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
    HeaderValue: TryFrom<V>,
    <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
{
    let name = HeaderName::try_from(name).map_err(|e| {
        Error::invalid(crate::Input::Header, crate::Cause::source(e.into())).with_context(
            "invalid header name: only letters, digits and !#$%&'*+-.^_`|~ are allowed",
        )
    })?;
    let value = HeaderValue::try_from(value).map_err(|e| {
        Error::invalid(crate::Input::Header, crate::Cause::source(e.into())).with_context(format!(
            "invalid value for header {:?}: control characters such as CR, LF or NUL are not allowed",
            name.as_str()
        ))
    })?;
    if matches!(value.as_bytes().first(), Some(b' ' | b'\t')) {
        // A field value never starts with whitespace (RFC 9110 5.5): servers strip it, so
        // this is not the value meant, as requests rules too.
        return Err(Error::invalid(
            crate::Input::Header,
            format!(
                "invalid value for header {:?}: it starts with whitespace",
                name.as_str()
            ),
        ));
    }
    Ok((name, value))
}

pub(crate) fn basic_auth_value(user: &str, password: Option<&str>) -> HeaderValue {
    let credentials = format!("{user}:{}", password.unwrap_or(""));
    let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
    let mut value = HeaderValue::try_from(format!("Basic {encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("Basic"));
    value.set_sensitive(true);
    value
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.parts {
            Ok(parts) => write!(f, "<Request [{} {}]>", parts.method, parts.url),
            Err(err) => write!(f, "<Request [invalid: {err}]>"),
        }
    }
}
