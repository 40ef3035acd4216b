//! The item codec: conversion traits between Rust values and DynamoDB `AttributeValue`s.
//!
//! `#[derive(DynamoModel)]` calls these traits once per field; they are implemented for the
//! standard types (see the table in the crate docs), for the optional third-party types behind
//! cargo features, and for your own types through `#[derive(DynamoAttribute)]` (newtypes and
//! unit enums) or by hand.

mod collections;
pub(crate) mod decimal;
mod nesting;
mod newtype;
mod number;
#[cfg(feature = "s3")]
pub mod offloaded;
mod optional;
pub mod path;
mod problems;
mod scalar;
pub mod serde_form;
mod set;
mod size;
pub mod variant;
pub mod vector;
pub(crate) mod wire;

#[cfg(feature = "chrono")]
mod chrono_impls;
#[cfg(feature = "rust_decimal")]
mod decimal_impls;
#[cfg(feature = "serde_json")]
mod json_impls;
#[cfg(feature = "time")]
mod time_impls;
#[cfg(feature = "uuid")]
mod uuid_impls;

use std::collections::HashMap;

pub use aws_sdk_dynamodb::types::AttributeValue;

use path::AttrPath;

pub(crate) use nesting::nesting_problem;
pub use nesting::{nesting_depth, MAX_NESTING};
pub use newtype::Newtype;
pub use problems::{type_name, FieldError, PathStep, ProblemReason, Problems};
pub(crate) use set::decode_text_members;
pub use set::SetElement;
pub use size::{
    item_size, value_size, ItemSize, MAX_ITEM_SIZE, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES,
};

/// One DynamoDB item: the SDK's own map, so items pass to and from raw SDK calls unchanged.
pub type Item = HashMap<String, AttributeValue>;

/// An item's key attributes, hash then range, under their static names: kept without
/// building an [`Item`] until one is needed.
pub(crate) type KeyParts = [Option<(&'static str, AttributeValue)>; 2];

/// Encodes a Rust value as a DynamoDB attribute value.
///
/// # Examples
///
/// A type stored as a number of cents:
///
/// ```
/// use dynamo_model::value::{AttributeValue, FromAttributeValue, Problems, ToAttributeValue};
///
/// struct Cents(i64);
///
/// impl ToAttributeValue for Cents {
///     fn to_attribute_value(&self) -> Option<AttributeValue> {
///         self.0.to_attribute_value()
///     }
/// }
///
/// impl FromAttributeValue for Cents {
///     fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
///         i64::from_attribute_value(value).map(Cents)
///     }
/// }
///
/// assert_eq!(Cents(250).to_attribute_value(), Some(AttributeValue::N("250".into())));
/// ```
pub trait ToAttributeValue {
    /// The attribute value, or `None` when the attribute is not written at all
    /// (`Option::None`, an empty set).
    fn to_attribute_value(&self) -> Option<AttributeValue>;

    /// Reports what DynamoDB would reject in this value (a NaN float, say) into `problems`.
    ///
    /// Runs on the write path before any request; the default finds nothing.
    fn check_value(&self, problems: &mut Problems) {
        let _ = problems;
    }

    #[doc(hidden)]
    /// Encodes a slice of this type; a list (L) unless the element type says otherwise
    /// (`u8`: binary).
    fn __encode_slice(items: &[Self]) -> AttributeValue
    where
        Self: Sized,
    {
        AttributeValue::L(items.iter().map(to_value_or_null).collect())
    }
}

/// Decodes a Rust value from a DynamoDB attribute value.
///
/// See [`ToAttributeValue`] for an example.
pub trait FromAttributeValue: Sized {
    /// Decodes `value`, reporting every problem found (with paths for nested values).
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems>;

    /// The value of an absent attribute: `None` (the default) means the attribute is required.
    ///
    /// `Option<T>` answers `Some(None)`, and sets answer the empty set, which DynamoDB cannot
    /// store and so is written as an absent attribute.
    fn from_missing_attribute() -> Option<Self> {
        None
    }

    #[doc(hidden)]
    /// Decodes a `Vec` of this type; from a list (L) unless the element type says otherwise.
    fn __decode_vec(value: AttributeValue) -> Result<Vec<Self>, Problems> {
        match value {
            AttributeValue::L(values) => decode_elements(values),
            other => Err(Problems::mismatch("L", &other)),
        }
    }
}

/// A type that can be a model field: encodable, decodable, and with typed paths inside it.
///
/// [`Fields`](DynamoAttribute::Fields) is what `Model::fields().<field>()` returns: for plain
/// values the [`Field`](crate::Field) itself, for nested models their own field accessors rooted at this
/// path, so `User::fields().address().city()` is a `Field<User, String>`.
///
/// `#[derive(DynamoAttribute)]` implements it for newtypes and unit enums; for a type with
/// hand-written codecs, name the field type itself:
///
/// ```
/// # use dynamo_model::value::{AttributeValue, FromAttributeValue, Problems, ToAttributeValue};
/// use dynamo_model::{path::AttrPath, DynamoAttribute, Field};
/// # struct Cents(i64);
/// # impl ToAttributeValue for Cents {
/// #     fn to_attribute_value(&self) -> Option<AttributeValue> { self.0.to_attribute_value() }
/// # }
/// # impl FromAttributeValue for Cents {
/// #     fn from_attribute_value(v: AttributeValue) -> Result<Self, Problems> { i64::from_attribute_value(v).map(Cents) }
/// # }
/// impl DynamoAttribute for Cents {
///     type Fields<M> = Field<M, Cents>;
///     fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
///         Field::new(path)
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored as a DynamoDB attribute",
    label = "no DynamoDB codec for this type",
    note = "derive `DynamoModel` (nested map) or `DynamoAttribute` (newtype, unit enum) for it, mark the field `#[dynamo(serde)]` to store it through its serde impls, or implement `ToAttributeValue`, `FromAttributeValue` and `DynamoAttribute`"
)]
pub trait DynamoAttribute: ToAttributeValue + FromAttributeValue {
    /// The typed accessors of the paths inside a value of this type.
    type Fields<M>;

