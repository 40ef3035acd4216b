//! Key conditions: the partition key's value plus at most one sort-key comparison, for the
//! table or one of its indexes. Only that index's key fields compile.

use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use super::condition::{render_comparison, Comparison, ComparisonOp};
use super::render::{Placeholders, Prefix, Rendered};
use crate::error::{Error, Result};
use crate::key::KeyArg;
use crate::meta::KeyMeta;
use crate::value::path::AttrPath;
use crate::value::KeyAttribute;

/// The key schema a query runs against: a table model (its primary key) or an index handle
/// (`Order::BY_CREATED`).
pub trait KeySchema {
    /// The model the items belong to.
    type Model;
    /// The Rust type of the partition key.
    type HashKey;
    /// The index name, `None` for the table itself.
    fn index_name() -> Option<&'static str>;
    /// The partition key attribute.
    fn hash_key() -> KeyMeta;
    /// The sort key attribute, if the schema has one.
    fn range_key() -> Option<KeyMeta>;
    /// The partition attributes after the first, for an index with a multi-attribute
    /// partition key.
    fn more_hash_keys() -> &'static [KeyMeta] {
        &[]
    }
    /// The sort attributes after the first, for an index with a multi-attribute sort key.
    fn more_range_keys() -> &'static [KeyMeta] {
        &[]
    }
}

/// The marker of a key field in its [`Field`](crate::Field) type: field number `N` of the
/// model. Only key fields carry one; the derive declares which schema each is a key of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyField<const N: usize>;

/// Implemented (by the derive) for the marker of the field that is the sort key of `S`.
#[diagnostic::on_unimplemented(
    message = "this field is not the sort key of `{S}`",
    label = "not the sort key of the table or index being queried",
    note = "a key condition's range part must compare the sort key of the chosen table or index"
)]
pub trait RangeKeyOf<S> {}

/// A key condition on schema `S`: `KeyConditionExpression`.
///
/// ```
/// use dynamo_model::{expr::KeyCondition, DynamoModel};
///
/// #[derive(DynamoModel)]
/// #[dynamo(table = "orders", hash_key = "customer_id", range_key = "order_id",
///          lsi(name = "by_created", range_key = "created_at"))]
/// struct Order { customer_id: String, order_id: String, created_at: String }
///
/// let key = KeyCondition::<Order>::hash("c1")
///     .range(Order::fields().order_id.begins_with("2026-"));
/// assert_eq!(key.render()?.expression, "#k0 = :k0 AND begins_with(#k1, :k1)");
///
/// let by_created = KeyCondition::new(Order::BY_CREATED, "c1")
///     .range(Order::fields().created_at.gt("2026-11"));
/// assert_eq!(by_created.render()?.expression, "#k0 = :k0 AND #k1 > :k1");
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub struct KeyCondition<S, P = SortAt<0>> {
    hash: AttributeValue,
    /// The values of the partition attributes after the first (multi-attribute keys).
    more_hash: Vec<AttributeValue>,
    /// Equalities on the leading sort attributes of a multi-attribute sort key, in order.
    sort_equal: Vec<(AttrPath, ComparisonOp)>,
    range: Option<(AttrPath, ComparisonOp)>,
    /// Why a key template could not be rendered; rendering reports it.
    problem: Option<String>,
    /// The sort-key condition was implied (an entity's own items), not asked for.
    implied_range: bool,
    _schema: PhantomData<fn() -> (S, P)>,
}

/// Where a key condition of a multi-attribute sort key is: the sort attributes before
/// position `N` are given (with equality), attribute `N` comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortAt<const N: usize>;

/// A key condition whose sort part ended with a range comparison: no sort attribute can
/// follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortDone;

/// The partition key type of an index whose partition key has several attributes: it is
/// queried through the handle's `key(..)`, which takes every one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultiAttributePartition<S>(PhantomData<fn() -> S>);

/// Implemented (by the derive) for the marker of the field that is sort attribute `N` (from
/// 0) of the multi-attribute index `S`.
#[diagnostic::on_unimplemented(
    message = "this field is not the sort attribute that comes next in the key of `{S}`",
    label = "not the next sort attribute of this index",
    note = "give the sort attributes in the index's order, from the first, without a gap: `sort_eq` on each but the last given, which may take `sort(..)` with any range comparison",
    note = "`sort(..)` ends the key condition: no sort attribute can follow it"
)]
pub trait SortAttributeOf<S, const N: usize> {}

/// The partition key type of a table or index whose partition key is a template: it has no
/// value of its own. Such a partition is queried through its access pattern,
/// `Model::query_by_<fields>(...)` or `Model::query_<index>(...)`, which takes the
/// template's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplatePartition<S>(PhantomData<fn() -> S>);

