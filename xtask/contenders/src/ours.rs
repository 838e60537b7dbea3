//! grequests' own contenders.

use futures_util::StreamExt;
use grequests::mock::{MockTransport, Reply, Route};
use grequests::tower::TowerTransport;
use grequests::{Client, HyperTransport};

use crate::args::Args;

fn client(args: &Args) -> Result<Client, String> {
    let mut builder = Client::builder().no_proxies();
    if args.h2c {
        builder = builder.http2_prior_knowledge();
    }
    if let Some(pem) = args.ca_pem()? {
        builder = builder.add_root_certificate_pem(&pem);
    }
    builder.build().map_err(|e| e.to_string())
}

fn requests<'a>(client: &'a Client, args: &'a Args) -> impl Iterator<Item = grequests::RequestBuilder> + 'a {
    (0..args.requests).map(move |i| match args.urls.get(i) {
        Some(url) => client.get(url.as_str()),
        None => client.get(args.url.as_str()),
    })
}

pub async fn map(args: &Args) -> Result<usize, String> {
    let client = client(args)?;
    let responses = grequests::map(requests(&client, args)).size(args.size).await;
    Ok(responses.into_iter().flatten().count())
}

pub async fn imap(args: &Args) -> Result<usize, String> {
    let client = client(args)?;
    Ok(grequests::imap(requests(&client, args)).size(args.size).count().await)
}

pub fn blocking_map(args: &Args) -> Result<usize, String> {
    let client = client(args)?;
    let responses = grequests::blocking::map(requests(&client, args)).size(args.size).run();
    Ok(responses.into_iter().flatten().count())
}

pub async fn tower_map(args: &Args) -> Result<usize, String> {
    let mut hyper = HyperTransport::builder().no_proxies();
    if args.h2c {
        hyper = hyper.http2_prior_knowledge();
    }
    let transport = TowerTransport::builder()
        .transport(hyper.build().map_err(|e| e.to_string())?)
        .build()
        .map_err(|e| e.to_string())?;
    let client = Client::with_transport(transport);
    let responses = grequests::map(requests(&client, args)).size(args.size).await;
    Ok(responses.into_iter().flatten().count())
}

fn mock_client() -> Client {
    let mock = MockTransport::new();
    mock.record_requests(false);
    mock.route(Route::any()).reply(Reply::ok().body("Hello, World!"));
    Client::with_transport(mock)
}

/// The scheduler and model alone: `map` over the mock.
pub async fn mock_map(args: &Args) -> Result<usize, String> {
    let client = mock_client();
    let responses = grequests::map(requests(&client, args)).size(args.size).await;
    Ok(responses.into_iter().flatten().count())
}

/// `imap` over a lazily generated batch on the mock: its peak memory must not grow with N.
pub async fn mock_imap(args: &Args) -> Result<usize, String> {
    let client = mock_client();
    Ok(grequests::imap(requests(&client, args)).size(args.size).count().await)
}