    /// The accessors rooted at `path`.
    fn fields_at<M>(path: AttrPath) -> Self::Fields<M>;
}

/// The DynamoDB scalar type of a key attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// String (`S`).
    S,
    /// Number (`N`).
    N,
    /// Binary (`B`).
    B,
}

impl ScalarType {
    /// The type descriptor, `"S"`, `"N"` or `"B"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }
}

/// A type that can be a table or index key: stored as a string, number or binary.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a DynamoDB key attribute",
    label = "not a string, number or binary type",
    note = "key attributes must be S, N or B: strings, integers, floats, decimals, byte vectors, or a newtype or unit enum deriving `DynamoAttribute`"
)]
pub trait KeyAttribute: DynamoAttribute {
    /// The scalar type the key attribute is declared with.
    const SCALAR_TYPE: ScalarType;
}

/// A type that can be a secondary index key: a key attribute, or an `Option` of one for a
/// sparse index (an item whose index key is `None` is not in the index).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a DynamoDB index key attribute",
    label = "not a string, number or binary type (or an `Option` of one)",
    note = "index keys must be S, N or B, or `Option` of such a type for a sparse index"
)]
pub trait IndexKeyAttribute {
    /// The key type itself (`T` for `Option<T>`): what a query of the index takes.
    type Key: KeyAttribute;
    /// The scalar type the key attribute is declared with.
    const SCALAR_TYPE: ScalarType;
}

#[diagnostic::do_not_recommend]
impl<T: KeyAttribute> IndexKeyAttribute for T {
    type Key = T;
    const SCALAR_TYPE: ScalarType = T::SCALAR_TYPE;
}

impl<T: KeyAttribute> IndexKeyAttribute for Option<T> {
    type Key = T;
    const SCALAR_TYPE: ScalarType = T::SCALAR_TYPE;
}

/// Encodes `value`, writing NULL where the value has no attribute (inside lists and maps,
/// where position or key must be kept).
#[inline]
pub(crate) fn to_value_or_null<T: ToAttributeValue + ?Sized>(value: &T) -> AttributeValue {
    value
        .to_attribute_value()
        .unwrap_or(AttributeValue::Null(true))
}

/// Decodes the elements of a list, collecting the problems of all of them.
pub(crate) fn decode_elements<T: FromAttributeValue, C: FromIterator<T> + Default>(
    values: Vec<AttributeValue>,
) -> Result<C, Problems> {
    let mut problems = Problems::new();
    let mut failed = false;
    let decoded: C = values
        .into_iter()
        .enumerate()
        .filter_map(|(index, value)| match decode_present::<T>(value) {
            Ok(v) => Some(v),
            Err(child) => {
                failed = true;
                problems.absorb(PathStep::Index(index), child);
                None
            }
        })
        .collect();
    if failed {
        Err(problems)
    } else {
        Ok(decoded)
    }
}

/// Decodes a value present in a container; a NULL element falls back to the type's
/// missing-value answer (None for `Option`, the empty set for sets).
pub(crate) fn decode_present<T: FromAttributeValue>(value: AttributeValue) -> Result<T, Problems> {
    if let AttributeValue::Null(_) = value {
        if let Some(missing) = T::from_missing_attribute() {
            return Ok(missing);
        }
    }
    T::from_attribute_value(value)
}

/// Fields of leaf values are the [`Field`] itself.
macro_rules! leaf_attribute {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::value::DynamoAttribute for $ty {
            type Fields<M> = $crate::value::path::Field<M, $ty>;
            fn fields_at<M>(path: $crate::value::path::AttrPath) -> Self::Fields<M> {
                $crate::value::path::Field::new(path)
            }
        }
    )*};
}
pub(crate) use leaf_attribute;
