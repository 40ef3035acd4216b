//! Typed projections: smaller structs read from a model's items
//! (`#[dynamo(projection_of = "...")]`), which indexes can return them, and what a read
//! transaction's get decodes into.

use super::collection::Load;
use super::{decode_read, DynamoModel, Table};
use crate::error::Result;
use crate::expr::Projection;
use crate::value::Item;

/// A smaller struct read from the items of another model, with only the attributes it
/// holds: `#[dynamo(projection_of = "User")]`.
///
/// Reads ask for its attributes (and the table's key attributes, so a decode error names the
/// item) with a `ProjectionExpression`: `db.get::<User>(key).project::<UserCard>()`, and the
/// same `project` on query and scan. The derive checks at compile time that each field is a
/// field of the parent of the same type and attribute name.
///
/// ```
/// use dynamo_model::{DynamoModel, Projected};
///
/// #[derive(DynamoModel)]
/// #[dynamo(table = "users", hash_key = "user_id")]
/// struct User { user_id: String, email: String, bio: String }
///
/// #[derive(DynamoModel)]
/// #[dynamo(projection_of = "User")]
/// struct UserCard { user_id: String, email: String }
///
/// let expression = UserCard::projection().render()?.expression;
/// assert_eq!(expression, "#p0, #p1");
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub trait Projected: DynamoModel + Load {
    /// The model whose items it reads.
    type Of: Table;

    /// The projection its reads send: its own attributes, then those of the table's key
    /// and TTL it lacks (reads hide expired items by the TTL).
    fn projection() -> Projection<Self::Of> {
        let meta = Self::Of::meta();
        let kept = std::iter::once(meta.hash_key.attribute)
            .chain(meta.range_key.map(|key| key.attribute))
            .chain(meta.lifecycle.ttl);
        let mut projection = Projection::new();
        for name in Self::ATTRIBUTES.iter().copied().chain(kept) {
            if !projection.names(name) {
                projection = projection.attribute(name);
            }
        }
        projection
    }
}

/// Said of a table or index (key schema) that returns the model's field marked `A`: the
/// derive implements it for the table, and for each index per the fields it projects.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not project the field `{A}`",
    label = "this index cannot return every field of the projection",
    note = "an index returns the keys and the attributes it projects: read the projection from the table, or project the field on the index (`projection = \"all\"` or `include`)"
)]
pub trait Projects<A> {}

/// Said of a projection whose every field the key schema `S` returns: what a query of `S`
/// needs to read it (`.project::<P>()`). The derive implements it.
#[diagnostic::on_unimplemented(
    message = "`{S}` does not project every field of `{Self}`",
    note = "an index returns the keys and the attributes it projects: read the projection from the table, or project its fields on the index (`projection = \"all\"` or `include`)"
)]
pub trait ReadableFrom<S> {}

/// What a get of a read transaction decodes into: a table model, or a projection of one
/// (whose get then reads only its attributes).
pub trait Readable: DynamoModel + Load {
    /// The model whose table is read.
    type Table: Table;

    /// The projection the get sends: none for a table model.
    fn projection() -> Option<Projection<Self::Table>>;
}

impl<M: Table> Readable for M {
    type Table = M;

    fn projection() -> Option<Projection<M>> {
        None
    }
}

/// Decodes an item as the projection `P` of its model: decoding and validation, the item's
/// key in a decode error; a projection has no hooks.
pub(crate) fn load_projection<P: Projected>(item: Item) -> Result<P> {
    decode_read::<P>(P::Of::meta(), item)
}
