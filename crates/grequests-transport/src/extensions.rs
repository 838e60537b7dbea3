//! What a transport may put in a response's extensions for the client to find.

/// The address of the peer a response came from, which a transport puts in the response's
/// extensions when it knows it: the core's
/// `Response::remote_addr` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteAddr(pub std::net::SocketAddr);

/// A reason phrase other than the status' canonical one, as the server sent it; transports
/// put it in the response's extensions (hyper's `ReasonPhrase` for HTTP/1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonPhrase(String);

impl ReasonPhrase {
    /// The phrase; bytes that are not UTF-8 become U+FFFD.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        ReasonPhrase(String::from_utf8_lossy(bytes).into_owned())
    }

    /// The phrase as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
