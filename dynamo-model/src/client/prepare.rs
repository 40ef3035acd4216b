//! The write pipeline: every write (put, update, delete, condition check; alone, in a
//! transaction, in a batch, as a tracked save or as a PartiQL statement) is prepared here,
//! once, and each operation then renders its own request from the [`Prepared`] form.
//!
//! Preparing applies, in this order: the hooks (unless skipped), validation and the codec's
//! checks, lifecycle attributes (ids, timestamps, versions, counters), key templates, the
//! key checks, nesting and size limits (the model's `max_size` and DynamoDB's 400 KB, as far
//! as they are known before sending), the existence rule of updates (an update needs the
//! item unless it is an upsert that sets every attribute the model requires), and what to
//! return on a failed condition.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::{delete_item, put_item, update_item};
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete as TransactDelete, DeleteRequest, Put as TransactPut,
    PutRequest, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update as TransactUpdate,
    WriteRequest,
};

pub(crate) use super::lifecycle::Existing;
use super::lifecycle::{self, VersionGuard};
use super::seal::{Keys, Sealing};
use crate::error::{Error, ErrorKind, Result};
use crate::expr::{Change, Condition, Rendered, Update};
use crate::key::IntoKey;
use crate::meta::{template, TableMeta};
use crate::model::Table;
use crate::value::{item_size, Item, MAX_ITEM_SIZE};

/// What a prepared write does to its item.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// Writes this whole item.
    Put(Item),
    /// Applies this `UpdateExpression`.
    Update(String),
    /// Deletes the item.
    Delete,
    /// Changes nothing; the condition must hold (transactions only).
    Check,
}

/// What a write expects of the stored item, to explain a failed condition after the
/// request was sent.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Expectations {
    /// The version the write expects (`#[dynamo(version)]`).
    pub(crate) guard: Option<VersionGuard>,
    /// The item must exist (an update that is not an upsert).
    pub(crate) must_exist: bool,
    /// The caller gave a condition of their own, which a failure may come from.
    pub(crate) caller_condition: bool,
}

impl Expectations {
    /// Tells a failed condition apart: a version conflict, no item for an update that
    /// needs one, or the caller's own condition.
    pub(crate) fn explain<M: Table>(self, key: &Item, error: Error) -> Error {
        let error = VersionGuard::explain::<M>(self.guard, error);
        if !error.is_conditional_check_failed() {
            return error;
        }
        match error.into_kind() {
            ErrorKind::ConditionalCheckFailed {
                operation, item, ..
            } if self.must_exist && item.as_ref().is_none_or(Item::is_empty) => {
                ErrorKind::ItemNotFound {
                    model: M::NAME,
                    operation,
                    key: key.clone(),
                }
                .into()
            }
            ErrorKind::ConditionalCheckFailed {
                operation, item, ..
            } => ErrorKind::ConditionalCheckFailed {
                operation,
                item,
                model: Some(M::NAME),
                key: Some(key.clone()),
            }
            .into(),
            other => other.into(),
        }
    }
}

/// A write with every policy applied, ready to be rendered as any request.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The Rust name of the model, for messages.
    pub(crate) model: &'static str,
    /// The table, with the client's prefix.
    pub(crate) table: String,
    /// The item's key attributes.
    pub(crate) key: Item,
    pub(crate) action: Action,
    pub(crate) condition: Option<String>,
    names: Option<HashMap<String, String>>,
    values: Option<HashMap<String, AttributeValue>>,
    /// Ask for the item as it was when the condition fails: asked for by the caller, or
    /// needed to explain the failure.
    pub(crate) item_on_failure: bool,
    pub(crate) expect: Expectations,
    /// Encrypted values of a put's item still to seal: no request is rendered until they
    /// are ([`Prepared::seal`]).
    sealing: Option<Sealing>,
    /// The S3 objects sealing uploaded, removed again if the write fails.
    pub(crate) uploaded: super::seal::Uploaded,
}

