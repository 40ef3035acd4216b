//! Single-item operations: put, get, delete, update. Writes are prepared by the write
//! pipeline ([`super::prepare`]) and rendered here.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::{delete_item, get_item, put_item, update_item};
use aws_sdk_dynamodb::types::ReturnValue;

use super::lifecycle::{self, ExpiryFilter, VersionGuard};
use super::prepare::{self, check_key, key_item, Expressions, UpdateOptions};
use super::Dynamo;
use crate::error::{Error, Result};
use crate::expr::{Condition, IntoCondition, Projection, Update};
use crate::key::IntoKey;
use crate::model::collection::Load;
use crate::model::{load, Projected, Table};
use crate::value::Item;

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The model's default for strongly consistent reads, where the target allows it (global
/// indexes do not).
pub(crate) fn default_consistent_read<M: Table>(index: Option<&str>) -> Option<bool> {
    let meta = M::meta();
    let global = index
        .and_then(|name| meta.index(name))
        .is_some_and(|i| i.kind == crate::meta::IndexKind::Global);
    (meta.consistent_read && !global).then_some(true)
}

/// `PutItem`: writes a whole item (validated first). Resolves to `()`, or to the item it
/// replaced after [`return_old`](Put::return_old).
#[must_use = "an operation does nothing until awaited"]
pub struct Put<'a, M, R = returns::Nothing> {
    pub(crate) db: &'a Dynamo,
    model: &'a M,
    condition: Option<Condition<M>>,
    item_on_failure: bool,
    hooks: bool,
    _returns: PhantomData<fn() -> R>,
}

impl Dynamo {
    /// Writes `model` as an item, replacing any item with its key.
    pub fn put<'a, M: Table>(&'a self, model: &'a M) -> Put<'a, M> {
        Put {
            db: self,
            model,
            condition: None,
            item_on_failure: false,
            hooks: true,
            _returns: PhantomData,
        }
    }

    /// Writes `model` as [`put`](Dynamo::put) does, then copies what the client generated
    /// back into it: ids (`auto_id`), timestamps and the new version, so the next save of
    /// the same value passes its version check.
    ///
    /// # Errors
    ///
    /// As `put`, and [`ErrorKind::VersionConflict`](crate::ErrorKind::VersionConflict) when
    /// a versioned item was written since `model` was read.
    pub fn save<'a, M: Table + Send + Sync>(&'a self, model: &'a mut M) -> super::Steps<'a, ()> {
        super::Steps::new(self, async move {
            let (_, written) = self.put(&*model).write(true).await?;
            model.__refresh_generated(&written.unwrap_or_default())
        })
    }

    /// Reads the item with `key` (`"u1"`, or `("c1", "o1")` for hash and range keys).
    pub fn get<M: Table>(&self, key: impl IntoKey<M::Key>) -> Get<'_, M> {
        Get {
            db: self,
            key: key_item::<M>(key),
            consistent_read: None,
            projection: None,
            hooks: true,
            include_expired: false,
            _model: PhantomData,
        }
    }

    /// Deletes the item of `model` (its key), running its `before_delete` and
    /// `after_delete` hooks.
    ///
    /// A versioned model (`#[dynamo(version)]`) is deleted only if the stored version is
    /// still the model's; otherwise the delete fails with
    /// [`ErrorKind::VersionConflict`](crate::ErrorKind::VersionConflict).
    pub fn delete<'a, M: Table>(&'a self, model: &'a M) -> Delete<'a, M> {
        let key = model.item_key();
        let mut delete = Delete::new(self, check_key::<M>(&key).map(|()| key));
        delete.model = Some(model);
        if M::meta().lifecycle.version.is_some() {
            delete.guard = lifecycle::on_delete::<M>(&model.to_item());
        }
        delete
    }

    /// Deletes the item with `key`, running the model's `before_delete_key` and
    /// `after_delete_key` hooks.
    pub fn delete_by_key<M: Table>(&self, key: impl IntoKey<M::Key>) -> Delete<'_, M> {
        Delete::new(self, key_item::<M>(key))
    }

    /// Updates the item with `key`, which must exist: an update of a missing item fails
    /// with [`ErrorKind::ItemNotFound`](crate::ErrorKind::ItemNotFound) and writes nothing.
    /// [`UpdateItem::upsert`] may create it instead.
    pub fn update<M: Table>(&self, key: impl IntoKey<M::Key>) -> UpdateItem<'_, M> {
        self.update_with_key(key_item::<M>(key))
    }

    /// An update of the item whose key attributes are `key` (an item's own key).
    pub(crate) fn update_by_item_key<M: Table>(&self, key: Item) -> UpdateItem<'_, M> {
        self.update_with_key(check_key::<M>(&key).map(|()| key))
    }

    fn update_with_key<M: Table>(&self, key: Result<Item>) -> UpdateItem<'_, M> {
        UpdateItem {
            db: self,
            key,
            update: Update::new(),
            condition: None,
            guard: None,
            options: UpdateOptions::default(),
            _returns: PhantomData,
        }
    }
}

