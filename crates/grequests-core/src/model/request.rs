//! [`Request`]: an unsent request, grequests' `AsyncRequest`.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, Method};
use serde::Serialize;
use url::Url;

use super::multipart::Form;
use super::pairs::pairs;
use super::response::Response;
use super::IntoUrl;
use crate::client::{BatchOptions, Client};
#[cfg(doc)]
use crate::limits::DecodeLimits;
use crate::limits::LowSpeedLimit;
use crate::Body;
use crate::{Error, Result};

/// A callback run once, on the final response, before it is handed over: see
/// [`Request::on_response`].
pub type Hook = Box<dyn FnOnce(&mut Response) + Send + 'static>;

/// A callback run on every response of a request, redirects included: see
/// [`Request::hook`].
pub type EachResponseHook = Box<dyn FnMut(&mut Response) + Send + 'static>;

/// An unsent request: built with [`Client::get`] and friends, sent with [`Request::send`] or
/// in a batch with [`map`](crate::map) / [`imap`](crate::imap).
///
/// Every keyword of requests has a builder method here. Mistakes do not panic and need no
/// `?` while building: the first bad input (URL, header, body) is kept and reported as a
/// [builder error](Error::is_builder) when the request is sent, through the same path as
/// any other failure.
///
/// | requests | grequests for Rust |
/// |---|---|
/// | `params={'q': 'x'}` | [`.params(&[("q", "x")])`](Request::params) |
/// | `data={'k': 'v'}` / `data=b'raw'` | [`.form(&..)`](Request::form) / [`.data(..)`](Request::data) |
/// | `json=obj` | [`.json(&obj)`](Request::json) |
/// | `headers={..}` | [`.header(k, v)`](Request::header) / [`.headers(map)`](Request::headers) |
/// | `cookies={..}` | [`.cookie(k, v)`](Request::cookie) |
/// | `files={..}` | [`.multipart(form)`](Request::multipart) |
/// | `auth=(u, p)` | [`.basic_auth(u, Some(p))`](Request::basic_auth) / [`.bearer_auth(t)`](Request::bearer_auth) |
/// | `timeout=1.5` / `timeout=(3, 10)` | [`.timeout(d)`](Request::timeout) / [`.connect_timeout`](Request::connect_timeout) + [`.read_timeout`](Request::read_timeout) |
/// | `allow_redirects=False` | [`.allow_redirects(false)`](Request::allow_redirects) |
/// | `hooks={'response': f}`, grequests' `callback=f` | [`.hook(f)`](Request::hook) (every response, redirects included) |
/// | `stream=True` | [`.stream(true)`](Request::stream) |
#[must_use = "a Request does nothing until it is sent with send(), map() or imap()"]
pub struct Request {
    pub(crate) client: Client,
    pub(crate) parts: Result<Parts>,
}

/// The validated content of a request.
pub(crate) struct Parts {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Body>,
    /// Cookies given for this request only, as a `Cookie` header value. Sent to the original
    /// host and never carried to another one by a redirect.
    pub(crate) cookies: Option<String>,
    pub(crate) options: RequestOptions,
    pub(crate) hooks: Vec<Hook>,
    pub(crate) each_response: Vec<EachResponseHook>,
    /// Told the bytes sent as the body goes out.
    pub(crate) upload_progress: Option<crate::client::upload::UploadProgress>,
    /// Set once a redirect left the origin: the client's default credentials are no longer
    /// sent either.
    pub(crate) left_origin: bool,
}

/// Per-request settings; `None` means "the client's default".
#[derive(Debug, Clone, Copy, Default)]
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

impl Request {
    pub(crate) fn new(client: Client, method: Result<Method>, url: impl IntoUrl) -> Request {
        let parts = method.and_then(|method| url.into_url().map(|url| (method, url)));
        let parts = parts.map(|(method, mut url)| {
            let mut headers = HeaderMap::new();
            // requests turns `http://user:pass@host/` into basic auth; so do we, and the
            // credentials leave the URL so that they are never logged or redirected with it.
            if !url.username().is_empty() {
                let user = percent_decode(url.username());
                let pass = url.password().map(percent_decode);
                headers.insert(AUTHORIZATION, basic_auth_value(&user, pass.as_deref()));
                let _ = url.set_username("");
                let _ = url.set_password(None);
            }
            Parts {
                method,
                url,
                headers,
                body: None,
                cookies: None,
                options: RequestOptions::default(),
                hooks: Vec::new(),
                each_response: Vec::new(),
                upload_progress: None,
                left_origin: false,
            }
        });
        Request { client, parts }
    }

    /// The method, or `None` if the request is invalid.
    pub fn method(&self) -> Option<&Method> {
        self.parts.as_ref().ok().map(|p| &p.method)
    }

