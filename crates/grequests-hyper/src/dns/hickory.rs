//! [`HickoryResolver`] (feature `hickory`): hickory-resolver, which caches each answer for
//! the record's own TTL, as a [`Resolve`]r.

use std::net::SocketAddr;

use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::TokioResolver;

use super::resolve::{BoxError, Resolve, Resolving};

/// A resolver that speaks DNS itself (no `getaddrinfo`, no blocking thread per lookup) and
/// caches each answer for its TTL: for crawls over many hosts.
///
/// ```no_run
/// use grequests_hyper::{HickoryResolver, HyperTransport};
/// let transport = HyperTransport::builder()
///     .dns_resolver(HickoryResolver::from_system_conf()?)
///     .build()?;
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
#[derive(Clone)]
pub struct HickoryResolver {
    resolver: TokioResolver,
}

impl HickoryResolver {
    /// Name servers and options from the system's configuration (`/etc/resolv.conf`).
    pub fn from_system_conf() -> Result<Self, BoxError> {
        let resolver = TokioResolver::builder_tokio()?.build()?;
        Ok(HickoryResolver { resolver })
    }

    /// Asks these name servers, over UDP (e.g. a private DNS, or a test's).
    pub fn with_name_servers(servers: &[SocketAddr]) -> Result<Self, BoxError> {
        let name_servers = servers
            .iter()
            .map(|server| {
                let mut config = NameServerConfig::udp(server.ip());
                for connection in &mut config.connections {
                    connection.port = server.port();
                }
                config
            })
            .collect();
        let config = ResolverConfig::from_name_servers(name_servers);
        let resolver =
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default()).build()?;
        Ok(HickoryResolver { resolver })
    }
}

impl Resolve for HickoryResolver {
    fn resolve(&self, host: &str) -> Resolving {
        let resolver = self.resolver.clone();
        // A fully qualified name: no search domains are tried.
        let host = format!("{}.", host.trim_end_matches('.'));
        Box::pin(async move {
            let lookup = resolver.lookup_ip(host).await?;
            Ok(lookup.iter().map(|ip| SocketAddr::new(ip, 0)).collect())
        })
    }
}

impl std::fmt::Debug for HickoryResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HickoryResolver")
    }
}
