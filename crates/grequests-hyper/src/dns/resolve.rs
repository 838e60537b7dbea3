//! [`Resolve`]: the trait a name resolver implements to plug into the transport, and
//! [`SystemResolver`], the default (`getaddrinfo` on a blocking thread).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use tower_service::Service;

/// A boxed error from a resolver.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What [`Resolve::resolve`] returns: the addresses of a host (any port; the URL's replaces
/// it).
pub type Resolving = Pin<Box<dyn Future<Output = Result<Vec<SocketAddr>, BoxError>> + Send>>;

/// Resolves host names for the transport's connections, e.g. a caching resolver for a crawl
/// ([`CachingResolver`](crate::CachingResolver)), or hickory's.
///
/// The client's overrides ([`resolve`](crate::HyperTransportBuilder::resolve)) and names
/// under `.invalid` are answered before a resolver is asked.
///
/// ```
/// use std::net::SocketAddr;
/// use grequests_hyper::{Resolve, Resolving};
///
/// /// Sends every name to one address.
/// struct Everywhere(SocketAddr);
///
/// impl Resolve for Everywhere {
///     fn resolve(&self, _host: &str) -> Resolving {
///         let addr = self.0;
///         Box::pin(async move { Ok(vec![addr]) })
///     }
/// }
/// ```
pub trait Resolve: Send + Sync + 'static {
    /// The addresses of `host`, a name (never an IP literal).
    fn resolve(&self, host: &str) -> Resolving;
}

/// The operating system's resolver: `getaddrinfo`, on tokio's blocking threads.
#[derive(Debug, Clone)]
pub struct SystemResolver {
    gai: GaiResolver,
}

impl SystemResolver {
    /// The system resolver.
    pub fn new() -> Self {
        SystemResolver {
            gai: GaiResolver::new(),
        }
    }
}

impl Default for SystemResolver {
    fn default() -> Self {
        Self::new()
    }
}

impl Resolve for SystemResolver {
    fn resolve(&self, host: &str) -> Resolving {
        let mut gai = self.gai.clone();
        let name: Result<Name, _> = host.parse();
        Box::pin(async move {
            let addrs = gai.call(name?).await?;
            Ok(addrs.collect())
        })
    }
}
