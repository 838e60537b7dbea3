//! A request sent on its own or by a batch, under its total timeout: [`Chain`](super::chain::Chain) does the hops.

use std::future::Future;

use futures_util::future::Either;
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
    ///
    /// The request is prepared when this is called and sent when the future is polled;
    /// the future borrows nothing, so it can be spawned.
    pub fn execute(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<Response>> + Send + 'static {
        let mut parts = match request.parts {
            Ok(parts) => parts,
            Err(err) => return Either::Left(std::future::ready(Err(err))),
        };
        let hooks = std::mem::take(&mut parts.hooks);
        let span = crate::trace::request_span(&parts.method, &parts.url);
        let exchange = crate::trace::instrument(
            self.clone().execute_parts(parts, BatchOptions::default()),
            span,
        );
        if hooks.is_empty() {
            return Either::Right(Either::Left(exchange));
        }
        // Boxed, the rare wrapper that runs hooks: an `async fn` here would keep a copy of
        // the request beside the exchange that holds it, in every request's future.
        Either::Right(Either::Right(Box::pin(async move {
            let mut response = exchange.await?;
            for hook in hooks {
                hook(&mut response);
            }
            Ok(response)
        })))
    }

    /// Sends `parts`, following redirects, under the total timeout.
    ///
    /// Not an `async fn`: the chain's future is made here and handed back as it is, so
    /// that it holds the request once (each layer of `async fn` would keep its own copy of
    /// the arguments beside it, and every request's box is sized for the whole).
    pub(crate) fn execute_parts(
        self,
        parts: Box<Parts>,
        batch: BatchOptions,
    ) -> impl Future<Output = Result<Response>> + Send + 'static {
        let started = Instant::now();
        let total = parts.options.total_timeout.or(self.inner.total_timeout);
        // A timeout too long to represent as a deadline is no timeout.
        let deadline = total.and_then(|limit| Some((started.checked_add(limit)?, limit)));
        let Some((at, limit)) = deadline else {
            return Either::Left(Chain::new(self, parts, batch, started, None).run());
        };
        let url = parts.url.clone();
        let hops = Chain::new(self, parts, batch, started, deadline).run();
        // Boxed, the rare timeout wrapper with it: it would double every request's future.
        Either::Right(Box::pin(async move {
            match tokio::time::timeout_at(at, hops).await {
                Ok(result) => result,
                Err(_) => {
                    let result = Err(Error::timeout(format!(
                        "total timeout of {limit:?} elapsed (total_timeout)"
                    ))
                    .with_url(url.url().clone()));
                    crate::trace::finished(&result, started);
                    result
                }
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Request;
    use crate::{transport_fn, Body, Client};

    fn client(set_cookie: bool) -> Client {
        Client::with_transport(transport_fn(move |_request| async move {
            let mut response = http::Response::new(Body::from("ok"));
            if set_cookie {
                let cookie = http::HeaderValue::from_static("session=1; Path=/");
                response
                    .headers_mut()
                    .insert(http::header::SET_COOKIE, cookie);
            }
            Ok(response)
        }))
    }

    async fn sent(client: &Client, url: &str) -> bool {
        let parts = Request::new("GET", url).parts.expect("a valid request");
        let response = client
            .clone()
            .execute_parts(parts, super::BatchOptions::default())
            .await
            .expect("the transport answers");
        let text = response.url_string();
        let parsed = response.inner.request.url.is_parsed();
        assert_eq!(text, response.url().as_str(), "the text is the Url's");
        parsed
    }

    /// Every request's box is sized for this future, and every batch moves it once into
    /// the box: 5 232 bytes when each layer of `async fn` kept its own copy of the request,
    /// 1 776 when `Chain::run` and `Body::collect` still kept a second copy of their
    /// arguments, 952 since they do not and a request's options are boxed, 1 152 when a
    /// guarded body was first read in place instead of boxed, 1 000 since the chain's last
    /// step holds neither its `match`'s scrutinee nor a second `&mut self` across its await,
    /// 440 since the request's parts are boxed (rustc 1.95). glibc serves a box of more
    /// than 1 000 bytes from its large-allocation path, whose slow path (and its
    /// consolidation of the small free lists) cost every request about 400 instructions on
    /// nginx; the bound keeps room below that for what the chain may need to hold.
    #[test]
    fn a_request_s_future_holds_the_request_once() {
        let client = client(false);
        let parts = Request::new("GET", "http://a.test/x")
            .parts
            .expect("a valid request");
        let exchange = client
            .clone()
            .execute_parts(parts, super::BatchOptions::default());
        let size = std::mem::size_of_val(&exchange);
        assert!(size <= 512, "a request's future takes {size} bytes");
        // The same for one request sent on its own (3 760 bytes when `send` and `execute`
        // were `async fn`s around it, 440 now).
        let one = client.get("http://a.test/x").send();
        let size = std::mem::size_of_val(&one);
        assert!(size <= 512, "a sent request's future takes {size} bytes");
    }

    /// The hot path's promise (see `RequestUrl::canonical`): a plain URL goes out and comes
    /// back without a `Url`, its text read too, until a cookie makes the jar ask for one.
    #[tokio::test]
    async fn a_plain_exchange_never_parses_its_url() {
        let plain = client(false);
        assert!(!sent(&plain, "http://a.test:8080/x?y=1").await);
        assert!(
            sent(&plain, "http://A.test:8080/x").await,
            "a non-canonical URL is parsed"
        );
        let cookies = client(true);
        assert!(
            sent(&cookies, "http://a.test/x").await,
            "a Set-Cookie is stored by Url"
        );
    }
}
