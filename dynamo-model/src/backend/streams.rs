//! The change source on `aws-sdk-dynamodbstreams` (feature `streams`): DynamoDB Streams'
//! shards and records, converted to [`StreamRecord`]s.

use std::time::{Duration, SystemTime};

use aws_sdk_dynamodbstreams::types::{self, ShardIteratorType};
use aws_sdk_dynamodbstreams::Client;

use super::aws::{classify, ErrorDetails};
use super::changes::{ChangeSource, RecordKind, RecordPage, Shard, ShardStart, StreamRecord};
use super::BackendFuture;
use crate::error::ErrorKind;
use crate::meta::StreamView;
use crate::value::{AttributeValue, Item};

/// The principal of DynamoDB's own deletions: TTL expiry.
const TTL_PRINCIPAL: &str = "dynamodb.amazonaws.com";

/// Reads change streams with an `aws-sdk-dynamodbstreams` client.
#[derive(Debug, Clone)]
pub struct AwsStreams {
    client: Client,
}

impl AwsStreams {
    /// A change source on a DynamoDB Streams client (give it the endpoint of DynamoDB Local
    /// to read Local's streams).
    pub fn new(client: Client) -> Self {
        AwsStreams { client }
    }
}

impl ErrorDetails for aws_sdk_dynamodbstreams::operation::describe_stream::DescribeStreamError {}
impl ErrorDetails
    for aws_sdk_dynamodbstreams::operation::get_shard_iterator::GetShardIteratorError
{
}
impl ErrorDetails for aws_sdk_dynamodbstreams::operation::get_records::GetRecordsError {}

impl ChangeSource for AwsStreams {
    fn shards(&self, stream_arn: String) -> BackendFuture<'_, Vec<Shard>> {
        Box::pin(async move {
            const OP: &str = "DescribeStream";
            let table = super::table_of_arn(&stream_arn).to_owned();
            let mut shards = Vec::new();
            let mut after = None;
            loop {
                let output = self
                    .client
                    .describe_stream()
                    .stream_arn(&stream_arn)
                    .set_exclusive_start_shard_id(after)
                    .send()
                    .await
                    .map_err(|e| classify(OP, table.clone(), e))?;
                let Some(description) = output.stream_description else {
                    return Ok(shards);
                };
                shards.extend(
                    description
                        .shards
                        .into_iter()
                        .flatten()
                        .filter_map(|shard| {
                            Some(Shard::new(shard.shard_id?, shard.parent_shard_id))
                        }),
                );
                after = description.last_evaluated_shard_id;
                if after.is_none() {
                    return Ok(shards);
                }
            }
        })
    }

    fn shard_iterator(
        &self,
        stream_arn: String,
        shard: String,
        start: ShardStart,
    ) -> BackendFuture<'_, String> {
        Box::pin(async move {
            const OP: &str = "GetShardIterator";
            let table = super::table_of_arn(&stream_arn).to_owned();
            let (kind, sequence) = match start {
                ShardStart::Oldest => (ShardIteratorType::TrimHorizon, None),
                ShardStart::Latest => (ShardIteratorType::Latest, None),
                ShardStart::After(sequence) => {
                    (ShardIteratorType::AfterSequenceNumber, Some(sequence))
                }
            };
            let output = self
                .client
                .get_shard_iterator()
                .stream_arn(&stream_arn)
                .shard_id(shard)
                .shard_iterator_type(kind)
                .set_sequence_number(sequence)
                .send()
                .await
                .map_err(|e| classify(OP, table, e))?;
            output.shard_iterator.ok_or_else(|| {
                ErrorKind::Service {
                    operation: OP,
                    code: None,
                    message: "the answer has no shard iterator".to_owned(),
                    source: "the answer has no shard iterator".into(),
                }
                .into()
            })
        })
    }

    fn records(&self, iterator: String) -> BackendFuture<'_, RecordPage> {
        Box::pin(async move {
            let output = self
                .client
                .get_records()
                .shard_iterator(iterator)
                .send()
                .await
                .map_err(|e| classify("GetRecords", String::new(), e))?;
            let records = output
                .records
                .unwrap_or_default()
                .into_iter()
                .filter_map(record)
                .collect();
            Ok(RecordPage::new(records, output.next_shard_iterator))
        })
    }
}

/// A record of DynamoDB Streams, `None` when it lacks its kind, keys or sequence number.
fn record(record: types::Record) -> Option<StreamRecord> {
    let kind = match record.event_name? {
        types::OperationType::Insert => RecordKind::Insert,
        types::OperationType::Modify => RecordKind::Modify,
        types::OperationType::Remove => RecordKind::Remove,
        _ => return None,
    };
    let expired = record.user_identity.is_some_and(|who| {
        who.r#type.as_deref() == Some("Service")
            && who.principal_id.as_deref() == Some(TTL_PRINCIPAL)
    });
    let change = record.dynamodb?;
    let mut converted = StreamRecord::new(kind, item(change.keys?), change.sequence_number?);
    converted.old_image = change.old_image.map(item);
    converted.new_image = change.new_image.map(item);
    converted.expired = expired;
    converted.view = change
        .stream_view_type
        .and_then(|view| StreamView::from_type_name(view.as_str()));
    if let Some(at) = change.approximate_creation_date_time {
        converted.created_at = u64::try_from(at.secs()).map_or(SystemTime::UNIX_EPOCH, |secs| {
            SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
        });
    }
    Some(converted)
}

fn item(item: std::collections::HashMap<String, types::AttributeValue>) -> Item {
    item.into_iter().map(|(name, v)| (name, value(v))).collect()
}

/// DynamoDB Streams' attribute value as DynamoDB's (the two SDKs each have their own type).
fn value(value: types::AttributeValue) -> AttributeValue {
    use types::AttributeValue as V;
    match value {
        V::S(s) => AttributeValue::S(s),
        V::N(n) => AttributeValue::N(n),
        V::B(b) => AttributeValue::B(b),
        V::Bool(b) => AttributeValue::Bool(b),
        V::Ss(s) => AttributeValue::Ss(s),
        V::Ns(n) => AttributeValue::Ns(n),
        V::Bs(b) => AttributeValue::Bs(b),
        V::L(l) => AttributeValue::L(l.into_iter().map(self::value).collect()),
        V::M(m) => AttributeValue::M(item(m)),
        _ => AttributeValue::Null(true),
    }
}
