//! Transactions: `TransactWriteItems` (all or nothing, up to 100 items, retried with the
//! same client request token when only conflicts cancelled it) and `TransactGetItems`
//! (typed results, one per `get`, in order).

use std::collections::HashSet;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::operation::{transact_get_items, transact_write_items};
use aws_sdk_dynamodb::types::{Get as TransactGetItem, TransactGetItem as GetEntry};

use super::prepare::{self, key_item, Prepared, UpdateOptions};
use super::retry::retrying;
use super::Dynamo;
use crate::error::{CancellationReason, Error, Result};
use crate::expr::{Condition, IntoCondition, Update};
use crate::key::IntoKey;
use crate::model::Table;
use crate::value::Item;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

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

    /// A read transaction; each `get` adds an `Option<M>` to the result tuple.
    pub fn transact_get(&self) -> TransactGet<'_, ()> {
        TransactGet {
            db: self,
            gets: Ok(Vec::new()),
            _results: std::marker::PhantomData,
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
        if let Ok(entries) = &mut self.entries {
            for entry in entries.iter_mut() {
                entry.prepared.seal(self.db.keys()).await?;
            }
        }
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

/// Typed results of a read transaction: a tuple that grows with each `get`.
pub trait GetResults: Sized {
    /// The tuple with one more result.
    type Push<M>;
    #[doc(hidden)]
    fn decode(items: &mut std::vec::IntoIter<Option<Item>>) -> Result<Self>;
}

/// `TransactGetItems`: resolves to a tuple with an `Option<M>` per `get`, in order.
#[must_use = "an operation does nothing until awaited"]
pub struct TransactGet<'a, T> {
    pub(crate) db: &'a Dynamo,
    gets: Result<Vec<GetEntry>>,
    _results: std::marker::PhantomData<fn() -> T>,
}

impl<'a, T: GetResults> TransactGet<'a, T> {
    /// Reads the item with `key`.
    pub fn get<M: Table>(self, key: impl IntoKey<M::Key>) -> TransactGet<'a, T::Push<M>> {
        let table = self.db.table_name::<M>();
        let gets = self.gets.and_then(|mut gets| {
            gets.push(get_entry::<M>(table, key_item::<M>(key))?);
            Ok(gets)
        });
        TransactGet {
            db: self.db,
            gets,
            _results: std::marker::PhantomData,
        }
    }

    /// The request this read sends (a dry run).
    ///
    /// # Errors
    ///
    /// Key errors, no `get` or more than 100.
    pub fn to_request(&self) -> Result<transact_get_items::builders::TransactGetItemsInputBuilder> {
        get_request(&self.gets)
    }

    async fn send(self) -> Result<T> {
        let items = read(self.db, self.to_request()?).await?;
        let opened = self.db.keys().open::<T>(items.iter().flatten()).await;
        opened.scope(|| T::decode(&mut items.into_iter()))
    }
}

/// A `TransactGetItems` request of `gets`: 1 to 100 of them.
fn get_request(
    gets: &Result<Vec<GetEntry>>,
) -> Result<transact_get_items::builders::TransactGetItemsInputBuilder> {
    let gets = gets.as_ref().map_err(Error::clone)?;
    if gets.is_empty() || gets.len() > MAX_TRANSACTION_ITEMS {
        return Err(Error::invalid_operation(
            "TransactGet",
            format!(
                "a transaction holds 1 to {MAX_TRANSACTION_ITEMS} items, not {}",
                gets.len()
            ),
        ));
    }
    Ok(transact_get_items::TransactGetItemsInput::builder().set_transact_items(Some(gets.clone())))
}

/// One `Get` of a read transaction.
fn get_entry<M: Table>(table: String, key: Result<Item>) -> Result<GetEntry> {
    let get = TransactGetItem::builder()
        .table_name(table)
        .set_key(Some(key?))
        .build()
        .map_err(|e| Error::invalid_request(M::NAME, e.to_string()))?;
    Ok(GetEntry::builder().get(get).build())
}