/// Implemented by the derive for a table or index whose sort key is a template, for each
/// prefix of the template's fields in order: `()`, `(created_at,)`,
/// `(created_at, order_id)`. A prefix that skips a field, or puts them out of order, does
/// not compile.
#[diagnostic::on_unimplemented(
    message = "`{P}` is not a prefix of the sort-key template of `{Self}`",
    label = "not the sort key's fields, in order, from the first",
    note = "a sort-key prefix gives the template's fields in order: `()`, `(first,)`, `(first, second)`..."
)]
pub trait SortKeyPrefix<P> {
    /// The values of the prefix's fields.
    fn prefix_values(prefix: P) -> Vec<AttributeValue>;
}

impl<S: KeySchema> KeyCondition<S> {
    /// The partition key equals `value` (on the table, with `S` the model).
    pub fn hash(value: impl KeyArg<S::HashKey>) -> Self {
        KeyCondition::hash_value(value.into_key_value())
    }

    /// The partition whose key template is rendered from `values` (its fields, in order).
    pub(crate) fn from_template_parts(values: Vec<AttributeValue>) -> Self {
        let rendered = match S::hash_key().template {
            Some(template) => template.render_values(&values.iter().collect::<Vec<_>>()),
            None => Err(format!(
                "the partition key `{}` is not a template",
                S::hash_key().attribute
            )),
        };
        match rendered {
            Ok(key) => KeyCondition::hash_value(AttributeValue::S(key)),
            Err(why) => KeyCondition {
                problem: Some(why),
                ..KeyCondition::hash_value(AttributeValue::Null(true))
            },
        }
    }

    /// The sort key begins with the template's text up to and including the fields of
    /// `prefix`: `()` for every item of the entity (`ORDER#`), `(created_at,)` for one
    /// time (`ORDER#0000000005#`), every field for one item.
    pub fn sk_begins_with<P>(self, prefix: P) -> Self
    where
        S: SortKeyPrefix<P>,
    {
        let values = S::prefix_values(prefix);
        self.with_sort_template(|template| {
            let text = template.render_prefix(&values.iter().collect::<Vec<_>>())?;
            Ok(ComparisonOp::BeginsWith(Ok(AttributeValue::S(text))))
        })
    }

    /// The sort key lies between two prefixes of the template, both included: every item
    /// whose fields start with `low` or `high` or sort between them.
    pub fn sk_between<P, Q>(self, low: P, high: Q) -> Self
    where
        S: SortKeyPrefix<P> + SortKeyPrefix<Q>,
    {
        let low = <S as SortKeyPrefix<P>>::prefix_values(low);
        let high = <S as SortKeyPrefix<Q>>::prefix_values(high);
        self.with_sort_template(|template| {
            let low = template.render_prefix(&low.iter().collect::<Vec<_>>())?;
            let mut high = template.render_prefix(&high.iter().collect::<Vec<_>>())?;
            // Above every key that starts with `high`: U+10FFFF sorts after any character.
            high.push(char::MAX);
            Ok(ComparisonOp::Between(
                Ok(AttributeValue::S(low)),
                Ok(AttributeValue::S(high)),
            ))
        })
    }

    /// Without a sort-key condition, an entity's own items: the sort key begins with the
    /// template's leading text (`ORDER#`), when it has one.
    pub(crate) fn or_entity_prefix(self) -> Self {
        if self.range.is_some() {
            return self;
        }
        let leading =
            S::range_key()
                .and_then(|key| key.template)
                .and_then(|template| match template.segments.first() {
                    Some(crate::meta::template::Segment::Literal(text)) => Some(*text),
                    _ => None,
                });
        match leading {
            Some(text) => {
                let mut narrowed = self.with_sort_template(|_| {
                    Ok(ComparisonOp::BeginsWith(Ok(AttributeValue::S(
                        text.to_owned(),
                    ))))
                });
                narrowed.implied_range = true;
                narrowed
            }
            None => self,
        }
    }

    /// The whole partition again: drops the sort-key condition [`or_entity_prefix`]
    /// implied (a collection reads every entity of the partition).
    pub(crate) fn without_implied_range(mut self) -> Self {
        if self.implied_range {
            self.range = None;
            self.implied_range = false;
        }
        self
    }

    fn with_sort_template(
        mut self,
        comparison: impl FnOnce(&crate::meta::template::KeyTemplate) -> Result<ComparisonOp, String>,
    ) -> Self {
        let Some((key, template)) = S::range_key().and_then(|k| k.template.map(|t| (k, t))) else {
            self.problem = Some("the sort key is not a template".to_owned());
            return self;
        };
        match comparison(template) {
            Ok(op) => self.range = Some((AttrPath::top(key.attribute), op)),
            Err(why) => self.problem = Some(why),
        }
        self
    }

