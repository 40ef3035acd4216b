//! Typed expressions: conditions, filters, key conditions, updates and projections.
//!
//! Each is built from the typed accessors of `Model::fields()`, so a field of another
//! model, a value of the wrong type, or an operator the field's type does not have is a
//! compile error. Every name and value is rendered through a placeholder; every builder has
//! a `render()` that returns the exact expression, names and values (a dry run).
//!
//! # Every operator
//!
//! ```
//! use std::collections::{BTreeSet, HashMap};
//! use dynamo_model::expr::{AttributeType, Condition, KeyCondition, Projection, Update};
//! use dynamo_model::DynamoModel;
//!
//! #[derive(DynamoModel)]
//! #[dynamo(table = "users", hash_key = "id", range_key = "created")]
//! struct User {
//!     id: String,
//!     created: u64,
//!     name: String,
//!     age: u32,
//!     score: f64,
//!     tags: BTreeSet<String>,
//!     history: Vec<i64>,
//!     prefs: HashMap<String, String>,
//!     nickname: Option<String>,
//!     address: Option<Address>,
//! }
//!
//! #[derive(DynamoModel)]
//! struct Address { city: String }
//!
//! let f = User::fields();
//! let text = |c: Condition<User>| c.render().unwrap().expression;
//!
//! // Comparisons (`lt`, `le`, `gt`, `ge`, `between` on strings, numbers, binary).
//! assert_eq!(text(f.age.eq(30).into()), "#c0 = :c0");
//! assert_eq!(text(f.age.ne(30)), "#c0 <> :c0");
//! assert_eq!(text(f.age.lt(30).into()), "#c0 < :c0");
//! assert_eq!(text(f.age.le(30).into()), "#c0 <= :c0");
//! assert_eq!(text(f.score.gt(1.5).into()), "#c0 > :c0");
//! assert_eq!(text(f.name.ge("M").into()), "#c0 >= :c0");
//! assert_eq!(text(f.age.between(18, 65).into()), "#c0 BETWEEN :c0 AND :c1");
//! assert_eq!(text(f.age.is_in([1, 2, 3])), "#c0 IN (:c0, :c1, :c2)");
//! // Strings and binary.
//! assert_eq!(text(f.name.begins_with("Al").into()), "begins_with(#c0, :c0)");
//! // Strings, sets, lists.
//! assert_eq!(text(f.tags.contains("admin")), "contains(#c0, :c0)");
//! assert_eq!(text(f.name.contains("da")), "contains(#c0, :c0)");
//! // Sizes of strings, binary, sets, lists, maps.
//! assert_eq!(text(f.tags.size().gt(2)), "size(#c0) > :c0");
//! // Any field.
//! assert_eq!(text(f.nickname.exists()), "attribute_exists(#c0)");
//! assert_eq!(text(f.nickname.not_exists()), "attribute_not_exists(#c0)");
//! assert_eq!(text(f.age.attribute_type(AttributeType::N)), "attribute_type(#c0, :c0)");
//! // `Option<T>` fields compare with `T`; nested paths and list elements.
//! assert_eq!(text(f.nickname.eq("Al").into()), "#c0 = :c0");
//! assert_eq!(text(f.address().city().eq("Paris").into()), "#c0.#c1 = :c0");
//! assert_eq!(text(f.history.at(0).gt(5).into()), "#c0[0] > :c0");
//! assert_eq!(text(f.prefs.key("theme").eq("dark").into()), "#c0.#c1 = :c0");
//! // Another field of the model, of the same type, where a value goes.
//! assert_eq!(text(f.nickname.ne(&f.name)), "#c0 <> #c1");
//! // Combinators, with DynamoDB's precedence (NOT, then AND, then OR).
//! assert_eq!(
//!     text((f.age.ge(18) & f.name.begins_with("A")) | !f.nickname.exists()),
//!     "#c0 >= :c0 AND begins_with(#c1, :c1) OR NOT attribute_exists(#c2)"
//! );
//! assert_eq!(
//!     text(f.age.ge(18) & (f.name.eq("A") | f.name.eq("B"))),
//!     "#c0 >= :c0 AND (#c1 = :c1 OR #c1 = :c2)"
//! );
//!
//! // Key conditions: the partition key, then one comparison on the sort key.
//! let key = KeyCondition::<User>::hash("u1").range(f.created.between(1, 9));
//! assert_eq!(key.render()?.expression, "#k0 = :k0 AND #k1 BETWEEN :k1 AND :k2");
//!
//! // Updates: SET (value, if_not_exists, + and -, list appends), REMOVE, ADD, DELETE.
//! let update = Update::<User>::new()
//!     .set(&f.name, "Ada")
//!     .set_if_not_exists(&f.score, 0.0)
//!     .increment(&f.age, 1)
//!     .prepend(&f.history, [0])
//!     .remove(&f.nickname)
//!     .remove_at(&f.history, 3)
//!     .delete(&f.tags, ["old"]);
//! assert!(update.render().is_err(), "history is both prepended to and removed from");
//! // Values from the item: a copy, a sum or difference of number fields.
//! let update = Update::<User>::new()
//!     .set(&f.score, f.score.plus(0.5))
//!     .set(&f.age, &f.age + &f.age)
//!     .set_if_not_exists(&f.nickname, &f.name);
//! assert_eq!(
//!     update.render()?.expression,
//!     "SET #u0 = #u0 + :u0, #u1 = #u1 + #u1, #u2 = if_not_exists(#u2, #u3)"
//! );
//!
//! // Projections.
//! let projection = Projection::<User>::new().field(&f.name).field(&f.address().city);
//! assert_eq!(projection.render()?.expression, "#p0, #p1.#p2");
//! # Ok::<(), dynamo_model::Error>(())
//! ```

