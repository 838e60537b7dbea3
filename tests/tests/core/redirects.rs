//! Redirects, credentials and cookies across hops.

use grequests_core::redirect::Policy;
use grequests_core::Client;
use grequests_mock::{MockTransport, Reply, Route};

fn mock_with_chain() -> MockTransport {
    let mock = MockTransport::new();
    for code in [301u16, 302, 303, 307, 308] {
        mock.route(Route::path(Route::any(), &format!("/{code}")).host("a.test"))
            .reply(Reply::redirect(code, "/target"));
    }
    mock.route(Route::any().path("/target"))
        .respond_with(|request| async move {
            let body = format!(
                "{} {}",
                request.method,
                String::from_utf8_lossy(&request.body)
            );
            Reply::status(200).text(body)
        });
    mock
}

/// requests' `rebuild_method` and `resolve_redirects`: only 307 and 308 keep the body.
#[tokio::test]
async fn methods_change_as_requests_changes_them() {
    let mock = mock_with_chain();
    let client = mock.client();
    let cases = [
        (301, "POST", "GET "),
        (301, "PUT", "PUT "),
        (302, "POST", "GET "),
        (303, "PUT", "GET "),
        (307, "POST", "POST data"),
        (308, "PUT", "PUT data"),
    ];
    for (code, method, expected) in cases {
        let method = http::Method::from_bytes(method.as_bytes()).unwrap();
        let response = client
            .request(method.clone(), format!("http://a.test/{code}"))
            .data("data")
            .header("content-type", "text/plain")
            .send()
            .await
            .unwrap();
        assert_eq!(response.text().unwrap(), expected, "{code} {method}");
        assert_eq!(response.history().len(), 1);
        assert_eq!(response.history()[0].status().as_u16(), code);
        assert_eq!(response.url().as_str(), "http://a.test/target");
    }
    let get_after_303 = mock.requests().into_iter().nth(5).unwrap();
    assert!(get_after_303.headers.get("content-type").is_none());
}

#[tokio::test]
async fn head_stays_head_through_a_303() {
    let mock = mock_with_chain();
    let response = mock
        .client()
        .head("http://a.test/303")
        .send()
        .await
        .unwrap();
    assert_eq!(response.request().method(), http::Method::HEAD);
}

#[tokio::test]
async fn too_many_redirects_is_a_redirect_error() {
    let mock = MockTransport::new();
    mock.route(Route::any()).respond_with(|request| async move {
        let n: u32 = request.path().trim_start_matches('/').parse().unwrap_or(0);
        Reply::redirect(302, &format!("/{}", n + 1))
    });
    let error = mock
        .client()
        .get("http://a.test/0")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_redirect(), "{error}");
    assert_eq!(
        mock.requests().len(),
        31,
        "30 redirects are followed, the 31st refused"
    );

    let strict = Client::builder()
        .transport(mock.clone())
        .redirect(Policy::limited(2))
        .build();
    let error = strict
        .unwrap()
        .get("http://a.test/0")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_redirect());
}

#[tokio::test]
async fn allow_redirects_false_returns_the_3xx() {
    let mock = mock_with_chain();
    let client = mock.client();
    let response = client
        .get("http://a.test/302")
        .allow_redirects(false)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert!(response.is_redirect());
    let none = Client::builder()
        .transport(mock.clone())
        .redirect(Policy::none())
        .build();
    let response = none.unwrap().get("http://a.test/302").send().await.unwrap();
    assert_eq!(response.status(), 302);
}

fn cross_host_mock() -> MockTransport {
    let mock = MockTransport::new();
    mock.route(Route::get("/go").host("a.test"))
        .reply(Reply::redirect(302, "http://b.test/landing"));
    mock.route(Route::get("/stay").host("a.test"))
        .reply(Reply::redirect(302, "/landing"));
    mock.route(Route::get("/downgrade").host("a.test"))
        .reply(Reply::redirect(302, "http://a.test/landing"));
    mock.route(Route::get("/landing")).reply(Reply::ok());
    mock
}

fn landing_request(mock: &MockTransport) -> grequests_mock::RecordedRequest {
    mock.requests()
        .into_iter()
        .rev()
        .find(|r| r.path() == "/landing")
        .unwrap()
}

