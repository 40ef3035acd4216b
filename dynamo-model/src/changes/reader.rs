//! The stream reader: every shard of a table's stream, parents before their children, as
//! one `futures::Stream` of typed changes that can resume from a checkpoint.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use serde::{Deserialize, Serialize};

use super::{decode, Change};
use crate::backend::changes::{ChangeSource, ShardStart, StreamRecord};
use crate::client::Dynamo;
use crate::error::{Error, ErrorKind, Result};
use crate::model::collection::{Collection, Load};
use crate::model::Table;

/// How long the reader waits, once every shard is read to its newest record, before it
/// asks again.
const DEFAULT_POLL: Duration = Duration::from_secs(1);

/// Where a reader is in a stream: for each shard it has read from, the sequence number of
/// the last record it delivered, or that it read the shard to its end. Serialize it
/// (feature-free: it is `serde`) to resume after a restart with [`Changes::resume`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The stream the positions are in.
    stream_arn: Option<String>,
    /// Each shard's position.
    shards: BTreeMap<String, Position>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Position {
    /// After the record with this sequence number.
    After(String),
    /// Read to its end: the shard is closed.
    Finished,
}

impl Checkpoint {
    /// The stream this checkpoint is in, once the reader found it.
    pub fn stream_arn(&self) -> Option<&str> {
        self.stream_arn.as_deref()
    }

    /// The sequence number of the last record delivered from `shard`, if any.
    pub fn last_sequence_number(&self, shard: &str) -> Option<&str> {
        match self.shards.get(shard) {
            Some(Position::After(sequence)) => Some(sequence),
            _ => None,
        }
    }

    /// True when `shard` was read to its end.
    pub fn is_finished(&self, shard: &str) -> bool {
        self.shards.get(shard) == Some(&Position::Finished)
    }

    /// Moves the checkpoint past `change`: call it once a change is handled, to store a
    /// checkpoint that never skips an unhandled change. A checkpoint made this way from
    /// `Checkpoint::default()` takes the stream of the first reader that resumes from it.
    pub fn advance<O>(&mut self, change: &Change<O>) {
        if let Some(shard) = change.shard_id() {
            self.shards.insert(
                shard.to_owned(),
                Position::After(change.sequence_number().to_owned()),
            );
        }
    }
}

enum Start {
    Oldest,
    Latest,
    Resume(Checkpoint),
}

/// Reads the changes of model `M`'s table, decoded as `O` (the model, or a collection
/// after [`collection`](Changes::collection)): `db.changes::<M>()`.
///
/// By default it starts at the oldest record the stream keeps and follows the stream
/// forever, asking for new records every second once it has read them all; it ends only
/// when the stream does (turned off and read to its end), or after
/// [`until_caught_up`](Changes::until_caught_up) once it has read everything written so far.
#[must_use = "a reader does nothing until `stream()` is polled"]
pub struct Changes<'a, M, O = M> {
    db: &'a Dynamo,
    start: Start,
    poll: Duration,
    until_caught_up: bool,
    hooks: bool,
    _models: PhantomData<fn() -> (M, O)>,
}

impl<M, O> fmt::Debug for Changes<'_, M, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changes")
            .field("model", &std::any::type_name::<M>())
            .field("poll", &self.poll)
            .field("until_caught_up", &self.until_caught_up)
            .field("hooks", &self.hooks)
            .finish_non_exhaustive()
    }
}

impl Dynamo {
    /// The changes of model `M`'s table, read from its stream: every shard followed,
    /// splits included, each change decoded through the model's read path (S3 objects,
    /// decryption, validation, `after_load`).
    ///
    /// The table needs a stream (`#[dynamo(stream = "new_and_old_images")]`). On the
    /// memory backend the client reads its feed; on DynamoDB it needs a DynamoDB Streams
    /// client: `Dynamo::from_env` and `from_sdk_config` make one (feature `streams`), or
    /// give one with `with_streams`.
    pub fn changes<M: Table>(&self) -> Changes<'_, M> {
        Changes {
            db: self,
            start: Start::Oldest,
            poll: DEFAULT_POLL,
            until_caught_up: false,
            hooks: true,
            _models: PhantomData,
        }
    }
}

