//! The traits `#[derive(DynamoModel)]` implements.

pub mod collection;
mod projection;

pub(crate) use projection::load_projection;
pub use projection::{Projected, Projects, Readable, ReadableFrom};

use crate::error::{Error, Result};
use crate::key::IntoKey;
use crate::meta::{IndexMeta, TableMeta};
use crate::value::{Item, Problems};

/// A struct stored as a DynamoDB item (with `table`) or as a nested map attribute (without).
///
/// Implemented by `#[derive(DynamoModel)]`; see the crate docs for the attributes it takes.
///
/// # Examples
///
/// ```
/// use dynamo_model::DynamoModel;
///
/// #[derive(Debug, PartialEq, DynamoModel)]
/// #[dynamo(table = "users", hash_key = "user_id")]
/// struct User {
///     user_id: String,
///     age: u32,
/// }
///
/// let user = User { user_id: "u1".into(), age: 30 };
/// let item = user.to_item();
/// assert_eq!(User::from_item(item)?, user);
/// # Ok::<(), dynamo_model::Error>(())
/// ```
pub trait DynamoModel: Sized {
    /// The Rust name of the model, used in error messages.
    const NAME: &'static str;

    /// The names of the attributes the model stores, in field order (empty for hand-written
    /// impls that do not say).
    const ATTRIBUTES: &'static [&'static str] = &[];

    /// The typed field accessors, `{Model}Fields`.
    type Fields;

    /// The typed field accessors of this model (also an inherent `Model::fields()`).
    fn fields() -> Self::Fields;

    /// Encodes the model as an item. Runs no validation; the client's write path calls
    /// [`DynamoModel::try_to_item`], which does.
    fn to_item(&self) -> Item;

    /// Decodes an item without running validators, reporting every attribute that does not
    /// fit (paths relative to the item).
    fn decode_item(item: Item) -> Result<Self, Problems>;

    /// Records what is wrong with this value: values DynamoDB cannot store (NaN, infinities)
    /// and the failures of field and model validators, nested models included.
    fn check(&self, problems: &mut Problems);

    /// Decodes an item and validates the result; all problems are reported together. An
    /// item nested deeper than DynamoDB's 32 levels is refused before decoding.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode) when attributes are missing or of the
    /// wrong type, [`ErrorKind::Validation`](crate::ErrorKind::Validation) when a validator
    /// fails.
    fn from_item(item: Item) -> Result<Self> {
        if let Some(problem) = crate::value::nesting_problem(&item) {
            let problem = crate::error::FieldError::new("", problem);
            return Err(Error::decode(Self::NAME, vec![problem]));
        }
        let model = Self::decode_item(item).map_err(|p| Error::decode(Self::NAME, p.into_vec()))?;
        model.validate()?;
        Ok(model)
    }

    /// Runs every check of [`DynamoModel::check`] and reports all failures in one error.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) listing each failed path.
    fn validate(&self) -> Result<()> {
        let mut problems = Problems::new();
        self.check(&mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::validation(Self::NAME, problems.into_vec()))
        }
    }

    /// The size of this value's item in DynamoDB's accounting (attribute names plus
    /// values), with each attribute's share; checked against the 400 KB limit and the
    /// model's `max_size` before every write.
    fn size(&self) -> crate::value::ItemSize {
        crate::value::ItemSize::of(&self.to_item())
    }

    /// Validates, then encodes: what every write sends.
    ///
    /// # Errors
    ///
    /// As [`DynamoModel::validate`].
    fn try_to_item(&self) -> Result<Item> {
        self.validate()?;
        Ok(self.to_item())
    }
}

/// Lifecycle hooks the client runs around item operations; every method does nothing by
/// default.
///
/// The derive implements them empty; with `#[dynamo(hooks)]` on the model, implement them
/// yourself. Writes by key (`update`, `delete_by_key`, a transaction's update or delete, a
/// batch's delete) have no item: they run the key hooks (`before_update`, `after_update`,
/// `before_delete_key`, `after_delete_key`), which receive the key. Every operation that
/// runs hooks has a `skip_hooks()`; dry runs (`to_request()`) run none.
///
/// ```
/// use dynamo_model::{DynamoModel, Hooks};
///
/// #[derive(DynamoModel)]
/// #[dynamo(table = "notes", hash_key = "id", hooks)]
/// struct Note { id: String, text: String }
///
/// impl Hooks for Note {
///     fn before_save(&self) -> dynamo_model::Result<()> {
///         if self.text.len() > 1000 {
///             return Err(dynamo_model::Error::invalid_request("Note", "text over 1000 bytes"));
///         }
///         Ok(())
///     }
/// }
/// ```
pub trait Hooks {
    /// Before a put (also in batches and transactions); an error stops the write.
    ///
    /// # Errors
    ///
    /// Whatever the hook decides; the write is not sent.
    fn before_save(&self) -> Result<()> {
        Ok(())
    }

    /// After a put succeeded: a transaction's once it committed, a batch's once its item
    /// was written (never for an item left unprocessed).
    fn after_save(&self) {}

    /// Before a delete of this item (`delete(&item)`); an error stops it.
    ///
    /// # Errors
    ///
    /// Whatever the hook decides; the delete is not sent.
    fn before_delete(&self) -> Result<()> {
        Ok(())
    }

    /// After a delete of this item (`delete(&item)`) succeeded.
    fn after_delete(&self) {}