impl<'a, M: Table, R: UpdateReturn<M>> Put<'a, M, R> {
    /// Writes only if `condition` holds for the item being replaced.
    pub fn condition(mut self, condition: impl IntoCondition<M>) -> Self {
        self.condition = Some(condition.into_condition());
        self
    }

    /// Resolves to the item that was replaced (`ReturnValues = ALL_OLD`), `None` when there
    /// was none.
    pub fn return_old(self) -> Put<'a, M, returns::AllOld> {
        Put {
            db: self.db,
            model: self.model,
            condition: self.condition,
            item_on_failure: self.item_on_failure,
            hooks: self.hooks,
            _returns: PhantomData,
        }
    }

    /// On a failed condition, puts the current item in the error
    /// ([`Error::current_item`]).
    pub fn return_item_on_condition_failure(mut self) -> Self {
        self.item_on_failure = true;
        self
    }

    /// Runs no lifecycle hook for this call.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }

    /// The request this put sends (a dry run; no hook runs).
    ///
    /// # Errors
    ///
    /// Validation, key, size and expression errors, as the send would report them.
    pub fn to_request(&self) -> Result<put_item::builders::PutItemInputBuilder> {
        let mut prepared = self.prepare(false)?;
        prepared.seal_for_dry_run(self.db.keys())?;
        Ok(prepared.put_item()?.set_return_values(R::RETURN_VALUES))
    }

    fn prepare(&self, hooks: bool) -> Result<prepare::Prepared> {
        prepare::put(
            self.db.table_name::<M>(),
            self.model,
            self.condition.as_ref(),
            self.item_on_failure,
            hooks,
        )
    }

    /// Sends the put; resolves to the old item (when asked for) and, when `keep_written`,
    /// the item as sent (for `save`, which copies generated values back).
    pub(super) async fn write(&self, keep_written: bool) -> Result<(Option<Item>, Option<Item>)> {
        let keys = self.db.keys();
        // Boxed, so that the future stays small (see `send_update`).
        let mut prepared = Box::new(self.prepare(self.hooks)?);
        prepared.seal(keys).await?;
        let uploaded = std::mem::take(&mut prepared.uploaded);
        // A failed condition names the item's key.
        let (expect, key) = (prepared.expect, prepared.key.clone());
        // With an S3 store, the replaced item says which objects to remove.
        let return_values = match R::RETURN_VALUES {
            None if keys.wants_replaced_items() => Some(ReturnValue::AllOld),
            asked => asked,
        };
        let sending = (*prepared).put_item().map(|request| {
            let request = request.set_return_values(return_values);
            let kept = keys.objects_in(request.get_item().as_ref());
            let written = keep_written.then(|| request.get_item().clone()).flatten();
            (self.db.backend().put_item(request), kept, written)
        });
        let (sending, kept, written) = match sending {
            Ok(sending) => sending,
            Err(error) => {
                keys.discard(uploaded).await;
                return Err(error);
            }
        };
        let answer = sending.await.map(|output| output.attributes);
        let replaced = match answer {
            Ok(replaced) => replaced,
            Err(error) => {
                keys.discard(uploaded).await;
                return Err(expect.explain::<M>(&key, error));
            }
        };
        keys.discard_replaced(replaced.as_ref(), &kept).await;
        if self.hooks {
            self.model.after_save();
        }
        let old = replaced.filter(|_| R::RETURN_VALUES.is_some());
        Ok((old, written))
    }

    async fn send(self) -> Result<R::Output> {
        let (old, _) = self.write(false).await?;
        let opened = self.db.keys().open::<M>(&old).await;
        opened.scope(|| R::convert(old))
    }
}