    /// The URL with its query, or `None` if the request is invalid.
    pub fn url(&self) -> Option<&Url> {
        self.parts.as_ref().ok().map(|p| &p.url)
    }

    /// The headers set on this request (its own: the client's defaults and cookies are
    /// added when it is sent), or `None` if the request is invalid.
    pub fn headers_ref(&self) -> Option<&HeaderMap> {
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

    /// Makes this request fail with `error` when sent, unless it already has a builder
    /// error: for a caller that checks input of its own (seconds from Python, a field of a
    /// JSONL line), so that the bad request still gets its one result in a batch.
    ///
    /// ```
    /// use grequests_core::{Error, Input};
    /// # let client = grequests_core::Client::with_transport(grequests_core::transport_fn(|_| async { unreachable!() }));
    /// let req = client.get("http://127.0.0.1/").fail_with(Error::invalid(Input::Timeout, "-1 s"));
    /// assert_eq!(req.error().and_then(Error::invalid_input), Some(Input::Timeout));
    /// ```
    pub fn fail_with(self, error: Error) -> Self {
        self.with(|_| Err(error))
    }

    /// The client this request will be sent with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn with(mut self, edit: impl FnOnce(&mut Parts) -> Result<()>) -> Self {
        if let Ok(parts) = &mut self.parts {
            if let Err(err) = edit(parts) {
                self.parts = Err(err.with_url(parts.url.clone()));
            }
        }
        self
    }

    /// Adds query parameters (requests' `params`), from anything serde can serialise as
    /// pairs: `&[("k", "v")]`, a map, or a struct. A list value repeats its key
    /// (`&[("multi", ["1", "2"])]` gives `multi=1&multi=2`) and `None` drops it, as in
    /// requests.
    ///
    /// ```
    /// # let client = grequests_core::Client::with_transport(grequests_core::transport_fn(|_| async { unreachable!() }));
    /// let req = client.get("http://127.0.0.1/search").params(&[("q", "rust"), ("page", "2")]);
    /// assert_eq!(req.url().map(|u| u.as_str()), Some("http://127.0.0.1/search?q=rust&page=2"));
    /// ```
    pub fn params<T: Serialize + ?Sized>(self, params: &T) -> Self {
        self.with(|parts| {
            let pairs = pairs(params).map_err(|e| {
                Error::invalid(
                    crate::Input::Url,
                    format!("query parameters can't be encoded: {e}"),
                )
            })?;
            if !pairs.is_empty() {
                parts.url.query_pairs_mut().extend_pairs(pairs);
            }
            Ok(())
        })
    }

    /// Sets a header, replacing any previous value. A name or value that is not valid HTTP
    /// (a CR or LF smuggled into a value, say) makes the request fail as a builder error.
    pub fn header<K, V>(self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.with(|parts| {
            let (name, value) = header_pair(name, value)?;
            parts.headers.insert(name, value);
            Ok(())
        })
    }

    /// Sets several headers, replacing previous values of the same names; a name repeated
    /// in `headers` keeps every one of its values.
    pub fn headers(self, headers: HeaderMap) -> Self {
        self.with(|parts| {
            for name in headers.keys() {
                parts.headers.remove(name);
            }
            for (name, value) in &headers {
                parts.headers.append(name.clone(), value.clone());
            }
            Ok(())
        })
    }

    /// Sends a cookie with this request only (requests' `cookies`). It is not stored in the
    /// client's jar and not carried to another host by a redirect.
    pub fn cookie(self, name: &str, value: &str) -> Self {
        self.with(|parts| {
            let valid_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
            // What requests accepts: anything but what would break the header (a quoted
            // value, a space and non-ASCII included).
            let valid_value = !value
                .chars()
                .any(|c| c == ';' || (c.is_control() && c != '\t'));
            if !valid_name || !valid_value {
                return Err(Error::invalid(crate::Input::Cookie, format!(
                    "invalid cookie {name:?}: a name is a token, a value may not hold ';', CR, LF, NUL or other control characters"
                )));
            }
            let jar = parts.cookies.get_or_insert_with(String::new);
            if !jar.is_empty() {
                jar.push_str("; ");
            }
            jar.push_str(name);
            jar.push('=');
            jar.push_str(value);
            Ok(())
        })
    }

    /// Sets a raw body (requests' `data=b"..."`).
    pub fn data(self, body: impl Into<Body>) -> Self {
        self.with(|parts| {
            parts.body = Some(body.into());
            Ok(())
        })
    }

