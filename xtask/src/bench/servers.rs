//! The servers a run needs: nginx for throughput, the embedded httpbin (plain and TLS) for
//! latency and HTTP/2. Each is a child process, stopped when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::build::Binaries;
use super::scenarios::{Scenario, Server};
use super::work_dir;

pub struct Servers {
    children: Vec<Child>,
    nginx: Option<u16>,
    testserver: Option<u16>,
    tls: Option<(u16, PathBuf)>,
}

impl Servers {
    pub fn start(binaries: &Binaries, plan: &[Scenario]) -> Result<Servers, String> {
        let needs = |server: Server| plan.iter().any(|s| s.server == server);
        let mut servers = Servers {
            children: Vec::new(),
            nginx: None,
            testserver: None,
            tls: None,
        };
        if needs(Server::Nginx) {
            let port = free_port()?;
            let root = std::fs::canonicalize(work_dir())
                .map_err(|e| e.to_string())?
                .join("nginx");
            servers.children.push(start_nginx(&root, &[port])?);
            wait_for(port)?;
            servers.nginx = Some(port);
        }
        if needs(Server::Httpbin) {
            let port = free_port()?;
            let args = ["--port", &port.to_string(), "--threads", "1"];
            servers
                .children
                .push(spawn_limited(&binaries.testserver, &args)?);
            wait_for(port)?;
            servers.testserver = Some(port);
        }
        if needs(Server::HttpbinTls) {
            let port = free_port()?;
            let ca = std::fs::canonicalize(work_dir())
                .map_err(|e| e.to_string())?
                .join("test-ca.pem");
            let ca_arg = ca.display().to_string();
            let args = [
                "--port",
                &port.to_string(),
                "--threads",
                "1",
                "--tls",
                "--ca-out",
                &ca_arg,
            ];
            let _ = std::fs::remove_file(&ca);
            servers
                .children
                .push(spawn_limited(&binaries.testserver, &args)?);
            wait_for(port)?;
            let started = Instant::now();
            while !ca.exists() && started.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(20));
            }
            servers.tls = Some((port, ca));
        }
        Ok(servers)
    }

    /// The base URL of a scenario's server, and the CA file to trust for TLS.
    pub fn base(&self, server: Server) -> Result<(String, Option<PathBuf>), String> {
        let missing = || format!("{server:?} was not started");
        Ok(match server {
            Server::Nginx => (
                format!("http://127.0.0.1:{}", self.nginx.ok_or_else(missing)?),
                None,
            ),
            Server::Httpbin => (
                format!("http://127.0.0.1:{}", self.testserver.ok_or_else(missing)?),
                None,
            ),
            Server::HttpbinTls => {
                let (port, ca) = self.tls.as_ref().ok_or_else(missing)?;
                (format!("https://127.0.0.1:{port}"), Some(ca.clone()))
            }
            Server::Mock => ("http://mock.test".into(), None),
        })
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs `program` with the open-file limit raised: a batch of 1 000 at once needs more
/// than the usual 1 024 descriptors.
pub fn spawn_limited(program: &std::path::Path, args: &[&str]) -> Result<Child, String> {
    Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null; exec \"$0\" \"$@\"")
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("can't start {}: {e}", program.display()))
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// `count` consecutive ports from `first` for nginx's origins, checked to lie below the
/// kernel's ephemeral range and to be free. Inside that range any client socket may hold
/// one when nginx starts (`connect` takes even ports there, and a run of 100 000 requests
/// leaves thousands of sockets closing), and nginx then fails to bind it.
pub(super) fn origin_ports(first: u16, count: u16) -> Result<Vec<u16>, String> {
    let ephemeral = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768);
    let end = first
        .checked_add(count)
        .filter(|&end| end <= ephemeral)
        .ok_or_else(|| {
            format!(
                "ports {first}..{} reach the ephemeral range, which starts at {ephemeral} \
                 (net.ipv4.ip_local_port_range)",
                u32::from(first) + u32::from(count)
            )
        })?;
    let ports: Vec<u16> = (first..end).collect();
    for &port in &ports {
        TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| format!("port {port}, needed for the bench's origins: {e}"))?;
    }
    Ok(ports)
}

pub(super) fn wait_for(port: u16) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("nothing listens on port {port} after 10 s"))
}

/// nginx with one worker on loopback, answering on each of `ports` (the command-line
/// bench's many origins), files and logs under `root`: a 13-byte and a 64 KiB file,
/// keep-alive without limit.
pub(super) fn start_nginx(root: &std::path::Path, ports: &[u16]) -> Result<Child, String> {
    let www = root.join("www");
    std::fs::create_dir_all(root.join("logs")).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&www).map_err(|e| e.to_string())?;
    std::fs::write(www.join("small"), "Hello, World!").map_err(|e| e.to_string())?;
    let big: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(www.join("big"), big).map_err(|e| e.to_string())?;
    let listens: String = ports
        .iter()
        .map(|port| format!("    listen 127.0.0.1:{port} backlog=8192;\n"))
        .collect();
    let config = format!(
        "worker_processes 1;\ndaemon off;\nmaster_process off;\nuser root;\n\
         error_log {root}/logs/error.log warn;\npid {root}/nginx.pid;\n\
         events {{ worker_connections 8192; }}\n\
         http {{\n  access_log off;\n  keepalive_requests 10000000;\n  keepalive_timeout 120;\n\
           server {{\n{listens}    location / {{ root {www}; }}\n  }}\n}}\n",
        root = root.display(),
        www = www.display(),
    );
    let conf = root.join("nginx.conf");
    std::fs::write(&conf, config).map_err(|e| e.to_string())?;
    let nginx = ["/usr/sbin/nginx", "nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("nginx");
    let conf_arg = conf.display().to_string();
    let prefix_arg = root.display().to_string();
    spawn_limited(
        std::path::Path::new(nginx),
        &["-c", &conf_arg, "-p", &prefix_arg],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_ports_are_below_the_ephemeral_range_and_free() {
        assert!(
            origin_ports(u16::MAX - 5, 10).is_err(),
            "past the last port"
        );
        assert!(
            origin_ports(60_000, 2_000).is_err(),
            "into the ephemeral range"
        );
        // A port below the range that something holds is refused, by number.
        let held = (24_000..24_100)
            .find_map(|port| TcpListener::bind(("127.0.0.1", port)).ok())
            .expect("a free port below the ephemeral range");
        let port = held.local_addr().expect("its address").port();
        let err = origin_ports(port, 1).expect_err("a held port is refused");
        assert!(err.contains(&format!("port {port}")), "{err}");
        drop(held);
        // Freed, it is taken again; a moment later at worst: a process another test
        // spawns at that instant holds a copy of the socket until its `exec` closes it.
        let freed = (0..50).find_map(|_| {
            let ports = origin_ports(port, 1).ok();
            if ports.is_none() {
                std::thread::sleep(Duration::from_millis(20));
            }
            ports
        });
        assert_eq!(freed, Some(vec![port]));
    }
}
