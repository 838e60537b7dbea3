//! Every case in one batch: exactly one result per request, whatever the servers do.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::cases::CASES;
use crate::support::{client, server};

async fn map_all(size: Option<usize>) {
    let server = server().await;
    let client = client();
    let requests = CASES
        .iter()
        .map(|(path, _, _)| client.get(server.url(path)));
    let started = Instant::now();
    let batch = grequests::map(requests);
    let results = match size {
        Some(size) => batch.size(size).await,
        None => batch.await,
    };
    assert_eq!(results.len(), CASES.len());
    for ((path, expected, _), result) in CASES.iter().zip(&results) {
        let is_status = expected.parse::<u16>().is_ok();
        assert_eq!(result.is_some(), is_status, "{path}: {result:?}");
        if let Some(response) = result {
            assert_eq!(response.status().as_str(), *expected, "{path}");
        }
    }
    // The slow cases take one low-speed window each, a few at a time at size 8.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_batch_at_size_8_gets_one_result_per_request() {
    map_all(Some(8)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_batch_all_at_once_gets_one_result_per_request() {
    map_all(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_enumerated_yields_every_index_once() {
    let server = server().await;
    let client = client();
    let requests = CASES
        .iter()
        .map(|(path, _, _)| client.get(server.url(path)));
    let seen: Vec<(usize, bool)> = grequests::imap_enumerated(requests)
        .size(8)
        .map(|(index, response)| (index, response.is_some()))
        .collect()
        .await;
    let indices: BTreeSet<usize> = seen.iter().map(|(i, _)| *i).collect();
    assert_eq!(seen.len(), CASES.len());
    assert_eq!(indices, (0..CASES.len()).collect());
}
