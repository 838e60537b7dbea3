//! `map`: one result per request, in request order, bounded by `size`.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use grequests_core::{map, try_map, Progress};
use grequests_mock::{MockTransport, Reply, Route};

use crate::support::{delayed, httpbin_like, Counted};

#[tokio::test(start_paused = true)]
async fn keeps_request_order_whatever_the_latencies() {
    let (_mock, client) = httpbin_like();
    let mut rng = fastrand::Rng::with_seed(7);
    let delays: Vec<u64> = (0..40).map(|_| rng.u64(0..500)).collect();
    let requests = delays
        .iter()
        .map(|ms| client.get(format!("http://mock.test/delay/{ms}")));
    let responses = map(requests).size(7).await;
    assert_eq!(responses.len(), delays.len());
    for (response, ms) in responses.iter().zip(&delays) {
        let response = response.as_ref().unwrap();
        assert_eq!(response.text().unwrap(), format!("slept {ms}"));
    }
}

#[tokio::test(start_paused = true)]
async fn never_has_more_than_size_in_flight() {
    let (mock, client) = httpbin_like();
    let responses = map(delayed(&client, &[30, 10, 50, 20], 50)).size(5).await;
    assert_eq!(responses.iter().flatten().count(), 50);
    assert_eq!(mock.max_in_flight(), 5);
}

#[tokio::test(start_paused = true)]
async fn without_size_sends_everything_at_once() {
    let (mock, client) = httpbin_like();
    let responses = map(delayed(&client, &[100], 64)).await;
    assert_eq!(responses.len(), 64);
    assert_eq!(mock.max_in_flight(), 64);
}

#[tokio::test(start_paused = true)]
async fn failures_are_none_and_statuses_are_responses() {
    let (_mock, client) = httpbin_like();
    let requests = vec![
        client.get("http://mock.test/status/200"),
        client.get("http://mock.test/refused"),
        client.get("http://mock.test/status/500"),
        client.get("fakedomain/"),
    ];
    let responses = map(requests).await;
    let statuses: Vec<Option<u16>> = responses
        .iter()
        .map(|r| r.as_ref().map(|r| r.status().as_u16()))
        .collect();
    assert_eq!(statuses, [Some(200), None, Some(500), None]);
    assert_eq!(format!("{:?}", responses[2]), "Some(<Response [500]>)");
}

#[tokio::test(start_paused = true)]
async fn exception_handler_sees_each_failure_once_with_its_error() {
    let (_mock, client) = httpbin_like();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let requests = vec![
        client.get("http://mock.test/refused"),
        client.get("http://mock.test/status/404"),
        client
            .get("http://mock.test/x")
            .header("x-bad", "a\r\nInjected: 1"),
    ];
    let responses = map(requests)
        .exception_handler(move |request, error| {
            record.lock().unwrap().push((
                request.index(),
                error.is_connect(),
                error.is_builder(),
                request.url().map(|u| u.path().to_owned()),
            ));
            None
        })
        .await;
    assert!(responses[0].is_none() && responses[2].is_none());
    assert_eq!(responses[1].as_ref().unwrap().status(), 404);
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        [
            (0, true, false, Some("/refused".to_owned())),
            (2, false, true, Some("/x".to_owned())),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_failure_names_its_method_only_when_the_request_was_built() {
    let (_mock, client) = httpbin_like();
    let methods = Arc::new(Mutex::new(Vec::new()));
    let record = methods.clone();
    let requests = vec![
        client.post("http://mock.test/refused"),
        client.request("NOT A METHOD", "http://mock.test/get"),
    ];
    let _ = map(requests)
        .exception_handler(move |request, _| {
            let method = request.method().map(ToString::to_string);
            record.lock().unwrap().push((request.index(), method));
            None
        })
        .await;
    let mut methods = methods.lock().unwrap().clone();
    methods.sort();
    // No GET is made up for the request whose method was the bad input.
    assert_eq!(methods, [(0, Some("POST".to_owned())), (1, None)]);
}

#[tokio::test(start_paused = true)]
async fn a_bare_request_is_never_sent_and_gets_one_result() {
    use grequests_core::{Error, Request};
    let (mock, _client) = httpbin_like();
    let requests = vec![
        Request::failed(Error::builder("refused by the caller's own check")),
        Request::new("GET", "http://mock.test/get"),
    ];
    let results = try_map(requests).await;
    let errors: Vec<Error> = results.into_iter().map(|r| r.unwrap_err()).collect();
    assert!(errors.iter().all(Error::is_builder), "{errors:?}");
    assert!(
        errors[0].to_string().contains("the caller's own check"),
        "{}",
        errors[0]
    );
    // No client came with it: it says how to give it one, and names its URL.
    assert!(
        errors[1].to_string().contains("RequestBuilder::from_parts"),
        "{}",
        errors[1]
    );
    assert_eq!(errors[1].url().map(|u| u.path()), Some("/get"));
    assert!(mock.requests().is_empty(), "a bare request went out");
}

#[tokio::test(start_paused = true)]
async fn a_built_request_goes_out_with_a_client_again() {
    use grequests_core::{Request, RequestBuilder};
    let (mock, client) = httpbin_like();
    let (sender, built) = client
        .get("http://mock.test/get")
        .header("x-a", "1")
        .build_split();
    assert_eq!(
        built.headers().map(|h| h["x-a"].clone()),
        Some("1".parse().unwrap())
    );
    let results = map(vec![RequestBuilder::from_parts(sender, built)]).await;
    assert!(results[0].is_some());
    let sent = client
        .execute(Request::new("post", "http://mock.test/post"))
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let recorded = mock.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].headers["x-a"], "1");
    assert_eq!(recorded[1].method, grequests_core::http::Method::POST);
}

