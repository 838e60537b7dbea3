//! [`Headers`]: a response's headers, as a `HeaderMap` or, for a response the caller keeps
//! (`map`), in a dense form: one buffer of lengths and bytes, a fraction of a `HeaderMap`'s
//! size. The map is built from it the first time someone asks for it.

use std::sync::OnceLock;

use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;

/// A response's headers.
pub(crate) enum Headers {
    /// A response nobody keeps: the map as the transport gave it.
    Map(HeaderMap),
    /// A kept response's.
    Dense(Dense),
}

/// Headers in the dense form.
pub(crate) struct Dense {
    /// Each header in the map's order: its name's length, its name (lowercase, as
    /// `HeaderName` has it), its value's length, its value; lengths as four little-endian
    /// bytes. One allocation per response kept (offsets of their own made it two).
    bytes: Box<[u8]>,
    /// Built on first ask. Boxed: most kept responses are never asked, and their slots
    /// should not hold room for a map.
    map: OnceLock<Box<HeaderMap>>,
}

impl Headers {
    /// Headers held as `map`. A plain variant, not a `OnceLock` set from the start: setting
    /// one goes through its `Once`, about 150 instructions a response.
    pub(crate) fn new(map: HeaderMap) -> Headers {
        Headers::Map(map)
    }

    /// Puts the headers in the dense form, the map dropped: for a response kept until its
    /// batch ends. Headers too large for 32-bit offsets stay a map.
    pub(crate) fn make_dense(&mut self) {
        let Headers::Map(map) = self else {
            return;
        };
        let size: usize = map
            .iter()
            .map(|(n, v)| 2 * LENGTH + n.as_str().len() + v.len())
            .sum();
        if u32::try_from(size).is_err() {
            return;
        }
        let mut bytes = Vec::with_capacity(size);
        for (name, value) in map.iter() {
            for field in [name.as_str().as_bytes(), value.as_bytes()] {
                // Within `u32`: so is the whole.
                bytes.extend_from_slice(&(field.len() as u32).to_le_bytes());
                bytes.extend_from_slice(field);
            }
        }
        *self = Headers::Dense(Dense {
            bytes: bytes.into_boxed_slice(),
            map: OnceLock::new(),
        });
    }

    /// The headers as a `HeaderMap`, built now if they are dense.
    pub(crate) fn map(&self) -> &HeaderMap {
        match self {
            Headers::Map(map) => map,
            Headers::Dense(dense) => dense.map.get_or_init(|| Box::new(dense.to_map())),
        }
    }

    /// Every header as (lowercase name, value), in the map's order, without building it.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &[u8])> {
        let (mapped, dense) = match self {
            Headers::Map(map) => (Some(map), None),
            Headers::Dense(dense) => (None, Some(dense)),
        };
        let mapped = mapped.into_iter().flat_map(|map| {
            map.iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes()))
        });
        mapped.chain(dense.into_iter().flat_map(Dense::pairs))
    }

    /// The values of the header `name` (in any case), in the order received.
    pub(crate) fn get_all<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a [u8]> + use<'a, 'n> {
        self.pairs()
            .filter(move |(stored, _)| stored.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// Each value of the header `name` that is text, by `HeaderValue::to_str`'s rule:
    /// visible ASCII, spaces and tabs.
    pub(crate) fn texts<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.get_all(name).filter_map(|value| {
            let visible = value
                .iter()
                .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b));
            visible.then(|| std::str::from_utf8(value).ok()).flatten()
        })
    }
}

impl Dense {
    fn pairs(&self) -> impl Iterator<Item = (&str, &[u8])> {
        let mut rest = &self.bytes[..];
        std::iter::from_fn(move || {
            let (name, after) = take_field(rest)?;
            let (value, after) = take_field(after)?;
            rest = after;
            Some((std::str::from_utf8(name).unwrap_or_default(), value))
        })
    }

    fn to_map(&self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(self.pairs().count());
        for (name, value) in self.pairs() {
            // Both came out of a `HeaderMap`, so both are valid.
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(value),
            ) {
                map.append(name, value);
            }
        }
        map
    }
}

/// The bytes of a field's length in the dense form.
const LENGTH: usize = 4;

/// The field at the start of `bytes` (its length, then itself), and what follows it.
fn take_field(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (length, rest) = bytes.split_first_chunk::<LENGTH>()?;
    let length = u32::from_le_bytes(*length) as usize;
    (length <= rest.len()).then(|| rest.split_at(length))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> HeaderMap {
        let mut map = HeaderMap::new();
        map.append("content-type", HeaderValue::from_static("text/plain"));
        map.append("set-cookie", HeaderValue::from_static("a=1"));
        map.append("set-cookie", HeaderValue::from_static("b=2"));
        map.append(
            "x-bin",
            HeaderValue::from_bytes(b"caf\xc3\xa9").expect("bytes above 0x7f are a valid value"),
        );
        map.append("x-empty", HeaderValue::from_static(""));
        map
    }

    #[test]
    fn the_dense_form_answers_as_the_map_does() {
        let map = Headers::new(sample());
        let mut dense = Headers::new(sample());
        dense.make_dense();
        assert!(
            matches!(dense, Headers::Dense(_)),
            "make_dense keeps no map"
        );
        for headers in [&map, &dense] {
            assert_eq!(
                headers.texts("Content-Type").collect::<Vec<_>>(),
                ["text/plain"]
            );
            assert_eq!(
                headers.texts("SET-COOKIE").collect::<Vec<_>>(),
                ["a=1", "b=2"]
            );
            assert_eq!(headers.texts("x-bin").count(), 0, "not visible ASCII");
            assert_eq!(headers.get_all("x-bin").next(), Some(&b"caf\xc3\xa9"[..]));
            assert_eq!(headers.texts("x-empty").collect::<Vec<_>>(), [""]);
            assert_eq!(headers.get_all("missing").count(), 0);
        }
        let pairs: Vec<_> = dense.pairs().collect();
        assert_eq!(pairs, map.pairs().collect::<Vec<_>>());
        assert_eq!(
            dense.map(),
            &sample(),
            "built on demand, equal to the original"
        );
        assert_eq!(
            dense.pairs().collect::<Vec<_>>(),
            pairs,
            "the same pairs after the map is built"
        );
    }

    #[test]
    fn no_headers_is_dense_too() {
        let mut dense = Headers::new(HeaderMap::new());
        dense.make_dense();
        assert_eq!(dense.pairs().count(), 0);
        assert!(dense.map().is_empty());
    }
}
