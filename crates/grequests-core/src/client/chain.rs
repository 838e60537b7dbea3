//! [`Chain`]: one request's way through the transport, hop by hop: the stale-connection
//! retry, cookies along the way and redirects ([`Chain::hop`]), then the last answer (a
//! [`Response`] from the moment it arrived) read and completed ([`Chain::finish`]).

use std::time::Duration;

use futures_util::future::Either;
use http::HeaderMap;
use tokio::time::Instant;

use super::cookies::CookieJar;
use super::{redirect, BatchOptions, Client};
use crate::limits::{BodyGuards, GuardedBody};
use crate::model::response::Content;
use crate::model::{Parts, RequestHead, Response};
use crate::{Body, Error, Result};

/// At most this much of a redirect response's body is read (and thrown away) so that its
/// connection can be reused; the rest is left to the transport to discard.
const REDIRECT_DRAIN_CAP: u64 = 64 * 1024;

/// The longest a redirect response's body is drained before it is dropped with its
/// connection.
const REDIRECT_DRAIN_TIME: Duration = Duration::from_secs(1);

/// What of the body just sent can be sent again (by a redirect that keeps the method, or
/// after a stale connection).
pub(crate) enum Replay {
    /// There was no body.
    NoBody,
    /// A copy of a buffered body.
    Copy(Body),
    /// A stream: sent once, gone.
    Spent,
}

impl Replay {
    fn of(body: Option<&Body>) -> Self {
        match body {
            None => Replay::NoBody,
            Some(body) => body.try_clone().map_or(Replay::Spent, Replay::Copy),
        }
    }

    /// The body to send again; `Err` when it was a stream, and is gone.
    pub(crate) fn into_body(self) -> std::result::Result<Option<Body>, StreamSpent> {
        match self {
            Replay::NoBody => Ok(None),
            Replay::Copy(body) => Ok(Some(body)),
            Replay::Spent => Err(StreamSpent),
        }
    }
}

/// A streaming request body was sent once and cannot be sent again.
pub(crate) struct StreamSpent;

/// The answer to one hop, made into the caller's [`Response`] the moment it arrives: its
/// body unread (the content is [`Content::Streaming`] until the chain reads it), its
/// request as sent. The chain's steps then pass one pointer where they moved the head, the
/// body and the request's headers (250 bytes, about ten copies a request).
type Answer = Response;

/// The last answer's body, guarded: what the request does with it.
enum Guarded {
    /// The request streams it: the response carries it unread.
    Streamed(Body),
    /// Read into memory, at most `limit` bytes, under `guards` when one is on.
    Read {
        body: Body,
        guards: BodyGuards,
        limit: Option<u64>,
    },
}

/// Reads a body into memory, at most `limit` bytes, under `guards` when one is on: the
/// guarded body read as it is, not boxed into a `Body` as a streamed one must be. Made
/// before it is awaited, so that the chain's future holds the reader alone.
fn read_body(
    body: Body,
    guards: BodyGuards,
    limit: Option<u64>,
) -> impl std::future::Future<Output = Result<bytes::Bytes>> + Send {
    if guards.are_off() {
        Either::Left(body.collect(limit))
    } else {
        Either::Right(GuardedBody::new(body, guards).collect(limit))
    }
}

/// Whether `err` is a failure on a stale pooled connection that `parts` may be sent again
/// after: only for methods that are idempotent (RFC 9110 §9.2.2) or carry an
/// `Idempotency-Key`. A transport that knows nothing was written retries by itself.
fn may_retry_stale(err: &Error, parts: &Parts) -> bool {
    err.is_stale_connection()
        && (crate::is_idempotent(&parts.method) || parts.headers.contains_key("idempotency-key"))
}

/// One request on its way: what it is now (after the redirects so far) and what it has
/// been through.
pub(crate) struct Chain {
    client: Client,
    parts: Box<Parts>,
    history: Vec<Response>,
    /// A client without a jar still carries cookies along one redirect chain, as requests
    /// does with its per-call session.
    chain_jar: Option<Box<CookieJar>>,
    follows: bool,
    batch: BatchOptions,
    started: Instant,
    deadline: Option<(Instant, Duration)>,
}

