//! Key values: what `get`, `update` and `delete_by_key` accept as a model's key.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::value::{KeyAttribute, ToAttributeValue};

/// A value usable where a key attribute of type `T` is expected: `T` itself, `&T`, and
/// `&str` for string keys, so `db.get::<User>("u1")` needs no `.to_string()`.
pub trait KeyArg<T> {
    /// The attribute value of the key.
    fn into_key_value(self) -> AttributeValue;
}

fn key_value<T: ToAttributeValue + ?Sized>(value: &T) -> AttributeValue {
    value
        .to_attribute_value()
        .unwrap_or(AttributeValue::Null(true))
}

impl<T: KeyAttribute> KeyArg<T> for T {
    fn into_key_value(self) -> AttributeValue {
        key_value(&self)
    }
}

impl<T: KeyAttribute> KeyArg<T> for &T {
    fn into_key_value(self) -> AttributeValue {
        key_value(self)
    }
}

impl KeyArg<String> for &str {
    fn into_key_value(self) -> AttributeValue {
        key_value(self)
    }
}

impl KeyArg<Vec<u8>> for &[u8] {
    fn into_key_value(self) -> AttributeValue {
        key_value(self)
    }
}

/// A whole key of a model whose key type is `K`: one value for a hash key, a pair for hash
/// and range. A composite-key model cannot be addressed by its hash key alone.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a key of type `{K}`",
    note = "a model with hash and range keys takes a pair: `(hash, range)`"
)]
pub trait IntoKey<K> {
    /// The hash key value and, for a composite key, the range key value.
    fn into_key_values(self) -> (AttributeValue, Option<AttributeValue>);
}

impl<H, A: KeyArg<H>> IntoKey<H> for A {
    fn into_key_values(self) -> (AttributeValue, Option<AttributeValue>) {
        (self.into_key_value(), None)
    }
}

impl<H, R, A: KeyArg<H>, B: KeyArg<R>> IntoKey<(H, R)> for (A, B) {
    fn into_key_values(self) -> (AttributeValue, Option<AttributeValue>) {
        (self.0.into_key_value(), Some(self.1.into_key_value()))
    }
}
