//! The README's demo: starts the embedded httpbin on a loopback port and runs every example
//! of grequests' README against it, printing what grequests prints. No network needed.
//!
//! `cargo run --example readme`

use std::time::Duration;

use grequests::{blocking, FailedRequest, Response};
use grequests_testserver::TestServer;

/// Prints results the way Python prints a list: `[<Response [200]>, None]`.
fn show(results: &[Option<Response>]) -> String {
    let items: Vec<String> = results
        .iter()
        .map(|r| match r {
            Some(response) => format!("{response:?}"),
            None => "None".to_owned(),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn main() -> std::io::Result<()> {
    let server = TestServer::builder().threads(1).spawn_thread()?;
    println!("embedded httpbin at {}\n", server.base_url());

    println!("## Usage");
    // The seed's six sites, served locally; `fakedomain.invalid` never resolves (RFC 6761).
    let urls = [
        server.url("/anything/heroku"),
        server.url("/anything/python-tablib"),
        server.url("/get"),
        server.url("/anything/python-requests"),
        "http://fakedomain.invalid/".to_owned(),
        server.url("/anything/kennethreitz"),
    ];
    let rs = urls.iter().map(grequests::get);
    println!(">>> grequests.map(rs)");
    println!("{}\n", show(&blocking::map(rs).run()));

    println!("## Error Handling");
    let exception_handler = |_request: &FailedRequest, _error: grequests::Error| {
        println!("Request failed");
        None
    };
    let reqs = vec![
        grequests::get(server.url("/delay/1")).timeout(Duration::from_millis(1)),
        grequests::get("http://fakedomain.invalid/"),
        grequests::get(server.url("/status/500")),
    ];
    println!(">>> grequests.map(reqs, exception_handler=exception_handler)");
    let results = blocking::map(reqs)
        .exception_handler(exception_handler)
        .run();
    println!("{}\n", show(&results));

    println!("## imap");
    let reqs = vec![
        grequests::get(server.url("/delay/0.3")),
        grequests::get(server.url("/delay/0.1")),
        grequests::get("http://fakedomain.invalid/"),
        grequests::get(server.url("/delay/0.2")),
    ];
    println!(">>> for resp in grequests.imap(reqs, size=10): print(resp)");
    for resp in blocking::imap(reqs).size(10) {
        println!("{resp:?} {}", resp.url().path());
    }
    println!();

    println!("## imap_enumerated");
    let rs: Vec<_> = (200..206)
        .map(|code| grequests::get(server.url(&format!("/status/{code}"))))
        .collect();
    println!(
        ">>> for index, response in grequests.imap_enumerated(rs, size=5): print(index, response)"
    );
    for (index, response) in blocking::imap_enumerated(rs).size(5) {
        match response {
            Some(response) => println!("{index} {response:?}"),
            None => println!("{index} None"),
        }
    }
    Ok(())
}
