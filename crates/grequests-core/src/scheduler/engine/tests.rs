//! The engine driven step by step (tower-test style): each test scripts when each exchange
//! finishes and asserts what one poll of the engine does.

use std::collections::HashMap;
use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::oneshot;

use super::*;
use crate::{transport_fn, Body, RequestBuilder};

/// A transport whose exchange for `/N` finishes when the test says so; `/panic` panics.
#[derive(Clone, Default)]
struct Script {
    waiting: Arc<Mutex<HashMap<usize, oneshot::Receiver<()>>>>,
    sent: Arc<AtomicUsize>,
}

impl Script {
    /// The client, and a release for each of the `n` first paths.
    fn client(&self, n: usize) -> (Client, Vec<oneshot::Sender<()>>) {
        let mut releases = Vec::new();
        for index in 0..n {
            let (tx, rx) = oneshot::channel();
            self.waiting
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(index, rx);
            releases.push(tx);
        }
        let script = self.clone();
        let client = Client::with_transport(transport_fn(move |request| {
            let script = script.clone();
            async move {
                script.sent.fetch_add(1, Ordering::SeqCst);
                let path = request.uri().path().trim_start_matches('/').to_owned();
                if path == "panic" {
                    panic!("a transport bug");
                }
                let gate = path.parse::<usize>().ok().and_then(|index| {
                    script
                        .waiting
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(&index)
                });
                if let Some(gate) = gate {
                    let _ = gate.await;
                }
                Ok(http::Response::new(Body::from(path)))
            }
        }));
        (client, releases)
    }

    fn sent(&self) -> usize {
        self.sent.load(Ordering::SeqCst)
    }
}

fn plan(size: Option<usize>, keeps_results: bool, on_expiry: OnExpiry) -> Plan {
    Plan {
        size,
        keeps_results,
        on_expiry,
    }
}

/// One poll of the engine.
async fn step<I>(engine: &mut Engine<I>) -> Poll<Option<Completed<()>>>
where
    I: Iterator<Item = RequestBuilder>,
{
    poll_fn(|cx| Poll::Ready(engine.poll_next(cx))).await
}

/// The engine's next result, however long it takes.
async fn next<I>(engine: &mut Engine<I>) -> Option<Completed<()>>
where
    I: Iterator<Item = RequestBuilder>,
{
    poll_fn(|cx| engine.poll_next(cx)).await
}

fn body(completed: &Completed<()>) -> Option<String> {
    completed.outcome.as_ref().ok().and_then(|r| r.text().ok())
}

fn error(completed: &Completed<()>) -> Option<&Error> {
    completed
        .outcome
        .as_ref()
        .err()
        .map(|failure| &failure.error)
}

/// Requests to `/0`, `/1`, … counting how many the engine pulled.
fn requests(
    client: &Client,
    paths: &[&str],
    pulled: &Arc<AtomicUsize>,
) -> impl Iterator<Item = RequestBuilder> {
    let pulled = pulled.clone();
    let requests: Vec<RequestBuilder> = paths
        .iter()
        .map(|path| client.get(format!("http://engine.test/{path}")))
        .collect();
    requests.into_iter().inspect(move |_| {
        pulled.fetch_add(1, Ordering::SeqCst);
    })
}

#[tokio::test]
async fn pulls_no_more_than_size_and_refills_as_results_are_taken() {
    for keeps_results in [true, false] {
        let script = Script::default();
        let (client, mut releases) = script.client(4);
        let pulled = Arc::new(AtomicUsize::new(0));
        let paths = ["0", "1", "2", "3"];
        let mut engine = Engine::new(
            requests(&client, &paths, &pulled),
            plan(Some(2), keeps_results, OnExpiry::ReportUnsent),
        );
        assert!(step(&mut engine).await.is_pending());
        assert_eq!(
            pulled.load(Ordering::SeqCst),
            2,
            "keeps_results: {keeps_results}"
        );

        // The second finishes first, and its slot goes to the third request.
        let _ = releases.remove(1).send(());
        let first = next(&mut engine).await;
        assert_eq!(first.as_ref().map(|c| c.index), Some(1));
        assert_eq!(first.as_ref().and_then(body).as_deref(), Some("1"));
        assert!(step(&mut engine).await.is_pending());
        assert_eq!(pulled.load(Ordering::SeqCst), 3);

        for release in releases {
            let _ = release.send(());
        }
        let mut rest: Vec<usize> = Vec::new();
        while let Some(completed) = next(&mut engine).await {
            rest.push(completed.index);
        }
        rest.sort_unstable();
        assert_eq!(rest, [0, 2, 3]);
        assert_eq!(script.sent(), 4);
    }
}