impl<'a, M: Table, O: Load + Send + 'static> Changes<'a, M, O> {
    /// Starts at the oldest record the stream keeps (the default: `TRIM_HORIZON`).
    pub fn from_oldest(mut self) -> Self {
        self.start = Start::Oldest;
        self
    }

    /// Starts after the newest record: only changes made from now (`LATEST`). Shards that
    /// open later are read from their start.
    pub fn from_latest(mut self) -> Self {
        self.start = Start::Latest;
        self
    }

    /// Starts where `checkpoint` left off: after its last record of each shard, skipping
    /// the shards it read to their end, and from their start the shards it never read. A
    /// checkpoint of an older stream of the table (turned off and on since) is ignored.
    pub fn resume(mut self, checkpoint: &Checkpoint) -> Self {
        self.start = Start::Resume(checkpoint.clone());
        self
    }

    /// How long to wait before asking again once every shard is read up to its newest
    /// record (1 second by default).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll = interval;
        self
    }

    /// Ends the stream once every shard has been read up to its newest record, instead of
    /// waiting for more: for a batch job, or a test.
    pub fn until_caught_up(mut self) -> Self {
        self.until_caught_up = true;
        self
    }

    /// Decodes the images without running `after_load`.
    pub fn skip_hooks(mut self) -> Self {
        self.hooks = false;
        self
    }

    /// Decodes the images as collection `C` of the models sharing the table, by their
    /// entity type.
    pub fn collection<C: Collection + Send + 'static>(self) -> Changes<'a, M, C> {
        Changes {
            db: self.db,
            start: self.start,
            poll: self.poll,
            until_caught_up: self.until_caught_up,
            hooks: self.hooks,
            _models: PhantomData,
        }
    }

    /// The changes, as a `futures::Stream`. Each item is a change, or the error that kept
    /// one from being read or decoded (the stream goes on after a decode error; after a
    /// failed request it tries again at the next poll).
    pub fn stream(self) -> ChangeStream<O> {
        let checkpoint = match &self.start {
            Start::Resume(checkpoint) => checkpoint.clone(),
            _ => Checkpoint::default(),
        };
        let checkpoint = Arc::new(Mutex::new(checkpoint));
        let reader = Reader {
            db: self.db.clone(),
            source: self.db.change_source(),
            table: self.db.table_name::<M>(),
            latest: matches!(self.start, Start::Latest),
            stream_arn: None,
            shards: Vec::new(),
            listed: false,
            pending: VecDeque::new(),
            poll: self.poll,
            until_caught_up: self.until_caught_up,
            hooks: self.hooks,
            checkpoint: Arc::clone(&checkpoint),
            ended: false,
        };
        let changes = futures_util::stream::unfold(reader, |mut reader| async move {
            let next = reader.next_change::<O>().await?;
            Some((next, reader))
        });
        ChangeStream {
            changes: Box::pin(changes),
            checkpoint,
        }
    }
}

/// The changes of a table as a `futures::Stream` ([`Changes::stream`]), with the checkpoint
/// after the last change it delivered.
#[must_use = "streams do nothing unless polled"]
pub struct ChangeStream<O> {
    changes: Pin<Box<dyn Stream<Item = Result<Change<O>>> + Send>>,
    checkpoint: Arc<Mutex<Checkpoint>>,
}

impl<O> ChangeStream<O> {
    /// The position after the last change delivered: resume from it
    /// ([`Changes::resume`]) to read every later change once.
    pub fn checkpoint(&self) -> Checkpoint {
        self.checkpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl<O> fmt::Debug for ChangeStream<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangeStream")
            .field("checkpoint", &self.checkpoint())
            .finish_non_exhaustive()
    }
}

impl<O> Stream for ChangeStream<O> {
    type Item = Result<Change<O>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.changes.as_mut().poll_next(cx)
    }
}

/// One shard as the reader follows it.
#[derive(Debug)]
struct ShardState {
    id: String,
    parent: Option<String>,
    /// Where the next read continues, once started.
    iterator: Option<String>,
    /// Read to its end (its end is queued, or was reached before).
    finished: bool,
    /// Listed in the first answer of a reader that starts at the newest record.
    start_latest: bool,
}

/// What the reader hands out next, in order.
enum Pending {
    Record(String, StreamRecord),
    End(String),
}

struct Reader {
    db: Dynamo,
    source: Option<Arc<dyn ChangeSource>>,
    table: String,
    latest: bool,
    stream_arn: Option<String>,
    shards: Vec<ShardState>,
    listed: bool,
    pending: VecDeque<Pending>,
    poll: Duration,
    until_caught_up: bool,
    hooks: bool,
    checkpoint: Arc<Mutex<Checkpoint>>,
    ended: bool,
}

impl Reader {
    fn checkpoint(&self) -> std::sync::MutexGuard<'_, Checkpoint> {
        self.checkpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The next change, an error, or `None` when the stream ended.
    async fn next_change<O: Load>(&mut self) -> Option<Result<Change<O>>> {
        loop {
            match self.pending.pop_front() {
                Some(Pending::Record(shard, record)) => {
                    self.checkpoint().shards.insert(
                        shard.clone(),
                        Position::After(record.sequence_number.clone()),
                    );
                    let change = decode(&self.db, &self.table, Some(&shard), record, self.hooks);
                    return Some(change.await);
                }
                Some(Pending::End(shard)) => {
                    self.checkpoint().shards.insert(shard, Position::Finished);
                    continue;
                }
                None => {}
            }
            if self.ended {
                return None;
            }
            match self.read_round().await {
                Err(error) => {
                    if self.stream_arn.is_none() {
                        self.ended = true;
                    }
                    return Some(Err(error));
                }
                Ok(true) => continue,
                Ok(false) if self.until_caught_up => self.ended = true,
                Ok(false) => tokio::time::sleep(self.poll).await,
            }
        }
    }

