//! Batches: [`NativeImap`] yields results as they finish. It pulls requests lazily from a
//! Python iterator of `(request, RequestSpec)` pairs, on the thread that waits, so a generator of a
//! million requests is never held in memory.

use std::time::Duration;

use futures_util::StreamExt;
use grequests_core::{mode, Batch, Client, Error, IntoRequest, Request, Response};
use pyo3::exceptions::{PyBaseException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyIterator, PyTuple};

use crate::error;
use crate::lent::Lent;
use crate::response::NativeResponse;
use crate::runtime;
use crate::spec::Spec;

/// What travels with each request through the engine: the Python request object, and the
/// exception its spec raised, if building it failed.
type Tag = (Py<PyAny>, Option<PyErr>);

/// One request of a batch as the engine takes it: the client that sends it, none for one
/// refused before it was built (its tag's exception is then its result).
struct Queued {
    request: Request,
    client: Option<Client>,
    tag: Tag,
}

impl Queued {
    fn refused(tag: Tag) -> Queued {
        let why = Error::builder("grequests_rs: refused before it was built");
        Queued {
            request: Request::failed(why),
            client: None,
            tag,
        }
    }
}

impl IntoRequest for Queued {
    type Data = Tag;
    type Out<T> = (Tag, T);

    fn into_request(self) -> (Request, Option<Client>, Tag) {
        (self.request, self.client, self.tag)
    }

    fn wrap<T>(tag: Tag, value: T) -> (Tag, T) {
        (tag, value)
    }
}

/// The requests of a batch, pulled from Python as the engine has room for them.
struct Feed {
    items: Py<PyIterator>,
    done: bool,
}

impl Iterator for Feed {
    type Item = Queued;

    fn next(&mut self) -> Option<Queued> {
        if self.done {
            return None;
        }
        Python::attach(|py| {
            let mut items = self.items.bind(py).clone();
            match items.next()? {
                Ok(item) => Some(build(py, &item)),
                Err(err) => {
                    // The caller's iterator raised: that ends the batch, and the exception
                    // is this last item's result.
                    self.done = true;
                    Some(Queued::refused((py.None(), Some(err))))
                }
            }
        })
    }
}

/// The engine's request for one `(request, spec)` pair; one that can't be built fails with
/// the exception that says why, unsent.
fn build(py: Python<'_>, item: &Bound<'_, PyAny>) -> Queued {
    let pair = item.extract::<(Py<PyAny>, Bound<'_, PyAny>)>();
    match pair {
        // The package's checks refused it already: its exception is the result.
        Ok((request, refusal)) if refusal.is_instance_of::<PyBaseException>() => {
            Queued::refused((request, Some(PyErr::from_value(refusal))))
        }
        Ok((request, spec)) => match spec.extract::<Spec>().and_then(Spec::into_request) {
            Ok(built) => {
                let (client, built) = built.build_split();
                Queued {
                    request: built,
                    client: Some(client),
                    tag: (request, None),
                }
            }
            Err(err) => Queued::refused((request, Some(err))),
        },
        Err(err) => {
            let request = item
                .get_item(0)
                .map(Bound::unbind)
                .unwrap_or_else(|_| py.None());
            Queued::refused((request, Some(err)))
        }
    }
}

/// One result for Python: `(request, response or None, error or None)`, the error being an
/// exception object (the spec could not be built) or `(kind, message)` (the engine's).
fn outcome<'py>(
    py: Python<'py>,
    (request, refusal): Tag,
    result: grequests_core::Result<Response>,
) -> PyResult<Bound<'py, PyTuple>> {
    let none = py.None();
    match (refusal, result) {
        (Some(err), _) => (request, none, err.into_value(py)).into_pyobject(py),
        (None, Ok(response)) => {
            (request, NativeResponse::wrap(py, response)?, none).into_pyobject(py)
        }
        (None, Err(err)) => (request, none, error::described(&err)).into_pyobject(py),
    }
}

fn feed(items: &Bound<'_, PyAny>) -> PyResult<Feed> {
    Ok(Feed {
        items: items.try_iter()?.unbind(),
        done: false,
    })
}

fn gtimeout_duration(gtimeout: Option<f64>) -> PyResult<Option<Duration>> {
    gtimeout
        .map(|seconds| {
            Duration::try_from_secs_f64(seconds).map_err(|_| {
                PyValueError::new_err(format!(
                    "gtimeout must be a non-negative number, not {seconds}"
                ))
            })
        })
        .transpose()
}

type Streamed = Batch<Feed, mode::TryImapEnumerated>;

/// The results of a batch in completion order: `(index, (request, response, error))`, every
/// request exactly once. The package's `map` reads them too, as they come, so that Python
/// turns each into a `Response` while the rest are still in flight.
#[pyclass(frozen, module = "grequests_rs._native")]
pub(crate) struct NativeImap {
    /// Taken out while a result is awaited (the wait owns it), `None` once finished.
    batch: Lent<Streamed>,
}

#[pymethods]
impl NativeImap {
    #[new]
    #[pyo3(signature = (items, size = None, gtimeout = None, keeps_results = false))]
    fn new(
        items: &Bound<'_, PyAny>,
        size: Option<usize>,
        gtimeout: Option<f64>,
        keeps_results: bool,
    ) -> PyResult<Self> {
        // For a caller that keeps every response (`map`): see `Batch::keeps_results`.
        let mut batch = grequests_core::try_imap_enumerated(feed(items)?)
            .size(size)
            .keeps_results(keeps_results);
        if let Some(limit) = gtimeout_duration(gtimeout)? {
            batch = batch.gtimeout(limit);
        }
        Ok(NativeImap {
            batch: Lent::new(batch),
        })
    }

    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<(usize, Bound<'py, PyTuple>)>> {
        let Some(mut batch) = self.batch.take() else {
            return Ok(None);
        };
        // Interrupted, the batch is dropped with the wait: what it had in flight is canceled.
        let (batch, next) = runtime::wait(py, async {
            let next = batch.next().await;
            (batch, next)
        })?;
        let Some((index, (tag, result))) = next else {
            return Ok(None);
        };
        self.batch.put_back(batch);
        Ok(Some((index, outcome(py, tag, result)?)))
    }

    /// Cancels what is in flight and ends the iteration.
    fn close(&self) {
        drop(self.batch.take());
    }
}
