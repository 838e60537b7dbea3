//! Redirects, credentials and cookies across real hosts: two server instances reached
//! under two names through the client's DNS override hook.

use std::net::SocketAddr;

use grequests::Client;
use grequests_testserver::TestServer;

use crate::support::{client, json, server};

/// A client that resolves `a.test` and `b.test` to loopback.
fn two_host_client(a: &TestServer, b: &TestServer) -> Client {
    let loopback = |server: &TestServer| SocketAddr::from(([127, 0, 0, 1], server.addr().port()));
    Client::builder()
        .no_proxies()
        .resolve("a.test", loopback(a))
        .resolve("b.test", loopback(b))
        .build()
        .unwrap()
}

#[tokio::test]
async fn redirects_fill_the_history() {
    let server = server().await;
    let client = client();
    for start in [
        "/redirect/3",
        "/relative-redirect/3",
        "/absolute-redirect/3",
    ] {
        let response = client.get(server.url(start)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{start}");
        assert_eq!(response.url().path(), "/get");
        assert_eq!(response.history().len(), 3, "{start}");
        assert!(response.history().iter().all(|r| r.status() == 302));
    }
    let stopped = client
        .get(server.url("/redirect/2"))
        .allow_redirects(false)
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 302);
    assert_eq!(stopped.header("location"), Some("/relative-redirect/1"));
}

#[tokio::test]
async fn too_many_redirects_fails() {
    let server = server().await;
    let client = Client::builder()
        .no_proxies()
        .redirect(grequests::redirect::Policy::limited(3))
        .build()
        .unwrap();
    let error = client
        .get(server.url("/redirect/5"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_redirect(), "{error}");
}

#[tokio::test]
async fn a_307_resends_method_and_body() {
    let server = server().await;
    let target = server.url("/anything");
    let url = server.url(&format!("/redirect-to?url={target}&status_code=307"));
    let response = client()
        .post(url)
        .json(&serde_json::json!({"k": 1}))
        .send()
        .await
        .unwrap();
    let echo = json(&response);
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["json"]["k"], 1);
}

#[tokio::test]
async fn credentials_and_request_cookies_do_not_cross_to_another_host() {
    let a = server().await;
    let b = server().await;
    let client = two_host_client(&a, &b);
    let to_b = format!("http://b.test:{}/headers", b.addr().port());
    let response = client
        .get(format!(
            "http://a.test:{}/redirect-to?url={to_b}",
            a.addr().port()
        ))
        .basic_auth("user", Some("secret"))
        .cookie("session", "s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.url().host_str(), Some("b.test"));
    let headers = &json(&response)["headers"];
    assert!(headers.get("Authorization").is_none(), "{headers}");
    assert!(headers.get("Cookie").is_none(), "{headers}");

    let same_host = format!("http://a.test:{}/headers", a.addr().port());
    let response = client
        .get(format!(
            "http://a.test:{}/redirect-to?url={same_host}",
            a.addr().port()
        ))
        .basic_auth("user", Some("secret"))
        .send()
        .await
        .unwrap();
    assert!(json(&response)["headers"]["Authorization"]
        .as_str()
        .unwrap()
        .starts_with("Basic "));
}

#[tokio::test]
async fn the_jar_keeps_cookies_per_host() {
    let a = server().await;
    let b = server().await;
    let client = two_host_client(&a, &b);
    let a_url = |path: &str| format!("http://a.test:{}{path}", a.addr().port());
    let set = client
        .get(a_url("/cookies/set?flavour=oat"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(&set)["cookies"]["flavour"], "oat");
    let again = client.get(a_url("/cookies")).send().await.unwrap();
    assert_eq!(json(&again)["cookies"]["flavour"], "oat");
    let other = client
        .get(format!("http://b.test:{}/cookies", b.addr().port()))
        .send()
        .await
        .unwrap();
    assert_eq!(json(&other)["cookies"], serde_json::json!({}));
    let deleted = client
        .get(a_url("/cookies/delete?flavour"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(&deleted)["cookies"], serde_json::json!({}));
}

#[tokio::test]
async fn basic_and_bearer_auth() {
    let server = server().await;
    let client = client();
    let ok = client
        .get(server.url("/basic-auth/u/p"))
        .basic_auth("u", Some("p"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(&ok)["authenticated"], true);
    let wrong = client
        .get(server.url("/basic-auth/u/p"))
        .basic_auth("u", Some("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let bearer = client
        .get(server.url("/bearer"))
        .bearer_auth("t0k")
        .send()
        .await
        .unwrap();
    assert_eq!(json(&bearer)["token"], "t0k");
    let in_url = client
        .get(format!("http://u:p@{}/basic-auth/u/p", server.addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(in_url.status(), 200);
}

#[tokio::test]
async fn default_credentials_follow_the_same_rules_as_the_requests_own() {
    let a = server().await;
    let b = server().await;
    let loopback = |server: &TestServer| SocketAddr::from(([127, 0, 0, 1], server.addr().port()));
    let client = Client::builder()
        .no_proxies()
        .resolve("a.test", loopback(&a))
        .resolve("b.test", loopback(&b))
        .default_header("Authorization", "Bearer client-wide")
        .default_header("Cookie", "sid=client-wide")
        .build()
        .unwrap();
    let via =
        |target: String| format!("http://a.test:{}/redirect-to?url={target}", a.addr().port());
    let other_host = format!("http://b.test:{}/headers", b.addr().port());
    let response = client.get(via(other_host)).send().await.unwrap();
    let headers = &json(&response)["headers"];
    assert!(headers.get("Authorization").is_none(), "{headers}");
    assert!(headers.get("Cookie").is_none(), "{headers}");

    let same_host = format!("http://a.test:{}/headers", a.addr().port());
    let response = client.get(via(same_host)).send().await.unwrap();
    let headers = &json(&response)["headers"];
    assert_eq!(headers["Authorization"], "Bearer client-wide", "{headers}");
    assert_eq!(headers["Cookie"], "sid=client-wide", "{headers}");
}

#[tokio::test]
async fn default_credentials_do_not_survive_https_to_http() {
    let secure = TestServer::start_tls().await.unwrap();
    let plain = server().await;
    let client = Client::builder()
        .no_proxies()
        .add_root_certificate_pem(secure.ca_pem().unwrap().as_bytes())
        .default_header("Authorization", "Bearer client-wide")
        .build()
        .unwrap();
    let target = format!("http://localhost:{}/headers", plain.addr().port());
    let response = client
        .get(format!(
            "https://localhost:{}/redirect-to?url={target}",
            secure.addr().port()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.url().scheme(), "http");
    let headers = &json(&response)["headers"];
    assert!(headers.get("Authorization").is_none(), "{headers}");
}

#[test]
fn proxy_authorization_is_never_a_default_header() {
    let err = Client::builder()
        .default_header("Proxy-Authorization", "Basic dXNlcjpwYXNz")
        .build()
        .unwrap_err();
    assert!(err.is_builder(), "{err}");
    assert!(err.to_string().contains("proxy URL"), "{err}");
}
