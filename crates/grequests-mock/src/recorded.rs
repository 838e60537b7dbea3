//! [`RecordedRequest`]: a request as the mock received it, and how it ended.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use url::Url;

use crate::matcher::shown_body;

/// A request the mock received, body included.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: Url,
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
    /// When `url` is not an absolute URL.
    #[track_caller]
    pub fn new(method: Method, url: &str) -> Self {
        let parsed =
            Url::parse(url).unwrap_or_else(|e| panic!("RecordedRequest::new({url:?}): {e}"));
        Self::arrived(method, parsed)
    }

    /// A request for `url`, parsed already (the transport parses each request's URL once).
    pub(crate) fn arrived(method: Method, url: Url) -> Self {
        RecordedRequest {
            method,
            url,
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
            self.url,
            self.outcome.as_deref().unwrap_or("dropped"),
            self.route.as_deref().unwrap_or("no route"),
            self.in_flight,
        )
    }

    /// The request as a message shows it: method, URL, headers, body up to 1 KiB.
    pub(crate) fn describe(&self) -> String {
        let mut out = format!("{} {}", self.method, self.url);
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
