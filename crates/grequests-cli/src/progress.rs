//! Progress and the summary, on standard error: a bar on a terminal (input bytes read when
//! its size is known, records written, failures, requests per second, body bytes), a status
//! line every 10 s otherwise; at the end a summary by status class and error kind, also
//! written as JSON by `--stats-json`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::record::Record;

/// Shared by the reader thread and the writer.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    stats: Arc<Mutex<Stats>>,
    started: Instant,
    /// Neither bar nor status lines: `--quiet`.
    quiet: bool,
}

/// What a run did, as `--stats-json` writes it.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    /// Records written by this run.
    pub records: u64,
    /// Records an earlier run had written (`--resume`).
    pub resumed: u64,
    pub failed: u64,
    /// Body bytes received.
    pub bytes: u64,
    pub elapsed_s: f64,
    pub requests_per_s: f64,
    /// `2xx`, `3xx`, `4xx`, `5xx`: responses by class.
    pub by_status_class: BTreeMap<String, u64>,
    /// Failures by error kind.
    pub by_error_kind: BTreeMap<String, u64>,
    pub interrupted: bool,
}

impl Progress {
    /// `input_size` in bytes when the input is a file; `resumed` records already written.
    pub fn new(input_size: Option<u64>, resumed: u64, quiet: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let target = if quiet || !terminal {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let template = match input_size {
            Some(_) => "{bar:30} {percent:>3}% of the input  {msg}  {elapsed_precise} (eta {eta})",
            None => "{spinner} {msg}  {elapsed_precise}",
        };
        let bar = ProgressBar::with_draw_target(input_size, target).with_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        let progress = Progress {
            bar,
            stats: Arc::new(Mutex::new(Stats {
                resumed,
                ..Stats::default()
            })),
            started: Instant::now(),
            quiet,
        };
        if !quiet && !terminal {
            let ticker = progress.clone();
            std::thread::spawn(move || loop {
                std::thread::sleep(Duration::from_secs(10));
                if ticker.bar.is_finished() {
                    return;
                }
                eprintln!("grequests: {}", ticker.line());
            });
        }
        progress
    }

    /// The reader consumed `bytes` more of the input.
    pub fn read(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    /// `record` was written.
    pub fn wrote(&self, record: &Record) {
        let records = {
            let Ok(mut stats) = self.stats.lock() else {
                return;
            };
            stats.records += 1;
            stats.bytes += record.content_length.unwrap_or(0);
            match (&record.error, record.status) {
                (Some(error), _) => {
                    stats.failed += 1;
                    *stats
                        .by_error_kind
                        .entry(error.kind.to_owned())
                        .or_default() += 1;
                }
                (None, Some(status)) => {
                    *stats
                        .by_status_class
                        .entry(format!("{}xx", status / 100))
                        .or_default() += 1;
                }
                (None, None) => {}
            }
            stats.records
        };
        if records % 64 == 1 {
            self.bar.set_message(self.line());
        }
    }

    /// Ends the bar and prints the summary (unless quiet); the figures, for `--stats-json`.
    pub fn finish(&self, interrupted: bool) -> Stats {
        let stats = self.snapshot(interrupted);
        self.bar.finish_and_clear();
        if !self.quiet {
            let mut outcomes: Vec<String> = stats
                .by_status_class
                .iter()
                .chain(&stats.by_error_kind)
                .map(|(name, n)| format!("{name} {n}"))
                .collect();
            if outcomes.is_empty() {
                outcomes.push("nothing to fetch".into());
            }
            eprintln!("grequests: {}; {}", self.line(), outcomes.join(", "));
        }
        stats
    }

    fn snapshot(&self, interrupted: bool) -> Stats {
        let mut stats = self.stats.lock().map(|s| s.clone()).unwrap_or_default();
        stats.elapsed_s = self.started.elapsed().as_secs_f64();
        stats.requests_per_s = stats.records as f64 / stats.elapsed_s.max(1e-9);
        stats.interrupted = interrupted;
        stats
    }

    fn line(&self) -> String {
        let stats = self.snapshot(false);
        let resumed = match stats.resumed {
            0 => String::new(),
            n => format!(" (+{n} resumed)"),
        };
        format!(
            "{} records{resumed}, {} failed, {:.0}/s, {}",
            stats.records,
            stats.failed,
            stats.requests_per_s,
            indicatif::HumanBytes(stats.bytes)
        )
    }
}
