//! Each way a real exchange can fail surfaces quickly as an error of the right kind.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::support::{client, server};

/// A port on which nothing listens: bound, then released.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A raw TCP server that answers every connection with `reply` and closes it.
async fn raw_server(reply: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = tokio::io::AsyncReadExt::read(&mut stream, &mut request).await;
            let _ = stream.write_all(reply).await;
            let _ = stream.shutdown().await;
        }
    });
    port
}

/// The error a default client gets from a raw server answering `reply`.
async fn error_from(reply: &'static [u8]) -> grequests::Error {
    let port = raw_server(reply).await;
    client()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let port = closed_port().await;
    let error = client()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect() && !error.is_dns(), "{error}");
    assert!(error.to_string().contains("127.0.0.1"), "{error}");
}

#[tokio::test]
async fn an_invalid_name_is_a_dns_error_without_asking_dns() {
    let error = client()
        .get("http://fakedomain.invalid/")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_dns(), "{error}");
    assert!(error.to_string().contains("fakedomain.invalid"), "{error}");
    let overridden = grequests::Client::builder()
        .no_proxies()
        .resolve_nowhere("blocked.test")
        .build()
        .unwrap();
    let error = overridden
        .get("http://blocked.test/")
        .send()
        .await
        .unwrap_err();
    assert!(error.is_dns(), "{error}");
}

#[tokio::test]
async fn a_slow_server_trips_the_read_and_total_timeouts() {
    let server = server().await;
    let client = client();
    let read = client
        .get(server.url("/delay/2"))
        .read_timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(read.is_timeout(), "{read}");
    let between_chunks = client
        .get(server.url("/drip?duration=2&numbytes=2"))
        .read_timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(between_chunks.is_timeout(), "{between_chunks}");
    let total = client
        .get(server.url("/drip?duration=2&numbytes=20"))
        .total_timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(total.is_timeout(), "{total}");
}

#[tokio::test]
async fn a_truncated_body_is_a_body_error() {
    let error = error_from(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this").await;
    assert!(error.is_body(), "{error}");
}

#[tokio::test]
async fn a_connection_closed_before_the_response_is_a_request_error() {
    let error = error_from(b"").await;
    assert!(error.is_request(), "{error}");
}

#[tokio::test]
async fn garbage_instead_of_http_is_a_request_error_not_a_panic() {
    let error = error_from(b"SSH-2.0-OpenSSH_9.2\r\n").await;
    assert!(error.is_request(), "{error}");
}

#[tokio::test]
async fn too_many_response_headers_are_refused() {
    let port =
        raw_server(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nContent-Length: 0\r\n\r\n")
            .await;
    let strict = grequests::Client::builder()
        .no_proxies()
        .max_response_headers(3)
        .build()
        .unwrap();
    let error = strict
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_request(), "{error}");
    let relaxed = client()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await;
    assert!(relaxed.is_ok());
}

#[tokio::test]
async fn a_batch_mixing_every_failure_still_gives_one_result_each() {
    let server = server().await;
    let refused = closed_port().await;
    let client = client();
    let requests = vec![
        client.get(server.url("/get")),
        client.get(format!("http://127.0.0.1:{refused}/")),
        client.get("http://fakedomain.invalid/"),
        client
            .get(server.url("/delay/2"))
            .timeout(Duration::from_millis(50)),
        client.get("no scheme/"),
        client.get(server.url("/status/503")),
    ];
    let results = grequests::try_map(requests).size(3).await;
    assert_eq!(results.len(), 6);
    assert!(results[0].is_ok());
    assert!(results[1].as_ref().is_err_and(|e| e.is_connect()));
    assert!(results[2].as_ref().is_err_and(|e| e.is_dns()));
    assert!(results[3].as_ref().is_err_and(|e| e.is_timeout()));
    assert!(results[4].as_ref().is_err_and(|e| e.is_builder()));
    assert_eq!(results[5].as_ref().unwrap().status(), 503);
}

#[tokio::test]
async fn a_budget_past_the_descriptor_limit_fails_with_a_clear_connect_error() {
    let server = grequests_testserver::TestServer::builder()
        .spawn_thread()
        .unwrap();
    let url = server.url("/delay/0.5");
    tokio::task::spawn_blocking(move || {
        crate::support::run_child(
            "failures::out_of_sockets_child",
            &[("GREQUESTS_TARGET", &url)],
            Some(40),
        )
    })
    .await
    .unwrap();
}

/// Run by the test above in a child process limited to 40 open files, with a budget set
/// far above that limit (the default budget keeps under it: see the `descriptors` suite).
#[tokio::test]
#[ignore = "run in a child process by a_budget_past_the_descriptor_limit_fails_with_a_clear_connect_error"]
async fn out_of_sockets_child() {
    if !crate::support::is_child() {
        return;
    }
    let target = std::env::var("GREQUESTS_TARGET").unwrap();
    let client = grequests::Client::builder()
        .max_connections(1000)
        .build()
        .unwrap();
    let requests = (0..150).map(|_| client.get(&target).total_timeout(Duration::from_secs(20)));
    let results = grequests::try_map(requests).await;
    assert_eq!(results.len(), 150);
    let mut refused = 0;
    for result in &results {
        if let Err(error) = result {
            assert!(error.is_connect(), "{error}");
            assert!(error.to_string().contains("too many open files"), "{error}");
            refused += 1;
        }
    }
    assert!(refused > 0, "the descriptor limit was never reached");
    assert!(refused < 150, "no request got through");
}

#[tokio::test]
async fn an_error_chain_names_each_cause_once() {
    let url = format!("http://127.0.0.1:{}/", grequests_tests::closed_port());
    let err = client().get(&url).send().await.unwrap_err();
    let chain = grequests_tests::error_chain(&err);
    assert_eq!(
        chain[0],
        format!("connection failed for {url}"),
        "{chain:?}"
    );
    let refused: Vec<_> = chain.iter().filter(|m| m.contains("refused")).collect();
    assert_eq!(refused.len(), 1, "{chain:?}");
    for (i, message) in chain.iter().enumerate() {
        for later in &chain[i + 1..] {
            assert!(
                !message.contains(later.as_str()),
                "{message:?} repeats {later:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_body_error_says_what_went_wrong() {
    let server = grequests_testserver::HostileServer::start().await.unwrap();
    let err = client()
        .get(server.url("/short-body"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_body(), "{err}");
    assert!(
        err.to_string()
            .contains("the connection closed before the body was complete"),
        "{err}"
    );
    let err = client()
        .get(server.url("/bad-chunk-size"))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("malformed"), "{err}");
}

#[tokio::test]
async fn a_builder_error_names_the_header_and_keeps_its_cause() {
    let err = client()
        .get("http://127.0.0.1:1/")
        .header("x-trace", "a\r\nInjected: yes")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_builder(), "{err}");
    assert!(err.to_string().contains("\"x-trace\""), "{err}");
    let source = std::error::Error::source(&err).unwrap();
    assert!(source.is::<grequests::http::Error>(), "{source:?}");
}
