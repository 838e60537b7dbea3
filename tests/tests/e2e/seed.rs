//! grequests' README, example by example, over real sockets.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use crate::support::{client, server};

#[tokio::test]
async fn usage_map_gives_five_responses_and_one_none_in_order() {
    let server = server().await;
    let client = client();
    let urls = [
        server.url("/anything/heroku"),
        server.url("/anything/python-tablib"),
        server.url("/get"),
        server.url("/anything/python-requests"),
        "http://fakedomain.invalid/".to_owned(),
        server.url("/anything/kennethreitz"),
    ];
    let rs = urls.iter().map(|u| client.get(u));
    let responses = grequests::map(rs).await;
    let shown: Vec<String> = responses
        .iter()
        .map(|r| r.as_ref().map_or("None".to_owned(), |r| format!("{r:?}")))
        .collect();
    assert_eq!(
        shown,
        [
            "<Response [200]>",
            "<Response [200]>",
            "<Response [200]>",
            "<Response [200]>",
            "None",
            "<Response [200]>"
        ]
    );
    let paths: Vec<String> = responses
        .iter()
        .flatten()
        .map(|r| r.url().path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/anything/heroku",
            "/anything/python-tablib",
            "/get",
            "/anything/python-requests",
            "/anything/kennethreitz"
        ]
    );
}

#[tokio::test]
async fn error_handling_calls_the_handler_twice() {
    let server = server().await;
    let client = client();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let reqs = vec![
        client
            .get(server.url("/delay/1"))
            .timeout(Duration::from_millis(1)),
        client.get("http://fakedomain.invalid/"),
        client.get(server.url("/status/500")),
    ];
    let results = grequests::map(reqs)
        .exception_handler(move |request, error| {
            match request.index() {
                0 => assert!(error.is_timeout(), "{error}"),
                1 => assert!(error.is_dns(), "{error}"),
                other => panic!("request {other} should not fail: {error}"),
            }
            counter.fetch_add(1, Ordering::SeqCst);
            None
        })
        .await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let shown: Vec<Option<u16>> = results
        .iter()
        .map(|r| r.as_ref().map(|r| r.status().as_u16()))
        .collect();
    assert_eq!(shown, [None, None, Some(500)]);
}

#[tokio::test]
async fn imap_yields_in_completion_order_and_skips_failures() {
    let server = server().await;
    let client = client();
    let reqs = vec![
        client.get(server.url("/delay/0.6")),
        client.get("http://fakedomain.invalid/"),
        client.get(server.url("/delay/0.05")),
        client.get(server.url("/delay/0.3")),
    ];
    let paths: Vec<String> = grequests::imap(reqs)
        .size(10)
        .map(|r| r.url().path().to_owned())
        .collect()
        .await;
    assert_eq!(paths, ["/delay/0.05", "/delay/0.3", "/delay/0.6"]);
}

#[tokio::test]
async fn imap_enumerated_yields_each_index_once_with_its_status() {
    let server = server().await;
    let client = client();
    let rs: Vec<_> = (200..206)
        .map(|code| client.get(server.url(&format!("/status/{code}"))))
        .collect();
    let mut pairs: Vec<(usize, u16)> = grequests::imap_enumerated(rs)
        .size(5)
        .map(|(index, response)| (index, response.unwrap().status().as_u16()))
        .collect()
        .await;
    pairs.sort();
    assert_eq!(
        pairs,
        [(0, 200), (1, 201), (2, 202), (3, 203), (4, 204), (5, 205)]
    );
}

#[test]
fn the_blocking_api_runs_the_seed_from_plain_code() {
    let server = grequests_testserver::TestServer::builder()
        .spawn_thread()
        .unwrap();
    let client = client();
    let rs = vec![
        client.get(server.url("/get")),
        client.get("http://fakedomain.invalid/"),
        client.get(server.url("/status/404")),
    ];
    let results = grequests::blocking::map(rs).size(2).run();
    let statuses: Vec<Option<u16>> = results
        .iter()
        .map(|r| r.as_ref().map(|r| r.status().as_u16()))
        .collect();
    assert_eq!(statuses, [Some(200), None, Some(404)]);
    let count = grequests::blocking::imap((0..4).map(|_| client.get(server.url("/get")))).count();
    assert_eq!(count, 4);
}

#[tokio::test]
async fn module_level_verbs_share_one_pool_and_keep_no_cookies() {
    let server = server().await;
    let set = grequests::get(server.url("/cookies/set?k=v"))
        .send()
        .await
        .unwrap();
    // Within one redirect chain the cookie is carried, as with requests' per-call session…
    assert_eq!(crate::support::json(&set)["cookies"]["k"], "v");
    // …but the shared client keeps no jar between calls.
    let later = grequests::get(server.url("/cookies")).send().await.unwrap();
    assert_eq!(
        crate::support::json(&later)["cookies"],
        serde_json::json!({})
    );
    let ua = grequests::get(server.url("/user-agent"))
        .send()
        .await
        .unwrap();
    assert!(crate::support::json(&ua)["user-agent"]
        .as_str()
        .unwrap()
        .starts_with("grequests-rs/"));
}

#[test]
fn blocking_imap_keeps_reading_while_the_consumer_is_busy() {
    // The first response arrives after 0.1 s, the others after 0.4 s, while the consumer
    // sleeps 1.5 s. Were the runtime driven only inside `next()`, those responses and
    // their expired 1 s read timeouts would race at the next poll, and some would fail.
    let server = grequests_testserver::TestServer::builder()
        .spawn_thread()
        .unwrap();
    let client = client();
    let requests: Vec<_> = ["/delay/0.1", "/delay/0.4", "/delay/0.4", "/delay/0.4"]
        .iter()
        .map(|path| {
            client
                .get(server.url(path))
                .read_timeout(Duration::from_secs(1))
        })
        .collect();
    let mut results = grequests::blocking::try_imap(requests).size(4);
    let first = results.next().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let rest: Vec<_> = results.collect();
    assert!(first.is_ok());
    assert_eq!(rest.len(), 3);
    for result in rest {
        assert!(result.is_ok(), "{:?}", result.err());
    }
}
