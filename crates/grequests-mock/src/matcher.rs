//! [`Route`]: what a request must look like to be answered by a route, and why a request
//! does not.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};
use regex::Regex;
use serde_json::Value;

use crate::recorded::RecordedRequest;

/// A request matcher. Unset parts match anything; every set part must match.
///
/// Invalid test input (a header name or value that is not valid HTTP, a JSON value that does
/// not serialise) panics where it is written, not later as a route that silently matches
/// nothing.
///
/// ```
/// use grequests_mock::Route;
/// let route = Route::post("/items/{id}")
///     .host("api.test")
///     .query("dry_run", "1")
///     .header("x-api-key", "secret")
///     .json_includes(&serde_json::json!({"name": "box"}));
/// # drop(route);
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct Route {
    matchers: Vec<Matcher>,
}

type Predicate = Arc<dyn Fn(&RecordedRequest) -> bool + Send + Sync>;

#[derive(Clone)]
enum Matcher {
    Method(Method),
    Host(String),
    Path(PathPattern),
    Query(String, String),
    QueryAbsent(String),
    Header(HeaderName, HeaderValue),
    HeaderRegex(HeaderName, Regex),
    HeaderExists(HeaderName),
    Body(Bytes),
    Json(Value),
    JsonIncludes(Value),
    Custom(String, Predicate),
}

#[derive(Clone)]
enum PathPattern {
    Exact(String),
    Prefix(String),
    /// `/users/{id}`: `{name}` matches one segment and captures it.
    Template(String),
    Regex(Regex),
}

macro_rules! verbs {
    ($($name:ident => $method:ident),*) => {$(
        #[doc = concat!("Matches `", stringify!($method), "` requests to `path` (a template such as `/users/{id}` captures segments).")]
        pub fn $name(path: &str) -> Route {
            Route::new(Method::$method, path)
        }
    )*};
}

impl Route {
    /// Matches every request.
    pub fn any() -> Route {
        Route::default()
    }

    /// Matches `method` requests to `path`: exact, without the query, or a template whose
    /// `{name}` segments match any one segment (see [`RecordedRequest::param`]).
    pub fn new(method: Method, path: &str) -> Route {
        Route::any().method(method).path(path)
    }

