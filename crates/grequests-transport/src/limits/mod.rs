//! The limits that keep a batch alive when a server is broken or hostile: how much of a body
//! is buffered, how far a compressed body may expand, and how slow a transfer may get.
//!
//! Each is on by default, and each can be changed or removed per client and per request:
//!
//! | limit | default | why this value |
//! |---|---|---|
//! | [buffered body](DEFAULT_MAX_BODY_SIZE) | 64 MiB | far above any page or API answer worth buffering, small enough that one bad server cannot take a batch's memory; stream larger downloads |
//! | [decompression](DecodeLimits) | 100:1 past 8 MiB decoded | Apache POI's zip-bomb ratio: real text compresses 3–30x, a bomb 1 000x per layer |
//! | [low speed](LowSpeedLimit) | 1 KiB per 60 s | what reverse proxies allow a silent upstream (nginx's and AWS ALB's 60 s), and far below any real link |
//! | [cookies per URL](MAX_COOKIES_PER_URL) | 180 | Chrome's per-domain limit |
//! | [cookie size](MAX_COOKIE_SIZE) | 4 096 bytes | RFC 6265 §6.1, as browsers |
//! | [Cookie header](MAX_COOKIE_HEADER) | 8 KiB | what servers commonly accept for one request header |
//!
//! Redirects are capped too (30, as requests; see the core's `redirect::Policy`),
//! and so are chained content encodings (5, urllib3's limit) in the default backend.

mod decode;
mod guarded;
mod low_speed;

pub use decode::DecodeLimits;
pub use guarded::{BodyGuards, GuardedBody};
pub use low_speed::LowSpeedLimit;

/// The most bytes of a response body read into memory unless the client or the request says
/// otherwise: 64 MiB. A larger body fails as a [body error](crate::Error::is_body); use
/// `RequestBuilder::stream` for large downloads, or raise the limit with
/// `max_body_size`.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 64 * 1024 * 1024;

/// The most cookies the jar sends to one URL (Chrome's per-domain limit); past it, new
/// cookies for that URL are ignored.
pub const MAX_COOKIES_PER_URL: usize = 180;

/// The longest cookie (name and value) the jar keeps, as browsers (RFC 6265 §6.1).
pub const MAX_COOKIE_SIZE: usize = 4096;

/// The longest `Cookie` header the jar builds; cookies past it are left out (servers
/// commonly refuse request headers over 8 KiB).
pub const MAX_COOKIE_HEADER: usize = 8 * 1024;