#[tokio::test]
async fn a_panic_fails_its_request_and_the_batch_goes_on() {
    for keeps_results in [true, false] {
        let script = Script::default();
        let (client, _releases) = script.client(0);
        let pulled = Arc::new(AtomicUsize::new(0));
        let mut engine = Engine::new(
            requests(&client, &["panic", "ok"], &pulled),
            plan(None, keeps_results, OnExpiry::ReportUnsent),
        );
        let mut results = Vec::new();
        while let Some(completed) = next(&mut engine).await {
            results.push(completed);
        }
        results.sort_by_key(|c| c.index);
        assert_eq!(results.len(), 2, "keeps_results: {keeps_results}");
        let panicked = error(&results[0]);
        assert!(panicked.is_some_and(|e| e.is_request() && e.to_string().contains("panicked")));
        assert_eq!(body(&results[1]).as_deref(), Some("ok"));
    }
}

#[tokio::test]
async fn bad_input_fails_at_once_without_a_send_or_a_slot() {
    let script = Script::default();
    let (client, mut releases) = script.client(1);
    let bad = client.get("http://engine.test/").header("x-bad", "a\r\nb");
    let good = client.get("http://engine.test/0");
    let mut engine = Engine::new(
        vec![bad, good].into_iter(),
        plan(Some(1), false, OnExpiry::ReportUnsent),
    );
    // The bad request's result is ready on the first poll and takes the only slot until
    // taken; the good one is pulled after.
    let Poll::Ready(Some(first)) = step(&mut engine).await else {
        panic!("the bad request should fail on the first poll");
    };
    assert_eq!(first.index, 0);
    assert!(error(&first).is_some_and(Error::is_builder));
    assert_eq!(script.sent(), 0);
    assert!(step(&mut engine).await.is_pending());
    let _ = releases.remove(0).send(());
    assert_eq!(next(&mut engine).await.map(|c| c.index), Some(1));
    assert!(next(&mut engine).await.is_none());
    assert_eq!(script.sent(), 1);
}

#[tokio::test(start_paused = true)]
async fn gtimeout_fails_what_is_in_flight_in_order_then_what_was_never_sent() {
    let script = Script::default();
    let (client, _releases) = script.client(4);
    let pulled = Arc::new(AtomicUsize::new(0));
    let mut engine = Engine::new(
        requests(&client, &["0", "1", "2", "3"], &pulled),
        plan(Some(2), true, OnExpiry::ReportUnsent),
    );
    engine.gtimeout = Some(Duration::from_secs(1));
    assert!(step(&mut engine).await.is_pending());
    let mut results = Vec::new();
    while let Some(completed) = next(&mut engine).await {
        let timed_out = error(&completed).is_some_and(Error::is_timeout);
        let url = completed
            .outcome
            .as_ref()
            .err()
            .and_then(|f| f.request.url().map(|u| u.path().to_owned()));
        results.push((completed.index, timed_out, url));
    }
    let expected: Vec<_> = (0..4).map(|i| (i, true, Some(format!("/{i}")))).collect();
    assert_eq!(results, expected);
    assert_eq!(
        script.sent(),
        2,
        "the unsent requests are reported, not sent"
    );
}

#[tokio::test(start_paused = true)]
async fn gtimeout_ends_an_imap_without_pulling_the_rest() {
    let script = Script::default();
    let (client, _releases) = script.client(4);
    let pulled = Arc::new(AtomicUsize::new(0));
    let mut engine = Engine::new(
        requests(&client, &["0", "1", "2", "3"], &pulled),
        plan(Some(2), false, OnExpiry::Stop),
    );
    engine.gtimeout = Some(Duration::from_secs(1));
    let mut indexes = Vec::new();
    while let Some(completed) = next(&mut engine).await {
        assert!(error(&completed).is_some_and(Error::is_timeout));
        indexes.push(completed.index);
    }
    assert_eq!(indexes, [0, 1]);
    assert_eq!(pulled.load(Ordering::SeqCst), 2);
}

