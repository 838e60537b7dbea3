//! The URL list, read a line at a time on a thread of its own and handed over through a
//! bounded channel: memory holds the lines in flight and the read-ahead window, never the
//! input.

use std::io::{self, BufRead};
use std::ops::Range;

use serde::Deserialize;
use tokio::sync::mpsc;
use url::{Position, Url};

use crate::resume::Done;
use crate::shard::Shard;

/// The longest line read; a longer one is an error record (and the rest of it skipped).
const MAX_LINE: usize = 1 << 20;

/// One input line to fetch, or the reason it cannot be.
///
/// The read-ahead window holds twenty thousand of these by default, so a job is kept
/// small: the URL's text once (the parsed URL's own, unless written otherwise), not the
/// parsed `Url` (88 bytes beside it), and what only JSON lines carry behind a box. 232
/// bytes and two copies of the URL at first, 128 and one with a `Url`, 48 now.
#[derive(Debug)]
pub struct Job {
    /// The line number, from 1.
    pub index: u64,
    /// What few lines carry: an `id`, a URL written otherwise than the parser gives it back.
    rare: Option<Box<Rare>>,
    pub spec: Result<Spec, String>,
}

#[derive(Debug, Default)]
struct Rare {
    /// The line's own `id`, carried to its record.
    id: Option<serde_json::Value>,
    /// The URL as written, when that is not the parsed URL's text.
    written: Option<Box<str>>,
}

impl Rare {
    fn boxed(id: Option<serde_json::Value>, written: Option<Box<str>>) -> Option<Box<Rare>> {
        (id.is_some() || written.is_some()).then(|| Box::new(Rare { id, written }))
    }
}

/// A request a line asks for.
#[derive(Debug)]
pub struct Spec {
    /// The parsed URL's text (`Url::as_str`): the library makes its request from text in
    /// this form without parsing it again.
    pub url: Box<str>,
    /// Where `host` or `host:port` is in `url`.
    origin: Range<u32>,
    /// The method, headers and body of a JSON line; none for a plain URL.
    pub extras: Option<Box<Extras>>,
}

impl Spec {
    fn new(url: &Url, extras: Option<Box<Extras>>) -> Spec {
        let offset = |at: Position| url[..at].len() as u32;
        Spec {
            url: url.as_str().into(),
            origin: offset(Position::BeforeHost)..offset(Position::AfterPort),
            extras,
        }
    }

    /// `host`, or `host:port` when the URL names a port other than its scheme's; the
    /// parser has lowercased it.
    pub fn origin(&self) -> &str {
        &self.url[self.origin.start as usize..self.origin.end as usize]
    }

    /// The URL's host (an IPv6 address in its brackets).
    pub fn host(&self) -> &str {
        let origin = self.origin();
        match origin.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => origin,
        }
    }
}

/// What a JSON line asks beyond its URL.
#[derive(Debug, Default)]
pub struct Extras {
    /// The line's length: what it weighs queued, its id and body included.
    pub line_len: usize,
    pub method: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
}

/// A line's body.
#[derive(Debug)]
pub enum Body {
    Text(String),
    Json(serde_json::Value),
}

impl Job {
    /// Roughly the bytes this line holds while it waits: the job and its line's text
    /// (a JSON line's id and body are in it).
    pub fn weight(&self) -> usize {
        let extras = self.spec.as_ref().ok().and_then(|s| s.extras.as_deref());
        let text = extras.map_or_else(|| self.url().len(), |extras| extras.line_len);
        std::mem::size_of::<Job>() + text
    }

    /// A line that cannot be fetched: `written` is what it said, `why` the reason.
    pub fn bad(index: u64, id: Option<serde_json::Value>, written: String, why: String) -> Job {
        Job {
            index,
            rare: Rare::boxed(id, Some(written.into())),
            spec: Err(why),
        }
    }

    /// A line's request; `written` is the URL as the line wrote it.
    fn fetch(index: u64, id: Option<serde_json::Value>, written: &str, spec: Spec) -> Job {
        let written = (written != &*spec.url).then(|| written.into());
        Job {
            index,
            rare: Rare::boxed(id, written),
            spec: Ok(spec),
        }
    }

    /// The URL as the line wrote it.
    pub fn url(&self) -> &str {
        let written = self.rare.as_ref().and_then(|rare| rare.written.as_deref());
        match (written, &self.spec) {
            (Some(written), _) => written,
            (None, Ok(spec)) => &spec.url,
            (None, Err(_)) => "",
        }
    }

    /// The line's own `id`, taken out for its record.
    pub fn take_id(&mut self) -> Option<serde_json::Value> {
        self.rare.as_mut().and_then(|rare| rare.id.take())
    }

    /// What its shard goes by: the URL's host, or for a bad line its text. A host's every
    /// port lands in one shard, so politeness per origin holds across machines.
    pub fn host_key(&self) -> String {
        self.key(Spec::host)
    }

    /// What the per-host limits count (`--per-host`, `--delay-per-host`): the URL's origin,
    /// `host` or `host:port`, as the tower backend's per-host limiter counts it; for a bad
    /// line its text.
    pub fn origin_key(&self) -> String {
        self.key(Spec::origin)
    }

