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

mod decode;
mod low_speed;

pub use decode::DecodeLimits;
pub(crate) use low_speed::Guarded;
pub use low_speed::LowSpeedLimit;

/// The most bytes of a response body read into memory unless the client or the request says
/// otherwise: 64 MiB. A larger body fails as a [body error](crate::Error::is_body); use
/// [`stream`](crate::Request::stream) for large downloads, or raise the limit with
/// `max_body_size`.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 64 * 1024 * 1024;
