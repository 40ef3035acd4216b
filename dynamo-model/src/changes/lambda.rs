//! Typed changes from the DynamoDB stream events AWS Lambda hands a function (feature
//! `lambda`, on `aws_lambda_events`), with partial batch failures.
//!
//! ```
//! use dynamo_model::changes::lambda::{StreamEvent, StreamEventResponse};
//! use dynamo_model::{DynamoModel, Dynamo};
//!
//! #[derive(DynamoModel, Debug, Clone)]
//! #[dynamo(table = "orders", hash_key = "id", stream = "new_and_old_images")]
//! struct Order { id: String, total: u32 }
//!
//! async fn handler(db: &Dynamo, event: StreamEvent) -> StreamEventResponse {
//!     let handled = db
//!         .handle_changes::<Order, _, _, std::io::Error>(&event, |change| async move {
//!             println!("{:?} of {:?}", change.kind(), change.keys());
//!             Ok(())
//!         })
//!         .await;
//!     // Lambda retries from the first record that failed; the ones before it are done.
//!     handled.response()
//! }
//! ```
//!
//! The function's event source mapping needs `FunctionResponseTypes: ["ReportBatchItemFailures"]`
//! for Lambda to read the response's failures.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, SystemTime};

use aws_lambda_events::event::dynamodb::EventRecord;
use aws_lambda_events::event::streams::DynamoDbBatchItemFailure;

use super::{decode, Change};
use crate::backend::changes::{RecordKind, StreamRecord};
use crate::client::Dynamo;
use crate::error::{Error, FieldError, Result};
use crate::meta::StreamView;
use crate::model::collection::Load;
use crate::model::Table;
use crate::value::{AttributeValue, Item};

pub use aws_lambda_events;
/// The event Lambda hands a function on a DynamoDB stream.
pub type StreamEvent = aws_lambda_events::event::dynamodb::Event;
/// What the function returns to report the records it could not handle.
pub type StreamEventResponse = aws_lambda_events::event::streams::DynamoDbEventResponse;

/// The principal of DynamoDB's own deletions: TTL expiry.
const TTL_PRINCIPAL: &str = "dynamodb.amazonaws.com";

/// What handling a stream event did: how many records were handled, and the first that
/// failed, which stopped the rest (Lambda retries from it, so the changes of an item stay
/// in order).
#[derive(Debug)]
#[must_use = "return `response()` to Lambda so that it retries the failed records"]
pub struct Handled<E> {
    /// The records handled, from the first.
    pub handled: usize,
    /// The record that failed, if one did.
    pub failure: Option<RecordFailure<E>>,
}

/// A record that could not be handled.
#[derive(Debug)]
#[non_exhaustive]
pub struct RecordFailure<E> {
    /// Its sequence number: the item identifier Lambda retries from.
    pub sequence_number: String,
    /// Why.
    pub cause: FailureCause<E>,
}

/// Why a record could not be handled.
#[derive(Debug)]
pub enum FailureCause<E> {
    /// The record did not decode as the model (or its images' S3 objects or keys could not
    /// be read).
    Decode(Error),
    /// The handler returned an error.
    Handler(E),
}

impl<E> Handled<E> {
    /// The response that reports the failed record, if any, as a partial batch failure.
    pub fn response(&self) -> StreamEventResponse {
        let mut response = StreamEventResponse::default();
        if let Some(failure) = &self.failure {
            let mut item = DynamoDbBatchItemFailure::default();
            item.item_identifier = Some(failure.sequence_number.clone());
            response.batch_item_failures.push(item);
        }
        response
    }
}

impl Dynamo {
    /// Decodes one record of a Lambda stream event as a change of `O` (a model, or a
    /// collection of the models sharing its table), through the model's read path.
    ///
    /// # Errors
    ///
    /// A record without its event name, keys or sequence number, and the decode errors of
    /// its images (which name the item's key).
    pub async fn change_of_record<O: Load>(&self, record: &EventRecord) -> Result<Change<O>> {
        let table = record
            .event_source_arn
            .as_deref()
            .map(crate::backend::table_of_arn)
            .or(record.table_name.as_deref())
            .unwrap_or_default()
            .to_owned();
        let converted = convert(record, &table)?;
        decode(self, &table, None, converted, true).await
    }

