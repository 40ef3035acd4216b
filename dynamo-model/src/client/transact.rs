//! Write transactions: `TransactWriteItems`, all or nothing, up to 100 items, retried with
//! the same client request token when only conflicts cancelled it. Read transactions are in
//! `transact_get`.

use std::collections::HashSet;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::operation::transact_write_items;

use super::prepare::{self, key_item, Prepared, UpdateOptions};
use super::retry::retrying;
use super::Dynamo;
use crate::error::{CancellationReason, Error, Result};
use crate::expr::{Condition, IntoCondition, Update};
use crate::key::IntoKey;
use crate::model::Table;
use crate::value::Item;

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Items per transaction.
pub const MAX_TRANSACTION_ITEMS: usize = 100;

/// What runs once a write succeeded: the model's `after_*` hook.
pub(crate) type AfterWrite<'a> = Box<dyn Fn() + Send + Sync + 'a>;

/// One item of a write transaction: prepared by the write pipeline, rendered when the
/// request is built (so transaction-wide options apply to every item, whenever they were
/// set), with the hook to run once the transaction succeeded.
struct Entry<'a> {
    prepared: Prepared,
    after: Option<AfterWrite<'a>>,
}

/// The options of one put or delete of a transaction, given in
/// [`TransactWrite::put_with`]'s or [`TransactWrite::delete_with`]'s closure as a single
/// [`Put`](crate::Put) or [`Delete`](crate::Delete) takes them:
/// `|p| p.condition(f.id.not_exists())`.
#[must_use = "the closure returns it"]
pub struct TransactItem<M> {
    condition: Option<Condition<M>>,
    hooks: bool,
}

impl<M> std::fmt::Debug for TransactItem<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactItem")
            .field("hooks", &self.hooks)
            .finish_non_exhaustive()
    }
}

impl<M: Table> TransactItem<M> {
    fn new() -> Self {
        TransactItem {
            condition: None,
            hooks: true,
        }
    }

    /// Writes only if `condition` holds; otherwise the whole transaction is cancelled.
    pub fn condition(mut self, condition: impl IntoCondition<M>) -> Self {
        self.condition = Some(condition.into_condition());
        self
    }

    /// Runs none of the model's hooks for this item.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }
}

/// The update of one item of a transaction, built in [`TransactWrite::update`]'s closure:
/// the same actions as [`UpdateItem`](crate::UpdateItem), a condition, and whether it may
/// create the item.
#[must_use = "the closure returns it"]
pub struct TransactUpdate<M> {
    update: Update<M>,
    options: TransactItem<M>,
    upsert: bool,
}

impl<M> std::fmt::Debug for TransactUpdate<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactUpdate")
            .field("update", &self.update)
            .field("upsert", &self.upsert)
            .finish_non_exhaustive()
    }
}

impl<M: Table> TransactUpdate<M> {
    super::update_actions!();

    /// Updates only if `condition` holds (and the item exists, unless an upsert).
    pub fn condition(mut self, condition: impl IntoCondition<M>) -> Self {
        self.options = self.options.condition(condition);
        self
    }

    /// Runs neither `before_update` nor `after_update` for this item.
    pub fn skip_hooks(mut self) -> Self {
        self.options = self.options.skip_hooks();
        self
    }

    /// Lets the update create the item when it does not exist; the actions must then set
    /// every attribute the model requires.
    pub fn upsert(mut self) -> Self {
        self.upsert = true;
        self
    }
}

/// `TransactWriteItems`: puts, updates, deletes and condition checks of any models, all or
/// nothing. Each item's options (a condition, `skip_hooks`) go in a closure, as a single
/// operation takes them; the transaction's own options apply to every item, whatever the
/// call order.
#[must_use = "an operation does nothing until awaited"]
pub struct TransactWrite<'a> {
    pub(crate) db: &'a Dynamo,
    entries: Result<Vec<Entry<'a>>>,
    token: Option<String>,
    item_on_failure: bool,
}

impl Dynamo {
    /// A write transaction.
    pub fn transact_write(&self) -> TransactWrite<'_> {
        TransactWrite {
            db: self,
            entries: Ok(Vec::new()),
            token: None,
            item_on_failure: false,
        }
    }
}

impl<'a> TransactWrite<'a> {
    fn push(mut self, entry: Result<Prepared>, after: Option<AfterWrite<'a>>) -> Self {
        self.entries = self.entries.and_then(|mut entries| {
            entries.push(Entry {
                prepared: entry?,
                after,
            });
            Ok(entries)
        });
        self
    }