mod attribute;
mod condition;
mod key;
mod operand;
mod projection;
mod raw;
mod render;
mod search;
mod update;

pub use attribute::{Compared, SameKind, SetTo, Sum, TermOf};
pub use condition::{
    AttributeType, Comparison, Condition, IntoCondition, Size, UncheckedCondition, MAX_IN_OPERANDS,
};
pub use key::{
    KeyCondition, KeyField, KeySchema, MultiAttributePartition, QueryKey, RangeKeyOf, SortAt,
    SortAttributeOf, SortDone, SortKeyPrefix, TemplatePartition,
};
pub use operand::{
    AddValue, ContainsValue, DeleteValue, HasSize, ListValues, Numeric, Ordered, Prefixed,
    Removable, ValueFor,
};
pub use projection::Projection;
pub use render::Rendered;
pub use search::{InlineFilterOf, SearchFilter, SearchPartitionOf};
pub(crate) use update::Change;
pub use update::{Clause, UncheckedAction, Update};

/// Writes `Kind(expression with names)`, or why it does not render: the `Debug` of every
/// expression builder.
fn debug_rendered(
    f: &mut std::fmt::Formatter<'_>,
    kind: &str,
    rendered: crate::Result<Rendered>,
) -> std::fmt::Result {
    match rendered {
        Ok(rendered) => write!(f, "{kind}({})", readable(&rendered)),
        Err(error) => write!(f, "{kind}(<invalid: {error}>)"),
    }
}

/// The expression with each name placeholder replaced by its name (values stay
/// placeholders: item values are not printed in `Debug` output).
fn readable(rendered: &Rendered) -> String {
    let mut text = rendered.expression.clone();
    let mut names: Vec<(&String, &String)> = rendered.names.iter().collect();
    // Longest first, so `#c10` is replaced before `#c1`.
    names.sort_by_key(|(placeholder, _)| std::cmp::Reverse(placeholder.len()));
    for (placeholder, name) in names {
        text = text.replace(placeholder.as_str(), name);
    }
    text
}