    /// Hands each record of `event`, decoded as model `M`, to `handler`, in order, and
    /// stops at the first record that does not decode or that the handler fails: return
    /// [`Handled::response`] to Lambda, which retries from that record. The records before
    /// it are done; a handler is called again for a record only when Lambda redelivers it,
    /// so make it idempotent (a conditional write on the sequence number, say).
    pub async fn handle_changes<M, F, Fut, E>(
        &self,
        event: &StreamEvent,
        mut handler: F,
    ) -> Handled<E>
    where
        M: Table,
        F: FnMut(Change<M>) -> Fut,
        Fut: Future<Output = std::result::Result<(), E>>,
    {
        let mut handled = 0;
        for record in &event.records {
            let sequence_number = record.change.sequence_number.clone().unwrap_or_default();
            let cause = match self.change_of_record::<M>(record).await {
                Err(error) => FailureCause::Decode(error),
                Ok(change) => match handler(change).await {
                    Ok(()) => {
                        handled += 1;
                        continue;
                    }
                    Err(error) => FailureCause::Handler(error),
                },
            };
            return Handled {
                handled,
                failure: Some(RecordFailure {
                    sequence_number,
                    cause,
                }),
            };
        }
        Handled {
            handled,
            failure: None,
        }
    }
}

/// A Lambda event record as a stream record.
fn convert(record: &EventRecord, table: &str) -> Result<StreamRecord> {
    let invalid = |message: &str| {
        Error::decode(
            "DynamoDB stream record",
            vec![FieldError::new("", format!("{message} (table `{table}`)"))],
        )
    };
    let kind = match record.event_name.as_str() {
        "INSERT" => RecordKind::Insert,
        "MODIFY" => RecordKind::Modify,
        "REMOVE" => RecordKind::Remove,
        other => return Err(invalid(&format!("unknown eventName `{other}`"))),
    };
    let change = &record.change;
    let sequence = change
        .sequence_number
        .clone()
        .ok_or_else(|| invalid("the record has no SequenceNumber"))?;
    if change.keys.is_empty() {
        return Err(invalid("the record has no Keys"));
    }
    let mut converted = StreamRecord::new(kind, item(&change.keys), sequence);
    let image = |image: &serde_dynamo::Item| (!image.is_empty()).then(|| item(image));
    converted.old_image = image(&change.old_image);
    converted.new_image = image(&change.new_image);
    converted.expired = record
        .user_identity
        .as_ref()
        .is_some_and(|who| who.type_ == "Service" && who.principal_id == TTL_PRINCIPAL);
    converted.view = change
        .stream_view_type
        .as_ref()
        .and_then(|view| StreamView::from_type_name(&view.to_string()));
    converted.created_at = u64::try_from(change.approximate_creation_date_time.timestamp())
        .map_or(SystemTime::UNIX_EPOCH, |secs| {
            SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
        });
    Ok(converted)
}

fn item(item: &HashMap<String, serde_dynamo::AttributeValue>) -> Item {
    item.iter()
        .map(|(name, v)| (name.clone(), value(v)))
        .collect()
}

/// The event's attribute value (serde_dynamo's) as DynamoDB's.
fn value(value: &serde_dynamo::AttributeValue) -> AttributeValue {
    use serde_dynamo::AttributeValue as V;
    match value {
        V::S(s) => AttributeValue::S(s.clone()),
        V::N(n) => AttributeValue::N(n.clone()),
        V::B(b) => AttributeValue::B(b.clone().into()),
        V::Bool(b) => AttributeValue::Bool(*b),
        V::Null(n) => AttributeValue::Null(*n),
        V::Ss(s) => AttributeValue::Ss(s.clone()),
        V::Ns(n) => AttributeValue::Ns(n.clone()),
        V::Bs(b) => AttributeValue::Bs(b.iter().map(|b| b.clone().into()).collect()),
        V::L(l) => AttributeValue::L(l.iter().map(self::value).collect()),
        V::M(m) => AttributeValue::M(item(m)),
    }
}