/// How an update is prepared.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UpdateOptions {
    /// The version the update expects (`expect_version`).
    pub(crate) guard: Option<VersionGuard>,
    /// Put the item as it was in a failed condition's error.
    pub(crate) item_on_failure: bool,
    /// Run the key hooks.
    pub(crate) hooks: bool,
    /// The actions already set every templated key (a tracked save knows the whole item).
    pub(crate) keys_included: bool,
    /// The update may create the item; it must then set every attribute the model needs.
    pub(crate) upsert: bool,
    /// What the lifecycle actions may assume of the stored item.
    pub(crate) existing: Existing,
}

impl Default for UpdateOptions {
    /// A single update: hooks run, the item must exist, nothing else asked for.
    fn default() -> Self {
        UpdateOptions {
            guard: None,
            item_on_failure: false,
            hooks: true,
            keys_included: false,
            upsert: false,
            existing: Existing::MayBeAbsent,
        }
    }
}

/// A put of `model`: its `before_save` hook (when `hooks`), validation, lifecycle
/// attributes, key templates, key, nesting and size checks, and its version guard.
pub(crate) fn put<M: Table>(
    table: String,
    model: &M,
    condition: Option<&Condition<M>>,
    item_on_failure: bool,
    hooks: bool,
) -> Result<Prepared> {
    if hooks {
        model.before_save()?;
    }
    let (item, guard, sealing) = item_to_write(model)?;
    let expect = Expectations {
        guard,
        must_exist: false,
        caller_condition: condition.is_some(),
    };
    let mut expressions = Expressions::new();
    let condition = VersionGuard::and(guard, condition);
    let condition = expressions.condition(condition.as_deref())?;
    let mut prepared = Prepared::new::<M>(
        table,
        key_of::<M>(&item),
        Action::Put(item),
        condition,
        expressions,
        item_on_failure,
        expect,
    );
    prepared.sealing = sealing;
    Ok(prepared)
}

/// The item a put of `model` writes, prepared as [`put`] prepares it (hooks included)
/// and sealed, for a write rendered elsewhere (a PartiQL `INSERT`, which is built without
/// waiting: a key provider that would wait is refused there).
pub(crate) fn prepared_item<M: Table>(keys: &Keys, table: String, model: &M) -> Result<Item> {
    let mut prepared = put(table, model, None, false, true)?;
    if prepared.sealing.is_some_and(|s| s.offloads()) {
        return Err(Error::invalid_request(
            M::NAME,
            "it has values over their threshold, which are uploaded to S3 before the item is written, and a PartiQL statement is built without waiting: put the item instead",
        ));
    }
    if !prepared.seal_now(keys)? {
        return Err(Error::invalid_request(
            M::NAME,
            "its key provider answers asynchronously, and a PartiQL statement is built without waiting: put the item instead",
        ));
    }
    match prepared.action {
        Action::Put(item) => Ok(item),
        _ => Err(Error::invalid_request(M::NAME, "a put prepared no item")),
    }
}

