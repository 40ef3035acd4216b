//! Single-item operations: put, get, delete, update.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::{delete_item, get_item, put_item, update_item};
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::lifecycle::{self, ExpiryFilter, VersionGuard};
use super::{check_key, Dynamo};
use crate::error::{Error, ErrorKind, Result};
use crate::expr::{Condition, Projection, Update};
use crate::key::IntoKey;
use crate::model::{DynamoModel, Table};
use crate::value::{item_size, Item, MAX_ITEM_SIZE};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Validates and encodes a model for writing (validators, codec checks, key and size),
/// with its lifecycle attributes filled; also the version the write must find.
pub(crate) fn item_to_write<M: Table>(model: &M) -> Result<(Item, Option<VersionGuard>)> {
    let mut item = model.try_to_item()?;
    let guard = lifecycle::on_put::<M>(&mut item)?;
    // Again after the lifecycle step, which may have generated a part (an id).
    crate::template::write_keys(M::meta(), &mut item)
        .map_err(|why| Error::invalid_request(M::NAME, why))?;
    check_key::<M>(&item)?;
    if let Some(problem) = crate::value::nesting_problem(&item) {
        return Err(Error::invalid_request(
            M::NAME,
            format!("the item's {problem}"),
        ));
    }
    check_size::<M>(&item)?;
    Ok((item, guard))
}

/// Refuses an item over 400 KB or over the model's `max_size`, naming its largest
/// attributes.
pub(crate) fn check_size<M: Table>(item: &Item) -> Result<()> {
    let limit = M::meta()
        .max_size
        .unwrap_or(MAX_ITEM_SIZE)
        .min(MAX_ITEM_SIZE);
    if item_size(item) <= limit {
        return Ok(());
    }
    let mut breakdown = crate::value::ItemSize::of(item);
    breakdown.attributes.truncate(3);
    Err(ErrorKind::ItemTooLarge {
        model: M::NAME,
        size: breakdown.total,
        limit,
        largest: breakdown.attributes,
    }
    .into())
}

/// A key item, checked before sending.
pub(crate) fn key_item<M: Table>(key: impl IntoKey<M::Key>) -> Result<Item> {
    let item = crate::template::key_item(M::meta(), key.into_key_parts())
        .map_err(|why| Error::invalid_request(M::NAME, why))?;
    check_key::<M>(&item)?;
    Ok(item)
}

/// Decodes an item read from the service and runs its `after_load` hook (unless skipped).
pub(crate) fn load<M: Table>(item: Item, hooks: bool) -> Result<M> {
    let mut model = M::from_item(item)?;
    if hooks {
        model.after_load()?;
    }
    Ok(model)
}

/// Decodes an item returned by the service, when there is one.
pub(crate) fn decode<M: Table>(item: Option<Item>, hooks: bool) -> Result<Option<M>> {
    item.filter(|i| !i.is_empty())
        .map(|i| load(i, hooks))
        .transpose()
}

/// The model's default for strongly consistent reads, where the target allows it (global
/// indexes do not).
pub(crate) fn default_consistent_read<M: Table>(index: Option<&str>) -> Option<bool> {
    let meta = M::meta();
    let global = index
        .and_then(|name| meta.index(name))
        .is_some_and(|i| i.kind == crate::meta::IndexKind::Global);
    (meta.consistent_read && !global).then_some(true)
}

/// Merges rendered placeholders into optional request maps.
pub(crate) struct Expressions {
    pub(crate) names: std::collections::HashMap<String, String>,
    pub(crate) values: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
}

impl Expressions {
    pub(crate) fn new() -> Self {
        Expressions {
            names: Default::default(),
            values: Default::default(),
        }
    }

    pub(crate) fn add(&mut self, rendered: crate::expr::Rendered) -> String {
        rendered.merge_into(&mut self.names, &mut self.values)
    }

    /// Renders an optional `ConditionExpression` into this request's placeholders.
    pub(crate) fn condition<M>(
        &mut self,
        condition: Option<&Condition<M>>,
    ) -> Result<Option<String>> {
        condition
            .map(|c| c.render().map(|r| self.add(r)))
            .transpose()
    }

