//! Name resolution: a pluggable [`Resolve`]r (by default the system's behind a short cache),
//! behind the per-client overrides and RFC 6761's `.invalid` names, answered locally.

mod cache;
#[cfg(feature = "hickory")]
mod hickory;
mod resolve;

pub use cache::{CachingResolver, DEFAULT_DNS_CACHE_HOSTS, DEFAULT_DNS_TTL};
#[cfg(feature = "hickory")]
pub use hickory::HickoryResolver;
pub use resolve::{Resolve, Resolving, SystemResolver};

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::Name;
use tower_service::Service;

/// A name that did not resolve. The transport reports it as a
/// [DNS error](grequests_transport::Error::is_dns).
#[derive(Debug)]
pub struct DnsError {
    host: String,
    reason: String,
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "failed to resolve {:?}: {}", self.host, self.reason)
    }
}

impl std::error::Error for DnsError {}

/// Resolves names for the connector.
///
/// Overrides (the client's DNS override hook, like reqwest's `resolve`) answer first, so a
/// test can point `a.test` and `b.test` at one loopback server. Names under `.invalid`
/// fail at once without asking the system resolver, as RFC 6761 §6.4 asks of resolver
/// libraries; everything else goes to `getaddrinfo` on a blocking thread.
#[derive(Clone)]
pub(crate) struct Resolver {
    overrides: Arc<HashMap<String, Vec<SocketAddr>>>,
    inner: Arc<dyn Resolve>,
}

impl Resolver {
    pub(crate) fn new(
        overrides: HashMap<String, Vec<SocketAddr>>,
        inner: Arc<dyn Resolve>,
    ) -> Self {
        Resolver {
            overrides: Arc::new(overrides),
            inner,
        }
    }
}

type Addrs = std::vec::IntoIter<SocketAddr>;
type Looking = Pin<Box<dyn Future<Output = Result<Addrs, DnsError>> + Send>>;

impl Service<Name> for Resolver {
    type Response = Addrs;
    type Error = DnsError;
    type Future = Looking;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), DnsError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Looking {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        if let Some(addrs) = self.overrides.get(&host) {
            let addrs = addrs.clone();
            return Box::pin(async move {
                if addrs.is_empty() {
                    Err(DnsError {
                        host,
                        reason: "no address (client DNS override)".into(),
                    })
                } else {
                    Ok(addrs.into_iter())
                }
            });
        }
        if host == "invalid" || host.ends_with(".invalid") {
            return Box::pin(async move {
                Err(DnsError {
                    host,
                    reason: "names under .invalid never resolve (RFC 6761)".into(),
                })
            });
        }
        let lookup = self.inner.resolve(&host);
        Box::pin(async move {
            match lookup.await {
                Ok(addrs) if addrs.is_empty() => Err(DnsError {
                    host,
                    reason: "no addresses".into(),
                }),
                Ok(addrs) => Ok(addrs.into_iter()),
                Err(e) => Err(DnsError {
                    host,
                    reason: e.to_string(),
                }),
            }
        })
    }
}