/// An update of the item with `key`: its `before_update` hook (when `hooks`), templated
/// index keys recomputed, lifecycle attributes, no change to a key attribute, the size the
/// written values reach, and the existence rule: the item must exist, unless this is an
/// upsert, which must then set every attribute the model requires.
pub(crate) fn update<M: Table>(
    table: String,
    key: Item,
    actions: &Update<M>,
    condition: Option<&Condition<M>>,
    options: UpdateOptions,
) -> Result<Prepared> {
    let meta = M::meta();
    if let Some(key_meta) = std::iter::once(meta.hash_key)
        .chain(meta.range_key)
        .find(|k| actions.changes_attribute(k.attribute))
    {
        return Err(Error::invalid_request(
            M::NAME,
            format!(
                "an update cannot change the key attribute `{}`",
                key_meta.attribute
            ),
        ));
    }
    if !actions.problems().is_empty() {
        return Err(Error::validation(
            M::NAME,
            actions.problems().clone().into_vec(),
        ));
    }
    if options.hooks {
        M::before_update(&key)?;
    }
    let templated;
    let base = if template::has_templates(meta) && !options.keys_included {
        templated = templated_update(meta, &key, actions.clone())
            .map_err(|why| Error::invalid_request(M::NAME, why))?;
        &templated
    } else {
        actions
    };
    let with_lifecycle;
    let actions = if meta.lifecycle.is_empty() {
        base
    } else {
        with_lifecycle = lifecycle::on_update(base.clone(), options.existing);
        &with_lifecycle
    };
    check_update_size::<M>(&key, actions)?;
    if options.upsert {
        check_upsert_creates_a_readable_item::<M>(&key, actions)?;
    }
    let mut expressions = Expressions::new();
    let expression = expressions.add(actions.render()?);
    let caller_condition = condition.is_some();
    // A statement that can only change a stored item (PartiQL's UPDATE) needs no condition
    // for it.
    let check_exists = !options.upsert && options.existing == Existing::MayBeAbsent;
    let condition = if check_exists && condition.is_none() && options.guard.is_none() {
        // The most common condition, written without building one.
        Some(expressions.item_exists(meta.hash_key.attribute))
    } else {
        let exists = check_exists.then(|| Condition::attribute_present(meta.hash_key.attribute));
        let condition = match (condition, exists) {
            (Some(condition), Some(exists)) => {
                Some(std::borrow::Cow::Owned(exists.and(condition.clone())))
            }
            (Some(condition), None) => Some(std::borrow::Cow::Borrowed(condition)),
            (None, exists) => exists.map(std::borrow::Cow::Owned),
        };
        let condition = VersionGuard::and(options.guard, condition.as_deref());
        expressions.condition(condition.as_deref())?
    };
    let expect = Expectations {
        guard: options.guard,
        must_exist: !options.upsert,
        caller_condition,
    };
    #[cfg_attr(not(feature = "s3"), allow(unused_mut))]
    let mut prepared = Prepared::new::<M>(
        table,
        key,
        Action::Update(expression),
        condition,
        expressions,
        options.item_on_failure,
        expect,
    );
    // A value to offload waits in the update's values for its upload.
    #[cfg(feature = "s3")]
    if prepared
        .values
        .as_ref()
        .is_some_and(|values| crate::value::offloaded::any_pending(values.values()))
    {
        prepared.sealing = Sealing::of::<M>(size_limit::<M>(), false, true);
    }
    Ok(prepared)
}

/// A delete of the item with `key`, with its version guard. The item's own `before_delete`
/// hook runs where the item is known ([`Dynamo::delete`](super::Dynamo::delete)); a delete
/// by key runs `before_delete_key` here when `key_hooks`.
pub(crate) fn delete<M: Table>(
    table: String,
    key: Item,
    condition: Option<&Condition<M>>,
    guard: Option<VersionGuard>,
    item_on_failure: bool,
    key_hooks: bool,
) -> Result<Prepared> {
    if key_hooks {
        M::before_delete_key(&key)?;
    }
    let mut expressions = Expressions::new();
    let expect = Expectations {
        guard,
        must_exist: false,
        caller_condition: condition.is_some(),
    };
    let condition = VersionGuard::and(guard, condition);
    let condition = expressions.condition(condition.as_deref())?;
    Ok(Prepared::new::<M>(
        table,
        key,
        Action::Delete,
        condition,
        expressions,
        item_on_failure,
        expect,
    ))
}

/// A condition check of the item with `key` (transactions).
pub(crate) fn check<M: Table>(
    table: String,
    key: Item,
    condition: &Condition<M>,
    item_on_failure: bool,
) -> Result<Prepared> {
    let mut expressions = Expressions::new();
    let condition = expressions.add(condition.render()?);
    Ok(Prepared::new::<M>(
        table,
        key,
        Action::Check,
        Some(condition),
        expressions,
        item_on_failure,
        Expectations::default(),
    ))
}