    /// The placeholder maps for a request (moved, not copied), `None` when empty.
    #[allow(clippy::type_complexity)]
    pub(crate) fn into_maps(
        self,
    ) -> (
        Option<std::collections::HashMap<String, String>>,
        Option<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>>,
    ) {
        (
            (!self.names.is_empty()).then_some(self.names),
            (!self.values.is_empty()).then_some(self.values),
        )
    }
}

/// `PutItem`: writes a whole item (validated first). Resolves to the old item when
/// [`return_old`](Put::return_old) asked for it, else `None`.
#[must_use = "an operation does nothing until awaited"]
pub struct Put<'a, M> {
    pub(crate) db: &'a Dynamo,
    model: &'a M,
    condition: Option<Condition<M>>,
    return_old: bool,
    item_on_failure: bool,
    hooks: bool,
}

impl Dynamo {
    /// Writes `model` as an item, replacing any item with its key.
    pub fn put<'a, M: Table>(&'a self, model: &'a M) -> Put<'a, M> {
        Put {
            db: self,
            model,
            condition: None,
            return_old: false,
            item_on_failure: false,
            hooks: true,
        }
    }

    /// Writes `model` as [`put`](Dynamo::put) does, then copies what the client generated
    /// back into it: ids (`auto_id`), timestamps and the new version, so the next save of
    /// the same value passes its version check.
    ///
    /// # Errors
    ///
    /// As `put`, and [`ErrorKind::VersionConflict`] when a versioned item was written since
    /// `model` was read.
    pub async fn save<M: Table + Send + Sync>(&self, model: &mut M) -> Result<()> {
        let (_, written) = self.put(&*model).write(true).await?;
        model.__refresh_generated(&written.unwrap_or_default())
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

    /// Deletes the item of `model` (its key).
    ///
    /// A versioned model (`#[dynamo(version)]`) is deleted only if the stored version is
    /// still the model's; otherwise the delete fails with
    /// [`ErrorKind::VersionConflict`].
    pub fn delete<M: Table>(&self, model: &M) -> Delete<'_, M> {
        let key = model.item_key();
        let mut delete = Delete::new(self, check_key::<M>(&key).map(|()| key));
        delete.before_delete = Some(model.before_delete());
        if M::meta().lifecycle.version.is_some() {
            delete.guard = lifecycle::on_delete::<M>(&model.to_item());
        }
        delete
    }

    /// Deletes the item with `key`.
    pub fn delete_by_key<M: Table>(&self, key: impl IntoKey<M::Key>) -> Delete<'_, M> {
        Delete::new(self, key_item::<M>(key))
    }

    /// Updates the item with `key` (creating it if absent, as DynamoDB does).
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
            keys_included: false,
            update: Update::new(),
            condition: None,
            item_on_failure: false,
            guard: None,
            _returns: PhantomData,
        }
    }
}

impl<'a, M: Table> Put<'a, M> {
    /// Writes only if `condition` holds for the item being replaced.
    pub fn condition(mut self, condition: impl Into<Condition<M>>) -> Self {
        self.condition = Some(condition.into());
        self
    }

    /// Resolves to the item that was replaced (`ReturnValues = ALL_OLD`).
    pub fn return_old(mut self) -> Self {
        self.return_old = true;
        self
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
        Ok(self.prepare()?.0)
    }

    /// The request, and the version it expects when the model is versioned (a failed
    /// condition then asks for the current item, to tell a version conflict apart).
    fn prepare(
        &self,
    ) -> Result<(
        put_item::builders::PutItemInputBuilder,
        Option<VersionGuard>,
    )> {
        let (item, guard) = item_to_write(self.model)?;
        let mut expressions = Expressions::new();
        let condition = VersionGuard::and(guard, self.condition.as_ref());
        let condition = expressions.condition(condition.as_deref())?;
        let (names, values) = expressions.into_maps();
        let request = put_item::PutItemInput::builder()
            .table_name(self.db.table_name::<M>())
            .set_item(Some(item))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .set_return_values(self.return_old.then_some(ReturnValue::AllOld))
            .set_return_values_on_condition_check_failure(
                (self.item_on_failure || guard.is_some())
                    .then_some(ReturnValuesOnConditionCheckFailure::AllOld),
            );
        Ok((request, guard))
    }

