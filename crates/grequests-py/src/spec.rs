//! [`Spec`]: a request as the Python package hands it over, already in requests' terms
//! (pairs, bytes, seconds), and its translation into an engine [`RequestBuilder`].

use std::time::Duration;

use bytes::Bytes;
use grequests_core::multipart::{Form, Part};
use grequests_core::{Error, Input, RequestBuilder};
use pyo3::prelude::*;

use crate::client::NativeClient;
use crate::upload;
use grequests_core::http::header::CONTENT_LENGTH;

/// A body: bytes, or `(iterator of bytes, length if known)` to stream.
#[derive(FromPyObject)]
enum BodySpec {
    Bytes(Vec<u8>),
    Stream(Py<PyAny>, Option<u64>),
}

type Pairs = Option<Vec<(String, String)>>;
/// `(field, file name, content, content type)`.
type Files = Option<Vec<(String, Option<String>, BodySpec, Option<String>)>>;

/// One request: a `grequests_rs._prepare.RequestSpec`, read field by field by name.
#[derive(FromPyObject)]
pub(crate) struct Spec {
    client: Py<NativeClient>,
    method: String,
    url: String,
    params: Pairs,
    headers: Pairs,
    cookies: Pairs,
    body: Option<BodySpec>,
    form: Pairs,
    files: Files,
    auth: Option<(String, String)>,
    connect_timeout: Option<f64>,
    read_timeout: Option<f64>,
    allow_redirects: bool,
    stream: bool,
}

impl Spec {
    /// The engine's request. Input the engine refuses (a header with a line break) is kept
    /// in the request and reported as its failure.
    pub(crate) fn into_request(self) -> PyResult<RequestBuilder> {
        let client = self.client.get().client()?.clone();
        let mut request = client.request(self.method.as_str(), self.url.as_str());
        if let Some(params) = &self.params {
            request = request.params(params);
        }
        for (name, value) in self.headers.unwrap_or_default() {
            request = request.header(name, value);
        }
        for (name, value) in self.cookies.unwrap_or_default() {
            request = request.cookie(&name, &value);
        }
        match self.body {
            Some(BodySpec::Bytes(bytes)) => request = request.data(Bytes::from(bytes)),
            Some(BodySpec::Stream(chunks, length)) => {
                if let Some(length) = length {
                    request = request.header(CONTENT_LENGTH, length);
                }
                request = request.data(upload::streamed(chunks));
            }
            None => {}
        }
        match (self.files, &self.form) {
            (Some(files), form) => {
                let mut multipart = Form::new();
                for (name, value) in form.iter().flatten() {
                    multipart = multipart.text(name.clone(), value.clone());
                }
                for (field, file_name, content, content_type) in files {
                    let mut part = match content {
                        BodySpec::Bytes(bytes) => Part::bytes(bytes),
                        BodySpec::Stream(chunks, length) => {
                            Part::stream(upload::pulled(chunks), length)
                        }
                    };
                    if let Some(file_name) = file_name {
                        part = part.file_name(file_name);
                    }
                    if let Some(content_type) = content_type {
                        part = part.mime(content_type);
                    }
                    multipart = multipart.part(field, part);
                }
                request = request.multipart(multipart);
            }
            (None, Some(form)) => request = request.form(form),
            (None, None) => {}
        }
        if let Some((user, password)) = &self.auth {
            request = request.basic_auth(user, Some(password));
        }
        if let Some(seconds) = self.connect_timeout {
            request = match duration("connect", seconds) {
                Ok(timeout) => request.connect_timeout(timeout),
                Err(err) => request.fail_with(err),
            };
        }
        if let Some(seconds) = self.read_timeout {
            request = match duration("read", seconds) {
                Ok(timeout) => request.read_timeout(timeout),
                Err(err) => request.fail_with(err),
            };
        }
        Ok(request
            .allow_redirects(self.allow_redirects)
            .stream(self.stream))
    }
}

/// A timeout in seconds as a duration, or a builder error about [`Input::Timeout`] naming
/// `which` one (`connect`, `read`) in requests' words.
fn duration(which: &str, seconds: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        Error::invalid(
            Input::Timeout,
            format!("Timeout value {which} was {seconds}, but it must be a non-negative number of seconds or None"),
        )
    })
}
