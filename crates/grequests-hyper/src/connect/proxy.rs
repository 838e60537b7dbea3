//! TCP connections, direct, through an HTTP proxy, or through a SOCKS proxy (`socks5`,
//! `socks5h`, `socks4`, `socks4a`; hyper-util's handshakes).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::uri::Scheme;
use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use super::socks;
use super::BoxError;
use crate::dns::Resolver;

/// Opens TCP connections, to the server or to the proxy the matcher picks for it.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector<Resolver>,
    /// For `socks5://` and `socks4://`, which resolve the target here (through the
    /// client's overrides) and hand the proxy an address.
    resolver: Resolver,
    proxies: Option<Arc<Matcher>>,
}

impl ProxyConnector {
    pub(crate) fn new(
        http: HttpConnector<Resolver>,
        resolver: Resolver,
        proxies: Option<Arc<Matcher>>,
    ) -> Self {
        ProxyConnector {
            http,
            resolver,
            proxies,
        }
    }
}

impl Service<Uri> for ProxyConnector {
    type Response = Conn;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // HttpConnector is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let mut http = self.http.clone();
        let intercept = self.proxies.as_ref().and_then(|m| m.intercept(&dst));
        match intercept {
            None => Box::pin(async move {
                let io = http.call(dst).await?;
                Ok(Conn { io, proxied: false })
            }),
            Some(proxy) if socks::is_socks(proxy.uri()) => {
                let socks = socks::Socks::new(&proxy, http, self.resolver.clone());
                Box::pin(async move {
                    let io = socks.connect(dst).await?;
                    Ok(Conn { io, proxied: false })
                })
            }
            Some(proxy) if dst.scheme() == Some(&Scheme::HTTPS) => {
                let uri = proxy.uri().clone();
                let mut tunnel = Tunnel::new(uri.clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move {
                    let io = tunnel
                        .call(dst)
                        .await
                        .map_err(|e| ProxyError::new(&uri, e.into()))?;
                    Ok(Conn { io, proxied: false })
                })
            }
            Some(proxy) => {
                let uri = proxy.uri().clone();
                Box::pin(async move {
                    let io = http
                        .call(uri.clone())
                        .await
                        .map_err(|e| ProxyError::new(&uri, e.into()))?;
                    Ok(Conn { io, proxied: true })
                })
            }
        }
    }
}

/// The proxy could not be reached or refused the tunnel; names the proxy, never its
/// credentials.
#[derive(Debug)]
pub(crate) struct ProxyError {
    proxy: String,
    source: BoxError,
}

impl ProxyError {
    pub(crate) fn new(proxy: &Uri, source: BoxError) -> Self {
        let proxy = match (proxy.scheme_str(), proxy.host(), proxy.port_u16()) {
            (scheme, Some(host), port) => format!(
                "{}://{host}{}",
                scheme.unwrap_or("http"),
                port.map(|p| format!(":{p}")).unwrap_or_default()
            ),
            _ => "the proxy".to_owned(),
        };
        ProxyError { proxy, source }
    }
}

impl std::fmt::Display for ProxyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "proxy {} failed", self.proxy)
    }
}

impl std::error::Error for ProxyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// A TCP connection that knows whether it goes to a proxy: hyper then sends absolute-form
/// request targets on it.
#[derive(Debug)]
pub(crate) struct Conn {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl Read for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}
