//! [`HostileServer`]: a raw-socket HTTP/1.1 server on a loopback port that misbehaves by path,
//! the way broken and malicious servers do: malformed heads, lying lengths, bad chunking,
//! resets, silence, trickles, floods, compression bombs, redirect traps, stale keep-alive.
//!
//! Every behaviour is bounded: a connection lives at most [`MAX_CONNECTION_TIME`] and
//! sends at most [`MAX_BYTES`], so a client that never gives up still lets the test end.
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> std::io::Result<()> {
//! let server = grequests_testserver::HostileServer::start().await?;
//! println!("a gzip bomb at {}", server.url("/gzip-bomb"));
//! # Ok(()) }
//! ```

mod bombs;
mod cases;

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub use cases::PATHS;

/// The longest a connection to the hostile server lives.
pub const MAX_CONNECTION_TIME: Duration = Duration::from_secs(30);

/// The most bytes one endless behaviour sends (4 GiB).
pub const MAX_BYTES: u64 = 4 << 30;

/// The longest request head the server reads.
const MAX_REQUEST_HEAD: usize = 64 * 1024;

/// A misbehaving server on `127.0.0.1`; stops when dropped. See [`PATHS`] for what it does.
#[derive(Debug)]
pub struct HostileServer {
    addr: SocketAddr,
    stats: Arc<Stats>,
    task: tokio::task::JoinHandle<()>,
}

/// What the server saw.
#[derive(Debug, Default)]
struct Stats {
    connections: AtomicUsize,
    requests: AtomicUsize,
}

/// One request as read off the socket.
#[derive(Debug)]
pub(crate) struct RawRequest {
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl RawRequest {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl HostileServer {
    /// Starts the server on an ephemeral port of `127.0.0.1`, on the current runtime. The
    /// bombs are compressed first (once per process), so that no case is slow to start.
    pub async fn start() -> io::Result<HostileServer> {
        tokio::task::spawn_blocking(bombs::prepare)
            .await
            .map_err(io::Error::other)?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let stats = Arc::new(Stats::default());
        let task = tokio::spawn(accept_loop(listener, stats.clone()));
        Ok(HostileServer { addr, stats, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:{port}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.stats.connections.load(Ordering::SeqCst)
    }

    /// Requests read so far (heads, and bodies where the behaviour reads them).
    pub fn requests(&self) -> usize {
        self.stats.requests.load(Ordering::SeqCst)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, stats: Arc<Stats>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        stats.connections.fetch_add(1, Ordering::SeqCst);
        let stats = stats.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(MAX_CONNECTION_TIME, serve(stream, stats)).await;
        });
    }
}

/// Serves requests on one connection until a behaviour ends it.
async fn serve(mut stream: TcpStream, stats: Arc<Stats>) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_head(&mut stream, &mut buffer).await else {
            return;
        };
        stats.requests.fetch_add(1, Ordering::SeqCst);
        match cases::respond(&mut stream, &request, &mut buffer).await {
            Ok(cases::Next::KeepAlive) => continue,
            Ok(cases::Next::Close) | Err(_) => {
                let _ = stream.shutdown().await;
                return;
            }
            Ok(cases::Next::Reset) => {
                let _ = stream.set_zero_linger();
                return;
            }
        }
    }
}

/// Reads one request head; what was read past it stays in `buffer`.
async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<RawRequest> {
    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_REQUEST_HEAD {
            return None;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    buffer.drain(..end + 4);
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let _method = first.next()?;
    let path = first.next()?.to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(RawRequest { path, headers })
}

/// Reads and discards the request's body (by `Content-Length`), `buffer` first.
pub(crate) async fn read_body(
    stream: &mut TcpStream,
    request: &RawRequest,
    buffer: &mut Vec<u8>,
) -> io::Result<usize> {
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut have = buffer.len().min(length);
    buffer.drain(..have);
    let mut chunk = [0u8; 8192];
    while have < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        have += n;
    }
    Ok(length)
}
