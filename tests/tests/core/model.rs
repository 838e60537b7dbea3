//! The request builder and the response, as a user sees them.

use grequests_core::multipart::{Form, Part};
use grequests_core::DEFAULT_USER_AGENT;
use grequests_mock::{MockTransport, Reply, Route};

fn echo() -> MockTransport {
    let mock = MockTransport::new();
    mock.route(Route::any()).reply(Reply::ok());
    mock
}

#[tokio::test]
async fn params_form_json_and_headers_reach_the_transport() {
    let mock = echo();
    let client = mock.client();
    client
        .get("http://a.test/search?x=0")
        .params(&[("q", "grequests rs"), ("page", "2")])
        .send()
        .await
        .unwrap();
    client
        .post("http://a.test/form")
        .form(&[("k", "v w")])
        .send()
        .await
        .unwrap();
    client
        .post("http://a.test/json")
        .json(&serde_json::json!({"a": [1, 2]}))
        .header("X-Custom", "yes")
        .send()
        .await
        .unwrap();
    let requests = mock.requests();
    assert_eq!(
        requests[0].url().as_str(),
        "http://a.test/search?x=0&q=grequests+rs&page=2"
    );
    assert_eq!(
        requests[1].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(&requests[1].body[..], b"k=v+w");
    assert_eq!(requests[2].header("content-type"), Some("application/json"));
    assert_eq!(&requests[2].body[..], br#"{"a":[1,2]}"#);
    assert_eq!(requests[2].header("x-custom"), Some("yes"));
    assert_eq!(requests[0].header("user-agent"), Some(DEFAULT_USER_AGENT));
    assert!(DEFAULT_USER_AGENT.starts_with("grequests-rs/"));
}

#[tokio::test]
async fn multipart_uploads_name_their_parts() {
    let mock = echo();
    mock.client()
        .post("http://a.test/upload")
        .multipart(
            Form::new().text("title", "t").part(
                "file",
                Part::bytes(&b"hello"[..])
                    .file_name("h.txt")
                    .mime("text/plain"),
            ),
        )
        .send()
        .await
        .unwrap();
    let request = &mock.requests()[0];
    let content_type = request.header("content-type").unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    let body = String::from_utf8_lossy(&request.body);
    assert!(
        body.contains("name=\"file\"; filename=\"h.txt\"\r\nContent-Type: text/plain\r\n\r\nhello")
    );
}

#[tokio::test]
async fn client_default_headers_yield_to_request_headers() {
    let mock = echo();
    let client = grequests_core::Client::builder()
        .transport(mock.clone())
        .default_header("x-team", "core")
        .user_agent("custom/1")
        .build()
        .unwrap();
    client
        .get("http://a.test/")
        .header("x-team", "override")
        .send()
        .await
        .unwrap();
    let request = &mock.requests()[0];
    assert_eq!(request.header("x-team"), Some("override"));
    assert_eq!(request.header("user-agent"), Some("custom/1"));
}

#[test]
fn a_bad_default_header_fails_the_client_build() {
    let built = grequests_core::Client::builder()
        .transport(echo())
        .default_header("x-a", "b\r\nc")
        .build();
    assert!(built.is_err_and(|e| e.is_builder()));
}

#[tokio::test]
async fn responses_decode_text_json_and_status() {
    let mock = MockTransport::new();
    mock.route(Route::get("/latin1")).reply(
        Reply::ok()
            .header("content-type", "text/plain; charset=ISO-8859-1")
            .body(vec![0xE9u8]),
    );
    mock.route(Route::get("/json"))
        .reply(Reply::json(200, &serde_json::json!({"n": 5})));
    mock.route(Route::get("/missing"))
        .reply(Reply::status(404).text("nope"));
    let client = mock.client();
    let latin1 = client.get("http://a.test/latin1").send().await.unwrap();
    assert_eq!(latin1.encoding(), "windows-1252");
    assert_eq!(latin1.text().unwrap(), "é");
    let json = client.get("http://a.test/json").send().await.unwrap();
    assert_eq!(json.encoding(), "UTF-8");
    assert_eq!(json.json::<serde_json::Value>().unwrap()["n"], 5);
    assert!(json.json::<Vec<u8>>().is_err_and(|e| e.is_decode()));
    let missing = client.get("http://a.test/missing").send().await.unwrap();
    assert!(!missing.ok());
    assert_eq!(missing.reason(), "Not Found");
    assert_eq!(format!("{missing:?}"), "<Response [404]>");
    assert_eq!(
        missing.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    let error = missing.error_for_status().unwrap_err();
    assert!(error.is_status());
    assert_eq!(error.status_code().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn response_cookies_and_request_head_are_exposed() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::ok().header("set-cookie", "a=1; HttpOnly"));
    let response = mock
        .client()
        .get("http://a.test/p")
        .header("x-k", "v")
        .send()
        .await
        .unwrap();
    let cookies = response.cookies();
    assert_eq!(cookies.len(), 1);
    assert_eq!((cookies[0].name(), cookies[0].value()), ("a", "1"));
    assert_eq!(response.request().headers().get("x-k").unwrap(), "v");
    assert_eq!(response.request().url().as_str(), "http://a.test/p");
}

#[test]
fn requests_clone_unless_they_cannot_be_replayed() {
    let client = echo().client();
    let request = client.post("http://a.test/").data("abc");
    let copy = request.try_clone().unwrap();
    assert_eq!(copy.request().url(), request.request().url());
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from("x"))]);
    let streaming = client
        .post("http://a.test/")
        .data(grequests_core::Body::from_stream(stream));
    assert!(streaming.try_clone().is_none());
    assert!(format!("{:?}", client.get("nope")).contains("invalid"));
}

