//! The deserializer: attribute values read into serde's data model.

use std::collections::hash_map;
use std::str::FromStr;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use super::SerdeError;
use crate::value::{AttributeValue, PathStep, Problems};

/// Reads one attribute value as whatever the `Deserialize` impl asks for.
pub(super) struct ValueDeserializer {
    value: AttributeValue,
}

impl ValueDeserializer {
    pub(super) fn new(value: AttributeValue) -> Self {
        ValueDeserializer { value }
    }

    fn mismatch(self, expected: &str) -> SerdeError {
        SerdeError {
            problems: Problems::mismatch(expected, &self.value),
        }
    }

    /// The number as `T`, or a message naming what was expected (`an i32`) and found.
    fn number<T: FromStr>(self, expected: &str) -> Result<T, SerdeError> {
        match self.value {
            AttributeValue::N(text) => text.parse().map_err(|_| {
                SerdeError::message(format!("expected {expected}, found the number {text}"))
            }),
            _ => Err(self.mismatch("N")),
        }
    }
}

/// Visits the elements of a list or set, each under its index in errors.
fn visit_elements<'de, V, I>(visitor: V, elements: I) -> Result<V::Value, SerdeError>
where
    V: Visitor<'de>,
    I: ExactSizeIterator<Item = AttributeValue>,
{
    visitor.visit_seq(Elements { elements, index: 0 })
}

/// `deserialize_*` methods that read a number with the deserializer's own `number`.
macro_rules! numbers {
    ($($method:ident => $visit:ident: $ty:ty, $expected:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
            visitor.$visit(self.number::<$ty>($expected)?)
        }
    )*};
}

/// The integer `deserialize_*` methods, for values and map keys alike.
macro_rules! integers {
    () => {
        numbers! {
            deserialize_i8 => visit_i8: i8, "an i8";
            deserialize_i16 => visit_i16: i16, "an i16";
            deserialize_i32 => visit_i32: i32, "an i32";
            deserialize_i64 => visit_i64: i64, "an i64";
            deserialize_i128 => visit_i128: i128, "an i128";
            deserialize_u8 => visit_u8: u8, "a u8";
            deserialize_u16 => visit_u16: u16, "a u16";
            deserialize_u32 => visit_u32: u32, "a u32";
            deserialize_u64 => visit_u64: u64, "a u64";
            deserialize_u128 => visit_u128: u128, "a u128";
        }
    };
}

