//! [`TestProxy`]: an HTTP proxy on a loopback port, for testing clients' proxy support. It
//! tunnels `CONNECT` (https) and forwards absolute-form requests (http), and records what
//! it was asked, credentials included.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::routes::{body, empty, ServerBody};

/// One request a proxy received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxiedRequest {
    /// `CONNECT` for a tunnel, else the forwarded method.
    pub method: String,
    /// `host:port` for a tunnel, else the absolute URL.
    pub target: String,
    /// The `Proxy-Authorization` header the proxy saw, if any.
    pub proxy_authorization: Option<String>,
}

/// A running proxy. Dropping it stops it.
pub struct TestProxy {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<ProxiedRequest>>>,
    task: JoinHandle<()>,
}

impl TestProxy {
    /// Starts a proxy that lets everyone through.
    pub async fn start() -> io::Result<TestProxy> {
        Self::start_with_auth(None).await
    }

    /// Starts a proxy that answers 407 unless given these basic credentials.
    pub async fn start_with_auth(credentials: Option<(&str, &str)>) -> io::Result<TestProxy> {
        let expected = credentials.map(|(user, pass)| {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            format!("Basic {token}")
        });
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(accept(listener, log.clone(), expected.map(Arc::from)));
        Ok(TestProxy { addr, log, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The proxy URL with credentials in it, as clients are configured.
    pub fn url_with_credentials(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@{}", self.addr)
    }

    /// What the proxy was asked so far.
    pub fn requests(&self) -> Vec<ProxiedRequest> {
        self.log.lock().map(|log| log.clone()).unwrap_or_default()
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for TestProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestProxy")
            .field("addr", &self.addr)
            .finish()
    }
}

type Log = Arc<Mutex<Vec<ProxiedRequest>>>;

async fn accept(listener: TcpListener, log: Log, expected: Option<Arc<str>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let (log, expected) = (log.clone(), expected.clone());
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        handle(request, log.clone(), expected.clone())
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(
    mut request: hyper::Request<Incoming>,
    log: Log,
    expected: Option<Arc<str>>,
) -> Result<http::Response<ServerBody>, Infallible> {
    let auth = request
        .headers()
        .get(http::header::PROXY_AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let target = if request.method() == Method::CONNECT {
        request
            .uri()
            .authority()
            .map(|a| a.to_string())
            .unwrap_or_default()
    } else {
        request.uri().to_string()
    };
    if let Ok(mut log) = log.lock() {
        log.push(ProxiedRequest {
            method: request.method().to_string(),
            target: target.clone(),
            proxy_authorization: auth.clone(),
        });
    }
    if let Some(expected) = expected {
        if auth.as_deref() != Some(&*expected) {
            let mut response = empty(StatusCode::PROXY_AUTHENTICATION_REQUIRED);
            response.headers_mut().insert(
                http::header::PROXY_AUTHENTICATE,
                http::HeaderValue::from_static("Basic realm=\"test proxy\""),
            );
            return Ok(response);
        }
    }
    if request.method() == Method::CONNECT {
        let Ok(mut upstream) = TcpStream::connect(&target).await else {
            return Ok(empty(StatusCode::BAD_GATEWAY));
        };
        tokio::spawn(async move {
            if let Ok(upgraded) = hyper::upgrade::on(&mut request).await {
                let mut client = TokioIo::new(upgraded);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
        });
        return Ok(empty(StatusCode::OK));
    }
    Ok(forward(request)
        .await
        .unwrap_or_else(|| empty(StatusCode::BAD_GATEWAY)))
}

/// Forwards an absolute-form request to its origin and relays the answer.
async fn forward(request: hyper::Request<Incoming>) -> Option<http::Response<ServerBody>> {
    let authority = request.uri().authority()?.to_string();
    let upstream = TcpStream::connect(&authority).await.ok()?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake::<_, Incoming>(TokioIo::new(upstream))
            .await
            .ok()?;
    tokio::spawn(connection);
    let (mut parts, incoming) = request.into_parts();
    parts.headers.remove(http::header::PROXY_AUTHORIZATION);
    let response = sender
        .send_request(hyper::Request::from_parts(parts, incoming))
        .await
        .ok()?;
    let (parts, incoming) = response.into_parts();
    let bytes: Bytes = incoming.collect().await.ok()?.to_bytes();
    Some(http::Response::from_parts(parts, body(bytes)))
}
