//! Servers close idle keep-alive connections whenever they like: a request that lands on one
//! is sent again on a fresh connection when that is safe, and never otherwise.

use crate::support::{client, server};

#[tokio::test]
async fn a_silently_closed_connection_never_fails_the_next_request() {
    let server = server().await;
    let client = client();
    let mut failures = Vec::new();
    for round in 0..1000 {
        // The server closes after answering, without saying so; the next request is sent
        // at once, on the same client, and may find the closed connection in the pool.
        for path in ["/stale", "/ok"] {
            if let Err(err) = client.get(server.url(path)).send().await {
                failures.push(format!("round {round} {path}: {err}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}

#[tokio::test]
async fn a_post_whose_body_reached_the_server_is_not_sent_again() {
    let server = server().await;
    let client = client();
    client.get(server.url("/ok")).send().await.unwrap();
    // Same connection, reused: the server reads the whole POST and closes unanswered.
    let err = client
        .post(server.url("/post-then-close"))
        .data("payment=1")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_request(), "{err}");
    assert_eq!(server.requests(), 2, "the POST was sent again");
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_get_on_a_fresh_connection_is_not_retried() {
    let server = server().await;
    let err = client()
        .get(server.url("/close-without-answer"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_request() && !err.is_stale_connection(), "{err}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn an_idempotent_request_on_a_reused_connection_goes_again_once() {
    let server = server().await;
    let client = client();
    client.get(server.url("/ok")).send().await.unwrap();
    // Reused connection, closed unanswered: one more try on a fresh connection, which the
    // server closes as well; the error is then the second one's.
    let err = client
        .put(server.url("/close-without-answer"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_request(), "{err}");
    assert_eq!(server.requests(), 3);
    assert_eq!(server.connections(), 2);
}
