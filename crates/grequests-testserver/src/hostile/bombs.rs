//! Compressed payloads that expand far beyond their size, built once and cached.
//!
//! gzip allows members to follow one another, so one member of 1 MiB of zeros (about 1 KiB)
//! repeated makes a valid single-layer bomb of any size without compressing gigabytes.

use std::io::{Read, Write};
use std::sync::OnceLock;

use flate2::write::GzEncoder;
use flate2::Compression;

/// Builds every payload, so that serving one takes no time.
pub(crate) fn prepare() {
    let _ = (
        zeros_member(),
        nested_zeros(),
        small_nested_zeros(),
        brotli_zeros(),
        zstd_zeros(),
    );
}

/// One gzip member holding 1 MiB of zeros.
pub(crate) fn zeros_member() -> &'static [u8] {
    static MEMBER: OnceLock<Vec<u8>> = OnceLock::new();
    MEMBER.get_or_init(|| gzip(&vec![0u8; 1 << 20]))
}

/// Three gzip layers over 4 GiB of zeros, a few KiB on the wire.
pub(crate) fn nested_zeros() -> &'static [u8] {
    static NESTED: OnceLock<Vec<u8>> = OnceLock::new();
    NESTED.get_or_init(|| {
        let layer1 = zeros_member().repeat(4096);
        gzip(&gzip(&layer1))
    })
}

/// 256 KiB of zeros gzipped three times: legitimate, and must decode.
pub(crate) fn small_nested_zeros() -> &'static [u8] {
    static SMALL: OnceLock<Vec<u8>> = OnceLock::new();
    SMALL.get_or_init(|| gzip(&gzip(&gzip(&vec![0u8; 256 * 1024]))))
}

/// Brotli over 64 MiB of zeros, a few dozen bytes.
pub(crate) fn brotli_zeros() -> &'static [u8] {
    static BROTLI: OnceLock<Vec<u8>> = OnceLock::new();
    BROTLI.get_or_init(|| {
        let mut out = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut out, 1 << 16, 5, 22);
            let block = vec![0u8; 1 << 20];
            for _ in 0..64 {
                let _ = writer.write_all(&block);
            }
        }
        out
    })
}

/// zstd over 64 MiB of zeros, a few KiB.
pub(crate) fn zstd_zeros() -> &'static [u8] {
    static ZSTD: OnceLock<Vec<u8>> = OnceLock::new();
    ZSTD.get_or_init(|| zstd::encode_all(std::io::repeat(0).take(64 << 20), 3).unwrap_or_default())
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}
