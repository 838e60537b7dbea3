use http::{HeaderMap, Method};
use url::Url;

/// The request a [`Response`](crate::Response) answers: the last one sent, after redirects.
#[derive(Debug, Clone)]
pub struct RequestHead {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
}

impl RequestHead {
    /// The method sent.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL sent.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The headers sent, including the client's defaults and cookies.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

/// What an exception handler is told about the request that failed.
#[derive(Debug, Clone)]
pub struct FailedRequest {
    pub(crate) index: usize,
    pub(crate) method: Method,
    pub(crate) url: Option<Url>,
}

impl FailedRequest {
    /// The position of the request in the batch, counting from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The request's method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request's URL; `None` when the URL itself was the bad input.
    pub fn url(&self) -> Option<&Url> {
        self.url.as_ref()
    }
}
