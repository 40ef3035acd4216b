//! Batch reads and writes of any size: split into requests DynamoDB accepts (100 keys or
//! 25 writes, under 16 MB), run with bounded concurrency, unprocessed keys and items retried
//! with jittered backoff, and whatever is left after the retry budget returned, never
//! dropped.

use std::collections::{HashMap, HashSet};
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::{batch_get_item, batch_write_item};
use aws_sdk_dynamodb::types::{DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest};
use futures_util::stream::{self, StreamExt, TryStreamExt};

use super::item::{default_consistent_read, item_to_write, key_item, load};
use super::lifecycle::ExpiryFilter;
use super::retry::retrying;
use super::Dynamo;
use crate::error::{Error, ErrorKind, Result};
use crate::key::IntoKey;
use crate::model::Table;
use crate::value::{item_size, Item};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Keys per `BatchGetItem`.
pub const MAX_BATCH_GET: usize = 100;
/// Writes per `BatchWriteItem`.
pub const MAX_BATCH_WRITE: usize = 25;
/// The largest batch request, 16 MB.
const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;
/// Requests in flight at once.
const CONCURRENCY: usize = 4;

/// A key of one table, comparable for duplicate checks.
fn key_signature(table: &str, key: &Item) -> String {
    let mut parts: Vec<String> = key.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    parts.sort();
    format!("{table}|{}", parts.join("|"))
}

/// `BatchGetItem` of many keys of model `M`. Resolves to the items found (in no particular
/// order); keys still unprocessed after the retry budget make it an error, or use
/// [`BatchGet::outcome`] to get them back.
#[must_use = "an operation does nothing until awaited"]
pub struct BatchGet<'a, M> {
    pub(crate) db: &'a Dynamo,
    keys: Result<Vec<Item>>,
    consistent_read: Option<bool>,
    hooks: bool,
    include_expired: bool,
    _model: PhantomData<fn() -> M>,
}

/// What a batch get found, and the keys it could not read within the retry budget.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchGetOutcome<M> {
    /// The items found.
    pub items: Vec<M>,
    /// Keys DynamoDB left unprocessed after every retry.
    pub unprocessed_keys: Vec<Item>,
}

impl Dynamo {
    /// Reads the items of `keys` (any number; duplicates are read once).
    pub fn batch_get<M, K>(&self, keys: impl IntoIterator<Item = K>) -> BatchGet<'_, M>
    where
        M: Table,
        K: IntoKey<M::Key>,
    {
        let mut seen = HashSet::new();
        let keys = keys
            .into_iter()
            .map(key_item::<M>)
            .filter(|key| match key {
                Ok(key) => seen.insert(key_signature("", key)),
                Err(_) => true,
            })
            .collect();
        BatchGet {
            db: self,
            keys,
            consistent_read: None,
            hooks: true,
            include_expired: false,
            _model: PhantomData,
        }
    }

    /// A batch of puts and deletes, of any models and any size.
    pub fn batch_write(&self) -> BatchWrite<'_> {
        BatchWrite {
            db: self,
            writes: Ok(Vec::new()),
        }
    }
}

impl<'a, M: Table + Send + 'a> BatchGet<'a, M> {
    /// Reads with strong consistency.
    pub fn consistent_read(mut self, consistent: bool) -> Self {
        self.consistent_read = Some(consistent);
        self
    }

    /// Runs no `after_load` hook on the items.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }

    /// Also returns items whose TTL (`#[dynamo(ttl)]`) has passed but which DynamoDB has
    /// not deleted yet; by default they read as absent.
    pub fn include_expired(mut self) -> Self {
        self.include_expired = true;
        self
    }

    /// Resolves to the items found and the keys left unprocessed after every retry.
    ///
    /// # Errors
    ///
    /// Key, service and decode errors (unprocessed keys are not an error here).
    pub async fn outcome(self) -> Result<BatchGetOutcome<M>> {
        let keys = self.keys?;
        let self_hooks = self.hooks;
        let expiry = ExpiryFilter::of::<M>(self.include_expired);
        let table = self.db.table_name::<M>();
        let db = self.db;
        let consistent = self
            .consistent_read
            .or_else(|| default_consistent_read::<M>(None));
        let chunks: Vec<Vec<Item>> = keys.chunks(MAX_BATCH_GET).map(<[Item]>::to_vec).collect();
        let results: Vec<(Vec<Item>, Vec<Item>)> = stream::iter(chunks)
            .map(|chunk| retrying("BatchGetItem", get_chunk(db, &table, chunk, consistent)))
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        let mut outcome = BatchGetOutcome {
            items: Vec::new(),
            unprocessed_keys: Vec::new(),
        };
        for (items, unprocessed) in results {
            for item in items.into_iter().filter(|item| !expiry.is_expired(item)) {
                outcome.items.push(load(item, self_hooks)?);
            }
            outcome.unprocessed_keys.extend(unprocessed);
        }
        Ok(outcome)
    }

    async fn send(self) -> Result<Vec<M>> {
        let outcome = self.outcome().await?;
        if outcome.unprocessed_keys.is_empty() {
            Ok(outcome.items)
        } else {
            Err(ErrorKind::Unprocessed {
                operation: "BatchGetItem",
                keys: outcome.unprocessed_keys,
                writes: Vec::new(),
            }
            .into())
        }
    }
}

