//! Where a program ported from requests/grequests expects requests' behaviour, over real
//! sockets against the embedded httpbin.

use std::sync::{Arc, Mutex};

use grequests::http::{HeaderMap, HeaderValue};
use grequests::multipart::{Form, Part};

use crate::support::{client, json, server};

#[tokio::test]
async fn a_hook_sees_every_response_of_a_redirect_chain() {
    let server = server().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let final_only = Arc::new(Mutex::new(Vec::new()));
    let final_log = final_only.clone();
    let response = client()
        .get(server.url("/redirect/2"))
        .hook(move |r| log.lock().unwrap().push(r.status().as_u16()))
        .on_response(move |r| final_log.lock().unwrap().push(r.status().as_u16()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // As requests' hooks={'response': f}: 302, 302, 200.
    assert_eq!(*seen.lock().unwrap(), [302, 302, 200]);
    assert_eq!(*final_only.lock().unwrap(), [200]);
}

#[tokio::test]
async fn bodyless_post_put_and_patch_send_content_length_zero() {
    let server = server().await;
    let client = client();
    for request in [
        client.post(server.url("/anything")),
        client.put(server.url("/anything")),
        client.patch(server.url("/anything")),
    ] {
        let echo = json(&request.send().await.unwrap());
        assert_eq!(echo["headers"]["Content-Length"], "0", "{echo}");
    }
    let get = json(&client.get(server.url("/anything")).send().await.unwrap());
    assert!(get["headers"].get("Content-Length").is_none(), "{get}");
    // A 301 re-sends a PUT without its body: with Content-Length: 0 again.
    let target = server.url("/anything");
    let moved = client
        .put(server.url(&format!("/redirect-to?url={target}&status_code=301")))
        .data("payload")
        .send()
        .await
        .unwrap();
    let echo = json(&moved);
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["headers"]["Content-Length"], "0", "{echo}");
}

#[tokio::test]
async fn cookie_values_requests_accepts_are_accepted() {
    let server = server().await;
    let echo = json(
        &client()
            .get(server.url("/cookies"))
            .cookie("spaced", "a b")
            .cookie("quoted", "\"x\"")
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(echo["cookies"]["spaced"], "a b", "{echo}");
    assert_eq!(echo["cookies"]["quoted"], "\"x\"", "{echo}");
    for bad in ["a;b", "a\r\nb", "a\0b"] {
        let err = client()
            .get(server.url("/cookies"))
            .cookie("k", bad)
            .send()
            .await
            .unwrap_err();
        assert!(err.is_builder(), "{bad:?}: {err}");
    }
}

#[tokio::test]
async fn a_bytes_part_is_a_file_part() {
    let server = server().await;
    let echo = json(
        &client()
            .post(server.url("/post"))
            .multipart(
                Form::new()
                    .bytes("file", &b"abc"[..])
                    .part("other", Part::bytes(&b"def"[..]))
                    .text("field", "plain"),
            )
            .send()
            .await
            .unwrap(),
    );
    // requests: files={'file': b'abc'} is a file named 'file'.
    assert_eq!(echo["files"]["file"], "abc", "{echo}");
    assert_eq!(echo["files"]["other"], "def", "{echo}");
    assert_eq!(echo["form"]["field"], "plain", "{echo}");
}

#[tokio::test]
async fn list_values_become_repeated_keys_and_none_is_dropped() {
    let server = server().await;
    let client = client();
    let got = json(
        &client
            .get(server.url("/get"))
            .params(&[("multi", vec!["1", "2"]), ("single", vec!["x"])])
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(got["args"]["multi"], serde_json::json!(["1", "2"]), "{got}");
    assert_eq!(got["args"]["single"], "x");
    let form = json(
        &client
            .post(server.url("/post"))
            .form(&[("k", Some("v")), ("gone", None)])
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(form["form"], serde_json::json!({"k": "v"}), "{form}");
    let listed = json(
        &client
            .post(server.url("/post"))
            .form(&[("multi", ["a", "b"])])
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(
        listed["form"]["multi"],
        serde_json::json!(["a", "b"]),
        "{listed}"
    );
}

#[tokio::test]
async fn the_reason_phrase_is_the_servers() {
    let hostile = grequests_testserver::HostileServer::start().await.unwrap();
    let custom = client()
        .get(hostile.url("/custom-reason"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (custom.status().as_u16(), custom.reason()),
        (599, "UNKNOWN")
    );
    let server = server().await;
    let canonical = client()
        .get(server.url("/status/404"))
        .send()
        .await
        .unwrap();
    assert_eq!(canonical.reason(), "Not Found");
}

#[tokio::test]
async fn an_exception_handler_can_put_a_stand_in_in_place_of_a_failure() {
    let server = server().await;
    let client = client();
    let results = grequests::map([
        client.get(server.url("/get")),
        client.get("http://nowhere.invalid/"),
    ])
    .exception_handler(|request, _error| {
        let stand_in = grequests::http::Response::builder()
            .status(503)
            .body("served from cache")
            .ok()?;
        Some(grequests::Response::from(stand_in).with_url(request.url()?.clone()))
    })
    .await;
    let stand_in = results[1].as_ref().unwrap();
    assert_eq!(stand_in.status(), 503);
    assert_eq!(stand_in.text().unwrap(), "served from cache");
    assert_eq!(stand_in.url().host_str(), Some("nowhere.invalid"));
}

#[tokio::test]
async fn repeated_request_headers_are_all_sent() {
    let server = server().await;
    let mut headers = HeaderMap::new();
    headers.append("x-multi", HeaderValue::from_static("one"));
    headers.append("x-multi", HeaderValue::from_static("two"));
    let request = client().get(server.url("/headers")).headers(headers);
    assert_eq!(
        request
            .request()
            .headers()
            .unwrap()
            .get_all("x-multi")
            .iter()
            .count(),
        2
    );
    let echo = json(&request.send().await.unwrap());
    assert_eq!(echo["headers"]["X-Multi"], "one,two", "{echo}");
}

#[tokio::test]
async fn responses_expose_repeated_headers_cookies_and_the_peer() {
    let server = server().await;
    let response = client()
        .get(server.url("/response-headers?x-rep=a&x-rep=b&Set-Cookie=k%3Dv"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.header_all("x-rep"), ["a", "b"]);
    let cookies: Vec<grequests::cookie::Cookie<'static>> = response.cookies();
    assert_eq!(cookies[0].name_value(), ("k", "v"));
    assert_eq!(response.remote_addr(), Some(server.addr()));
}

#[test]
fn a_blocking_imap_is_itself_an_iterator() {
    let server = grequests_testserver::TestServer::builder()
        .spawn_thread()
        .unwrap();
    let client = client();
    let requests = (0..6).map(|i| client.get(server.url(&format!("/status/{}", 200 + i))));
    let ok = grequests::blocking::imap(requests)
        .size(3)
        .filter(|r| r.status() != 204)
        .count();
    assert_eq!(ok, 5);
    let requests = (0..4).map(|_| client.get(server.url("/get")));
    let indices: std::collections::BTreeSet<usize> = grequests::blocking::imap_enumerated(requests)
        .size(2)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(indices, (0..4).collect());
}

#[tokio::test]
async fn requests_can_be_inspected_and_take_a_method_name() {
    let server = server().await;
    let request = grequests::request("post", server.url("/post"))
        .header("x-a", "1")
        .data("body");
    let built = request.request();
    assert_eq!(built.method(), Some(&grequests::http::Method::POST));
    assert_eq!(built.url().map(|u| u.path()), Some("/post"));
    assert_eq!(built.headers().unwrap()["x-a"], "1");
    assert_eq!(built.body().and_then(|b| b.as_bytes()), Some(&b"body"[..]));
    let sent = grequests::Client::builder()
        .no_proxies()
        .build()
        .unwrap()
        .request("patch", server.url("/patch"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let err = client()
        .request("not a method", server.url("/get"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_builder(), "{err}");
}

#[tokio::test]
async fn host_is_the_authority_once_and_a_host_of_the_callers_own_is_kept() {
    let server = server().await;
    let port = server.addr().port();
    let host_sent = |response: &grequests::Response| json(response)["headers"]["Host"].clone();
    let client = client();
    let by_address = client.get(server.url("/headers")).send().await.unwrap();
    assert_eq!(host_sent(&by_address), format!("127.0.0.1:{port}"));
    // Credentials in the URL go in Authorization, never in Host.
    let with_userinfo = format!("http://user:pw@127.0.0.1:{port}/headers");
    let response = client.get(with_userinfo).send().await.unwrap();
    assert_eq!(host_sent(&response), format!("127.0.0.1:{port}"));
    // A Host set by the caller is sent instead, not as well (the echo joins repeats by ',').
    let own = client
        .get(server.url("/headers"))
        .header("Host", "virtual.test")
        .send()
        .await
        .unwrap();
    assert_eq!(host_sent(&own), "virtual.test");
    let named = crate::support::client_over_origins(server.addr(), 1);
    let url = format!("http://o0.test:{port}/headers");
    let response = named.get(url).send().await.unwrap();
    assert_eq!(host_sent(&response), format!("o0.test:{port}"));
}
