//! Another attribute of the same item where a value goes: `f.shipped.le(&f.promised)`,
//! `set(&f.total, &f.price + &f.tax)`, `set_if_not_exists(&f.display, &f.name)`.
//!
//! The other attribute is a field of the same model whose type compares and combines with
//! the first one's ([`SameKind`]: the same type, or an `Option` of it either way), so a
//! field of another model or of another type is a compile error. Arithmetic takes numbers
//! only. A comparison with an attribute is a plain condition, never a key condition's
//! range part: DynamoDB compares key attributes with values only.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Add, Sub};

use super::condition::{Comparator, ComparisonOp};
use super::operand::{Numeric, Operand, ValueFor};
use super::render::Placeholders;
use super::{Comparison, Condition};
use crate::value::path::{AttrPath, Field};

/// A field type whose values compare and combine with `T`'s: `T` itself, and `T` and
/// `Option<T>` either way.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` field cannot stand for a `{T}` field",
    label = "a field of another type",
    note = "an attribute operand is a field of the same model whose type is the same (an `Option` of it either way)"
)]
pub trait SameKind<T: ?Sized> {}

impl<T> SameKind<T> for T {}
impl<T> SameKind<T> for Option<T> {}
impl<T> SameKind<Option<T>> for T {}

/// Which impl an operand takes (inferred, never written): a value, an attribute, a sum.
/// Separate kinds keep the impls apart, since a value trait is open to other crates.
#[doc(hidden)]
#[derive(Debug)]
pub struct ByValue;
#[doc(hidden)]
#[derive(Debug)]
pub struct ByAttribute;
#[doc(hidden)]
#[derive(Debug)]
pub struct BySum;

/// One side of a comparison or an arithmetic: a value, or an attribute of the item.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum Term {
    Value(Operand),
    Attribute(AttrPath),
}

impl Term {
    /// The term as it stands in an expression next to `path`.
    pub(crate) fn render(
        &self,
        placeholders: &mut Placeholders,
        path: &AttrPath,
    ) -> Result<String, String> {
        match self {
            Term::Value(operand) => placeholders.operand(operand, path),
            Term::Attribute(other) => Ok(placeholders.path(other)),
        }
    }
}

/// What a comparison of a field of type `T` on model `M` takes: a value (the comparison
/// may then be a key condition's range part, on a key field), or another field of `M`
/// (a plain [`Condition`]). `Kind` is inferred from the argument and never written: it
/// tells the value and attribute impls apart.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither a value of type `{T}` nor a field of `{M}` of that type",
    label = "expected a value of type `{T}`, or a field of `{M}`",
    note = "values are checked against the field's Rust type: an `Option<T>` field takes a `T`; another attribute must be a field of the same model"
)]
pub trait Compared<M, T, K, Kind> {
    /// The comparison: a [`Comparison`] with a value, a [`Condition`] with an attribute.
    type Output;
    #[doc(hidden)]
    fn compare(self, path: AttrPath, comparator: Comparator) -> Self::Output;
}

impl<M, T, K, V: ValueFor<T>> Compared<M, T, K, ByValue> for V {
    type Output = Comparison<M, K>;
    fn compare(self, path: AttrPath, comparator: Comparator) -> Comparison<M, K> {
        Comparison::new(path, ComparisonOp::Compare(comparator, self.into_operand()))
    }
}

impl<M, T, K, U: SameKind<T>, L> Compared<M, T, K, ByAttribute> for &Field<M, U, L> {
    type Output = Condition<M>;
    fn compare(self, path: AttrPath, comparator: Comparator) -> Condition<M> {
        Condition::attributes(path, comparator, self.path().clone())
    }
}

impl<M, T, K, U: SameKind<T>, L> Compared<M, T, K, ByAttribute> for Field<M, U, L> {
    type Output = Condition<M>;
    fn compare(self, path: AttrPath, comparator: Comparator) -> Condition<M> {
        Condition::attributes(path, comparator, self.path().clone())
    }
}

/// What stands on the right of `+` and `-` beside a number field of type `T` on model
/// `M`: a value, or another number field of `M`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither a number of type `{T}` nor a number field of `{M}`",
    label = "expected a value of type `{T}`, or a field of `{M}`"
)]
pub trait TermOf<M, T, Kind> {
    #[doc(hidden)]
    fn into_term(self) -> Term;
}

impl<M, T, V: ValueFor<T>> TermOf<M, T, ByValue> for V {
    fn into_term(self) -> Term {
        Term::Value(self.into_operand())
    }
}

impl<M, T, U: SameKind<T>, K> TermOf<M, T, ByAttribute> for &Field<M, U, K> {
    fn into_term(self) -> Term {
        Term::Attribute(self.path().clone())
    }
}

impl<M, T, U: SameKind<T>, K> TermOf<M, T, ByAttribute> for Field<M, U, K> {
    fn into_term(self) -> Term {
        Term::Attribute(self.path().clone())
    }
}

