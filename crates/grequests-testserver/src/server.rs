//! [`TestServer`]: start, address, shutdown.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use crate::request::{Echo, ServerState};
use crate::routes;
use crate::tls::TestCertificates;

/// Request bodies larger than this are refused (413).
const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;

/// A running server. Dropping it stops it and closes its connections.
pub struct TestServer {
    addr: SocketAddr,
    base_url: String,
    ca_pem: Option<String>,
    client_identity: Option<(String, String)>,
    state: Arc<ServerState>,
    running: Running,
}

enum Running {
    Task(JoinHandle<()>),
    Thread(
        Option<oneshot::Sender<()>>,
        Option<std::thread::JoinHandle<()>>,
    ),
}

/// Options for a [`TestServer`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct TestServerBuilder {
    tls: bool,
    client_auth: bool,
    tls12_only: bool,
    port: u16,
    threads: usize,
}

impl TestServerBuilder {
    /// Serves https with a certificate for `localhost` and `127.0.0.1` signed by a CA made
    /// at start-up (see [`TestServer::ca_pem`]).
    pub fn tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Requires clients to present a certificate (mutual TLS; implies `tls`). The server
    /// makes one its CA signed: [`TestServer::client_identity_pem`].
    pub fn client_auth(mut self, required: bool) -> Self {
        self.client_auth = required;
        self.tls |= required;
        self
    }

    /// Speaks TLS 1.2 and nothing newer (implies `tls`), for testing clients' minimum
    /// versions.
    pub fn tls12_only(mut self, only: bool) -> Self {
        self.tls12_only = only;
        self.tls |= only;
        self
    }

