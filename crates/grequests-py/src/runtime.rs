//! The one tokio runtime every session's connections live on, and [`wait`]: how a Python
//! thread waits for the engine without holding the GIL or going deaf to Ctrl-C.

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;

/// How often a waiting thread looks for a pending signal (Ctrl-C raises `KeyboardInterrupt`
/// within this, and what was in flight is dropped, so canceled).
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// One runtime per process: a session's pooled connections are tasks on it, so every
/// thread that sends on that session must drive the same runtime. Its workers are the
/// machine's cores; a Python thread waiting on a batch drives the batch itself.
///
/// A child made by `os.fork()` (multiprocessing, pre-forking servers) inherits the parent's
/// runtime without its worker threads: waiting on it would hang. So the runtime belongs to
/// the process that made it, and a child makes its own; the parent's is leaked there, since
/// dropping it would join threads that do not exist.
fn runtime() -> PyResult<&'static Runtime> {
    static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);
    let mut current = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if let Some((owner, runtime)) = *current {
        if owner == pid {
            return Ok(runtime);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("grequests-rs")
        .build()
        .map_err(|why| PyRuntimeError::new_err(format!("grequests_rs: no runtime: {why}")))?;
    let runtime: &'static Runtime = Box::leak(Box::new(runtime));
    *current = Some((pid, runtime));
    Ok(runtime)
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
