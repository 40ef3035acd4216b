//! Change tracking ("smart save"): a [`Tracked`] model remembers the item it was loaded as,
//! and [`Dynamo::save_changes`] sends an `UpdateItem` of only the attributes that changed
//! (a full `PutItem` for a new item, or when asked).

use std::future::IntoFuture;
use std::ops::{Deref, DerefMut};

use aws_sdk_dynamodb::operation::{put_item, update_item};
use aws_sdk_dynamodb::types::AttributeValue;

use super::item::BoxFuture;
use super::seal::Sealing;
use super::Dynamo;
use crate::error::{Error, Result};
use crate::expr::Update;
use crate::meta::TableMeta;
use crate::model::Table;
use crate::value::Item;

/// A model and the item it was loaded as, to save only what changed.
///
/// It dereferences to the model: read and change fields as usual, then
/// [`Dynamo::save_changes`]. The comparison is on the encoded item, attribute by attribute.
///
/// ```
/// # use dynamo_model::{DynamoModel, Tracked};
/// #[derive(Debug, Clone, DynamoModel)]
/// #[dynamo(table = "users", hash_key = "id")]
/// struct User { id: String, name: String, visits: u32 }
///
/// let mut user = Tracked::loaded(User { id: "u1".into(), name: "Ada".into(), visits: 1 });
/// assert!(!user.is_dirty());
/// user.visits += 1;
/// assert_eq!(user.changed_fields(), ["visits"]);
/// ```
#[derive(Clone)]
pub struct Tracked<M> {
    model: M,
    /// The item as last loaded or saved; `None` for a model never stored.
    original: Option<Item>,
}

impl<M: Table> Tracked<M> {
    /// A model not stored yet: its first save is a `PutItem`.
    pub fn new(model: M) -> Self {
        Tracked {
            model,
            original: None,
        }
    }

    /// A model as read from the table (by `get`, a query...): later saves send what
    /// changed since.
    pub fn loaded(model: M) -> Self {
        let original = Some(snapshot(&model));
        Tracked { model, original }
    }

    /// True when the model was never stored (through this value).
    pub fn is_new(&self) -> bool {
        self.original.is_none()
    }

    /// True when a save would send something: the model is new, or an attribute changed.
    pub fn is_dirty(&self) -> bool {
        match &self.original {
            None => true,
            Some(original) => original != &snapshot(&self.model),
        }
    }

    /// The attributes that differ from the stored item, in the model's attribute order
    /// (attribute names, after renames; keys the client writes itself included). Every
    /// attribute of a new model.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        self.changed_in(&snapshot(&self.model))
    }

    /// [`Tracked::changed_fields`] of an item already encoded from the model.
    fn changed_in(&self, current: &Item) -> Vec<&'static str> {
        let empty = Item::new();
        let original = self.original.as_ref().unwrap_or(&empty);
        attribute_names(M::meta())
            .filter(|name| {
                current.get(*name) != original.get(*name)
                    && (self.original.is_some() || current.contains_key(*name))
            })
            .collect()
    }

    /// The model, without its history.
    pub fn into_inner(self) -> M {
        self.model
    }
}

/// The model, and whether it was stored: never the stored item, whose encrypted values
/// are held in the clear until they are sealed.
impl<M: std::fmt::Debug> std::fmt::Debug for Tracked<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracked")
            .field("model", &self.model)
            .field("stored", &self.original.is_some())
            .finish()
    }
}

impl<M> Deref for Tracked<M> {
    type Target = M;

    fn deref(&self) -> &M {
        &self.model
    }
}

impl<M> DerefMut for Tracked<M> {
    fn deref_mut(&mut self) -> &mut M {
        &mut self.model
    }
}

/// `model` encoded for comparing, without running its validators: its encrypted values in
/// their pending form, which is the same for the same value (a ciphertext never is).
fn snapshot<M: Table>(model: &M) -> Item {
    #[cfg(feature = "encryption")]
    return crate::encryption::deferring(|| model.to_item()).0;
    #[cfg(not(feature = "encryption"))]
    model.to_item()
}

