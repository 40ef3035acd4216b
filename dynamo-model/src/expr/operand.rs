//! What a field's type allows in expressions, decided at compile time.
//!
//! [`ValueFor<T>`] says which Rust values may stand for a field of type `T` (the type itself,
//! its borrowed form, and for `Option<T>` the inner `T`). The capability traits say which
//! operators and update actions a field type has: ordering comparisons, `begins_with`,
//! `contains`, `size`, `add`, `delete`, list appends, `remove`. A field without the
//! capability has no such method, so `age.begins_with("x")` does not compile.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_types::Blob;

use crate::value::serde_form::Serde;
use crate::value::{Newtype, Problems, ToAttributeValue};

/// An encoded operand, or why it cannot be one (reported when the expression is rendered,
/// before any request).
pub(crate) type Operand = Result<AttributeValue, String>;

/// Encodes `value` as an operand: NaN, infinities and values with no attribute (an empty
/// set) are refused.
pub(crate) fn operand<T: ToAttributeValue + ?Sized>(value: &T) -> Operand {
    let mut problems = Problems::new();
    value.check_value(&mut problems);
    if let Some(problem) = problems.into_vec().into_iter().next() {
        return Err(problem.to_string());
    }
    // Operands are sent by the client: a value to offload is left for its upload.
    #[cfg(feature = "s3")]
    let (encoded, _) = crate::value::offloaded::offloading(|| value.to_attribute_value());
    #[cfg(not(feature = "s3"))]
    let encoded = value.to_attribute_value();
    encoded.ok_or_else(|| "the value has no DynamoDB form (an empty set or None)".to_owned())
}

/// A Rust value usable where a value of field type `T` is expected.
///
/// Implemented for `T` itself, `&T`, `&str` for strings, `&[u8]` for bytes, and for an
/// `Option<T>` field the inner `T` (conditions compare with the value, not the option).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of the field's type `{T}`",
    label = "expected a value of type `{T}`",
    note = "values are checked against the field's Rust type: an `Option<T>` field takes a `T`; another attribute in its place must be a field of the same model"
)]
pub trait ValueFor<T: ?Sized> {
    #[doc(hidden)]
    fn into_operand(self) -> Result<AttributeValue, String>;
}

impl<T: ToAttributeValue> ValueFor<T> for T {
    fn into_operand(self) -> Operand {
        operand(&self)
    }
}

impl<T: ToAttributeValue> ValueFor<T> for &T {
    fn into_operand(self) -> Operand {
        operand(self)
    }
}

impl<T: ToAttributeValue> ValueFor<Option<T>> for T {
    fn into_operand(self) -> Operand {
        operand(&self)
    }
}

impl<T: ToAttributeValue> ValueFor<Option<T>> for &T {
    fn into_operand(self) -> Operand {
        operand(self)
    }
}

/// A serde value stands for a `#[dynamo(serde)]` field (a `Serde<T>` accessor).
impl<T: serde::Serialize> ValueFor<Serde<T>> for T {
    fn into_operand(self) -> Operand {
        operand(&Serde(self))
    }
}

impl<T: serde::Serialize> ValueFor<Serde<T>> for &T {
    fn into_operand(self) -> Operand {
        operand(&Serde(self))
    }
}

macro_rules! borrowed_values {
    ($($borrowed:ty => $owned:ty),* $(,)?) => {$(
        impl ValueFor<$owned> for $borrowed {
            fn into_operand(self) -> Operand {
                operand(self)
            }
        }

        impl ValueFor<Option<$owned>> for $borrowed {
            fn into_operand(self) -> Operand {
                operand(self)
            }
        }
    )*};
}

borrowed_values!(&str => String, &str => Cow<'static, str>, &[u8] => Vec<u8>);

/// Declares a marker capability, implements it for the listed types, for `Option` of them,
/// and for newtypes of them.
macro_rules! capability {
    ($(#[$meta:meta])* $name:ident: $($ty:ty),* $(,)?) => {
        $(#[$meta])*
        pub trait $name {}
        $(impl $name for $ty {})*
        impl<T: $name> $name for Option<T> {}
        #[diagnostic::do_not_recommend]
        impl<T> $name for T where T: Newtype, T::Inner: $name {}
    };
}

capability! {
    /// Types compared with `<`, `<=`, `>`, `>=` and `BETWEEN`: strings, numbers, binary.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no order in DynamoDB",
        label = "`lt`, `le`, `gt`, `ge` and `between` need a string, number or binary field",
        note = "use `eq`, `ne` or `is_in` for other types"
    )]
    Ordered: String, Cow<'static, str>, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128,
        usize, f32, f64, Vec<u8>, Blob
}

capability! {
    /// Types with `begins_with`: strings and binary.
    #[diagnostic::on_unimplemented(
        message = "`begins_with` needs a string or binary field, not `{Self}`",
        label = "not a string or binary type"
    )]
    Prefixed: String, Cow<'static, str>, Vec<u8>, Blob
}