    /// The partition key of `schema` (an index handle) equals `value`.
    pub fn new(schema: S, value: impl KeyArg<S::HashKey>) -> Self {
        let _ = schema;
        KeyCondition::hash(value)
    }

    /// Adds the sort-key comparison: `eq`, `lt`, `le`, `gt`, `ge`, `between` or
    /// `begins_with` on the schema's sort key (another field does not compile).
    pub fn range<K: RangeKeyOf<S>>(mut self, comparison: Comparison<S::Model, K>) -> Self {
        self.range = Some((comparison.path, comparison.op));
        self
    }
}

impl<S: KeySchema, P> KeyCondition<S, P> {
    /// Renders the `KeyConditionExpression` (placeholders `#k0`, `:k0`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidExpression`](crate::ErrorKind::InvalidExpression) for a value
    /// DynamoDB cannot take (NaN, an empty string is allowed by the type but not by
    /// DynamoDB for keys and is reported by the server).
    pub fn render(&self) -> Result<Rendered> {
        let model = std::any::type_name::<S::Model>();
        if let Some(problem) = &self.problem {
            return Err(Error::invalid_expression(model, problem.clone()));
        }
        if self.more_hash.len() != S::more_hash_keys().len() {
            return Err(Error::invalid_expression(
                model,
                format!(
                    "the partition key has {} attributes; the key condition gives {}",
                    S::more_hash_keys().len() + 1,
                    self.more_hash.len() + 1
                ),
            ));
        }
        let mut placeholders = Placeholders::new(Prefix::Key);
        let mut text = String::new();
        let partition = std::iter::once((S::hash_key(), &self.hash))
            .chain(S::more_hash_keys().iter().copied().zip(&self.more_hash));
        for (key, value) in partition {
            let name = placeholders.name(key.attribute);
            let value = placeholders.value(value.clone());
            if !text.is_empty() {
                text.push_str(" AND ");
            }
            text.push_str(&format!("{name} = {value}"));
        }
        for (path, op) in self.sort_equal.iter().chain(&self.range) {
            text.push_str(" AND ");
            let subject = placeholders.path(path);
            render_comparison(&subject, path, op, &mut placeholders, &mut text)
                .map_err(|m| Error::invalid_expression(model, m))?;
        }
        Ok(placeholders.finish(text))
    }

    /// The same condition, its position in a multi-attribute sort key forgotten (what a
    /// query keeps).
    pub(crate) fn finished(self) -> KeyCondition<S> {
        self.at()
    }

    fn at<Q>(self) -> KeyCondition<S, Q> {
        KeyCondition {
            hash: self.hash,
            more_hash: self.more_hash,
            sort_equal: self.sort_equal,
            range: self.range,
            problem: self.problem,
            implied_range: self.implied_range,
            _schema: PhantomData,
        }
    }
}

impl<S: KeySchema> KeyCondition<S> {
    /// The partition of a multi-attribute partition key: every attribute's value, in the
    /// index's order (the derive's `Model::INDEX.key(..)` gives them).
    pub(crate) fn from_partition(mut values: Vec<AttributeValue>) -> Self {
        let first = if values.is_empty() {
            AttributeValue::Null(true)
        } else {
            values.remove(0)
        };
        let mut condition = KeyCondition::<S>::hash_value(first);
        condition.more_hash = values;
        condition
    }

    fn hash_value(hash: AttributeValue) -> Self {
        KeyCondition {
            hash,
            more_hash: Vec::new(),
            sort_equal: Vec::new(),
            range: None,
            problem: None,
            implied_range: false,
            _schema: PhantomData,
        }
    }
}

/// The sort attributes of a multi-attribute sort key, one position at a time: `sort_eq`
/// moves on to the next attribute, `sort` ends the condition with a range comparison.
macro_rules! sort_positions {
    ($($at:literal => $next:literal),*) => {$(
        impl<S: KeySchema> KeyCondition<S, SortAt<$at>> {
            /// The next sort attribute of a multi-attribute sort key equals `value`
            /// (another field, or one out of order, does not compile).
            pub fn sort_eq<T, K: SortAttributeOf<S, $at>>(
                mut self,
                field: impl AsRef<crate::Field<S::Model, T, K>>,
                value: impl crate::expr::ValueFor<T>,
            ) -> KeyCondition<S, SortAt<$next>> {
                let path = field.as_ref().path().clone();
                let op = ComparisonOp::Compare(
                    super::condition::Comparator::Eq,
                    value.into_operand(),
                );
                self.sort_equal.push((path, op));
                self.at()
            }

            /// The last sort attribute given takes a range comparison (`lt`, `le`, `gt`,
            /// `ge`, `between`, `begins_with`, or `eq`), which ends the condition.
            pub fn sort<K: SortAttributeOf<S, $at>>(
                mut self,
                comparison: Comparison<S::Model, K>,
            ) -> KeyCondition<S, SortDone> {
                self.range = Some((comparison.path, comparison.op));
                self.at()
            }
        }
    )*};
}