#[tokio::test(start_paused = true)]
async fn exception_handler_value_takes_the_failures_place() {
    let mock = MockTransport::new();
    mock.route(Route::get("/ok")).reply(Reply::status(200));
    mock.route(Route::get("/fallback"))
        .reply(Reply::status(203));
    mock.route(Route::get("/down"))
        .reply(Reply::fail(grequests_mock::Failure::Reset));
    let client = mock.client();
    let fallback = client
        .get("http://mock.test/fallback")
        .send()
        .await
        .unwrap();
    let fallback = Arc::new(Mutex::new(Some(fallback)));
    let responses = map([
        client.get("http://mock.test/down"),
        client.get("http://mock.test/ok"),
    ])
    .exception_handler(move |_, error| {
        assert!(error.is_request(), "{error}");
        fallback.lock().unwrap().take()
    })
    .await;
    let statuses: Vec<u16> = responses
        .iter()
        .flatten()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(statuses, [203, 200]);
}

#[tokio::test(start_paused = true)]
async fn each_kind_of_bad_input_is_its_own_builder_error() {
    struct Unserialisable;
    impl serde::Serialize for Unserialisable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("refuses to serialise"))
        }
    }
    let (mock, client) = httpbin_like();
    let requests = vec![
        client.get("fakedomain/"),
        client.get("ftp://mock.test/file"),
        client.get("http://mock.test/").header("x-a", "line\nbreak"),
        client.get("http://mock.test/").header("bad name", "v"),
        client.post("http://mock.test/").json(&Unserialisable),
        client.get("http://mock.test/").cookie("a;b", "c"),
    ];
    let results = try_map(requests).await;
    let messages: Vec<String> = results
        .iter()
        .map(|r| {
            let err = r.as_ref().expect_err("bad input must fail");
            assert!(err.is_builder(), "{err}");
            err.to_string()
        })
        .collect();
    assert!(messages[0].contains("missing scheme"), "{}", messages[0]);
    assert!(
        messages[1].contains("unsupported URL scheme"),
        "{}",
        messages[1]
    );
    assert!(messages[2].contains("x-a"), "{}", messages[2]);
    assert!(messages[4].contains("JSON"), "{}", messages[4]);
    assert!(
        mock.requests().is_empty(),
        "bad input reached the transport"
    );
}

#[tokio::test(start_paused = true)]
async fn pulls_requests_lazily() {
    let (mock, client) = httpbin_like();
    let pulled = Arc::new(AtomicUsize::new(0));
    let requests = Counted {
        inner: (0..1000).map(|_| client.get("http://mock.test/delay/10")),
        pulled: pulled.clone(),
    };
    let mut stream = std::pin::pin!(grequests_core::imap(requests).size(3));
    use futures_util::StreamExt;
    for taken in 1..=10 {
        assert!(stream.next().await.is_some());
        assert!(
            pulled.load(Ordering::SeqCst) <= taken + 3,
            "pulled {} after taking {taken}",
            pulled.load(Ordering::SeqCst)
        );
    }
    assert!(mock.requests().len() <= 13);
}

#[tokio::test(start_paused = true)]
async fn user_data_comes_back_beside_each_result() {
    let (_mock, client) = httpbin_like();
    let rows = ["a", "b", "c"];
    let requests = rows.iter().enumerate().map(|(i, row)| {
        let path = if i == 1 {
            "refused".to_owned()
        } else {
            format!("delay/{}", 30 - i * 10)
        };
        (client.get(format!("http://mock.test/{path}")), *row)
    });
    let results = map(requests).await;
    let summary: Vec<(&str, bool)> = results.iter().map(|(row, r)| (*row, r.is_some())).collect();
    assert_eq!(summary, [("a", true), ("b", false), ("c", true)]);
}

#[tokio::test(start_paused = true)]
async fn progress_counts_done_and_failed_against_the_total() {
    let (_mock, client) = httpbin_like();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    let requests = vec![
        client.get("http://mock.test/delay/10"),
        client.get("http://mock.test/refused"),
        client.get("http://mock.test/delay/30"),
    ];
    map(requests)
        .on_progress(move |p| sink.lock().unwrap().push(p))
        .await;
    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 3);
    assert_eq!(
        reports.last(),
        Some(&Progress {
            done: 3,
            failed: 1,
            total: Some(3),
            received: ("slept 10".len() + "slept 30".len()) as u64,
        })
    );
    assert!(reports.windows(2).all(|w| w[0].done + 1 == w[1].done));
}

