//! [`NativeResponse`]: an engine response as the Python package's `Response` reads it.

use std::ops::Deref;
use std::sync::MutexGuard;

use grequests_core::http::HeaderMap;
use grequests_core::Response;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::error;
use crate::lent::Lent;
use crate::runtime;

/// Headers as Python reads them: `(name, value)` pairs.
type HeaderPairs = Vec<(String, String)>;
/// A cookie a response sets: `(name, value, domain, path)`.
type SetCookie = (String, String, Option<String>, Option<String>);

/// A response; its body is buffered unless the request was streamed, and then read chunk by
/// chunk with [`read_chunk`](NativeResponse::read_chunk).
#[pyclass(frozen, module = "grequests_rs._native")]
pub(crate) struct NativeResponse {
    status: u16,
    history: Vec<Py<NativeResponse>>,
    /// Taken out while a streamed chunk is awaited (the wait must own it to release the
    /// GIL), and put back after.
    inner: Lent<Response>,
}

impl NativeResponse {
    pub(crate) fn wrap(py: Python<'_>, mut response: Response) -> PyResult<Py<NativeResponse>> {
        let history = response
            .take_history()
            .into_iter()
            .map(|hop| NativeResponse::wrap(py, hop))
            .collect::<PyResult<_>>()?;
        Py::new(
            py,
            NativeResponse {
                status: response.status().as_u16(),
                history,
                inner: Lent::new(response),
            },
        )
    }

    fn inner(&self) -> PyResult<MappedGuard<'_>> {
        let guard = self.inner.lock();
        if guard.is_none() {
            return Err(gone());
        }
        Ok(MappedGuard(guard))
    }
}

#[pymethods]
impl NativeResponse {
    #[getter]
    fn status(&self) -> u16 {
        self.status
    }

    #[getter]
    fn reason(&self) -> PyResult<String> {
        Ok(self.inner()?.reason().to_owned())
    }

    #[getter]
    fn url(&self) -> PyResult<String> {
        Ok(self.inner()?.url().to_string())
    }

    #[getter]
    fn version(&self) -> PyResult<String> {
        Ok(format!("{:?}", self.inner()?.version()))
    }

    #[getter]
    fn elapsed(&self) -> PyResult<f64> {
        Ok(self.inner()?.elapsed().as_secs_f64())
    }

    #[getter]
    fn history(&self, py: Python<'_>) -> Vec<Py<NativeResponse>> {
        self.history.iter().map(|hop| hop.clone_ref(py)).collect()
    }

    /// The headers as `(name, value)` pairs, repeats kept, values decoded as ISO-8859-1 (as
    /// requests does).
    fn headers(&self) -> PyResult<Vec<(String, String)>> {
        Ok(pairs(self.inner()?.headers()))
    }

    /// The request the response answers, after redirects: `(method, url, headers)`.
    fn request(&self) -> PyResult<(String, String, HeaderPairs)> {
        let inner = self.inner()?;
        let head = inner.request();
        Ok((
            head.method().to_string(),
            head.url().to_string(),
            pairs(&head.headers()),
        ))
    }

    /// The cookies this response sets: `(name, value, domain or None, path or None)`.
    fn cookies(&self) -> PyResult<Vec<SetCookie>> {
        Ok(self
            .inner()?
            .cookies()
            .into_iter()
            .map(|c| {
                (
                    c.name().to_owned(),
                    c.value().to_owned(),
                    c.domain().map(str::to_owned),
                    c.path().map(str::to_owned),
                )
            })
            .collect())
    }

    /// The buffered body; `None` for a streamed one (read it with `read_chunk`).
    fn content<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let bytes = self.inner()?.bytes().ok();
        Ok(bytes.map(|bytes| PyBytes::new(py, &bytes)))
    }

    /// The next chunk of a streamed body, `None` at its end; waits without the GIL.
    fn read_chunk<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let Some(mut response) = self.inner.take() else {
            return Err(gone());
        };
        let waited = runtime::wait(py, async {
            let chunk = response.chunk().await;
            (response, chunk)
        });
        let chunk = match waited {
            Ok((response, chunk)) => {
                self.inner.put_back(response);
                chunk
            }
            // Interrupted (Ctrl-C): the response went with the wait; reading on fails.
            Err(err) => return Err(err),
        };
        match chunk {
            Ok(chunk) => Ok(chunk.map(|bytes| PyBytes::new(py, &bytes))),
            Err(err) => Err(error::raise(&err)),
        }
    }

    /// Drops the response and, unless its body was read to the end, its connection.
    fn close(&self) {
        drop(self.inner.take());
    }

    fn __repr__(&self) -> String {
        format!("<NativeResponse [{}]>", self.status)
    }
}

/// What reading a response that is not there says.
fn gone() -> PyErr {
    PyRuntimeError::new_err("this response was closed, or its body is being read by another thread")
}

/// The guard of a response that is there (not taken out by a read).
struct MappedGuard<'a>(MutexGuard<'a, Option<Response>>);

impl Deref for MappedGuard<'_> {
    type Target = Response;

    fn deref(&self) -> &Response {
        // `inner` checked it is there, and the lock is held.
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("checked by NativeResponse::inner"))
    }
}

fn pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let latin1: String = value.as_bytes().iter().map(|&b| char::from(b)).collect();
            (name.as_str().to_owned(), latin1)
        })
        .collect()
}
