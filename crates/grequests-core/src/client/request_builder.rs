//! [`RequestBuilder`]: an unsent request and the client that will send it, grequests'
//! `AsyncRequest` (reqwest's split: the [`Request`] it builds holds no client).

use std::fmt;
use std::future::Future;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use http::HeaderMap;
use serde::Serialize;

use super::Client;
use crate::limits::LowSpeedLimit;
use crate::model::multipart::Form;
use crate::model::{basic_auth_value, header_pair, pairs, Parts, Request, Response};
use crate::Body;
#[cfg(doc)]
use crate::DecodeLimits;
use crate::{Error, Result};

/// An unsent request: built with [`Client::get`] and friends, sent with
/// [`RequestBuilder::send`] or in a batch with [`map`](crate::map) / [`imap`](crate::imap).
///
/// Every keyword of requests has a builder method here. Mistakes do not panic and need no
/// `?` while building: the first bad input (URL, header, body) is kept and reported as a
/// [builder error](Error::is_builder) when the request is sent, through the same path as
/// any other failure.
///
/// | requests | grequests for Rust |
/// |---|---|
/// | `params={'q': 'x'}` | [`.params(&[("q", "x")])`](RequestBuilder::params) |
/// | `data={'k': 'v'}` / `data=b'raw'` | [`.form(&..)`](RequestBuilder::form) / [`.data(..)`](RequestBuilder::data) |
/// | `json=obj` | [`.json(&obj)`](RequestBuilder::json) |
/// | `headers={..}` | [`.header(k, v)`](RequestBuilder::header) / [`.headers(map)`](RequestBuilder::headers) |
/// | `cookies={..}` | [`.cookie(k, v)`](RequestBuilder::cookie) |
/// | `files={..}` | [`.multipart(form)`](RequestBuilder::multipart) |
/// | `auth=(u, p)` | [`.basic_auth(u, Some(p))`](RequestBuilder::basic_auth) / [`.bearer_auth(t)`](RequestBuilder::bearer_auth) |
/// | `timeout=1.5` / `timeout=(3, 10)` | [`.timeout(d)`](RequestBuilder::timeout) / [`.connect_timeout`](RequestBuilder::connect_timeout) + [`.read_timeout`](RequestBuilder::read_timeout) |
/// | `allow_redirects=False` | [`.allow_redirects(false)`](RequestBuilder::allow_redirects) |
/// | `hooks={'response': f}`, grequests' `callback=f` | [`.hook(f)`](RequestBuilder::hook) (every response, redirects included) |
/// | `stream=True` | [`.stream(true)`](RequestBuilder::stream) |
#[must_use = "a RequestBuilder does nothing until it is sent with send(), map() or imap()"]
pub struct RequestBuilder {
    client: Client,
    request: Request,
}

impl RequestBuilder {
    /// `request`, to be sent with `client`: what [`build_split`](RequestBuilder::build_split)
    /// took apart.
    pub fn from_parts(client: Client, request: Request) -> RequestBuilder {
        RequestBuilder { client, request }
    }

    /// The request as built so far: its method, URL, headers, or the error it will fail
    /// with.
    ///
    /// ```
    /// # let client = grequests_core::Client::with_transport(grequests_core::transport_fn(|_| async { unreachable!() }));
    /// let req = client.get("http://127.0.0.1/search").header("x-team", "search");
    /// assert_eq!(req.request().headers().map(|h| h["x-team"].clone()), Some("search".parse().unwrap()));
    /// ```
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The client this request will be sent with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The request, without its client: to send later with [`Client::execute`].
    pub fn build(self) -> Request {
        self.request
    }

    /// The client and the request, to be put together again with
    /// [`from_parts`](RequestBuilder::from_parts).
    pub fn build_split(self) -> (Client, Request) {
        (self.client, self.request)
    }

    /// Makes this request fail with `error` when sent, unless it already has a builder
    /// error: for a caller that checks input of its own (seconds from Python, a field of a
    /// JSONL line), so that the bad request still gets its one result in a batch.
    ///
    /// ```
    /// use grequests_core::{Error, Input};
    /// # let client = grequests_core::Client::with_transport(grequests_core::transport_fn(|_| async { unreachable!() }));
    /// let req = client.get("http://127.0.0.1/").fail_with(Error::invalid(Input::Timeout, "-1 s"));
    /// assert_eq!(req.request().error().and_then(Error::invalid_input), Some(Input::Timeout));
    /// ```
    pub fn fail_with(self, error: Error) -> Self {
        self.edit(|_| Err(error))
    }