/// Every attribute an item of the model can have: its fields', then the keys and entity
/// type the client writes, each once.
fn attribute_names(meta: &'static TableMeta) -> impl Iterator<Item = &'static str> {
    let keys = crate::meta::template::templated_keys(meta).map(|(attribute, _)| attribute);
    let entity = meta.entity.map(|entity| entity.attribute);
    let mut seen: Vec<&'static str> = Vec::new();
    meta.attributes
        .iter()
        .copied()
        .chain(keys)
        .chain(entity)
        .filter(move |name| {
            let new = !seen.contains(name);
            seen.push(name);
            new
        })
}

/// What [`Dynamo::save_changes`] sends.
#[derive(Debug)]
pub enum SaveRequest {
    /// A whole item: the model is new, or [`SaveChanges::full`] asked for it.
    Put(put_item::builders::PutItemInputBuilder),
    /// The changed attributes only.
    Update(update_item::builders::UpdateItemInputBuilder),
    /// Nothing changed: no request.
    Unchanged,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Wrote the whole item.
    Put,
    /// Sent these changed attributes.
    Updated(Vec<&'static str>),
    /// Nothing had changed; nothing was sent.
    Unchanged,
}

/// Saves a [`Tracked`] model; see [`Dynamo::save_changes`].
#[must_use = "an operation does nothing until awaited"]
pub struct SaveChanges<'a, M> {
    db: &'a Dynamo,
    tracked: &'a mut Tracked<M>,
    full: bool,
}

impl Dynamo {
    /// Saves a tracked model: an `UpdateItem` setting the changed attributes and removing
    /// the cleared ones (the item must still exist: updates require it), a `PutItem` when the
    /// model is new, nothing when nothing changed. Afterwards the model holds what was
    /// stored (version, timestamps) and is clean.
    ///
    /// A versioned model's update expects the version it was loaded with. Changing a
    /// primary-key attribute is refused: that is another item, so put it.
    pub fn save_changes<'a, M: Table>(&'a self, tracked: &'a mut Tracked<M>) -> SaveChanges<'a, M> {
        SaveChanges {
            db: self,
            tracked,
            full: false,
        }
    }
}

impl<'a, M: Table + Send + Sync + 'a> SaveChanges<'a, M> {
    /// Writes the whole item with `PutItem`, changed or not.
    pub fn full(mut self) -> Self {
        self.full = true;
        self
    }

    /// The request the save sends (a dry run; no hook runs).
    ///
    /// # Errors
    ///
    /// Validation, key and size errors, and a changed primary key.
    pub fn to_request(&self) -> Result<SaveRequest> {
        match self.plan()? {
            Plan::Put => Ok(SaveRequest::Put(
                self.db.put(&self.tracked.model).to_request()?,
            )),
            Plan::Update(mut changes) => {
                changes.seal_for_dry_run(self.db)?;
                Ok(SaveRequest::Update(self.update(&changes)?.to_request()?))
            }
            Plan::Unchanged => Ok(SaveRequest::Unchanged),
        }
    }

    fn plan(&self) -> Result<Plan> {
        let Some(original) = self.tracked.original.as_ref().filter(|_| !self.full) else {
            return Ok(Plan::Put);
        };
        let model = &self.tracked.model;
        // Encrypted values compare in their pending form (an unchanged one is not sent);
        // the changed ones are sealed before the update is built.
        let (current, sealing) = super::prepare::encode_for_write(model)?;
        let meta = M::meta();
        let changed = self.tracked.changed_in(&current);
        if let Some(key) = std::iter::once(meta.hash_key)
            .chain(meta.range_key)
            .find(|key| changed.contains(&key.attribute))
        {
            return Err(Error::invalid_request(
                M::NAME,
                format!(
                    "the key attribute `{}` changed since the item was loaded: that is another item, put it",
                    key.attribute
                ),
            ));
        }
        let changed: Vec<&'static str> = changed
            .into_iter()
            .filter(|name| Some(*name) != meta.lifecycle.version)
            .collect();
        if changed.is_empty() {
            return Ok(Plan::Unchanged);
        }
        let stored_version = meta
            .lifecycle
            .version
            .map(|attribute| stored_version(original.get(attribute)));
        Ok(Plan::Update(Box::new(Changes {
            key: super::prepare::key_of::<M>(&current),
            current,
            sealing,
            uploaded: super::seal::Uploaded::new(),
            changed,
            stored_version,
        })))
    }

    /// The update that sends `changes` (sealed).
    fn update(
        &self,
        changes: &Changes,
    ) -> Result<super::item::UpdateItem<'a, M, super::returns::AllNew>> {
        let mut actions = Update::new();
        for name in &changes.changed {
            actions = match changes.current.get(*name) {
                Some(value) => actions.set_managed(name, value.clone()),
                None => actions.remove_managed(name),
            };
        }
        let mut update = self
            .db
            .update_by_item_key::<M>(self.tracked.model.item_key())
            .with(actions)
            .return_all_new()
            .with_keys_included();
        if let Some(version) = changes.stored_version {
            update = update.expect_version(version);
        }
        Ok(update)
    }

    async fn send(self) -> Result<Saved> {
        let saved = match self.plan()? {
            Plan::Unchanged => return Ok(Saved::Unchanged),
            Plan::Put => {
                let (_, written) = self.db.put(&self.tracked.model).write(true).await?;
                self.tracked
                    .model
                    .__refresh_generated(&written.unwrap_or_default())?;
                Saved::Put
            }
            Plan::Update(mut changes) => {
                changes.seal(self.db).await?;
                let keys = self.db.keys();
                let uploaded = std::mem::take(&mut changes.uploaded);
                let sent = match (self.update(&changes), self.tracked.model.before_save()) {
                    (Ok(update), Ok(())) => update.await,
                    (Err(error), _) | (_, Err(error)) => Err(error),
                };
                let stored = match sent {
                    Ok(stored) => stored,
                    Err(error) => {
                        keys.discard(uploaded).await;
                        return Err(error);
                    }
                };
                let kept = keys.objects_in(Some(&changes.current));
                keys.discard_replaced(self.tracked.original.as_ref(), &kept)
                    .await;
                stored.after_save();
                self.tracked.model = stored;
                Saved::Updated(changes.changed)
            }
        };
        self.tracked.original = Some(snapshot(&self.tracked.model));
        Ok(saved)
    }
}

