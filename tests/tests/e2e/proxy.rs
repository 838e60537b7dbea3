//! Proxies: http through absolute-form forwarding, https through CONNECT, credentials for
//! the proxy only, `NO_PROXY`, and the environment variables requests reads.

use grequests::Client;
use grequests_testserver::{TestProxy, TestServer};

use crate::support::{is_child, json, run_child, server};

/// A client that sends everything through `proxy_url` and trusts `tls_server`'s CA.
fn through(proxy_url: &str, tls_server: &TestServer) -> Client {
    Client::builder()
        .proxy_all(proxy_url)
        .add_root_certificate_pem(tls_server.ca_pem().unwrap().as_bytes())
        .build()
        .unwrap()
}

#[tokio::test]
async fn http_requests_go_through_the_proxy() {
    let server = server().await;
    let proxy = TestProxy::start().await.unwrap();
    let client = Client::builder().proxy_all(&proxy.url()).build().unwrap();
    let response = client
        .get(server.url("/get?via=proxy"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(&response)["args"]["via"], "proxy");
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].target.as_str()),
        ("GET", server.url("/get?via=proxy").as_str())
    );
}

#[tokio::test]
async fn https_requests_tunnel_through_connect() {
    let server = TestServer::start_tls().await.unwrap();
    let proxy = TestProxy::start().await.unwrap();
    let client = through(&proxy.url(), &server);
    let response = client.get(server.url("/get")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let seen = proxy.requests();
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, server.addr().to_string());
}

#[tokio::test]
async fn proxy_credentials_reach_the_proxy_and_never_the_server() {
    let server = server().await;
    let tls_server = TestServer::start_tls().await.unwrap();
    let proxy = TestProxy::start_with_auth(Some(("pu", "pp")))
        .await
        .unwrap();
    let client = through(&proxy.url_with_credentials("pu", "pp"), &tls_server);
    let plain = client
        .get(server.url("/headers"))
        .header("proxy-authorization", "Basic c3RvbGVu")
        .send()
        .await
        .unwrap();
    assert!(json(&plain)["headers"].get("Proxy-Authorization").is_none());
    let tunneled = client.get(tls_server.url("/headers")).send().await.unwrap();
    assert!(json(&tunneled)["headers"]
        .get("Proxy-Authorization")
        .is_none());
    let expected = "Basic cHU6cHA=";
    assert!(proxy
        .requests()
        .iter()
        .all(|r| r.proxy_authorization.as_deref() == Some(expected)));
}

#[tokio::test]
async fn a_proxy_refusing_credentials_is_an_error_or_its_407() {
    let server = server().await;
    let tls_server = TestServer::start_tls().await.unwrap();
    let proxy = TestProxy::start_with_auth(Some(("pu", "pp")))
        .await
        .unwrap();
    let client = through(&proxy.url_with_credentials("pu", "wrong"), &tls_server);
    let plain = client.get(server.url("/get")).send().await.unwrap();
    assert_eq!(plain.status(), 407);
    let tunneled = client.get(tls_server.url("/get")).send().await.unwrap_err();
    assert!(tunneled.is_connect() && tunneled.is_proxy(), "{tunneled}");
}

#[tokio::test]
async fn no_proxy_hosts_bypass_it() {
    let server = server().await;
    let proxy = TestProxy::start().await.unwrap();
    let client = Client::builder()
        .proxy_all(&proxy.url())
        .no_proxy("127.0.0.1")
        .build()
        .unwrap();
    assert_eq!(
        client
            .get(server.url("/get"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(proxy.requests().is_empty());
}

#[tokio::test]
async fn the_environment_names_the_proxy_as_requests_reads_it() {
    let server = server().await;
    let proxy = TestProxy::start().await.unwrap();
    let target = server.url("/get?from=env");
    let child = tokio::task::spawn_blocking({
        let (proxy_url, target) = (proxy.url(), target.clone());
        move || {
            run_child(
                "proxy::env_proxy_child",
                &[("HTTP_PROXY", &proxy_url), ("GREQUESTS_TARGET", &target)],
                None,
            )
        }
    });
    child.await.unwrap();
    assert!(
        proxy.requests().iter().any(|r| r.target == target),
        "{:?}",
        proxy.requests()
    );

    let bypass = tokio::task::spawn_blocking({
        let (proxy_url, target) = (proxy.url(), server.url("/get?from=no_proxy"));
        move || {
            run_child(
                "proxy::env_proxy_child",
                &[
                    ("HTTP_PROXY", &proxy_url),
                    ("NO_PROXY", "127.0.0.1"),
                    ("GREQUESTS_TARGET", &target),
                ],
                None,
            )
        }
    });
    bypass.await.unwrap();
    assert!(!proxy
        .requests()
        .iter()
        .any(|r| r.target.contains("no_proxy")));
}

/// Run by the test above in a child process with proxy variables set.
#[tokio::test]
#[ignore = "run in a child process by the_environment_names_the_proxy_as_requests_reads_it"]
async fn env_proxy_child() {
    if !is_child() {
        return;
    }
    let target = std::env::var("GREQUESTS_TARGET").unwrap();
    let response = grequests::Client::new().get(&target).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_proxy_failure_is_a_proxy_error_naming_the_proxy_without_credentials() {
    let server = server().await;
    let port = grequests_tests::closed_port();
    let client = Client::builder()
        .proxy_all(&format!("http://user:secret@127.0.0.1:{port}"))
        .build()
        .unwrap();
    let err = client.get(server.url("/get")).send().await.unwrap_err();
    assert!(err.is_proxy() && err.is_connect(), "{err}");
    let report = format!("{err:?} {:?}", grequests_tests::error_chain(&err));
    assert!(
        report.contains(&format!("proxy http://127.0.0.1:{port} failed")),
        "{report}"
    );
    assert!(!report.contains("secret"), "{report}");
}

#[tokio::test]
async fn a_proxy_url_no_connector_can_use_is_refused_not_bypassed() {
    // hyper-util's matcher would drop these and send the traffic straight to the server.
    for bad in [
        "ftp://user:secret@127.0.0.1:1",
        "http://",
        "http://user:secret@",
    ] {
        let err = Client::builder().proxy_all(bad).build().unwrap_err();
        assert!(err.is_builder(), "{bad}: {err}");
        assert_eq!(
            err.invalid_input(),
            Some(grequests::Input::Proxy),
            "{bad}: {err}"
        );
        assert!(!format!("{err:#}").contains("secret"), "{err:#}");
    }
    let err = Client::builder()
        .proxy_http("gopher://127.0.0.1:1")
        .build()
        .unwrap_err();
    assert_eq!(err.invalid_input(), Some(grequests::Input::Proxy), "{err}");
}
