//! The behaviours, one per path.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{bombs, read_body, RawRequest, MAX_BYTES, MAX_CONNECTION_TIME};

/// Every path the server knows, with what it does.
pub const PATHS: &[(&str, &str)] = &[
    ("/ok", "200 with a 2-byte body, keep-alive"),
    (
        "/garbage-status",
        "a status line whose code is not a number",
    ),
    ("/status-000", "status 000"),
    ("/http09", "an HTTP/0.9 reply: a body with no head"),
    ("/nul-header", "a NUL byte in a header value"),
    ("/bare-cr", "a bare CR in a header value"),
    ("/obs-fold", "a header folded onto a second line (obs-fold)"),
    ("/many-headers", "10 000 headers"),
    ("/huge-header", "one header line of 1 MiB"),
    ("/conflicting-length", "two different Content-Lengths"),
    ("/signed-length", "Content-Length: +5"),
    ("/short-body", "Content-Length 100, 10 bytes, close"),
    ("/long-body", "Content-Length 5, more bytes than that"),
    ("/bad-chunk-size", "a chunk size that is not hex"),
    ("/negative-chunk", "a negative chunk size"),
    ("/overflow-chunk", "a chunk size past 64 bits"),
    ("/chunk-extension-flood", "1 MiB of chunk extensions"),
    ("/trailer-flood", "10 000 trailer fields"),
    (
        "/truncated-chunked",
        "a chunked body cut off before its last chunk",
    ),
    ("/reset-before-head", "a TCP reset instead of an answer"),
    (
        "/reset-mid-body",
        "a TCP reset 10 bytes into a 1 000-byte body",
    ),
    (
        "/close-without-answer",
        "the connection closed without an answer",
    ),
    ("/never-answer", "silence, the connection held open"),
    (
        "/stall-mid-body",
        "10 bytes of a 1 000-byte body, then silence, the connection held open",
    ),
    ("/slow-headers", "the head, one byte every 100 ms"),
    ("/slow-body", "a 1 MB body, one byte every 100 ms"),
    ("/endless-1xx", "100 Continue, again and again"),
    (
        "/endless-chunked",
        "a chunked body that never ends, as fast as it goes",
    ),
    (
        "/huge-length",
        "Content-Length 2 GiB, sent as fast as it goes",
    ),
    (
        "/gzip-bomb",
        "gzip, one layer: 10 MiB that decode to 10 GiB",
    ),
    (
        "/gzip-nested-bomb",
        "gzip three times over 4 GiB of zeros, a few KiB",
    ),
    (
        "/gzip-small-nested",
        "gzip three times over 256 KiB of zeros: legitimate",
    ),
    (
        "/brotli-bomb",
        "brotli over 64 MiB of zeros, a few dozen bytes",
    ),
    (
        "/gzip-empty",
        "Content-Encoding: gzip and Content-Length: 0",
    ),
    ("/too-many-encodings", "gzip listed six times"),
    ("/lying-encoding", "Content-Encoding: gzip over plain text"),
    ("/redirect-loop", "a 302 to itself"),
    ("/redirect-chain/{n}", "a chain of n 302s, then /ok"),
    ("/redirect-file", "a 302 to file:///etc/passwd"),
    ("/redirect-ftp", "a 302 to ftp:"),
    ("/redirect-javascript", "a 302 to javascript:"),
    ("/redirect-data", "a 302 to data:"),
    ("/redirect-empty", "a 302 with an empty Location"),
    ("/redirect-garbage", "a 302 whose Location is not a URL"),
    ("/redirect-trickle", "a 302 to /ok whose 1 MB body trickles"),
    ("/set-cookie-flood", "99 new 1 KB cookies per response"),
    (
        "/cookie-length",
        "answers with the length of the Cookie header it got",
    ),
    (
        "/stale",
        "200 with Content-Length, then a silent close (no Connection: close)",
    ),
    (
        "/post-then-close",
        "reads the whole request body, then closes without answering",
    ),
];

/// What happens to the connection after a behaviour.
pub(crate) enum Next {
    KeepAlive,
    Close,
    Reset,
}

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

