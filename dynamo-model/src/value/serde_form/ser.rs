//! The serializer: serde's data model written as attribute values.

use std::collections::HashMap;

use aws_smithy_types::Blob;
use serde::ser::{self, Serialize};

use super::SerdeError;
use crate::value::{AttributeValue, PathStep};

/// The `serialize_*` methods of the integer types, each returning `$body` for the value `$v`.
macro_rules! integers {
    ($ok:ty, |$v:ident| $body:expr) => {
        integers!(@each $ok, $v, $body,
            serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
            serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
            serialize_u64: u64, serialize_u128: u128);
    };
    (@each $ok:ty, $v:ident, $body:expr, $($method:ident: $ty:ty),*) => {$(
        fn $method(self, $v: $ty) -> Result<$ok, SerdeError> {
            $body
        }
    )*};
}

/// Writes one value; containers collect their parts through the builders below.
pub(super) struct ValueSerializer;

fn number(text: String) -> Result<AttributeValue, SerdeError> {
    Ok(AttributeValue::N(text))
}

fn float(value: f64, text: String) -> Result<AttributeValue, SerdeError> {
    if value.is_finite() {
        number(text)
    } else {
        Err(SerdeError::message(format!(
            "{value} cannot be stored: DynamoDB numbers are finite"
        )))
    }
}

impl ser::Serializer for ValueSerializer {
    type Ok = AttributeValue;
    type Error = SerdeError;
    type SerializeSeq = ListBuilder;
    type SerializeTuple = ListBuilder;
    type SerializeTupleStruct = ListBuilder;
    type SerializeTupleVariant = Variant<ListBuilder>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = Variant<MapBuilder>;