impl Chain {
    pub(crate) fn new(
        client: Client,
        parts: Box<Parts>,
        batch: BatchOptions,
        started: Instant,
        deadline: Option<(Instant, Duration)>,
    ) -> Self {
        let follows = parts
            .options
            .allow_redirects
            .unwrap_or_else(|| client.inner.redirect.follows());
        Chain {
            client,
            parts,
            history: Vec::new(),
            chain_jar: None,
            follows,
            batch,
            started,
            deadline,
        }
    }

    /// Sends the request and the redirects it leads to; the last answer as a response.
    ///
    /// The steps that wait borrow the chain, and the one that consumes it does not wait: a
    /// step that took the chain by value would hold a second copy of it in this future,
    /// which every request's box is sized for. Not an `async fn` for the same reason: one
    /// keeps its arguments and the locals it moves them into apart (rust-lang/rust#62958),
    /// where the block below uses the chain it captured in place.
    #[allow(clippy::manual_async_fn)] // the `async fn` it suggests is the copy said above
    pub(crate) fn run(mut self) -> impl std::future::Future<Output = Result<Response>> + Send {
        async move {
            let last = self.last_answer().await;
            // Read after the await, so that the future does not hold a copy across it.
            let started = self.started;
            let result = last.map(|answer| self.finish(answer));
            crate::trace::finished(&result, started);
            result
        }
    }