/// Refuses an update whose written values alone make the item larger than the model's
/// `max_size` or 400 KB: the key plus every value it sets is a lower bound of the item.
fn check_update_size<M: Table>(key: &Item, actions: &Update<M>) -> Result<()> {
    let limit = size_limit::<M>();
    let size = item_size(key) + actions.written_size();
    if size <= limit {
        return Ok(());
    }
    let mut breakdown = crate::value::ItemSize::of(&actions.values_on_new_item());
    breakdown.attributes.truncate(3);
    Err(ErrorKind::ItemTooLarge {
        model: M::NAME,
        size,
        limit,
        largest: breakdown.attributes,
    }
    .into())
}

/// Refuses an upsert that, creating the item, would leave one the model cannot read: the
/// key and the values the update stores on a new item must decode as the model.
fn check_upsert_creates_a_readable_item<M: Table>(key: &Item, actions: &Update<M>) -> Result<()> {
    let mut created = actions.values_on_new_item();
    created.extend(
        key.iter()
            .map(|(name, value)| (name.clone(), value.clone())),
    );
    match M::from_item(created) {
        Ok(_) => Ok(()),
        Err(error) => {
            let problems: Vec<String> = error
                .field_errors()
                .iter()
                .map(ToString::to_string)
                .collect();
            let why = if problems.is_empty() {
                error.to_string()
            } else {
                problems.join("; ")
            };
            Err(Error::invalid_request(
                M::NAME,
                format!(
                    "an upsert may create the item, so it must set every attribute the model requires; as sent, a new item would not be readable: {why}"
                ),
            ))
        }
    }
}

fn size_limit<M: Table>() -> usize {
    M::meta()
        .max_size
        .unwrap_or(MAX_ITEM_SIZE)
        .min(MAX_ITEM_SIZE)
}

impl Prepared {
    fn new<M: Table>(
        table: String,
        key: Item,
        action: Action,
        condition: Option<String>,
        expressions: Expressions,
        item_on_failure: bool,
        expect: Expectations,
    ) -> Prepared {
        let (names, values) = expressions.into_maps();
        Prepared {
            model: M::NAME,
            table,
            key,
            action,
            condition,
            names,
            values,
            item_on_failure,
            expect,
            sealing: None,
            uploaded: super::seal::Uploaded::new(),
        }
    }

    /// Seals the encrypted values of a put's item, waiting for the key provider.
    ///
    /// # Errors
    ///
    /// The provider's failure, naming the attributes; the sealed item over its size limit.
    pub(crate) async fn seal(&mut self, keys: &Keys) -> Result<()> {
        if let (Some(sealing), Some((values, key))) = (self.sealing, self.pending_values()) {
            // Boxed: only encrypted or offloaded values get here, and every write's future
            // holds this one, which stays small (over 1 KiB, a future costs glibc's
            // allocator a consolidation of its free lists each time it is allocated).
            let uploaded = Box::pin(sealing.seal(keys, values, key)).await?;
            self.uploaded = uploaded;
        }
        self.sealing = None;
        Ok(())
    }

    /// What sealing works on (a put's item, an update's values), and the item's key.
    fn pending_values(&mut self) -> Option<(&mut Item, &Item)> {
        let key = &self.key;
        match &mut self.action {
            Action::Put(item) => Some((item, key)),
            Action::Update(_) => self.values.as_mut().map(|values| (values, key)),
            Action::Delete | Action::Check => None,
        }
    }

    /// [`Prepared::seal`] without waiting: `Ok(false)`, still pending, when the provider
    /// would wait.
    ///
    /// # Errors
    ///
    /// As [`Prepared::seal`].
    pub(crate) fn seal_now(&mut self, keys: &Keys) -> Result<bool> {
        if let (Some(sealing), Some((values, key))) = (self.sealing, self.pending_values()) {
            if !sealing.seal_now(keys, values, key)? {
                return Ok(false);
            }
        }
        self.sealing = None;
        Ok(true)
    }

    /// [`Prepared::seal_now`] for a dry run, where a provider that would wait is an error.
    ///
    /// # Errors
    ///
    /// As [`Prepared::seal`], and a provider that answers asynchronously.
    pub(crate) fn seal_for_dry_run(&mut self, keys: &Keys) -> Result<()> {
        if let (Some(sealing), Some((values, key))) = (self.sealing, self.pending_values()) {
            sealing.seal_for_dry_run(keys, values, key)?;
        }
        self.sealing = None;
        Ok(())
    }

