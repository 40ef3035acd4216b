//! A table's change feed as DynamoDB Streams serves it: shards, iterators and records, in
//! one form whatever the source (DynamoDB Streams, the memory backend, a Lambda event).

use std::fmt;
use std::time::SystemTime;

use super::BackendFuture;
use crate::meta::StreamView;
use crate::value::Item;

/// What a stream record says happened to the item (`eventName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A new item was written (`INSERT`).
    Insert,
    /// An existing item was changed (`MODIFY`).
    Modify,
    /// An item was deleted, by a request or by TTL expiry (`REMOVE`).
    Remove,
}

impl RecordKind {
    /// The `eventName`: `INSERT`, `MODIFY` or `REMOVE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordKind::Insert => "INSERT",
            RecordKind::Modify => "MODIFY",
            RecordKind::Remove => "REMOVE",
        }
    }
}

/// One record of a change stream, undecoded.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct StreamRecord {
    /// Insert, modify or remove.
    pub kind: RecordKind,
    /// The key attributes of the item.
    pub keys: Item,
    /// The item before the change, when the stream's view holds it.
    pub old_image: Option<Item>,
    /// The item after the change, when the stream's view holds it.
    pub new_image: Option<Item>,
    /// The record's position in its shard: digits, increasing within a shard.
    pub sequence_number: String,
    /// When the change was made, to the second (`ApproximateCreationDateTime`).
    pub created_at: SystemTime,
    /// True when DynamoDB's TTL expiry removed the item (`userIdentity` of the service
    /// `dynamodb.amazonaws.com`).
    pub expired: bool,
    /// The stream's view type, when the record names it.
    pub view: Option<StreamView>,
}

impl StreamRecord {
    /// A record of `kind` on the item with `keys`, at `sequence_number`, now, with no image.
    pub fn new(kind: RecordKind, keys: Item, sequence_number: impl Into<String>) -> Self {
        StreamRecord {
            kind,
            keys,
            old_image: None,
            new_image: None,
            sequence_number: sequence_number.into(),
            created_at: SystemTime::now(),
            expired: false,
            view: None,
        }
    }
}

/// Names the record's kind, key attributes, images and position: never a value.
impl fmt::Debug for StreamRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |item: &Item| {
            let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
            names.sort_unstable();
            names.join(",")
        };
        f.debug_struct("StreamRecord")
            .field("kind", &self.kind)
            .field("keys", &names(&self.keys))
            .field("old_image", &self.old_image.as_ref().map(names))
            .field("new_image", &self.new_image.as_ref().map(names))
            .field("sequence_number", &self.sequence_number)
            .field("expired", &self.expired)
            .field("view", &self.view)
            .finish()
    }
}

/// One shard of a stream: its id, the shard it was split from, and whether it is closed
/// (it takes no new records; once read to its end, its children follow).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Shard {
    /// The shard id.
    pub id: String,
    /// The shard this one was split from, when it was.
    pub parent: Option<String>,
}

impl Shard {
    /// A shard with `id`, split from `parent`.
    pub fn new(id: impl Into<String>, parent: Option<String>) -> Self {
        Shard {
            id: id.into(),
            parent,
        }
    }
}

/// Where reading a shard starts (`ShardIteratorType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShardStart {
    /// At its oldest record still kept (`TRIM_HORIZON`).
    Oldest,
    /// After its newest record: only records written from now (`LATEST`).
    Latest,
    /// After the record with this sequence number (`AFTER_SEQUENCE_NUMBER`).
    After(String),
}

/// One `GetRecords` answer: the records, and the iterator of the next ones (`None` when the
/// shard is closed and read to its end).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordPage {
    /// The records, oldest first.
    pub records: Vec<StreamRecord>,
    /// Where the next call continues.
    pub next: Option<String>,
}

impl RecordPage {
    /// A page of `records`, continued by `next`.
    pub fn new(records: Vec<StreamRecord>, next: Option<String>) -> Self {
        RecordPage { records, next }
    }
}

/// The DynamoDB Streams API a change reader needs: the memory backend serves it in process,
/// and `aws-sdk-dynamodbstreams` from DynamoDB (feature `streams`).
pub trait ChangeSource: Send + Sync + fmt::Debug + 'static {
    /// The shards of the stream `stream_arn`, parents before their children
    /// (`DescribeStream`, every page).
    fn shards(&self, stream_arn: String) -> BackendFuture<'_, Vec<Shard>>;

    /// An iterator reading shard `shard` of `stream_arn` from `start` (`GetShardIterator`).
    fn shard_iterator(
        &self,
        stream_arn: String,
        shard: String,
        start: ShardStart,
    ) -> BackendFuture<'_, String>;

    /// The records at `iterator` (`GetRecords`).
    fn records(&self, iterator: String) -> BackendFuture<'_, RecordPage>;
}