impl<'a, M, R> IntoFuture for Put<'a, M, R>
where
    M: Table + Send + Sync + 'a,
    R: UpdateReturn<M> + 'a,
    R::Output: Send,
{
    type Output = Result<R::Output>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// `GetItem` of model `M`: resolves to the item, or `None` when there is none; decoded as
/// `O`, the model or a [projection](Get::project) of it.
#[must_use = "an operation does nothing until awaited"]
pub struct Get<'a, M, O = M> {
    pub(crate) db: &'a Dynamo,
    key: Result<Item>,
    consistent_read: Option<bool>,
    projection: Option<Projection<M>>,
    hooks: bool,
    include_expired: bool,
    _model: PhantomData<fn() -> (M, O)>,
}

impl<'a, M: Table, O> Get<'a, M, O> {
    /// Reads only the attributes of the projection `P` and resolves to it:
    /// `db.get::<User>("u1").project::<UserCard>()`. See [`Projected`].
    pub fn project<P: Projected<Of = M>>(self) -> Get<'a, M, P> {
        Get {
            db: self.db,
            key: self.key,
            consistent_read: self.consistent_read,
            projection: Some(P::projection()),
            hooks: self.hooks,
            include_expired: self.include_expired,
            _model: PhantomData,
        }
    }

    /// Reads with strong consistency.
    pub fn consistent_read(mut self, consistent: bool) -> Self {
        self.consistent_read = Some(consistent);
        self
    }

    /// Reads only these attributes; the model must decode from them (missing fields need
    /// defaults), or use [`Get::item`] for the raw attributes.
    pub fn projection(mut self, projection: Projection<M>) -> Self {
        self.projection = Some(projection);
        self
    }

    /// Runs no `after_load` hook for this call.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }

    /// Also returns an item whose TTL (`#[dynamo(ttl)]`) has passed but which DynamoDB has
    /// not deleted yet; by default such an item reads as absent.
    pub fn include_expired(mut self) -> Self {
        self.include_expired = true;
        self
    }

    /// The request this get sends (a dry run).
    ///
    /// # Errors
    ///
    /// Key and projection errors, as the send would report them.
    pub fn to_request(&self) -> Result<get_item::builders::GetItemInputBuilder> {
        let key = self.key.as_ref().map_err(Error::clone)?.clone();
        let mut expressions = Expressions::new();
        let projection = self
            .projection
            .as_ref()
            .map(|p| p.render().map(|r| expressions.add(r)))
            .transpose()?;
        let (names, _) = expressions.into_maps();
        Ok(get_item::GetItemInput::builder()
            .table_name(self.db.table_name::<M>())
            .set_key(Some(key))
            .set_consistent_read(
                self.consistent_read
                    .or_else(|| default_consistent_read::<M>(None)),
            )
            .set_projection_expression(projection)
            .set_expression_attribute_names(names))
    }

    /// Resolves to the raw attributes instead of the model (for partial projections).
    pub fn item(self) -> super::Steps<'a, Option<Item>>
    where
        M: Send + 'a,
        O: 'a,
    {
        let db = self.db;
        super::Steps::new(db, self.item_now())
    }

    async fn item_now(self) -> Result<Option<Item>> {
        let expiry = ExpiryFilter::of::<M>(self.include_expired);
        let request = self.to_request()?;
        let output = self.db.backend().get_item(request).await?;
        Ok(expiry.keep(output.item))
    }

    async fn send(self) -> Result<Option<O>>
    where
        O: Load,
    {
        let hooks = self.hooks;
        // An existing item whose projection matched none of its attributes is an empty map,
        // not an absent item: it decodes (or fails to) as the model.
        let db = self.db;
        let item = self.item_now().await?;
        db.keys().load_one::<O>(item, hooks).await
    }
}

