//! The memory backend's change feed: the records DynamoDB Streams would hold for each table,
//! one shard per stream, served through [`ChangeSource`].
//!
//! A write that changes nothing (a put of the same item) makes no record, as on DynamoDB. A
//! stream turned off closes its shard, which stays readable; turned on again, the table has
//! a new stream.

use std::time::SystemTime;

use aws_sdk_dynamodb::types::TableDescription;

use super::{validation, MemoryBackend};
use crate::backend::changes::{
    ChangeSource, RecordKind, RecordPage, Shard, ShardStart, StreamRecord,
};
use crate::backend::BackendFuture;
use crate::error::{Error, ErrorKind, Result};
use crate::meta::StreamView;
use crate::value::Item;

/// The most records one `GetRecords` answers with, as on DynamoDB.
const PAGE: usize = 1000;

/// The streams of one table, the newest last.
#[derive(Debug, Clone, Default)]
pub(crate) struct Feed {
    streams: Vec<Stream>,
}

#[derive(Debug, Clone)]
struct Stream {
    arn: String,
    view: StreamView,
    records: Vec<StreamRecord>,
    open: bool,
}

impl Stream {
    /// The id of the stream's one shard.
    fn shard_id(&self) -> String {
        let label = self.arn.rsplit('/').next().unwrap_or_default();
        format!("shardId-{label:0>20}-memory")
    }
}

impl Feed {
    /// Follows the table's stream setting: a new stream when one was turned on, the
    /// current one closed when it was turned off.
    pub(crate) fn follow(&mut self, description: &TableDescription) {
        let wanted = description
            .stream_specification
            .as_ref()
            .filter(|spec| spec.stream_enabled)
            .and_then(|spec| spec.stream_view_type.as_ref())
            .and_then(|view| StreamView::from_type_name(view.as_str()))
            .zip(description.latest_stream_arn.clone());
        let current = self.streams.last().filter(|s| s.open).map(|s| &s.arn);
        if current == wanted.as_ref().map(|(_, arn)| arn) {
            return;
        }
        if let Some(stream) = self.streams.last_mut() {
            stream.open = false;
        }
        if let Some((view, arn)) = wanted {
            self.streams.push(Stream {
                arn,
                view,
                records: Vec::new(),
                open: true,
            });
        }
    }

    /// True while the table's stream takes records.
    pub(crate) fn is_open(&self) -> bool {
        self.streams.last().is_some_and(|s| s.open)
    }

    /// Records the change from `old` to `new` (either absent) of the item with `keys`.
    pub(crate) fn record(&mut self, keys: Item, old: Option<&Item>, new: Option<&Item>) {
        self.record_as(keys, old, new, false);
    }

    /// As [`Feed::record`]; `expired` marks a removal by TTL expiry.
    pub(crate) fn record_as(
        &mut self,
        keys: Item,
        old: Option<&Item>,
        new: Option<&Item>,
        expired: bool,
    ) {
        let Some(stream) = self.streams.last_mut().filter(|s| s.open) else {
            return;
        };
        let kind = match (old, new) {
            (Some(old), Some(new)) if old == new => return,
            (Some(_), Some(_)) => RecordKind::Modify,
            (None, Some(_)) => RecordKind::Insert,
            (Some(_), None) => RecordKind::Remove,
            (None, None) => return,
        };
        let (keep_old, keep_new) = match stream.view {
            StreamView::KeysOnly => (false, false),
            StreamView::NewImage => (false, true),
            StreamView::OldImage => (true, false),
            StreamView::NewAndOldImages => (true, true),
        };
        let position = stream.records.len() + 1;
        let mut record = StreamRecord::new(kind, keys, format!("{position:021}"));
        record.old_image = old.filter(|_| keep_old).cloned();
        record.new_image = new.filter(|_| keep_new).cloned();
        record.created_at = whole_seconds(SystemTime::now());
        record.expired = expired;
        record.view = Some(stream.view);
        stream.records.push(record);
    }

    fn stream(&self, arn: &str) -> Option<&Stream> {
        self.streams.iter().find(|s| s.arn == arn)
    }
}

/// `time` to the second, as `ApproximateCreationDateTime` is.
fn whole_seconds(time: SystemTime) -> SystemTime {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(since) => SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(since.as_secs()),
        Err(_) => time,
    }
}

/// A shard iterator of the memory backend: the stream, and the index of the next record.
fn iterator(arn: &str, next: usize) -> String {
    format!("{next}|{arn}")
}

fn parse_iterator(iterator: &str) -> Option<(&str, usize)> {
    let (next, arn) = iterator.split_once('|')?;
    Some((arn, next.parse().ok()?))
}

fn no_stream(operation: &'static str, arn: &str) -> Error {
    ErrorKind::ResourceNotFound {
        operation,
        table: crate::backend::table_of_arn(arn).to_owned(),
        message: format!("Requested resource not found: Stream: {arn} not found"),
    }
    .into()
}

impl MemoryBackend {
    fn with_stream<R>(
        &self,
        operation: &'static str,
        arn: &str,
        read: impl FnOnce(&Stream) -> Result<R>,
    ) -> Result<R> {
        let store = self.lock();
        let stream = store
            .tables
            .values()
            .find_map(|table| table.feed.stream(arn))
            .ok_or_else(|| no_stream(operation, arn))?;
        read(stream)
    }

    fn describe_stream(&self, arn: &str) -> Result<Vec<Shard>> {
        self.with_stream("DescribeStream", arn, |stream| {
            Ok(vec![Shard::new(stream.shard_id(), None)])
        })
    }

    fn get_shard_iterator(&self, arn: &str, shard: &str, start: &ShardStart) -> Result<String> {
        const OP: &str = "GetShardIterator";
        self.with_stream(OP, arn, |stream| {
            if shard != stream.shard_id() {
                return Err(no_stream(OP, arn));
            }
            let next = match start {
                ShardStart::Oldest => 0,
                ShardStart::Latest => stream.records.len(),
                ShardStart::After(sequence) => {
                    let position = stream
                        .records
                        .iter()
                        .position(|r| &r.sequence_number == sequence)
                        .ok_or_else(|| {
                            validation(
                                OP,
                                format!("Invalid SequenceNumber {sequence} for shard {shard}"),
                            )
                        })?;
                    position + 1
                }
            };
            Ok(iterator(arn, next))
        })
    }

    fn get_records(&self, at: &str) -> Result<RecordPage> {
        const OP: &str = "GetRecords";
        let (arn, next) =
            parse_iterator(at).ok_or_else(|| validation(OP, "Invalid ShardIterator"))?;
        self.with_stream(OP, arn, |stream| {
            let from = next.min(stream.records.len());
            let until = (from + PAGE).min(stream.records.len());
            let records = stream.records[from..until].to_vec();
            let ended = !stream.open && until == stream.records.len();
            Ok(RecordPage::new(
                records,
                (!ended).then(|| iterator(arn, until)),
            ))
        })
    }
}

impl ChangeSource for MemoryBackend {
    fn shards(&self, stream_arn: String) -> BackendFuture<'_, Vec<Shard>> {
        Box::pin(std::future::ready(self.describe_stream(&stream_arn)))
    }

    fn shard_iterator(
        &self,
        stream_arn: String,
        shard: String,
        start: ShardStart,
    ) -> BackendFuture<'_, String> {
        Box::pin(std::future::ready(self.get_shard_iterator(
            &stream_arn,
            &shard,
            &start,
        )))
    }

    fn records(&self, iterator: String) -> BackendFuture<'_, RecordPage> {
        Box::pin(std::future::ready(self.get_records(&iterator)))
    }
}
