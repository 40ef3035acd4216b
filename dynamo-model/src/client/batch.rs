//! Batch reads and writes of any size: split into requests DynamoDB accepts (100 keys or
//! 25 writes, under 16 MB), run with bounded concurrency, unprocessed keys and items retried
//! with jittered backoff, and whatever is left after the retry budget returned, never
//! dropped.

use std::collections::{HashMap, HashSet};
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::{batch_get_item, batch_write_item};
use aws_sdk_dynamodb::types::{KeysAndAttributes, WriteRequest};
use futures_util::stream::{self, StreamExt};

use super::item::default_consistent_read;
use super::lifecycle::ExpiryFilter;
use super::prepare::{self, key_item};
use super::retry::retrying;
use super::transact::{key_hook, AfterWrite};
use super::Dynamo;
use crate::error::{Error, ErrorKind, RefusedWrite, Result, UnprocessedWrite};
use crate::expr::{Projection, Rendered};
use crate::key::IntoKey;
use crate::model::collection::Load;
use crate::model::{Projected, Table};
use crate::value::{item_size, Item};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Keys per `BatchGetItem`.
pub const MAX_BATCH_GET: usize = 100;
/// Writes per `BatchWriteItem`.
pub const MAX_BATCH_WRITE: usize = 25;
/// The largest batch request, 16 MB.
const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;
/// Requests a batch sends at once, unless its `concurrency` says otherwise.
pub const DEFAULT_BATCH_CONCURRENCY: usize = 4;

/// A key of one table, comparable for duplicate checks.
pub(super) fn key_signature(table: &str, key: &Item) -> String {
    let mut parts: Vec<String> = key.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    parts.sort();
    format!("{table}|{}", parts.join("|"))
}

/// `BatchGetItem` of many keys of model `M`. Resolves to the items found (in no particular
/// order), decoded as `O`: the model or a [projection](BatchGet::project) of it. Keys still
/// unprocessed after the retry budget make it an error, or use [`BatchGet::outcome`] to get
/// them back.
#[must_use = "an operation does nothing until awaited"]
pub struct BatchGet<'a, M, O = M> {
    pub(crate) db: &'a Dynamo,
    keys: Result<Vec<Item>>,
    consistent_read: Option<bool>,
    projection: Option<Projection<M>>,
    hooks: bool,
    include_expired: bool,
    concurrency: usize,
    _model: PhantomData<fn() -> (M, O)>,
}

/// How every request of a batch get reads: consistency and projection.
pub(super) struct ReadShape {
    pub(super) consistent: Option<bool>,
    pub(super) projection: Option<Rendered>,
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
    pub fn batch_get<M: Table>(
        &self,
        keys: impl IntoIterator<Item = impl IntoKey<M::Key>>,
    ) -> BatchGet<'_, M> {
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
            projection: None,
            hooks: true,
            include_expired: false,
            concurrency: DEFAULT_BATCH_CONCURRENCY,
            _model: PhantomData,
        }
    }

    /// A batch of puts and deletes, of any models and any size.
    pub fn batch_write(&self) -> BatchWrite<'_> {
        BatchWrite {
            db: self,
            writes: Vec::new(),
            refused: Vec::new(),
            added: 0,
            keys: HashSet::new(),
            signatures: Vec::new(),
            key_attributes: HashMap::new(),
            after: Vec::new(),
            unsealed: Vec::new(),
            uploaded: super::seal::Uploaded::new(),
            concurrency: DEFAULT_BATCH_CONCURRENCY,
        }
    }
}

