//! The mock as a test author meets it: why a request did not match, no silent passes,
//! richer matchers and expectations.

use grequests_core::try_map;
use grequests_mock::{MockTransport, RecordedRequest, Reply, Route};

#[tokio::test]
async fn an_unmatched_request_is_explained_route_by_route() {
    let mock = MockTransport::new();
    mock.allow_unmatched();
    mock.route(Route::get("/users/{id}")).named("user by id");
    mock.route(Route::post("/user/1").json(&serde_json::json!({"name": "ada"})));
    let err = mock
        .client()
        .get("http://api.test/user/1")
        .header("x-trace", "t1")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_no_route(), "{err}");
    let message = err.to_string();
    for line in [
        "no mock route matches",
        "GET http://api.test/user/1",
        "x-trace: t1",
        "route \"user by id\" (GET /users/{id}): path: expected /users/{id}, got /user/1",
        "route POST /user/1 [json {\"name\":\"ada\"}]: method: expected POST, got GET",
    ] {
        assert!(message.contains(line), "no {line:?} in:\n{message}");
    }
}

#[test]
fn unmet_expectations_fail_when_the_mock_is_dropped() {
    let outcome = std::panic::catch_unwind(|| {
        let mock = MockTransport::new();
        mock.route(Route::get("/ping"))
            .named("health check")
            .expect(5);
        drop(mock);
    });
    let message = outcome
        .err()
        .and_then(|panic| panic.downcast::<String>().ok())
        .map(|message| *message)
        .unwrap_or_default();
    assert!(
        message.contains("route \"health check\" (GET /ping) expected to be called exactly 5 time(s), was called 0"),
        "{message}"
    );
    assert!(
        message.contains("the last handle to the mock was dropped"),
        "{message}"
    );
}

#[tokio::test]
async fn expectations_take_ranges() {
    let mock = MockTransport::new();
    let route = mock.route(Route::get("/a")).expect(1..=3);
    let client = mock.client();
    for _ in 0..2 {
        client.get("http://t.test/a").send().await.unwrap();
    }
    assert!(mock.verify().is_ok());
    for _ in 0..2 {
        client.get("http://t.test/a").send().await.unwrap();
    }
    let message = mock.verify().unwrap_err();
    assert!(
        message.contains("expected to be called 1 to 3 times, was called 4"),
        "{message}"
    );
    assert_eq!(route.calls(), 4);
    mock.verify_on_drop(false);
}

#[tokio::test]
async fn path_templates_capture_and_fn_responders_use_them() {
    let mock = MockTransport::new();
    mock.route(Route::get("/users/{id}/posts/{post}"))
        .respond_with_fn(|request: &RecordedRequest| {
            Reply::json(
                200,
                &serde_json::json!({
                    "user": request.param("id"),
                    "post": request.param("post"),
                }),
            )
        });
    let response = mock
        .client()
        .get("http://api.test/users/7/posts/42")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body, serde_json::json!({"user": "7", "post": "42"}));
}