/// The arithmetic operators of an update.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arithmetic {
    Plus,
    Minus,
}

/// `a + b` or `a - b` of number attributes (or an attribute and a value) of model `M`, for
/// [`Update::set`](super::Update::set): `&f.price + &f.tax`, `f.price.plus(5)`.
pub struct Sum<M, T> {
    pub(crate) left: Term,
    pub(crate) operator: Arithmetic,
    pub(crate) right: Term,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> fmt::Debug for Sum<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sum")
            .field("left", &self.left)
            .field("operator", &self.operator)
            .field("right", &self.right)
            .finish()
    }
}

impl<M, T: Numeric, K> Field<M, T, K> {
    /// `path + other` (numbers), for [`Update::set`](super::Update::set): `other` is a
    /// value or another number field of the model. `&f.a + &f.b` says the same for two
    /// fields.
    pub fn plus<R: TermOf<M, T, Kind>, Kind>(&self, other: R) -> Sum<M, T> {
        Sum::new(self.path().clone(), Arithmetic::Plus, other.into_term())
    }

    /// `path - other` (numbers), as [`Field::plus`].
    pub fn minus<R: TermOf<M, T, Kind>, Kind>(&self, other: R) -> Sum<M, T> {
        Sum::new(self.path().clone(), Arithmetic::Minus, other.into_term())
    }
}

impl<M, T> Sum<M, T> {
    fn new(left: AttrPath, operator: Arithmetic, right: Term) -> Self {
        Sum {
            left: Term::Attribute(left),
            operator,
            right,
            _types: PhantomData,
        }
    }
}

macro_rules! arithmetic {
    ($($left:ty, $right:ty);*) => {$(
        impl<M, T, K, U: SameKind<T>, L> Add<$right> for $left {
            type Output = Sum<M, T>;
            fn add(self, right: $right) -> Sum<M, T> {
                Sum::new(self.path().clone(), Arithmetic::Plus, Term::Attribute(right.path().clone()))
            }
        }

        impl<M, T, K, U: SameKind<T>, L> Sub<$right> for $left {
            type Output = Sum<M, T>;
            fn sub(self, right: $right) -> Sum<M, T> {
                Sum::new(self.path().clone(), Arithmetic::Minus, Term::Attribute(right.path().clone()))
            }
        }
    )*};
}

arithmetic!(
    &Field<M, T, K>, &Field<M, U, L>;
    &Field<M, T, K>, Field<M, U, L>;
    Field<M, T, K>, &Field<M, U, L>;
    Field<M, T, K>, Field<M, U, L>
);

/// What [`Update::set`](super::Update::set) writes to a field of type `T` on model `M`: a
/// value, another field of `M` of the same type, or a [`Sum`] of number fields.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be written to a field of type `{T}` of `{M}`",
    label = "expected a value of type `{T}`, a field of `{M}` of that type, or a sum of them",
    note = "values are checked against the field's Rust type: an `Option<T>` field takes a `T`; another attribute must be a field of the same model; a sum (`+`, `-`, `plus`, `minus`) needs number fields"
)]
pub trait SetTo<M, T, Kind> {
    #[doc(hidden)]
    fn into_source(self) -> Source;
}

/// Where a written value comes from.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum Source {
    Term(Term),
    Sum(Term, Arithmetic, Term),
}

impl<M, T, V: ValueFor<T>> SetTo<M, T, ByValue> for V {
    fn into_source(self) -> Source {
        Source::Term(Term::Value(self.into_operand()))
    }
}

impl<M, T, U: SameKind<T>, K> SetTo<M, T, ByAttribute> for &Field<M, U, K> {
    fn into_source(self) -> Source {
        Source::Term(Term::Attribute(self.path().clone()))
    }
}

impl<M, T, U: SameKind<T>, K> SetTo<M, T, ByAttribute> for Field<M, U, K> {
    fn into_source(self) -> Source {
        Source::Term(Term::Attribute(self.path().clone()))
    }
}

/// Arithmetic is on numbers: a sum of other fields is a compile error when written.
impl<M, T: Numeric, U: SameKind<T>> SetTo<M, T, BySum> for Sum<M, U> {
    fn into_source(self) -> Source {
        Source::Sum(self.left, self.operator, self.right)
    }
}

impl Source {
    /// The expression that writes it to `path`.
    pub(crate) fn render(
        &self,
        placeholders: &mut Placeholders,
        path: &AttrPath,
    ) -> Result<String, String> {
        match self {
            Source::Term(term) => term.render(placeholders, path),
            Source::Sum(left, operator, right) => {
                let left = left.render(placeholders, path)?;
                let right = right.render(placeholders, path)?;
                let symbol = match operator {
                    Arithmetic::Plus => "+",
                    Arithmetic::Minus => "-",
                };
                Ok(format!("{left} {symbol} {right}"))
            }
        }
    }
}
