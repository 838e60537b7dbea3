//! The one tokio runtime every session's connections live on, and [`wait`]: how a Python
//! thread waits for the engine without holding the GIL or going deaf to Ctrl-C.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

/// How often a waiting thread looks for a pending signal (Ctrl-C raises `KeyboardInterrupt`
/// within this, and what was in flight is dropped, so canceled).
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// One runtime for the process: a session's pooled connections are tasks on it, so every
/// thread that sends on that session must drive the same runtime. Its workers are the
/// machine's cores; a Python thread waiting on a batch drives the batch itself.
fn runtime() -> PyResult<&'static Runtime> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_name("grequests-rs")
                .build()
                .map_err(|err| err.to_string())
        })
        .as_ref()
        .map_err(|why| PyRuntimeError::new_err(format!("grequests_rs: no runtime: {why}")))
}

/// Runs `future` to completion on this thread with the GIL released, checking for signals
/// every [`SIGNAL_CHECK`]; a signal's exception (`KeyboardInterrupt`) drops the future,
/// which cancels what it had in flight.
pub(crate) fn wait<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let runtime = runtime()?;
    if tokio::runtime::Handle::try_current().is_ok() {
        // A batch's request generator (run while its batch waits) started another batch.
        return Err(PyRuntimeError::new_err(
            "grequests_rs: a batch cannot be sent from inside another batch's request generator",
        ));
    }
    py.detach(|| {
        runtime.block_on(async {
            let mut future = std::pin::pin!(future);
            loop {
                match tokio::time::timeout(SIGNAL_CHECK, future.as_mut()).await {
                    Ok(output) => return Ok(output),
                    Err(_) => Python::attach(|py| py.check_signals())?,
                }
            }
        })
    })
}

/// Enters the runtime for work that needs one but does not wait (building a client).
pub(crate) fn enter<T>(work: impl FnOnce() -> T) -> PyResult<T> {
    let _guard = runtime()?.enter();
    Ok(work())
}
