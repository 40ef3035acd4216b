//! Typed changes of a table: the records of its DynamoDB stream decoded as the model.
//!
//! A [`Change`] comes from three sources, alike: the client's stream reader
//! ([`Dynamo::changes`](crate::Dynamo::changes)), which follows every shard of the stream on
//! DynamoDB Streams (feature `streams`) or on the memory backend's own feed; and the stream
//! events AWS Lambda hands a function (feature `lambda`).
//!
//! ```
//! use dynamo_model::{changes::ChangeEvent, DynamoModel, Dynamo};
//! use futures_util::StreamExt;
//!
//! #[derive(DynamoModel, Debug, Clone, PartialEq)]
//! #[dynamo(table = "orders", hash_key = "id", stream = "new_and_old_images")]
//! struct Order { id: String, total: u32 }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let db = Dynamo::memory();
//! db.create_table::<Order>().await?;
//! db.put(&Order { id: "o1".into(), total: 5 }).await?;
//! db.update::<Order>("o1").set(Order::fields().total, 7).await?;
//!
//! let mut changes = db.changes::<Order>().until_caught_up().stream();
//! while let Some(change) = changes.next().await {
//!     match change?.into_event()? {
//!         ChangeEvent::Insert { new } => assert_eq!(new.total, 5),
//!         ChangeEvent::Modify { old, new } => assert_eq!((old.total, new.total), (5, 7)),
//!         ChangeEvent::Remove { .. } => unreachable!(),
//!     }
//! }
//! // Where to resume after a restart: store it, and start from it.
//! let checkpoint = changes.checkpoint();
//! # let _ = checkpoint;
//! # Ok::<(), dynamo_model::Error>(())
//! # }).unwrap();
//! ```

#[cfg(feature = "lambda")]
pub mod lambda;
mod reader;

use std::fmt;
use std::time::SystemTime;

use crate::backend::changes::{RecordKind, StreamRecord};
use crate::client::Dynamo;
use crate::error::{Error, ErrorKind, Result};
use crate::meta::StreamView;
use crate::model::collection::Load;
use crate::value::Item;

pub use crate::backend::changes::RecordKind as ChangeKind;
pub use reader::{ChangeStream, Changes, Checkpoint};

/// One change of an item, read from its table's stream: what happened, the item's key, its
/// images as the stream's view type records them (decoded as `O`, the model or a
/// collection), and where the record sits in the stream.
pub struct Change<O> {
    kind: RecordKind,
    expired: bool,
    keys: Item,
    old: Option<O>,
    new: Option<O>,
    view: Option<StreamView>,
    table: String,
    shard: Option<String>,
    sequence_number: String,
    created_at: SystemTime,
}

/// A change as a `match`: an insert with the new image, a modify with both images, or a
/// removal with the old image ([`Change::into_event`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeEvent<O> {
    /// A new item.
    Insert {
        /// The item written.
        new: O,
    },
    /// A changed item.
    Modify {
        /// The item before.
        old: O,
        /// The item after.
        new: O,
    },
    /// A deleted item.
    Remove {
        /// The item deleted.
        old: O,
        /// True when TTL expiry deleted it, not a request.
        expired: bool,
    },
}

impl<O> Change<O> {
    /// Insert, modify or remove.
    pub fn kind(&self) -> ChangeKind {
        self.kind
    }

    /// True for a removal made by DynamoDB's TTL expiry rather than by a request.
    pub fn is_expiry(&self) -> bool {
        self.expired
    }

    /// The key attributes of the changed item.
    pub fn keys(&self) -> &Item {
        &self.keys
    }

    /// The table the change was made in (with the client's prefix).
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The shard the record was read from (`None` for a Lambda event, which does not say).
    pub fn shard_id(&self) -> Option<&str> {
        self.shard.as_deref()
    }

    /// The record's sequence number: increasing within its shard, and the item identifier
    /// of a Lambda partial batch failure.
    pub fn sequence_number(&self) -> &str {
        &self.sequence_number
    }

