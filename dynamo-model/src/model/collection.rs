//! Collections: many models in one table, told apart by their entity-type attribute.
//!
//! `#[derive(DynamoCollection)]` on an enum whose variants each hold one model decodes an
//! item into the variant whose entity name the item carries, never by trying each model.
//!
//! ```
//! use dynamo_model::{Dynamo, DynamoCollection, DynamoModel};
//!
//! #[derive(Debug, DynamoModel)]
//! #[dynamo(table = "shop", pk = "USER#{user_id}", sk = "PROFILE")]
//! struct User { user_id: String, name: String }
//!
//! #[derive(Debug, DynamoModel)]
//! #[dynamo(table = "shop", pk = "USER#{user_id}", sk = "ORDER#{order_id}")]
//! struct Order { user_id: String, order_id: String, total: u32 }
//!
//! #[derive(Debug, DynamoCollection)]
//! enum Account { User(User), Order(Order) }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let db = Dynamo::memory();
//! db.create_table::<User>().await?;
//! db.put(&User { user_id: "u1".into(), name: "Ada".into() }).await?;
//! db.put(&Order { user_id: "u1".into(), order_id: "o1".into(), total: 5 }).await?;
//!
//! let everything: Vec<Account> = db.query(User::query_by_user_id("u1")).collection::<Account>().all().await?;
//! assert!(matches!(everything.as_slice(), [Account::Order(_), Account::User(_)]));
//! # Ok::<(), dynamo_model::Error>(())
//! # }).unwrap();
//! ```

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, FieldError, Result};
use crate::meta::TableMeta;
use crate::model::Table;
use crate::value::Item;

/// What a query decodes its items into: a model, or a collection of models.
pub trait Load: Sized {
    /// Decodes `item` (and runs the `after_load` hook, unless `hooks` is false).
    ///
    /// # Errors
    ///
    /// Decode and validation errors, and what the hook returns.
    fn load(item: Item, hooks: bool) -> Result<Self>;
}

/// Raw rows, as the service returned them.
impl Load for Item {
    fn load(item: Item, _hooks: bool) -> Result<Self> {
        Ok(item)
    }
}

impl<M: Table> Load for M {
    fn load(item: Item, hooks: bool) -> Result<Self> {
        super::load(item, hooks)
    }
}

/// An enum of models sharing a table, decoded by entity type:
/// `#[derive(DynamoCollection)]`.
pub trait Collection: Load {
    /// The Rust name of the enum, for messages.
    const NAME: &'static str;

    /// Decodes an item (from a raw SDK call, a stream record...) into its variant, running
    /// no hooks.
    ///
    /// # Errors
    ///
    /// `Decode` when the item has no entity type or one no variant holds, and the
    /// variant's decode and validation errors.
    fn from_item(item: Item) -> Result<Self> {
        Self::load(item, false)
    }
}

/// Which of `entities` `item` is, by its entity-type attribute.
#[doc(hidden)]
pub fn entity_variant(
    collection: &'static str,
    item: &Item,
    entities: &[&TableMeta],
) -> Result<usize> {
    let problem = |path: &str, message: String| {
        Error::decode(collection, vec![FieldError::new(path, message)])
    };
    let mut attribute = None;
    for meta in entities {
        let Some(entity) = meta.entity else {
            return Err(problem(
                "",
                format!(
                    "`{}` has no entity type, so a collection cannot tell it apart",
                    meta.model
                ),
            ));
        };
        attribute.get_or_insert(entity.attribute);
    }
    let Some(attribute) = attribute else {
        return Err(problem("", "the collection has no variant".to_owned()));
    };
    let name = match item.get(attribute) {
        Some(AttributeValue::S(name)) => name,
        Some(_) => {
            return Err(problem(
                attribute,
                "the entity type is not a string".to_owned(),
            ))
        }
        None => return Err(problem(attribute, "the item has no entity type".to_owned())),
    };
    entities
        .iter()
        .position(|meta| {
            meta.entity
                .is_some_and(|e| e.attribute == attribute && e.name == name)
        })
        .ok_or_else(|| {
            let known: Vec<&str> = entities
                .iter()
                .filter_map(|m| m.entity.map(|e| e.name))
                .collect();
            problem(
                attribute,
                format!("entity type `{name}` is none of {}", known.join(", ")),
            )
        })
}
