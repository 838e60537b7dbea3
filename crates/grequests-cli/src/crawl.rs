//! `grequests fetch`, start to end: resume, read, queue by host, fetch, write; stop cleanly
//! on Ctrl-C or SIGTERM.

use std::io::{self, BufRead, BufReader};
use std::sync::Arc;

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::args::Fetch;
use crate::fetch::{Fetched, Fetcher};
use crate::frontier::{Frontier, HostKey};
use crate::input::{spawn_reader, Filter, Job};
use crate::output::Output;
use crate::progress::Progress;
use crate::resume;

/// The most the lines read ahead may weigh ([`Job::weight`]): ten thousand plain URLs
/// weigh under 2 MiB, but a JSON line may carry a body of up to a MiB.
pub const WINDOW_BYTES: usize = 16 << 20;

/// How a run ended.
pub enum Ended {
    Done,
    Interrupted,
}

/// Runs a fetch to its end; an error is fatal (the output cannot be written, say).
pub async fn run(args: Fetch) -> Result<Ended, String> {
    let fetcher = Arc::new(Fetcher::new(&args)?);
    let mut done = resume::Done::default();
    if args.resume {
        if let Some(path) = &args.output {
            let resumed = resume::read(path).map_err(|err| err.to_string())?;
            if let Some(warc) = &args.warc {
                resume::repair_warc(warc, resumed.warc_end).map_err(|err| err.to_string())?;
            }
            done = resumed.done;
        }
    }
    let already = done.len();
    let mut output = Output::open(
        args.output.as_deref(),
        args.warc.as_deref(),
        args.save_bodies.as_deref(),
        args.resume,
    )
    .map_err(|err| err.to_string())?;

    let (source, size): (Box<dyn BufRead + Send>, Option<u64>) = if args.input == "-" {
        (Box::new(BufReader::new(io::stdin())), None)
    } else {
        let file =
            std::fs::File::open(&args.input).map_err(|err| format!("{}: {err}", args.input))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(BufReader::with_capacity(1 << 16, file)), size)
    };
    let progress = Progress::new(size, already, args.quiet);
    // Lines may be up to a MiB each: few wait in the channel, and the window is weighed.
    let (jobs, mut incoming) = mpsc::channel::<Job>(64);
    let reading = progress.clone();
    let filter = Filter {
        shard: args.shard,
        done,
    };
    let reader = spawn_reader(source, filter, jobs, move |bytes| reading.read(bytes));

    let concurrency = args.concurrency as usize;
    let window = args.window as usize;
    let mut frontier = Frontier::new(args.per_host as usize, args.delay_per_host);
    let mut in_flight = InFlight::default();
    let mut input_open = true;
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let ended = loop {
        let now = tokio::time::Instant::now();
        while in_flight.len() < concurrency {
            let Some((host, job)) = frontier.pop(now) else {
                break;
            };
            in_flight.start(&fetcher, Some(host), job);
        }
        if !input_open && frontier.queued() == 0 && in_flight.is_empty() {
            break Ended::Done;
        }
        let wake = frontier.next_wake();
        let read_on =
            input_open && frontier.queued() < window && frontier.queued_bytes() < WINDOW_BYTES;
        tokio::select! {
            biased;
            () = &mut shutdown => break Ended::Interrupted,
            Some(first) = in_flight.next(), if !in_flight.is_empty() => {
                let mut finished = Some(first);
                while let Some((host, fetched)) = finished {
                    if let Some(host) = host {
                        frontier.done(&host);
                    }
                    progress.wrote(&fetched.record);
                    output.write(fetched).map_err(|err| format!("writing the output: {err}"))?;
                    finished = in_flight.try_next();
                }
                output.flush().map_err(|err| format!("writing the output: {err}"))?;
            }
            job = incoming.recv(), if read_on => match job {
                // A bad line has no host to wait for.
                Some(job) if job.spec.is_err() => in_flight.start(&fetcher, None, job),
                Some(job) => frontier.push(&job.origin_key(), job),
                None => input_open = false,
            },
            () = sleep_until(wake), if wake.is_some() => {}
        }
    };
    // In-flight requests are cancelled by dropping their tasks (a JoinSet aborts them); the
    // reader stops at its next send.
    drop(in_flight);
    drop(incoming);
    let stats = progress.finish(matches!(ended, Ended::Interrupted));
    if let Some(path) = &args.stats_json {
        let json = serde_json::to_vec_pretty(&stats).map_err(|err| err.to_string())?;
        std::fs::write(path, json).map_err(|err| format!("{}: {err}", path.display()))?;
    }
    if let Ended::Done = ended {
        match reader.join() {
            Ok(Ok(())) => {}
            Ok(Err(err)) => return Err(format!("reading {}: {err}", args.input)),
            Err(_) => return Err("the input reader panicked".into()),
        }
    }
    Ok(ended)
}

/// The fetches running, each a task of its own so that both cores work, each answering
/// with its line's host and record, even one whose fetch panicked.
#[derive(Default)]
struct InFlight {
    tasks: JoinSet<(Option<HostKey>, Fetched)>,
}

impl InFlight {
    fn len(&self) -> usize {
        self.tasks.len()
    }

    fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    fn start(&mut self, fetcher: &Arc<Fetcher>, host: Option<HostKey>, job: Job) {
        let fetcher = fetcher.clone();
        let (index, url) = (job.index, job.url().to_owned());
        // Boxed, the task's future is moved into place once; by value, the spawn path
        // would copy all of its kilobytes several times.
        self.tasks.spawn(Box::pin(async move {
            let fetched = match AssertUnwindSafe(fetcher.fetch(job)).catch_unwind().await {
                Ok(fetched) => fetched,
                Err(panic) => Fetched::internal_error(index, url, &panic_message(&*panic)),
            };
            (host, fetched)
        }));
    }

    /// A fetch that has finished already, without waiting.
    fn try_next(&mut self) -> Option<(Option<HostKey>, Fetched)> {
        // As in `next`, a cancelled task has no answer to give.
        std::iter::from_fn(|| self.tasks.try_join_next()).find_map(Result::ok)
    }

    /// The next fetch to finish; `None` when none is running.
    async fn next(&mut self) -> Option<(Option<HostKey>, Fetched)> {
        loop {
            match self.tasks.join_next().await? {
                Ok(finished) => return Some(finished),
                // Only a cancelled task ends without its answer, and only shutdown cancels.
                Err(_) => continue,
            }
        }
    }
}

/// What a panic said, for the record of the line it happened on.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(text), _) => (*text).to_owned(),
        (_, Some(text)) => text.clone(),
        _ => "a panic".to_owned(),
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// Ctrl-C, or SIGTERM (what Kubernetes and systemd send to stop a process).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
