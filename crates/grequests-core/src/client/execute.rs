//! A request sent on its own or by a batch, under its total timeout: [`Chain`](super::chain::Chain) does the hops.

use tokio::time::Instant;

use super::chain::Chain;
use super::Client;
use crate::model::{Parts, Request, Response};
use crate::{Error, Result};

/// What a batch asks of every request it sends, on top of the request's own settings.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BatchOptions {
    /// Leave every body unread (grequests' `stream=True` for the whole batch).
    pub(crate) stream: bool,
    /// The consumer keeps every response until the batch ends (`map`): its headers go
    /// dense (`Response::keep`), out of the transport's read buffers and a `HeaderMap`.
    pub(crate) keeps_results: bool,
}

impl Client {
    /// Sends `request` on its own, following redirects, and runs its
    /// [`on_response`](crate::RequestBuilder::on_response) hooks: a request that was built
    /// apart from its client (reqwest's `Client::execute`).
    ///
    /// ```no_run
    /// # async fn run(client: grequests_core::Client) -> grequests_core::Result<()> {
    /// let request = grequests_core::Request::new("GET", "http://127.0.0.1:8080/get");
    /// let response = client.execute(request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn execute(&self, request: Request) -> Result<Response> {
        let mut parts = request.parts?;
        let hooks = std::mem::take(&mut parts.hooks);
        let span = crate::trace::request_span(&parts.method, &parts.url);
        let exchange = self.execute_parts(parts, BatchOptions::default());
        let mut response = crate::trace::instrument(exchange, span).await?;
        for hook in hooks {
            hook(&mut response);
        }
        Ok(response)
    }

    /// Sends `parts`, following redirects, under the total timeout.
    pub(crate) async fn execute_parts(
        &self,
        parts: Parts,
        batch: BatchOptions,
    ) -> Result<Response> {
        let started = Instant::now();
        let result = self.execute_within_total(parts, batch, started).await;
        crate::trace::finished(&result, started);
        result
    }

    async fn execute_within_total(
        &self,
        parts: Parts,
        batch: BatchOptions,
        started: Instant,
    ) -> Result<Response> {
        let total = parts.options.total_timeout.or(self.inner.total_timeout);
        // A timeout too long to represent as a deadline is no timeout.
        let deadline = total.and_then(|limit| Some((started.checked_add(limit)?, limit)));
        match deadline {
            None => Chain::new(self, parts, batch, started, None).run().await,
            Some((at, limit)) => {
                let url = parts.url.clone();
                // Boxed so that the rare timeout wrapper does not double every request's
                // future, which is moved and copied on each spawn.
                let hops = Box::pin(Chain::new(self, parts, batch, started, deadline).run());
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
}
