//! A pluggable resolver, and the caching one a crawl over many hosts wants: resolver calls
//! counted for a batch over many names on the embedded server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use grequests::{CachingResolver, Client, Resolve, Resolving};

use crate::support::server;

/// Answers 127.0.0.1 for every name and counts the questions.
#[derive(Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl Resolve for Counting {
    fn resolve(&self, host: &str) -> Resolving {
        self.0.fetch_add(1, Ordering::SeqCst);
        let known = host.ends_with(".test");
        Box::pin(async move {
            if known {
                Ok(vec![SocketAddr::from(([127, 0, 0, 1], 0))])
            } else {
                Err("unknown name".into())
            }
        })
    }
}

/// Sends `per_host` requests to each of `hosts` names, host after host (as a crawl of
/// each site's pages goes), 50 at a time: requests to one host run side by side, each on a
/// connection of its own, and each new connection asks the resolver unless it caches.
async fn crawl(client: &Client, port: u16, hosts: usize, per_host: usize) -> usize {
    let urls = (0..hosts * per_host).map(|i| format!("http://h{}.test:{port}/get", i / per_host));
    let results = grequests::try_map(urls.map(|u| client.get(u)))
        .size(50)
        .await;
    let failed: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| format!("{e:#}")))
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed, e.g. {:?}",
        failed.len(),
        &failed[..failed.len().min(3)]
    );
    results.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caching_resolver_asks_once_per_host() {
    let server = server().await;
    let port = server.addr().port();
    let plain = Counting::default();
    let client = Client::builder()
        .no_proxies()
        .dns_resolver(plain.clone())
        .build()
        .unwrap();
    crawl(&client, port, 200, 10).await;
    let uncached = plain.0.load(Ordering::SeqCst);
    // Its idle connections (and their other ends, in this process) would count against
    // the second crawl's descriptors.
    drop(client);

    let counted = Counting::default();
    let cached = CachingResolver::new(counted.clone(), Duration::from_secs(60));
    let client = Client::builder()
        .no_proxies()
        .dns_resolver(cached)
        .build()
        .unwrap();
    crawl(&client, port, 200, 10).await;
    let calls = counted.0.load(Ordering::SeqCst);
    println!("2 000 requests over 200 hosts: {uncached} resolver calls uncached, {calls} cached");
    assert_eq!(calls, 200);
    assert!(uncached >= 1000, "{uncached} uncached calls");
}

#[tokio::test]
async fn a_custom_resolver_failure_is_a_dns_error_and_overrides_come_first() {
    let server = server().await;
    let counted = Counting::default();
    let client = Client::builder()
        .no_proxies()
        .dns_resolver(counted.clone())
        .resolve("pinned.example", SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()
        .unwrap();
    let err = client
        .get("http://unknown.example/")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_dns(), "{err}");
    let pinned = format!("http://pinned.example:{}/get", server.addr().port());
    assert_eq!(client.get(&pinned).send().await.unwrap().status(), 200);
    assert!(client
        .get("http://gone.invalid/")
        .send()
        .await
        .unwrap_err()
        .is_dns());
    assert_eq!(
        counted.0.load(Ordering::SeqCst),
        1,
        "only unknown.example was asked"
    );
}

/// The figure for the notes: `cargo test --release -p grequests-tests --test e2e
/// dns::crawl_figures -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, run by hand"]
async fn crawl_figures() {
    let server = server().await;
    let port = server.addr().port();
    for cache in [false, true] {
        let counted = Counting::default();
        // A crawl keeps few idle connections per host: 2 000 hosts times 50 would be
        // 100 000 open sockets.
        let builder = Client::builder().no_proxies().pool_max_idle_per_host(2);
        let builder = if cache {
            builder.dns_resolver(CachingResolver::new(
                counted.clone(),
                Duration::from_secs(60),
            ))
        } else {
            builder.dns_resolver(counted.clone())
        };
        let client = builder.build().unwrap();
        let started = std::time::Instant::now();
        let n = crawl(&client, port, 2000, 50).await;
        println!(
            "{n} requests over 2 000 hosts, cache {cache}: {} resolver calls, {} new connections so far, {:?}",
            counted.0.load(Ordering::SeqCst),
            server.connections_accepted(),
            started.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hickory_caches_each_answer_for_its_ttl() {
    let server = server().await;
    let dns = grequests_testserver::TestDns::start(1).await.unwrap();
    let client = Client::builder()
        .no_proxies()
        // No idle connection kept: every request connects, and so resolves.
        .pool_max_idle_per_host(0)
        .dns_resolver(grequests::HickoryResolver::with_name_servers(&[dns.addr()]).unwrap())
        .build()
        .unwrap();
    let url = format!("http://cached.test:{}/get", server.addr().port());
    for _ in 0..5 {
        assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    }
    assert_eq!(
        dns.a_queries(),
        1,
        "five connections within the TTL, one query"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    assert_eq!(dns.a_queries(), 2, "the answer expired with its TTL of 1 s");
    let err = client
        .get("http://unknown.example/")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_dns(), "{err}");
}
