//! [`RecordedRequest`]: a request as the mock received it, and how it ended.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};
use url::{Position, Url};

use crate::matcher::shown_body;

/// A request the mock received, body included.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The absolute URI as sent; routes match on its parts.
    uri: Uri,
    /// [`uri`](Self::uri) as a `Url`, parsed only when asked for: a batch through the mock
    /// parses no URL a second time unless a test reads one or a route matches the query.
    url: OnceLock<Url>,
    /// The headers as sent, the client's defaults and cookies included.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
    /// What the matching route's path template captured (`/users/{id}` gives `id`).
    pub params: std::collections::BTreeMap<String, String>,
    /// When it arrived, on tokio's clock, since the mock was made.
    pub arrived: Duration,
    /// When its answer (head) was ready, or its failure happened; `None` while in flight or
    /// when it was dropped first.
    pub finished: Option<Duration>,
    /// How it ended: the status (`"200"`) or the failure (`"connect error"`); `None` while in
    /// flight or when it was dropped first.
    pub outcome: Option<String>,
    /// The route that answered it, as failure messages name routes.
    pub route: Option<String>,
    /// Requests in flight when it arrived, itself included.
    pub in_flight: usize,
    pub(crate) route_id: Option<usize>,
}

impl RecordedRequest {
    /// A request with no headers and no body, e.g. to ask [`Route::explain`](crate::Route::explain) about.
    ///
    /// # Panics
    /// When `url` is not an absolute URL that is also an `http::Uri`.
    #[track_caller]
    pub fn new(method: Method, url: &str) -> Self {
        let parsed =
            Url::parse(url).unwrap_or_else(|e| panic!("RecordedRequest::new({url:?}): {e}"));
        let uri: Uri = parsed[..Position::AfterQuery]
            .parse()
            .unwrap_or_else(|e| panic!("RecordedRequest::new({url:?}): {e}"));
        let request = Self::arrived(method, uri);
        let _ = request.url.set(parsed);
        request
    }

    /// A request for `uri`, which the transport checked is absolute.
    pub(crate) fn arrived(method: Method, uri: Uri) -> Self {
        RecordedRequest {
            method,
            uri,
            url: OnceLock::new(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            params: Default::default(),
            arrived: Duration::ZERO,
            finished: None,
            outcome: None,
            route: None,
            in_flight: 0,
            route_id: None,
        }
    }

    /// The absolute URI, as the transport was handed it.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The absolute URL, parsed from [`uri`](Self::uri) the first time it is asked for.
    ///
    /// # Panics
    /// When the URI is not one the `url` crate parses. Never for a request a grequests
    /// `Client` sent: its URI is the text of a `Url`.
    pub fn url(&self) -> &Url {
        self.url.get_or_init(|| {
            let text = self.uri.to_string();
            Url::parse(&text)
                .unwrap_or_else(|e| panic!("the mock's request URI {text:?} is not a URL: {e}"))
        })
    }

    /// The URL's path (`/users/1`), percent-encoded as sent.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// The URL's host (`api.test`, `127.0.0.1`, `[::1]`).
    pub fn host(&self) -> &str {
        self.uri.host().unwrap_or("")
    }

    /// A segment the route's path template captured.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_slice(&self.body)
    }

    /// One line of [`MockTransport::log`](crate::MockTransport::log): stable, for snapshot tests.
    pub fn log_line(&self) -> String {
        let finished = match self.finished {
            Some(at) => format!("{:>9.3}s", at.as_secs_f64()),
            None => format!("{:>10}", "-"),
        };
        format!(
            "{:>9.3}s {finished}  {} {}  -> {}  [{}]  (in flight: {})",
            self.arrived.as_secs_f64(),
            self.method,
            self.uri,
            self.outcome.as_deref().unwrap_or("dropped"),
            self.route.as_deref().unwrap_or("no route"),
            self.in_flight,
        )
    }

    /// The request as a message shows it: method, URL, headers, body up to 1 KiB.
    pub(crate) fn describe(&self) -> String {
        let mut out = format!("{} {}", self.method, self.uri);
        for (name, value) in &self.headers {
            let value = if name == http::header::AUTHORIZATION || name == http::header::COOKIE {
                "…".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            out.push_str(&format!("\n    {name}: {value}"));
        }
        if !self.body.is_empty() {
            out.push_str(&format!("\n    body: {}", shown_body(&self.body)));
        }
        out
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Route;

    #[test]
    fn routes_match_on_the_uri_and_the_url_is_parsed_only_when_asked_for() {
        let uri: Uri = "http://API.test:8080/items/7?x=1".parse().expect("a URI");
        let request = RecordedRequest::arrived(Method::GET, uri);
        assert_eq!((request.path(), request.host()), ("/items/7", "API.test"));
        // Host names are matched as DNS compares them.
        assert_eq!(
            Route::get("/items/{id}").host("api.test").explain(&request),
            None
        );
        assert!(request.url.get().is_none(), "matching parsed the URL");
        assert_eq!(request.url().as_str(), "http://api.test:8080/items/7?x=1");
        assert!(request.url.get().is_some());
        assert!(request
            .log_line()
            .contains("GET http://API.test:8080/items/7?x=1"));
    }
}
