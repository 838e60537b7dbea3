//! The command line, as clap parses it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::shard::Shard;

/// Send many HTTP requests at once: fetch URL lists politely, resumably, sharded.
#[derive(Debug, Parser)]
#[command(name = "grequests", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every URL of a list (one per line, or JSONL objects) and write one JSONL record
    /// per input line.
    Fetch(Fetch),
}

/// `grequests fetch`.
#[derive(Debug, clap::Args)]
pub struct Fetch {
    /// The URL list: a file, or `-` (the default) for standard input. One URL per line, or
    /// JSON objects with `url` and optional `method`, `headers`, `body` or `json`, `id`.
    /// Blank lines and lines starting with `#` are skipped.
    #[arg(default_value = "-")]
    pub input: String,

    /// Where the JSONL records go (default: standard output).
    #[arg(short, long, value_name = "OUT.jsonl")]
    pub output: Option<PathBuf>,

    /// Requests in flight at once, over all hosts.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub concurrency: u32,

    /// Connections open at once, idle ones included (default: `--concurrency` and a
    /// sixteenth more, never more than the descriptor limit allows). Past it, a new
    /// connection closes the least recently used idle one: a crawl over many hosts then
    /// holds a few dozen connections instead of one to every host it met.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub max_connections: Option<u32>,

    /// Requests in flight at once to one host (an origin, `host:port`: two ports of a host
    /// count apart, as a browser counts them).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub per_host: u32,

    /// The least time between the starts of two requests to one host, `host:port` as for
    /// `--per-host` (e.g. `500ms`, `2s`).
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub delay_per_host: Option<Duration>,

    /// At most this many requests started per second, over all hosts (e.g. `100` or `100/s`).
    #[arg(long, value_parser = parse_rate, value_name = "N/s")]
    pub rate: Option<u64>,

    /// Retries of a failed attempt (connection errors, 429, 5xx), with exponential backoff
    /// and jitter, honouring `Retry-After`.
    #[arg(long, default_value_t = 2)]
    pub retries: u32,

    /// Per attempt: connecting, and each wait for the server's bytes.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: Duration,

    /// The most body bytes kept of one response; a larger body is an error record.
    #[arg(long, default_value_t = 10 * 1024 * 1024, value_name = "BYTES")]
    pub max_body_size: u64,

    /// The method of plain-URL lines (a JSON line's own `method` wins).
    #[arg(short = 'X', long, default_value = "GET")]
    pub method: String,

    /// A header for every request, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// A body for plain-URL lines.
    #[arg(short = 'd', long)]
    pub data: Option<String>,

    /// Every request through this proxy (`http://`, `socks5://`, `socks5h://`).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// A PEM file of extra root certificates.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// The `User-Agent` of every request, and the agent robots.txt rules are matched for.
    #[arg(short = 'A', long, default_value = concat!("grequests/", env!("CARGO_PKG_VERSION")))]
    pub user_agent: String,

    /// Fetch each origin's robots.txt once and skip the URLs it disallows (a record says so).
    #[arg(long)]
    pub respect_robots: bool,

    /// Resolve `HOST:PORT` to `ADDR` instead of asking DNS, as curl's `--resolve`
    /// (`HOST:PORT:ADDR`, repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// What of the body goes into the record.
    #[arg(long, value_enum, default_value_t = BodyMode::None)]
    pub body: BodyMode,

    /// Save each body under DIR, named by its SHA-256 (`DIR/ab/abcdef…`).
    #[arg(long, value_name = "DIR")]
    pub save_bodies: Option<PathBuf>,

    /// Also write WARC/1.1 request and response records (gzipped per record) to FILE.
    #[arg(long, value_name = "FILE.warc.gz")]
    pub warc: Option<PathBuf>,

    /// Skip the input lines already in the output, repair a line cut short by a crash, and
    /// append.
    #[arg(long, requires = "output")]
    pub resume: bool,

    /// Only the lines whose host hashes to shard I of N (0 <= I < N): the first 8 bytes of
    /// SHA-256 of the lowercased host, big-endian, modulo N.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,

    /// Threads that run the requests (default 1). One event loop, as curl's `--parallel`
    /// and aria2c run, keeps up with thousands of plain-HTTP URLs a second and spends the
    /// least CPU on each; more help where TLS handshakes or large bodies make the work
    /// CPU-bound and cores are free.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: u32,

    /// Input lines read ahead of the requests, to keep every host busy when the list is
    /// sorted by host; at most 16 MiB of them, whatever their number (a JSON line may
    /// carry a body). A host gets about window / hosts lines each time it comes round,
    /// all on one connection: on 100 000 lines over 1 000 hosts, 20 000 take 2.7 s where
    /// 10 000 took 3.1 (twice the connects), for 1.7 MiB more; 50 000 are no faster.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub window: u32,

    /// Also write the run's figures (records, failures, by status class and error kind,
    /// requests per second) as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,

    /// No progress and no summary (both go to standard error: a bar on a terminal, a
    /// status line every 10 s otherwise).
    #[arg(long, short)]
    pub quiet: bool,
}

/// What a record holds of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BodyMode {
    /// Only its length and SHA-256.
    None,
    /// Decoded as text (by its charset; invalid bytes replaced).
    Text,
    /// Its bytes in base64.
    Base64,
}

fn parse_rate(text: &str) -> Result<u64, String> {
    let count = text.strip_suffix("/s").unwrap_or(text);
    match count.parse::<u64>() {
        Ok(0) | Err(_) => Err(format!(
            "{text:?} is not a rate: write a count per second, e.g. 100/s"
        )),
        Ok(n) => Ok(n),
    }
}
