//! Lists (`Vec<T>` as L, `Vec<u8>` as B) and maps (`HashMap`/`BTreeMap<String, T>` as M).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use super::{
    decode_present, to_value_or_null, AttributeValue, DynamoAttribute, FromAttributeValue,
    PathStep, Problems, ToAttributeValue,
};
use crate::value::path::{AttrPath, Field};

impl<T: ToAttributeValue> ToAttributeValue for Vec<T> {
    #[inline]
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(T::__encode_slice(self))
    }

    fn check_value(&self, problems: &mut Problems) {
        self.as_slice().check_value(problems);
    }
}

impl<T: FromAttributeValue> FromAttributeValue for Vec<T> {
    #[inline]
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        T::__decode_vec(value)
    }
}

/// Paths inside a list are reached with [`Field::at`].
impl<T: DynamoAttribute> DynamoAttribute for Vec<T> {
    type Fields<M> = Field<M, Vec<T>>;

    fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
        Field::new(path)
    }
}

/// Encode-only: slices are written like `Vec<T>`.
impl<T: ToAttributeValue> ToAttributeValue for [T] {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(T::__encode_slice(self))
    }

    fn check_value(&self, problems: &mut Problems) {
        for (index, value) in self.iter().enumerate() {
            let mark = problems.len();
            value.check_value(problems);
            problems.nest_since(mark, PathStep::Index(index));
        }
    }
}

fn encode_map<'a, T: ToAttributeValue + 'a>(
    entries: impl ExactSizeIterator<Item = (&'a String, &'a T)>,
) -> AttributeValue {
    let mut map = HashMap::with_capacity(entries.len());
    for (key, value) in entries {
        map.insert(key.clone(), to_value_or_null(value));
    }
    AttributeValue::M(map)
}

fn check_map<'a, T: ToAttributeValue + 'a>(
    entries: impl Iterator<Item = (&'a String, &'a T)>,
    problems: &mut Problems,
) {
    for (key, value) in entries {
        let mark = problems.len();
        value.check_value(problems);
        problems.nest_since(mark, PathStep::Name(key));
    }
}

fn decode_map<T: FromAttributeValue, C: FromIterator<(String, T)>>(
    value: AttributeValue,
) -> Result<C, Problems> {
    let AttributeValue::M(map) = value else {
        return Err(Problems::mismatch("M", &value));
    };
    let mut problems = Problems::new();
    let decoded: Vec<(String, T)> = map
        .into_iter()
        .filter_map(|(key, value)| match decode_present::<T>(value) {
            Ok(v) => Some((key, v)),
            Err(child) => {
                problems.absorb(PathStep::Name(&key), child);
                None
            }
        })
        .collect();
    if problems.is_empty() {
        Ok(decoded.into_iter().collect())
    } else {
        Err(problems)
    }
}

impl<T: ToAttributeValue, S> ToAttributeValue for HashMap<String, T, S> {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(encode_map(self.iter()))
    }

    fn check_value(&self, problems: &mut Problems) {
        check_map(self.iter(), problems);
    }
}

impl<T: FromAttributeValue, S: BuildHasher + Default> FromAttributeValue for HashMap<String, T, S> {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        decode_map(value)
    }
}

impl<T: ToAttributeValue> ToAttributeValue for BTreeMap<String, T> {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(encode_map(self.iter()))
    }

    fn check_value(&self, problems: &mut Problems) {
        check_map(self.iter(), problems);
    }
}

impl<T: FromAttributeValue> FromAttributeValue for BTreeMap<String, T> {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        decode_map(value)
    }
}

/// Paths inside a map are reached with [`Field::key`].
impl<T: DynamoAttribute, S: BuildHasher + Default> DynamoAttribute for HashMap<String, T, S> {
    type Fields<M> = Field<M, Self>;

    fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
        Field::new(path)
    }
}

/// Paths inside a map are reached with [`Field::key`].
impl<T: DynamoAttribute> DynamoAttribute for BTreeMap<String, T> {
    type Fields<M> = Field<M, Self>;

    fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
        Field::new(path)
    }
}
