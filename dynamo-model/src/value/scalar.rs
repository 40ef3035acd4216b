//! Strings, booleans, binary and raw attribute values.

use std::borrow::Cow;

use aws_smithy_types::Blob;

use super::{
    leaf_attribute, AttributeValue, FromAttributeValue, KeyAttribute, Problems, ScalarType,
    ToAttributeValue,
};

impl ToAttributeValue for String {
    #[inline]
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(AttributeValue::S(self.clone()))
    }
}

impl FromAttributeValue for String {
    #[inline]
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        match value {
            AttributeValue::S(s) => Ok(s),
            other => Err(Problems::mismatch("S", &other)),
        }
    }
}

impl KeyAttribute for String {
    const SCALAR_TYPE: ScalarType = ScalarType::S;
}

/// Encode-only: string slices are written as S (read them back as `String`).
impl ToAttributeValue for str {
    #[inline]
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(AttributeValue::S(self.to_owned()))
    }
}

impl<T: ToAttributeValue + ?Sized> ToAttributeValue for &T {
    #[inline]
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        (**self).to_attribute_value()
    }

    fn check_value(&self, problems: &mut Problems) {
        (**self).check_value(problems);
    }
}

impl ToAttributeValue for Cow<'static, str> {
    #[inline]
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(AttributeValue::S(self.to_string()))
    }
}

impl FromAttributeValue for Cow<'static, str> {
    #[inline]
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        String::from_attribute_value(value).map(Cow::Owned)
    }
}

impl KeyAttribute for Cow<'static, str> {
    const SCALAR_TYPE: ScalarType = ScalarType::S;
}

impl ToAttributeValue for bool {
    #[inline]
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(AttributeValue::Bool(*self))
    }
}

impl FromAttributeValue for bool {
    #[inline]
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        match value {
            AttributeValue::Bool(b) => Ok(b),
            other => Err(Problems::mismatch("BOOL", &other)),
        }
    }
}

impl ToAttributeValue for Blob {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(AttributeValue::B(self.clone()))
    }
}

impl FromAttributeValue for Blob {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        match value {
            AttributeValue::B(b) => Ok(b),
            other => Err(Problems::mismatch("B", &other)),
        }
    }
}

impl KeyAttribute for Blob {
    const SCALAR_TYPE: ScalarType = ScalarType::B;
}

/// `Vec<u8>` is binary (B) through `u8`'s slice hooks; this makes it a key type too.
impl KeyAttribute for Vec<u8> {
    const SCALAR_TYPE: ScalarType = ScalarType::B;
}

#[cfg(feature = "bytes")]
impl ToAttributeValue for bytes::Bytes {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(AttributeValue::B(Blob::new(self.to_vec())))
    }
}

#[cfg(feature = "bytes")]
impl FromAttributeValue for bytes::Bytes {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        Blob::from_attribute_value(value).map(|b| bytes::Bytes::from(b.into_inner()))
    }
}

#[cfg(feature = "bytes")]
impl KeyAttribute for bytes::Bytes {
    const SCALAR_TYPE: ScalarType = ScalarType::B;
}

#[cfg(feature = "bytes")]
leaf_attribute!(bytes::Bytes);

/// The raw value, passed through unchanged: an escape hatch for attributes of any type.
impl ToAttributeValue for AttributeValue {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(self.clone())
    }
}

impl FromAttributeValue for AttributeValue {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        Ok(value)
    }

    fn from_missing_attribute() -> Option<Self> {
        None
    }
}

leaf_attribute!(String, Cow<'static, str>, bool, Blob, AttributeValue);