    /// Sends the put; resolves to the old item (when asked for) and, when `keep_written`,
    /// the item as sent (for `save`, which copies generated values back).
    pub(super) async fn write(&self, keep_written: bool) -> Result<(Option<Item>, Option<Item>)> {
        if self.hooks {
            self.model.before_save()?;
        }
        let (request, guard) = self.prepare()?;
        let written = keep_written.then(|| request.get_item().clone()).flatten();
        let output = self
            .db
            .backend
            .put_item(request)
            .await
            .map_err(|e| VersionGuard::explain::<M>(guard, e))?;
        if self.hooks {
            self.model.after_save();
        }
        Ok((output.attributes, written))
    }

    async fn send(self) -> Result<Option<M>> {
        let (old, _) = self.write(false).await?;
        decode(old, self.hooks)
    }
}

impl<'a, M: Table + Send + Sync + 'a> IntoFuture for Put<'a, M> {
    type Output = Result<Option<M>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// `GetItem`: resolves to the item, or `None` when there is none.
#[must_use = "an operation does nothing until awaited"]
pub struct Get<'a, M> {
    pub(crate) db: &'a Dynamo,
    key: Result<Item>,
    consistent_read: Option<bool>,
    projection: Option<Projection<M>>,
    hooks: bool,
    include_expired: bool,
    _model: PhantomData<fn() -> M>,
}

impl<'a, M: Table> Get<'a, M> {
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
        let key = self.key.as_ref().map_err(Error::duplicate)?.clone();
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
    pub async fn item(self) -> Result<Option<Item>> {
        let expiry = ExpiryFilter::of::<M>(self.include_expired);
        let request = self.to_request()?;
        let output = self.db.backend.get_item(request).await?;
        Ok(expiry.keep(output.item))
    }

    async fn send(self) -> Result<Option<M>> {
        let hooks = self.hooks;
        decode(self.item().await?, hooks)
    }
}

impl<'a, M: Table + Send + 'a> IntoFuture for Get<'a, M> {
    type Output = Result<Option<M>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// `DeleteItem`: resolves to the deleted item when [`return_old`](Delete::return_old)
/// asked for it, else `None`. Deleting by key runs no item hooks.
#[must_use = "an operation does nothing until awaited"]
pub struct Delete<'a, M> {
    pub(crate) db: &'a Dynamo,
    key: Result<Item>,
    condition: Option<Condition<M>>,
    return_old: bool,
    item_on_failure: bool,
    /// What the item's `before_delete` hook said (deleting by key runs none).
    before_delete: Option<Result<()>>,
    /// The version the delete expects, for versioned models.
    guard: Result<Option<VersionGuard>>,
}

impl<'a, M: Table> Delete<'a, M> {
    fn new(db: &'a Dynamo, key: Result<Item>) -> Self {
        Delete {
            db,
            key,
            condition: None,
            return_old: false,
            item_on_failure: false,
            before_delete: None,
            guard: Ok(None),
        }
    }

    /// Deletes only if the stored version is `version` (`#[dynamo(version)]`); another
    /// version fails with [`ErrorKind::VersionConflict`].
    pub fn expect_version(mut self, version: u64) -> Self {
        self.guard = lifecycle::expecting::<M>(version).map(Some);
        self
    }

    /// Deletes only if `condition` holds.
    pub fn condition(mut self, condition: impl Into<Condition<M>>) -> Self {
        self.condition = Some(condition.into());
        self
    }

    /// Resolves to the deleted item (`ReturnValues = ALL_OLD`).
    pub fn return_old(mut self) -> Self {
        self.return_old = true;
        self
    }

    /// On a failed condition, puts the current item in the error.
    pub fn return_item_on_condition_failure(mut self) -> Self {
        self.item_on_failure = true;
        self
    }

    /// Runs no lifecycle hook for this call.
    pub fn skip_hooks(mut self) -> Self {
        self.before_delete = None;
        self
    }