    /// True when no encrypted value waits to be sealed.
    pub(crate) fn is_sealed(&self) -> bool {
        self.sealing.is_none()
    }

    /// Refuses to render an item whose encrypted values are not sealed: a path that forgot
    /// the sealing step fails instead of storing them unencrypted.
    fn sealed(&self) -> Result<()> {
        match self.sealing {
            None => Ok(()),
            Some(_) => Err(Error::invalid_request(
                self.model,
                "its encrypted values were not sealed before the request was built (a bug in dynamo-model: please report it)",
            )),
        }
    }

    /// The update expression (for an update) and the condition, each with the placeholders
    /// it uses: for a renderer outside the request types (PartiQL).
    pub(crate) fn rendered(&self) -> (Option<Rendered>, Option<Rendered>) {
        let render = |expression: &String| Rendered {
            expression: expression.clone(),
            names: self.names.clone().unwrap_or_default(),
            values: self.values.clone().unwrap_or_default(),
        };
        let update = match &self.action {
            Action::Update(expression) => Some(render(expression)),
            Action::Put(_) | Action::Delete | Action::Check => None,
        };
        (update, self.condition.as_ref().map(render))
    }

    /// `ReturnValuesOnConditionCheckFailure`: the item as it was when asked for, or when
    /// the failure needs it to be explained. An update whose only condition is that the
    /// item exists needs no item: its failure can only mean the item is missing.
    fn on_failure(&self) -> Option<ReturnValuesOnConditionCheckFailure> {
        let explain =
            self.expect.guard.is_some() || (self.expect.must_exist && self.expect.caller_condition);
        (self.item_on_failure || explain).then_some(ReturnValuesOnConditionCheckFailure::AllOld)
    }

    fn wrong_action(&self, request: &str) -> Error {
        let action = match self.action {
            Action::Put(_) => "put",
            Action::Update(_) => "update",
            Action::Delete => "delete",
            Action::Check => "condition check",
        };
        Error::invalid_request(
            self.model,
            format!("a {action} cannot be sent as {request}"),
        )
    }

    /// As a `PutItem` request.
    pub(crate) fn put_item(self) -> Result<put_item::builders::PutItemInputBuilder> {
        self.sealed()?;
        let on_failure = self.on_failure();
        let Action::Put(item) = self.action else {
            return Err(self.wrong_action("PutItem"));
        };
        Ok(put_item::PutItemInput::builder()
            .table_name(self.table)
            .set_item(Some(item))
            .set_condition_expression(self.condition)
            .set_expression_attribute_names(self.names)
            .set_expression_attribute_values(self.values)
            .set_return_values_on_condition_check_failure(on_failure))
    }

    /// As an `UpdateItem` request.
    pub(crate) fn update_item(self) -> Result<update_item::builders::UpdateItemInputBuilder> {
        let on_failure = self.on_failure();
        let Action::Update(expression) = &self.action else {
            return Err(self.wrong_action("UpdateItem"));
        };
        Ok(update_item::UpdateItemInput::builder()
            .table_name(self.table)
            .set_key(Some(self.key))
            .update_expression(expression)
            .set_condition_expression(self.condition)
            .set_expression_attribute_names(self.names)
            .set_expression_attribute_values(self.values)
            .set_return_values_on_condition_check_failure(on_failure))
    }

    /// As a `DeleteItem` request.
    pub(crate) fn delete_item(self) -> Result<delete_item::builders::DeleteItemInputBuilder> {
        let on_failure = self.on_failure();
        if !matches!(self.action, Action::Delete) {
            return Err(self.wrong_action("DeleteItem"));
        }
        Ok(delete_item::DeleteItemInput::builder()
            .table_name(self.table)
            .set_key(Some(self.key))
            .set_condition_expression(self.condition)
            .set_expression_attribute_names(self.names)
            .set_expression_attribute_values(self.values)
            .set_return_values_on_condition_check_failure(on_failure))
    }