    /// When the change was made, to the second.
    pub fn created_at(&self) -> SystemTime {
        self.created_at
    }

    /// The stream's view type, when the record names it.
    pub fn view(&self) -> Option<StreamView> {
        self.view
    }

    /// The item after the change.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingImage`] for a removal, or when the stream's view type does not
    /// record new images (`KEYS_ONLY`, `OLD_IMAGE`).
    pub fn new_image(&self) -> Result<&O> {
        self.new.as_ref().ok_or_else(|| self.missing("new"))
    }

    /// The item before the change.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingImage`] for an insert, or when the stream's view type does not
    /// record old images (`KEYS_ONLY`, `NEW_IMAGE`).
    pub fn old_image(&self) -> Result<&O> {
        self.old.as_ref().ok_or_else(|| self.missing("old"))
    }

    /// The images the record holds: `(old, new)`.
    pub fn into_images(self) -> (Option<O>, Option<O>) {
        (self.old, self.new)
    }

    /// The change as an insert, a modify or a removal, with its images.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingImage`] when the stream's view type lacks an image the kind of
    /// change needs: every kind has its images only with `NEW_AND_OLD_IMAGES` (inserts need
    /// `NEW_IMAGE`, removals `OLD_IMAGE`).
    pub fn into_event(mut self) -> Result<ChangeEvent<O>> {
        let expired = self.expired;
        Ok(match (self.kind, self.old.take(), self.new.take()) {
            (RecordKind::Insert, _, Some(new)) => ChangeEvent::Insert { new },
            (RecordKind::Modify, Some(old), Some(new)) => ChangeEvent::Modify { old, new },
            (RecordKind::Remove, Some(old), _) => ChangeEvent::Remove { old, expired },
            (RecordKind::Insert, _, None) | (RecordKind::Modify, Some(_), None) => {
                return Err(self.missing("new"))
            }
            (_, None, _) => return Err(self.missing("old")),
        })
    }

    fn missing(&self, image: &'static str) -> Error {
        ErrorKind::MissingImage {
            table: self.table.clone(),
            change: self.kind.as_str(),
            image,
            view: self.view.map(StreamView::as_str),
            key: self.keys.clone(),
        }
        .into()
    }
}

/// Names the change, its table, key attributes and position, and which images it holds:
/// never a value.
impl<O> fmt::Debug for Change<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<&str> = self.keys.keys().map(String::as_str).collect();
        keys.sort_unstable();
        f.debug_struct("Change")
            .field("kind", &self.kind)
            .field("expired", &self.expired)
            .field("table", &self.table)
            .field("keys", &keys)
            .field("old_image", &self.old.is_some())
            .field("new_image", &self.new.is_some())
            .field("shard", &self.shard)
            .field("sequence_number", &self.sequence_number)
            .finish()
    }
}

/// Decodes `record` of `table`'s stream as a change of `O`, through the client's read
/// path: S3 objects read eagerly, encrypted values opened, validation, and `after_load`
/// when `hooks`. Expired items are not hidden: an expiry's old image is one.
pub(crate) async fn decode<O: Load>(
    db: &Dynamo,
    table: &str,
    shard: Option<&str>,
    record: StreamRecord,
    hooks: bool,
) -> Result<Change<O>> {
    let keys = record.keys;
    let image = |item: Option<Item>| {
        let keys = keys.clone();
        async move {
            db.keys()
                .load_one::<O>(item, hooks)
                .await
                .map_err(|e| e.for_item_key(keys))
        }
    };
    let old = image(record.old_image).await?;
    let new = image(record.new_image).await?;
    Ok(Change {
        kind: record.kind,
        expired: record.expired,
        keys,
        old,
        new,
        view: record.view,
        table: table.to_owned(),
        shard: shard.map(str::to_owned),
        sequence_number: record.sequence_number,
        created_at: record.created_at,
    })
}
