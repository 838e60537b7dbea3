//! [`NativeResponse`]: an engine response as the Python package's `Response` reads it.

use std::ops::Deref;
use std::sync::MutexGuard;

use std::borrow::Cow;

use grequests_core::http::HeaderMap;
use grequests_core::Response;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::error;
use crate::lent::Lent;
use crate::runtime;

/// A cookie a response sets: `(name, value, domain, path)`.
type SetCookie = (String, String, Option<String>, Option<String>);

/// What [`NativeResponse::row`] gives: `(status, url, headers, elapsed_ms, body)`.
type Row<'py> = (
    u16,
    String,
    Vec<(Bound<'py, PyString>, Bound<'py, PyString>)>,
    f64,
    Option<Bound<'py, PyBytes>>,
);

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
        Ok(self.inner()?.url_string())
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

    /// The headers as a `CaseInsensitiveDict`'s store (see [`header_store`]).
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        header_store(py, self.inner()?.header_pairs())
    }

    /// The request the response answers, after redirects: `(method, url, headers)`, the
    /// headers as [`header_store`] gives them.
    fn request<'py>(&self, py: Python<'py>) -> PyResult<(String, String, Bound<'py, PyDict>)> {
        let inner = self.inner()?;
        let head = inner.request();
        Ok((
            head.method().to_string(),
            head.url_string(),
            header_store(py, pairs(&head.headers()))?,
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

    /// One row of a fetched table (`grequests_rs.ray`): `(status, url, headers, elapsed_ms,
    /// body)`, the headers as `(name, value)` pairs joined as [`joined`] joins them, the body
    /// `None` unless asked for (or streamed). One call where reading the `Response` would
    /// take five, each with its own Python objects.
    fn row<'py>(&self, py: Python<'py>, body: bool) -> PyResult<Row<'py>> {
        let inner = self.inner()?;
        let headers = joined(inner.header_pairs())
            .map(|(name, value)| (PyString::new(py, name), PyString::new(py, &value)))
            .collect();
        let content = if body { inner.bytes().ok() } else { None };
        Ok((
            self.status,
            inner.url_string(),
            headers,
            inner.elapsed().as_secs_f64() * 1000.0,
            content.map(|bytes| PyBytes::new(py, &bytes)),
        ))
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

/// `headers` as requests keeps them, in the form of a `CaseInsensitiveDict`'s store:
/// `{name: (name, value)}`, as [`joined`] gives them. Built here in one pass, with no
/// string copied but the Python ones.
fn header_store<'py, 'h>(
    py: Python<'py>,
    pairs: impl IntoIterator<Item = (&'h str, &'h [u8])>,
) -> PyResult<Bound<'py, PyDict>> {
    let store = PyDict::new(py);
    for (name, value) in joined(pairs) {
        let key = PyString::new(py, name);
        store.set_item(&key, (&key, PyString::new(py, &value)))?;
    }
    Ok(store)
}

/// Headers as requests reads them: names lowercase (as HTTP/2 and hyper give them), a
/// repeated name's values joined with `", "` in the order received, values decoded as
/// ISO-8859-1.
fn joined<'h>(
    pairs: impl IntoIterator<Item = (&'h str, &'h [u8])>,
) -> impl Iterator<Item = (&'h str, Cow<'h, str>)> {
    // A repeated name's values come one after another, as a `HeaderMap` yields them.
    let mut pairs = pairs.into_iter().peekable();
    std::iter::from_fn(move || {
        let (name, first) = pairs.next()?;
        let mut value = latin1(first);
        while let Some((_, next)) = pairs.next_if(|(next, _)| *next == name) {
            let joined = value.to_mut();
            joined.push_str(", ");
            joined.push_str(&latin1(next));
        }
        Some((name, value))
    })
}

/// A `HeaderMap`'s headers as [`header_store`] reads them.
fn pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &[u8])> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
}

/// A header value as text, each byte one ISO-8859-1 character (as requests decodes them).
fn latin1(value: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(value) {
        Ok(text) if value.is_ascii() => Cow::Borrowed(text),
        _ => Cow::Owned(value.iter().map(|&b| char::from(b)).collect()),
    }
}
