//! Progress reports for long batches.

/// How far a batch has come, reported after each request finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Requests finished, failures included.
    pub done: usize,
    /// Requests that failed (transport, timeout, redirect or bad-input errors).
    pub failed: usize,
    /// The batch's size, when its iterator knows it exactly.
    pub total: Option<usize>,
    /// Body bytes received by the finished requests (streamed bodies, read later, are not
    /// counted).
    pub received: u64,
}

pub(crate) type ProgressFn = Box<dyn FnMut(Progress) + Send>;

/// A callback that draws an `indicatif` progress bar on standard error.
#[cfg(feature = "progress-bar")]
pub(crate) fn bar() -> ProgressFn {
    let bar = indicatif::ProgressBar::no_length();
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} requests, {msg} [{elapsed_precise} < {eta_precise}]",
    ) {
        bar.set_style(style);
    }
    Box::new(move |progress: Progress| {
        if let Some(total) = progress.total {
            bar.set_length(total as u64);
        }
        bar.set_position(progress.done as u64);
        bar.set_message(format!(
            "{} failed, {} received",
            progress.failed,
            indicatif::HumanBytes(progress.received)
        ));
        if progress.total == Some(progress.done) {
            bar.finish();
        }
    })
}