impl<'a, M: Table + Send + 'a, O: Load + Send + 'a> IntoFuture for Get<'a, M, O> {
    type Output = Result<Option<O>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// `DeleteItem`: resolves to `()`, or to the deleted item after
/// [`return_old`](Delete::return_old).
#[must_use = "an operation does nothing until awaited"]
pub struct Delete<'a, M, R = returns::Nothing> {
    pub(crate) db: &'a Dynamo,
    key: Result<Item>,
    /// The item, when deleting one (`delete(&item)` runs its own hooks).
    model: Option<&'a M>,
    condition: Option<Condition<M>>,
    item_on_failure: bool,
    hooks: bool,
    /// The version the delete expects, for versioned models.
    guard: Result<Option<VersionGuard>>,
    _returns: PhantomData<fn() -> R>,
}

impl<'a, M: Table> Delete<'a, M> {
    fn new(db: &'a Dynamo, key: Result<Item>) -> Self {
        Delete {
            db,
            key,
            model: None,
            condition: None,
            item_on_failure: false,
            hooks: true,
            guard: Ok(None),
            _returns: PhantomData,
        }
    }
}

impl<'a, M: Table, R: UpdateReturn<M>> Delete<'a, M, R> {
    /// Deletes only if the stored version is `version` (`#[dynamo(version)]`); another
    /// version fails with [`ErrorKind::VersionConflict`](crate::ErrorKind::VersionConflict).
    pub fn expect_version(mut self, version: u64) -> Self {
        self.guard = lifecycle::expecting::<M>(version).map(Some);
        self
    }

    /// Deletes only if `condition` holds.
    pub fn condition(mut self, condition: impl IntoCondition<M>) -> Self {
        self.condition = Some(condition.into_condition());
        self
    }

