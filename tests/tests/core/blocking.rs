//! The blocking API, from plain test functions.

use grequests_core::blocking;

use crate::support::httpbin_like;

#[test]
fn blocking_map_returns_results_in_order() {
    let (_mock, client) = httpbin_like();
    let requests = vec![
        client.get("http://mock.test/status/200"),
        client.get("http://mock.test/refused"),
        client.get("http://mock.test/status/500"),
    ];
    let results = blocking::map(requests).size(2).run();
    let statuses: Vec<Option<u16>> = results
        .iter()
        .map(|r| r.as_ref().map(|r| r.status().as_u16()))
        .collect();
    assert_eq!(statuses, [Some(200), None, Some(500)]);
}

#[test]
fn blocking_imap_is_an_iterator() {
    let (_mock, client) = httpbin_like();
    let requests = (0..5).map(|i| client.get(format!("http://mock.test/delay/{}", 5 * i)));
    let mut indices: Vec<usize> = blocking::imap_enumerated(requests)
        .size(3)
        .map(|(i, r)| {
            assert!(r.is_some());
            i
        })
        .collect();
    indices.sort();
    assert_eq!(indices, [0, 1, 2, 3, 4]);
}

#[test]
fn blocking_send_works_from_plain_code() {
    let (_mock, client) = httpbin_like();
    let response = client
        .get("http://mock.test/status/204")
        .send_blocking()
        .unwrap();
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn blocking_inside_a_runtime_is_a_clear_error_not_a_panic() {
    let (mock, client) = httpbin_like();
    let results = blocking::try_map(vec![client.get("http://mock.test/status/200")]).run();
    let error = results[0].as_ref().err().unwrap();
    assert!(error.is_runtime());
    assert!(
        error.to_string().contains("inside an async runtime"),
        "{error}"
    );
    let count = blocking::imap(vec![client.get("http://mock.test/status/200")]).count();
    assert_eq!(count, 0);
    assert!(client
        .get("http://mock.test/")
        .send_blocking()
        .is_err_and(|e| e.is_runtime()));
    assert!(mock.requests().is_empty());
}

#[test]
fn blocking_batches_run_from_several_threads_at_once() {
    let (mock, client) = httpbin_like();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let client = client.clone();
            std::thread::spawn(move || {
                let requests =
                    (0..25).map(|i| client.get(format!("http://mock.test/delay/{}", (t + i) % 5)));
                blocking::map(requests).size(5).run()
            })
        })
        .collect();
    for thread in threads {
        let results = thread.join().unwrap();
        assert_eq!(results.iter().flatten().count(), 25);
    }
    assert_eq!(mock.requests().len(), 100);
}