    /// Sends a form, `application/x-www-form-urlencoded` (requests' `data={...}`), from the
    /// same shapes as [`params`](Request::params).
    pub fn form<T: Serialize + ?Sized>(self, form: &T) -> Self {
        self.with(|parts| {
            let pairs = pairs(form).map_err(|e| {
                Error::invalid(crate::Input::Body, format!("form can't be encoded: {e}"))
            })?;
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            set_body(parts, encoded.into(), "application/x-www-form-urlencoded");
            Ok(())
        })
    }

    /// Sends JSON (requests' `json=`); `Content-Type: application/json` unless set.
    pub fn json<T: Serialize + ?Sized>(self, json: &T) -> Self {
        self.with(|parts| {
            let encoded = serde_json::to_vec(json).map_err(|e| {
                Error::invalid(
                    crate::Input::Body,
                    format!("body can't be serialised as JSON: {e}"),
                )
            })?;
            set_body(parts, encoded.into(), "application/json");
            Ok(())
        })
    }

    /// Sends a `multipart/form-data` body (requests' `files=`).
    pub fn multipart(self, form: Form) -> Self {
        self.with(|parts| {
            let encoded = form.encode()?;
            if let (true, Some(length)) = (encoded.body.is_streaming(), encoded.length) {
                // A streamed form of known length still says so: some servers (and object
                // stores' signed uploads) refuse chunked uploads.
                parts
                    .headers
                    .insert(http::header::CONTENT_LENGTH, HeaderValue::from(length));
            }
            set_body(parts, encoded.body, &encoded.content_type);
            Ok(())
        })
    }

    /// HTTP basic authentication (requests' `auth=(user, password)`).
    pub fn basic_auth(self, user: &str, password: Option<&str>) -> Self {
        self.with(|parts| {
            parts
                .headers
                .insert(AUTHORIZATION, basic_auth_value(user, password));
            Ok(())
        })
    }

