//! Batches from an iterator or a `Stream`: puts encoded as they are read, 25 to a request,
//! and gets read 100 keys to a request and returned as they arrive, with at most
//! `concurrency` requests in flight, so memory holds only those requests however many items
//! there are. Every write not done comes back, as with [`BatchWrite`](super::BatchWrite):
//! refused ones with their position, unprocessed ones as requests to resubmit; every key
//! not read comes back in an [`ErrorKind::Unprocessed`].

use std::collections::{HashMap, HashSet};
use std::future::IntoFuture;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::stream::{self, BoxStream, Stream, StreamExt};

use super::batch::{
    check_concurrency, get_chunk, key_signature, leftover_signature, unprocessed_error,
    write_chunk, Left, ReadShape, Stopped, DEFAULT_BATCH_CONCURRENCY, MAX_BATCH_GET,
    MAX_BATCH_WRITE,
};
use super::item::default_consistent_read;
use super::item::BoxFuture;
use super::lifecycle::ExpiryFilter;
use super::prepare;
use super::retry::retrying;
use super::Dynamo;
use crate::error::{Error, ErrorKind, RefusedWrite, Result, UnprocessedWrite};
use crate::key::IntoKey;
use crate::model::collection::Load;
use crate::model::Table;
use crate::value::Item;

/// Puts of the items of an iterator or a stream, read and encoded as they are sent:
/// [`Dynamo::batch_put`], [`Dynamo::batch_put_stream`]. Awaiting it resolves to the number
/// of items written.
#[must_use = "an operation does nothing until awaited"]
pub struct PutStream<'a, M, S> {
    pub(crate) db: &'a Dynamo,
    items: S,
    concurrency: usize,
    hooks: bool,
    _model: PhantomData<fn() -> M>,
}

/// What a streamed batch did: how many items were written, and every one that was not.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct StreamOutcome {
    /// The items written.
    pub written: usize,
    /// Writes DynamoDB left unprocessed after every retry, to resubmit
    /// ([`BatchWrite::resubmit`](super::BatchWrite::resubmit)).
    pub unprocessed: Vec<UnprocessedWrite>,
    /// Items refused before sending (validation, size, the same key twice in one request),
    /// with their position in the stream, from 1.
    pub refused: Vec<RefusedWrite>,
}

impl Dynamo {
    /// Puts every item of `items`, encoding each as its request is built: memory holds the
    /// requests in flight, not the whole collection. `before_save` runs as each item is
    /// read, `after_save` once it was written.
    ///
    /// ```
    /// # use dynamo_model::{Dynamo, DynamoModel};
    /// # #[derive(Debug, Clone, PartialEq, DynamoModel)]
    /// # #[dynamo(table = "events", hash_key = "id")]
    /// # struct Event { id: String }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let db = Dynamo::memory();
    /// # db.create_table::<Event>().await?;
    /// let events = (0..1000).map(|i| Event { id: format!("e{i}") });
    /// let written = db.batch_put(events).concurrency(8).await?;
    /// assert_eq!(written, 1000);
    /// # Ok::<(), dynamo_model::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn batch_put<M, I>(&self, items: I) -> PutStream<'_, M, stream::Iter<I::IntoIter>>
    where
        I: IntoIterator<Item = M>,
    {
        self.batch_put_stream(stream::iter(items))
    }

    /// As [`batch_put`](Dynamo::batch_put), from a `Stream` (items read from a file, a
    /// channel, another table...).
    pub fn batch_put_stream<M, S>(&self, items: S) -> PutStream<'_, M, S>
    where
        S: Stream<Item = M>,
    {
        PutStream {
            db: self,
            items,
            concurrency: DEFAULT_BATCH_CONCURRENCY,
            hooks: true,
            _model: PhantomData,
        }
    }
}

