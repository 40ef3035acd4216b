//! Newtypes (`struct UserId(String)`): stored as their inner value, keys and set members when
//! the inner type is.

use super::{AttributeValue, DynamoAttribute, KeyAttribute, Problems, ScalarType, SetElement};

/// A single-field tuple struct stored exactly as its inner value.
///
/// `#[derive(DynamoAttribute)]` implements it (with the codec traits) for `struct Id(T);`.
/// Through it a newtype is a key attribute when `T` is, and a set member when `T` is.
pub trait Newtype: DynamoAttribute {
    /// The wrapped type.
    type Inner;

    /// Borrows the wrapped value.
    fn as_inner(&self) -> &Self::Inner;

    /// Wraps a value.
    fn from_inner(inner: Self::Inner) -> Self;
}

#[diagnostic::do_not_recommend]
impl<T> KeyAttribute for T
where
    T: Newtype,
    T::Inner: KeyAttribute,
{
    const SCALAR_TYPE: ScalarType = <T::Inner as KeyAttribute>::SCALAR_TYPE;
}

#[diagnostic::do_not_recommend]
impl<T> SetElement for T
where
    T: Newtype,
    T::Inner: SetElement,
{
    fn encode_set<'a>(members: impl Iterator<Item = &'a Self>) -> AttributeValue
    where
        Self: 'a,
    {
        T::Inner::encode_set(members.map(T::as_inner))
    }

    fn decode_set<C: FromIterator<Self>>(value: AttributeValue) -> Result<C, Problems> {
        let inner: Vec<T::Inner> = T::Inner::decode_set(value)?;
        Ok(inner.into_iter().map(T::from_inner).collect())
    }
}