/// Reads one chunk of at most 100 keys, retrying unprocessed keys; returns the items and
/// the keys still unprocessed.
async fn get_chunk(
    db: &Dynamo,
    table: &str,
    mut keys: Vec<Item>,
    consistent: Option<bool>,
) -> Result<(Vec<Item>, Vec<Item>)> {
    let mut found = Vec::new();
    let mut attempt = 0;
    loop {
        let request = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .set_consistent_read(consistent)
            .build()
            .map_err(|e| Error::invalid_request("BatchGetItem", e.to_string()))?;
        let input = batch_get_item::BatchGetItemInput::builder().request_items(table, request);
        let output = db.backend.batch_get_item(input).await?;
        if let Some(mut responses) = output.responses {
            found.extend(responses.remove(table).unwrap_or_default());
        }
        keys = output
            .unprocessed_keys
            .and_then(|mut u| u.remove(table))
            .map(|k| k.keys)
            .unwrap_or_default();
        attempt += 1;
        if keys.is_empty() || attempt > db.retry().max_retries {
            return Ok((found, keys));
        }
        db.retry()
            .back_off("BatchGetItem", attempt, keys.len())
            .await;
    }
}

impl<'a, M: Table + Send + 'a> IntoFuture for BatchGet<'a, M> {
    type Output = Result<Vec<M>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// One write of a batch: the table and the put or delete request.
#[derive(Debug, Clone, PartialEq)]
pub struct UnprocessedWrite {
    /// The table name.
    pub table: String,
    /// The put or delete.
    pub request: WriteRequest,
}

/// What a batch write could not do within the retry budget.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchWriteOutcome {
    /// Writes DynamoDB left unprocessed after every retry.
    pub unprocessed: Vec<UnprocessedWrite>,
}

/// `BatchWriteItem` of puts and deletes of any models. Resolves to `()` when every write was
/// done; writes still unprocessed after the retry budget make it an error, or use
/// [`BatchWrite::outcome`] to get them back.
#[must_use = "an operation does nothing until awaited"]
pub struct BatchWrite<'a> {
    pub(crate) db: &'a Dynamo,
    writes: Result<Vec<UnprocessedWrite>>,
}

impl<'a> BatchWrite<'a> {
    fn push<M: Table>(mut self, request: Result<WriteRequest>) -> Self {
        let table = self.db.table_name::<M>();
        self.writes = self.writes.and_then(|mut writes| {
            writes.push(UnprocessedWrite {
                table,
                request: request?,
            });
            Ok(writes)
        });
        self
    }

    /// Puts an item (its `before_save` hook runs, then validation).
    pub fn put<M: Table>(self, model: &M) -> Self {
        let request = model
            .before_save()
            .and_then(|()| item_to_write(model))
            .map(|(item, _unchecked_version)| item)
            .and_then(|item| {
                let put = PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map_err(|e| Error::invalid_request(M::NAME, e.to_string()))?;
                Ok(WriteRequest::builder().put_request(put).build())
            });
        self.push::<M>(request)
    }

    /// Puts every item of `models`.
    pub fn put_all<'m, M: Table + 'm>(self, models: impl IntoIterator<Item = &'m M>) -> Self {
        models
            .into_iter()
            .fold(self, |batch, model| batch.put(model))
    }

