//! One line's fetch: its request built on the shared client, sent, and turned into what
//! the writer needs (the record, the WARC records, the body to save).

use std::time::{Duration, Instant};

use bytes::Bytes;
use grequests::tower::{Rate, TowerTransport};
use grequests::{Client, ConnectionBudget, HyperTransport, Response};

use crate::args::{BodyMode, Fetch};
use crate::input::{Body, Extras, Job, Spec};
use crate::record::{version_name, ErrorRecord, Record};
use crate::robots::Robots;
use crate::warc;

/// What a finished line hands to the writer.
pub struct Fetched {
    /// Boxed: a finished line moves from its task to the writer through several hands.
    pub record: Box<Record>,
    /// Its WARC records, gzipped, when `--warc` is on.
    pub warc: Option<Vec<u8>>,
    /// Its body, when `--save-bodies` is on.
    pub body: Option<Bytes>,
}

impl Fetched {
    /// The record of a line whose fetch panicked: a bug, reported as one, never a lost line.
    pub fn internal_error(index: u64, url: String, err: &dyn std::fmt::Display) -> Self {
        Fetched {
            record: Box::new(Record {
                index,
                url,
                error: Some(ErrorRecord::new(
                    "internal",
                    format!("grequests fetch failed: {err}"),
                )),
                ..Record::default()
            }),
            warc: None,
            body: None,
        }
    }
}

/// The connection budget of `--max-connections`: by default one per request in flight and
/// a sixteenth more (54 at 50), at most the process's descriptor budget. The frontier sends
/// a host's next line on the connection its last one freed, so a crawl needs few idle
/// connections beyond those in use; each costs about 26 KB (hyper's read and write buffers
/// and its dispatch channel). On the bench's lists over 1 000 origins, 54 were as fast as
/// the quarter more of before (63) and 200 (four per request in flight, the first
/// default), with or without a per-host delay, in 0.2 and 3 MB less.
fn max_connections(args: &Fetch) -> usize {
    let limit = ConnectionBudget::process_default().max();
    let asked = args.max_connections.unwrap_or(
        args.concurrency
            .saturating_add(args.concurrency.div_ceil(16)),
    );
    (asked as usize).min(limit)
}

/// Everything a fetch shares with the others.
pub struct Fetcher {
    client: Client,
    robots: Option<Robots>,
    method: String,
    headers: Vec<(String, String)>,
    data: Option<String>,
    body_mode: BodyMode,
    warc: bool,
    save_bodies: bool,
}

impl Fetcher {
    /// The client and settings `args` ask for; an error says which argument is wrong.
    pub fn new(args: &Fetch) -> Result<Self, String> {
        let mut hyper = HyperTransport::builder()
            .connect_timeout(Some(args.timeout))
            // A crawl visits many origins and few pages of each at a time.
            .pool_max_idle_per_host(args.per_host as usize)
            .max_connections(max_connections(args))
            // WARC keeps bodies as transferred.
            .decompress(args.warc.is_none());
        if let Some(proxy) = &args.proxy {
            hyper = hyper.proxy_all(proxy);
        }
        if let Some(path) = &args.cacert {
            let pem =
                std::fs::read(path).map_err(|err| format!("--cacert {}: {err}", path.display()))?;
            hyper = hyper.add_root_certificate_pem(&pem);
        }
        for rule in &args.resolve {
            let bad =
                || format!("--resolve {rule:?}: write HOST:PORT:ADDR, e.g. a.test:443:127.0.0.1");
            let (host, rest) = rule.split_once(':').ok_or_else(bad)?;
            let (port, addr) = rest.split_once(':').ok_or_else(bad)?;
            let port: u16 = port.parse().map_err(|_| bad())?;
            let ip: std::net::IpAddr = addr.trim_matches(['[', ']']).parse().map_err(|_| bad())?;
            hyper = hyper.resolve(host, std::net::SocketAddr::new(ip, port));
        }
        let hyper = hyper.build().map_err(|err| err.to_string())?;
        let mut tower = TowerTransport::builder()
            .transport(hyper)
            .max_retries(args.retries)
            .per_host_concurrency_limit(args.per_host as usize)
            // `--timeout` bounds connecting and each wait for bytes (the transport's connect
            // timeout and the client's read timeout, both per attempt); a cap on a whole
            // attempt would cut off a slow body that is still arriving.
            .attempt_timeout(None);
        if let Some(rate) = args.rate {
            tower = tower.rate_limit(Rate::new(rate, Duration::from_secs(1)));
        }
        let transport = tower.build().map_err(|err| err.to_string())?;
        let client = Client::builder()
            .transport(transport)
            .user_agent(args.user_agent.as_str())
            .timeout(args.timeout)
            .max_body_size(args.max_body_size)
            .build()
            .map_err(|err| err.to_string())?;
        let headers = args
            .headers
            .iter()
            .map(|header| {
                header
                    .split_once(':')
                    .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
                    .ok_or_else(|| format!("-H {header:?}: write NAME: VALUE"))
            })
            .collect::<Result<_, _>>()?;
        let robots = args
            .respect_robots
            .then(|| Robots::new(client.clone(), &args.user_agent));
        Ok(Fetcher {
            client,
            robots,
            method: args.method.clone(),
            headers,
            data: args.data.clone(),
            body_mode: args.body,
            warc: args.warc.is_some(),
            save_bodies: args.save_bodies.is_some(),
        })
    }

