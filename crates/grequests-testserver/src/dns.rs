//! [`TestDns`]: a DNS server on a loopback UDP port that answers `A` queries for names under
//! `.test` with 127.0.0.1 and a TTL of the test's choosing, and counts the queries, so that
//! a resolver's caching can be observed without any real DNS.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

/// A running DNS server. Dropping it stops it.
#[derive(Debug)]
pub struct TestDns {
    addr: SocketAddr,
    a_queries: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl TestDns {
    /// Starts a server whose answers carry `ttl_secs`.
    pub async fn start(ttl_secs: u32) -> io::Result<TestDns> {
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        let addr = socket.local_addr()?;
        let a_queries = Arc::new(AtomicUsize::new(0));
        let counter = a_queries.clone();
        let task = tokio::spawn(async move {
            let mut buf = [0u8; 512];
            loop {
                let Ok((len, peer)) = socket.recv_from(&mut buf).await else {
                    continue;
                };
                if let Some((reply, is_a)) = answer(&buf[..len], ttl_secs) {
                    if is_a {
                        counter.fetch_add(1, Ordering::SeqCst);
                    }
                    let _ = socket.send_to(&reply, peer).await;
                }
            }
        });
        Ok(TestDns {
            addr,
            a_queries,
            task,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many `A` queries it has answered.
    pub fn a_queries(&self) -> usize {
        self.a_queries.load(Ordering::SeqCst)
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The reply to one query, and whether it asked for an `A` record.
fn answer(query: &[u8], ttl: u32) -> Option<(Vec<u8>, bool)> {
    if query.len() < 12 {
        return None;
    }
    // The question: labels up to the root, then type and class.
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*query.get(at)?);
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + len)?).to_ascii_lowercase());
        at += len;
    }
    let qtype = u16::from_be_bytes([*query.get(at)?, *query.get(at + 1)?]);
    let question = query.get(12..at + 4)?;
    let known = labels.last().is_some_and(|tld| tld == "test");
    let is_a = qtype == 1;
    let mut reply = Vec::with_capacity(64);
    reply.extend_from_slice(&query[..2]);
    // A response, recursion desired and available; NXDOMAIN for names it does not know.
    reply.extend_from_slice(&[0x81, if known { 0x80 } else { 0x83 }]);
    reply.extend_from_slice(&[0, 1, 0, u8::from(known && is_a), 0, 0, 0, 0]);
    reply.extend_from_slice(question);
    if known && is_a {
        reply.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1]);
        reply.extend_from_slice(&ttl.to_be_bytes());
        reply.extend_from_slice(&[0, 4, 127, 0, 0, 1]);
    }
    Some((reply, is_a))
}