sort_positions!(0 => 1, 1 => 2, 2 => 3, 3 => 4);

impl<S> KeyCondition<S> {
    /// The partition key value on another schema with the same partition key type (a query
    /// moved to an index). The range part is dropped: it was checked against this schema.
    pub(crate) fn with_schema<I>(self) -> KeyCondition<I> {
        KeyCondition {
            hash: self.hash,
            more_hash: self.more_hash,
            sort_equal: Vec::new(),
            range: None,
            problem: self.problem,
            implied_range: self.implied_range,
            _schema: PhantomData,
        }
    }
}

impl<S, P> Clone for KeyCondition<S, P> {
    fn clone(&self) -> Self {
        KeyCondition {
            hash: self.hash.clone(),
            more_hash: self.more_hash.clone(),
            sort_equal: self.sort_equal.clone(),
            range: self.range.clone(),
            problem: self.problem.clone(),
            implied_range: self.implied_range,
            _schema: PhantomData,
        }
    }
}

impl<S: KeySchema, P> fmt::Debug for KeyCondition<S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::debug_rendered(f, "KeyCondition", self.render())
    }
}

/// What [`Dynamo::query`](crate::Dynamo::query) takes to name the partition it reads, and
/// so the key schema it reads with:
///
/// - the partition key's value, for the table: `db.query::<Order>("c1")`;
/// - an index and its partition key's value: `db.query((Order::BY_STATUS, "open"))`;
/// - a key condition built beforehand, such as an access pattern of a model with key
///   templates: `db.query(Order::query_by_user_id("u1"))`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not name a partition to query",
    label = "not a partition key value, an `(Index, value)` pair or a key condition",
    note = "pass the partition key's value in its own type (`db.query::<Order>(\"c1\")`), an index with its value (`db.query((Order::BY_STATUS, \"open\"))`), or a key condition (a key-template model's `Model::query_by_..(..)`)",
    note = "the value has the key field's type: for an enum key, the variant (`Status::Open`), not its stored text"
)]
pub trait QueryKey<S: KeySchema> {
    /// The key condition of the query.
    fn into_key_condition(self) -> KeyCondition<S>;
}

impl<S: KeySchema<HashKey = T>, T: KeyAttribute> QueryKey<S> for T {
    fn into_key_condition(self) -> KeyCondition<S> {
        KeyCondition::hash(self)
    }
}

/// References to the common key types (a generic `&T` would collide with the values: a
/// reference may itself be a key type elsewhere).
macro_rules! query_key_by_reference {
    ($($ty:ty),*) => {$(
        impl<S: KeySchema<HashKey = $ty>> QueryKey<S> for &$ty {
            fn into_key_condition(self) -> KeyCondition<S> {
                KeyCondition::hash(self)
            }
        }
    )*};
}

query_key_by_reference!(
    String,
    Vec<u8>,
    i8,
    i16,
    i32,
    i64,
    i128,
    u8,
    u16,
    u32,
    u64,
    u128
);

impl<S: KeySchema<HashKey = String>> QueryKey<S> for &str {
    fn into_key_condition(self) -> KeyCondition<S> {
        KeyCondition::hash(self)
    }
}

impl<S: KeySchema<HashKey = Vec<u8>>> QueryKey<S> for &[u8] {
    fn into_key_condition(self) -> KeyCondition<S> {
        KeyCondition::hash(self)
    }
}

/// `(Order::BY_STATUS, "open")`: an index and its partition key's value.
impl<S: KeySchema, A: KeyArg<S::HashKey>> QueryKey<S> for (S, A) {
    fn into_key_condition(self) -> KeyCondition<S> {
        KeyCondition::new(self.0, self.1)
    }
}

/// A key condition built beforehand. Without a sort-key condition, a templated sort key that
/// starts with text (`ORDER#{..}`) keeps the query to that entity's items.
impl<S: KeySchema, P> QueryKey<S> for KeyCondition<S, P> {
    fn into_key_condition(self) -> KeyCondition<S> {
        self.finished().or_entity_prefix()
    }
}