    /// Resolves to the deleted item (`ReturnValues = ALL_OLD`), `None` when there was none.
    pub fn return_old(self) -> Delete<'a, M, returns::AllOld> {
        Delete {
            db: self.db,
            key: self.key,
            model: self.model,
            condition: self.condition,
            item_on_failure: self.item_on_failure,
            hooks: self.hooks,
            guard: self.guard,
            _returns: PhantomData,
        }
    }

    /// On a failed condition, puts the current item in the error.
    pub fn return_item_on_condition_failure(mut self) -> Self {
        self.item_on_failure = true;
        self
    }

    /// Runs no lifecycle hook for this call.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }

    /// The request this delete sends (a dry run; no hook runs).
    ///
    /// # Errors
    ///
    /// Key and expression errors, as the send would report them.
    pub fn to_request(&self) -> Result<delete_item::builders::DeleteItemInputBuilder> {
        Ok(self
            .prepare(false)?
            .delete_item()?
            .set_return_values(R::RETURN_VALUES))
    }

    fn prepare(&self, hooks: bool) -> Result<prepare::Prepared> {
        let key = self.key.as_ref().map_err(Error::clone)?.clone();
        let guard = *self.guard.as_ref().map_err(Error::clone)?;
        if let (true, Some(model)) = (hooks, self.model) {
            model.before_delete()?;
        }
        prepare::delete(
            self.db.table_name::<M>(),
            key,
            self.condition.as_ref(),
            guard,
            self.item_on_failure,
            hooks && self.model.is_none(),
        )
    }

    async fn send(self) -> Result<R::Output> {
        let keys = self.db.keys();
        let prepared = self.prepare(self.hooks)?;
        let (key, expect) = (prepared.key.clone(), prepared.expect);
        // With an S3 store, the deleted item says which objects to remove.
        let return_values = match R::RETURN_VALUES {
            None if keys.wants_replaced_items() => Some(ReturnValue::AllOld),
            asked => asked,
        };
        let request = prepared.delete_item()?.set_return_values(return_values);
        let mut output = self
            .db
            .backend()
            .delete_item(request)
            .await
            .map_err(|e| expect.explain::<M>(&key, e))?;
        keys.discard_replaced(output.attributes.as_ref(), &Default::default())
            .await;
        if R::RETURN_VALUES.is_none() {
            output.attributes = None;
        }
        if self.hooks {
            match self.model {
                Some(model) => model.after_delete(),
                None => M::after_delete_key(&key),
            }
        }
        let opened = self.db.keys().open::<M>(&output.attributes).await;
        opened.scope(|| R::convert(output.attributes))
    }
}

impl<'a, M, R> IntoFuture for Delete<'a, M, R>
where
    M: Table + Send + Sync + 'a,
    R: UpdateReturn<M> + 'a,
    R::Output: Send,
{
    type Output = Result<R::Output>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// What an update resolves to: nothing, the whole item before or after, or the updated
/// attributes (see the `return_*` methods of [`UpdateItem`]).
pub trait UpdateReturn<M> {
    /// What the update resolves to.
    type Output;
    #[doc(hidden)]
    const RETURN_VALUES: Option<ReturnValue>;
    #[doc(hidden)]
    fn convert(attributes: Option<Item>) -> Result<Self::Output>;
}

/// Marker types for [`UpdateReturn`].
pub mod returns {
    use super::*;

    /// Resolves to `()`.
    #[derive(Debug)]
    pub enum Nothing {}
    /// Resolves to the whole item after the update.
    #[derive(Debug)]
    pub enum AllNew {}
    /// Resolves to the whole item before the update (`None` if it did not exist).
    #[derive(Debug)]
    pub enum AllOld {}
    /// Resolves to the updated attributes after the update.
    #[derive(Debug)]
    pub enum UpdatedNew {}
    /// Resolves to the updated attributes before the update.
    #[derive(Debug)]
    pub enum UpdatedOld {}

    impl<M> UpdateReturn<M> for Nothing {
        type Output = ();
        const RETURN_VALUES: Option<ReturnValue> = None;
        fn convert(_: Option<Item>) -> Result<()> {
            Ok(())
        }
    }

    // Returned items go through the read step (its key for a decode error, its encrypted
    // values bound to it), without `after_load`: writes run no read hooks.
    impl<M: Table> UpdateReturn<M> for AllNew {
        type Output = M;
        const RETURN_VALUES: Option<ReturnValue> = Some(ReturnValue::AllNew);
        fn convert(attributes: Option<Item>) -> Result<M> {
            load(attributes.unwrap_or_default(), false)
        }
    }

    impl<M: Table> UpdateReturn<M> for AllOld {
        type Output = Option<M>;
        const RETURN_VALUES: Option<ReturnValue> = Some(ReturnValue::AllOld);
        fn convert(attributes: Option<Item>) -> Result<Option<M>> {
            attributes
                .filter(|i| !i.is_empty())
                .map(|item| load(item, false))
                .transpose()
        }
    }

    impl<M> UpdateReturn<M> for UpdatedNew {
        type Output = Item;
        const RETURN_VALUES: Option<ReturnValue> = Some(ReturnValue::UpdatedNew);
        fn convert(attributes: Option<Item>) -> Result<Item> {
            Ok(attributes.unwrap_or_default())
        }
    }

    impl<M> UpdateReturn<M> for UpdatedOld {
        type Output = Item;
        const RETURN_VALUES: Option<ReturnValue> = Some(ReturnValue::UpdatedOld);
        fn convert(attributes: Option<Item>) -> Result<Item> {
            Ok(attributes.unwrap_or_default())
        }
    }
}

/// `UpdateItem` by key with typed actions. The item must exist, unless
/// [`upsert`](UpdateItem::upsert) allows creating it. Runs the model's key hooks
/// (`before_update`, `after_update`).
#[must_use = "an operation does nothing until awaited"]
pub struct UpdateItem<'a, M, R = returns::Nothing> {
    pub(crate) db: &'a Dynamo,
    key: Result<Item>,
    update: Update<M>,
    condition: Option<Condition<M>>,
    /// `expect_version`: the version the update expects.
    guard: Option<Result<VersionGuard>>,
    options: UpdateOptions,
    _returns: PhantomData<fn() -> R>,
}

