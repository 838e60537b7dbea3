//! [`Lent`]: a value a Python object owns but lends, whole, to a wait that releases the GIL.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Holds a value that a wait takes out (it must own what it awaits to run without the GIL)
/// and puts back after. An interrupted wait drops it, and the slot stays empty.
pub(crate) struct Lent<T>(Mutex<Option<T>>);

impl<T> Lent<T> {
    pub(crate) fn new(value: T) -> Self {
        Lent(Mutex::new(Some(value)))
    }

    /// The slot; `None` while the value is lent out, or once it was dropped.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Option<T>> {
        // A panic while the lock was held left no half-done state: a value or none.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the value out, for a wait or for good.
    pub(crate) fn take(&self) -> Option<T> {
        self.lock().take()
    }

    /// Puts the value back after a wait.
    pub(crate) fn put_back(&self, value: T) {
        *self.lock() = Some(value);
    }
}