impl<'a, M: Table + Send + 'a, O: Load + Send + 'a> BatchGet<'a, M, O> {
    /// Reads only the attributes of the projection `P` and decodes the items as it. See
    /// [`Projected`].
    pub fn project<P: Projected<Of = M>>(self) -> BatchGet<'a, M, P> {
        BatchGet {
            db: self.db,
            keys: self.keys,
            consistent_read: self.consistent_read,
            projection: Some(P::projection()),
            hooks: self.hooks,
            include_expired: self.include_expired,
            concurrency: self.concurrency,
            _model: PhantomData,
        }
    }

    /// Reads with strong consistency.
    pub fn consistent_read(mut self, consistent: bool) -> Self {
        self.consistent_read = Some(consistent);
        self
    }

    /// Sends at most `requests` requests at once (1 or more; 0 fails before sending).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests;
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

    /// The requests this batch sends first, 100 keys each (a dry run; unprocessed keys are
    /// sent again in later requests).
    ///
    /// # Errors
    ///
    /// Key errors, as the send would report them.
    pub fn to_request(&self) -> Result<Vec<batch_get_item::builders::BatchGetItemInputBuilder>> {
        let keys = self.keys.as_ref().map_err(Error::clone)?;
        let table = self.db.table_name::<M>();
        let shape = self.shape()?;
        keys.chunks(MAX_BATCH_GET)
            .map(|chunk| get_request(&table, chunk.to_vec(), &shape))
            .collect()
    }

    fn shape(&self) -> Result<ReadShape> {
        Ok(ReadShape {
            consistent: self
                .consistent_read
                .or_else(|| default_consistent_read::<M>(None)),
            projection: self
                .projection
                .as_ref()
                .map(Projection::render)
                .transpose()?,
        })
    }

    /// Resolves to the items found and the keys left unprocessed after every retry.
    ///
    /// # Errors
    ///
    /// Key and decode errors, and [`ErrorKind::Unprocessed`] (with every key not read) when
    /// an error that retrying cannot fix stopped a request; unprocessed keys alone are not
    /// an error here.
    pub fn outcome(self) -> super::Steps<'a, BatchGetOutcome<O>> {
        let db = self.db;
        super::Steps::new(db, self.outcome_now())
    }

    async fn outcome_now(self) -> Result<BatchGetOutcome<O>> {
        let (outcome, stopped) = self.run().await?;
        match stopped {
            Some(Stopped { error, hard: true }) => Err(unprocessed_error(
                "BatchGetItem",
                outcome.unprocessed_keys,
                Vec::new(),
                Some(error),
            )),
            _ => Ok(outcome),
        }
    }

    /// Reads every chunk; returns what was found and left, and the error that last stopped
    /// a chunk.
    async fn run(self) -> Result<(BatchGetOutcome<O>, Option<Stopped>)> {
        let shape = self.shape()?;
        let concurrency = check_concurrency(M::NAME, self.concurrency)?;
        let keys = self.keys?;
        let self_hooks = self.hooks;
        let expiry = ExpiryFilter::of::<M>(self.include_expired);
        let table = self.db.table_name::<M>();
        let db = self.db;
        let chunks: Vec<Vec<Item>> = keys.chunks(MAX_BATCH_GET).map(<[Item]>::to_vec).collect();
        let results: Vec<(Vec<Item>, Left<Item>)> = stream::iter(chunks)
            .map(|chunk| retrying("BatchGetItem", get_chunk(db, &table, chunk, &shape)))
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let mut outcome = BatchGetOutcome {
            items: Vec::new(),
            unprocessed_keys: Vec::new(),
        };
        let mut stopped = None;
        let mut found = Vec::new();
        for (items, left) in results {
            found.extend(items.into_iter().filter(|item| !expiry.is_expired(item)));
            outcome.unprocessed_keys.extend(left.items);
            stopped = Stopped::worst(stopped, left.stopped);
        }
        outcome.items = db.keys().load_all::<O>(found, self_hooks).await?;
        Ok((outcome, stopped))
    }

    async fn send(self) -> Result<Vec<O>> {
        let (outcome, stopped) = self.run().await?;
        if outcome.unprocessed_keys.is_empty() {
            Ok(outcome.items)
        } else {
            let cause = stopped.map(|s| s.error);
            Err(unprocessed_error(
                "BatchGetItem",
                outcome.unprocessed_keys,
                Vec::new(),
                cause,
            ))
        }
    }
}

