//! `multipart/form-data` bodies: requests' `files=`.
//!
//! Parts in memory make a buffered body, which a redirect or a retry can send again. A part
//! read from a file ([`Part::file`], [`Form::file`]) or a stream ([`Part::stream`]) makes
//! the form a stream: the file is read asynchronously, chunk by chunk, as the body is sent,
//! never held in memory whole. When every part's length is known the request still carries
//! a `Content-Length`.
//!
//! ```
//! use grequests_core::multipart::{Form, Part};
//! let form = Form::new()
//!     .text("title", "report")
//!     .part("file", Part::bytes(&b"a,b\n1,2\n"[..]).file_name("data.csv").mime("text/csv"));
//! # drop(form);
//! ```

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use bytes::{BufMut, Bytes, BytesMut};
use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt};

use crate::Body;
use crate::{BoxError, Error, Result};

/// A multipart form: named text fields and file parts, sent in the order added.
#[derive(Debug, Default)]
pub struct Form {
    parts: Vec<(String, Part)>,
    error: Option<Error>,
}

/// One part of a [`Form`].
#[derive(Debug)]
pub struct Part {
    content: Content,
    file_name: Option<String>,
    mime: Option<String>,
    /// A bytes part is a file part: without a file name of its own it is sent with the
    /// field's name as its file name, as requests sends `files={'file': b'...'}`.
    is_file: bool,
}

type ChunkStream = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, BoxError>> + Send>>;

enum Content {
    Bytes(Bytes),
    /// Read when the body is sent; its length, when known.
    File(PathBuf, Option<u64>),
    Stream(ChunkStream, Option<u64>),
}

impl Content {
    fn len(&self) -> Option<u64> {
        match self {
            Content::Bytes(bytes) => Some(bytes.len() as u64),
            Content::File(_, len) | Content::Stream(_, len) => *len,
        }
    }
}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Content::Bytes(bytes) => write!(f, "Bytes({})", bytes.len()),
            Content::File(path, _) => write!(f, "File({})", path.display()),
            Content::Stream(_, len) => write!(f, "Stream({len:?})"),
        }
    }
}

/// An encoded form: its `Content-Type`, its body and, when known, its length.
pub(crate) struct Encoded {
    pub(crate) content_type: String,
    pub(crate) body: Body,
    pub(crate) length: Option<u64>,
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

    /// Adds a file from disk, named after its file name, with a content type guessed from
    /// its extension: [`Part::file`]. A file that does not exist now makes the request fail
    /// as a [builder error](Error::is_builder).
    pub fn file(mut self, name: impl Into<String>, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => self.part(name, Part::file(path)),
            Ok(_) => {
                self.error.get_or_insert(Error::invalid(
                    crate::Input::Body,
                    format!("{} is not a file, for a multipart form", path.display()),
                ));
                self
            }
            Err(e) => {
                self.error.get_or_insert(Error::invalid(
                    crate::Input::Body,
                    format!("can't read {} for a multipart form: {e}", path.display()),
                ));
                self
            }
        }
    }

    /// The `Content-Type`, the body and its length: buffered when every part is in memory,
    /// otherwise a stream that reads files and streams as it is sent.
    pub(crate) fn encode(self) -> Result<Encoded> {
        if let Some(err) = self.error {
            return Err(err);
        }
        let boundary = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let mut segments: Vec<Content> = Vec::new();
        let mut pending = BytesMut::new();
        for (name, part) in self.parts {
            pending.put_slice(b"--");
            pending.put_slice(boundary.as_bytes());
            pending.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
            pending.put_slice(escape(&name).as_bytes());
            pending.put_slice(b"\"");
            let file_name = part
                .file_name
                .as_deref()
                .or(part.is_file.then_some(name.as_str()));
            if let Some(file_name) = file_name {
                pending.put_slice(b"; filename=\"");
                pending.put_slice(escape(file_name).as_bytes());
                pending.put_slice(b"\"");
            }
            if let Some(mime) = &part.mime {
                pending.put_slice(b"\r\nContent-Type: ");
                pending.put_slice(escape(mime).as_bytes());
            }
            pending.put_slice(b"\r\n\r\n");
            match part.content {
                Content::Bytes(bytes) => pending.put_slice(&bytes),
                streamed => {
                    segments.push(Content::Bytes(pending.split().freeze()));
                    segments.push(streamed);
                }
            }
            pending.put_slice(b"\r\n");
        }
        pending.put_slice(b"--");
        pending.put_slice(boundary.as_bytes());
        pending.put_slice(b"--\r\n");
        segments.push(Content::Bytes(pending.freeze()));
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let length = segments.iter().map(Content::len).sum::<Option<u64>>();
        let body = match segments.as_slice() {
            [Content::Bytes(_)] => match segments.pop() {
                Some(Content::Bytes(bytes)) => Body::from(bytes),
                _ => Body::empty(),
            },
            _ => Body::from_stream(futures_util::stream::iter(segments).flat_map(segment)),
        };
        Ok(Encoded {
            content_type,
            body,
            length,
        })
    }
}

