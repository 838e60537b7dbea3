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
    module.add_class::<client::NativeBudget>()?;
    module.add_class::<client::PoolStatus>()?;
    module.add(
        "DEFAULT_MAX_BODY_SIZE",
        grequests_core::limits::DEFAULT_MAX_BODY_SIZE,
    )?;
    module.add(
        "DEFAULT_POOL_MAXSIZE",
        grequests_core::DEFAULT_MAX_IDLE_PER_HOST,
    )?;
    module.add("DEFAULT_POOL_MAX_IDLE", grequests_core::DEFAULT_MAX_IDLE)?;
    module.add("DEFAULT_LOW_SPEED_LIMIT", client::default_low_speed_limit())?;
    let decode = grequests_core::DecodeLimits::default();
    module.add("DEFAULT_MAX_DECOMPRESSION_RATIO", decode.max_ratio)?;
    module.add("DEFAULT_MAX_DECODED_BODY_SIZE", decode.max_decoded_size)?;
    module.add_class::<response::NativeResponse>()?;
    module.add_class::<batch::NativeImap>()?;
    module.add("NativeError", module.py().get_type::<error::NativeError>())?;
    module.add("ENGINE_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