/// The concurrency of a batch, refused before sending when it is 0.
pub(super) fn check_concurrency(subject: &'static str, requests: usize) -> Result<usize> {
    if requests == 0 {
        return Err(Error::invalid_request(
            subject,
            "a batch sends 1 or more requests at once, not 0: use `concurrency(1)` or more",
        ));
    }
    Ok(requests)
}

/// What a chunk could not do, and the error that stopped it, if one did.
pub(super) struct Left<T> {
    pub(super) items: Vec<T>,
    pub(super) stopped: Option<Stopped>,
}

/// The error that stopped a chunk: `hard` when retrying could not fix it, otherwise the
/// last retryable error before the budget ran out.
pub(super) struct Stopped {
    pub(super) error: Error,
    pub(super) hard: bool,
}

impl Stopped {
    /// The error to report for a whole batch: a hard one over a retryable one.
    pub(super) fn worst(a: Option<Stopped>, b: Option<Stopped>) -> Option<Stopped> {
        match (a, b) {
            (Some(a), Some(b)) if b.hard && !a.hard => Some(b),
            (Some(a), _) => Some(a),
            (None, b) => b,
        }
    }
}

/// The error for a batch that left keys or writes not done.
pub(super) fn unprocessed_error(
    operation: &'static str,
    keys: Vec<Item>,
    writes: Vec<UnprocessedWrite>,
    cause: Option<Error>,
) -> Error {
    ErrorKind::Unprocessed {
        operation,
        keys,
        writes,
        refused: Vec::new(),
        cause: cause.map(Box::new),
    }
    .into()
}

/// Reads one chunk of at most 100 keys, retrying unprocessed keys and retryable errors;
/// returns the items and what is left after the budget.
pub(super) async fn get_chunk(
    db: &Dynamo,
    table: &str,
    mut keys: Vec<Item>,
    shape: &ReadShape,
) -> (Vec<Item>, Left<Item>) {
    let mut found = Vec::new();
    let mut attempt = 0;
    loop {
        let result = match get_request(table, keys.clone(), shape) {
            Ok(input) => db.backend().batch_get_item(input).await,
            Err(error) => Err(error),
        };
        let error = match result {
            Ok(output) => {
                if let Some(mut responses) = output.responses {
                    found.extend(responses.remove(table).unwrap_or_default());
                }
                keys = output
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
                None
            }
            Err(error) => Some(error),
        };
        attempt += 1;
        if let Next::Stop(left) = next_step(db, attempt, keys.is_empty(), error) {
            return (
                found,
                Left {
                    items: keys,
                    stopped: left,
                },
            );
        }
        db.retry()
            .back_off("BatchGetItem", attempt, keys.len())
            .await;
    }
}

/// What a chunk does after an attempt.
enum Next {
    /// Back off and send what is left again.
    Retry,
    /// Stop, with the error that stopped it, if one did.
    Stop(Option<Stopped>),
}

/// What a chunk does after `attempt`, given whether anything is left and the attempt's
/// error.
fn next_step(db: &Dynamo, attempt: u32, nothing_left: bool, error: Option<Error>) -> Next {
    let budget_left = attempt <= db.retry().max_retries;
    match error {
        None if nothing_left || !budget_left => Next::Stop(None),
        None => Next::Retry,
        Some(error) if error.is_retryable() && budget_left => Next::Retry,
        Some(error) => Next::Stop(Some(Stopped {
            hard: !error.is_retryable(),
            error,
        })),
    }
}