impl<'a, M: Table, R: UpdateReturn<M>> UpdateItem<'a, M, R> {
    super::update_actions!();

    /// Marks the actions as setting every templated key themselves.
    pub(crate) fn with_keys_included(mut self) -> Self {
        self.options.keys_included = true;
        self
    }

    /// Lets the update create the item when it does not exist (DynamoDB's own behaviour).
    /// The actions must then set every attribute the model requires, so that the new item
    /// reads back as the model: checked before sending.
    pub fn upsert(mut self) -> Self {
        self.options.upsert = true;
        self
    }

    /// Updates only if `condition` holds.
    pub fn condition(mut self, condition: impl IntoCondition<M>) -> Self {
        self.condition = Some(condition.into_condition());
        self
    }

    /// On a failed condition, puts the current item in the error.
    pub fn return_item_on_condition_failure(mut self) -> Self {
        self.options.item_on_failure = true;
        self
    }

    /// Runs no hook for this call.
    pub fn skip_hooks(mut self) -> Self {
        self.options.hooks = false;
        self
    }

    /// Updates only if the stored version is `version` (`#[dynamo(version)]`); another
    /// version fails with [`ErrorKind::VersionConflict`](crate::ErrorKind::VersionConflict).
    /// Every update of a versioned model moves its version on by one, with or without this
    /// check.
    pub fn expect_version(mut self, version: u64) -> Self {
        self.guard = Some(lifecycle::expecting::<M>(version));
        self
    }

    fn returning<S: UpdateReturn<M>>(self) -> UpdateItem<'a, M, S> {
        UpdateItem {
            db: self.db,
            key: self.key,
            update: self.update,
            condition: self.condition,
            guard: self.guard,
            options: self.options,
            _returns: PhantomData,
        }
    }

    /// Resolves to the whole item after the update.
    pub fn return_all_new(self) -> UpdateItem<'a, M, returns::AllNew> {
        self.returning()
    }

    /// Resolves to the whole item before the update (`None` if there was none).
    pub fn return_all_old(self) -> UpdateItem<'a, M, returns::AllOld> {
        self.returning()
    }

    /// Resolves to the updated attributes after the update.
    pub fn return_updated_new(self) -> UpdateItem<'a, M, returns::UpdatedNew> {
        self.returning()
    }

    /// Resolves to the updated attributes before the update.
    pub fn return_updated_old(self) -> UpdateItem<'a, M, returns::UpdatedOld> {
        self.returning()
    }

    /// The request this update sends (a dry run; no hook runs).
    ///
    /// # Errors
    ///
    /// Key and expression errors (an empty update, overlapping paths...), a change to a key
    /// attribute, values over the size limit, an upsert that would create an unreadable
    /// item, as the send would report them.
    pub fn to_request(&self) -> Result<update_item::builders::UpdateItemInputBuilder> {
        let mut prepared = self.prepare(false)?;
        prepared.seal_for_dry_run(self.db.keys())?;
        Ok(prepared.update_item()?.set_return_values(R::RETURN_VALUES))
    }

    fn prepare(&self, hooks: bool) -> Result<prepare::Prepared> {
        let key = self.key.as_ref().map_err(Error::clone)?.clone();
        self.prepare_key(key, hooks)
    }

    /// [`UpdateItem::prepare`] with the key given (moved out of a builder about to be sent).
    fn prepare_key(&self, key: Item, hooks: bool) -> Result<prepare::Prepared> {
        let guard = self
            .guard
            .as_ref()
            .map(|g| g.as_ref().copied())
            .transpose()
            .map_err(Error::clone)?;
        prepare::update(
            self.db.table_name::<M>(),
            key,
            &self.update,
            self.condition.as_ref(),
            UpdateOptions {
                guard,
                hooks,
                ..self.options
            },
        )
    }
}

