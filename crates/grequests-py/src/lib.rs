//! The native half of the `grequests_rs` Python package: the engine's client, batches and
//! responses. The package (`python/grequests_rs/`) gives them grequests' and requests' API.

mod batch;
mod client;
mod error;
mod lent;
mod response;
mod runtime;
mod spec;
mod upload;

use pyo3::prelude::*;

/// The module `grequests_rs._native`.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<client::NativeClient>()?;
    module.add_class::<response::NativeResponse>()?;
    module.add_class::<batch::NativeImap>()?;
    module.add("NativeError", module.py().get_type::<error::NativeError>())?;
    module.add("ENGINE_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
