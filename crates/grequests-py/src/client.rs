//! [`NativeClient`]: one connection pool with its TLS, proxy and DNS settings, and the cookie
//! jar of a `grequests_rs.Session`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use grequests_core::{redirect, Client, ConnectionBudget, Error, Input, Url};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::error;
use crate::runtime;

/// A client of the engine: the Python package makes one per session and per distinct
/// `verify`/`cert`/`proxies` combination.
#[pyclass(frozen, module = "grequests_rs._native")]
pub(crate) struct NativeClient {
    client: Client,
    /// The process that made it: its pool's connections are tasks of that process's
    /// runtime, which a child made by `os.fork()` does not run.
    pid: u32,
}

impl NativeClient {
    /// The engine client, unless this process is a fork of the one that made it.
    pub(crate) fn client(&self) -> PyResult<&Client> {
        if self.pid != std::process::id() {
            return Err(PyRuntimeError::new_err(
                "this grequests_rs Session was made before os.fork(): its connections belong to the parent process; make a new Session in the child",
            ));
        }
        Ok(&self.client)
    }
}

/// The engine's low-speed guard as `(bytes, seconds)`, the form the package takes it in.
pub(crate) fn default_low_speed_limit() -> (u64, f64) {
    let limit = grequests_core::LowSpeedLimit::default();
    (limit.bytes(), limit.window().as_secs_f64())
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (
        *, cookies = true, verify = true, ca_file = None, cert = None, key = None,
        proxies = None, trust_env = true, max_redirects = 30, resolve = None,
        pool_idle_timeout = None, max_body_size = Some(grequests_core::limits::DEFAULT_MAX_BODY_SIZE),
        pool_maxsize = grequests_core::DEFAULT_MAX_IDLE_PER_HOST,
        pool_max_idle = grequests_core::DEFAULT_MAX_IDLE, budget = None,
        max_connections_per_host = None,
        low_speed_limit = Some(default_low_speed_limit()),
        max_decompression_ratio = grequests_core::DecodeLimits::default().max_ratio,
        max_decoded_body_size = grequests_core::DecodeLimits::default().max_decoded_size,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        cookies: bool,
        verify: bool,
        ca_file: Option<String>,
        cert: Option<String>,
        key: Option<String>,
        proxies: Option<HashMap<String, String>>,
        trust_env: bool,
        max_redirects: usize,
        resolve: Option<HashMap<String, Option<String>>>,
        pool_idle_timeout: Option<f64>,
        max_body_size: Option<u64>,
        pool_maxsize: usize,
        pool_max_idle: usize,
        budget: Option<PyRef<'_, NativeBudget>>,
        max_connections_per_host: Option<usize>,
        low_speed_limit: Option<(u64, f64)>,
        max_decompression_ratio: Option<u32>,
        max_decoded_body_size: Option<u64>,
    ) -> PyResult<Self> {
        let low_speed_limit = match low_speed_limit {
            None => None,
            Some((bytes, seconds)) => {
                let window = Duration::try_from_secs_f64(seconds).map_err(|_| {
                    PyValueError::new_err(format!(
                        "low_speed_limit: {seconds} is not a number of seconds"
                    ))
                })?;
                Some(grequests_core::LowSpeedLimit::new(bytes, window))
            }
        };
        let mut builder = Client::builder()
            .low_speed_limit(low_speed_limit)
            .max_decompression_ratio(max_decompression_ratio)
            .max_decoded_body_size(max_decoded_body_size)
            .pool_max_idle_per_host(pool_maxsize)
            .pool_max_idle(pool_max_idle)
            .cookie_store(cookies)
            .max_body_size(max_body_size)
            .redirect(redirect::Policy::limited(max_redirects))
            .danger_accept_invalid_certs(!verify);
        if let Some(path) = ca_file {
            let pem = read(&path, "a suitable TLS CA certificate bundle")?;
            builder = builder
                .add_root_certificate_pem(&pem)
                .tls_built_in_root_certs(false);
        }
        if let Some(cert) = cert {
            let chain = read(&cert, "the TLS certificate file")?;
            let key = match key {
                Some(key) => read(&key, "the TLS key file")?,
                None => chain.clone(),
            };
            builder = builder.identity_pem(&chain, &key);
        }
        let proxies = proxies.unwrap_or_default();
        if proxies.is_empty() && !trust_env {
            builder = builder.no_proxies();
        }
        for (scheme, url) in &proxies {
            builder = match scheme.as_str() {
                "http" => builder.proxy_http(url),
                "https" => builder.proxy_https(url),
                "all" => builder.proxy_all(url),
                "no_proxy" => builder.no_proxy(url),
                // requests also takes `scheme://host` keys; they are not supported here.
                other => {
                    return Err(PyValueError::new_err(format!(
                    "proxies: unsupported key {other:?} (use 'http', 'https', 'all' or 'no_proxy')"
                )))
                }
            };
        }
        for (host, to) in resolve.unwrap_or_default() {
            builder = match to {
                None => builder.resolve_nowhere(&host),
                Some(addr) => {
                    let addr: SocketAddr = addr.parse().map_err(|_| {
                        PyValueError::new_err(format!("resolve: {addr:?} is not an ip:port"))
                    })?;
                    builder.resolve(&host, addr)
                }
            };
        }
        if let Some(max) = max_connections_per_host {
            builder = builder.max_connections_per_host(max);
        }
        if let Some(budget) = budget {
            builder = builder.connection_budget(budget.0.clone());
        }
        if let Some(seconds) = pool_idle_timeout {
            builder = builder.pool_idle_timeout(Duration::try_from_secs_f64(seconds).ok());
        }
        // The pool's timers and DNS tasks belong to the shared runtime.
        let client = runtime::enter(|| builder.build())?.map_err(|err| error::raise(&err))?;
        Ok(NativeClient {
            client,
            pid: std::process::id(),
        })
    }

    /// The session's cookies: `(name, value, domain, path, secure)` each.
    fn cookies(&self) -> Vec<(String, String, String, String, bool)> {
        self.client
            .cookie_jar()
            .map(|jar| {
                jar.all()
                    .into_iter()
                    .map(|c| (c.name, c.value, c.domain, c.path, c.secure))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the pool holds now.
    fn pool_status(&self) -> PoolStatus {
        PoolStatus::from(self.client.pool_status().unwrap_or_default())
    }

    /// Stores a cookie as if `url` had sent `Set-Cookie: {set_cookie}`.
    fn set_cookie(&self, set_cookie: &str, url: &str) -> PyResult<()> {
        let url = Url::parse(url).map_err(|err| PyValueError::new_err(err.to_string()))?;
        if let Some(jar) = self.client.cookie_jar() {
            jar.add(set_cookie, &url);
        }
        Ok(())
    }
}

/// A connection budget that the clients given it share (a Session's `max_connections`).
#[pyclass(frozen, module = "grequests_rs._native")]
pub(crate) struct NativeBudget(ConnectionBudget);

#[pymethods]
impl NativeBudget {
    /// A budget of `max` connections; `None`: the process's default one.
    #[new]
    #[pyo3(signature = (max = None))]
    fn new(max: Option<usize>) -> Self {
        NativeBudget(max.map_or_else(ConnectionBudget::process_default, ConnectionBudget::new))
    }

    /// The most connections open at once.
    #[getter]
    fn max(&self) -> usize {
        self.0.max()
    }

    /// Connections open now under it.
    #[getter]
    fn open(&self) -> usize {
        self.0.open()
    }
}

/// A snapshot of a client's pool, as a named structure for Python.
#[pyclass(frozen, get_all, module = "grequests_rs._native")]
pub(crate) struct PoolStatus {
    open: usize,
    idle: usize,
    in_use: usize,
    waiting: usize,
    budget: usize,
    budget_open: usize,
}

impl From<grequests_core::PoolStatus> for PoolStatus {
    fn from(status: grequests_core::PoolStatus) -> Self {
        PoolStatus {
            open: status.open,
            idle: status.idle,
            in_use: status.in_use,
            waiting: status.waiting,
            budget: status.budget,
            budget_open: status.budget_open,
        }
    }
}

#[pymethods]
impl PoolStatus {
    fn __repr__(&self) -> String {
        format!(
            "PoolStatus(open={}, idle={}, in_use={}, waiting={}, budget={}, budget_open={})",
            self.open, self.idle, self.in_use, self.waiting, self.budget, self.budget_open
        )
    }
}

/// The content of a TLS file, or a builder error about [`Input::Tls`] in requests' words
/// (`what`: "the TLS key file"), its cause the I/O error.
fn read(path: &str, what: &str) -> PyResult<Vec<u8>> {
    std::fs::read(path).map_err(|err| {
        let err = Error::invalid(Input::Tls, err)
            .with_context(format!("Could not find {what}, invalid path: {path}"));
        error::raise(&err)
    })
}