    /// As one item of a `TransactWriteItems` request.
    pub(crate) fn transact_item(self) -> Result<TransactWriteItem> {
        self.sealed()?;
        let on_failure = self.on_failure();
        let model = self.model;
        let invalid =
            |e: aws_sdk_dynamodb::error::BuildError| Error::invalid_request(model, e.to_string());
        // The part every kind of transaction item shares: table, condition, placeholders,
        // and what to return on a failed condition.
        macro_rules! with_condition {
            ($builder:expr) => {
                $builder
                    .table_name(self.table)
                    .set_condition_expression(self.condition)
                    .set_expression_attribute_names(self.names)
                    .set_expression_attribute_values(self.values)
                    .set_return_values_on_condition_check_failure(on_failure)
                    .build()
                    .map_err(invalid)?
            };
        }
        let item = match self.action {
            Action::Put(item) => TransactWriteItem::builder()
                .put(with_condition!(TransactPut::builder().set_item(Some(item)))),
            Action::Update(expression) => {
                TransactWriteItem::builder().update(with_condition!(TransactUpdate::builder()
                    .set_key(Some(self.key))
                    .update_expression(expression)))
            }
            Action::Delete => TransactWriteItem::builder().delete(with_condition!(
                TransactDelete::builder().set_key(Some(self.key))
            )),
            Action::Check => TransactWriteItem::builder().condition_check(with_condition!(
                ConditionCheck::builder().set_key(Some(self.key))
            )),
        };
        Ok(item.build())
    }

    /// As one write of a `BatchWriteItem` request, which takes puts and deletes without
    /// conditions.
    pub(crate) fn write_request(self) -> Result<WriteRequest> {
        self.sealed()?;
        if self.condition.is_some() {
            return Err(Error::invalid_request(
                self.model,
                "a batch write takes no condition (a versioned item's version check is one): use a transaction, or put it alone",
            ));
        }
        let model = self.model;
        let invalid =
            |e: aws_sdk_dynamodb::error::BuildError| Error::invalid_request(model, e.to_string());
        match self.action {
            Action::Put(item) => Ok(WriteRequest::builder()
                .put_request(
                    PutRequest::builder()
                        .set_item(Some(item))
                        .build()
                        .map_err(invalid)?,
                )
                .build()),
            Action::Delete => Ok(WriteRequest::builder()
                .delete_request(
                    DeleteRequest::builder()
                        .set_key(Some(self.key))
                        .build()
                        .map_err(invalid)?,
                )
                .build()),
            Action::Update(_) | Action::Check => Err(Error::invalid_request(
                model,
                "a batch write takes only puts and deletes",
            )),
        }
    }
}