/// The version in a loaded item (0 when it has none).
fn stored_version(value: Option<&AttributeValue>) -> u64 {
    match value {
        Some(AttributeValue::N(n)) => n.parse().unwrap_or(0),
        _ => 0,
    }
}

enum Plan {
    Put,
    Update(Box<Changes>),
    Unchanged,
}

/// What an update of a tracked model sends: the model encoded, the attributes that
/// changed, and the version it was loaded with.
struct Changes {
    current: Item,
    /// The item's key, which sealed values are bound to.
    key: Item,
    /// Encrypted values of `current` still to seal.
    sealing: Option<Sealing>,
    /// The S3 objects sealing uploaded, removed again if the update fails.
    uploaded: super::seal::Uploaded,
    changed: Vec<&'static str>,
    stored_version: Option<u64>,
}

impl Changes {
    async fn seal(&mut self, db: &Dynamo) -> Result<()> {
        if let Some(sealing) = self.sealing.take() {
            self.uploaded = sealing
                .seal(db.keys(), &mut self.current, &self.key)
                .await?;
        }
        Ok(())
    }

    fn seal_for_dry_run(&mut self, db: &Dynamo) -> Result<()> {
        if let Some(sealing) = self.sealing.take() {
            sealing.seal_for_dry_run(db.keys(), &mut self.current, &self.key)?;
        }
        Ok(())
    }
}

impl<'a, M: Table + Send + Sync + 'a> IntoFuture for SaveChanges<'a, M> {
    type Output = Result<Saved>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

super::operation!(SaveChanges<M>);
