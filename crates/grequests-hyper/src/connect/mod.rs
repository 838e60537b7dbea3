//! The connector stack: `Timed<HttpsConnector<ProxyConnector>>`.
//!
//! `ProxyConnector` opens the TCP connection (through the resolver), straight to the server
//! or to a proxy (HTTP CONNECT tunnel for https, absolute-form requests for http);
//! hyper-rustls' `HttpsConnector` adds TLS for https; `Timed` bounds all of it by the
//! request's connect timeout.

mod born;
mod proxy;
pub(crate) mod proxy_url;
mod slots;
mod socks;
pub(crate) mod timed;

pub(crate) use proxy::{ProxyConnector, ProxyError};
pub(crate) use slots::HostSlots;
pub use timed::ConnectTimeout;
pub(crate) use timed::{Accounting, ConnectScope, ConnectWatch, Timed, CONNECT_SCOPE};

/// The connector the pooled client uses.
pub(crate) type Connector = Timed<hyper_rustls::HttpsConnector<ProxyConnector>>;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