impl<'a, M: Table + Send + 'a, O: Load + Send + 'a> IntoFuture for BatchGet<'a, M, O> {
    type Output = Result<Vec<O>>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
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
    writes: Vec<UnprocessedWrite>,
    /// The writes refused before sending; any of them stops the whole batch.
    refused: Vec<RefusedWrite>,
    /// Writes added, refused ones included: the next one's position is this plus one.
    added: usize,
    /// Each write's table and key, to catch one item written twice before sending.
    keys: HashSet<String>,
    /// The same, by write index, to tell which writes a leftover is.
    signatures: Vec<String>,
    /// Each table's key attribute names, to find a leftover put's key.
    key_attributes: HashMap<String, Vec<String>>,
    /// The `after_*` hook of each write, by the write's index.
    after: Vec<(usize, AfterWrite<'a>)>,
    /// Puts with encrypted values, sealed when the batch runs (a key provider is asked
    /// only then, never for a batch dropped unsent), with their write's index and their
    /// position.
    unsealed: Vec<(usize, usize, prepare::Prepared)>,
    /// The S3 objects the sealed puts uploaded, removed again if the batch is refused.
    uploaded: super::seal::Uploaded,
    /// Requests sent at once.
    concurrency: usize,
}

impl<'a> BatchWrite<'a> {
    /// Adds a prepared write (its condition dropped: a batch takes none), or records why it
    /// was refused, with its position and, from `key`, the item's key.
    fn push(
        mut self,
        prepared: Result<prepare::Prepared>,
        key: impl FnOnce() -> Option<Item>,
        after: Option<AfterWrite<'a>>,
    ) -> Self {
        self.added += 1;
        let position = self.added;
        if let Err(error) = prepared.and_then(|prepared| self.add(prepared, position, after)) {
            self.refused.push(RefusedWrite {
                position,
                key: key(),
                error,
            });
        }
        self
    }

    fn add(
        &mut self,
        mut prepared: prepare::Prepared,
        position: usize,
        after: Option<AfterWrite<'a>>,
    ) -> Result<()> {
        prepared.condition = None;
        let key = key_signature(&prepared.table, &prepared.key);
        if self.keys.contains(&key) {
            return Err(Error::invalid_operation(
                "BatchWrite",
                format!(
                    "it names the same item of table `{}` as an earlier write; DynamoDB refuses the whole request",
                    prepared.table
                ),
            ));
        }
        let table = prepared.table.clone();
        if !self.key_attributes.contains_key(&table) {
            let names = prepared.key.keys().cloned().collect();
            self.key_attributes.insert(table.clone(), names);
        }
        let request = if prepared.is_sealed() {
            prepared.write_request()?
        } else {
            // Sealed when the batch runs, awaiting the key provider
            // ([`BatchWrite::seal_waiting`]); nothing is sent before.
            self.unsealed.push((self.writes.len(), position, prepared));
            WriteRequest::builder().build()
        };
        if let Some(after) = after {
            self.after.push((self.writes.len(), after));
        }
        self.keys.insert(key.clone());
        self.signatures.push(key);
        self.writes.push(UnprocessedWrite { table, request });
        Ok(())
    }

    /// Seals the puts whose key provider would not answer when they were added, waiting
    /// for it, and renders their requests; a put that cannot be sealed is refused.
    async fn seal_waiting(&mut self) {
        for (index, position, mut prepared) in std::mem::take(&mut self.unsealed) {
            let key = prepared.key.clone();
            let sealed = match prepared.seal(self.db.keys()).await {
                Ok(()) => {
                    self.uploaded.append(&mut prepared.uploaded);
                    prepared.write_request()
                }
                Err(error) => Err(error),
            };
            match sealed {
                Ok(request) => self.writes[index].request = request,
                Err(error) => self.refused.push(RefusedWrite {
                    position,
                    key: Some(key),
                    error,
                }),
            }
        }
        self.refused.sort_by_key(|refused| refused.position);
    }

    /// The refused writes as one error, when there are any.
    fn refusal(&self) -> Result<()> {
        if self.refused.is_empty() {
            return Ok(());
        }
        Err(ErrorKind::BatchRefused {
            operation: "BatchWriteItem",
            writes: self.refused.clone(),
        }
        .into())
    }

    /// Puts an item: `before_save` runs now, then the write pipeline; `after_save` once the
    /// item was written. A batch write takes no condition: a versioned item's version is
    /// stored, not checked.
    pub fn put<M: Table + Sync>(self, model: &'a M) -> Self {
        let table = self.db.table_name::<M>();
        let prepared = prepare::put(table, model, None, false, true);
        let after = Box::new(move || model.after_save()) as AfterWrite<'a>;
        self.push(prepared, || Some(model.item_key()), Some(after))
    }