impl<'a, M, S> PutStream<'a, M, S>
where
    M: Table + Send + Sync + 'a,
    S: Stream<Item = M> + Send + 'a,
{
    /// Sends at most `requests` requests at once (1 or more; 0 fails before reading).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests;
        self
    }

    /// Runs no `before_save` or `after_save` hook.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }

    /// Resolves to what was written and every write that was not; only an error that
    /// retrying cannot fix is an error, and it stops reading the items.
    ///
    /// # Errors
    ///
    /// A concurrency of 0, and [`ErrorKind::Unprocessed`] when an error that retrying cannot
    /// fix stopped a request: it holds every write of the requests in flight not done;
    /// items after them were not read.
    pub fn outcome(self) -> super::Steps<'a, StreamOutcome> {
        let db = self.db;
        super::Steps::new(db, self.outcome_now())
    }

    async fn outcome_now(self) -> Result<StreamOutcome> {
        let (outcome, stopped) = self.run().await?;
        match stopped {
            Some(Stopped { error, hard: true }) => Err(not_done(outcome, Some(error))),
            _ => Ok(outcome),
        }
    }

    async fn run(self) -> Result<(StreamOutcome, Option<Stopped>)> {
        let concurrency = check_concurrency(M::NAME, self.concurrency)?;
        let db = self.db;
        let hooks = self.hooks;
        let table = db.table_name::<M>();
        let meta = M::meta();
        let key_names: Vec<String> = std::iter::once(meta.hash_key.attribute)
            .chain(meta.range_key.map(|key| key.attribute))
            .map(str::to_owned)
            .collect();
        let key_attributes = HashMap::from([(table.clone(), key_names)]);
        // Set when an error that retrying cannot fix stopped a request: no more is read.
        let halted = AtomicBool::new(false);
        let (table, key_attributes, halted) = (&table, &key_attributes, &halted);
        let mut requests = std::pin::pin!(self
            .items
            .enumerate()
            .take_while(|_| std::future::ready(!halted.load(Ordering::Relaxed)))
            .chunks(MAX_BATCH_WRITE)
            .map(|chunk| write_items(db, table, key_attributes, chunk, hooks))
            .buffer_unordered(concurrency));
        let mut outcome = StreamOutcome::default();
        let mut stopped = None;
        while let Some(done) = requests.next().await {
            outcome.written += done.written;
            outcome.unprocessed.extend(done.left.items);
            outcome.refused.extend(done.refused);
            if done.left.stopped.as_ref().is_some_and(|s| s.hard) {
                halted.store(true, Ordering::Relaxed);
            }
            stopped = Stopped::worst(stopped, done.left.stopped);
        }
        outcome.refused.sort_by_key(|refused| refused.position);
        Ok((outcome, stopped))
    }

    async fn send(self) -> Result<usize> {
        let (outcome, stopped) = self.run().await?;
        if !outcome.unprocessed.is_empty() {
            return Err(not_done(outcome, stopped.map(|s| s.error)));
        }
        if !outcome.refused.is_empty() {
            return Err(ErrorKind::StreamRefused {
                operation: "BatchWriteItem",
                written: outcome.written,
                writes: outcome.refused,
            }
            .into());
        }
        Ok(outcome.written)
    }
}

/// The error of a streamed batch that left writes not done: those, and the items refused
/// before sending, so that none is lost.
fn not_done(outcome: StreamOutcome, cause: Option<Error>) -> Error {
    ErrorKind::Unprocessed {
        operation: "BatchWriteItem",
        keys: Vec::new(),
        writes: outcome.unprocessed,
        refused: outcome.refused,
        cause: cause.map(Box::new),
    }
    .into()
}

/// What one request of a streamed batch did.
struct ChunkDone {
    written: usize,
    left: Left<UnprocessedWrite>,
    refused: Vec<RefusedWrite>,
}

/// Prepares the items of one request (hooks, validation, sealing), sends those that pass
/// with retries, and runs `after_save` for those written.
async fn write_items<M: Table + Sync>(
    db: &Dynamo,
    table: &str,
    key_attributes: &HashMap<String, Vec<String>>,
    chunk: Vec<(usize, M)>,
    hooks: bool,
) -> ChunkDone {
    let mut writes = Vec::with_capacity(chunk.len());
    let mut sent = Vec::with_capacity(chunk.len());
    let mut refused = Vec::new();
    let mut keys = HashSet::new();
    for (index, model) in chunk {
        let prepared = async {
            let mut prepared = prepare::put(table.to_owned(), &model, None, false, hooks)?;
            prepared.condition = None;
            if !keys.insert(key_signature(table, &prepared.key)) {
                return Err(Error::invalid_operation(
                    "BatchWrite",
                    format!(
                        "it names the same item of table `{table}` as an earlier write of its request; DynamoDB refuses the whole request"
                    ),
                ));
            }
            prepared.seal(db.keys()).await?;
            prepared.write_request()
        };
        match prepared.await {
            Ok(request) => {
                writes.push(UnprocessedWrite {
                    table: table.to_owned(),
                    request,
                });
                sent.push(model);
            }
            Err(error) => refused.push(RefusedWrite {
                position: index + 1,
                key: Some(model.item_key()),
                error,
            }),
        }
    }
    let left = if writes.is_empty() {
        Left {
            items: Vec::new(),
            stopped: None,
        }
    } else {
        retrying("BatchWriteItem", write_chunk(db, writes)).await
    };
    let not_done: HashSet<String> = left
        .items
        .iter()
        .map(|write| leftover_signature(write, key_attributes))
        .collect();
    let mut written = 0;
    for model in &sent {
        if !not_done.contains(&key_signature(table, &model.item_key())) {
            written += 1;
            if hooks {
                model.after_save();
            }
        }
    }
    ChunkDone {
        written,
        left,
        refused,
    }
}

impl<'a, M, S> IntoFuture for PutStream<'a, M, S>
where
    M: Table + Send + Sync + 'a,
    S: Stream<Item = M> + Send + 'a,
{
    type Output = Result<usize>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

super::operation!(PutStream<M, S>);

/// Gets of the keys of an iterator or a stream, 100 to a request, the items returned as
/// they arrive: [`Dynamo::batch_get_stream`].
#[must_use = "a stream does nothing until read"]
pub struct GetStream<'a, M> {
    pub(crate) db: &'a Dynamo,
    /// The keys, each made an item (or why it could not be) as it is read.
    keys: BoxStream<'a, Result<Item>>,
    concurrency: usize,
    consistent_read: Option<bool>,
    hooks: bool,
    _model: PhantomData<fn() -> M>,
}

