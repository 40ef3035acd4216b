//! Sets of strings, numbers or binaries (SS, NS, BS).
//!
//! DynamoDB rejects an empty set, so an empty set is not written and an absent (or NULL)
//! attribute reads back as the empty set.

use std::collections::{BTreeSet, HashSet};
use std::hash::{BuildHasher, Hash};

use aws_smithy_types::Blob;

use super::number::parse_integer;
use super::{
    AttributeValue, DynamoAttribute, FromAttributeValue, PathStep, Problems, ToAttributeValue,
};
use crate::value::path::{AttrPath, Field};

/// A type that can be a member of a DynamoDB set: strings (SS), numbers (NS), binary (BS).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a member of a DynamoDB set",
    note = "sets hold strings (SS), numbers (NS) or binary values (BS)"
)]
pub trait SetElement: Sized {
    /// Encodes the members as one set value; called only with at least one member.
    fn encode_set<'a>(members: impl Iterator<Item = &'a Self>) -> AttributeValue
    where
        Self: 'a;

    /// Decodes the members of a set value.
    fn decode_set<C: FromIterator<Self>>(value: AttributeValue) -> Result<C, Problems>;
}

impl SetElement for String {
    #[inline]
    fn encode_set<'a>(members: impl Iterator<Item = &'a Self>) -> AttributeValue {
        AttributeValue::Ss(members.cloned().collect())
    }

    fn decode_set<C: FromIterator<Self>>(value: AttributeValue) -> Result<C, Problems> {
        match value {
            AttributeValue::Ss(members) => Ok(members.into_iter().collect()),
            other => Err(Problems::mismatch("SS", &other)),
        }
    }
}

impl SetElement for Vec<u8> {
    fn encode_set<'a>(members: impl Iterator<Item = &'a Self>) -> AttributeValue {
        AttributeValue::Bs(members.map(|m| Blob::new(m.as_slice())).collect())
    }

    fn decode_set<C: FromIterator<Self>>(value: AttributeValue) -> Result<C, Problems> {
        match value {
            AttributeValue::Bs(members) => Ok(members.into_iter().map(Blob::into_inner).collect()),
            other => Err(Problems::mismatch("BS", &other)),
        }
    }
}

/// Decodes the text members of a set with `parse`, reporting each bad member by index.
pub(crate) fn decode_text_members<T, C: FromIterator<T>>(
    members: Vec<String>,
    mut parse: impl FnMut(String) -> Result<T, Problems>,
) -> Result<C, Problems> {
    let mut problems = Problems::new();
    let decoded: Vec<T> = members
        .into_iter()
        .enumerate()
        .filter_map(|(index, member)| {
            parse(member)
                .map_err(|child| problems.absorb(PathStep::Index(index), child))
                .ok()
        })
        .collect();
    if problems.is_empty() {
        Ok(decoded.into_iter().collect())
    } else {
        Err(problems)
    }
}

/// Decodes the members of a number set (NS) with `parse`.
pub(crate) fn decode_number_set<T, C: FromIterator<T>>(
    value: AttributeValue,
    parse: impl Fn(&str) -> Result<T, Problems>,
) -> Result<C, Problems> {
    match value {
        AttributeValue::Ns(members) => decode_text_members(members, |m| parse(&m)),
        other => Err(Problems::mismatch("NS", &other)),
    }
}

macro_rules! number_set {
    ($($ty:ty),*) => {$(
        impl SetElement for $ty {
            fn encode_set<'a>(members: impl Iterator<Item = &'a Self>) -> AttributeValue {
                let mut buffer = itoa::Buffer::new();
                AttributeValue::Ns(members.map(|m| buffer.format(*m).to_owned()).collect())
            }

            fn decode_set<C: FromIterator<Self>>(value: AttributeValue) -> Result<C, Problems> {
                decode_number_set(value, parse_integer::<$ty>)
            }
        }
    )*};
}

number_set!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

#[inline]
fn encode_members<'a, T: SetElement + 'a>(
    len: usize,
    members: impl Iterator<Item = &'a T>,
) -> Option<AttributeValue> {
    (len > 0).then(|| T::encode_set(members))
}

fn decode_members<T: SetElement, C: FromIterator<T>>(value: AttributeValue) -> Result<C, Problems> {
    match value {
        AttributeValue::Null(_) => Ok(std::iter::empty().collect()),
        value => T::decode_set(value),
    }
}

impl<T: SetElement, S> ToAttributeValue for HashSet<T, S> {
    #[inline]
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        encode_members(self.len(), self.iter())
    }
}

impl<T: SetElement + Eq + Hash, S: BuildHasher + Default> FromAttributeValue for HashSet<T, S> {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        decode_members(value)
    }

    fn from_missing_attribute() -> Option<Self> {
        Some(HashSet::default())
    }
}

impl<T: SetElement + Eq + Hash, S: BuildHasher + Default> DynamoAttribute for HashSet<T, S> {
    type Fields<M> = Field<M, Self>;

    fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
        Field::new(path)
    }
}

impl<T: SetElement> ToAttributeValue for BTreeSet<T> {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        encode_members(self.len(), self.iter())
    }
}

impl<T: SetElement + Ord> FromAttributeValue for BTreeSet<T> {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        decode_members(value)
    }

    fn from_missing_attribute() -> Option<Self> {
        Some(BTreeSet::new())
    }
}

impl<T: SetElement + Ord> DynamoAttribute for BTreeSet<T> {
    type Fields<M> = Field<M, Self>;

    fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
        Field::new(path)
    }
}