    /// Puts every item of `models`.
    pub fn put_all<M: Table + Sync + 'a>(self, models: impl IntoIterator<Item = &'a M>) -> Self {
        models
            .into_iter()
            .fold(self, |batch, model| batch.put(model))
    }

    /// Deletes the item with `key`: its model's `before_delete_key` hook runs now,
    /// `after_delete_key` once the item was deleted.
    pub fn delete<M: Table>(self, key: impl IntoKey<M::Key>) -> Self {
        let table = self.db.table_name::<M>();
        let key = key_item::<M>(key);
        let after = key_hook(true, M::after_delete_key, &key);
        let known = key.as_ref().ok().cloned();
        let prepared =
            key.and_then(|key| prepare::delete::<M>(table, key, None, None, false, true));
        self.push(prepared, || known, after)
    }

    /// Sends again writes a batch left unprocessed ([`BatchWriteOutcome::unprocessed`], or
    /// an [`ErrorKind::Unprocessed`]'s): exactly those requests, as they were prepared (their
    /// hooks ran when they were first added).
    pub fn resubmit(mut self, leftovers: impl IntoIterator<Item = UnprocessedWrite>) -> Self {
        for write in leftovers {
            self.added += 1;
            let key = leftover_signature(&write, &self.key_attributes);
            self.keys.insert(key.clone());
            self.signatures.push(key);
            self.writes.push(write);
        }
        self
    }

    /// Sends at most `requests` requests at once (1 or more; 0 fails before sending).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests;
        self
    }

    /// The number of writes in the batch (refused ones not counted).
    pub fn len(&self) -> usize {
        self.writes.len()
    }

    /// True when the batch holds no write.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs every write and resolves to what was left unprocessed after every retry.
    ///
    /// # Errors
    ///
    /// Validation and key errors of the items and the same item twice in one batch (which
    /// DynamoDB rejects), before anything is sent; [`ErrorKind::Unprocessed`] (with every
    /// write not done) when an error that retrying cannot fix stopped a request.
    pub fn outcome(self) -> super::Steps<'a, BatchWriteOutcome> {
        let db = self.db;
        super::Steps::new(db, self.outcome_now())
    }

    async fn outcome_now(self) -> Result<BatchWriteOutcome> {
        let (unprocessed, stopped) = self.run().await?;
        match stopped {
            Some(Stopped { error, hard: true }) => Err(unprocessed_error(
                "BatchWriteItem",
                Vec::new(),
                unprocessed,
                Some(error),
            )),
            _ => Ok(BatchWriteOutcome { unprocessed }),
        }
    }

    /// The requests this batch sends first, 25 writes each and under 16 MB (a dry run;
    /// unprocessed writes are sent again in later requests).
    ///
    /// # Errors
    ///
    /// Item and key errors, and the same item twice, as the send would report them.
    pub fn to_request(
        &self,
    ) -> Result<Vec<batch_write_item::builders::BatchWriteItemInputBuilder>> {
        self.refusal()?;
        let mut writes = self.writes.clone();
        for (index, _, prepared) in &self.unsealed {
            let mut prepared = prepared.clone();
            prepared.seal_for_dry_run(self.db.keys())?;
            writes[*index].request = prepared.write_request()?;
        }
        Ok(chunk_writes(writes)
            .iter()
            .map(|chunk| write_request(chunk))
            .collect())
    }

    /// Sends every chunk; returns the writes not done and the error that last stopped a
    /// chunk.
    async fn run(mut self) -> Result<(Vec<UnprocessedWrite>, Option<Stopped>)> {
        self.seal_waiting().await;
        if let Err(refused) = self.refusal() {
            // Nothing is written: the objects uploaded for it go too.
            self.db
                .keys()
                .discard(std::mem::take(&mut self.uploaded))
                .await;
            return Err(refused);
        }
        let concurrency = check_concurrency("BatchWrite", self.concurrency)?;
        let chunks = chunk_writes(self.writes);
        let db = self.db;
        let results: Vec<Left<UnprocessedWrite>> = stream::iter(chunks)
            .map(|chunk| retrying("BatchWriteItem", write_chunk(db, chunk)))
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let mut unprocessed = Vec::new();
        let mut stopped = None;
        for left in results {
            unprocessed.extend(left.items);
            stopped = Stopped::worst(stopped, left.stopped);
        }
        // The `after_*` hooks of the writes done: every write but the leftovers.
        let left: HashSet<String> = unprocessed
            .iter()
            .map(|write| leftover_signature(write, &self.key_attributes))
            .collect();
        for (index, hook) in &self.after {
            if !left.contains(&self.signatures[*index]) {
                hook();
            }
        }
        Ok((unprocessed, stopped))
    }

    async fn send(self) -> Result<()> {
        let (unprocessed, stopped) = self.run().await?;
        if unprocessed.is_empty() {
            Ok(())
        } else {
            let cause = stopped.map(|s| s.error);
            Err(unprocessed_error(
                "BatchWriteItem",
                Vec::new(),
                unprocessed,
                cause,
            ))
        }
    }
}