/// Sends a read transaction; one item (or none) per get, in order.
async fn read(
    db: &Dynamo,
    request: transact_get_items::builders::TransactGetItemsInputBuilder,
) -> Result<Vec<Option<Item>>> {
    let output = db.backend().transact_get_items(request).await?;
    Ok(output
        .responses
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.item.filter(|i| !i.is_empty()))
        .collect())
}

/// `TransactGetItems` of items of one model: resolves to an `Option<M>` per key, in the
/// order of the keys (up to 100).
#[must_use = "an operation does nothing until awaited"]
pub struct TransactGetMany<'a, M> {
    pub(crate) db: &'a Dynamo,
    gets: Result<Vec<GetEntry>>,
    _model: std::marker::PhantomData<fn() -> M>,
}

impl Dynamo {
    /// A read transaction of the items of `keys` (up to 100, of one model), read as of one
    /// moment: `db.transact_get_many::<User>(["u1", "u2"])`. For items of several models,
    /// [`transact_get`](Dynamo::transact_get).
    pub fn transact_get_many<M: Table>(
        &self,
        keys: impl IntoIterator<Item = impl IntoKey<M::Key>>,
    ) -> TransactGetMany<'_, M> {
        let table = self.table_name::<M>();
        let gets = keys
            .into_iter()
            .map(|key| get_entry::<M>(table.clone(), key_item::<M>(key)))
            .collect();
        TransactGetMany {
            db: self,
            gets,
            _model: std::marker::PhantomData,
        }
    }
}

impl<M: Table> TransactGetMany<'_, M> {
    /// The request this read sends (a dry run).
    ///
    /// # Errors
    ///
    /// Key errors, no key or more than 100.
    pub fn to_request(&self) -> Result<transact_get_items::builders::TransactGetItemsInputBuilder> {
        get_request(&self.gets)
    }

    async fn send(self) -> Result<Vec<Option<M>>> {
        let items = read(self.db, self.to_request()?).await?;
        let opened = self.db.keys().open::<M>(items.iter().flatten()).await;
        opened.scope(|| items.into_iter().map(live::<M>).collect())
    }
}

impl<'a, M: Table + Send + 'a> IntoFuture for TransactGetMany<'a, M> {
    type Output = Result<Vec<Option<M>>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl<'a, T: GetResults + Send + 'a> IntoFuture for TransactGet<'a, T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

fn next<M: Table>(items: &mut std::vec::IntoIter<Option<Item>>) -> Result<Option<M>> {
    live::<M>(items.next().flatten())
}

/// The item a transaction read, decoded, unless its TTL has passed (as every read hides
/// expired items).
fn live<M: Table>(item: Option<Item>) -> Result<Option<M>> {
    let item = super::lifecycle::ExpiryFilter::of::<M>(false).keep(item);
    super::item::decode(item, true)
}

impl GetResults for () {
    type Push<M> = (Option<M>,);
    fn decode(_: &mut std::vec::IntoIter<Option<Item>>) -> Result<Self> {
        Ok(())
    }
}

macro_rules! get_results {
    ($($name:ident),+ => $next:ident) => {
        impl<$($name: Table),+> GetResults for ($(Option<$name>,)+) {
            type Push<$next> = ($(Option<$name>,)+ Option<$next>,);
            fn decode(items: &mut std::vec::IntoIter<Option<Item>>) -> Result<Self> {
                Ok(($(next::<$name>(items)?,)+))
            }
        }
    };
}

get_results!(A => B);
get_results!(A, B => C);
get_results!(A, B, C => D);
get_results!(A, B, C, D => E);
get_results!(A, B, C, D, E => F);
get_results!(A, B, C, D, E, F => G);
get_results!(A, B, C, D, E, F, G => H);
get_results!(A, B, C, D, E, F, G, H => I);
get_results!(A, B, C, D, E, F, G, H, I => J);
get_results!(A, B, C, D, E, F, G, H, I, J => K);
get_results!(A, B, C, D, E, F, G, H, I, J, K => L);

super::operation!(TransactWrite);
super::operation!(TransactGet<T>);
super::operation!(TransactGetMany<M>);
