//! Request and response bodies over real sockets: forms, JSON, multipart, streaming,
//! content decoding and size limits.

use grequests::multipart::{Form, Part};
use grequests::Client;

use crate::support::{client, json, server};

#[tokio::test]
async fn params_form_json_and_multipart_reach_the_server() {
    let server = server().await;
    let client = client();
    let got = client
        .get(server.url("/get"))
        .params(&[("q", "a b"), ("q", "c")])
        .send()
        .await
        .unwrap();
    assert_eq!(json(&got)["args"]["q"], serde_json::json!(["a b", "c"]));
    let form = client
        .post(server.url("/post"))
        .form(&[("k", "v")])
        .send()
        .await
        .unwrap();
    assert_eq!(json(&form)["form"]["k"], "v");
    let body = client
        .put(server.url("/put"))
        .json(&serde_json::json!({"n": [1, 2]}))
        .send()
        .await
        .unwrap();
    assert_eq!(json(&body)["json"]["n"][1], 2);
    let upload = client
        .post(server.url("/post"))
        .multipart(
            Form::new().text("title", "report").part(
                "file",
                Part::bytes(&b"a,b\n"[..])
                    .file_name("data.csv")
                    .mime("text/csv"),
            ),
        )
        .send()
        .await
        .unwrap();
    let echo = json(&upload);
    assert_eq!(echo["form"]["title"], "report");
    assert_eq!(echo["files"]["file"], "a,b\n");
    let headers = client
        .get(server.url("/headers"))
        .header("X-Trace", "t-1")
        .send()
        .await
        .unwrap();
    assert_eq!(json(&headers)["headers"]["X-Trace"], "t-1");
}

#[tokio::test]
async fn gzip_deflate_brotli_and_zstd_are_decoded() {
    let server = server().await;
    let client = client();
    for (path, flag) in [
        ("/gzip", "gzipped"),
        ("/deflate", "deflated"),
        ("/deflate-raw", "deflated"),
        ("/brotli", "brotli"),
        ("/zstd", "zstd"),
    ] {
        let response = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(json(&response)[flag], true, "{path}");
        assert!(response.header("content-encoding").is_none(), "{path}");
    }
    let raw = Client::builder()
        .no_proxies()
        .decompress(false)
        .build()
        .unwrap();
    let response = raw.get(server.url("/gzip")).send().await.unwrap();
    assert_eq!(response.header("content-encoding"), Some("gzip"));
    assert!(response
        .json::<serde_json::Value>()
        .is_err_and(|e| e.is_decode()));
}

#[tokio::test]
async fn a_decoded_size_limit_stops_a_bomb() {
    let server = server().await;
    let tight = Client::builder()
        .no_proxies()
        .max_decoded_body_size(64)
        .build()
        .unwrap();
    let error = tight.get(server.url("/gzip")).send().await.unwrap_err();
    assert!(error.is_decode(), "{error}");
}

#[tokio::test]
async fn body_size_limits_apply_over_sockets() {
    let server = server().await;
    let client = Client::builder()
        .no_proxies()
        .max_body_size(1000)
        .build()
        .unwrap();
    assert!(client.get(server.url("/bytes/1000")).send().await.is_ok());
    let error = client
        .get(server.url("/bytes/1001"))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_body(), "{error}");
}

#[tokio::test]
async fn streamed_responses_arrive_chunk_by_chunk() {
    let server = server().await;
    let mut response = client()
        .get(server.url("/stream/5"))
        .stream(true)
        .send()
        .await
        .unwrap();
    let mut text = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        text.extend_from_slice(&chunk);
    }
    let lines: Vec<serde_json::Value> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[4]["id"], 4);

    let mut drip = client()
        .get(server.url("/drip?duration=0.2&numbytes=4"))
        .stream(true)
        .send()
        .await
        .unwrap();
    drip.buffer(None).await.unwrap();
    assert_eq!(drip.text().unwrap(), "****");
}

#[tokio::test]
async fn response_headers_and_encoding_are_exposed() {
    let server = server().await;
    let response = client()
        .get(server.url("/response-headers?Content-Type=text/plain;%20charset=ISO-8859-1&X-A=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.header("x-a"), Some("1"));
    assert_eq!(response.encoding(), "windows-1252");
}
