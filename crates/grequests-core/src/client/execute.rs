//! The send loop: one request through the transport, then the client policy on what comes
//! back (cookies, redirects, body buffering), under the total timeout.

use std::time::Duration;

use http::header::{
    HeaderValue, AUTHORIZATION, CONTENT_LENGTH, COOKIE, PROXY_AUTHORIZATION, TRANSFER_ENCODING,
};
use http::Method;
use tokio::time::Instant;

use super::cookies::{self, CookieJar};
use super::upload::Reporting;
use super::{redirect, Client};
use crate::limits::{DecodeLimits, GuardedBody};
use crate::model::response::Content;
use crate::model::{Parts, RequestHead, Response};
use crate::Body;
use crate::{Error, Result};

/// At most this much of a redirect response's body is read (and thrown away) so that its
/// connection can be reused; the rest is left to the transport to discard.
const REDIRECT_DRAIN_CAP: u64 = 64 * 1024;

/// The longest a redirect response's body is drained before it is dropped with its
/// connection.
const REDIRECT_DRAIN_TIME: Duration = Duration::from_secs(1);

/// Whether `err` is a failure on a stale pooled connection that `parts` may be sent again
/// after: only for methods that are idempotent (RFC 9110 §9.2.2) or carry an
/// `Idempotency-Key`. A transport that knows nothing was written retries by itself.
fn may_retry_stale(err: &Error, parts: &Parts) -> bool {
    err.is_stale_connection()
        && (crate::is_idempotent(&parts.method) || parts.headers.contains_key("idempotency-key"))
}

impl Client {
    /// Sends `parts`, following redirects, under the total timeout.
    pub(crate) async fn execute(&self, parts: Parts) -> Result<Response> {
        let started = Instant::now();
        let result = self.execute_within_total(parts, started).await;
        crate::trace::finished(&result, started);
        result
    }

    async fn execute_within_total(&self, parts: Parts, started: Instant) -> Result<Response> {
        let total = parts.options.total_timeout.or(self.inner.total_timeout);
        // A timeout too long to represent as a deadline is no timeout.
        let deadline = total.and_then(|limit| Some((started.checked_add(limit)?, limit)));
        match deadline {
            None => self.execute_hops(parts, None, started).await,
            Some((at, limit)) => {
                let url = parts.url.clone();
                // Boxed so that the rare timeout wrapper does not double every request's
                // future, which is moved and copied on each spawn.
                let hops = Box::pin(self.execute_hops(parts, deadline, started));
                match tokio::time::timeout_at(at, hops).await {
                    Ok(result) => result,
                    Err(_) => Err(Error::timeout(format!(
                        "total timeout of {limit:?} elapsed (total_timeout)"
                    ))
                    .with_url(url)),
                }
            }
        }
    }

