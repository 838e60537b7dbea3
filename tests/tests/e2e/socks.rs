//! SOCKS proxies: remote DNS (`socks5h`, `socks4a`) and local DNS (`socks5`, `socks4`),
//! username and password, https through the tunnel, `ALL_PROXY`, and failures that name
//! the proxy.

use std::net::SocketAddr;

use grequests::Client;
use grequests_testserver::{TestServer, TestSocksProxy};

use crate::support::{is_child, json, run_child, server};

fn via(proxy: &str) -> Client {
    Client::builder().proxy_all(proxy).build().unwrap()
}

#[tokio::test]
async fn socks5h_lets_the_proxy_resolve_the_name() {
    let server = server().await;
    let proxy = TestSocksProxy::start().await.unwrap();
    let url = format!("http://web.test:{}/get?via=socks", server.addr().port());
    let response = via(&format!("socks5h://{}", proxy.authority()))
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(json(&response)["args"]["via"], "socks");
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].version, seen[0].target.as_str()),
        (5, &*format!("web.test:{}", server.addr().port()))
    );
}

#[tokio::test]
async fn socks5_resolves_here_through_the_clients_overrides() {
    let server = server().await;
    let proxy = TestSocksProxy::start().await.unwrap();
    let client = Client::builder()
        .proxy_all(&format!("socks5://{}", proxy.authority()))
        .resolve("web.test", SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()
        .unwrap();
    let url = format!("http://web.test:{}/get", server.addr().port());
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    assert_eq!(
        proxy.requests()[0].target,
        format!("127.0.0.1:{}", server.addr().port())
    );
}

#[tokio::test]
async fn socks4a_and_socks4() {
    let server = server().await;
    let proxy = TestSocksProxy::start().await.unwrap();
    let url = format!("http://web.test:{}/get", server.addr().port());
    let remote = via(&format!("socks4a://{}", proxy.authority()));
    assert_eq!(remote.get(&url).send().await.unwrap().status(), 200);
    let local = Client::builder()
        .proxy_all(&format!("socks4://{}", proxy.authority()))
        .resolve("web.test", SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()
        .unwrap();
    assert_eq!(local.get(&url).send().await.unwrap().status(), 200);
    let targets: Vec<_> = proxy
        .requests()
        .into_iter()
        .map(|r| (r.version, r.target))
        .collect();
    let port = server.addr().port();
    assert_eq!(
        targets,
        [
            (4, format!("web.test:{port}")),
            (4, format!("127.0.0.1:{port}"))
        ]
    );
}

#[tokio::test]
async fn socks5_with_a_username_and_password() {
    let server = server().await;
    let proxy = TestSocksProxy::start_with_auth(Some(("alice", "s3cret")))
        .await
        .unwrap();
    let url = server.url("/get");
    let ok = via(&format!("socks5h://alice:s3cret@{}", proxy.authority()));
    assert_eq!(ok.get(&url).send().await.unwrap().status(), 200);
    assert_eq!(proxy.requests()[0].user.as_deref(), Some("alice"));

    let wrong = via(&format!("socks5h://alice:wrong@{}", proxy.authority()));
    let err = wrong.get(&url).send().await.unwrap_err();
    assert!(err.is_proxy() && err.is_connect(), "{err}");
    let chain = grequests_tests::error_chain(&err).join(" / ");
    assert!(
        chain.contains(&format!("proxy socks5h://{} failed", proxy.authority())),
        "{chain}"
    );
    assert!(
        !chain.contains("wrong") && !chain.contains("s3cret"),
        "{chain}"
    );
}

#[tokio::test]
async fn https_goes_through_a_socks_tunnel() {
    let tls = TestServer::start_tls().await.unwrap();
    let proxy = TestSocksProxy::start().await.unwrap();
    let client = Client::builder()
        .proxy_all(&format!("socks5h://{}", proxy.authority()))
        .add_root_certificate_pem(tls.ca_pem().unwrap().as_bytes())
        .build()
        .unwrap();
    let url = format!("https://localhost:{}/get", tls.addr().port());
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    assert_eq!(
        proxy.requests()[0].target,
        format!("localhost:{}", tls.addr().port())
    );
}

#[tokio::test]
async fn a_socks_proxy_that_is_down_is_a_proxy_error() {
    let server = server().await;
    let port = grequests_tests::closed_port();
    let err = via(&format!("socks5h://127.0.0.1:{port}"))
        .get(server.url("/get"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_proxy(), "{err}");
}

#[tokio::test]
async fn all_proxy_from_the_environment_can_be_socks() {
    let server = server().await;
    let proxy = TestSocksProxy::start().await.unwrap();
    let target = format!("http://web.test:{}/get", server.addr().port());
    let proxy_url = format!("socks5h://{}", proxy.authority());
    tokio::task::spawn_blocking(move || {
        run_child(
            "socks::all_proxy_child",
            &[("ALL_PROXY", &proxy_url), ("GREQUESTS_TARGET", &target)],
            None,
        )
    })
    .await
    .unwrap();
    assert_eq!(proxy.requests().len(), 1);
}

/// Run by the test above with `ALL_PROXY` set to the SOCKS proxy.
#[tokio::test]
#[ignore = "run in a child process by all_proxy_from_the_environment_can_be_socks"]
async fn all_proxy_child() {
    if !is_child() {
        return;
    }
    let target = std::env::var("GREQUESTS_TARGET").unwrap();
    let response = Client::new().get(&target).send().await.unwrap();
    assert_eq!(response.status(), 200);
}