/// Keeps the templated keys right under a partial update: an update that changes a part of
/// an index key also sets that key, recomputed from the update's values and the item's key
/// (or removes it when a part is removed: a sparse index). Refused, with the reason: a
/// change to a part of the primary key (a key never changes), and a change to some parts
/// of an index key when the others are not known.
pub(crate) fn templated_update<M>(
    meta: &TableMeta,
    key: &Item,
    update: Update<M>,
) -> Result<Update<M>, String> {
    let primary = [Some(meta.hash_key), meta.range_key];
    for key_meta in primary.iter().flatten() {
        let Some(template) = key_meta.template else {
            continue;
        };
        if let Some(part) = template
            .parts()
            .find(|p| update.changes_attribute(p.attribute))
        {
            return Err(format!(
                "`{}` is part of the primary key `{}` (`{}`), and a key never changes: delete the item and put it under its new key",
                part.attribute, key_meta.attribute, template.text
            ));
        }
    }
    let key_values: Vec<(&'static str, AttributeValue)> = {
        let text = |attribute: &str| match key.get(attribute) {
            Some(AttributeValue::S(text)) => Some(text.as_str()),
            _ => None,
        };
        let hash = text(meta.hash_key.attribute);
        let range = meta.range_key.and_then(|r| text(r.attribute));
        match hash.map(|hash| template::parse_key(meta, hash, range)) {
            Some(Ok(values)) => template::key_parts(meta).into_iter().zip(values).collect(),
            _ => Vec::new(),
        }
    };
    let mut update = update;
    let index_keys: Vec<_> = template::templated_keys(meta)
        .filter(|(attribute, _)| !primary.iter().flatten().any(|k| k.attribute == *attribute))
        .collect();
    for (attribute, template) in index_keys {
        let Some(changed) = template
            .parts()
            .find(|p| update.changes_attribute(p.attribute))
        else {
            continue;
        };
        let mut values: Vec<AttributeValue> = Vec::new();
        let mut removed = false;
        for part in template.parts() {
            match update.change_of(part.attribute) {
                Some(Change::Set(value)) => values.push(value.clone()),
                Some(Change::Removed) => removed = true,
                Some(Change::Other) => {
                    return Err(format!(
                        "`{}` is part of index key `{attribute}` (`{}`) and is changed by an expression, so the key cannot be recomputed: set it to a value",
                        part.attribute, template.text
                    ))
                }
                None => match key_values.iter().find(|(name, _)| *name == part.attribute) {
                    Some((_, value)) => values.push(value.clone()),
                    None => {
                        return Err(format!(
                            "the update changes `{}` but not `{}`, so index key `{attribute}` (`{}`) cannot be recomputed: set `{}` too",
                            changed.attribute, part.attribute, template.text, part.attribute
                        ))
                    }
                },
            }
        }
        update = if removed {
            update.remove_managed(attribute)
        } else {
            let rendered = template
                .render_values(&values.iter().collect::<Vec<_>>())
                .map_err(|why| format!("key `{attribute}` (`{}`): {why}", template.text))?;
            update.set_managed(attribute, AttributeValue::S(rendered))
        };
    }
    Ok(update)
}

/// Validates and encodes `model`, its encrypted attributes left pending until the sealing
/// step binds them to the item's final key; also what that step needs, when any is.
pub(crate) fn encode_for_write<M: Table>(model: &M) -> Result<(Item, Option<Sealing>)> {
    let (item, encrypted, offloads) = super::seal::encode_pending(|| model.try_to_item());
    Ok((
        item?,
        Sealing::of::<M>(size_limit::<M>(), encrypted, offloads),
    ))
}

/// Validates and encodes a model for writing (validators, codec checks, key and size),
/// with its lifecycle attributes filled; also the version the write must find, and the
/// sealing its encrypted values still need (the size is checked again after it).
pub(crate) fn item_to_write<M: Table>(
    model: &M,
) -> Result<(Item, Option<VersionGuard>, Option<Sealing>)> {
    let (mut item, sealing) = encode_for_write(model)?;
    let guard = lifecycle::on_put::<M>(&mut item)?;
    // Again after the lifecycle step, which may have generated a part (an id).
    crate::meta::template::write_keys(M::meta(), &mut item)
        .map_err(|why| Error::invalid_request(M::NAME, why))?;
    check_key::<M>(&item)?;
    if let Some(problem) = crate::value::nesting_problem(&item) {
        return Err(Error::invalid_request(
            M::NAME,
            format!("the item's {problem}"),
        ));
    }
    check_vectors::<M>(&item)?;
    check_size::<M>(&item)?;
    Ok((item, guard, sealing))
}

/// Refuses a vector of other dimensions than its vector index's (an array field cannot
/// have them: that does not compile).
pub(crate) fn check_vectors<M: Table>(item: &Item) -> Result<()> {
    for index in M::meta().vector_indexes {
        let Some(AttributeValue::L(values)) = item.get(index.attribute) else {
            continue;
        };
        if values.len() != index.dimensions {
            return Err(Error::validation(
                M::NAME,
                vec![crate::value::FieldError::new(
                    index.attribute,
                    format!(
                        "the vector has {} dimensions; vector index `{}` takes {}",
                        values.len(),
                        index.name,
                        index.dimensions
                    ),
                )],
            ));
        }
    }
    Ok(())
}

