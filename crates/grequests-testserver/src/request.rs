//! What httpbin echoes about a request: args, headers, origin, URL, and the parsed body.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use bytes::Bytes;
use http::request::Parts;
use serde_json::{json, Map, Value};

use crate::multipart;

/// A request as the routes see it: head plus the whole body, and the server's state.
pub(crate) struct Echo {
    pub(crate) parts: Parts,
    pub(crate) body: Bytes,
    pub(crate) peer: SocketAddr,
    pub(crate) scheme: &'static str,
    pub(crate) state: std::sync::Arc<ServerState>,
}

/// What a server remembers between requests.
#[derive(Default)]
pub(crate) struct ServerState {
    /// `/unstable`'s failures so far, per key.
    pub(crate) failures: std::sync::Mutex<std::collections::HashMap<String, u32>>,
    /// Connections accepted.
    pub(crate) accepted: std::sync::atomic::AtomicUsize,
    /// Per `Host` header: requests being answered now, and the most there ever were.
    pub(crate) in_flight: std::sync::Mutex<std::collections::HashMap<String, (usize, usize)>>,
}

impl ServerState {
    /// The most requests answered at once, per `Host` header (lowercase, with its port).
    pub(crate) fn peak_in_flight(&self) -> std::collections::HashMap<String, usize> {
        self.in_flight
            .lock()
            .map(|hosts| {
                hosts
                    .iter()
                    .map(|(host, (_, peak))| (host.clone(), *peak))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Counts a request to `host` until the guard is dropped.
    pub(crate) fn enter(self: &std::sync::Arc<Self>, host: String) -> InFlight {
        if let Ok(mut hosts) = self.in_flight.lock() {
            let (now, peak) = hosts.entry(host.clone()).or_default();
            *now += 1;
            *peak = (*peak).max(*now);
        }
        InFlight {
            state: self.clone(),
            host,
        }
    }
}

/// One request being answered, counted in [`ServerState::in_flight`].
pub(crate) struct InFlight {
    state: std::sync::Arc<ServerState>,
    host: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut hosts) = self.state.in_flight.lock() {
            if let Some((now, _)) = hosts.get_mut(&self.host) {
                *now = now.saturating_sub(1);
            }
        }
    }
}

impl Echo {
    pub(crate) fn path(&self) -> &str {
        self.parts.uri.path()
    }

    /// Query parameters; a name given twice becomes a list, as in httpbin.
    pub(crate) fn args(&self) -> Value {
        pairs_to_json(url::form_urlencoded::parse(
            self.parts.uri.query().unwrap_or("").as_bytes(),
        ))
    }

    pub(crate) fn arg(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.parts.uri.query().unwrap_or("").as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// Headers with httpbin's Title-Case names; repeated headers joined with commas.
    pub(crate) fn headers(&self) -> Value {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &self.parts.headers {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            map.entry(title_case(name.as_str()))
                .and_modify(|v| {
                    v.push(',');
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        if !map.contains_key("Host") {
            if let Some(authority) = self.parts.uri.authority() {
                map.insert("Host".into(), authority.to_string());
            }
        }
        json!(map)
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn origin(&self) -> String {
        self.peer.ip().to_string()
    }

    /// The URL as the client asked for it.
    pub(crate) fn url(&self) -> String {
        let host = self
            .header("host")
            .map(str::to_owned)
            .or_else(|| self.parts.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "127.0.0.1".into());
        let path = self.parts.uri.path_and_query().map_or("/", |p| p.as_str());
        format!("{}://{host}{path}", self.scheme)
    }

    /// The base URL of this server, as the client reached it.
    pub(crate) fn base(&self) -> String {
        let url = self.url();
        let path_start = url.find("://").map_or(0, |i| i + 3);
        match url[path_start..].find('/') {
            Some(i) => url[..path_start + i].to_owned(),
            None => url,
        }
    }

    /// `/get`'s answer.
    pub(crate) fn basic(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("args".into(), self.args());
        map.insert("headers".into(), self.headers());
        map.insert("origin".into(), json!(self.origin()));
        map.insert("url".into(), json!(self.url()));
        map
    }

    /// `/post`'s answer: `/get`'s plus data, files, form and json.
    pub(crate) fn with_body(&self) -> Map<String, Value> {
        let mut map = self.basic();
        let content_type = self
            .header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut data = String::new();
        let mut form = json!({});
        let mut files = json!({});
        if content_type.starts_with("application/x-www-form-urlencoded") {
            form = pairs_to_json(url::form_urlencoded::parse(&self.body));
        } else if content_type.starts_with("multipart/form-data") {
            let (fields, uploads) = multipart::parse(&content_type, &self.body);
            form = pairs_to_json(
                fields
                    .iter()
                    .map(|(n, v)| (n.as_str().into(), v.as_str().into())),
            );
            files = pairs_to_json(
                uploads
                    .iter()
                    .map(|(n, v)| (n.as_str().into(), v.as_str().into())),
            );
        } else {
            data = String::from_utf8_lossy(&self.body).into_owned();
        }
        let json_body = serde_json::from_slice::<Value>(&self.body).unwrap_or(Value::Null);
        map.insert("data".into(), json!(data));
        map.insert("files".into(), files);
        map.insert("form".into(), form);
        map.insert("json".into(), json_body);
        map
    }
}

fn pairs_to_json<'a>(
    pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
) -> Value {
    let mut map = Map::new();
    for (name, value) in pairs {
        let value = Value::String(value.into_owned());
        match map.get_mut(name.as_ref()) {
            Some(Value::Array(list)) => list.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                map.insert(name.into_owned(), value);
            }
        }
    }
    Value::Object(map)
}

pub(crate) fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}