#[test]
fn outside_a_runtime_every_request_is_refused_unsent() {
    let script = Script::default();
    let (client, _releases) = script.client(0);
    let pulled = Arc::new(AtomicUsize::new(0));
    let mut engine = Engine::new(
        requests(&client, &["0", "1"], &pulled),
        plan(Some(1), true, OnExpiry::ReportUnsent),
    );
    let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
    for index in 0..2 {
        let Poll::Ready(Some(completed)) = engine.poll_next(&mut cx) else {
            panic!("a refusing engine never waits");
        };
        assert_eq!(completed.index, index);
        assert!(error(&completed).is_some_and(Error::is_runtime));
        let url = completed
            .outcome
            .as_ref()
            .err()
            .and_then(|f| f.request.url().cloned());
        assert_eq!(url.map(|u| u.path().to_owned()), Some(format!("/{index}")));
    }
    assert!(matches!(engine.poll_next(&mut cx), Poll::Ready(None)));
    assert_eq!(script.sent(), 0);
}

#[test]
fn requests_on_a_driver_its_runtime_dropped_fail_once_and_the_rest_still_go() {
    let script = Script::default();
    // Held to the end: a dropped release would let its request finish.
    let (client, mut releases) = script.client(3);
    let pulled = Arc::new(AtomicUsize::new(0));
    let mut engine = Engine::new(
        requests(&client, &["0", "1", "2", "3"], &pulled),
        plan(Some(2), false, OnExpiry::ReportUnsent),
    );
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime")
    };
    let first = runtime();
    first.block_on(async {
        assert!(step(&mut engine).await.is_pending());
        let _ = releases.remove(0).send(());
        assert_eq!(next(&mut engine).await.map(|c| c.index), Some(0));
        // The freed slot goes to `/2`: `/1` and `/2` are on the driver.
        assert!(step(&mut engine).await.is_pending());
        for _ in 0..100 {
            if script.sent() == 3 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(script.sent(), 3, "the driver sends what it is handed");
    });
    // Shutting down drops every task of the runtime, the batch's driver among them.
    drop(first);
    let collected = runtime().block_on(async {
        // A lost driver nobody reported would leave the batch waiting for good.
        tokio::time::timeout(Duration::from_secs(10), async {
            let mut rest = Vec::new();
            while let Some(completed) = next(&mut engine).await {
                rest.push((completed.index, error(&completed).map(Error::is_canceled)));
            }
            rest
        })
        .await
    });
    let rest = collected.expect("the batch ends");
    assert_eq!(rest, [(1, Some(true)), (2, Some(true)), (3, None)]);
    assert_eq!(script.sent(), 4);
    drop(releases);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imap_on_two_workers_gets_a_driver_each_up_to_its_size_and_every_result_once() {
    let script = Script::default();
    let (client, releases) = script.client(0);
    let pulled = Arc::new(AtomicUsize::new(0));
    let paths: Vec<String> = (0..40).map(|i| i.to_string()).collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let mut engine = Engine::new(
        requests(&client, &paths, &pulled),
        plan(Some(8), false, OnExpiry::ReportUnsent),
    );
    let mut indices = Vec::new();
    while let Some(completed) = next(&mut engine).await {
        assert_eq!(body(&completed), Some(completed.index.to_string()));
        indices.push(completed.index);
    }
    indices.sort_unstable();
    assert_eq!(indices, (0..40).collect::<Vec<_>>());
    let InFlight::Driven(set) = &engine.in_flight else {
        panic!("an imap's requests are driven");
    };
    assert_eq!(set.drivers(), 2);
    // A batch of one needs one driver, however many workers there are.
    let mut single = Engine::new(
        requests(&client, &paths[..4], &pulled),
        plan(Some(1), false, OnExpiry::ReportUnsent),
    );
    let mut taken = 0;
    while next(&mut single).await.is_some() {
        taken += 1;
    }
    assert_eq!(taken, 4);
    let InFlight::Driven(set) = &single.in_flight else {
        panic!("an imap's requests are driven");
    };
    assert_eq!(set.drivers(), 1);
    drop(releases);
}
