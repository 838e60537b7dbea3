//! `(key, value)` pairs for query strings and forms from any serde value, the way requests
//! takes `params=` and `data=`: a list value repeats its key, `None` drops it.

use serde::{ser, Serialize};
use serde_json::Value;

/// The pairs of `value`: a sequence of `(key, value)` tuples, a map or a struct, in their
/// order. A value may be text, a number, a bool, `None` (the pair is left out) or a list of
/// those (the key is repeated, `multi=1&multi=2`).
pub(crate) fn pairs<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    value.serialize(Outer { out: &mut out }).map_err(|e| e.0)?;
    Ok(out)
}

/// Why a value is not pairs.
#[derive(Debug)]
struct NotPairs(String);

impl std::fmt::Display for NotPairs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotPairs {}

impl ser::Error for NotPairs {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NotPairs(msg.to_string())
    }
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, NotPairs> {
    serde_json::to_value(value).map_err(|e| NotPairs(e.to_string()))
}

/// The outer level, which keeps the order of a struct's fields and a map's entries (a JSON
/// object would sort them); each value is read through `serde_json::Value`.
struct Outer<'a> {
    out: &'a mut Vec<(String, String)>,
}

fn not_pairs<T>(what: &str) -> Result<T, NotPairs> {
    Err(NotPairs(format!(
        "expected (key, value) pairs, a map or a struct, got {what}"
    )))
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ok, NotPairs> {
            not_pairs(stringify!($method))
        }
    )*};
}

impl<'a> ser::Serializer for Outer<'a> {
    type Ok = ();
    type Error = NotPairs;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = ser::Impossible<(), NotPairs>;
    type SerializeTupleVariant = ser::Impossible<(), NotPairs>;
    type SerializeMap = OuterMap<'a>;
    type SerializeStruct = Self;
    type SerializeStructVariant = ser::Impossible<(), NotPairs>;

    refuse! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_none(self) -> Result<(), NotPairs> {
        Ok(())
    }

    fn serialize_unit(self) -> Result<(), NotPairs> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NotPairs> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotPairs> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotPairs> {
        not_pairs("an enum variant")
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self, NotPairs> {
        Ok(self)
    }

    /// An array of pairs, `&[("k", "v")]`, is a tuple to serde.
    fn serialize_tuple(self, _: usize) -> Result<Self, NotPairs> {
        Ok(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<OuterMap<'a>, NotPairs> {
        Ok(OuterMap {
            out: self.out,
            key: None,
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NotPairs> {
        Ok(self)
    }
}

impl ser::SerializeSeq for Outer<'_> {
    type Ok = ();
    type Error = NotPairs;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, pair: &T) -> Result<(), NotPairs> {
        match to_value(pair)? {
            Value::Array(pair) if pair.len() == 2 => {
                let mut pair = pair.into_iter();
                let (Some(key), Some(value)) = (pair.next(), pair.next()) else {
                    return not_pairs("a pair without two items");
                };
                let key = scalar(key)?.ok_or(NotPairs("a key can't be None".into()))?;
                push(self.out, key, value)
            }
            other => not_pairs(&other.to_string()),
        }
    }

    fn end(self) -> Result<(), NotPairs> {
        Ok(())
    }
}

impl ser::SerializeTuple for Outer<'_> {
    type Ok = ();
    type Error = NotPairs;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, pair: &T) -> Result<(), NotPairs> {
        ser::SerializeSeq::serialize_element(self, pair)
    }

    fn end(self) -> Result<(), NotPairs> {
        Ok(())
    }
}

impl ser::SerializeStruct for Outer<'_> {
    type Ok = ();
    type Error = NotPairs;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotPairs> {
        push(self.out, key.to_owned(), to_value(value)?)
    }

    fn end(self) -> Result<(), NotPairs> {
        Ok(())
    }
}

/// A map's entries, in the map's order.
struct OuterMap<'a> {
    out: &'a mut Vec<(String, String)>,
    key: Option<String>,
}

impl ser::SerializeMap for OuterMap<'_> {
    type Ok = ();
    type Error = NotPairs;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), NotPairs> {
        self.key = Some(scalar(to_value(key)?)?.ok_or(NotPairs("a key can't be None".into()))?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NotPairs> {
        let key = self
            .key
            .take()
            .ok_or(NotPairs("a value without a key".into()))?;
        push(self.out, key, to_value(value)?)
    }

    fn end(self) -> Result<(), NotPairs> {
        Ok(())
    }
}

fn push(out: &mut Vec<(String, String)>, key: String, value: Value) -> Result<(), NotPairs> {
    match value {
        Value::Array(values) => {
            for value in values {
                if let Some(text) = scalar(value)? {
                    out.push((key.clone(), text));
                }
            }
        }
        value => {
            if let Some(text) = scalar(value)? {
                out.push((key, text));
            }
        }
    }
    Ok(())
}

/// Text for one value; `None` for a null.
fn scalar(value: Value) -> Result<Option<String>, NotPairs> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(NotPairs(format!(
            "unsupported value {other}: use text, numbers, bools or lists of them"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_repeat_their_key_and_none_is_dropped() {
        let got = pairs(&[("multi", vec![Some("1"), None, Some("2")])]);
        assert_eq!(
            got,
            Ok(vec![
                ("multi".into(), "1".into()),
                ("multi".into(), "2".into())
            ])
        );
        let got = pairs(&[("a", ["x", "y"])]);
        assert_eq!(
            got,
            Ok(vec![("a".into(), "x".into()), ("a".into(), "y".into())])
        );
        let got = pairs(&[("n", Some(2)), ("gone", None)]);
        assert_eq!(got, Ok(vec![("n".into(), "2".into())]));
    }

    #[test]
    fn maps_and_structs_are_pairs_too() {
        #[derive(Serialize)]
        struct Query {
            q: &'static str,
            page: u32,
            safe: Option<bool>,
        }
        let got = pairs(&Query {
            q: "rust",
            page: 2,
            safe: None,
        });
        assert_eq!(
            got,
            Ok(vec![
                ("q".into(), "rust".into()),
                ("page".into(), "2".into())
            ])
        );
    }

    #[test]
    fn nested_values_are_refused() {
        assert!(pairs(&[("a", [[1, 2]])]).is_err());
        assert!(pairs(&"text").is_err());
    }
}