    /// The hops until the last, and the last one's content.
    ///
    /// Not an `async fn`, which would keep its `&mut self` twice (rust-lang/rust#62958):
    /// those 8 bytes took every request's future past 1 000 bytes, glibc's threshold for a
    /// large allocation, whose slow path (and its consolidation of the small free lists)
    /// every request then paid.
    #[allow(clippy::manual_async_fn)] // the `async fn` it suggests is the copy said above
    fn last_answer(&mut self) -> impl std::future::Future<Output = Result<Answer>> + Send + '_ {
        async move {
            let mut answer = loop {
                if let Some(last) = self.hop().await? {
                    break last;
                }
            };
            // Awaited here rather than in a step of its own: that step's future would keep
            // the body twice (its argument, and the reader it moved into) beside the head. And
            // after the `match`, not in its arm: a `match` keeps its scrutinee (the `Guarded`,
            // 128 bytes) in the future until the arm's await is done.
            let read = match self.guard(answer.take_unread_body()) {
                Guarded::Streamed(body) => {
                    answer.inner.content = Content::Streaming(body);
                    return Ok(answer);
                }
                Guarded::Read {
                    body,
                    guards,
                    limit,
                } => read_body(body, guards, limit),
            };
            let bytes = read
                .await
                .map_err(|e| e.with_url(self.parts.url.url().clone()))?;
            answer.inner.content = Content::Buffered(bytes);
            Ok(answer)
        }
    }

    /// One hop: sent (again, once, when a pooled connection turned out stale), its cookies
    /// stored, and a redirect followed. The answer when it is the last one.
    async fn hop(&mut self) -> Result<Option<Answer>> {
        let (answer, replay) = self.send().await?;
        let url = &self.parts.url;
        let headers = answer.inner.headers.map();
        // Asked only when there is a cookie to store: the `Url` is made on first use.
        if headers.contains_key(http::header::SET_COOKIE) {
            let jar = match &self.client.inner.jar {
                Some(jar) => jar,
                None => &**self.chain_jar.get_or_insert_with(Box::default),
            };
            jar.store_from_headers(url.url(), headers);
        }
        let next = if self.follows && answer.status().is_redirection() {
            redirect::location(url.url(), headers)
        } else {
            None
        };
        let Some(next) = next else {
            return Ok(Some(answer));
        };
        let next = next.map_err(|e| e.with_url(url.url().clone()))?;
        // Boxed: a redirect's drain and timer would otherwise size every request's future.
        Box::pin(self.redirect(answer, next, replay)).await?;
        Ok(None)
    }

    /// Sends the request as it is now, again once on another connection when the pooled
    /// one was stale; the answer, and what of the body can be sent again.
    async fn send(&mut self) -> Result<(Answer, Replay)> {
        let mut retried_stale = false;
        loop {
            let replay = Replay::of(self.parts.body.as_ref());
            let (request, own) = self
                .client
                .prepare(&mut self.parts, self.chain_jar.as_deref())
                .map_err(|e| e.with_url(self.parts.url.url().clone()))?;
            match self.client.inner.transport.send(request).await {
                Ok(response) => {
                    let (head, body) = response.into_parts();
                    // Its time is set when it is done with: drained, or read.
                    let answer = Response::answering(
                        head,
                        Content::Streaming(body),
                        self.request_head(own),
                        Duration::ZERO,
                    );
                    return Ok((answer, replay));
                }
                Err(err) if !retried_stale && may_retry_stale(&err, &self.parts) => {
                    // The pooled connection was closed by the server while idle: the
                    // request never reached it, so it goes again, once, on another one.
                    let Ok(body) = replay.into_body() else {
                        return Err(err.with_url(self.parts.url.url().clone()));
                    };
                    self.parts.body = body;
                    crate::trace::stale_retry(&err);
                    retried_stale = true;
                }
                Err(err) => return Err(err.with_url(self.parts.url.url().clone())),
            }
        }
    }

    /// Keeps `answer` in the history and rewrites the request for `next`.
    async fn redirect(&mut self, mut hop: Answer, next: url::Url, replay: Replay) -> Result<()> {
        let max = self.client.inner.redirect.max_redirects();
        if self.history.len() >= max {
            let first = self.history.first().map(|r| &r.inner.request.url);
            let url = first.unwrap_or(&self.parts.url).url().clone();
            return Err(
                Error::redirect(format!("too many redirects (more than {max})")).with_url(url),
            );
        }
        // Drained so that the connection can be reused, but never waited on for long:
        // a trickling redirect body is dropped with its connection instead.
        let drained = hop.take_unread_body().drain(REDIRECT_DRAIN_CAP);
        let _ = tokio::time::timeout(REDIRECT_DRAIN_TIME, drained).await;
        let status = hop.status();
        hop.inner.elapsed = self.started.elapsed();
        // Parsed by now, to resolve the `Location`: the hop reports it without a parse.
        hop.inner.request.url = self.parts.url.clone();
        for hook in &mut self.parts.each_response {
            hook(&mut hop);
        }
        self.history.push(hop);
        crate::trace::redirect(status, &next);
        redirect::follow(&mut self.parts, status, next, replay)
            .map_err(|e| e.with_url(self.parts.url.url().clone()))
    }

    /// The request as this hop sent it.
    fn request_head(&self, own: HeaderMap) -> RequestHead {
        RequestHead::new(
            self.parts.method.clone(),
            self.parts.url.clone(),
            own,
            self.client.inner.headers.clone(),
        )
    }

    /// The last answer's body under the one guard on it: handed over unread when the
    /// request streams it (under the total timeout until it is read or dropped), else to be
    /// read within `max_body_size` (under the total timeout already).
    fn guard(&self, body: Body) -> Guarded {
        let options = &self.parts.options;
        let streamed = options.stream || self.batch.stream;
        let timeouts = self.client.timeouts(options);
        let guards = BodyGuards {
            low_speed: timeouts.low_speed,
            read_timeout: timeouts.read,
            deadline: self.deadline.filter(|_| streamed),
        };
        if streamed {
            return Guarded::Streamed(if guards.are_off() {
                body
            } else {
                Body::wrap(GuardedBody::new(body, guards))
            });
        }
        let limit = options
            .max_body_size
            .unwrap_or(self.client.inner.max_body_size);
        Guarded::Read {
            body,
            guards,
            limit,
        }
    }

    /// The last answer as the response: its time set, the history attached, the hooks run.
    fn finish(self, mut response: Answer) -> Response {
        response.inner.elapsed = self.started.elapsed();
        // The URL as the chain used it: parsed already when a cookie or a redirect asked.
        response.inner.request.url = self.parts.url;
        response.inner.history = self.history;
        for mut hook in self.parts.each_response {
            hook(&mut response);
        }
        // A kept response's headers go dense, which also copies their values out of the
        // transport's read buffer (a slice of it would pin kilobytes for a few bytes).
        if self.batch.keeps_results {
            response.keep();
        }
        response
    }
}