#[tokio::test]
async fn authorization_stays_on_its_host() {
    let mock = cross_host_mock();
    let client = mock.client();
    client
        .get("http://a.test/go")
        .basic_auth("u", Some("p"))
        .send()
        .await
        .unwrap();
    assert_eq!(landing_request(&mock).header("authorization"), None);
    client
        .get("http://a.test/stay")
        .bearer_auth("t0k3n")
        .send()
        .await
        .unwrap();
    assert_eq!(
        landing_request(&mock).header("authorization"),
        Some("Bearer t0k3n")
    );
    client
        .get("https://a.test/downgrade")
        .bearer_auth("t0k3n")
        .send()
        .await
        .unwrap();
    assert_eq!(
        landing_request(&mock).header("authorization"),
        None,
        "https -> http kept it"
    );
}

#[tokio::test]
async fn url_credentials_become_basic_auth_and_stay_on_their_host() {
    let mock = cross_host_mock();
    mock.client()
        .get("http://user:p%40ss@a.test/stay")
        .send()
        .await
        .unwrap();
    let first = mock.requests().into_iter().next().unwrap();
    assert_eq!(first.header("authorization"), Some("Basic dXNlcjpwQHNz"));
    assert_eq!(first.url().as_str(), "http://a.test/stay");
    mock.client()
        .get("http://user:pass@a.test/go")
        .send()
        .await
        .unwrap();
    assert_eq!(landing_request(&mock).header("authorization"), None);
}

#[tokio::test]
async fn proxy_authorization_never_reaches_a_server() {
    let mock = cross_host_mock();
    mock.client()
        .get("http://a.test/stay")
        .header("proxy-authorization", "Basic c2VjcmV0")
        .send()
        .await
        .unwrap();
    assert!(mock
        .requests()
        .iter()
        .all(|r| r.header("proxy-authorization").is_none()));
}

#[tokio::test]
async fn request_cookies_are_not_carried_to_another_host() {
    let mock = cross_host_mock();
    let client = mock.client();
    client
        .get("http://a.test/go")
        .cookie("session", "s3cret")
        .send()
        .await
        .unwrap();
    let first = &mock.requests()[0];
    assert_eq!(first.header("cookie"), Some("session=s3cret"));
    assert_eq!(landing_request(&mock).header("cookie"), None);
    client
        .get("http://a.test/stay")
        .cookie("session", "s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(
        landing_request(&mock).header("cookie"),
        Some("session=s3cret")
    );
}

#[tokio::test]
async fn jar_cookies_go_back_only_to_their_domain() {
    let mock = MockTransport::new();
    mock.route(Route::get("/login").host("a.test"))
        .reply(Reply::ok().header("set-cookie", "sid=42; Path=/"));
    mock.route(Route::any()).reply(Reply::ok());
    let client = mock.client();
    client.get("http://a.test/login").send().await.unwrap();
    client.get("http://a.test/home").send().await.unwrap();
    client.get("http://b.test/home").send().await.unwrap();
    let requests = mock.requests();
    assert_eq!(requests[1].header("cookie"), Some("sid=42"));
    assert_eq!(requests[2].header("cookie"), None);
    let url = grequests_core::Url::parse("http://a.test/").unwrap();
    assert_eq!(
        client.cookie_jar().unwrap().cookies_for(&url),
        [("sid".into(), "42".into())]
    );
}

#[tokio::test]
async fn without_a_jar_cookies_still_follow_one_redirect_chain() {
    let mock = MockTransport::new();
    mock.route(Route::get("/cookies/set").host("a.test"))
        .reply(Reply::redirect(302, "/cookies").header("set-cookie", "k=v; Path=/"));
    mock.route(Route::get("/cookies")).reply(Reply::ok());
    let client = Client::builder()
        .transport(mock.clone())
        .cookie_store(false)
        .build()
        .unwrap();
    client
        .get("http://a.test/cookies/set")
        .send()
        .await
        .unwrap();
    assert_eq!(mock.requests()[1].header("cookie"), Some("k=v"));
    client.get("http://a.test/cookies").send().await.unwrap();
    assert_eq!(
        mock.requests()[2].header("cookie"),
        None,
        "no jar, yet the cookie persisted"
    );
}

#[tokio::test]
async fn a_streaming_body_cannot_follow_a_307() {
    let mock = mock_with_chain();
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from("x"))]);
    let error = mock
        .client()
        .post("http://a.test/307")
        .data(grequests_core::Body::from_stream(stream))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_redirect(), "{error}");
}

#[tokio::test]
async fn an_invalid_location_is_a_redirect_error() {
    let mock = MockTransport::new();
    mock.route(Route::any())
        .reply(Reply::redirect(302, "http://exa mple.com/"));
    let error = mock
        .client()
        .get("http://a.test/")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_redirect());
    assert_eq!(error.url().map(|u| u.as_str()), Some("http://a.test/"));
}