impl<'de> de::Deserializer<'de> for ValueDeserializer {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            AttributeValue::S(text) => visitor.visit_string(text),
            AttributeValue::N(text) => {
                if let Ok(unsigned) = text.parse::<u64>() {
                    visitor.visit_u64(unsigned)
                } else if let Ok(signed) = text.parse::<i64>() {
                    visitor.visit_i64(signed)
                } else if let Ok(float) = text.parse::<f64>() {
                    visitor.visit_f64(float)
                } else {
                    Err(SerdeError::message(format!("`{text}` is not a number")))
                }
            }
            AttributeValue::B(bytes) => visitor.visit_byte_buf(bytes.into_inner()),
            AttributeValue::Bool(flag) => visitor.visit_bool(flag),
            AttributeValue::Null(_) => visitor.visit_unit(),
            AttributeValue::M(entries) => visitor.visit_map(Entries::new(entries)),
            value @ (AttributeValue::L(_)
            | AttributeValue::Ss(_)
            | AttributeValue::Ns(_)
            | AttributeValue::Bs(_)) => ValueDeserializer::new(value).deserialize_seq(visitor),
            _ => Err(self.mismatch("a known DynamoDB type")),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            AttributeValue::Bool(flag) => visitor.visit_bool(flag),
            _ => Err(self.mismatch("BOOL")),
        }
    }

    integers!();

    numbers! {
        deserialize_f32 => visit_f32: f32, "an f32";
        deserialize_f64 => visit_f64: f64, "an f64";
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match &self.value {
            AttributeValue::S(text) => {
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(only), None) => visitor.visit_char(only),
                    _ => Err(SerdeError::message(format!(
                        "expected one character, found {text:?}"
                    ))),
                }
            }
            _ => Err(self.mismatch("S")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            AttributeValue::S(text) => visitor.visit_string(text),
            _ => Err(self.mismatch("S")),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            AttributeValue::B(bytes) => visitor.visit_byte_buf(bytes.into_inner()),
            _ => Err(self.mismatch("B")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            AttributeValue::Null(_) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            AttributeValue::Null(_) => visitor.visit_unit(),
            _ => Err(self.mismatch("NULL")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            AttributeValue::L(values) => visit_elements(visitor, values.into_iter()),
            AttributeValue::Ss(texts) => {
                visit_elements(visitor, texts.into_iter().map(AttributeValue::S))
            }
            AttributeValue::Ns(numbers) => {
                visit_elements(visitor, numbers.into_iter().map(AttributeValue::N))
            }
            AttributeValue::Bs(blobs) => {
                visit_elements(visitor, blobs.into_iter().map(AttributeValue::B))
            }
            AttributeValue::B(bytes) => visit_elements(
                visitor,
                bytes
                    .into_inner()
                    .into_iter()
                    .map(|byte| AttributeValue::N(byte.to_string())),
            ),
            _ => Err(self.mismatch("L")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            AttributeValue::M(entries) => visitor.visit_map(Entries::new(entries)),
            _ => Err(self.mismatch("M")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        match self.value {
            AttributeValue::S(name) => visitor.visit_enum(name.into_deserializer()),
            AttributeValue::M(entries) if entries.len() == 1 => {
                let mut entries = entries.into_iter();
                match entries.next() {
                    Some((name, value)) => visitor.visit_enum(VariantBody { name, value }),
                    None => Err(SerdeError::message("expected one entry")),
                }
            }
            _ => Err(SerdeError::message(format!(
                "expected an enum variant (S with its name, or M with one entry), found {}",
                crate::value::type_name(&self.value)
            ))),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_unit()
    }
}

/// The elements of a list or set.
struct Elements<I> {
    elements: I,
    index: usize,
}

impl<'de, I: ExactSizeIterator<Item = AttributeValue>> de::SeqAccess<'de> for Elements<I> {
    type Error = SerdeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, SerdeError> {
        let Some(value) = self.elements.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(ValueDeserializer::new(value))
            .map(Some)
            .map_err(|error| error.under(PathStep::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.elements.len())
    }
}

/// The entries of a map, and the value of the key just read.
struct Entries {
    entries: hash_map::IntoIter<String, AttributeValue>,
    current: Option<(String, AttributeValue)>,
}

impl Entries {
    fn new(entries: std::collections::HashMap<String, AttributeValue>) -> Self {
        Entries {
            entries: entries.into_iter(),
            current: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = SerdeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, SerdeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let decoded = seed
            .deserialize(KeyDeserializer(&key))
            .map_err(|error| error.under(PathStep::Name(&key)))?;
        self.current = Some((key, value));
        Ok(Some(decoded))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, SerdeError> {
        let (key, value) = self.current.take().ok_or_else(|| {
            SerdeError::message(
                "a map value was asked for before its key (a bug in a Deserialize impl)",
            )
        })?;
        seed.deserialize(ValueDeserializer::new(value))
            .map_err(|error| error.under(PathStep::Name(&key)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A variant written as a map of one entry: its name, and its content.
struct VariantBody {
    name: String,
    value: AttributeValue,
}

impl<'de> de::EnumAccess<'de> for VariantBody {
    type Error = SerdeError;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self), SerdeError> {
        let variant = seed.deserialize(KeyDeserializer(&self.name))?;
        Ok((variant, self))
    }
}

impl VariantBody {
    fn read<T>(
        self,
        read: impl FnOnce(ValueDeserializer) -> Result<T, SerdeError>,
    ) -> Result<T, SerdeError> {
        let VariantBody { name, value } = self;
        read(ValueDeserializer::new(value)).map_err(|error| error.under(PathStep::Name(&name)))
    }
}

impl<'de> de::VariantAccess<'de> for VariantBody {
    type Error = SerdeError;

    fn unit_variant(self) -> Result<(), SerdeError> {
        self.read(|content| match content.value {
            AttributeValue::Null(_) => Ok(()),
            _ => Err(content.mismatch("NULL")),
        })
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, SerdeError> {
        self.read(|content| seed.deserialize(content))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.read(|content| de::Deserializer::deserialize_seq(content, visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.read(|content| de::Deserializer::deserialize_map(content, visitor))
    }
}

/// Reads a map key: as a string, or as the integer or unit variant it spells.
struct KeyDeserializer<'a>(&'a str);

impl KeyDeserializer<'_> {
    fn number<T: FromStr>(&self, expected: &str) -> Result<T, SerdeError> {
        self.0.parse().map_err(|_| {
            SerdeError::message(format!(
                "expected {expected} as the map key, found {:?}",
                self.0
            ))
        })
    }
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'_> {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_str(self.0)
    }

    integers!();

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    forward_to_deserialize_any! {
        bool f32 f64 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct
        map struct identifier ignored_any
    }
}

/// Reads an absent attribute: `None` for an `Option`, a "missing" problem for anything else.
pub(super) struct MissingDeserializer;

impl MissingDeserializer {
    fn missing() -> SerdeError {
        SerdeError {
            problems: Problems::single_of(
                crate::value::ProblemReason::Missing,
                "missing required attribute",
            ),
        }
    }
}

impl<'de> de::Deserializer<'de> for MissingDeserializer {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, SerdeError> {
        Err(Self::missing())
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_none()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}
