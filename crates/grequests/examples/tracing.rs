//! What grequests tells a `tracing` subscriber (feature `tracing`, on by default), against the
//! embedded httpbin: `cargo run --example tracing`. Set `RUST_LOG` to change what shows, e.g.
//! `RUST_LOG=grequests=debug,grequests_hyper=debug`.

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("grequests_core=debug,grequests_hyper=debug,grequests_tower=debug")
    });
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let server = grequests_testserver::TestServer::start().await?;
    let client = grequests::Client::builder()
        .no_proxies()
        .build()
        .map_err(std::io::Error::other)?;
    let requests = [
        // Credentials and query values never reach the log.
        client
            .get(server.url("/redirect/2?token=s3cret"))
            .basic_auth("user", Some("pw")),
        client.get(server.url("/status/503")),
        client.get("http://nowhere.invalid/"),
    ];
    let responses = grequests::map(requests).size(2).await;
    println!("{responses:?}");
    Ok(())
}
