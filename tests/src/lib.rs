//! Test suites live under `tests/`; this crate has no library code.
