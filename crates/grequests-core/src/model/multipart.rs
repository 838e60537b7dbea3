//! `multipart/form-data` bodies: requests' `files=`.
//!
//! ```
//! use grequests_core::multipart::{Form, Part};
//! let form = Form::new()
//!     .text("title", "report")
//!     .part("file", Part::bytes(&b"a,b\n1,2\n"[..]).file_name("data.csv").mime("text/csv"));
//! # drop(form);
//! ```

use std::borrow::Cow;
use std::path::Path;

use bytes::{BufMut, Bytes, BytesMut};

use crate::error::{Error, Result};

/// A multipart form: named text fields and file parts, sent in the order added.
#[derive(Debug, Default)]
pub struct Form {
    parts: Vec<(String, Part)>,
    error: Option<Error>,
}

/// One part of a [`Form`].
#[derive(Debug, Clone)]
pub struct Part {
    data: Bytes,
    file_name: Option<String>,
    mime: Option<String>,
    /// A bytes part is a file part: without a file name of its own it is sent with the
    /// field's name as its file name, as requests sends `files={'file': b'...'}`.
    is_file: bool,
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file from memory, as requests' `files={name: data}`: the server sees a file
    /// named `name`.
    pub fn bytes(self, name: impl Into<String>, data: impl Into<Bytes>) -> Self {
        self.part(name, Part::bytes(data))
    }

    /// Adds a text field.
    pub fn text(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.part(name, Part::text(value))
    }

    /// Adds a part.
    pub fn part(mut self, name: impl Into<String>, part: Part) -> Self {
        self.parts.push((name.into(), part));
        self
    }

    /// Adds a file read from disk now, named after its file name, with a content type
    /// guessed from its extension. A file that cannot be read makes the request fail.
    pub fn file(mut self, name: impl Into<String>, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        match std::fs::read(path) {
            Ok(data) => {
                let mut part = Part::bytes(data).mime(guess_mime(path));
                if let Some(file_name) = path.file_name() {
                    part = part.file_name(file_name.to_string_lossy());
                }
                self.part(name, part)
            }
            Err(e) => {
                self.error.get_or_insert(Error::builder(format!(
                    "can't read {} for a multipart form: {e}",
                    path.display()
                )));
                self
            }
        }
    }

    /// The `Content-Type` header value and the encoded body.
    pub(crate) fn encode(self) -> Result<(String, Bytes)> {
        if let Some(err) = self.error {
            return Err(err);
        }
        let boundary = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let mut out = BytesMut::new();
        for (name, part) in &self.parts {
            out.put_slice(b"--");
            out.put_slice(boundary.as_bytes());
            out.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
            out.put_slice(escape(name).as_bytes());
            out.put_slice(b"\"");
            let file_name = part
                .file_name
                .as_deref()
                .or(part.is_file.then_some(name.as_str()));
            if let Some(file_name) = file_name {
                out.put_slice(b"; filename=\"");
                out.put_slice(escape(file_name).as_bytes());
                out.put_slice(b"\"");
            }
            if let Some(mime) = &part.mime {
                out.put_slice(b"\r\nContent-Type: ");
                out.put_slice(escape(mime).as_bytes());
            }
            out.put_slice(b"\r\n\r\n");
            out.put_slice(&part.data);
            out.put_slice(b"\r\n");
        }
        out.put_slice(b"--");
        out.put_slice(boundary.as_bytes());
        out.put_slice(b"--\r\n");
        Ok((
            format!("multipart/form-data; boundary={boundary}"),
            out.freeze(),
        ))
    }
}

impl Part {
    /// A part holding text.
    pub fn text(value: impl Into<String>) -> Self {
        Part {
            data: Bytes::from(value.into()),
            file_name: None,
            mime: None,
            is_file: false,
        }
    }

    /// A file part holding bytes, as requests' `files={'name': b'...'}`: sent with a
    /// file name (the field's name unless [`file_name`](Part::file_name) says otherwise),
    /// so a server sees an uploaded file, not a form field.
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        Part {
            data: data.into(),
            file_name: None,
            mime: None,
            is_file: true,
        }
    }

    /// The file name the server sees.
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The part's content type.
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = Some(mime.into());
        self
    }
}

/// Quotes and line breaks would end the header early: percent-encode them, as browsers do.
fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['"', '\r', '\n']) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace('"', "%22")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
}

fn guess_mime(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("txt") => "text/plain",
        Some("csv") => "text/csv",
        Some("html" | "htm") => "text/html",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        Some("gz") => "application/gzip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_fields_and_files_with_one_boundary() {
        let (content_type, body) = Form::new()
            .text("a", "1")
            .part(
                "f",
                Part::bytes(&b"xyz"[..])
                    .file_name("x\".txt")
                    .mime("text/plain"),
            )
            .encode()
            .unwrap_or_else(|e| panic!("{e}"));
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap_or_else(|| panic!("{content_type}"));
        let expected = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x%22.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nxyz\r\n--{b}--\r\n",
            b = boundary
        );
        assert_eq!(std::str::from_utf8(&body).ok(), Some(expected.as_str()));
    }

    #[test]
    fn a_missing_file_is_a_builder_error() {
        let err = Form::new()
            .file("f", "/nonexistent/grequests-test-file")
            .encode()
            .err();
        assert!(err.is_some_and(|e| e.is_builder()));
    }
}