    fn key(&self, of: fn(&Spec) -> &str) -> String {
        match &self.spec {
            Ok(spec) => of(spec).to_ascii_lowercase(),
            Err(_) => self.url().trim().to_owned(),
        }
    }
}

/// A JSON line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    url: String,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    headers: Option<Headers>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    json: Option<serde_json::Value>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Headers {
    Map(serde_json::Map<String, serde_json::Value>),
    Pairs(Vec<(String, String)>),
}

/// Parses one line (already trimmed, neither blank nor a comment).
pub fn parse(index: u64, text: &str) -> Job {
    if !text.starts_with('{') {
        return match parse_url(text) {
            Ok(url) => Job::fetch(index, None, text, Spec::new(&url, None)),
            Err(why) => Job::bad(index, None, text.to_owned(), why),
        };
    }
    let line: Line = match serde_json::from_str(text) {
        Ok(line) => line,
        Err(err) => {
            // The id and URL of a line that is JSON but not a valid request still show.
            let loose: Option<serde_json::Value> = serde_json::from_str(text).ok();
            let field = |name: &str| loose.as_ref().and_then(|v| v.get(name)).cloned();
            let url = field("url").and_then(|u| u.as_str().map(str::to_owned));
            let why = format!("bad JSON line: {err}");
            return Job::bad(
                index,
                field("id"),
                url.unwrap_or_else(|| text.to_owned()),
                why,
            );
        }
    };
    let spec = (|| {
        if line.body.is_some() && line.json.is_some() {
            return Err("a line has `body` or `json`, not both".to_owned());
        }
        let headers = match line.headers {
            None => Vec::new(),
            Some(Headers::Pairs(pairs)) => pairs,
            Some(Headers::Map(map)) => map
                .into_iter()
                .map(|(name, value)| match value {
                    serde_json::Value::String(value) => Ok((name, value)),
                    other => Err(format!("header {name:?} is not a string: {other}")),
                })
                .collect::<Result<_, _>>()?,
        };
        let body = match (line.body, line.json) {
            (Some(text), _) => Some(Body::Text(text)),
            (None, Some(json)) => Some(Body::Json(json)),
            (None, None) => None,
        };
        let extras = Extras {
            line_len: text.len(),
            method: line.method,
            headers,
            body,
        };
        Ok(Spec::new(&parse_url(&line.url)?, Some(Box::new(extras))))
    })();
    match spec {
        Ok(spec) => Job::fetch(index, line.id, &line.url, spec),
        Err(why) => Job::bad(index, line.id, line.url, why),
    }
}

fn parse_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|err| format!("bad URL {text:?}: {err}"))?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
        "http" | "https" => Err(format!("bad URL {text:?}: no host")),
        scheme => Err(format!(
            "bad URL {text:?}: scheme {scheme:?} is not http or https"
        )),
    }
}

/// What the reader skips.
pub struct Filter {
    pub shard: Option<Shard>,
    pub done: Done,
}

/// Reads `source` on a thread of its own, sending the jobs of this shard not yet done;
/// `read` counts the bytes read, for the progress bar. Ends when the input ends, or when
/// the receiver is dropped.
pub fn spawn_reader(
    mut source: Box<dyn BufRead + Send>,
    filter: Filter,
    jobs: mpsc::Sender<Job>,
    on_bytes: impl Fn(u64) + Send + 'static,
) -> std::thread::JoinHandle<io::Result<()>> {
    std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let mut index = 0u64;
        loop {
            buffer.clear();
            let (read, too_long) = read_line(&mut source, &mut buffer)?;
            if read == 0 {
                return Ok(());
            }
            on_bytes(read as u64);
            index += 1;
            if filter.done.contains(index) {
                continue;
            }
            let job = match std::str::from_utf8(&buffer) {
                _ if too_long => Job::bad(
                    index,
                    None,
                    String::from_utf8_lossy(&buffer[..256.min(buffer.len())]).into_owned(),
                    format!("line longer than {MAX_LINE} bytes"),
                ),
                Ok(text) => {
                    let text = text.trim();
                    if text.is_empty() || text.starts_with('#') {
                        continue;
                    }
                    parse(index, text)
                }
                Err(_) => Job::bad(
                    index,
                    None,
                    String::from_utf8_lossy(&buffer).trim().to_owned(),
                    "the line is not UTF-8".to_owned(),
                ),
            };
            if filter
                .shard
                .is_some_and(|shard| !shard.holds(&job.host_key()))
            {
                continue;
            }
            if jobs.blocking_send(job).is_err() {
                return Ok(());
            }
        }
    })
}

