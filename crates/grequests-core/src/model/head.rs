use std::sync::Arc;

use http::{HeaderMap, Method};
use url::Url;

use super::RequestUrl;

/// The request a [`Response`](crate::Response) answers: the last one sent, after redirects.
///
/// It keeps the request's own headers and shares the client's defaults rather than holding
/// a full copy per response: a batch of a million responses should not hold a million
/// copies of the same `User-Agent`.
#[derive(Debug, Clone)]
pub struct RequestHead {
    pub(crate) method: Method,
    pub(crate) url: RequestUrl,
    /// Headers set on the request, cookies included; they win over the defaults. Most
    /// requests set none, and a kept response's slot should not hold an empty map.
    own: Option<Box<HeaderMap>>,
    defaults: Arc<HeaderMap>,
}

impl RequestHead {
    pub(crate) fn new(
        method: Method,
        url: RequestUrl,
        own: HeaderMap,
        defaults: Arc<HeaderMap>,
    ) -> Self {
        let own = (!own.is_empty()).then(|| Box::new(own));
        RequestHead {
            method,
            url,
            own,
            defaults,
        }
    }

    /// The method sent.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL sent.
    pub fn url(&self) -> &Url {
        self.url.url()
    }

    /// The URL's text, as `url().as_str()` gives it, without making the [`Url`] when none
    /// was made (see [`Response::url_string`](crate::Response::url_string)).
    pub fn url_string(&self) -> String {
        self.url.to_string()
    }

    /// The headers sent: the client's defaults, overridden by the request's own, and its
    /// cookies. Built on demand.
    pub fn headers(&self) -> HeaderMap {
        let mut headers = (*self.defaults).clone();
        for (name, value) in self.own.iter().flat_map(|own| own.iter()) {
            headers.insert(name.clone(), value.clone());
        }
        headers
    }

    /// A header as sent, without building the whole map.
    pub fn header(&self, name: &str) -> Option<&http::HeaderValue> {
        let own = self.own.as_ref().and_then(|own| own.get(name));
        own.or_else(|| self.defaults.get(name))
    }
}

/// What an exception handler is told about the request that failed.
#[derive(Debug, Clone)]
pub struct FailedRequest {
    pub(crate) index: usize,
    pub(crate) method: Option<Method>,
    pub(crate) url: Option<Url>,
}

impl FailedRequest {
    /// The position of the request in the batch, counting from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The request's method; `None` when the request could not be built (its method may
    /// be the bad input).
    pub fn method(&self) -> Option<&Method> {
        self.method.as_ref()
    }

    /// The request's URL; `None` when the URL itself was the bad input.
    pub fn url(&self) -> Option<&Url> {
        self.url.as_ref()
    }
}
