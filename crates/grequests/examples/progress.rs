//! A long batch with a progress bar (feature `progress-bar`), against the embedded httpbin:
//! `cargo run --example progress --features progress-bar`.

fn main() -> std::io::Result<()> {
    let server = grequests_testserver::TestServer::builder().spawn_thread()?;
    let requests = (0..3000).map(|i| {
        let path = if i % 100 == 99 {
            "/status/503".to_owned()
        } else {
            format!("/delay/0.0{}", i % 5)
        };
        grequests::get(server.url(&path))
    });
    let responses = grequests::blocking::map(requests)
        .size(50)
        .progress_bar()
        .run();
    let ok = responses.iter().flatten().filter(|r| r.ok()).count();
    println!("{ok} of {} responses were 2xx/3xx", responses.len());
    Ok(())
}