/// Reads a line into `buffer` (without its newline), keeping at most [`MAX_LINE`] bytes
/// of it: the bytes consumed, and whether the line was longer.
fn read_line(source: &mut dyn BufRead, buffer: &mut Vec<u8>) -> io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut too_long = false;
    loop {
        let available = match source.fill_buf() {
            Ok(available) => available,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            return Ok((consumed, too_long));
        }
        let (line, done) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (&available[..end], end + 1),
            None => (available, available.len()),
        };
        let room = MAX_LINE.saturating_sub(buffer.len());
        too_long |= line.len() > room;
        buffer.extend_from_slice(&line[..line.len().min(room)]);
        let found_end = done > line.len();
        source.consume(done);
        consumed += done;
        if found_end {
            return Ok((consumed, too_long));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_json_lines() {
        let job = parse(1, "http://a.test/x");
        assert_eq!(
            job.spec.map(|s| s.url.to_string()),
            Ok("http://a.test/x".into())
        );
        let mut job = parse(
            2,
            r#"{"url":"https://B.test/","method":"POST","headers":{"X-A":"1"},"json":{"k":1},"id":"row-7"}"#,
        );
        assert_eq!(job.take_id(), Some(serde_json::json!("row-7")));
        assert_eq!(
            job.url(),
            "https://B.test/",
            "the URL as written, the id taken"
        );
        let spec = job.spec.expect("a valid line");
        assert_eq!(spec.host(), "b.test");
        let extras = spec.extras.expect("a JSON line's extras");
        assert_eq!(extras.method.as_deref(), Some("POST"));
        assert_eq!(extras.headers, vec![("X-A".to_owned(), "1".to_owned())]);
        assert!(matches!(extras.body, Some(Body::Json(_))));
    }

    #[test]
    fn a_job_keeps_the_url_as_written_once() {
        let plain = parse(1, "http://a.test/x");
        assert_eq!(plain.url(), "http://a.test/x");
        assert!(plain.rare.is_none(), "the parsed URL's text serves");
        let unusual = parse(2, "HTTP://A.test:80/x");
        assert_eq!(unusual.url(), "HTTP://A.test:80/x");
        assert_eq!(&*unusual.spec.expect("a valid URL").url, "http://a.test/x");
        let bad = parse(3, "ftp://a.test/");
        assert_eq!(bad.url(), "ftp://a.test/");
        assert!(bad.spec.is_err());
        assert!(
            std::mem::size_of::<Job>() <= 48,
            "a job in the window is {} bytes",
            std::mem::size_of::<Job>()
        );
    }

    #[test]
    fn a_shard_goes_by_the_host_and_the_per_host_limits_by_the_origin() {
        let job = parse(1, "http://A.test:8080/x");
        assert_eq!(job.host_key(), "a.test");
        assert_eq!(job.origin_key(), "a.test:8080");
        let default_port = parse(2, "https://a.test:443/");
        assert_eq!(default_port.origin_key(), "a.test");
        let v6 = parse(3, "http://[::1]:8080/");
        assert_eq!(
            (v6.host_key(), v6.origin_key()),
            ("[::1]".into(), "[::1]:8080".into())
        );
        let v6_default = parse(4, "http://[::1]/");
        assert_eq!(v6_default.host_key(), "[::1]");
        let userinfo = parse(5, "http://u:p@A.test:81/");
        assert_eq!(
            (userinfo.host_key(), userinfo.origin_key()),
            ("a.test".into(), "a.test:81".into())
        );
        let bad = parse(6, " not a url ");
        assert_eq!(
            (bad.host_key(), bad.origin_key()),
            ("not a url".into(), "not a url".into())
        );
    }

    #[test]
    fn bad_lines_are_jobs_with_an_error() {
        for (text, says) in [
            ("not a url", "bad URL"),
            ("ftp://a.test/", "scheme"),
            ("http://", "bad URL"),
            (r#"{"url": 1}"#, "bad JSON line"),
            (r#"{"id": 3}"#, "bad JSON line"),
            (
                r#"{"url":"http://a.test","body":"x","json":{}}"#,
                "not both",
            ),
            (
                r#"{"url":"http://a.test","headers":{"a":1}}"#,
                "not a string",
            ),
            ("{broken", "bad JSON line"),
        ] {
            let job = parse(1, text);
            let err = job.spec.expect_err(text);
            assert!(err.contains(says), "{text}: {err}");
        }
        assert_eq!(
            parse(1, r#"{"id": 3}"#).take_id(),
            Some(serde_json::json!(3))
        );
    }

    #[test]
    fn long_lines_are_cut_and_flagged() {
        let mut input: &[u8] = &[b'a'; MAX_LINE + 10];
        let text = [&[b'a'; MAX_LINE + 10][..], b"\nnext\n"].concat();
        let mut source = io::BufReader::with_capacity(4096, &text[..]);
        let mut buffer = Vec::new();
        assert_eq!(
            read_line(&mut source, &mut buffer).ok(),
            Some((MAX_LINE + 11, true))
        );
        assert_eq!(buffer.len(), MAX_LINE);
        buffer.clear();
        assert_eq!(read_line(&mut source, &mut buffer).ok(), Some((5, false)));
        assert_eq!(buffer, b"next");
        buffer.clear();
        assert_eq!(
            read_line(&mut input, &mut buffer).ok(),
            Some((MAX_LINE + 10, true))
        );
    }
}