    /// The request this delete sends (a dry run).
    ///
    /// # Errors
    ///
    /// Key and expression errors, as the send would report them.
    pub fn to_request(&self) -> Result<delete_item::builders::DeleteItemInputBuilder> {
        let key = self.key.as_ref().map_err(Error::duplicate)?.clone();
        let guard = *self.guard.as_ref().map_err(Error::duplicate)?;
        let mut expressions = Expressions::new();
        let condition = VersionGuard::and(guard, self.condition.as_ref());
        let condition = expressions.condition(condition.as_deref())?;
        let (names, values) = expressions.into_maps();
        Ok(delete_item::DeleteItemInput::builder()
            .table_name(self.db.table_name::<M>())
            .set_key(Some(key))
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .set_return_values(self.return_old.then_some(ReturnValue::AllOld))
            .set_return_values_on_condition_check_failure(
                (self.item_on_failure || guard.is_some())
                    .then_some(ReturnValuesOnConditionCheckFailure::AllOld),
            ))
    }

    async fn send(self) -> Result<Option<M>> {
        let hooks = self.before_delete.is_some();
        let guard = *self.guard.as_ref().map_err(Error::duplicate)?;
        if let Some(verdict) = self.before_delete {
            verdict?;
        }
        let request = Delete {
            before_delete: None,
            ..self
        };
        let output = request
            .db
            .backend
            .delete_item(request.to_request()?)
            .await
            .map_err(|e| VersionGuard::explain::<M>(guard, e))?;
        decode(output.attributes, hooks)
    }
}

impl<'a, M: Table + Send + 'a> IntoFuture for Delete<'a, M> {
    type Output = Result<Option<M>>;
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

    impl<M: DynamoModel> UpdateReturn<M> for AllNew {
        type Output = M;
        const RETURN_VALUES: Option<ReturnValue> = Some(ReturnValue::AllNew);
        fn convert(attributes: Option<Item>) -> Result<M> {
            M::from_item(attributes.unwrap_or_default())
        }
    }

    impl<M: DynamoModel> UpdateReturn<M> for AllOld {
        type Output = Option<M>;
        const RETURN_VALUES: Option<ReturnValue> = Some(ReturnValue::AllOld);
        fn convert(attributes: Option<Item>) -> Result<Option<M>> {
            // Updates run no item hooks.
            attributes
                .filter(|i| !i.is_empty())
                .map(M::from_item)
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

/// `UpdateItem` by key with typed actions. Runs no item hooks (there is no item).
#[must_use = "an operation does nothing until awaited"]
pub struct UpdateItem<'a, M, R = returns::Nothing> {
    pub(crate) db: &'a Dynamo,
    key: Result<Item>,
    update: Update<M>,
    condition: Option<Condition<M>>,
    item_on_failure: bool,
    /// `expect_version`: the version the update expects.
    guard: Option<Result<VersionGuard>>,
    /// The actions already set every templated key and the entity type (a tracked save,
    /// which knows the whole item): they are not derived from the changed fields again.
    keys_included: bool,
    _returns: PhantomData<fn() -> R>,
}

macro_rules! forward_actions {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) $(where [$($bound:tt)*])?;)*) => {$(
        $(#[$doc])*
        pub fn $name<T, K>(mut self, field: impl AsRef<crate::Field<M, T, K>>, $($arg: $ty),*) -> Self
        $(where $($bound)*)?
        {
            self.update = self.update.$name(field, $($arg),*);
            self
        }
    )*};
}

impl<'a, M: Table, R: UpdateReturn<M>> UpdateItem<'a, M, R> {
    forward_actions! {
        /// `SET path = value`
        set(value: impl crate::expr::ValueFor<T>);
        /// `SET path = if_not_exists(path, value)`
        set_if_not_exists(value: impl crate::expr::ValueFor<T>);
        /// `SET path = path + value`
        increment(by: impl crate::expr::ValueFor<T>) where [T: crate::expr::Numeric];
        /// `SET path = path - value`
        decrement(by: impl crate::expr::ValueFor<T>) where [T: crate::expr::Numeric];
        /// `SET path = list_append(if_not_exists(path, []), elements)`
        append(elements: impl crate::expr::ListValues<T>);
        /// `SET path = list_append(elements, if_not_exists(path, []))`
        prepend(elements: impl crate::expr::ListValues<T>);
        /// `REMOVE path` (optional fields and sets)
        remove() where [T: crate::expr::Removable];
        /// `ADD path value` (numbers and sets)
        add(value: impl crate::expr::AddValue<T>);
        /// `DELETE path elements` (sets)
        delete(elements: impl crate::expr::DeleteValue<T>);
    }