capability! {
    /// Types that are numbers: `increment`, `decrement`, and `add` on a number.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a number",
        label = "this update needs a number field"
    )]
    Numeric: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
}

capability! {
    /// Types with a `size()`: strings, binary, sets, lists and maps.
    #[diagnostic::on_unimplemented(
        message = "`size` needs a string, binary, set, list or map field, not `{Self}`",
        label = "no size in DynamoDB"
    )]
    HasSize: String, Cow<'static, str>, Blob
}

impl<T> HasSize for Vec<T> {}
impl<T, S> HasSize for HashSet<T, S> {}
impl<T> HasSize for BTreeSet<T> {}
impl<T, S> HasSize for HashMap<String, T, S> {}
impl<T> HasSize for BTreeMap<String, T> {}

#[cfg(feature = "bytes")]
impl Ordered for bytes::Bytes {}
#[cfg(feature = "bytes")]
impl Prefixed for bytes::Bytes {}
#[cfg(feature = "bytes")]
impl HasSize for bytes::Bytes {}
#[cfg(feature = "rust_decimal")]
impl Ordered for rust_decimal::Decimal {}
#[cfg(feature = "rust_decimal")]
impl Numeric for rust_decimal::Decimal {}
#[cfg(feature = "uuid")]
impl Ordered for uuid::Uuid {}
#[cfg(feature = "chrono")]
impl<Tz: chrono::TimeZone> Ordered for chrono::DateTime<Tz> {}
#[cfg(feature = "chrono")]
impl Ordered for chrono::NaiveDate {}
#[cfg(feature = "chrono")]
impl Ordered for chrono::NaiveDateTime {}
#[cfg(feature = "time")]
impl Ordered for time::OffsetDateTime {}
#[cfg(feature = "time")]
impl Ordered for time::PrimitiveDateTime {}
#[cfg(feature = "time")]
impl Ordered for time::Date {}

/// Values for `contains`: a substring for a string field, an element for a set or list.
#[diagnostic::on_unimplemented(
    message = "`contains` on a field of type `{T}` does not take `{Self}`",
    label = "`contains` needs a string, set or list field, and a substring or element",
    note = "a number or boolean field has no `contains`"
)]
pub trait ContainsValue<T: ?Sized> {
    #[doc(hidden)]
    fn contains_operand(self) -> Operand;
}

impl<V: ValueFor<String>> ContainsValue<String> for V {
    fn contains_operand(self) -> Operand {
        self.into_operand()
    }
}

impl<V: ValueFor<String>> ContainsValue<Option<String>> for V {
    fn contains_operand(self) -> Operand {
        self.into_operand()
    }
}

macro_rules! element_values {
    ($trait:ident: $($container:ident < $elem:ident $(, $extra:ident)? >),*) => {$(
        impl<$elem, $($extra,)? V: ValueFor<$elem>> $trait<$container<$elem $(, $extra)?>> for V {
            fn contains_operand(self) -> Operand {
                self.into_operand()
            }
        }

        impl<$elem, $($extra,)? V: ValueFor<$elem>> $trait<Option<$container<$elem $(, $extra)?>>> for V {
            fn contains_operand(self) -> Operand {
                self.into_operand()
            }
        }
    )*};
}

element_values!(ContainsValue: Vec<E>, HashSet<E, S>, BTreeSet<E>);

/// Encodes elements as one set value (SS, NS or BS) for `add` and `delete`.
pub(crate) fn set_operand<E, I>(elements: I) -> Operand
where
    I: IntoIterator,
    I::Item: ValueFor<E>,
{
    let mut strings = Vec::new();
    let mut numbers = Vec::new();
    let mut binaries = Vec::new();
    for element in elements {
        match ValueFor::<E>::into_operand(element)? {
            AttributeValue::S(s) => strings.push(s),
            AttributeValue::N(n) => numbers.push(n),
            AttributeValue::B(b) => binaries.push(b),
            other => {
                return Err(format!(
                    "a set holds strings, numbers or binaries, not {}",
                    crate::value::type_name(&other)
                ))
            }
        }
    }
    match (strings.is_empty(), numbers.is_empty(), binaries.is_empty()) {
        (false, true, true) => Ok(AttributeValue::Ss(strings)),
        (true, false, true) => Ok(AttributeValue::Ns(numbers)),
        (true, true, false) => Ok(AttributeValue::Bs(binaries)),
        (true, true, true) => Err("the set is empty: DynamoDB has no empty sets".to_owned()),
        _ => Err("the set mixes strings, numbers and binaries".to_owned()),
    }
}

