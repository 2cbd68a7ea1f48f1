//! JSON reading shared by tokens, keys and sessions, shaped for a small WebAssembly build without
//! changing what is accepted: serde_json's generic code is instantiated once per visitor type, so
//! these helpers keep the number of visitor types down.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category;

/// What went wrong in a serde_json error, for error messages: its kind and position (line, column),
/// e.g. `a member is missing or has the wrong type (line 1, column 13)`. serde_json's own text is
/// not used: formatting it links `std::io::Error`'s messages (~1.3 KB gz) into the WebAssembly
/// build. The error codes do not depend on messages.
pub(crate) fn describe(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        Category::Data => "a member is missing, repeated or has the wrong type",
        Category::Syntax => "not valid JSON",
        Category::Eof => "the JSON ends early",
        Category::Io => "the JSON cannot be read",
    };
    format!("{what} (line {}, column {})", e.line(), e.column())
}

/// A JSON object as `T`. Unlike `serde_json::from_slice`, a derived struct is read from an object
/// only, never from an array (serde's positional form), which keeps that second code path per
/// struct out of the binary. Callers check that the text starts with `{` first, so what is accepted
/// and every error's category are those of `serde_json::from_slice`.
pub(crate) fn from_object<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize(ObjectOnly(&mut de))?;
    de.end()?;
    Ok(value)
}

/// Forwards to the inner deserializer, reading structs as maps.
struct ObjectOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// Any JSON value, parsed and checked exactly as `serde_json::Value` parses it (numbers in range,
/// escapes, nesting limit), keeping strings, arrays and objects (members in document order,
/// repeats included) but not the values of booleans and numbers. The one value type that the
/// JWKS reader and `aud` share, so serde_json's `deserialize_any` is instantiated once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Loose {
    /// Absent (never produced by parsing; the default of a member not seen).
    #[default]
    Absent,
    /// `null`.
    Null,
    /// A string.
    Str(String),
    /// A boolean or a number.
    Other,
    /// An array.
    List(Vec<Loose>),
    /// An object's members, in document order.
    Object(Vec<(Loose, Loose)>),
}

impl Loose {
    /// `None` for absent or `null`, the string, or `Err(())` for any other type.
    pub(crate) fn optional_string(self) -> Result<Option<String>, ()> {
        match self {
            Loose::Absent | Loose::Null => Ok(None),
            Loose::Str(s) => Ok(Some(s)),
            _ => Err(()),
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Loose, D::Error> {
        d.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Loose, E> {
        Ok(Loose::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Loose, E> {
        Ok(Loose::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Loose, E> {
        Ok(Loose::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Loose, E> {
        Ok(Loose::Other)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Loose, E> {
        Ok(Loose::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Loose>()? {
            items.push(item);
        }
        Ok(Loose::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
        let mut members = Vec::new();
        while let Some(name) = map.next_key::<Loose>()? {
            members.push((name, map.next_value::<Loose>()?));
        }
        Ok(Loose::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::Claims;

    #[test]
    fn objects_read_exactly_as_serde_json_reads_them() {
        for doc in [
            r#"{}"#,
            " \n\t{\"id\":1}",
            r#"{"id":1,"iat":1795701477,"exp":1795787877}"#,
            r#"{"id":1,"roles":["user","admin"],"aud":["a"],"iss":"i","sub":"2","jti":"j","nbf":1.5}"#,
            r#"{"id":1,"id":2}"#,
            r#"{"exp":"x"}"#,
            r#"{"exp":null}"#,
            r#"{"exp":1e400}"#,
            r#"{"id":18446744073709551616}"#,
            r#"{"roles":"admin"}"#,
            r#"{"roles":[1]}"#,
            r#"{"aud":5,"exp":"x"}"#,
            r#"{"unknown":{"deep":[1,{"x":"\ud800"}]},"id":1}"#,
            r#"{"unknown":1e400}"#,
            r#"{"id":1} trailing"#,
            r#"{"id":1"#,
            r#"{"id":1,}"#,
            r#"{"id":}"#,
            r#"{id:1}"#,
            "{\"sub\":\"\u{1}\"}",
        ] {
            let ours =
                from_object::<Claims>(doc.as_bytes()).map_err(|e| (e.classify(), e.to_string()));
            let reference = serde_json::from_slice::<Claims>(doc.as_bytes())
                .map_err(|e| (e.classify(), e.to_string()));
            assert_eq!(ours, reference, "{doc}");
        }
    }

    #[test]
    fn error_descriptions_carry_the_kind_and_position() {
        let e = serde_json::from_slice::<Claims>(br#"{"exp":"x"}"#).unwrap_err();
        assert_eq!(
            describe(&e),
            "a member is missing, repeated or has the wrong type (line 1, column 10)"
        );
        let e = serde_json::from_slice::<Claims>(b"{\"id\":1").unwrap_err();
        assert_eq!(describe(&e), "the JSON ends early (line 1, column 7)");
    }
}