    fn edit(mut self, edit: impl FnOnce(&mut Parts) -> Result<()>) -> Self {
        self.request = self.request.edit(edit);
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
    /// assert_eq!(req.request().url().map(|u| u.as_str()), Some("http://127.0.0.1/search?q=rust&page=2"));
    /// ```
    pub fn params<T: Serialize + ?Sized>(self, params: &T) -> Self {
        self.edit(|parts| {
            let pairs = pairs(params).map_err(|e| {
                Error::invalid(
                    crate::Input::Url,
                    format!("query parameters can't be encoded: {e}"),
                )
            })?;
            if !pairs.is_empty() {
                parts.url.url_mut().query_pairs_mut().extend_pairs(pairs);
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
        self.edit(|parts| {
            let (name, value) = header_pair(name, value)?;
            parts.headers.insert(name, value);
            Ok(())
        })
    }

    /// Sets several headers, replacing previous values of the same names; a name repeated
    /// in `headers` keeps every one of its values.
    pub fn headers(self, headers: HeaderMap) -> Self {
        self.edit(|parts| {
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
        self.edit(|parts| {
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
        self.edit(|parts| {
            parts.body = Some(body.into());
            Ok(())
        })
    }

    /// Sends a form, `application/x-www-form-urlencoded` (requests' `data={...}`), from the
    /// same shapes as [`params`](RequestBuilder::params).
    pub fn form<T: Serialize + ?Sized>(self, form: &T) -> Self {
        self.edit(|parts| {
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
        self.edit(|parts| {
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
        self.edit(|parts| {
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
        self.edit(|parts| {
            parts
                .headers
                .insert(AUTHORIZATION, basic_auth_value(user, password));
            Ok(())
        })
    }

    /// Bearer token authentication.
    pub fn bearer_auth(self, token: &str) -> Self {
        self.edit(|parts| {
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
    /// [`total_timeout`](RequestBuilder::total_timeout).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.connect_timeout(timeout).read_timeout(timeout)
    }

    /// Limits establishing the connection (requests' `timeout=(connect, read)`, first part).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.edit(|parts| {
            parts.options.connect_timeout = Some(timeout);
            Ok(())
        })
    }

    /// Limits each wait for the server: for the head, then between body chunks.
    pub fn read_timeout(self, timeout: Duration) -> Self {
        self.edit(|parts| {
            parts.options.read_timeout = Some(timeout);
            Ok(())
        })
    }

    /// Limits the whole exchange, redirects and body included.
    pub fn total_timeout(self, timeout: Duration) -> Self {
        self.edit(|parts| {
            parts.options.total_timeout = Some(timeout);
            Ok(())
        })
    }

    /// Whether to follow redirects (default: the client's policy, which follows them).
    pub fn allow_redirects(self, allow: bool) -> Self {
        self.edit(|parts| {
            parts.options.allow_redirects = Some(allow);
            Ok(())
        })
    }

    /// Leaves the body unread, to be read chunk by chunk with [`Response::chunk`].
    pub fn stream(self, stream: bool) -> Self {
        self.edit(|parts| {
            parts.options.stream = stream;
            Ok(())
        })
    }

    /// Fails the request with a [body error](Error::is_body) if the response body read into
    /// memory is larger than `bytes` (default: the client's, 64 MiB unless changed);
    /// `None` removes the limit. A streamed body is not bounded in total, only per read.
    pub fn max_body_size(self, bytes: impl Into<Option<u64>>) -> Self {
        let bytes = bytes.into();
        self.edit(|parts| {
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
        self.edit(|parts| {
            parts.options.low_speed = Some(limit);
            Ok(())
        })
    }

    /// Fails the request with a [decode error](Error::is_decode) when its decompressed body
    /// grows past `bytes` (default: the client's, none unless changed); `None` removes it.
    pub fn max_decoded_body_size(self, bytes: impl Into<Option<u64>>) -> Self {
        let bytes = bytes.into();
        self.edit(|parts| {
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
        self.edit(|parts| {
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
        self.edit(|parts| {
            parts.upload_progress = Some(std::sync::Arc::new(std::sync::Mutex::new(progress)));
            Ok(())
        })
    }

    /// Runs `hook` on every response of this request as it arrives, each redirect's and
    /// the final one's, as requests runs `hooks={'response': f}` and grequests its
    /// `callback=`. Hooks run in the order added, on the task that sends the request; a
    /// redirect's response has no body. For the final response alone, see
    /// [`on_response`](RequestBuilder::on_response).
    ///
    /// ```
    /// # let client = grequests_core::Client::with_transport(grequests_core::transport_fn(|_| async { unreachable!() }));
    /// let req = client.get("http://127.0.0.1/redirect/2").hook(|response| {
    ///     println!("{} {}", response.status(), response.url());
    /// });
    /// # drop(req);
    /// ```
    pub fn hook(self, hook: impl FnMut(&mut Response) + Send + 'static) -> Self {
        self.edit(|parts| {
            parts.each_response.push(Box::new(hook));
            Ok(())
        })
    }

    /// Runs `hook` once, on the final response, before it is handed over. Hooks run in
    /// the order added, on the task that receives the response, and never for a request
    /// whose batch was dropped. For every response of a redirect chain, as requests' hooks,
    /// see [`hook`](RequestBuilder::hook).
    pub fn on_response(self, hook: impl FnOnce(&mut Response) + Send + 'static) -> Self {
        self.edit(|parts| {
            parts.hooks.push(Box::new(hook));
            Ok(())
        })
    }

    /// A copy of this request with the same client, or `None` if it is invalid, its body is
    /// a stream (which can be sent once) or it has response hooks (which run once).
    pub fn try_clone(&self) -> Option<RequestBuilder> {
        Some(RequestBuilder {
            client: self.client.clone(),
            request: self.request.try_clone()?,
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
    pub fn send(self) -> impl Future<Output = Result<Response>> + Send + 'static {
        self.client.execute(self.request)
    }
}

fn set_body(parts: &mut Parts, body: Body, content_type: &str) {
    if !parts.headers.contains_key(CONTENT_TYPE) {
        if let Ok(value) = HeaderValue::try_from(content_type) {
            parts.headers.insert(CONTENT_TYPE, value);
        }
    }
    parts.body = Some(body);
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.request, f)
    }
}