/// The table-and-key signature of a write DynamoDB left unprocessed (a put's key read
/// from its item by the table's key attribute names).
pub(super) fn leftover_signature(
    write: &UnprocessedWrite,
    key_attributes: &HashMap<String, Vec<String>>,
) -> String {
    let request = &write.request;
    if let Some(delete) = request.delete_request() {
        return key_signature(&write.table, delete.key());
    }
    let names = key_attributes
        .get(&write.table)
        .map_or(&[][..], Vec::as_slice);
    let key: Item = request
        .put_request()
        .map(|put| {
            names
                .iter()
                .filter_map(|name| put.item().get(name).map(|v| (name.clone(), v.clone())))
                .collect()
        })
        .unwrap_or_default();
    key_signature(&write.table, &key)
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

/// Sends one chunk, retrying unprocessed items and retryable errors; returns what is left
/// after the budget.
/// One `BatchGetItem` request of `keys` of one table.
fn get_request(
    table: &str,
    keys: Vec<Item>,
    shape: &ReadShape,
) -> Result<batch_get_item::builders::BatchGetItemInputBuilder> {
    let projection = shape.projection.as_ref();
    let request = KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .set_consistent_read(shape.consistent)
        .set_projection_expression(projection.map(|p| p.expression.clone()))
        .set_expression_attribute_names(projection.map(|p| p.names.clone()))
        .build()
        .map_err(|e| Error::invalid_operation("BatchGetItem", e.to_string()))?;
    Ok(batch_get_item::BatchGetItemInput::builder().request_items(table, request))
}

/// One `BatchWriteItem` request of `writes`, grouped by table.
fn write_request(
    writes: &[UnprocessedWrite],
) -> batch_write_item::builders::BatchWriteItemInputBuilder {
    let mut by_table: HashMap<String, Vec<WriteRequest>> = HashMap::new();
    for write in writes {
        by_table
            .entry(write.table.clone())
            .or_default()
            .push(write.request.clone());
    }
    batch_write_item::BatchWriteItemInput::builder().set_request_items(Some(by_table))
}

pub(super) async fn write_chunk(
    db: &Dynamo,
    mut writes: Vec<UnprocessedWrite>,
) -> Left<UnprocessedWrite> {
    let mut attempt = 0;
    loop {
        let input = write_request(&writes);
        let error = match db.backend().batch_write_item(input).await {
            Ok(output) => {
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
                None
            }
            Err(error) => Some(error),
        };
        attempt += 1;
        if let Next::Stop(stopped) = next_step(db, attempt, writes.is_empty(), error) {
            return Left {
                items: writes,
                stopped,
            };
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

super::operation!(BatchGet<M, O>);
super::operation!(BatchWrite);