/// The chunks of one segment of a streamed form; a file is opened when its turn comes.
fn segment(content: Content) -> ChunkStream {
    match content {
        Content::Bytes(bytes) => Box::pin(futures_util::stream::once(async move { Ok(bytes) })),
        Content::Stream(stream, _) => stream,
        Content::File(path, _) => Box::pin(
            futures_util::stream::once(async move {
                let file = tokio::fs::File::open(&path).await.map_err(|e| {
                    BoxError::from(format!(
                        "can't read {} for a multipart form: {e}",
                        path.display()
                    ))
                })?;
                Ok::<_, BoxError>(tokio_util::io::ReaderStream::new(file).map_err(BoxError::from))
            })
            .try_flatten(),
        ),
    }
}

impl Part {
    /// A part holding text.
    pub fn text(value: impl Into<String>) -> Self {
        Part {
            content: Content::Bytes(Bytes::from(value.into())),
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
            content: Content::Bytes(data.into()),
            file_name: None,
            mime: None,
            is_file: true,
        }
    }

    /// A file part read from disk as the body is sent, chunk by chunk (never whole in
    /// memory), named after the file, with a content type guessed from its extension. A
    /// file that can't be read then fails the request as a [body error](Error::is_body).
    ///
    /// ```no_run
    /// use grequests_core::multipart::{Form, Part};
    /// let form = Form::new().part("upload", Part::file("/var/backups/db.tar.gz"));
    /// # drop(form);
    /// ```
    pub fn file(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let len = std::fs::metadata(path).ok().map(|m| m.len());
        Part {
            content: Content::File(path.to_owned(), len),
            file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            mime: Some(guess_mime(path).to_owned()),
            is_file: true,
        }
    }

    /// A file part whose content comes from `stream` as the body is sent; `length`, when
    /// given, lets the request carry a `Content-Length`. A stream can be sent once: a
    /// redirect that must resend the body fails.
    ///
    /// ```
    /// use grequests_core::multipart::{Form, Part};
    /// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>("a,b\n"), Ok("1,2\n")]);
    /// let form = Form::new().part("data", Part::stream(chunks, Some(8)).file_name("data.csv"));
    /// # drop(form);
    /// ```
    pub fn stream<S, D, E>(stream: S, length: Option<u64>) -> Self
    where
        S: Stream<Item = std::result::Result<D, E>> + Send + 'static,
        D: Into<Bytes>,
        E: Into<BoxError>,
    {
        let stream = stream.map(|item| item.map(Into::into).map_err(Into::into));
        Part {
            content: Content::Stream(Box::pin(stream), length),
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
        let encoded = Form::new()
            .text("a", "1")
            .part(
                "f",
                Part::bytes(&b"xyz"[..])
                    .file_name("x\".txt")
                    .mime("text/plain"),
            )
            .encode()
            .unwrap_or_else(|e| panic!("{e}"));
        let (content_type, body) = (encoded.content_type, encoded.body);
        assert_eq!(encoded.length, body.as_bytes().map(|b| b.len() as u64));
        let body = body.as_bytes().map(<[u8]>::to_vec).unwrap_or_default();
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