pub(crate) async fn respond(
    stream: &mut TcpStream,
    request: &RawRequest,
    buffer: &mut Vec<u8>,
) -> io::Result<Next> {
    let path = request.path.split('?').next().unwrap_or("");
    if let Some(n) = path.strip_prefix("/redirect-chain/") {
        let n: u32 = n.parse().unwrap_or(0);
        let location = if n == 0 {
            "/ok".to_owned()
        } else {
            format!("/redirect-chain/{}", n - 1)
        };
        return redirect(stream, &location).await;
    }
    read_body(stream, request, buffer).await?;
    let raw = |bytes: &[u8]| bytes.to_vec();
    let close_after = |bytes: Vec<u8>| (bytes, Next::Close);
    let (bytes, next) = match path {
        "/ok" => (raw(OK), Next::KeepAlive),
        "/garbage-status" => close_after(raw(b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n")),
        "/status-000" => close_after(raw(b"HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n")),
        "/http09" => close_after(raw(b"hello, this is HTTP/0.9\n")),
        "/nul-header" => close_after(with_header(b"X-A: a\0b")),
        "/bare-cr" => close_after(with_header(b"X-A: a\rb")),
        "/obs-fold" => close_after(with_header(b"X-A: a\r\n b")),
        "/many-headers" => {
            let lines: Vec<u8> = (0..10_000)
                .flat_map(|i| format!("X-N{i}: n\r\n").into_bytes())
                .collect();
            close_after(with_header(&lines[..lines.len() - 2]))
        }
        "/huge-header" => {
            let mut line = b"X-Big: ".to_vec();
            line.resize(1 << 20, b'a');
            close_after(with_header(&line))
        }
        "/conflicting-length" => close_after(raw(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        )),
        "/signed-length" => close_after(raw(b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello")),
        "/short-body" => close_after(raw(
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789",
        )),
        "/long-body" => close_after(raw(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello world, and more",
        )),
        "/bad-chunk-size" => close_after(chunked(b"zz\r\nhello\r\n0\r\n\r\n")),
        "/negative-chunk" => close_after(chunked(b"-5\r\nhello\r\n0\r\n\r\n")),
        "/overflow-chunk" => close_after(chunked(b"FFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n")),
        "/chunk-extension-flood" => {
            let mut body = b"1".to_vec();
            for _ in 0..(1 << 18) {
                body.extend_from_slice(b";a=b");
            }
            body.extend_from_slice(b"\r\nx\r\n0\r\n\r\n");
            close_after(chunked(&body))
        }
        "/trailer-flood" => {
            let mut body = b"5\r\nhello\r\n0\r\n".to_vec();
            for i in 0..10_000 {
                body.extend_from_slice(format!("X-T{i}: t\r\n").as_bytes());
            }
            body.extend_from_slice(b"\r\n");
            close_after(chunked(&body))
        }
        "/truncated-chunked" => close_after(chunked(b"5\r\nhello\r\n")),
        "/reset-before-head" => return Ok(Next::Reset),
        "/reset-mid-body" => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
                .await?;
            stream.flush().await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
            return Ok(Next::Reset);
        }
        "/close-without-answer" => return Ok(Next::Close),
        "/never-answer" => {
            tokio::time::sleep(MAX_CONNECTION_TIME).await;
            return Ok(Next::Close);
        }
        "/stall-mid-body" => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
                .await?;
            stream.flush().await?;
            tokio::time::sleep(MAX_CONNECTION_TIME).await;
            return Ok(Next::Close);
        }
        "/slow-headers" => {
            return trickle(
                stream,
                b"HTTP/1.1 200 OK\r\nX-Slow: yes\r\nContent-Length: 2\r\n\r\nok",
            )
            .await
        }
        "/slow-body" => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
                .await?;
            return trickle(stream, &[b'x'; 1_000_000]).await;
        }
        "/endless-1xx" => return endless(stream, b"", b"HTTP/1.1 100 Continue\r\n\r\n").await,
        "/endless-chunked" => {
            let chunk = chunk_of(&[b'x'; 64 * 1024]);
            return endless(
                stream,
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                &chunk,
            )
            .await;
        }
        "/huge-length" => {
            return endless(
                stream,
                b"HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n",
                &[b'x'; 64 * 1024],
            )
            .await
        }
        "/gzip-bomb" => {
            let member = bombs::zeros_member();
            let count = 10 * 1024;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                member.len() * count
            );
            stream.write_all(head.as_bytes()).await?;
            for _ in 0..count {
                stream.write_all(member).await?;
            }
            return Ok(Next::Close);
        }
        "/gzip-nested-bomb" => close_after(encoded("gzip, gzip, gzip", bombs::nested_zeros())),
        "/gzip-small-nested" => {
            close_after(encoded("gzip, gzip, gzip", bombs::small_nested_zeros()))
        }
        "/brotli-bomb" => close_after(encoded("br", bombs::brotli_zeros())),
        "/zstd-bomb" => close_after(encoded("zstd", bombs::zstd_zeros())),
        "/gzip-empty" => (
            raw(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n"),
            Next::KeepAlive,
        ),
        "/too-many-encodings" => close_after(encoded(
            "gzip, gzip, gzip, gzip, gzip, gzip",
            &bombs::gzip(b"hello"),
        )),
        "/lying-encoding" => close_after(encoded("gzip", b"this is not gzip at all")),
        "/redirect-loop" => return redirect(stream, "/redirect-loop").await,
        "/redirect-file" => return redirect(stream, "file:///etc/passwd").await,
        "/redirect-ftp" => return redirect(stream, "ftp://127.0.0.1/x").await,
        "/redirect-javascript" => return redirect(stream, "javascript:alert(1)").await,
        "/redirect-data" => return redirect(stream, "data:text/plain,hi").await,
        "/redirect-empty" => return redirect(stream, "").await,
        "/redirect-garbage" => return redirect(stream, "http://[::1").await,
        "/redirect-trickle" => {
            stream
                .write_all(
                    b"HTTP/1.1 302 Found\r\nLocation: /ok\r\nContent-Length: 1000000\r\n\r\n",
                )
                .await?;
            return trickle(stream, &[b'x'; 1_000_000]).await;
        }
        "/set-cookie-flood" => {
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let mut head = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n".to_vec();
            for _ in 0..99 {
                let id = NEXT.fetch_add(1, Ordering::Relaxed);
                head.extend_from_slice(
                    format!("Set-Cookie: c{id}={}\r\n", "v".repeat(1000)).as_bytes(),
                );
            }
            head.extend_from_slice(b"\r\nok");
            (head, Next::KeepAlive)
        }
        "/cookie-length" => {
            let length = request.header("cookie").map_or(0, str::len).to_string();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{length}",
                length.len()
            );
            (head.into_bytes(), Next::KeepAlive)
        }
        "/custom-reason" => (
            raw(b"HTTP/1.1 599 UNKNOWN\r\nContent-Length: 0\r\n\r\n"),
            Next::KeepAlive,
        ),
        "/stale" => {
            // Closed a moment after the answer, as a keep-alive timeout firing just as the
            // client sends its next request: that request is never read, and the close
            // becomes a reset.
            stream.write_all(OK).await?;
            stream.flush().await?;
            tokio::time::sleep(Duration::from_millis(1)).await;
            return Ok(Next::Close);
        }
        "/post-then-close" => return Ok(Next::Close),
        _ => close_after(raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")),
    };
    stream.write_all(&bytes).await?;
    stream.flush().await?;
    Ok(next)
}

/// A 200 head with one more header line, and an empty body.
fn with_header(line: &[u8]) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
    out.extend_from_slice(line);
    out.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
    out
}

fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    out.extend_from_slice(body);
    out
}

fn chunk_of(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

fn encoded(coding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

async fn redirect(stream: &mut TcpStream, location: &str) -> io::Result<Next> {
    let head = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
    stream.write_all(head.as_bytes()).await?;
    Ok(Next::KeepAlive)
}

/// Sends `bytes` one every 100 ms.
async fn trickle(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<Next> {
    for byte in bytes {
        stream.write_all(std::slice::from_ref(byte)).await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(Next::Close)
}

/// Sends `head`, then `block` again and again until the client goes or [`MAX_BYTES`].
async fn endless(stream: &mut TcpStream, head: &[u8], block: &[u8]) -> io::Result<Next> {
    stream.write_all(head).await?;
    let mut sent = 0u64;
    while sent < MAX_BYTES {
        stream.write_all(block).await?;
        sent += block.len() as u64;
    }
    Ok(Next::Close)
}