#[tokio::test]
async fn partial_json_prefix_paths_and_custom_rules() {
    let mock = MockTransport::new();
    mock.route(
        Route::post("/items")
            .json_includes(&serde_json::json!({"kind": "box", "size": {"w": 2}}))
            .query_absent("dry_run"),
    )
    .reply(Reply::status(201));
    mock.route(
        Route::any()
            .path_prefix("/static/")
            .matching("no body", |r| r.body.is_empty()),
    )
    .reply(Reply::status(204));
    let client = mock.client();
    let created = client
        .post("http://api.test/items")
        .json(&serde_json::json!({"kind": "box", "size": {"w": 2, "h": 3}, "extra": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let file = client
        .get("http://api.test/static/app.js")
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 204);
}

#[tokio::test]
async fn routes_fall_through_after_their_calls_and_priority_picks() {
    let mock = MockTransport::new();
    mock.route(Route::get("/token"))
        .reply(Reply::status(503))
        .up_to_n_times(2);
    mock.route(Route::get("/token"))
        .reply(Reply::ok().text("t"));
    mock.route(Route::any()).reply(Reply::status(404));
    mock.route(Route::get("/special"))
        .reply(Reply::status(200))
        .priority(10);
    let client = mock.client();
    let mut statuses = Vec::new();
    for path in ["/token", "/token", "/token", "/special"] {
        let response = client
            .get(format!("http://api.test{path}"))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [503, 503, 200, 200]);
}

#[tokio::test(start_paused = true)]
async fn the_tower_backend_never_retries_an_unmatched_request() {
    let mock = MockTransport::new();
    mock.allow_unmatched();
    let transport = grequests::tower::TowerTransport::builder()
        .transport(mock.clone())
        .max_retries(4)
        .build()
        .unwrap();
    let client = grequests_core::Client::with_transport(transport);
    let results = try_map([client.get("http://api.test/typo")]).await;
    assert!(results[0].as_ref().is_err_and(|e| e.is_no_route()));
    assert_eq!(mock.requests().len(), 1, "retried an unmatched request");
}

#[test]
#[should_panic(expected = "Reply::status(1000)")]
fn an_invalid_status_panics_where_it_is_written() {
    let _ = Reply::status(1000);
}

#[test]
#[should_panic(expected = "Reply::header")]
fn an_invalid_reply_header_panics_where_it_is_written() {
    let _ = Reply::ok().header("x-bad", "a\r\nb");
}

#[tokio::test(start_paused = true)]
async fn a_test_scripts_which_request_finishes_first() {
    use futures_util::StreamExt;
    let mock = MockTransport::new();
    let gates: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|name| {
            mock.route(Route::get(&format!("/{name}")))
                .reply(Reply::ok().text(*name))
                .hold()
        })
        .collect();
    let client = mock.client();
    let batch =
        grequests_core::imap(["a", "b", "c"].map(|n| client.get(format!("http://t.test/{n}"))));
    let mut batch = std::pin::pin!(batch.size(3));
    // Drive the batch until all three wait at their gates, then let the third go first.
    let order = async {
        let mut order = Vec::new();
        while let Some(response) = batch.next().await {
            order.push(response.text().unwrap());
        }
        order
    };
    let script = async {
        mock.wait_in_flight(3).await;
        gates[2].release(1);
        tokio::task::yield_now().await;
        gates[0].release(1);
        tokio::task::yield_now().await;
        gates[1].release(1);
    };
    let (order, ()) = tokio::join!(order, script);
    assert_eq!(order, ["c", "a", "b"]);
}

#[tokio::test(start_paused = true)]
async fn gtimeout_fails_exactly_what_is_held() {
    let mock = MockTransport::new();
    let _held = mock.route(Route::get("/held")).hold();
    mock.route(Route::get("/free"));
    let client = mock.client();
    let started = tokio::time::Instant::now();
    let results = try_map([
        client.get("http://t.test/free"),
        client.get("http://t.test/held"),
        client.get("http://t.test/held"),
    ])
    .gtimeout(std::time::Duration::from_secs(1))
    .await;
    assert!(results[0].is_ok());
    assert!(results[1..]
        .iter()
        .all(|r| r.as_ref().is_err_and(|e| e.is_timeout())));
    assert_eq!(started.elapsed(), std::time::Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn the_request_log_is_a_stable_snapshot() {
    use std::time::Duration;
    let mock = MockTransport::new();
    mock.allow_unmatched();
    let items = mock
        .route(Route::get("/item/{n}"))
        .named("item")
        .reply(Reply::ok().delay(Duration::from_millis(200)));
    mock.route(Route::get("/down"))
        .reply(Reply::fail(grequests_mock::Failure::ConnectionRefused));
    let client = mock.client();
    let _ = try_map([
        client.get("http://api.test/item/1"),
        client.get("http://api.test/item/2"),
        client.get("http://api.test/down"),
        client.get("http://api.test/typo"),
    ])
    .size(2)
    .await;
    let expected = [
        "    0.000s     0.200s  GET http://api.test/item/1  -> 200  [\"item\" (GET /item/{n})]  (in flight: 1)",
        "    0.000s     0.200s  GET http://api.test/item/2  -> 200  [\"item\" (GET /item/{n})]  (in flight: 2)",
        "    0.200s     0.200s  GET http://api.test/down  -> connect error  [GET /down]  (in flight: 1)",
        "    0.200s     0.200s  GET http://api.test/typo  -> no route  [no route]  (in flight: 1)",
        "",
    ]
    .join("\n");
    assert_eq!(mock.log(), expected);
    let answered: Vec<String> = mock
        .requests_for(&items)
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(answered, ["/item/1", "/item/2"]);
}

#[tokio::test(start_paused = true)]
async fn the_failure_catalogue_keeps_each_kind() {
    use grequests_mock::Failure;
    use std::time::Duration;
    let mock = MockTransport::new();
    mock.route(Route::get("/tls"))
        .reply(Reply::fail(Failure::Tls));
    mock.route(Route::get("/protocol"))
        .reply(Reply::fail(Failure::Protocol));
    mock.route(Route::post("/upload"))
        .reply(Reply::fail(Failure::ResetDuringUpload));
    mock.route(Route::get("/stall"))
        .reply(Reply::fail(Failure::StallAfterHead));
    mock.route(Route::get("/cut"))
        .reply(Reply::fail(Failure::BodyCutShort).body("partial"));
    mock.route(Route::get("/custom")).reply(Reply::error(|| {
        grequests_core::Error::decode("bad gzip header")
    }));
    let client = mock.client();
    let results = try_map([
        client.get("http://t.test/tls"),
        client.get("http://t.test/protocol"),
        client.post("http://t.test/upload").data("payload"),
        client
            .get("http://t.test/stall")
            .read_timeout(Duration::from_secs(5)),
        client.get("http://t.test/cut"),
        client.get("http://t.test/custom"),
    ])
    .await;
    let errors: Vec<_> = results.into_iter().map(|r| r.unwrap_err()).collect();
    assert!(
        errors[0].is_tls() && errors[0].is_connect(),
        "{}",
        errors[0]
    );
    assert!(errors[1].is_request(), "{}", errors[1]);
    assert!(
        errors[2].is_request() && !errors[2].is_stale_connection(),
        "{}",
        errors[2]
    );
    assert!(errors[3].is_timeout(), "{}", errors[3]);
    assert!(errors[4].is_body(), "{}", errors[4]);
    assert!(errors[5].is_decode(), "{}", errors[5]);
}

#[tokio::test(start_paused = true)]
async fn in_flight_is_counted_per_route_and_per_host() {
    use std::time::Duration;
    let mock = MockTransport::new();
    let slow = mock
        .route(Route::get("/slow"))
        .reply(Reply::ok().delay(Duration::from_secs(1)));
    let client = mock.client();
    let requests = (0..12).map(|i| client.get(format!("http://h{}.test/slow", i % 3)));
    let results = grequests_core::map(requests).size(6).await;
    assert!(results.iter().all(Option::is_some));
    assert_eq!(slow.max_in_flight(), 6);
    assert_eq!(mock.max_in_flight_for_host("h0.test"), 2);
    assert_eq!(mock.max_in_flight_for_host("nowhere.test"), 0);
}

#[tokio::test]
async fn a_scoped_route_lives_as_long_as_its_guard() {
    let mock = MockTransport::new();
    mock.route(Route::get("/status")).reply(Reply::ok());
    let client = mock.client();
    {
        let _outage = mock
            .scoped_route(Route::any())
            .priority(1)
            .reply(Reply::status(503))
            .expect(1);
        let during = client.get("http://api.test/status").send().await.unwrap();
        assert_eq!(during.status(), 503);
    }
    let after = client.get("http://api.test/status").send().await.unwrap();
    assert_eq!(after.status(), 200);
    // An unmet expectation of a scoped route fails where its guard drops.
    let outcome = std::panic::catch_unwind(|| {
        let _unused = mock.scoped_route(Route::get("/never")).expect(1);
    });
    assert!(outcome.is_err());
}

/// One `Client` type: what the mock and a request hand out is the type users name through the
/// facade, so code typed against `grequests::Client` takes it (this was E0308, "similar
/// names, but distinct types").
#[tokio::test]
async fn the_mock_hands_out_the_facade_client() {
    async fn fetch(client: &grequests::Client, url: &str) -> grequests::Result<String> {
        client.get(url).send().await?.text()
    }
    let mock = grequests::mock::MockTransport::new();
    mock.route(Route::get("/hello"))
        .reply(Reply::status(200).text("hi"));
    let client: grequests::Client = mock.client();
    assert_eq!(
        fetch(&client, "http://api.test/hello")
            .await
            .ok()
            .as_deref(),
        Some("hi")
    );
    let request: grequests::RequestBuilder = client.get("http://api.test/hello");
    let same: &grequests::Client = request.client();
    assert_eq!(
        fetch(same, "http://api.test/hello").await.ok().as_deref(),
        Some("hi")
    );
    let built: grequests::ClientBuilder = grequests::Client::builder().transport(mock.clone());
    assert!(built.build().is_ok());
}