    /// Reads every shard that can be read once; true when it queued anything (records, or
    /// a shard's end, after which its children can be read).
    async fn read_round(&mut self) -> Result<bool> {
        let source = self.source.clone().ok_or_else(no_source)?;
        let arn = match &self.stream_arn {
            Some(arn) => arn.clone(),
            None => {
                let arn = self.find_stream().await?;
                let mut checkpoint = self.checkpoint();
                // A checkpoint built by hand ([`Checkpoint::advance`]) names no stream yet.
                if checkpoint
                    .stream_arn
                    .as_ref()
                    .is_some_and(|earlier| *earlier != arn)
                {
                    checkpoint.shards.clear();
                }
                checkpoint.stream_arn = Some(arn.clone());
                drop(checkpoint);
                self.stream_arn = Some(arn.clone());
                arn
            }
        };
        self.list_shards(source.as_ref(), &arn).await?;
        let mut queued = false;
        for at in 0..self.shards.len() {
            if !self.readable(at) {
                continue;
            }
            let iterator = match self.shards[at].iterator.clone() {
                Some(iterator) => iterator,
                None => {
                    let start = self.start_of(at);
                    let shard = self.shards[at].id.clone();
                    source.shard_iterator(arn.clone(), shard, start).await?
                }
            };
            let page = match source.records(iterator).await {
                Ok(page) => page,
                Err(error) if is_expired_iterator(&error) => {
                    self.shards[at].iterator = None;
                    continue;
                }
                Err(error) => return Err(error),
            };
            let shard = &mut self.shards[at];
            queued |= !page.records.is_empty();
            for record in page.records {
                self.pending
                    .push_back(Pending::Record(shard.id.clone(), record));
            }
            match page.next {
                Some(next) => shard.iterator = Some(next),
                None => {
                    shard.finished = true;
                    shard.iterator = None;
                    self.pending.push_back(Pending::End(shard.id.clone()));
                    queued = true;
                }
            }
        }
        Ok(queued)
    }

    /// The ARN of the table's stream, from `DescribeTable`.
    async fn find_stream(&self) -> Result<String> {
        let request = aws_sdk_dynamodb::operation::describe_table::builders::DescribeTableInputBuilder::default()
            .table_name(&self.table);
        let output = self.db.backend().describe_table(request).await?;
        output
            .table
            .and_then(|table| table.latest_stream_arn)
            .ok_or_else(|| {
                ErrorKind::InvalidRequest {
                    model: None,
                    operation: Some("DescribeStream"),
                    message: format!(
                        "table `{}` has no stream: declare one on the model (`#[dynamo(stream = \"new_and_old_images\")]`) and create the table, or turn it on for an existing table with `db.plan_table::<M>()` and `apply`",
                        self.table
                    ),
                }
                .into()
            })
    }

    /// Adds the shards not known yet, each as the checkpoint has it.
    async fn list_shards(&mut self, source: &dyn ChangeSource, arn: &str) -> Result<()> {
        let shards = source.shards(arn.to_owned()).await?;
        let first = !self.listed;
        self.listed = true;
        let checkpoint = self.checkpoint().clone();
        for shard in shards {
            if self.shards.iter().any(|known| known.id == shard.id) {
                continue;
            }
            self.shards.push(ShardState {
                finished: checkpoint.is_finished(&shard.id),
                id: shard.id,
                parent: shard.parent,
                iterator: None,
                start_latest: first && self.latest,
            });
        }
        Ok(())
    }

    /// A shard is read once its parent, if the stream still has it, was read to its end.
    fn readable(&self, at: usize) -> bool {
        let shard = &self.shards[at];
        !shard.finished
            && shard.parent.as_ref().is_none_or(|parent| {
                self.shards
                    .iter()
                    .find(|known| &known.id == parent)
                    .is_none_or(|parent| parent.finished)
            })
    }

    fn start_of(&self, at: usize) -> ShardStart {
        let shard = &self.shards[at];
        match self.checkpoint().last_sequence_number(&shard.id) {
            Some(sequence) => ShardStart::After(sequence.to_owned()),
            None if shard.start_latest => ShardStart::Latest,
            None => ShardStart::Oldest,
        }
    }
}

fn is_expired_iterator(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Service { code: Some(code), .. } if code == "ExpiredIteratorException"
    )
}

fn no_source() -> Error {
    ErrorKind::Configuration {
        operation: "GetRecords",
        message: "this client reads no change streams: the memory backend serves its own; on DynamoDB, build the client with `Dynamo::from_env` or `from_sdk_config`, or give it a DynamoDB Streams client with `with_streams` (feature `streams`)".to_owned(),
        source: None,
    }
    .into()
}
