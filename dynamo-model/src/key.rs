//! Key values: what `get`, `update` and `delete_by_key` accept as a model's key.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::value::{KeyAttribute, ToAttributeValue};

/// A value usable where a key attribute of type `T` is expected: `T` itself, `&T`, and
/// `&str` for string keys, so `db.get::<User>("u1")` needs no `.to_string()`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a key value of type `{T}`",
    label = "expected a `{T}` (or a `&{T}`)",
    note = "a key attribute takes a value of its field's type; for an enum key, give the variant (`Status::Open`), not its stored text"
)]
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
/// and range, a tuple of the named fields for key templates (`("u1", 5, "o1")` for
/// `pk = "USER#{user_id}", sk = "ORDER#{created_at}#{order_id}"`). A composite-key model
/// cannot be addressed by its hash key alone.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a key of type `{K}`",
    note = "a model with hash and range keys takes a pair: `(hash, range)`"
)]
pub trait IntoKey<K> {
    /// The values of the key's parts, in order: the hash key and, for a composite key, the
    /// range key; for a model with key templates, the fields the templates name.
    fn into_key_parts(self) -> Vec<AttributeValue>;
}

impl<H, A: KeyArg<H>> IntoKey<H> for A {
    fn into_key_parts(self) -> Vec<AttributeValue> {
        vec![self.into_key_value()]
    }
}

/// Tuples of key parts: `(hash, range)`, and the fields of key templates.
macro_rules! tuple_keys {
    ($(($($part:ident $arg:ident),+))*) => {$(
        impl<$($part,)+ $($arg: KeyArg<$part>,)+> IntoKey<($($part,)+)> for ($($arg,)+) {
            #[allow(non_snake_case)]
            fn into_key_parts(self) -> Vec<AttributeValue> {
                let ($($arg,)+) = self;
                vec![$($arg.into_key_value()),+]
            }
        }
    )*};
}

tuple_keys! {
    (H A, R B)
    (P1 A1, P2 A2, P3 A3)
    (P1 A1, P2 A2, P3 A3, P4 A4)
    (P1 A1, P2 A2, P3 A3, P4 A4, P5 A5)
    (P1 A1, P2 A2, P3 A3, P4 A4, P5 A5, P6 A6)
}
