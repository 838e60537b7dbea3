//! SOCKS proxies on hyper-util's handshakes: `socks5h` and `socks4a` let the proxy resolve
//! the target's name; `socks5` and `socks4` resolve it here, through the client's resolver
//! and its overrides (hyper-util's own local resolution would block a thread on
//! `getaddrinfo`).

use http::uri::{Authority, Scheme};
use http::Uri;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::proxy::{SocksV4, SocksV5};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Intercept;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use super::proxy::ProxyError;
use super::BoxError;
use crate::dns::Resolver;

/// The port of a SOCKS proxy whose URL names none.
const DEFAULT_SOCKS_PORT: u16 = 1080;

pub(crate) fn is_socks(proxy: &Uri) -> bool {
    matches!(
        proxy.scheme_str(),
        Some("socks5" | "socks5h" | "socks4" | "socks4a")
    )
}

/// One connection to make through a SOCKS proxy.
pub(crate) struct Socks {
    proxy: Uri,
    auth: Option<(String, String)>,
    http: HttpConnector<Resolver>,
    resolver: Resolver,
}

impl Socks {
    pub(crate) fn new(
        proxy: &Intercept,
        http: HttpConnector<Resolver>,
        resolver: Resolver,
    ) -> Self {
        Socks {
            proxy: with_default_port(proxy.uri()),
            auth: proxy
                .raw_auth()
                .map(|(user, pass)| (user.to_owned(), pass.to_owned())),
            http,
            resolver,
        }
    }

    /// A TCP stream to `dst` through the proxy, the handshake done.
    pub(crate) async fn connect(self, dst: Uri) -> Result<TokioIo<TcpStream>, BoxError> {
        let scheme = self.proxy.scheme_str().unwrap_or("").to_owned();
        let remote_dns = matches!(scheme.as_str(), "socks5h" | "socks4a");
        let dst = explicit_port(&dst)?;
        let dst = if remote_dns {
            dst
        } else {
            resolved(self.resolver, dst).await?
        };
        let proxy = self.proxy;
        let handshake = if scheme.starts_with("socks5") {
            let mut socks = SocksV5::new(proxy.clone(), self.http);
            if let Some((user, pass)) = self.auth {
                socks = socks.with_auth(user, pass);
            }
            socks.call(dst).await.map_err(BoxError::from)
        } else {
            SocksV4::new(proxy.clone(), self.http)
                .call(dst)
                .await
                .map_err(BoxError::from)
        };
        handshake.map_err(|e| Box::new(ProxyError::new(&proxy, e)) as BoxError)
    }
}

fn with_default_port(proxy: &Uri) -> Uri {
    if proxy.port().is_some() {
        return proxy.clone();
    }
    let host = proxy.host().unwrap_or_default();
    let scheme = proxy.scheme_str().unwrap_or("socks5");
    format!("{scheme}://{host}:{DEFAULT_SOCKS_PORT}")
        .parse()
        .unwrap_or_else(|_| proxy.clone())
}

/// `dst` with its port written out: hyper-util's handshake takes 443 for a URI without one.
fn explicit_port(dst: &Uri) -> Result<Uri, BoxError> {
    if dst.port().is_some() {
        return Ok(dst.clone());
    }
    let port = if dst.scheme() == Some(&Scheme::HTTPS) {
        443
    } else {
        80
    };
    let host = dst.host().ok_or("a URL without a host")?;
    let authority: Authority = format!("{host}:{port}").parse()?;
    let mut parts = dst.clone().into_parts();
    parts.authority = Some(authority);
    Ok(Uri::from_parts(parts)?)
}

/// `dst` with its host replaced by the first address the client's resolver gives for it.
async fn resolved(mut resolver: Resolver, dst: Uri) -> Result<Uri, BoxError> {
    let host = dst.host().ok_or("a URL without a host")?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return Ok(dst);
    }
    let name: Name = bare.parse()?;
    let addr = resolver.call(name).await?.next().ok_or("no address")?;
    let port = dst.port_u16().unwrap_or(addr.port());
    let authority: Authority = std::net::SocketAddr::new(addr.ip(), port)
        .to_string()
        .parse()?;
    let mut parts = dst.into_parts();
    parts.authority = Some(authority);
    Ok(Uri::from_parts(parts)?)
}