/// Sends a prepared update and converts what it returns.
///
/// The prepared request comes boxed and only the returned attributes are kept from the
/// output: what an `async fn` holds across its awaits makes its future, and a future over
/// 1 KiB costs glibc's allocator a consolidation of its free lists on every request.
async fn send_update<M: Table, R: UpdateReturn<M>>(
    db: &Dynamo,
    prepared: Result<Box<prepare::Prepared>>,
    hooks: bool,
) -> Result<R::Output> {
    let keys = db.keys();
    let mut prepared = prepared?;
    prepared.seal(keys).await?;
    let uploaded = std::mem::take(&mut prepared.uploaded);
    let (key, expect) = (prepared.key.clone(), prepared.expect);
    // Values moved to S3 replace the objects the old values were in: asked for to remove
    // them, unless the caller asked for the new item instead.
    let return_values = match R::RETURN_VALUES {
        None if !uploaded.is_empty() => Some(ReturnValue::UpdatedOld),
        asked => asked,
    };
    // Matched only once small: a match keeps its scrutinee across the awaits in its arms.
    let sending = (*prepared).update_item().map(|request| {
        db.backend()
            .update_item(request.set_return_values(return_values.clone()))
    });
    let sending = match sending {
        Ok(sending) => sending,
        Err(error) => {
            keys.discard(uploaded).await;
            return Err(error);
        }
    };
    let answer = sending.await.map(|output| output.attributes);
    let mut attributes = match answer {
        Ok(attributes) => attributes,
        Err(error) => {
            keys.discard(uploaded).await;
            return Err(expect.explain::<M>(&key, error));
        }
    };
    if matches!(
        return_values,
        Some(ReturnValue::UpdatedOld | ReturnValue::AllOld)
    ) {
        keys.discard_replaced(attributes.as_ref(), &uploaded).await;
    }
    if R::RETURN_VALUES.is_none() {
        attributes = None;
    }
    if hooks {
        M::after_update(&key);
    }
    let opened = db.keys().open::<M>(&attributes).await;
    opened.scope(|| R::convert(attributes))
}

impl<'a, M, R> IntoFuture for UpdateItem<'a, M, R>
where
    M: Table + Send + 'a,
    R: UpdateReturn<M> + 'a,
    R::Output: Send,
{
    type Output = Result<R::Output>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        // Prepared now, so that the future holds the prepared request, not the builder.
        let hooks = self.options.hooks;
        let mut update = self;
        let prepared = std::mem::replace(&mut update.key, Ok(Item::new()))
            .and_then(|key| update.prepare_key(key, hooks))
            .map(Box::new);
        Box::pin(send_update::<M, R>(update.db, prepared, hooks))
    }
}

super::operation!(Put<M, R>);
super::operation!(Get<M, O>);
super::operation!(Delete<M, R>);
super::operation!(UpdateItem<M, R>);