    /// `REMOVE path[index]`
    pub fn remove_at<T, K>(
        mut self,
        list: impl AsRef<crate::Field<M, Vec<T>, K>>,
        index: u32,
    ) -> Self {
        self.update = self.update.remove_at(list, index);
        self
    }

    /// Replaces the actions with `update`, built beforehand.
    pub fn with(mut self, update: Update<M>) -> Self {
        self.update = update;
        self
    }

    /// Marks the actions as setting every templated key themselves.
    pub(crate) fn with_keys_included(mut self) -> Self {
        self.keys_included = true;
        self
    }

    /// Updates only if `condition` holds.
    pub fn condition(mut self, condition: impl Into<Condition<M>>) -> Self {
        self.condition = Some(condition.into());
        self
    }

    /// On a failed condition, puts the current item in the error.
    pub fn return_item_on_condition_failure(mut self) -> Self {
        self.item_on_failure = true;
        self
    }

    /// Updates only if the stored version is `version` (`#[dynamo(version)]`); another
    /// version fails with [`ErrorKind::VersionConflict`]. Every update of a versioned model
    /// moves its version on by one, with or without this check.
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
            item_on_failure: self.item_on_failure,
            guard: self.guard,
            keys_included: self.keys_included,
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

    /// The request this update sends (a dry run).
    ///
    /// # Errors
    ///
    /// Key and expression errors (an empty update, overlapping paths...), as the send
    /// would report them.
    pub fn to_request(&self) -> Result<update_item::builders::UpdateItemInputBuilder> {
        let key = self.key.as_ref().map_err(Error::duplicate)?.clone();
        let guard = self.guard().map_err(Error::duplicate)?;
        let mut expressions = Expressions::new();
        let meta = M::meta();
        let templated;
        let base = if crate::template::has_templates(meta) && !self.keys_included {
            templated = crate::template::on_update(meta, &key, self.update.clone())
                .map_err(|why| Error::invalid_request(M::NAME, why))?;
            &templated
        } else {
            &self.update
        };
        let with_lifecycle;
        let update = if meta.lifecycle.is_empty() {
            base
        } else {
            with_lifecycle = lifecycle::on_update(base.clone());
            &with_lifecycle
        };
        let update = expressions.add(update.render()?);
        let condition = VersionGuard::and(guard, self.condition.as_ref());
        let condition = expressions.condition(condition.as_deref())?;
        if let Some(key) = std::iter::once(meta.hash_key)
            .chain(meta.range_key)
            .find(|k| self.update.changes_attribute(k.attribute))
        {
            return Err(Error::invalid_request(
                M::NAME,
                format!(
                    "an update cannot change the key attribute `{}`",
                    key.attribute
                ),
            ));
        }
        let (names, values) = expressions.into_maps();
        Ok(update_item::UpdateItemInput::builder()
            .table_name(self.db.table_name::<M>())
            .set_key(Some(key))
            .update_expression(update)
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .set_return_values(R::RETURN_VALUES)
            .set_return_values_on_condition_check_failure(
                (self.item_on_failure || guard.is_some())
                    .then_some(ReturnValuesOnConditionCheckFailure::AllOld),
            ))
    }

    fn guard(&self) -> std::result::Result<Option<VersionGuard>, &Error> {
        self.guard.as_ref().map(|g| g.as_ref().copied()).transpose()
    }

    async fn send(self) -> Result<R::Output> {
        let guard = self.guard().map_err(Error::duplicate)?;
        let request = self.to_request()?;
        let output = self
            .db
            .backend
            .update_item(request)
            .await
            .map_err(|e| VersionGuard::explain::<M>(guard, e))?;
        R::convert(output.attributes)
    }
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
        Box::pin(self.send())
    }
}