/// Values for `add`: a number for a number field, elements for a set field.
#[diagnostic::on_unimplemented(
    message = "`add` on a field of type `{T}` does not take `{Self}`",
    label = "`add` needs a number field and a number, or a set field and its elements",
    note = "to change a string, list or map, use `set`"
)]
pub trait AddValue<T: ?Sized> {
    #[doc(hidden)]
    fn add_operand(self) -> Operand;
}

impl<T: Numeric + ToAttributeValue, V: ValueFor<T>> AddValue<T> for V {
    fn add_operand(self) -> Operand {
        self.into_operand()
    }
}

/// Values for `delete`: elements to take out of a set field.
#[diagnostic::on_unimplemented(
    message = "`delete` on a field of type `{T}` does not take `{Self}`",
    label = "`delete` removes elements from a set field",
    note = "to remove an attribute, use `remove`"
)]
pub trait DeleteValue<T: ?Sized> {
    #[doc(hidden)]
    fn delete_operand(self) -> Operand;
}

macro_rules! set_values {
    ($($set:ident < $elem:ident $(, $extra:ident)? >),*) => {$(
        impl<$elem, $($extra,)? I> AddValue<$set<$elem $(, $extra)?>> for I
        where
            I: IntoIterator,
            I::Item: ValueFor<$elem>,
        {
            fn add_operand(self) -> Operand {
                set_operand::<$elem, I>(self)
            }
        }

        impl<$elem, $($extra,)? I> AddValue<Option<$set<$elem $(, $extra)?>>> for I
        where
            I: IntoIterator,
            I::Item: ValueFor<$elem>,
        {
            fn add_operand(self) -> Operand {
                set_operand::<$elem, I>(self)
            }
        }

        impl<$elem, $($extra,)? I> DeleteValue<$set<$elem $(, $extra)?>> for I
        where
            I: IntoIterator,
            I::Item: ValueFor<$elem>,
        {
            fn delete_operand(self) -> Operand {
                set_operand::<$elem, I>(self)
            }
        }

        impl<$elem, $($extra,)? I> DeleteValue<Option<$set<$elem $(, $extra)?>>> for I
        where
            I: IntoIterator,
            I::Item: ValueFor<$elem>,
        {
            fn delete_operand(self) -> Operand {
                set_operand::<$elem, I>(self)
            }
        }
    )*};
}

set_values!(HashSet<E, S>, BTreeSet<E>);

/// Values for `append` and `prepend`: elements to add to a list field.
#[diagnostic::on_unimplemented(
    message = "`append` and `prepend` need a list field, not `{T}`",
    label = "not a list (`Vec<T>`) field",
    note = "for a set, use `add`"
)]
pub trait ListValues<T: ?Sized> {
    #[doc(hidden)]
    fn list_operand(self) -> Operand;
}

fn encode_list<E, I>(elements: I) -> Operand
where
    I: IntoIterator,
    I::Item: ValueFor<E>,
{
    let values = elements
        .into_iter()
        .map(ValueFor::into_operand)
        .collect::<Result<Vec<_>, _>>()?;
    if values.is_empty() {
        return Err("no elements to add to the list".to_owned());
    }
    Ok(AttributeValue::L(values))
}

impl<E, I> ListValues<Vec<E>> for I
where
    I: IntoIterator,
    I::Item: ValueFor<E>,
{
    fn list_operand(self) -> Operand {
        encode_list::<E, I>(self)
    }
}

impl<E, I> ListValues<Option<Vec<E>>> for I
where
    I: IntoIterator,
    I::Item: ValueFor<E>,
{
    fn list_operand(self) -> Operand {
        encode_list::<E, I>(self)
    }
}

/// Field types an update may `remove`: optional attributes and sets (absent reads back as
/// `None` or the empty set, so the model still decodes).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a required attribute and cannot be removed",
    label = "only `Option<T>` fields and sets can be removed",
    note = "removing a required attribute would leave an item the model cannot read"
)]
pub trait Removable {}

impl<T> Removable for Option<T> {}
impl<T, S> Removable for HashSet<T, S> {}
impl<T> Removable for BTreeSet<T> {}