    /// Deletes the item with `key`.
    pub fn delete<M: Table>(self, key: impl IntoKey<M::Key>) -> Self {
        let request = key_item::<M>(key).and_then(|key| {
            let delete = DeleteRequest::builder()
                .set_key(Some(key))
                .build()
                .map_err(|e| Error::invalid_request(M::NAME, e.to_string()))?;
            Ok(WriteRequest::builder().delete_request(delete).build())
        });
        self.push::<M>(request)
    }

    /// The number of writes in the batch.
    pub fn len(&self) -> usize {
        self.writes.as_ref().map_or(0, Vec::len)
    }

    /// True when the batch holds no write.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs every write and resolves to what was left unprocessed after every retry.
    ///
    /// # Errors
    ///
    /// Validation and key errors of the items, the same item twice in one batch (which
    /// DynamoDB rejects), and service errors.
    pub async fn outcome(self) -> Result<BatchWriteOutcome> {
        let writes = self.writes?;
        check_duplicates(&writes)?;
        let chunks = chunk_writes(writes);
        let db = self.db;
        let leftovers: Vec<Vec<UnprocessedWrite>> = stream::iter(chunks)
            .map(|chunk| retrying("BatchWriteItem", write_chunk(db, chunk)))
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        Ok(BatchWriteOutcome {
            unprocessed: leftovers.into_iter().flatten().collect(),
        })
    }

    async fn send(self) -> Result<()> {
        let outcome = self.outcome().await?;
        if outcome.unprocessed.is_empty() {
            Ok(())
        } else {
            Err(ErrorKind::Unprocessed {
                operation: "BatchWriteItem",
                keys: Vec::new(),
                writes: outcome.unprocessed,
            }
            .into())
        }
    }
}

/// The key of a write, for duplicate detection.
fn write_key(write: &UnprocessedWrite) -> Option<String> {
    let request = &write.request;
    if let Some(delete) = request.delete_request() {
        return Some(key_signature(&write.table, delete.key()));
    }
    request.put_request().map(|put| {
        // The whole item stands in for its key: two different items with one key are caught
        // by DynamoDB; the same item twice is caught here.
        key_signature(&write.table, put.item())
    })
}

fn check_duplicates(writes: &[UnprocessedWrite]) -> Result<()> {
    let mut seen = HashSet::new();
    for write in writes {
        if let Some(key) = write_key(write) {
            if !seen.insert(key) {
                return Err(Error::invalid_request(
                    "BatchWrite",
                    format!(
                        "the same item is written twice in one batch (table `{}`)",
                        write.table
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Splits writes into requests of at most 25 writes and 16 MB.
fn chunk_writes(writes: Vec<UnprocessedWrite>) -> Vec<Vec<UnprocessedWrite>> {
    let mut chunks: Vec<Vec<UnprocessedWrite>> = Vec::new();
    let mut bytes = 0;
    for write in writes {
        let size = write
            .request
            .put_request()
            .map_or(0, |p| item_size(p.item()));
        let full = chunks
            .last()
            .is_none_or(|c| c.len() == MAX_BATCH_WRITE || bytes + size > MAX_REQUEST_BYTES);
        if full {
            chunks.push(Vec::new());
            bytes = 0;
        }
        bytes += size;
        if let Some(chunk) = chunks.last_mut() {
            chunk.push(write);
        }
    }
    chunks
}

/// Sends one chunk, retrying unprocessed items; returns what is left after the budget.
async fn write_chunk(
    db: &Dynamo,
    mut writes: Vec<UnprocessedWrite>,
) -> Result<Vec<UnprocessedWrite>> {
    let mut attempt = 0;
    loop {
        let mut by_table: HashMap<String, Vec<WriteRequest>> = HashMap::new();
        for write in writes {
            by_table.entry(write.table).or_default().push(write.request);
        }
        let input =
            batch_write_item::BatchWriteItemInput::builder().set_request_items(Some(by_table));
        let output = db.backend.batch_write_item(input).await?;
        writes = output
            .unprocessed_items
            .unwrap_or_default()
            .into_iter()
            .flat_map(|(table, requests)| {
                requests.into_iter().map(move |request| UnprocessedWrite {
                    table: table.clone(),
                    request,
                })
            })
            .collect();
        attempt += 1;
        if writes.is_empty() || attempt > db.retry().max_retries {
            return Ok(writes);
        }
        db.retry()
            .back_off("BatchWriteItem", attempt, writes.len())
            .await;
    }
}

impl<'a> IntoFuture for BatchWrite<'a> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