#[tokio::test(start_paused = true)]
async fn a_panicking_transport_is_a_failure_not_a_crash() {
    let client = grequests_core::Client::with_transport(grequests_core::transport_fn(
        |request| async move {
            if request.uri().path() == "/boom" {
                panic!("transport bug");
            }
            Ok(http::Response::new(grequests_core::Body::empty()))
        },
    ));
    let results = try_map([
        client.get("http://t.test/boom"),
        client.get("http://t.test/fine"),
    ])
    .await;
    assert!(
        results[0].as_ref().is_err_and(|e| e.is_request()),
        "{:?}",
        results[0]
    );
    assert!(results[1].is_ok());
}

#[tokio::test(start_paused = true)]
async fn response_hooks_run_before_the_response_is_handed_over() {
    let (_mock, client) = httpbin_like();
    let request = client
        .get("http://mock.test/status/201")
        .on_response(|response| {
            response.extensions_mut().insert("hooked");
        });
    let responses = map([request]).await;
    let response = responses[0].as_ref().unwrap();
    assert_eq!(response.extensions().get::<&str>(), Some(&"hooked"));
}

#[tokio::test(start_paused = true)]
async fn size_zero_is_read_as_one() {
    let (mock, client) = httpbin_like();
    let responses = map(delayed(&client, &[5], 4)).size(0).await;
    assert_eq!(responses.iter().flatten().count(), 4);
    assert_eq!(mock.max_in_flight(), 1);
}

#[test]
fn outside_a_runtime_every_request_fails_with_a_runtime_error() {
    let (mock, client) = httpbin_like();
    let future = std::future::IntoFuture::into_future(try_map([
        client.get("http://mock.test/a"),
        client.get("http://mock.test/b"),
    ]));
    let mut future = std::pin::pin!(future);
    let waker = futures_util::task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    let std::task::Poll::Ready(results) = future.as_mut().poll(&mut cx) else {
        panic!("a batch outside a runtime must finish at once");
    };
    assert_eq!(results.len(), 2);
    assert!(results
        .iter()
        .all(|r| r.as_ref().is_err_and(|e| e.is_runtime())));
    assert!(mock.requests().is_empty());
}

/// Header values that a transport parsed as slices of its read buffer are copied out, all
/// into one small buffer (the dense form), for `map` (which keeps every response) and for a
/// batch that asks: observable as names and values a length apart in memory. The
/// `HeaderMap` built from it on demand holds the same headers.
#[tokio::test]
async fn kept_responses_do_not_pin_the_read_buffer() {
    let transport = grequests_core::transport_fn(|_| async {
        // Each value in an allocation of its own, as separate slices of a buffer would be.
        let value = |text: &str| {
            http::HeaderValue::from_maybe_shared(bytes::Bytes::from(text.as_bytes().to_vec()))
                .unwrap_or(http::HeaderValue::from_static("x"))
        };
        let mut response = http::Response::new(grequests_core::Body::from("ok"));
        response.headers_mut().insert("x-a", value("first"));
        response.headers_mut().insert("x-b", value("second"));
        Ok(response)
    });
    let client = grequests_core::Client::with_transport(transport);
    let adjacent = |response: &grequests_core::Response| {
        let pairs: Vec<(&str, &[u8])> = response.header_pairs().collect();
        let (first, second) = (pairs[0], pairs[1]);
        assert_eq!((first.0, second.0), ("x-a", "x-b"));
        // In one buffer, the second name follows the first value after its length (four
        // bytes); separate allocations would be at least malloc's 32-byte chunk apart.
        let first_end = first.1.as_ptr() as usize + first.1.len();
        (second.0.as_ptr() as usize).checked_sub(first_end) == Some(4)
    };
    let kept = map([client.get("http://a.test/")]).await;
    assert!(kept[0].as_ref().is_some_and(adjacent), "map compacts");
    let kept = kept[0].as_ref().unwrap();
    assert_eq!(kept.headers()["x-b"], "second", "the map, built on demand");
    assert_eq!(kept.header_all("X-A"), ["first"]);
    let asked: Vec<_> = futures_util::StreamExt::collect(
        grequests_core::imap([client.get("http://a.test/")]).keeps_results(true),
    )
    .await;
    assert!(
        asked.first().is_some_and(adjacent),
        "imap with keeps_results(true)"
    );
    let streamed: Vec<_> =
        futures_util::StreamExt::collect(grequests_core::imap([client.get("http://a.test/")]))
            .await;
    assert!(
        streamed.first().is_some_and(|r| !adjacent(r)),
        "imap leaves them"
    );
}