impl Dynamo {
    /// Reads the items of the keys `keys` yields (an iterator or a `Stream`), 100 keys to a
    /// request, and returns them as a stream, in no particular order, as they arrive; absent
    /// items are left out and a key given twice in one request is read once. Keys still
    /// unprocessed after the retry budget come as an [`ErrorKind::Unprocessed`] item of the
    /// stream holding them, and reading goes on; an error that retrying cannot fix stops
    /// reading the keys.
    ///
    /// ```
    /// # use dynamo_model::{Dynamo, DynamoModel};
    /// # use futures_util::{stream, TryStreamExt};
    /// # #[derive(Debug, Clone, PartialEq, DynamoModel)]
    /// # #[dynamo(table = "users", hash_key = "id")]
    /// # struct User { id: String }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let db = Dynamo::memory();
    /// # db.create_table::<User>().await?;
    /// db.batch_put((0..250).map(|i| User { id: format!("u{i}") })).await?;
    /// let keys = stream::iter((0..300).map(|i| format!("u{i}")));
    /// let users: Vec<User> = db.batch_get_stream::<User>(keys).concurrency(2).stream().try_collect().await?;
    /// assert_eq!(users.len(), 250);
    /// # Ok::<(), dynamo_model::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn batch_get_stream<'a, M: Table + 'a>(
        &'a self,
        keys: impl Stream<Item = impl IntoKey<M::Key> + Send + 'a> + Send + 'a,
    ) -> GetStream<'a, M> {
        GetStream {
            db: self,
            keys: keys.map(super::prepare::key_item::<M>).boxed(),
            concurrency: DEFAULT_BATCH_CONCURRENCY,
            consistent_read: None,
            hooks: true,
            _model: PhantomData,
        }
    }
}

impl<'a, M: Table + Send + 'a> GetStream<'a, M> {
    /// Sends at most `requests` requests at once (1 or more; 0 is an error before sending).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests;
        self
    }

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

    /// The items, as they arrive.
    pub fn stream(self) -> BoxStream<'a, Result<M>> {
        let concurrency = match check_concurrency(M::NAME, self.concurrency) {
            Ok(concurrency) => concurrency,
            Err(error) => return stream::once(std::future::ready(Err(error))).boxed(),
        };
        let db = self.db;
        let hooks = self.hooks;
        let shape = Arc::new(ReadShape {
            consistent: self
                .consistent_read
                .or_else(|| default_consistent_read::<M>(None)),
            projection: None,
        });
        let halted = Arc::new(AtomicBool::new(false));
        let reading = Arc::clone(&halted);
        self.keys
            .take_while(move |_| std::future::ready(!reading.load(Ordering::Relaxed)))
            .chunks(MAX_BATCH_GET)
            .map(move |chunk| {
                let (shape, halted) = (Arc::clone(&shape), Arc::clone(&halted));
                async move {
                    let (results, hard) = read_keys::<M>(db, chunk, &shape, hooks).await;
                    if hard {
                        halted.store(true, Ordering::Relaxed);
                    }
                    stream::iter(results)
                }
            })
            .buffer_unordered(concurrency)
            .flatten()
            .boxed()
    }
}

/// Reads one request's keys, with retries: each key that could not be made, the items
/// found (decoded), then an `Unprocessed` error with the keys left; and whether an error
/// that retrying cannot fix stopped the request.
async fn read_keys<M: Table>(
    db: &Dynamo,
    chunk: Vec<Result<Item>>,
    shape: &ReadShape,
    hooks: bool,
) -> (Vec<Result<M>>, bool) {
    let table = db.table_name::<M>();
    let mut results = Vec::new();
    let mut keys: Vec<Item> = Vec::with_capacity(chunk.len());
    let mut seen = HashSet::new();
    for key in chunk {
        match key {
            Ok(key) => {
                if seen.insert(key_signature("", &key)) {
                    keys.push(key);
                }
            }
            Err(error) => results.push(Err(error)),
        }
    }
    if keys.is_empty() {
        return (results, false);
    }
    let (found, left) = retrying("BatchGetItem", get_chunk(db, &table, keys, shape)).await;
    let expiry = ExpiryFilter::of::<M>(false);
    let live: Vec<Item> = found
        .into_iter()
        .filter(|item| !expiry.is_expired(item))
        .collect();
    // Each item decodes on its own: one that does not is an error item, and the others of
    // its request still come.
    let opened = db.keys().open::<M>(&live).await;
    opened.scope(|| results.extend(live.into_iter().map(|item| M::load(item, hooks))));
    let hard = left.stopped.as_ref().is_some_and(|s| s.hard);
    if !left.items.is_empty() || left.stopped.is_some() {
        results.push(Err(unprocessed_error(
            "BatchGetItem",
            left.items,
            Vec::new(),
            left.stopped.map(|s| s.error),
        )));
    }
    (results, hard)
}

impl<M> std::fmt::Debug for GetStream<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetStream")
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}
