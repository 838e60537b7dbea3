//! What users write without us: a hyper-util client or reqwest, driven by
//! `buffer_unordered(size)`.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{stream, StreamExt};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::connect::Connect;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::args::Args;

pub async fn bare_hyper(args: &Args) -> Result<usize, String> {
    let uri: http::Uri = args.url.parse().map_err(|e| format!("--url: {e}"))?;
    let mut builder = Client::builder(TokioExecutor::new());
    builder.http2_only(args.h2c);
    if uri.scheme_str() == Some("https") {
        let mut roots = rustls::RootCertStore::empty();
        if let Some(pem) = args.ca_pem()? {
            use rustls_pki_types::pem::PemObject;
            for cert in rustls_pki_types::CertificateDer::pem_slice_iter(&pem) {
                roots.add(cert.map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
            }
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_only()
            .enable_all_versions()
            .build();
        Ok(drive(builder.build(https), uri, args.requests, args.size).await)
    } else {
        Ok(drive(builder.build_http(), uri, args.requests, args.size).await)
    }
}

async fn drive<C>(client: Client<C, Empty<Bytes>>, uri: http::Uri, n: usize, size: usize) -> usize
where
    C: Connect + Clone + Send + Sync + 'static,
{
    stream::iter(0..n)
        .map(|_| {
            let (client, uri) = (client.clone(), uri.clone());
            async move {
                let response = client.get(uri).await.ok()?;
                let body = response.into_body().collect().await.ok()?;
                Some(body.to_bytes().len())
            }
        })
        .buffer_unordered(size)
        .filter(|r| std::future::ready(r.is_some()))
        .count()
        .await
}

pub async fn reqwest(args: &Args) -> Result<usize, String> {
    let mut builder = reqwest::Client::builder().no_proxy();
    if args.h2c {
        builder = builder.http2_prior_knowledge();
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let ok = stream::iter(0..args.requests)
        .map(|_| {
            let client = client.clone();
            let url = args.url.clone();
            async move { client.get(url).send().await.ok()?.bytes().await.ok() }
        })
        .buffer_unordered(args.size)
        .filter(|r| std::future::ready(r.is_some()))
        .count()
        .await;
    Ok(ok)
}
