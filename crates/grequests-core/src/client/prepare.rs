//! The request a hop sends: the request's own headers over the client's defaults, cookies
//! from the jar, the per-request settings a transport honours as extensions.

use http::header::{
    HeaderValue, AUTHORIZATION, CONTENT_LENGTH, COOKIE, PROXY_AUTHORIZATION, TRANSFER_ENCODING,
};
use http::{HeaderMap, Method};

use super::cookies::{self, CookieJar};
use super::upload::Reporting;
use super::Client;
use crate::limits::DecodeLimits;
use crate::model::{Parts, RequestOptions};
use crate::{Body, Error, Result};

impl Client {
    /// The request's timeouts, each its own setting or else the client's: the transport
    /// applies them to the connect and the wait for the head, the client's body guard to
    /// the body.
    pub(crate) fn timeouts(&self, options: &RequestOptions) -> crate::Timeouts {
        crate::Timeouts {
            connect: options.connect_timeout.or(self.inner.connect_timeout),
            read: options.read_timeout.or(self.inner.read_timeout),
            low_speed: options.low_speed.unwrap_or(self.inner.low_speed),
        }
    }

    /// Builds the `http::Request` for one hop: the request's own headers over the client's
    /// defaults, cookies from the jar, and never a `Proxy-Authorization` header (proxy
    /// credentials belong to the transport's proxy settings, CVE-2023-32681).
    pub(crate) fn prepare(
        &self,
        parts: &mut Parts,
        chain_jar: Option<&CookieJar>,
    ) -> Result<(http::Request<crate::Body>, HeaderMap)> {
        // The request's own headers, as the response will report them: cookies merged in,
        // and never a Proxy-Authorization.
        let mut own = parts.headers.clone();
        own.remove(PROXY_AUTHORIZATION);
        let jar = self.inner.jar.as_deref().or(chain_jar);
        // A jar that never held a cookie is not asked: the `Url` is made on first use.
        let jar = jar.filter(|jar| jar.ever_stored());
        let from_jar = jar.and_then(|jar| jar.header_for(parts.url.url()));
        if from_jar.is_some() || parts.cookies.is_some() {
            let explicit = own.get(COOKIE).and_then(|v| v.to_str().ok());
            let joined = cookies::join([from_jar.as_deref(), explicit, parts.cookies.as_deref()]);
            if let Some(value) = joined {
                own.insert(COOKIE, value);
            }
        }
        // The request's own headers replace the defaults of the same name, every value of
        // a repeated one kept. A copy of the defaults is exactly full, so the first header a
        // transport adds (`Host`, `Accept-Encoding`) grows it; still cheaper (callgrind, on
        // the mock and on nginx) than hashing each default into a map made with room.
        let defaults = &*self.inner.headers;
        let mut headers = if own.is_empty() && !parts.left_origin {
            // Most requests: the defaults as they are, copied without hashing a name.
            defaults.clone()
        } else {
            let mut headers = HeaderMap::with_capacity(defaults.len() + own.len() + 2);
            for (name, value) in defaults {
                let replaced = own.contains_key(name);
                let withheld = parts.left_origin && (name == AUTHORIZATION || name == COOKIE);
                if !replaced && !withheld {
                    headers.append(name.clone(), value.clone());
                }
            }
            for (name, value) in &own {
                headers.append(name.clone(), value.clone());
            }
            headers
        };

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
        *request.uri_mut() = parts
            .url
            .to_uri()
            .map_err(|e| Error::invalid(crate::Input::Url, format!("URL can't be sent: {e}")))?;
        *request.headers_mut() = headers;
        let timeouts = self.timeouts(&parts.options);
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
}