    async fn execute_hops(
        &self,
        mut parts: Parts,
        deadline: Option<(Instant, Duration)>,
        started: Instant,
    ) -> Result<Response> {
        let follows = parts
            .options
            .allow_redirects
            .unwrap_or_else(|| self.inner.redirect.follows());
        let low_speed = parts.options.low_speed.unwrap_or(self.inner.low_speed);
        let mut history = Vec::new();
        // A client without a jar still carries cookies along one redirect chain, as
        // requests does with its per-call session.
        let mut chain_jar: Option<Box<CookieJar>> = None;
        let mut retried_stale = false;
        loop {
            // Some(copy) of a body that can be sent again, None for a stream (sent once).
            let replay = match &parts.body {
                None => Some(None),
                Some(body) => body.try_clone().map(Some),
            };
            let (request, own) = self
                .prepare(&mut parts, chain_jar.as_deref())
                .map_err(|e| e.with_url(parts.url.clone()))?;
            let response = match self.inner.transport.send(request).await {
                Ok(response) => response,
                Err(err) if !retried_stale && may_retry_stale(&err, &parts) => {
                    // The pooled connection was closed by the server while idle: the
                    // request never reached it, so it goes again, once, on another one.
                    if let Some(body) = replay {
                        crate::trace::stale_retry(&err);
                        parts.body = body;
                        retried_stale = true;
                        continue;
                    }
                    return Err(err.with_url(parts.url.clone()));
                }
                Err(err) => return Err(err.with_url(parts.url.clone())),
            };
            retried_stale = false;
            let (head_parts, body) = response.into_parts();
            let body = match low_speed {
                Some(_) => Body::wrap(GuardedBody::new(body, low_speed, None)),
                None => body,
            };
            match &self.inner.jar {
                Some(jar) => jar.store_from_headers(&parts.url, &head_parts.headers),
                None if head_parts.headers.contains_key(http::header::SET_COOKIE) => chain_jar
                    .get_or_insert_with(Box::default)
                    .store_from_headers(&parts.url, &head_parts.headers),
                None => {}
            }

            let next = if follows && head_parts.status.is_redirection() {
                redirect::location(&parts.url, &head_parts.headers)
            } else {
                None
            };
            let Some(next) = next else {
                return self
                    .finish(parts, own, head_parts, body, history, started, deadline)
                    .await;
            };
            let next = next.map_err(|e| e.with_url(parts.url.clone()))?;
            if history.len() >= self.inner.redirect.max_redirects() {
                return Err(Error::redirect(format!(
                    "too many redirects (more than {})",
                    self.inner.redirect.max_redirects()
                ))
                .with_url(
                    history
                        .first()
                        .map_or_else(|| parts.url.clone(), |r: &Response| r.request.url.clone()),
                ));
            }
            // Drained so that the connection can be reused, but never waited on for long:
            // a trickling redirect body is dropped with its connection instead.
            let _ = tokio::time::timeout(REDIRECT_DRAIN_TIME, body.drain(REDIRECT_DRAIN_CAP)).await;
            let mut hop = Response {
                status: head_parts.status,
                version: head_parts.version,
                headers: head_parts.headers,
                extensions: head_parts.extensions,
                history: Vec::new(),
                elapsed: started.elapsed(),
                content: Content::Buffered(Default::default()),
                request: RequestHead {
                    method: parts.method.clone(),
                    url: parts.url.clone(),
                    own,
                    defaults: self.inner.headers.clone(),
                },
            };
            for hook in &mut parts.each_response {
                hook(&mut hop);
            }
            history.push(hop);
            crate::trace::redirect(head_parts.status, &next);
            redirect::follow(&mut parts, head_parts.status, next, replay)
                .map_err(|e| e.with_url(parts.url.clone()))?;
        }
    }