    /// Before an update of the item with `key` (`update`, a transaction's update, a tracked
    /// save's); an error stops it.
    ///
    /// # Errors
    ///
    /// Whatever the hook decides; the update is not sent.
    fn before_update(key: &Item) -> Result<()>
    where
        Self: Sized,
    {
        let _ = key;
        Ok(())
    }

    /// After an update of the item with `key` succeeded (a single update; a transaction's
    /// after the whole transaction succeeded).
    fn after_update(key: &Item)
    where
        Self: Sized,
    {
        let _ = key;
    }

    /// Before a delete by key (`delete_by_key`, a transaction's or a batch's delete); an
    /// error stops it.
    ///
    /// # Errors
    ///
    /// Whatever the hook decides; the delete is not sent.
    fn before_delete_key(key: &Item) -> Result<()>
    where
        Self: Sized,
    {
        let _ = key;
        Ok(())
    }

    /// After a delete by key succeeded.
    fn after_delete_key(key: &Item)
    where
        Self: Sized,
    {
        let _ = key;
    }

    /// After an item was read and decoded (get, query, scan, batch and transaction reads).
    ///
    /// # Errors
    ///
    /// Whatever the hook decides; the read fails with it.
    fn after_load(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A model stored in its own table: `#[dynamo(table = "...", hash_key = "...")]`.
pub trait Table: DynamoModel + Hooks {
    /// The key: the hash key's type, or `(hash, range)`.
    type Key;

    /// The table's metadata (also an inherent `Model::meta()`).
    fn meta() -> &'static TableMeta;

    /// The key of this item.
    fn key(&self) -> Self::Key;

    /// The key attributes of this item, as an item.
    fn item_key(&self) -> Item;

    /// The key attributes of `key` as an item (what `GetItem` and `DeleteItem` send).
    /// Key templates are rendered; a part that cannot be (see [`crate::template`]) leaves its
    /// key attribute out, and the client's operations report why before sending.
    fn key_item(key: impl IntoKey<Self::Key>) -> Item {
        crate::meta::template::key_item(Self::meta(), key.into_key_parts()).unwrap_or_default()
    }

    /// Copies the attributes the client generates (ids, timestamps, version) from a
    /// written item into this value. Generated by the derive; nothing to do by default.
    #[doc(hidden)]
    fn __refresh_generated(&mut self, item: &Item) -> Result<()> {
        let _ = item;
        Ok(())
    }
}

/// A struct whose attributes can be stored at the top level of another model's item:
/// `#[dynamo(flatten)] address: Address`. The derive implements it for every struct that
/// derives `DynamoModel`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be flattened",
    label = "only a struct deriving `DynamoModel` can be flattened",
    note = "derive `DynamoModel` for it, or drop `flatten` to store it as a nested map"
)]
pub trait Flatten: DynamoModel + crate::value::DynamoAttribute {
    /// Its typed accessors, at the top level of the model `M` it is flattened into (or
    /// under `prefix`, where that model is itself nested).
    fn fields_under<M>(
        prefix: Option<crate::value::path::AttrPath>,
    ) -> <Self as crate::value::DynamoAttribute>::Fields<M>;
}

/// A secondary index of a model, named by the `const` handle the derive generates
/// (`Order::BY_CREATED`).
pub trait Index: Copy {
    /// The model whose table holds the index.
    type Model: Table;

    /// The index's metadata.
    fn meta(self) -> &'static IndexMeta;
}

/// A vector index of a model, named by the `const` handle the derive generates
/// (`Document::BY_EMBEDDING`).
pub trait VectorIndex: Copy {
    /// The model whose table holds the index.
    type Model: Table;
    /// The length of every vector of the index.
    const DIMENSIONS: usize;

    /// The index's metadata.
    fn meta(self) -> &'static crate::meta::VectorIndexMeta;
}

/// Decodes an item read from the service and runs its `after_load` hook (unless skipped).
pub(crate) fn load<M: Table>(item: Item, hooks: bool) -> Result<M> {
    let mut model = decode_read::<M>(M::meta(), item)?;
    if hooks {
        model.after_load()?;
    }
    Ok(model)
}

/// Decodes and validates an item of the table `meta` describes as `M`, naming the item's
/// key in an error.
pub(super) fn decode_read<M: DynamoModel>(meta: &TableMeta, item: Item) -> Result<M> {
    // Kept for a decode error's message; made an item only then.
    let key = ItemKey::of(meta, &item);
    // Encrypted attributes bound to their item open only with its table and key.
    #[cfg(feature = "encryption")]
    let (decoded, key) = {
        let (decoded, parts) =
            crate::encryption::reading(meta.table, key.parts, || M::from_item(item));
        (decoded, ItemKey { parts })
    };
    #[cfg(not(feature = "encryption"))]
    let decoded = M::from_item(item);
    decoded.map_err(|e| e.for_item_key(key.into_item()))
}

/// The key attributes of an item: the table's hash and range key values, under their
/// static names, made an [`Item`] only when one is needed.
pub(crate) struct ItemKey {
    parts: crate::value::KeyParts,
}

impl ItemKey {
    /// The key of `item`, a full item of the table `meta` describes.
    pub(crate) fn of(meta: &TableMeta, item: &Item) -> Self {
        let part = |attribute: &'static str| item.get(attribute).map(|v| (attribute, v.clone()));
        ItemKey {
            parts: [
                part(meta.hash_key.attribute),
                meta.range_key.and_then(|k| part(k.attribute)),
            ],
        }
    }

    /// The key as an item.
    pub(crate) fn into_item(self) -> Item {
        self.parts
            .into_iter()
            .flatten()
            .map(|(name, value)| (name.to_owned(), value))
            .collect()
    }
}
