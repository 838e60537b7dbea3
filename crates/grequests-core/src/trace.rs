//! Tracing (feature `tracing`): a span per batch and per request, events for what happens to
//! them. Without the feature every item here is an empty shell the compiler removes; with it
//! and no subscriber, each costs a check of an atomic.
//!
//! Fields never hold credentials: URLs are shown without user info and with their query
//! values replaced by `…`, and no header or cookie value is ever recorded.

use url::Url;

use crate::model::RequestUrl;
#[cfg(feature = "tracing")]
use crate::model::Response;
use crate::Error;
#[cfg(feature = "tracing")]
use crate::Result;

/// A URL fit for a log: no user info, query keys kept and values hidden.
#[cfg(any(feature = "tracing", test))]
pub(crate) fn redacted(url: &Url) -> String {
    let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path());
    if let Some(query) = url.query() {
        let keys: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(key, _)| format!("{key}=…"))
            .collect();
        out.push('?');
        out.push_str(&keys.join("&"));
    }
    out
}

/// The span of one batch: opened when the batch starts, closed with its counts.
#[derive(Debug)]
pub(crate) struct BatchSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
    #[cfg(feature = "tracing")]
    started: tokio::time::Instant,
    #[cfg(feature = "tracing")]
    counts: (usize, usize),
}

impl BatchSpan {
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn new(mode: &'static str, size: Option<usize>, total: Option<usize>) -> Self {
        BatchSpan {
            #[cfg(feature = "tracing")]
            span: tracing::debug_span!("grequests.batch", mode, size, total),
            #[cfg(feature = "tracing")]
            started: tokio::time::Instant::now(),
            #[cfg(feature = "tracing")]
            counts: (0, 0),
        }
    }

    /// Enters the span while the batch is polled, so that the requests it starts are its
    /// children.
    #[cfg(feature = "tracing")]
    pub(crate) fn enter(&self) -> tracing::span::EnteredSpan {
        self.span.clone().entered()
    }

    #[cfg(not(feature = "tracing"))]
    pub(crate) fn enter(&self) {}

    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn progress(&mut self, done: usize, failed: usize) {
        #[cfg(feature = "tracing")]
        {
            self.counts = (done, failed);
        }
    }
}

#[cfg(feature = "tracing")]
impl Drop for BatchSpan {
    fn drop(&mut self) {
        let (done, failed) = self.counts;
        let elapsed_ms = self.started.elapsed().as_millis() as u64;
        tracing::debug!(parent: &self.span, done, failed, elapsed_ms, "batch finished");
    }
}

/// The span of one request (its redirects and retries included). A transport that retries
/// records `attempts` on it (it is the current span while the transport runs).
#[cfg(feature = "tracing")]
pub(crate) fn request_span(method: &http::Method, url: &RequestUrl) -> tracing::Span {
    tracing::debug_span!(
        "grequests.request",
        method = %method,
        // Evaluated only when the span is on: the `Url` is made on first use.
        url = %redacted(url.url()),
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        elapsed_ms = tracing::field::Empty,
    )
}

/// Runs `future` inside `span`.
#[cfg(feature = "tracing")]
pub(crate) fn instrument<F: std::future::Future>(
    future: F,
    span: tracing::Span,
) -> tracing::instrument::Instrumented<F> {
    tracing::Instrument::instrument(future, span)
}

/// `future` boxed, inside `span` unless the span is off (no subscriber wants it), when the
/// wrapper's enter and exit on every poll would buy nothing.
#[cfg(feature = "tracing")]
pub(crate) fn boxed_in<F>(
    future: F,
    span: tracing::Span,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = F::Output> + Send>>
where
    F: std::future::Future + Send + 'static,
{
    if span.is_disabled() {
        Box::pin(future)
    } else {
        Box::pin(tracing::Instrument::instrument(future, span))
    }
}

/// Without the feature, a request has no span.
#[cfg(not(feature = "tracing"))]
pub(crate) struct NoSpan;

#[cfg(not(feature = "tracing"))]
pub(crate) fn request_span(_method: &http::Method, _url: &RequestUrl) -> NoSpan {
    NoSpan
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn instrument<F: std::future::Future>(future: F, _span: NoSpan) -> F {
    future
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn boxed_in<F>(
    future: F,
    _span: NoSpan,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = F::Output> + Send>>
where
    F: std::future::Future + Send + 'static,
{
    Box::pin(future)
}

/// Records how the current request ended.
#[cfg(feature = "tracing")]
pub(crate) fn finished(result: &Result<Response>, started: tokio::time::Instant) {
    let span = tracing::Span::current();
    if span.is_disabled() {
        return;
    }
    span.record("elapsed_ms", started.elapsed().as_millis() as u64);
    match result {
        Ok(response) => {
            span.record("status", response.status().as_u16());
        }
        Err(err) => {
            tracing::debug!(error = %err, timeout = err.is_timeout(), "request failed");
        }
    }
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn finished<T>(_result: &T, _started: tokio::time::Instant) {}

/// A redirect is followed.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn redirect(status: http::StatusCode, to: &Url) {
    #[cfg(feature = "tracing")]
    tracing::debug!(status = status.as_u16(), to = %redacted(to), "following redirect");
}

/// A request goes again after a stale pooled connection.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn stale_retry(err: &Error) {
    #[cfg(feature = "tracing")]
    tracing::debug!(reason = %err, "retrying on a fresh connection: the pooled one was closed");
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn urls_lose_credentials_and_query_values() {
        let url = url::Url::parse("https://user:secret@a.test:8443/p/q?token=abc&page=2#frag")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(redacted(&url), "https://a.test:8443/p/q?token=…&page=…");
    }
}