#[tokio::test]
async fn expectations_fail_with_a_readable_message() {
    let mock = MockTransport::new();
    mock.route(Route::get("/once")).reply(Reply::ok()).expect(1);
    mock.route(Route::get("/never")).reply(Reply::ok()).never();
    let client = mock.client();
    client.get("http://a.test/once").send().await.unwrap();
    client.get("http://a.test/once").send().await.unwrap();
    let message = mock.verify().unwrap_err();
    assert!(
        message.contains("route GET /once expected to be called exactly 1 time(s), was called 2"),
        "{message}"
    );
    assert!(!message.contains("/never"));
    // Checked, and failing on purpose: not again when the mock drops.
    mock.verify_on_drop(false);
}

#[tokio::test]
async fn routes_match_on_query_headers_and_json() {
    let mock = MockTransport::new();
    let precise = mock
        .route(
            Route::post("/items")
                .query("dry", "1")
                .header("x-key", "k")
                .json(&serde_json::json!({"b": 2, "a": 1})),
        )
        .reply(Reply::status(201));
    mock.route(Route::any()).reply(Reply::status(400));
    let client = mock.client();
    let hit = client
        .post("http://a.test/items?dry=1")
        .header("x-key", "k")
        .data(r#"{"a":1,"b":2}"#)
        .send()
        .await
        .unwrap();
    let miss = client
        .post("http://a.test/items?dry=1")
        .json(&[1])
        .send()
        .await
        .unwrap();
    assert_eq!((hit.status().as_u16(), miss.status().as_u16()), (201, 400));
    assert_eq!(precise.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn sequences_repeat_their_last_reply() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .replies([Reply::status(503), Reply::status(503), Reply::status(200)]);
    let client = mock.client();
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(
            client
                .get("http://a.test/")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(codes, [503, 503, 200, 200]);
}

#[tokio::test]
async fn a_builder_error_says_which_input_was_bad() {
    use grequests_core::Input;
    let mock = echo();
    let client = mock.client();
    let input_of = |request: grequests_core::RequestBuilder| async move {
        let err = request.send().await.expect_err("bad input");
        assert!(err.is_builder(), "{err}");
        err.invalid_input()
    };
    assert_eq!(
        input_of(client.get("http://exa mple.com/")).await,
        Some(Input::Url)
    );
    assert_eq!(input_of(client.get("http://")).await, Some(Input::Url));
    assert_eq!(
        input_of(client.get("not a url")).await,
        Some(Input::MissingScheme)
    );
    assert_eq!(
        input_of(client.get("ftp://a.test/")).await,
        Some(Input::Scheme)
    );
    assert_eq!(
        input_of(client.get("localhost:8080/x")).await,
        Some(Input::Scheme)
    );
    // requests refuses a value with leading whitespace too: servers strip it.
    assert_eq!(
        input_of(client.get("http://a.test/").header("x-a", " v")).await,
        Some(Input::Header)
    );
    assert!(
        client
            .get("http://a.test/")
            .header("x-a", "v ")
            .request()
            .error()
            .is_none(),
        "trailing whitespace is allowed, as in requests"
    );
    let timeout = grequests_core::Error::invalid(Input::Timeout, "-1 s");
    assert_eq!(
        input_of(client.get("http://a.test/").fail_with(timeout)).await,
        Some(Input::Timeout)
    );
    let first = client
        .get("ftp://a.test/")
        .fail_with(grequests_core::Error::invalid(Input::Timeout, "-1 s"));
    assert_eq!(
        input_of(first).await,
        Some(Input::Scheme),
        "the first bad input is kept"
    );
    assert_eq!(
        input_of(client.get("http://a.test/").header("x-a", "b\u{1}c")).await,
        Some(Input::Header)
    );
    assert_eq!(
        input_of(client.get("http://a.test/").header("bad name", "v")).await,
        Some(Input::Header)
    );
    assert_eq!(
        input_of(client.get("http://a.test/").cookie("a", "b\u{1}c")).await,
        Some(Input::Cookie)
    );
    assert_eq!(
        input_of(client.request("BAD METHOD", "http://a.test/")).await,
        Some(Input::Method)
    );
    assert!(mock.requests().is_empty(), "nothing bad was sent");
}
