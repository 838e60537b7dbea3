//! A server that floods the jar cannot make the client send an oversized Cookie header.

use crate::support::{client, server};

#[tokio::test]
async fn a_set_cookie_flood_is_capped() {
    let server = server().await;
    let client = client();
    // 99 new 1 KB cookies per response, ten times over.
    for _ in 0..10 {
        client
            .get(server.url("/set-cookie-flood"))
            .send()
            .await
            .unwrap();
    }
    let url = grequests::Url::parse(&server.url("/")).unwrap();
    let jar = client.cookie_jar().unwrap();
    assert_eq!(
        jar.cookies_for(&url).len(),
        grequests::limits::MAX_COOKIES_PER_URL
    );
    let sent: usize = client
        .get(server.url("/cookie-length"))
        .send()
        .await
        .unwrap()
        .text()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        sent > 7 * 1024 && sent <= grequests::limits::MAX_COOKIE_HEADER,
        "a Cookie header of {sent} bytes"
    );
}
