//! A request's [`Ticket`]: what the engine keeps of it while it is out, and the one place
//! where a request becomes its [`Completed`] result, a response or a failure.

use http::Method;

use crate::model::{FailedRequest, Hook, RequestUrl, Response};
use crate::{Error, Result};

/// A finished request, in the engine's words.
pub(crate) struct Completed<U> {
    pub(crate) index: usize,
    pub(crate) data: U,
    pub(crate) outcome: std::result::Result<Response, Failure>,
}

/// A failure with what the exception handler is told about its request.
pub(crate) struct Failure {
    pub(crate) request: FailedRequest,
    pub(crate) error: Error,
}

/// A request pulled from the user's iterator and not yet reported.
pub(super) struct Ticket<U> {
    pub(super) index: usize,
    data: U,
    hooks: Vec<Hook>,
    /// `None` for a request that could not be built.
    method: Option<Method>,
    /// Kept only when the request may fail with no error of its own to name it (`gtimeout`,
    /// a refusal): a failed exchange's error carries its URL, and a copy per request costs.
    url: Option<RequestUrl>,
}

impl<U> Ticket<U> {
    pub(super) fn new(
        index: usize,
        data: U,
        method: Option<Method>,
        url: Option<RequestUrl>,
        hooks: Vec<Hook>,
    ) -> Self {
        Ticket {
            index,
            data,
            hooks,
            method,
            url,
        }
    }

    /// The request's one result: the response with the request's hooks applied, or the
    /// failure.
    pub(super) fn finish(self, result: Result<Response>) -> Completed<U> {
        match result {
            Ok(mut response) => {
                for hook in self.hooks {
                    hook(&mut response);
                }
                Completed {
                    index: self.index,
                    data: self.data,
                    outcome: Ok(response),
                }
            }
            Err(error) => self.fail(error),
        }
    }

    /// The request's one result, a failure: the only place a failure is made.
    pub(super) fn fail(self, error: Error) -> Completed<U> {
        let url = self.url.map(|url| url.url().clone());
        let url = url.or_else(|| error.url().cloned());
        Completed {
            index: self.index,
            data: self.data,
            outcome: Err(Failure {
                request: FailedRequest {
                    index: self.index,
                    method: self.method,
                    url,
                },
                error,
            }),
        }
    }
}