    /// Puts an item; `before_save` runs now, `after_save` once the transaction succeeded.
    pub fn put<M: Table + Sync>(self, model: &'a M) -> Self {
        self.put_with(model, |p| p)
    }

    /// Puts an item with the options the closure gives:
    /// `.put_with(&order, |p| p.condition(f.id.not_exists()))`.
    pub fn put_with<M: Table + Sync>(
        self,
        model: &'a M,
        options: impl FnOnce(TransactItem<M>) -> TransactItem<M>,
    ) -> Self {
        let options = options(TransactItem::new());
        let table = self.db.table_name::<M>();
        let entry = prepare::put(
            table,
            model,
            options.condition.as_ref(),
            false,
            options.hooks,
        );
        let after = options
            .hooks
            .then(|| Box::new(move || model.after_save()) as AfterWrite<'a>);
        self.push(entry, after)
    }

    /// Updates the item with `key`, which must exist (the transaction is cancelled
    /// otherwise), with the actions and options the closure gives, as a single update
    /// takes them: `|u| u.set(&f.age, 5).condition(f.age.lt(9))`.
    pub fn update<M: Table>(
        self,
        key: impl IntoKey<M::Key>,
        update: impl FnOnce(TransactUpdate<M>) -> TransactUpdate<M>,
    ) -> Self {
        let spec = update(TransactUpdate {
            update: Update::new(),
            options: TransactItem::new(),
            upsert: false,
        });
        let table = self.db.table_name::<M>();
        let hooks = spec.options.hooks;
        let options = UpdateOptions {
            hooks,
            upsert: spec.upsert,
            ..UpdateOptions::default()
        };
        let condition = spec.options.condition.as_ref();
        let key = key_item::<M>(key);
        let after = key_hook(hooks, M::after_update, &key);
        let entry =
            key.and_then(|key| prepare::update(table, key, &spec.update, condition, options));
        self.push(entry, after)
    }

    /// Updates the item with `key`, creating it when absent: the actions must then set
    /// every attribute the model requires (checked before sending). The same as
    /// `.upsert()` inside [`update`](Self::update)'s closure.
    pub fn upsert<M: Table>(
        self,
        key: impl IntoKey<M::Key>,
        update: impl FnOnce(TransactUpdate<M>) -> TransactUpdate<M>,
    ) -> Self {
        self.update(key, |u| update(u).upsert())
    }

    /// Deletes the item with `key`.
    pub fn delete<M: Table>(self, key: impl IntoKey<M::Key>) -> Self {
        self.delete_with::<M>(key, |d| d)
    }

    /// Deletes the item with `key` with the options the closure gives:
    /// `.delete_with::<Order>(key, |d| d.condition(f.status.eq("open")))`.
    pub fn delete_with<M: Table>(
        self,
        key: impl IntoKey<M::Key>,
        options: impl FnOnce(TransactItem<M>) -> TransactItem<M>,
    ) -> Self {
        let options = options(TransactItem::new());
        let table = self.db.table_name::<M>();
        let condition = options.condition.as_ref();
        let key = key_item::<M>(key);
        let after = key_hook(options.hooks, M::after_delete_key, &key);
        let entry =
            key.and_then(|key| prepare::delete(table, key, condition, None, false, options.hooks));
        self.push(entry, after)
    }

    /// Requires `condition` to hold for the item with `key`, without changing it.
    pub fn condition_check<M: Table>(
        self,
        key: impl IntoKey<M::Key>,
        condition: impl IntoCondition<M>,
    ) -> Self {
        let table = self.db.table_name::<M>();
        let condition = condition.into_condition();
        let entry =
            key_item::<M>(key).and_then(|key| prepare::check(table, key, &condition, false));
        self.push(entry, None)
    }

    /// The idempotency token (generated when not given): retries with it are applied once.
    pub fn client_request_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// On a failed condition, each cancellation reason carries the item as it was; it
    /// applies to every item of the transaction, whenever it is called.
    pub fn return_items_on_condition_failure(mut self) -> Self {
        self.item_on_failure = true;
        self
    }

    /// The request this transaction sends (a dry run); the token is generated if unset.
    ///
    /// # Errors
    ///
    /// Item, key and expression errors, no item or more than 100, the same item twice.
    pub fn to_request(
        &self,
    ) -> Result<transact_write_items::builders::TransactWriteItemsInputBuilder> {
        let entries = self.entries.as_ref().map_err(Error::clone)?;
        if entries.is_empty() || entries.len() > MAX_TRANSACTION_ITEMS {
            return Err(Error::invalid_operation(
                "TransactWrite",
                format!(
                    "a transaction holds 1 to {MAX_TRANSACTION_ITEMS} items, not {}",
                    entries.len()
                ),
            ));
        }
        let mut seen = HashSet::new();
        for entry in entries {
            let entry = &entry.prepared;
            let mut key: Vec<String> = entry
                .key
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            key.sort();
            if !seen.insert((entry.table.clone(), key)) {
                return Err(Error::invalid_operation(
                    "TransactWrite",
                    format!(
                        "the same item of table `{}` appears twice in one transaction",
                        entry.table
                    ),
                ));
            }
        }
        let items = entries
            .iter()
            .map(|entry| {
                let mut prepared = entry.prepared.clone();
                prepared.item_on_failure |= self.item_on_failure;
                prepared.seal_for_dry_run(self.db.keys())?;
                prepared.transact_item()
            })
            .collect::<Result<Vec<_>>>()?;
        let token = self.token.clone().unwrap_or_else(new_token);
        if !(1..=36).contains(&token.chars().count()) {
            return Err(Error::invalid_operation(
                "TransactWrite",
                format!(
                    "a client request token has 1 to 36 characters, not {}",
                    token.chars().count()
                ),
            ));
        }
        Ok(transact_write_items::TransactWriteItemsInput::builder()
            .set_transact_items(Some(items))
            .client_request_token(token))
    }

    async fn send(mut self) -> Result<()> {
        // Encrypted values are sealed first, waiting for the key provider; the request is
        // then rendered from the sealed entries.
        let keys = self.db.keys();
        let mut uploaded = super::seal::Uploaded::new();
        if let Ok(entries) = &mut self.entries {
            for entry in entries.iter_mut() {
                if let Err(error) = entry.prepared.seal(keys).await {
                    keys.discard(uploaded).await;
                    return Err(error);
                }
                uploaded.append(&mut entry.prepared.uploaded);
            }
        }
        let sent = self.send_sealed().await;
        if sent.is_err() {
            keys.discard(uploaded).await;
        }
        sent
    }

    /// Sends the sealed transaction, retrying conflicts.
    async fn send_sealed(&self) -> Result<()> {
        let request = self.to_request()?;
        let retry = self.db.retry().clone();
        let mut attempt = 0;
        loop {
            match self
                .db
                .backend()
                .transact_write_items(request.clone())
                .await
            {
                Ok(_) => {
                    for entry in self.entries.iter().flatten() {
                        if let Some(after) = &entry.after {
                            after();
                        }
                    }
                    return Ok(());
                }
                Err(error) if attempt < retry.max_retries && worth_retrying(&error) => {
                    attempt += 1;
                    let items = error.reasons().len();
                    retry.back_off("TransactWriteItems", attempt, items).await;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// A key hook to run after the write of the item with `key`, when hooks run.
pub(crate) fn key_hook<'a>(
    hooks: bool,
    hook: fn(&Item),
    key: &Result<Item>,
) -> Option<AfterWrite<'a>> {
    let key = key.as_ref().ok().filter(|_| hooks)?.clone();
    Some(Box::new(move || hook(&key)))
}

/// True when sending the same transaction again, with the same token, may succeed and
/// cannot apply it twice: it was throttled or did not complete (DynamoDB answers a token it
/// already committed with success), or it was cancelled only by conflicts with other
/// transactions or throttling of its items; never when any item failed otherwise.
fn worth_retrying(error: &Error) -> bool {
    let passing =
        |r: &CancellationReason| r.is_transaction_conflict() || r.code == "ThrottlingError";
    error.is_retryable()
        || (error.is_transaction_canceled()
            && error.reasons().iter().any(passing)
            && error.reasons().iter().all(|r| r.is_none() || passing(r)))
}

/// A fresh client request token (DynamoDB takes 1 to 36 characters).
fn new_token() -> String {
    format!("dm-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

impl<'a> IntoFuture for TransactWrite<'a> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(retrying("TransactWriteItems", self.send()))
    }
}

super::operation!(TransactWrite);
