use std::time::Instant;

use crate::support::{client, outcome, server};

#[tokio::test]
async fn explore() {
    let server = server().await;
    let client = client();
    for (path, _) in grequests_testserver::HOSTILE_PATHS {
        let path = path.replace("{n}", "100");
        let started = Instant::now();
        let result = client.get(server.url(&path)).send().await;
        let detail = match &result { Ok(r) => format!("len {:?}", r.bytes().map(|b| b.len())), Err(e) => e.to_string() };
        println!("{path:28} {:8} {:>6} ms  {}", outcome(&result), started.elapsed().as_millis(), &detail[..detail.len().min(160)]);
    }
}
