//! [`DecodeLimits`]: how far a compressed response body may expand.

/// Limits on decompressing a response body (`Content-Encoding`), which a transport that
/// decodes must apply; found in a request's extensions when they differ from the defaults.
///
/// A decompression bomb (a few hundred bytes that decode to gigabytes) fails as a
/// [decode error](crate::Error::is_decode) once the decoded body is past
/// [`ratio_floor`](DecodeLimits::ratio_floor) and more than
/// [`max_ratio`](DecodeLimits::max_ratio) times the size of what was received, or past
/// [`max_decoded_size`](DecodeLimits::max_decoded_size).
///
/// ```
/// use grequests_core::DecodeLimits;
/// let limits = DecodeLimits::default();
/// assert_eq!(limits.max_ratio, Some(100));
/// assert_eq!(limits.ratio_floor, 8 * 1024 * 1024);
/// assert_eq!(limits.max_decoded_size, None);
/// assert!(limits.check(1024, 5 * 1024 * 1024).is_ok()); // under the floor
/// assert!(limits.check(1024, 9 * 1024 * 1024).is_err_and(|e| e.is_decode()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// The most decoded bytes per received byte, once past the floor; `None`: no ratio guard.
    pub max_ratio: Option<u32>,
    /// How many decoded bytes may be produced before the ratio is checked, so that small,
    /// very compressible bodies (a page of zeros) always decode.
    pub ratio_floor: u64,
    /// The most decoded bytes in total; `None`: no limit (a buffered body is bounded by
    /// `max_body_size` anyway).
    pub max_decoded_size: Option<u64>,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_ratio: Some(100),
            ratio_floor: 8 * 1024 * 1024,
            max_decoded_size: None,
        }
    }
}

impl DecodeLimits {
    /// No limit at all.
    pub const NONE: DecodeLimits = DecodeLimits {
        max_ratio: None,
        ratio_floor: 0,
        max_decoded_size: None,
    };

    /// The limits in a request's extensions, or the defaults.
    pub fn of<B>(request: &http::Request<B>) -> DecodeLimits {
        request
            .extensions()
            .get::<DecodeLimits>()
            .copied()
            .unwrap_or_default()
    }

    /// Checks `decoded` bytes produced from `encoded` received ones; the error names the
    /// limit and the setting that raises it.
    pub fn check(&self, encoded: u64, decoded: u64) -> crate::Result<()> {
        if let Some(max) = self.max_decoded_size {
            if decoded > max {
                return Err(crate::Error::decode(format!(
                    "decoded body is larger than the limit of {max} bytes (max_decoded_body_size)"
                )));
            }
        }
        if let Some(ratio) = self.max_ratio {
            if decoded > self.ratio_floor && decoded > encoded.saturating_mul(u64::from(ratio)) {
                return Err(crate::Error::decode(format!(
                    "decompression bomb: {encoded} received bytes decoded to {decoded} bytes, \
                     past the limit of {ratio}:1 (max_decompression_ratio)"
                )));
            }
        }
        Ok(())
    }
}