    /// The request a line asks for, and its body as sent when a WARC record will need it.
    /// It takes the line's `spec`, so that nothing of it waits beside the request.
    fn request(&self, spec: Spec) -> (grequests::RequestBuilder, Option<grequests::Body>) {
        let Extras {
            method,
            headers,
            body,
            ..
        } = spec.extras.map(|extras| *extras).unwrap_or_default();
        let method = method.as_deref().unwrap_or(&self.method);
        let mut request = self.client.request(method, &*spec.url);
        for (name, value) in self.headers.iter().chain(&headers) {
            request = request.header(name.as_str(), value.as_str());
        }
        request = match (body, &self.data) {
            (Some(Body::Json(json)), _) => request.json(&json),
            (Some(Body::Text(text)), _) if !text.is_empty() => request.data(text),
            (None, Some(data)) if !data.is_empty() => request.data(data.clone()),
            _ => request,
        };
        // A buffered body clones cheaply.
        let sent_body = self
            .warc
            .then(|| {
                request
                    .request()
                    .body()
                    .and_then(grequests::Body::try_clone)
            })
            .flatten();
        (request, sent_body)
    }

    /// Fetches `job`; never fails: a failure is a record with its error.
    pub async fn fetch(&self, mut job: Job) -> Fetched {
        let started = Instant::now();
        let mut record = Box::new(Record {
            index: job.index,
            url: job.url().to_owned(),
            id: job.take_id(),
            ..Record::default()
        });
        let fail = |mut record: Box<Record>, error: ErrorRecord| {
            record.elapsed_ms = started.elapsed().as_millis() as u64;
            record.error = Some(error);
            Fetched {
                record,
                warc: None,
                body: None,
            }
        };
        let spec = match job.spec {
            Ok(spec) => spec,
            Err(message) => return fail(record, ErrorRecord::new("builder", message)),
        };
        if let Some(robots) = &self.robots {
            if let Err(why) = robots.check(&spec.url).await {
                return fail(record, ErrorRecord::new("robots", why));
            }
        }
        let (request, sent_body) = self.request(spec);
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => return fail(record, ErrorRecord::from_error(&err)),
        };
        let body = match response.bytes() {
            Ok(body) => body,
            Err(err) => return fail(record, ErrorRecord::from_error(&err)),
        };
        let warc = if self.warc {
            let sent = sent_body.as_ref().and_then(grequests::Body::as_bytes);
            match warc_records(&response, sent.unwrap_or_default(), &body) {
                Ok(bytes) => Some(bytes),
                Err(err) => {
                    return fail(record, ErrorRecord::new("request", format!("WARC: {err}")))
                }
            }
        } else {
            None
        };
        describe(&mut record, &response, &body, self.body_mode);
        record.elapsed_ms = started.elapsed().as_millis() as u64;
        Fetched {
            record,
            warc,
            body: self.save_bodies.then_some(body),
        }
    }
}

/// Fills `record` from a response.
fn describe(record: &mut Record, response: &Response, body: &Bytes, mode: BodyMode) {
    record.final_url = Some(response.url_string());
    record.status = Some(response.status().as_u16());
    record.reason = Some(response.reason().to_owned());
    record.http_version = Some(version_name(response.version()));
    record.headers = Some(response.headers().clone());
    record.redirects = response
        .history()
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    record.attempts = Some(
        response
            .extensions()
            .get::<grequests::tower::Attempts>()
            .map_or(1, |attempts| attempts.0),
    );
    record.remote_addr = response.remote_addr();
    record.content_length = Some(body.len() as u64);
    record.body_sha256 = Some(hex_sha256(body));
    record.body = match mode {
        BodyMode::None => None,
        BodyMode::Text => response.text().ok(),
        BodyMode::Base64 => {
            use base64::Engine;
            Some(base64::engine::general_purpose::STANDARD.encode(body))
        }
    };
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// Every hop's request and response records.
fn warc_records(response: &Response, sent_body: &[u8], body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let hops = response.history().iter().map(|hop| (hop, &[][..]));
    for (hop, hop_body) in hops.chain(std::iter::once((response, body))) {
        let head = hop.request();
        let request_headers = head.headers();
        // A redirect that became a GET sent no body.
        let request_body = if head.method() == grequests::http::Method::GET {
            &[][..]
        } else {
            sent_body
        };
        warc::write_exchange(
            &mut out,
            &warc::Exchange {
                method: head.method(),
                url: head.url(),
                request_headers: &request_headers,
                request_body,
                status: hop.status().as_u16(),
                reason: hop.reason(),
                version: hop.version(),
                response_headers: hop.headers(),
                body: hop_body,
                remote_ip: hop.remote_addr().map(|addr| addr.ip()),
            },
        )?;
    }
    Ok(out)
}
