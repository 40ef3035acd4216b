//! The filter of a vector search (`SearchConditionExpression`): what `SearchVectors`
//! allows and nothing else. Equality on the search schema's partition attribute,
//! comparisons on its inline filter attributes, top-level only; another field does not
//! compile.

use std::fmt;
use std::marker::PhantomData;

use super::condition::{render_comparison, Comparator, Comparison, ComparisonOp};
use super::render::{Placeholders, Prefix, Rendered};
use super::ValueFor;
use crate::error::{Error, Result};
use crate::value::path::{AttrPath, Field};

/// Implemented (by the derive) for the marker of the field that is the partition
/// attribute of vector index `V`'s search schema.
#[diagnostic::on_unimplemented(
    message = "this field is not the partition attribute of the search schema of `{V}`",
    label = "not the `partition` of this vector index",
    note = "a vector search takes equality on the index's `partition` field and comparisons on its `filters` fields, nothing else"
)]
pub trait SearchPartitionOf<V> {}

/// Implemented (by the derive) for the markers of the inline filter attributes of vector
/// index `V`'s search schema.
#[diagnostic::on_unimplemented(
    message = "this field is not an inline filter of the search schema of `{V}`",
    label = "not one of the `filters` of this vector index",
    note = "a vector search takes equality on the index's `partition` field and comparisons on its `filters` fields, nothing else"
)]
pub trait InlineFilterOf<V> {}

/// The filter of a search on vector index `V` (of model `M`): its terms, joined by `AND`.
pub struct SearchFilter<M, V> {
    terms: Vec<(AttrPath, ComparisonOp)>,
    _types: PhantomData<fn() -> (M, V)>,
}

impl<M, V> Default for SearchFilter<M, V> {
    fn default() -> Self {
        SearchFilter {
            terms: Vec::new(),
            _types: PhantomData,
        }
    }
}

impl<M, V> Clone for SearchFilter<M, V> {
    fn clone(&self) -> Self {
        SearchFilter {
            terms: self.terms.clone(),
            _types: PhantomData,
        }
    }
}

impl<M, V> fmt::Debug for SearchFilter<M, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::debug_rendered(f, "SearchFilter", self.render())
    }
}

impl<M, V> SearchFilter<M, V> {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// The partition attribute equals `value`.
    pub fn partition<T, K: SearchPartitionOf<V>>(
        mut self,
        field: impl AsRef<Field<M, T, K>>,
        value: impl ValueFor<T>,
    ) -> Self {
        let op = ComparisonOp::Compare(Comparator::Eq, value.into_operand());
        self.terms.push((field.as_ref().path().clone(), op));
        self
    }

    /// An inline filter attribute compares: `eq`, `lt`, `le`, `gt`, `ge`, `between` or
    /// `begins_with`.
    pub fn and<K: InlineFilterOf<V>>(mut self, comparison: Comparison<M, K>) -> Self {
        self.terms.push((comparison.path, comparison.op));
        self
    }

    /// True without terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Renders the `SearchConditionExpression` (placeholders `#f0`, `:f0`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidExpression`](crate::ErrorKind::InvalidExpression) for a value
    /// DynamoDB cannot take.
    pub fn render(&self) -> Result<Rendered> {
        let model = std::any::type_name::<M>();
        let mut placeholders = Placeholders::new(Prefix::Filter);
        let mut text = String::new();
        for (path, op) in &self.terms {
            if !text.is_empty() {
                text.push_str(" AND ");
            }
            let subject = placeholders.path(path);
            render_comparison(&subject, path, op, &mut placeholders, &mut text)
                .map_err(|m| Error::invalid_expression(model, m))?;
        }
        Ok(placeholders.finish(text))
    }
}
