//! [`TestSocksProxy`]: a SOCKS5 (RFC 1928, with RFC 1929 username/password) and SOCKS4/4a
//! proxy on a loopback port, for testing clients' SOCKS support. It records what it was
//! asked: whether the client sent a name (remote DNS) or an address.
//!
//! Names it resolves itself are `localhost` and anything under `.test`, all to 127.0.0.1,
//! so that remote-DNS tests never ask a real resolver.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One connection a SOCKS proxy was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocksRequest {
    /// 4 or 5.
    pub version: u8,
    /// `host:port` as the client sent it: a name when the proxy resolves (`socks5h`,
    /// `socks4a`), an address when the client did.
    pub target: String,
    /// The user name the client authenticated with (SOCKS5) or sent (SOCKS4).
    pub user: Option<String>,
}

/// A running SOCKS proxy. Dropping it stops it.
#[derive(Debug)]
pub struct TestSocksProxy {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<SocksRequest>>>,
    task: JoinHandle<()>,
}

type Credentials = Option<(String, String)>;

impl TestSocksProxy {
    /// Starts a proxy that needs no authentication.
    pub async fn start() -> io::Result<TestSocksProxy> {
        Self::start_with_auth(None).await
    }

    /// Starts a proxy that requires this SOCKS5 username and password (SOCKS4 requests are
    /// then refused).
    pub async fn start_with_auth(credentials: Option<(&str, &str)>) -> io::Result<TestSocksProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let credentials: Arc<Credentials> =
            Arc::new(credentials.map(|(u, p)| (u.to_owned(), p.to_owned())));
        let task = tokio::spawn({
            let log = log.clone();
            async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let (log, credentials) = (log.clone(), credentials.clone());
                    tokio::spawn(async move {
                        let _ = serve(stream, &log, &credentials).await;
                    });
                }
            }
        });
        Ok(TestSocksProxy { addr, log, task })
    }

    /// `127.0.0.1:PORT`, to put after a scheme: `socks5h://{authority}`.
    pub fn authority(&self) -> String {
        self.addr.to_string()
    }

    /// What the proxy was asked, oldest first.
    pub fn requests(&self) -> Vec<SocksRequest> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for TestSocksProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut client: TcpStream,
    log: &Mutex<Vec<SocksRequest>>,
    credentials: &Credentials,
) -> io::Result<()> {
    let request = match client.read_u8().await? {
        5 => socks5(&mut client, credentials).await?,
        4 if credentials.is_none() => socks4(&mut client).await?,
        _ => return Ok(()),
    };
    let Some((request, upstream)) = request else {
        return Ok(());
    };
    if let Ok(mut log) = log.lock() {
        log.push(request);
    }
    let mut upstream = upstream;
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    Ok(())
}

/// The address a name or address stands for, as this proxy resolves names.
fn resolve(host: &str, port: u16) -> Option<SocketAddr> {
    if let Ok(ip) = host.parse() {
        return Some(SocketAddr::new(ip, port));
    }
    let host = host.to_ascii_lowercase();
    (host == "localhost" || host.ends_with(".test"))
        .then(|| SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
}

async fn socks5(
    client: &mut TcpStream,
    credentials: &Credentials,
) -> io::Result<Option<(SocksRequest, TcpStream)>> {
    let methods_len = client.read_u8().await?;
    let mut methods = vec![0u8; usize::from(methods_len)];
    client.read_exact(&mut methods).await?;
    let wanted = if credentials.is_some() { 2 } else { 0 };
    if !methods.contains(&wanted) {
        client.write_all(&[5, 0xff]).await?;
        return Ok(None);
    }
    client.write_all(&[5, wanted]).await?;
    let mut user = None;
    if let Some((expected_user, expected_pass)) = credentials {
        let _version = client.read_u8().await?;
        let given_user = read_string(client).await?;
        let given_pass = read_string(client).await?;
        let ok = &given_user == expected_user && &given_pass == expected_pass;
        client.write_all(&[1, if ok { 0 } else { 1 }]).await?;
        if !ok {
            return Ok(None);
        }
        user = Some(given_user);
    }
    let mut head = [0u8; 4];
    client.read_exact(&mut head).await?;
    let host = match head[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip).await?;
            Ipv4Addr::from(ip).to_string()
        }
        3 => read_string(client).await?,
        4 => {
            let mut ip = [0u8; 16];
            client.read_exact(&mut ip).await?;
            format!("[{}]", Ipv6Addr::from(ip))
        }
        _ => return Ok(None),
    };
    let port = client.read_u16().await?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let upstream = match resolve(bare, port) {
        Some(addr) => TcpStream::connect(addr).await.ok(),
        None => None,
    };
    let Some(upstream) = upstream else {
        // 4: host unreachable.
        client.write_all(&[5, 4, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
        return Ok(None);
    };
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    let target = format!("{host}:{port}");
    Ok(Some((
        SocksRequest {
            version: 5,
            target,
            user,
        },
        upstream,
    )))
}

async fn socks4(client: &mut TcpStream) -> io::Result<Option<(SocksRequest, TcpStream)>> {
    let command = client.read_u8().await?;
    let port = client.read_u16().await?;
    let mut ip = [0u8; 4];
    client.read_exact(&mut ip).await?;
    let user = read_until_nul(client).await?;
    // SOCKS4a: 0.0.0.x with x not 0 means a name follows.
    let host = if ip[..3] == [0, 0, 0] && ip[3] != 0 {
        read_until_nul(client).await?
    } else {
        Ipv4Addr::from(ip).to_string()
    };
    let upstream = match (command, resolve(&host, port)) {
        (1, Some(addr)) => TcpStream::connect(addr).await.ok(),
        _ => None,
    };
    let Some(upstream) = upstream else {
        client.write_all(&[0, 0x5b, 0, 0, 0, 0, 0, 0]).await?;
        return Ok(None);
    };
    client.write_all(&[0, 0x5a, 0, 0, 0, 0, 0, 0]).await?;
    let user = (!user.is_empty()).then_some(user);
    let target = format!("{host}:{port}");
    Ok(Some((
        SocksRequest {
            version: 4,
            target,
            user,
        },
        upstream,
    )))
}

async fn read_string(client: &mut TcpStream) -> io::Result<String> {
    let len = client.read_u8().await?;
    let mut bytes = vec![0u8; usize::from(len)];
    client.read_exact(&mut bytes).await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

async fn read_until_nul(client: &mut TcpStream) -> io::Result<String> {
    let mut bytes = Vec::new();
    loop {
        match client.read_u8().await? {
            0 => break,
            b if bytes.len() < 255 => bytes.push(b),
            _ => return Err(io::ErrorKind::InvalidData.into()),
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