/// Refuses an item over 400 KB or over the model's `max_size`, naming its largest
/// attributes.
pub(crate) fn check_size<M: Table>(item: &Item) -> Result<()> {
    check_size_of(M::NAME, size_limit::<M>(), item)
}

/// [`check_size`] for `model` and its `limit`.
pub(crate) fn check_size_of(model: &'static str, limit: usize, item: &Item) -> Result<()> {
    if item_size(item) <= limit {
        return Ok(());
    }
    let mut breakdown = crate::value::ItemSize::of(item);
    breakdown.attributes.truncate(3);
    Err(ErrorKind::ItemTooLarge {
        model,
        size: breakdown.total,
        limit,
        largest: breakdown.attributes,
    }
    .into())
}

/// A key item, checked before sending.
pub(crate) fn key_item<M: Table>(key: impl IntoKey<M::Key>) -> Result<Item> {
    let item = crate::meta::template::key_item(M::meta(), key.into_key_parts())
        .map_err(|why| Error::invalid_request(M::NAME, why))?;
    check_key::<M>(&item)?;
    Ok(item)
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

    /// `attribute_exists(#c0)` on `attribute`, as [`Condition::attribute_present`] renders
    /// it, added to this request's placeholders: the condition of an update that needs its
    /// item, when it has no other.
    pub(crate) fn item_exists(&mut self, attribute: &str) -> String {
        self.names.insert("#c0".to_owned(), attribute.to_owned());
        "attribute_exists(#c0)".to_owned()
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

/// Checks the key attributes of an item before sending: present, not an empty string or
/// binary, and within DynamoDB's sizes (2048 bytes for the partition key, 1024 for the sort
/// key), as DynamoDB refuses all of these.
pub(crate) fn check_key<M: Table>(key: &crate::value::Item) -> Result<()> {
    let meta = M::meta();
    use crate::value::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
    let limits = [(meta.hash_key, MAX_PARTITION_KEY_BYTES, "partition")]
        .into_iter()
        .chain(meta.range_key.map(|k| (k, MAX_SORT_KEY_BYTES, "sort")));
    for (key_meta, limit, role) in limits {
        let name = key_meta.attribute;
        let bytes = match key.get(name) {
            Some(aws_sdk_dynamodb::types::AttributeValue::S(s)) => s.len(),
            Some(aws_sdk_dynamodb::types::AttributeValue::B(b)) => b.as_ref().len(),
            _ => 0,
        };
        if bytes > limit {
            return Err(Error::invalid_request(
                M::NAME,
                format!(
                    "the {role} key attribute `{name}` is {bytes} bytes; DynamoDB takes at most {limit}"
                ),
            ));
        }
        match key.get(name) {
            None | Some(aws_sdk_dynamodb::types::AttributeValue::Null(_)) => {
                return Err(Error::invalid_request(
                    M::NAME,
                    format!("the key attribute `{name}` is missing"),
                ));
            }
            Some(aws_sdk_dynamodb::types::AttributeValue::S(s)) if s.is_empty() => {
                return Err(Error::invalid_request(
                    M::NAME,
                    format!("the key attribute `{name}` is an empty string"),
                ));
            }
            Some(aws_sdk_dynamodb::types::AttributeValue::B(b)) if b.as_ref().is_empty() => {
                return Err(Error::invalid_request(
                    M::NAME,
                    format!("the key attribute `{name}` is empty binary"),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The key attributes of a full item.
pub(crate) fn key_of<M: Table>(item: &crate::value::Item) -> crate::value::Item {
    crate::model::ItemKey::of(M::meta(), item).into_item()
}

#[cfg(test)]
mod tests {
    use super::Expressions;
    use crate::expr::Condition;

    #[test]
    fn the_existence_condition_renders_as_a_built_one() {
        let built = Condition::<()>::attribute_present("pk").render().unwrap();
        let mut expressions = Expressions::new();
        let written = expressions.item_exists("pk");
        assert_eq!(written, built.expression);
        assert_eq!(expressions.names, built.names);
        assert!(built.values.is_empty());
    }
}
