//! `imap` and `imap_enumerated`: completion order, failures skipped or enumerated.

use futures_util::StreamExt;
use grequests_core::{imap, imap_enumerated, try_imap, try_imap_enumerated};

use crate::support::httpbin_like;

#[tokio::test(start_paused = true)]
async fn imap_yields_in_completion_order_and_skips_failures() {
    let (_mock, client) = httpbin_like();
    let requests = vec![
        client.get("http://mock.test/delay/300"),
        client.get("http://mock.test/refused"),
        client.get("http://mock.test/delay/100"),
        client.get("http://mock.test/delay/200"),
    ];
    let texts: Vec<String> = imap(requests)
        .size(10)
        .map(|r| r.text().unwrap())
        .collect()
        .await;
    assert_eq!(texts, ["slept 100", "slept 200", "slept 300"]);
}

#[tokio::test(start_paused = true)]
async fn imap_defaults_to_two_in_flight() {
    let (mock, client) = httpbin_like();
    let requests = (0..10).map(|_| client.get("http://mock.test/delay/10"));
    assert_eq!(imap(requests).count().await, 10);
    assert_eq!(mock.max_in_flight(), 2);
}

#[tokio::test(start_paused = true)]
async fn imap_yields_the_handlers_replacement() {
    let (_mock, client) = httpbin_like();
    let spare = client
        .get("http://mock.test/status/299")
        .send()
        .await
        .unwrap();
    let mut spare = Some(spare);
    let requests = vec![client.get("http://mock.test/refused")];
    let statuses: Vec<u16> = imap(requests)
        .exception_handler(move |_, _| spare.take())
        .map(|r| r.status().as_u16())
        .collect()
        .await;
    assert_eq!(statuses, [299]);
}

#[tokio::test(start_paused = true)]
async fn imap_enumerated_yields_every_index_exactly_once() {
    let (_mock, client) = httpbin_like();
    let mut rng = fastrand::Rng::with_seed(11);
    let requests: Vec<_> = (0..60)
        .map(|i| match i % 7 {
            0 => client.get("http://mock.test/refused"),
            1 => client.get("not a url"),
            _ => client.get(format!("http://mock.test/delay/{}", rng.u64(0..300))),
        })
        .collect();
    let mut seen: Vec<(usize, bool)> = imap_enumerated(requests)
        .size(5)
        .map(|(i, r)| (i, r.is_some()))
        .collect()
        .await;
    seen.sort();
    assert_eq!(seen.len(), 60);
    for (expected, (index, ok)) in seen.into_iter().enumerate() {
        assert_eq!(index, expected);
        assert_eq!(ok, expected % 7 > 1, "index {index}");
    }
}

#[tokio::test(start_paused = true)]
async fn imap_enumerated_matches_statuses_to_indices() {
    let (_mock, client) = httpbin_like();
    let requests: Vec<_> = (200..206)
        .map(|code| client.get(format!("http://mock.test/status/{code}")))
        .collect();
    let pairs: Vec<(usize, u16)> = imap_enumerated(requests)
        .size(5)
        .map(|(i, r)| (i, r.unwrap().status().as_u16()))
        .collect()
        .await;
    assert_eq!(pairs.len(), 6);
    assert!(pairs.iter().all(|(i, code)| *code as usize == 200 + i));
}

#[tokio::test(start_paused = true)]
async fn try_forms_hand_back_every_error() {
    let (_mock, client) = httpbin_like();
    let results: Vec<_> = try_imap(vec![
        client.get("http://mock.test/refused"),
        client.get("http://mock.test/delay/5"),
    ])
    .collect()
    .await;
    assert_eq!(results.len(), 2);
    assert_eq!(
        results
            .iter()
            .filter(|r| r.as_ref().is_err_and(|e| e.is_connect()))
            .count(),
        1
    );

    let mut enumerated: Vec<(usize, bool)> = try_imap_enumerated(vec![
        client.get("http://mock.test/delay/5"),
        client.get("http://mock.test/refused"),
    ])
    .map(|(i, r)| (i, r.is_err()))
    .collect()
    .await;
    enumerated.sort();
    assert_eq!(enumerated, [(0, false), (1, true)]);
}

#[tokio::test(start_paused = true)]
async fn imap_carries_user_data() {
    let (_mock, client) = httpbin_like();
    let requests = (1..=3u64)
        .rev()
        .map(|n| (client.get(format!("http://mock.test/delay/{}", n * 10)), n));
    let order: Vec<u64> = imap(requests).size(3).map(|(n, _)| n).collect().await;
    assert_eq!(order, [1, 2, 3]);
}
