//! `Serde<T>`: a value stored through the serde bridge, usable wherever our own codecs are.

use std::borrow::Borrow;
use std::ops::{Deref, DerefMut};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::de::MissingDeserializer;
use super::{from_value, to_value};
use crate::value::path::{AttrPath, Field};
use crate::value::{
    AttributeValue, DynamoAttribute, FromAttributeValue, PathStep, Problems, ToAttributeValue,
};

/// A value of any serde type, stored in serde_dynamo's wire form.
///
/// A field marked `#[dynamo(serde)]` is stored this way, and its typed accessor is a
/// `Field<M, Serde<T>>`: conditions and updates take `Serde(value)` or `&value`. Wrap a type
/// yourself where a marked field cannot be, in a `Vec<Serde<T>>` say.
///
/// # Examples
///
/// ```
/// use dynamo_model::value::serde_form::Serde;
/// use dynamo_model::value::{AttributeValue, FromAttributeValue, ToAttributeValue};
///
/// let stored = Serde((1u8, "one".to_owned())).to_attribute_value();
/// assert!(matches!(stored, Some(AttributeValue::L(_))));
/// let back = Serde::<(u8, String)>::from_attribute_value(stored.unwrap()).unwrap();
/// assert_eq!(back.0, (1, "one".to_owned()));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serde<T>(pub T);

impl<T> Deref for Serde<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Serde<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> Borrow<T> for Serde<T> {
    fn borrow(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Serde<T> {
    fn from(value: T) -> Self {
        Serde(value)
    }
}

impl<T: Serialize> ToAttributeValue for Serde<T> {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        to_value(&self.0).ok()
    }

    fn check_value(&self, problems: &mut Problems) {
        if let Err(error) = to_value(&self.0) {
            problems.absorb_all(&mut error.into_problems());
        }
    }
}

impl<T: DeserializeOwned> FromAttributeValue for Serde<T> {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        from_value(value).map(Serde).map_err(Problems::from)
    }

    fn from_missing_attribute() -> Option<Self> {
        T::deserialize(MissingDeserializer).ok().map(Serde)
    }
}

impl<T: Serialize + DeserializeOwned> DynamoAttribute for Serde<T> {
    type Fields<M> = Field<M, Serde<T>>;

    fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
        Field::new(path)
    }
}

/// Writes a `#[dynamo(serde)]` field; a value that does not serialize is left out here and
/// reported by [`check_field`] before any write.
pub(crate) fn put_field<T: Serialize + ?Sized>(
    item: &mut crate::value::Item,
    name: &'static str,
    value: &T,
) {
    if let Ok(value) = to_value(value) {
        item.insert(name.to_owned(), value);
    }
}

/// Reports what keeps a `#[dynamo(serde)]` field from serializing, under its name.
pub(crate) fn check_field<T: Serialize + ?Sized>(
    problems: &mut Problems,
    name: &'static str,
    value: &T,
) {
    if let Err(error) = to_value(value) {
        problems.absorb(PathStep::Name(name), error.into_problems());
    }
}

/// Reads a `#[dynamo(serde)]` field: an absent attribute is `default`, else `None` for an
/// `Option`, else missing.
pub(crate) fn decode_field<T: DeserializeOwned>(
    slot: Option<AttributeValue>,
    default: Option<fn() -> T>,
) -> Result<T, Problems> {
    match (slot, default) {
        (Some(value), _) => from_value(value).map_err(Problems::from),
        (None, Some(default)) => Ok(default()),
        (None, None) => T::deserialize(MissingDeserializer).map_err(Problems::from),
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Serde<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Serde)
    }
}

impl<T: Serialize> Serialize for Serde<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}
