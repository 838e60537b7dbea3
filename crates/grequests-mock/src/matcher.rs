//! [`Route`]: what a request must look like to be answered by a route.

use std::fmt;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};

use crate::transport::RecordedRequest;

/// A request matcher. Unset parts match anything; every set part must match.
///
/// ```
/// use grequests_mock::Route;
/// let route = Route::post("/items")
///     .host("api.test")
///     .query("dry_run", "1")
///     .header("x-api-key", "secret")
///     .json(&serde_json::json!({"name": "box"}));
/// # drop(route);
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct Route {
    method: Option<Method>,
    host: Option<String>,
    path: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(HeaderName, Option<HeaderValue>)>,
    body: Option<Bytes>,
    json: Option<serde_json::Value>,
}

macro_rules! verbs {
    ($($name:ident => $method:ident),*) => {$(
        #[doc = concat!("Matches `", stringify!($method), "` requests to `path`.")]
        pub fn $name(path: &str) -> Route {
            Route::new(Method::$method, path)
        }
    )*};
}

impl Route {
    /// Matches every request.
    pub fn any() -> Route {
        Route::default()
    }

    /// Matches `method` requests to `path` (exact, without the query).
    pub fn new(method: Method, path: &str) -> Route {
        Route {
            method: Some(method),
            path: Some(path.to_owned()),
            ..Route::default()
        }
    }

    verbs!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE,
           head => HEAD, options => OPTIONS);

    /// Any method, this path.
    pub fn path(mut self, path: &str) -> Route {
        self.path = Some(path.to_owned());
        self
    }

    /// Only requests to this host.
    pub fn host(mut self, host: &str) -> Route {
        self.host = Some(host.to_ascii_lowercase());
        self
    }

    /// The query has `name=value` (other parameters may come along).
    pub fn query(mut self, name: &str, value: &str) -> Route {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The header is present with this value. An invalid name or value matches nothing.
    pub fn header(mut self, name: &str, value: &str) -> Route {
        let name = HeaderName::try_from(name).unwrap_or(HeaderName::from_static("x-invalid-name"));
        self.headers.push((name, HeaderValue::try_from(value).ok()));
        self
    }

    /// The header is present, with any value.
    pub fn header_exists(mut self, name: &str) -> Route {
        if let Ok(name) = HeaderName::try_from(name) {
            self.headers.push((name, None));
        }
        self
    }

    /// The body is exactly these bytes.
    pub fn body(mut self, body: impl Into<Bytes>) -> Route {
        self.body = Some(body.into());
        self
    }

    /// The body is JSON equal to `json` (key order and spacing do not matter).
    pub fn json<T: serde::Serialize>(mut self, json: &T) -> Route {
        self.json = serde_json::to_value(json).ok();
        self
    }

    pub(crate) fn matches(&self, request: &RecordedRequest) -> bool {
        self.method.as_ref().is_none_or(|m| m == request.method)
            && self
                .host
                .as_deref()
                .is_none_or(|h| request.url.host_str() == Some(h))
            && self.path.as_deref().is_none_or(|p| request.url.path() == p)
            && self.query.iter().all(|(name, value)| {
                request
                    .url
                    .query_pairs()
                    .any(|(n, v)| n == name.as_str() && v == value.as_str())
            })
            && self.headers.iter().all(|(name, value)| match value {
                Some(value) => request.headers.get_all(name).iter().any(|v| v == value),
                None => request.headers.contains_key(name),
            })
            && self.body.as_ref().is_none_or(|b| *b == request.body)
            && self.json.as_ref().is_none_or(|expected| {
                serde_json::from_slice::<serde_json::Value>(&request.body)
                    .is_ok_and(|actual| actual == *expected)
            })
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.method {
            Some(method) => write!(f, "{method}")?,
            None => f.write_str("ANY")?,
        }
        f.write_str(" ")?;
        if let Some(host) = &self.host {
            write!(f, "//{host}")?;
        }
        f.write_str(self.path.as_deref().unwrap_or("*"))?;
        for (i, (name, value)) in self.query.iter().enumerate() {
            write!(f, "{}{name}={value}", if i == 0 { '?' } else { '&' })?;
        }
        for (name, value) in &self.headers {
            match value.as_ref().and_then(|v| v.to_str().ok()) {
                Some(value) => write!(f, " [{name}: {value}]")?,
                None => write!(f, " [{name}]")?,
            }
        }
        if self.body.is_some() {
            f.write_str(" [body]")?;
        }
        if let Some(json) = &self.json {
            write!(f, " [json {json}]")?;
        }
        Ok(())
    }
}
