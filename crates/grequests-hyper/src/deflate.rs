//! `Content-Encoding: deflate` as servers really send it: RFC 9110 says zlib-wrapped, some
//! servers send a raw deflate stream. Like urllib3, the first bytes decide.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use async_compression::tokio::bufread::{DeflateDecoder, ZlibDecoder};
use tokio::io::{AsyncBufRead, AsyncRead, BufReader, ReadBuf};

type Reader = Pin<Box<dyn AsyncBufRead + Send + Sync>>;

/// A deflate decoder that picks zlib or raw deflate from the stream's first two bytes.
pub(crate) struct AnyDeflate {
    state: State,
}

enum State {
    Sniffing(Option<Reader>),
    Decoding(Reader),
}

impl AnyDeflate {
    pub(crate) fn new(inner: Reader) -> Self {
        AnyDeflate {
            state: State::Sniffing(Some(inner)),
        }
    }
}

/// RFC 1950: compression method 8 with a window of at most 32 KiB, and a header checksum.
fn is_zlib(head: &[u8]) -> bool {
    match head {
        [cmf, flg, ..] => {
            cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0
        }
        [cmf] => cmf & 0x0f == 8 && cmf >> 4 <= 7,
        [] => true,
    }
}

impl AsyncRead for AnyDeflate {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            match &mut self.state {
                State::Decoding(reader) => return reader.as_mut().poll_read(cx, buf),
                State::Sniffing(slot) => {
                    let Some(reader) = slot.as_mut() else {
                        return Poll::Ready(Ok(()));
                    };
                    let zlib = is_zlib(ready!(reader.as_mut().poll_fill_buf(cx))?);
                    let Some(reader) = slot.take() else {
                        return Poll::Ready(Ok(()));
                    };
                    let decoder: Reader = if zlib {
                        Box::pin(BufReader::new(ZlibDecoder::new(reader)))
                    } else {
                        Box::pin(BufReader::new(DeflateDecoder::new(reader)))
                    };
                    self.state = State::Decoding(decoder);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_zlib;

    #[test]
    fn zlib_headers_are_told_from_raw_deflate() {
        assert!(is_zlib(&[0x78, 0x9c]));
        assert!(is_zlib(&[0x78, 0x01]));
        assert!(is_zlib(&[0x78, 0xda]));
        // A raw deflate stream of a fixed-Huffman final block.
        assert!(!is_zlib(&[0xcb, 0x48]));
        assert!(!is_zlib(&[0x78, 0x9d]));
    }
}
