//! Request bodies streamed from Python: a file's `read()` or a generator, pulled a chunk at a
//! time on tokio's blocking pool (which takes the GIL), so that an upload of any size never
//! sits in memory whole.

use bytes::Bytes;
use grequests_core::Body;
use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;

/// A body whose chunks come from the Python iterator `chunks` (of `bytes`).
pub(crate) fn streamed(chunks: Py<PyAny>) -> Body {
    Body::from_stream(pulled(chunks))
}

/// The chunks of the Python iterator `chunks`, each pulled when the body needs it.
pub(crate) fn pulled(
    chunks: Py<PyAny>,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures_util::stream::unfold(Some(chunks), |state| async move {
        let chunks = state?;
        let pulled = tokio::task::spawn_blocking(move || {
            Python::attach(|py| match chunks.bind(py).call_method0("__next__") {
                Ok(chunk) => chunk
                    .extract::<Vec<u8>>()
                    .map(|bytes| Some((Bytes::from(bytes), chunks.clone_ref(py)))),
                Err(err) if err.is_instance_of::<PyStopIteration>(py) => Ok(None),
                Err(err) => Err(err),
            })
        })
        .await;
        match pulled {
            Ok(Ok(Some((chunk, chunks)))) => Some((Ok(chunk), Some(chunks))),
            Ok(Ok(None)) => None,
            Ok(Err(err)) => Some((
                Err(std::io::Error::other(format!(
                    "the body's iterator raised {err}"
                ))),
                None,
            )),
            Err(join) => Some((Err(std::io::Error::other(join.to_string())), None)),
        }
    })
}
