//! `--shard I/N`: which lines a machine fetches. A line belongs to the shard of its host,
//! so that every host lives in one shard and per-host politeness holds across machines
//! without coordination.
//!
//! The rule, reproducible by any tool: the first 8 bytes of SHA-256 of the lowercased
//! host (as the URL standard serialises it: IDNA names in punycode, IPv6 in brackets),
//! read as a big-endian integer, modulo N. A line without a host (a bad URL) hashes its
//! trimmed text instead. In a shell:
//!
//! ```text
//! printf %s example.com | sha256sum | cut -c1-16   # then: $(( 0x<that> % N )), unsigned
//! ```

use std::fmt;
use std::str::FromStr;

use ring::digest::{digest, SHA256};

/// Shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    /// Whether the line whose host (or, without one, trimmed text) is `key` belongs here.
    pub fn holds(&self, key: &str) -> bool {
        shard_of(key, self.count) == self.index
    }
}

/// The shard of `key` among `count`.
pub fn shard_of(key: &str, count: u64) -> u64 {
    let digest = digest(&SHA256, key.to_ascii_lowercase().as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest.as_ref()[..8]);
    u64::from_be_bytes(first) % count.max(1)
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not a shard: write I/N with 0 <= I < N, e.g. 0/4");
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = index.trim().parse().map_err(|_| bad())?;
        let count: u64 = count.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_of_the_lowercased_host() {
        // printf %s example.com | sha256sum: a379a6f6eeafb9a5...
        let expected = 0xa379_a6f6_eeaf_b9a5_u64 % 7;
        assert_eq!(shard_of("example.com", 7), expected);
        assert_eq!(shard_of("EXAMPLE.com", 7), expected);
    }

    #[test]
    fn every_key_is_in_exactly_one_shard() {
        let shards: Vec<Shard> = (0..5)
            .map(|i| format!("{i}/5").parse().expect("test value"))
            .collect();
        for host in [
            "a.test",
            "b.test",
            "xn--bcher-kva.example",
            "[::1]",
            "127.0.0.1",
        ] {
            assert_eq!(shards.iter().filter(|s| s.holds(host)).count(), 1, "{host}");
        }
    }

    #[test]
    fn bad_shards_are_refused() {
        for text in ["", "1", "5/5", "-1/3", "0/0", "a/b", "1/2/3"] {
            assert!(text.parse::<Shard>().is_err(), "{text}");
        }
        assert_eq!(
            "3/8".parse::<Shard>().map(|s| s.to_string()),
            Ok("3/8".into())
        );
    }
}