    /// Builds the `http::Request` for one hop: the request's own headers over the client's
    /// defaults, cookies from the jar, and never a `Proxy-Authorization` header (proxy
    /// credentials belong to the transport's proxy settings, CVE-2023-32681).
    fn prepare(
        &self,
        parts: &mut Parts,
        chain_jar: Option<&CookieJar>,
    ) -> Result<(http::Request<crate::Body>, http::HeaderMap)> {
        // The request's own headers, as the response will report them: cookies merged in,
        // and never a Proxy-Authorization.
        let mut own = parts.headers.clone();
        own.remove(PROXY_AUTHORIZATION);
        let jar = self.inner.jar.as_deref().or(chain_jar);
        let from_jar = jar.and_then(|jar| jar.header_for(&parts.url));
        if from_jar.is_some() || parts.cookies.is_some() {
            let explicit = own.get(COOKIE).and_then(|v| v.to_str().ok());
            let joined = cookies::join([from_jar.as_deref(), explicit, parts.cookies.as_deref()]);
            if let Some(value) = joined {
                own.insert(COOKIE, value);
            }
        }
        let mut headers = (*self.inner.headers).clone();
        if parts.left_origin {
            headers.remove(AUTHORIZATION);
            headers.remove(COOKIE);
        }
        // The request's own headers replace the defaults of the same name, every value of
        // a repeated one kept.
        for name in own.keys() {
            headers.remove(name);
        }
        for (name, value) in &own {
            headers.append(name.clone(), value.clone());
        }

        // requests (and RFC 9110 §8.6) send `Content-Length: 0` for a method that carries
        // a body when it has none; some servers answer 411 without it.
        let has_no_body = parts
            .body
            .as_ref()
            .is_none_or(|b| b.as_bytes() == Some(&[]));
        if has_no_body
            && matches!(parts.method, Method::POST | Method::PUT | Method::PATCH)
            && !headers.contains_key(CONTENT_LENGTH)
            && !headers.contains_key(TRANSFER_ENCODING)
        {
            headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        let body = parts.body.take().unwrap_or_default();
        let body = match &parts.upload_progress {
            Some(progress) => {
                let total = headers
                    .get(CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok());
                Body::wrap(Reporting::new(body, total, progress.clone()))
            }
            None => body,
        };
        let mut request = http::Request::new(body);
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = to_uri(&parts.url)?;
        *request.headers_mut() = headers;
        let timeouts = crate::Timeouts {
            connect: parts.options.connect_timeout.or(self.inner.connect_timeout),
            read: parts.options.read_timeout.or(self.inner.read_timeout),
            low_speed: parts.options.low_speed.unwrap_or(self.inner.low_speed),
        };
        // An extensions map costs allocations; a request with the defaults goes without.
        if timeouts != crate::Timeouts::default() {
            request.extensions_mut().insert(timeouts);
        }
        let options = &parts.options;
        let decode = DecodeLimits {
            max_decoded_size: options
                .max_decoded_size
                .unwrap_or(self.inner.decode.max_decoded_size),
            max_ratio: options
                .max_decompression_ratio
                .unwrap_or(self.inner.decode.max_ratio),
            ..self.inner.decode
        };
        if decode != DecodeLimits::default() {
            request.extensions_mut().insert(decode);
        }
        Ok((request, own))
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        parts: Parts,
        own: http::HeaderMap,
        head_parts: http::response::Parts,
        body: Body,
        history: Vec<Response>,
        started: Instant,
        deadline: Option<(Instant, Duration)>,
    ) -> Result<Response> {
        let mut head_parts = head_parts;
        let content = if parts.options.stream {
            // The total timeout goes on bounding the body until it is read or dropped.
            match deadline {
                Some(_) => Content::Streaming(Body::wrap(GuardedBody::new(body, None, deadline))),
                None => Content::Streaming(body),
            }
        } else {
            if parts.options.compact {
                compact_header_values(&mut head_parts.headers);
            }
            let limit = parts
                .options
                .max_body_size
                .unwrap_or(self.inner.max_body_size);
            let bytes = body
                .collect(limit)
                .await
                .map_err(|e| e.with_url(parts.url.clone()))?;
            Content::Buffered(bytes)
        };
        let mut response = Response {
            status: head_parts.status,
            version: head_parts.version,
            headers: head_parts.headers,
            extensions: head_parts.extensions,
            history,
            elapsed: started.elapsed(),
            content,
            request: RequestHead {
                method: parts.method,
                url: parts.url,
                own,
                defaults: self.inner.headers.clone(),
            },
        };
        for mut hook in parts.each_response {
            hook(&mut response);
        }
        Ok(response)
    }
}

/// Transports parse header values as slices of their read buffer, so a response kept in a
/// large batch would pin a whole buffer (kilobytes) for a few short values. One copy of
/// all the values, which they then share, frees it for one allocation.
fn compact_header_values(headers: &mut http::HeaderMap) {
    let total: usize = headers.values().map(|v| v.len()).sum();
    if total == 0 {
        return;
    }
    let mut joined = bytes::BytesMut::with_capacity(total);
    for value in headers.values() {
        joined.extend_from_slice(value.as_bytes());
    }
    let joined = joined.freeze();
    let mut offset = 0;
    for value in headers.values_mut() {
        let len = value.len();
        if let Ok(mut copy) = HeaderValue::from_maybe_shared(joined.slice(offset..offset + len)) {
            copy.set_sensitive(value.is_sensitive());
            *value = copy;
        }
        offset += len;
    }
}

/// `Url` to `http::Uri`, without the fragment, which is never sent.
fn to_uri(url: &url::Url) -> Result<http::Uri> {
    url[..url::Position::AfterQuery]
        .parse()
        .map_err(|e| Error::invalid(crate::Input::Url, format!("URL can't be sent: {e}")))
}