    verbs!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE,
           head => HEAD, options => OPTIONS);

    fn with(mut self, matcher: Matcher) -> Route {
        self.matchers.push(matcher);
        self
    }

    /// Only this method.
    pub fn method(self, method: Method) -> Route {
        self.with(Matcher::Method(method))
    }

    /// Any method, this path (or path template).
    pub fn path(self, path: &str) -> Route {
        let pattern = if path.contains('{') {
            PathPattern::Template(path.to_owned())
        } else {
            PathPattern::Exact(path.to_owned())
        };
        self.with(Matcher::Path(pattern))
    }

    /// Paths that start with `prefix`.
    pub fn path_prefix(self, prefix: &str) -> Route {
        self.with(Matcher::Path(PathPattern::Prefix(prefix.to_owned())))
    }

    /// Paths that match `pattern` (a `regex` crate regular expression; anchor it with `^`
    /// and `$` to match the whole path).
    ///
    /// # Panics
    /// When `pattern` is not a valid regular expression.
    #[track_caller]
    pub fn path_regex(self, pattern: &str) -> Route {
        self.with(Matcher::Path(PathPattern::Regex(regex(pattern))))
    }

    /// Only requests to this host.
    pub fn host(self, host: &str) -> Route {
        self.with(Matcher::Host(host.to_ascii_lowercase()))
    }

    /// The query has `name=value` (other parameters may come along).
    pub fn query(self, name: &str, value: &str) -> Route {
        self.with(Matcher::Query(name.to_owned(), value.to_owned()))
    }

    /// The query has no parameter `name`.
    pub fn query_absent(self, name: &str) -> Route {
        self.with(Matcher::QueryAbsent(name.to_owned()))
    }

    /// The header is present with this value.
    ///
    /// # Panics
    /// When `name` or `value` is not valid HTTP: a route that could never match is a bug
    /// in the test.
    #[track_caller]
    pub fn header(self, name: &str, value: &str) -> Route {
        let name = header_name(name);
        let value = HeaderValue::try_from(value)
            .unwrap_or_else(|e| panic!("Route::header({name}, {value:?}): {e}"));
        self.with(Matcher::Header(name, value))
    }

    /// The header is present with a value that matches `pattern`.
    ///
    /// # Panics
    /// When `name` is not a valid header name or `pattern` not a regular expression.
    #[track_caller]
    pub fn header_regex(self, name: &str, pattern: &str) -> Route {
        self.with(Matcher::HeaderRegex(header_name(name), regex(pattern)))
    }

    /// The header is present, with any value.
    ///
    /// # Panics
    /// When `name` is not a valid header name.
    #[track_caller]
    pub fn header_exists(self, name: &str) -> Route {
        self.with(Matcher::HeaderExists(header_name(name)))
    }

    /// HTTP basic credentials.
    #[track_caller]
    pub fn basic_auth(self, user: &str, password: &str) -> Route {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.header("authorization", &format!("Basic {encoded}"))
    }

    /// A bearer token.
    #[track_caller]
    pub fn bearer_auth(self, token: &str) -> Route {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// The body is exactly these bytes.
    pub fn body(self, body: impl Into<Bytes>) -> Route {
        self.with(Matcher::Body(body.into()))
    }

    /// The body is JSON equal to `json` (key order and spacing do not matter).
    ///
    /// # Panics
    /// When `json` does not serialise.
    #[track_caller]
    pub fn json<T: serde::Serialize + ?Sized>(self, json: &T) -> Route {
        self.with(Matcher::Json(to_json(json)))
    }

    /// The body is JSON that includes `json`: every key of an object present with a value
    /// that includes the expected one, arrays equal item by item. Extra keys are fine.
    ///
    /// # Panics
    /// When `json` does not serialise.
    #[track_caller]
    pub fn json_includes<T: serde::Serialize + ?Sized>(self, json: &T) -> Route {
        self.with(Matcher::JsonIncludes(to_json(json)))
    }

    /// Any rule of your own; `label` names it in explanations.
    ///
    /// ```
    /// use grequests_mock::Route;
    /// let route = Route::any().matching("small body", |request| request.body.len() < 1024);
    /// # drop(route);
    /// ```
    pub fn matching(
        self,
        label: &str,
        predicate: impl Fn(&RecordedRequest) -> bool + Send + Sync + 'static,
    ) -> Route {
        self.with(Matcher::Custom(label.to_owned(), Arc::new(predicate)))
    }

    /// Why `request` does not match: the first matcher that fails, with what it expected and
    /// what it got; `None` when it matches.
    ///
    /// ```
    /// use grequests_mock::{RecordedRequest, Route};
    /// let request = RecordedRequest::new(http::Method::GET, "http://api.test/user/1");
    /// let why = Route::get("/users/{id}").explain(&request);
    /// assert_eq!(why.as_deref(), Some("path: expected /users/{id}, got /user/1"));
    /// ```
    pub fn explain(&self, request: &RecordedRequest) -> Option<String> {
        self.matchers.iter().find_map(|m| m.mismatch(request))
    }

    pub(crate) fn matches(&self, request: &RecordedRequest) -> bool {
        self.explain(request).is_none()
    }

    /// The segments a path template captured from `path`.
    pub(crate) fn captures(&self, path: &str) -> BTreeMap<String, String> {
        self.matchers
            .iter()
            .find_map(|m| match m {
                Matcher::Path(PathPattern::Template(template)) => template_captures(template, path),
                _ => None,
            })
            .unwrap_or_default()
    }
}

#[track_caller]
fn header_name(name: &str) -> HeaderName {
    HeaderName::try_from(name).unwrap_or_else(|e| panic!("invalid header name {name:?}: {e}"))
}

#[track_caller]
fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("invalid regular expression {pattern:?}: {e}"))
}

#[track_caller]
fn to_json<T: serde::Serialize + ?Sized>(json: &T) -> Value {
    serde_json::to_value(json)
        .unwrap_or_else(|e| panic!("the route's JSON does not serialise: {e}"))
}

/// The captures of `path` under `template`, or `None` when it does not fit.
fn template_captures(template: &str, path: &str) -> Option<BTreeMap<String, String>> {
    let wanted: Vec<&str> = template.split('/').collect();
    let got: Vec<&str> = path.split('/').collect();
    if wanted.len() != got.len() {
        return None;
    }
    let mut captures = BTreeMap::new();
    for (w, g) in wanted.iter().zip(&got) {
        match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            Some(name) if !g.is_empty() => {
                captures.insert(name.to_owned(), (*g).to_owned());
            }
            Some(_) => return None,
            None if w == g => {}
            None => return None,
        }
    }
    Some(captures)
}

