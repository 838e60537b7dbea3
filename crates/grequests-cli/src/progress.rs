//! The progress bar, on standard error (and only on a terminal): bytes of the input read
//! when its size is known, and records written, with the failures among them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Shared by the reader thread and the writer.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    counts: Arc<Counts>,
}

struct Counts {
    written: AtomicU64,
    failed: AtomicU64,
    resumed: u64,
}

impl Progress {
    /// `input_size` in bytes when the input is a file; `resumed` records already written.
    pub fn new(input_size: Option<u64>, resumed: u64, quiet: bool) -> Self {
        let target = if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = match input_size {
            Some(size) => ProgressBar::with_draw_target(Some(size), target).with_style(
                ProgressStyle::with_template(
                    "{bar:30} {percent:>3}% of the input  {msg}  {elapsed_precise} (eta {eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::with_draw_target(None, target).with_style(
                ProgressStyle::with_template("{spinner} {msg}  {elapsed_precise}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar,
            counts: Arc::new(Counts {
                written: AtomicU64::new(0),
                failed: AtomicU64::new(0),
                resumed,
            }),
        }
    }

    /// The reader consumed `bytes` more of the input.
    pub fn read(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    /// A record was written.
    pub fn wrote(&self, failed: bool) {
        let written = self.counts.written.fetch_add(1, Ordering::Relaxed) + 1;
        let failed = self
            .counts
            .failed
            .fetch_add(u64::from(failed), Ordering::Relaxed)
            + u64::from(failed);
        if written % 64 == 1 {
            self.bar.set_message(self.message(written, failed));
        }
    }

    pub fn finish(&self) {
        let written = self.counts.written.load(Ordering::Relaxed);
        let failed = self.counts.failed.load(Ordering::Relaxed);
        self.bar.finish_with_message(self.message(written, failed));
    }

    fn message(&self, written: u64, failed: u64) -> String {
        let resumed = match self.counts.resumed {
            0 => String::new(),
            n => format!(" (+{n} resumed)"),
        };
        format!("{written} records{resumed}, {failed} failed")
    }
}