    /// A fixed port instead of an ephemeral one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Worker threads of the runtime [`spawn_thread`](Self::spawn_thread) starts (default 1).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    async fn bind(&self) -> io::Result<(TcpListener, Option<TestCertificates>)> {
        let listener = listen(SocketAddr::from(([127, 0, 0, 1], self.port)))?;
        let certificates = if self.tls {
            Some(TestCertificates::generate(
                &["localhost".to_owned(), "127.0.0.1".to_owned()],
                self.client_auth,
                self.tls12_only,
            )?)
        } else {
            None
        };
        Ok((listener, certificates))
    }

    fn server(
        &self,
        addr: SocketAddr,
        certificates: &Option<TestCertificates>,
        state: Arc<ServerState>,
        running: Running,
    ) -> TestServer {
        let scheme = if self.tls { "https" } else { "http" };
        TestServer {
            addr,
            base_url: format!("{scheme}://{addr}"),
            ca_pem: certificates.as_ref().map(|c| c.ca_pem.clone()),
            client_identity: certificates
                .as_ref()
                .and_then(|c| c.client_identity.clone()),
            state,
            running,
        }
    }

    /// Starts the server on the current tokio runtime.
    pub async fn start(self) -> io::Result<TestServer> {
        let (listener, certificates) = self.bind().await?;
        let addr = listener.local_addr()?;
        let acceptor = certificates.as_ref().map(|c| c.acceptor.clone());
        let state = Arc::new(ServerState::default());
        let task = tokio::spawn(serve(listener, acceptor, state.clone()));
        Ok(self.server(addr, &certificates, state, Running::Task(task)))
    }

    /// Starts the server on a runtime of its own, on its own thread: for blocking code, and
    /// for benchmarks that must not share the client's runtime. Safe to call from anywhere,
    /// inside an async runtime too.
    pub fn spawn_thread(self) -> io::Result<TestServer> {
        let (ready, started) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let state = Arc::new(ServerState::default());
        let counter = state.clone();
        let options = self.clone();
        let thread = std::thread::Builder::new()
            .name("grequests-testserver".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(options.threads.max(1))
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(err) => {
                        let _ = ready.send(Err(err));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let (listener, certificates) = match options.bind().await {
                        Ok(bound) => bound,
                        Err(err) => {
                            let _ = ready.send(Err(err));
                            return;
                        }
                    };
                    let addr = listener.local_addr();
                    let acceptor = certificates.as_ref().map(|c| c.acceptor.clone());
                    let _ = ready.send(addr.map(|addr| (addr, certificates)));
                    tokio::select! {
                        () = serve(listener, acceptor, counter) => {}
                        _ = stopped => {}
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        let (addr, certificates) = started
            .recv()
            .map_err(|_| io::Error::other("the test server thread ended before starting"))??;
        let running = Running::Thread(Some(stop), Some(thread));
        Ok(self.server(addr, &certificates, state, running))
    }
}

impl TestServer {
    /// Options: TLS, port, threads.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// Starts a plain-http server on the current runtime.
    pub async fn start() -> io::Result<TestServer> {
        Self::builder().start().await
    }

    /// Starts an https server on the current runtime.
    pub async fn start_tls() -> io::Result<TestServer> {
        Self::builder().tls(true).start().await
    }

    /// The address it listens on (always loopback).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (or `https://`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL joined with `path`, e.g. `server.url("/get")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The PEM certificate of the CA that signed a TLS server's certificate.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// A client certificate and its private key (both PEM) that a server started with
    /// [`client_auth`](TestServerBuilder::client_auth) accepts.
    pub fn client_identity_pem(&self) -> Option<(&str, &str)> {
        self.client_identity
            .as_ref()
            .map(|(cert, key)| (cert.as_str(), key.as_str()))
    }

    /// How many connections the server has accepted: what a connection pool saves shows here.
    pub fn connections_accepted(&self) -> usize {
        self.state.accepted.load(Ordering::SeqCst)
    }

    /// The most requests this server was answering at once, per `Host` header (lowercase,
    /// with its port): what a client's per-host limit looks like from the server.
    /// `GET /peak-in-flight` answers the same, as JSON, to a client in another process.
    pub fn peak_in_flight_by_host(&self) -> std::collections::HashMap<String, usize> {
        self.state.peak_in_flight()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        match &mut self.running {
            Running::Task(task) => task.abort(),
            Running::Thread(stop, thread) => {
                if let Some(stop) = stop.take() {
                    let _ = stop.send(());
                }
                if let Some(thread) = thread.take() {
                    let _ = thread.join();
                }
            }
        }
    }
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// A listener with room for a burst of connections. `TcpListener::bind` queues 128 (std's
/// backlog); a client opening a thousand at once overflows that, and the kernel drops the
/// overflow's handshakes for the client to retransmit later, which a benchmark would count
/// against the client that connects fastest. The kernel caps it at `net.core.somaxconn`.
fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    const BACKLOG: u32 = 4096;
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Accepts connections until dropped; dropping the set of connections closes them all.
async fn serve(listener: TcpListener, acceptor: Option<TlsAcceptor>, state: Arc<ServerState>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    state.accepted.fetch_add(1, Ordering::SeqCst);
                    connections.spawn(connection(stream, peer, acceptor.clone(), state.clone()));
                }
                // Out of file descriptors, most likely: let clients finish, then go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    acceptor: Option<TlsAcceptor>,
    state: Arc<ServerState>,
) {
    let _ = stream.set_nodelay(true);
    match acceptor {
        None => http(TokioIo::new(stream), peer, "http", state).await,
        Some(acceptor) => {
            if let Ok(tls) = acceptor.accept(stream).await {
                http(TokioIo::new(tls), peer, "https", state).await;
            }
        }
    }
}

async fn http<I>(io: I, peer: SocketAddr, scheme: &'static str, state: Arc<ServerState>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |request: hyper::Request<Incoming>| {
        let state = state.clone();
        async move {
            let (parts, body) = request.into_parts();
            let host = parts
                .headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
                .to_ascii_lowercase();
            let _counted = state.enter(host);
            let response = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
                Ok(collected) => {
                    let echo = Echo {
                        parts,
                        body: collected.to_bytes(),
                        peer,
                        scheme,
                        state,
                    };
                    routes::route(echo).await
                }
                Err(_) => routes::empty(http::StatusCode::PAYLOAD_TOO_LARGE),
            };
            Ok::<_, Infallible>(response)
        }
    });
    let _ = auto::Builder::new(TokioExecutor::new())
        .serve_connection(io, service)
        .await;
}

#[cfg(test)]
mod tests {
    use std::net::{SocketAddr, TcpStream};
    use std::time::Duration;

    /// Past its backlog, a listener that is not accepting leaves a connect waiting on the
    /// handshake's retransmission (a second and more); within it, the kernel completes
    /// the handshake at once.
    #[tokio::test]
    async fn a_burst_of_connections_is_queued_without_accepting_any() {
        let listener = super::listen(SocketAddr::from(([127, 0, 0, 1], 0))).expect("listen");
        let addr = listener.local_addr().expect("local address");
        let burst = tokio::task::spawn_blocking(move || {
            (0..300)
                .map(|_| TcpStream::connect_timeout(&addr, Duration::from_millis(500)))
                .collect::<Result<Vec<_>, _>>()
        });
        let connected = burst.await.expect("no panic");
        assert_eq!(connected.expect("all 300 queued").len(), 300);
        drop(listener);
    }
}