/// Whether `actual` includes `expected`: objects by key, recursively; anything else equal.
fn json_includes(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => expected
            .iter()
            .all(|(key, value)| actual.get(key).is_some_and(|a| json_includes(a, value))),
        (actual, expected) => actual == expected,
    }
}

/// A body as text for a message: UTF-8 up to 1 KiB, or its length.
pub(crate) fn shown_body(body: &Bytes) -> String {
    match std::str::from_utf8(body) {
        Ok(text) if text.len() <= 1024 => format!("{text:?}"),
        Ok(text) => {
            let end = (0..=1024)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            format!("{:?}… ({} bytes)", &text[..end], body.len())
        }
        Err(_) => format!("{} bytes, not UTF-8", body.len()),
    }
}

impl Matcher {
    fn mismatch(&self, request: &RecordedRequest) -> Option<String> {
        let path = request.path();
        match self {
            Matcher::Method(method) => (method != request.method)
                .then(|| format!("method: expected {method}, got {}", request.method)),
            Matcher::Host(host) => (!request.host().eq_ignore_ascii_case(host))
                .then(|| format!("host: expected {host}, got {}", request.host())),
            Matcher::Path(pattern) => {
                let (ok, shown) = match pattern {
                    PathPattern::Exact(p) => (path == p, p.clone()),
                    PathPattern::Prefix(p) => (path.starts_with(p.as_str()), format!("{p}*")),
                    PathPattern::Template(t) => (template_captures(t, path).is_some(), t.clone()),
                    PathPattern::Regex(re) => (re.is_match(path), format!("~{re}")),
                };
                (!ok).then(|| format!("path: expected {shown}, got {path}"))
            }
            Matcher::Query(name, value) => {
                let got: Vec<String> = request
                    .url()
                    .query_pairs()
                    .filter(|(n, _)| n == name.as_str())
                    .map(|(_, v)| v.into_owned())
                    .collect();
                (!got.iter().any(|v| v == value)).then(|| match got.is_empty() {
                    true => format!("query: expected {name}={value}, got no {name}"),
                    false => format!(
                        "query: expected {name}={value}, got {name}={}",
                        got.join(",")
                    ),
                })
            }
            Matcher::QueryAbsent(name) => request
                .url()
                .query_pairs()
                .any(|(n, _)| n == name.as_str())
                .then(|| format!("query: expected no {name}, got one")),
            Matcher::Header(name, value) => {
                let got: Vec<&HeaderValue> = request.headers.get_all(name).iter().collect();
                (!got.contains(&value)).then(|| {
                    let shown: Vec<String> = got
                        .iter()
                        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                        .collect();
                    match shown.is_empty() {
                        true => format!("header {name}: expected {value:?}, got none"),
                        false => format!(
                            "header {name}: expected {value:?}, got {:?}",
                            shown.join(", ")
                        ),
                    }
                })
            }
            Matcher::HeaderRegex(name, re) => {
                let got: Vec<String> = request
                    .headers
                    .get_all(name)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect();
                (!got.iter().any(|v| re.is_match(v))).then(|| match got.is_empty() {
                    true => format!("header {name}: expected ~{re}, got none"),
                    false => format!("header {name}: expected ~{re}, got {:?}", got.join(", ")),
                })
            }
            Matcher::HeaderExists(name) => (!request.headers.contains_key(name))
                .then(|| format!("header {name}: expected one, got none")),
            Matcher::Body(body) => (*body != request.body).then(|| {
                format!(
                    "body: expected {}, got {}",
                    shown_body(body),
                    shown_body(&request.body)
                )
            }),
            Matcher::Json(expected) | Matcher::JsonIncludes(expected) => {
                let partial = matches!(self, Matcher::JsonIncludes(_));
                match serde_json::from_slice::<Value>(&request.body) {
                    Err(e) => Some(format!(
                        "json: the body is not JSON ({e}): {}",
                        shown_body(&request.body)
                    )),
                    Ok(actual) => {
                        let ok = if partial {
                            json_includes(&actual, expected)
                        } else {
                            actual == *expected
                        };
                        (!ok).then(|| {
                            let how = if partial { "including" } else { "equal to" };
                            format!("json: expected a body {how} {expected}, got {actual}")
                        })
                    }
                }
            }
            Matcher::Custom(label, predicate) => {
                (!predicate(request)).then(|| format!("{label}: the rule returned false"))
            }
        }
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let method = self.matchers.iter().find_map(|m| match m {
            Matcher::Method(method) => Some(method.to_string()),
            _ => None,
        });
        f.write_str(method.as_deref().unwrap_or("ANY"))?;
        f.write_str(" ")?;
        for matcher in &self.matchers {
            if let Matcher::Host(host) = matcher {
                write!(f, "//{host}")?;
            }
        }
        let path = self.matchers.iter().find_map(|m| match m {
            Matcher::Path(PathPattern::Exact(p) | PathPattern::Template(p)) => Some(p.clone()),
            Matcher::Path(PathPattern::Prefix(p)) => Some(format!("{p}*")),
            Matcher::Path(PathPattern::Regex(re)) => Some(format!("~{re}")),
            _ => None,
        });
        f.write_str(path.as_deref().unwrap_or("*"))?;
        let mut first_query = true;
        for matcher in &self.matchers {
            match matcher {
                Matcher::Query(name, value) => {
                    write!(f, "{}{name}={value}", if first_query { '?' } else { '&' })?;
                    first_query = false;
                }
                Matcher::QueryAbsent(name) => write!(f, " [no {name}]")?,
                Matcher::Header(name, value) => write!(
                    f,
                    " [{name}: {}]",
                    String::from_utf8_lossy(value.as_bytes())
                )?,
                Matcher::HeaderRegex(name, re) => write!(f, " [{name}: ~{re}]")?,
                Matcher::HeaderExists(name) => write!(f, " [{name}]")?,
                Matcher::Body(_) => f.write_str(" [body]")?,
                Matcher::Json(json) => write!(f, " [json {json}]")?,
                Matcher::JsonIncludes(json) => write!(f, " [json including {json}]")?,
                Matcher::Custom(label, _) => write!(f, " [{label}]")?,
                Matcher::Method(_) | Matcher::Host(_) | Matcher::Path(_) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, url: &str, body: &str) -> RecordedRequest {
        let mut request = RecordedRequest::new(method, url);
        request.body = Bytes::from(body.to_owned());
        request
    }

    #[test]
    fn each_matcher_says_what_it_expected_and_what_it_got() {
        let got = request(
            Method::POST,
            "http://api.test/items/7?dry_run=0",
            r#"{"name":"box","n":2}"#,
        );
        let cases = [
            (Route::get("/items/{id}"), "method: expected GET, got POST"),
            (Route::post("/items"), "path: expected /items, got /items/7"),
            (
                Route::post("/items/{id}").query("dry_run", "1"),
                "query: expected dry_run=1, got dry_run=0",
            ),
            (
                Route::post("/items/{id}").query_absent("dry_run"),
                "query: expected no dry_run, got one",
            ),
            (
                Route::any().host("other.test"),
                "host: expected other.test, got api.test",
            ),
            (
                Route::any().header("x-key", "k"),
                "header x-key: expected \"k\", got none",
            ),
            (
                Route::any().json_includes(&serde_json::json!({"name": "bag"})),
                r#"json: expected a body including {"name":"bag"}, got {"n":2,"name":"box"}"#,
            ),
            (
                Route::any().matching("tiny body", |r| r.body.len() < 4),
                "tiny body: the rule returned false",
            ),
        ];
        for (route, why) in cases {
            assert_eq!(route.explain(&got).as_deref(), Some(why), "{route}");
        }
        let by_regex = Route::post("/items/{id}")
            .path_regex(r"^/items/\d+$")
            .header_regex("x-id", "^[a-f0-9]+$");
        assert_eq!(
            by_regex.explain(&got).as_deref(),
            Some("header x-id: expected ~^[a-f0-9]+$, got none")
        );
        assert_eq!(
            Route::any().path_regex("^/users/").explain(&got).as_deref(),
            Some("path: expected ~^/users/, got /items/7")
        );
        let fits = Route::post("/items/{id}")
            .path_prefix("/items/")
            .json_includes(&serde_json::json!({"name": "box"}));
        assert_eq!(fits.explain(&got), None);
        assert_eq!(
            fits.captures("/items/7").get("id").map(String::as_str),
            Some("7")
        );
    }

    #[test]
    #[should_panic(expected = "Route::header")]
    fn an_invalid_header_value_panics_where_it_is_written() {
        let _ = Route::any().header("x-key", "line\nbreak");
    }
}
