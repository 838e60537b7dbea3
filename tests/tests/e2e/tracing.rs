//! What a `tracing` subscriber sees: a span per batch and per request, events for
//! redirects, connections, retries and failures, and never a credential.

use grequests::Client;
use grequests_tests::Captured;
use grequests_testserver::TestProxy;

use crate::support::server;

#[test]
fn batches_and_requests_are_traced_without_credentials() {
    // tracing caches which call sites are enabled process-wide, and the other tests of this
    // binary run beside it without a subscriber: the child runs this one alone.
    grequests_tests::run_child("tracing::tracing_child", &[], None);
}

/// Run by the test above in a child process.
#[tokio::test(flavor = "current_thread")]
#[ignore = "run in a child process by batches_and_requests_are_traced_without_credentials"]
async fn tracing_child() {
    if !grequests_tests::is_child() {
        return;
    }
    let server = server().await;
    let proxy = TestProxy::start().await.unwrap();
    let captured = Captured::default();
    let _guard = captured.install();

    let client = Client::builder()
        .proxy_all(&format!(
            "http://proxyuser:proxysecret@{}",
            proxy.url().trim_start_matches("http://")
        ))
        .no_proxy("nowhere.invalid")
        .default_header("Authorization", "Bearer defaultsecret")
        .build()
        .unwrap();
    let requests = [
        client
            .get(server.url("/redirect/2?token=querysecret"))
            .basic_auth("user", Some("basicsecret"))
            .cookie("session", "cookiesecret"),
        client.get("http://nowhere.invalid/"),
    ];
    let results = grequests::try_map(requests).size(2).await;
    assert!(results[0].is_ok() && results[1].is_err(), "{results:?}");
    drop(results);
    let log = captured.text();

    for wanted in [
        "grequests.batch",
        "mode=\"map\"",
        "total=2",
        "grequests.request",
        "method=GET",
        "/redirect/2?token=…",
        "following redirect",
        "status=302",
        "new connection",
        "request failed",
        "status=200",
        "batch finished",
        "done=2",
        "failed=1",
    ] {
        assert!(log.contains(wanted), "no {wanted:?} in:\n{log}");
    }
    for secret in [
        "querysecret",
        "basicsecret",
        "cookiesecret",
        "defaultsecret",
        "proxysecret",
        "proxyuser",
    ] {
        assert!(!log.contains(secret), "{secret} leaked into:\n{log}");
    }
}
