//! Vectors of vector indexes: `Vec<f32>` and `[f32; N]` (or an `Option` of one), stored as a
//! list of numbers (L of N), and fixed-length arrays of any attribute type.

use super::path::{AttrPath, Field};
use super::{AttributeValue, DynamoAttribute, FromAttributeValue, Problems, ToAttributeValue};

/// An array is stored like a `Vec` of its elements (a list, or binary for `[u8; N]`), and
/// reads back only at its length.
impl<T: ToAttributeValue, const N: usize> ToAttributeValue for [T; N] {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        self.as_slice().to_attribute_value()
    }

    fn check_value(&self, problems: &mut Problems) {
        self.as_slice().check_value(problems);
    }
}

impl<T: FromAttributeValue, const N: usize> FromAttributeValue for [T; N] {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        let values = T::__decode_vec(value)?;
        let length = values.len();
        values.try_into().map_err(|_| {
            Problems::single(format!(
                "the list has {length} elements where the field holds exactly {N}"
            ))
        })
    }
}

impl<T: DynamoAttribute, const N: usize> DynamoAttribute for [T; N] {
    type Fields<M> = Field<M, [T; N]>;

    fn fields_at<M>(path: AttrPath) -> Self::Fields<M> {
        Field::new(path)
    }
}

/// A field a vector index can read: a list of 32-bit floats. Arrays carry their length, so
/// an index of other dimensions does not compile.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a vector",
    label = "a vector index reads this field",
    note = "a vector index reads a `Vec<f32>` or an `[f32; N]` (or an `Option` of one), stored as a list of numbers"
)]
pub trait VectorAttribute {
    /// The length of every value, when the type fixes it.
    const DIMENSIONS: Option<usize>;
}

impl VectorAttribute for Vec<f32> {
    const DIMENSIONS: Option<usize> = None;
}

impl<const N: usize> VectorAttribute for [f32; N] {
    const DIMENSIONS: Option<usize> = Some(N);
}

/// An item without the vector is not in the index.
impl<V: VectorAttribute> VectorAttribute for Option<V> {
    const DIMENSIONS: Option<usize> = V::DIMENSIONS;
}

/// The vector a search compares with: a slice or `Vec` (its length checked before sending)
/// or an array (its length checked at compile time against the index).
pub trait QueryVector {
    /// The length of every value, when the type fixes it.
    const DIMENSIONS: Option<usize>;
    /// The numbers.
    fn values(&self) -> &[f32];
}

impl QueryVector for [f32] {
    const DIMENSIONS: Option<usize> = None;
    fn values(&self) -> &[f32] {
        self
    }
}

impl QueryVector for Vec<f32> {
    const DIMENSIONS: Option<usize> = None;
    fn values(&self) -> &[f32] {
        self
    }
}

impl<const N: usize> QueryVector for [f32; N] {
    const DIMENSIONS: Option<usize> = Some(N);
    fn values(&self) -> &[f32] {
        self
    }
}

/// Implemented (by the derive) for the handle of a vector index of `N` dimensions.
#[diagnostic::on_unimplemented(
    message = "vector index `{Self}` does not take vectors of {N} dimensions",
    label = "this query vector has {N} dimensions",
    note = "a search's query vector has the index's dimensions; a slice or a `Vec` is checked before sending instead"
)]
pub trait Dimensions<const N: usize> {}

/// A query vector that fits vector index `V`: an array of its dimensions, or a slice or
/// `Vec` (checked before sending).
pub trait QueryVectorFor<V>: QueryVector {}

impl<V> QueryVectorFor<V> for [f32] {}

impl<V> QueryVectorFor<V> for Vec<f32> {}

impl<V: Dimensions<N>, const N: usize> QueryVectorFor<V> for [f32; N] {}

/// The numbers of a stored vector, `None` when `value` is not a list of numbers.
pub(crate) fn parse_vector(value: &AttributeValue) -> Option<Vec<f32>> {
    match value {
        AttributeValue::L(values) => values
            .iter()
            .map(|v| match v {
                AttributeValue::N(n) => n.parse::<f32>().ok(),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}