    /// Bearer token authentication.
    pub fn bearer_auth(self, token: &str) -> Self {
        self.with(|parts| {
            let mut value = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
                Error::invalid(
                    crate::Input::Header,
                    "invalid bearer token: control characters",
                )
            })?;
            value.set_sensitive(true);
            parts.headers.insert(AUTHORIZATION, value);
            Ok(())
        })
    }

    /// Sets the connect and the read timeout to `timeout` each, as requests'
    /// `timeout=1.5` does. It is not a limit on the whole exchange: see
    /// [`total_timeout`](Request::total_timeout).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.connect_timeout(timeout).read_timeout(timeout)
    }

    /// Limits establishing the connection (requests' `timeout=(connect, read)`, first part).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.with(|parts| {
            parts.options.connect_timeout = Some(timeout);
            Ok(())
        })
    }

    /// Limits each wait for the server: for the head, then between body chunks.
    pub fn read_timeout(self, timeout: Duration) -> Self {
        self.with(|parts| {
            parts.options.read_timeout = Some(timeout);
            Ok(())
        })
    }

    /// Limits the whole exchange, redirects and body included.
    pub fn total_timeout(self, timeout: Duration) -> Self {
        self.with(|parts| {
            parts.options.total_timeout = Some(timeout);
            Ok(())
        })
    }

    /// Whether to follow redirects (default: the client's policy, which follows them).
    pub fn allow_redirects(self, allow: bool) -> Self {
        self.with(|parts| {
            parts.options.allow_redirects = Some(allow);
            Ok(())
        })
    }

    /// Leaves the body unread, to be read chunk by chunk with [`Response::chunk`].
    pub fn stream(self, stream: bool) -> Self {
        self.with(|parts| {
            parts.options.stream = stream;
            Ok(())
        })
    }

    /// Fails the request with a [body error](Error::is_body) if the response body read into
    /// memory is larger than `bytes` (default: the client's, 64 MiB unless changed);
    /// `None` removes the limit. A streamed body is not bounded in total, only per read.
    pub fn max_body_size(self, bytes: impl Into<Option<u64>>) -> Self {
        let bytes = bytes.into();
        self.with(|parts| {
            parts.options.max_body_size = Some(bytes);
            Ok(())
        })
    }

    /// Fails the request with a [timeout](Error::is_timeout) when fewer than
    /// `limit.bytes()` arrive in `limit.window()`, the head included once a connection is
    /// ready (default: the client's, 1 KiB per 60 s unless changed); `None` removes the
    /// guard. See [`LowSpeedLimit`].
    pub fn low_speed_limit(self, limit: impl Into<Option<LowSpeedLimit>>) -> Self {
        let limit = limit.into();
        self.with(|parts| {
            parts.options.low_speed = Some(limit);
            Ok(())
        })
    }

    /// Fails the request with a [decode error](Error::is_decode) when its decompressed body
    /// grows past `bytes` (default: the client's, none unless changed); `None` removes it.
    pub fn max_decoded_body_size(self, bytes: impl Into<Option<u64>>) -> Self {
        let bytes = bytes.into();
        self.with(|parts| {
            parts.options.max_decoded_size = Some(bytes);
            Ok(())
        })
    }

    /// The decompression-bomb guard: fails the request with a
    /// [decode error](Error::is_decode) when, past 8 MiB decoded, the body decodes to more
    /// than `ratio` times what was received (default: the client's, 100 unless changed);
    /// `None` removes the guard. See [`DecodeLimits`].
    pub fn max_decompression_ratio(self, ratio: impl Into<Option<u32>>) -> Self {
        let ratio = ratio.into();
        self.with(|parts| {
            parts.options.max_decompression_ratio = Some(ratio);
            Ok(())
        })
    }

    /// Calls `progress(sent, total)` as the body goes out, with the bytes handed to the
    /// connection so far and the body's length when known: an upload progress bar. Each
    /// hop of a redirect that resends the body starts again from 0.
    ///
    /// ```
    /// # let client = grequests_core::Client::with_transport(grequests_core::transport_fn(|_| async { unreachable!() }));
    /// let req = client
    ///     .post("http://127.0.0.1/upload")
    ///     .data(vec![0u8; 1 << 20])
    ///     .on_upload_progress(|sent, total| eprintln!("{sent} of {total:?} bytes"));
    /// # drop(req);
    /// ```
    pub fn on_upload_progress(
        self,
        progress: impl FnMut(u64, Option<u64>) + Send + 'static,
    ) -> Self {
        self.with(|parts| {
            parts.upload_progress = Some(std::sync::Arc::new(std::sync::Mutex::new(progress)));
            Ok(())
        })
    }

    /// Runs `hook` on every response of this request as it arrives, each redirect's and
    /// the final one's, as requests runs `hooks={'response': f}` and grequests its
    /// `callback=`. Hooks run in the order added, on the task that sends the request; a
    /// redirect's response has no body. For the final response alone, see
    /// [`on_response`](Request::on_response).
    ///
    /// ```
    /// # let client = grequests_core::Client::with_transport(grequests_core::transport_fn(|_| async { unreachable!() }));
    /// let req = client.get("http://127.0.0.1/redirect/2").hook(|response| {
    ///     println!("{} {}", response.status(), response.url());
    /// });
    /// # drop(req);
    /// ```
    pub fn hook(self, hook: impl FnMut(&mut Response) + Send + 'static) -> Self {
        self.with(|parts| {
            parts.each_response.push(Box::new(hook));
            Ok(())
        })
    }

    /// Runs `hook` once, on the final response, before it is handed over. Hooks run in
    /// the order added, on the task that receives the response, and never for a request
    /// whose batch was dropped. For every response of a redirect chain, as requests' hooks,
    /// see [`hook`](Request::hook).
    pub fn on_response(self, hook: impl FnOnce(&mut Response) + Send + 'static) -> Self {
        self.with(|parts| {
            parts.hooks.push(Box::new(hook));
            Ok(())
        })
    }

    /// A copy of this request, or `None` if its body is a stream (which can be sent once) or
    /// it has response hooks (which run once).
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
            client: self.client.clone(),
            parts: Ok(Parts {
                method: parts.method.clone(),
                url: parts.url.clone(),
                headers: parts.headers.clone(),
                body,
                cookies: parts.cookies.clone(),
                options: parts.options,
                hooks: Vec::new(),
                each_response: Vec::new(),
                upload_progress: None,
                left_origin: parts.left_origin,
            }),
        })
    }

    /// Sends this request on its own.
    ///
    /// ```no_run
    /// # async fn run(client: grequests_core::Client) -> grequests_core::Result<()> {
    /// let response = client.get("http://127.0.0.1:8080/get").send().await?;
    /// println!("{response:?} {}", response.text()?);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Response> {
        let Request { client, parts } = self;
        let mut parts = parts?;
        let hooks = std::mem::take(&mut parts.hooks);
        let span = crate::trace::request_span(&parts.method, &parts.url);
        let mut response =
            crate::trace::instrument(client.execute(parts, BatchOptions::default()), span).await?;
        for hook in hooks {
            hook(&mut response);
        }
        Ok(response)
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

fn set_body(parts: &mut Parts, body: Body, content_type: &str) {
    if !parts.headers.contains_key(CONTENT_TYPE) {
        if let Ok(value) = HeaderValue::try_from(content_type) {
            parts.headers.insert(CONTENT_TYPE, value);
        }
    }
    parts.body = Some(body);
}

fn basic_auth_value(user: &str, password: Option<&str>) -> HeaderValue {
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