    fn serialize_bool(self, v: bool) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::Bool(v))
    }

    integers!(AttributeValue, |v| number(v.to_string()));

    fn serialize_f32(self, v: f32) -> Result<AttributeValue, SerdeError> {
        float(f64::from(v), v.to_string())
    }

    fn serialize_f64(self, v: f64) -> Result<AttributeValue, SerdeError> {
        float(v, v.to_string())
    }

    fn serialize_char(self, v: char) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::S(v.to_string()))
    }

    fn serialize_str(self, v: &str) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::S(v.to_owned()))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::B(Blob::new(v)))
    }

    fn serialize_none(self) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::Null(true))
    }

    fn serialize_some<T: Serialize + ?Sized>(
        self,
        value: &T,
    ) -> Result<AttributeValue, SerdeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::Null(true))
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::Null(true))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<AttributeValue, SerdeError> {
        Ok(AttributeValue::S(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<AttributeValue, SerdeError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<AttributeValue, SerdeError> {
        let inner = value
            .serialize(ValueSerializer)
            .map_err(|error| error.under(PathStep::Name(variant)))?;
        Ok(AttributeValue::M(HashMap::from([(
            variant.to_owned(),
            inner,
        )])))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<ListBuilder, SerdeError> {
        Ok(ListBuilder::with_capacity(len.unwrap_or(0)))
    }

    fn serialize_tuple(self, len: usize) -> Result<ListBuilder, SerdeError> {
        Ok(ListBuilder::with_capacity(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<ListBuilder, SerdeError> {
        Ok(ListBuilder::with_capacity(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<ListBuilder>, SerdeError> {
        Ok(Variant::new(variant, ListBuilder::with_capacity(len)))
    }

    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder, SerdeError> {
        Ok(MapBuilder::with_capacity(len.unwrap_or(0)))
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapBuilder, SerdeError> {
        Ok(MapBuilder::with_capacity(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<MapBuilder>, SerdeError> {
        Ok(Variant::new(variant, MapBuilder::with_capacity(len)))
    }
}

/// The elements of an `L`.
pub(super) struct ListBuilder {
    values: Vec<AttributeValue>,
}

impl ListBuilder {
    fn with_capacity(capacity: usize) -> Self {
        ListBuilder {
            values: Vec::with_capacity(capacity),
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let index = self.values.len();
        let value = value
            .serialize(ValueSerializer)
            .map_err(|error| error.under(PathStep::Index(index)))?;
        self.values.push(value);
        Ok(())
    }

    fn finish(self) -> AttributeValue {
        AttributeValue::L(self.values)
    }
}

impl ser::SerializeSeq for ListBuilder {
    type Ok = AttributeValue;
    type Error = SerdeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }

    fn end(self) -> Result<AttributeValue, SerdeError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for ListBuilder {
    type Ok = AttributeValue;
    type Error = SerdeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }

    fn end(self) -> Result<AttributeValue, SerdeError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for ListBuilder {
    type Ok = AttributeValue;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }

    fn end(self) -> Result<AttributeValue, SerdeError> {
        Ok(self.finish())
    }
}

/// The entries of an `M`, and the key waiting for its value.
pub(super) struct MapBuilder {
    entries: HashMap<String, AttributeValue>,
    key: Option<String>,
}

impl MapBuilder {
    fn with_capacity(capacity: usize) -> Self {
        MapBuilder {
            entries: HashMap::with_capacity(capacity),
            key: None,
        }
    }

    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), SerdeError> {
        let value = value
            .serialize(ValueSerializer)
            .map_err(|error| error.under(PathStep::Name(&key)))?;
        self.entries.insert(key, value);
        Ok(())
    }

    fn finish(self) -> AttributeValue {
        AttributeValue::M(self.entries)
    }
}

impl ser::SerializeMap for MapBuilder {
    type Ok = AttributeValue;
    type Error = SerdeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerdeError> {
        self.key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let key = self.key.take().ok_or_else(|| {
            SerdeError::message("a map value was given before its key (a bug in a Serialize impl)")
        })?;
        self.insert(key, value)
    }

    fn end(self) -> Result<AttributeValue, SerdeError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = AttributeValue;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerdeError> {
        self.insert(key.to_owned(), value)
    }

    fn end(self) -> Result<AttributeValue, SerdeError> {
        Ok(self.finish())
    }
}

/// A tuple or struct variant: its parts, written under the variant's name.
pub(super) struct Variant<B> {
    name: &'static str,
    body: B,
}

impl<B> Variant<B> {
    fn new(name: &'static str, body: B) -> Self {
        Variant { name, body }
    }

    fn wrap(self, finish: impl FnOnce(B) -> AttributeValue) -> AttributeValue {
        let name = self.name.to_owned();
        AttributeValue::M(HashMap::from([(name, finish(self.body))]))
    }
}

impl ser::SerializeTupleVariant for Variant<ListBuilder> {
    type Ok = AttributeValue;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let name = self.name;
        self.body
            .push(value)
            .map_err(|error| error.under(PathStep::Name(name)))
    }

    fn end(self) -> Result<AttributeValue, SerdeError> {
        Ok(self.wrap(ListBuilder::finish))
    }
}

impl ser::SerializeStructVariant for Variant<MapBuilder> {
    type Ok = AttributeValue;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerdeError> {
        let name = self.name;
        self.body
            .insert(key.to_owned(), value)
            .map_err(|error| error.under(PathStep::Name(name)))
    }

    fn end(self) -> Result<AttributeValue, SerdeError> {
        Ok(self.wrap(MapBuilder::finish))
    }
}

/// Writes a map key: strings as they are, chars and integers as their text.
struct KeySerializer;

fn key_refused(kind: &str) -> SerdeError {
    SerdeError::message(format!(
        "a map key must be a string, a char or an integer, found {kind}"
    ))
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = SerdeError;
    type SerializeSeq = ser::Impossible<String, SerdeError>;
    type SerializeTuple = ser::Impossible<String, SerdeError>;
    type SerializeTupleStruct = ser::Impossible<String, SerdeError>;
    type SerializeTupleVariant = ser::Impossible<String, SerdeError>;
    type SerializeMap = ser::Impossible<String, SerdeError>;
    type SerializeStruct = ser::Impossible<String, SerdeError>;
    type SerializeStructVariant = ser::Impossible<String, SerdeError>;

    fn serialize_bool(self, _v: bool) -> Result<String, SerdeError> {
        Err(key_refused("a bool"))
    }

    integers!(String, |v| Ok(v.to_string()));

    fn serialize_f32(self, _v: f32) -> Result<String, SerdeError> {
        Err(key_refused("a float"))
    }

    fn serialize_f64(self, _v: f64) -> Result<String, SerdeError> {
        Err(key_refused("a float"))
    }

    fn serialize_char(self, v: char) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }

    fn serialize_str(self, v: &str) -> Result<String, SerdeError> {
        Ok(v.to_owned())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<String, SerdeError> {
        Err(key_refused("bytes"))
    }

    fn serialize_none(self) -> Result<String, SerdeError> {
        Err(key_refused("None"))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, SerdeError> {
        Err(key_refused("an Option"))
    }

    fn serialize_unit(self) -> Result<String, SerdeError> {
        Err(key_refused("()"))
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<String, SerdeError> {
        Err(key_refused(name))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, SerdeError> {
        Ok(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, SerdeError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, SerdeError> {
        Err(key_refused(name))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerdeError> {
        Err(key_refused("a sequence"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerdeError> {
        Err(key_refused("a tuple"))
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerdeError> {
        Err(key_refused(name))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerdeError> {
        Err(key_refused(name))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerdeError> {
        Err(key_refused("a map"))
    }

    fn serialize_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerdeError> {
        Err(key_refused(name))
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerdeError> {
        Err(key_refused(name))
    }
}
