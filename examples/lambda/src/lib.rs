//! An AWS Lambda function on the stream of the `orders` table that keeps one counter item
//! per customer in `customer_counters`: how many orders the customer has and their total.
//!
//! Lambda delivers a record at least once: a batch that failed part way, or a function
//! that timed out, is delivered again. Each change is therefore applied in one transaction
//! with a marker item named by the record's sequence number, written only if absent: a
//! record applied before finds its marker, the transaction is cancelled, and the counter
//! is left alone. Markers expire after a day (TTL), longer than a stream keeps records.
//!
//! The first record that fails stops the batch and is reported as a partial batch
//! failure, so Lambda retries from it and a customer's changes stay in order.

use std::time::{Duration, SystemTime};

use dynamo_model::changes::lambda::{FailureCause, StreamEvent, StreamEventResponse};
use dynamo_model::changes::{Change, ChangeEvent};
use dynamo_model::{Dynamo, DynamoModel, Error};

/// An order, the item of the table whose stream the function reads.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "orders",
    hash_key = "customer_id",
    range_key = "order_id",
    stream = "new_and_old_images"
)]
pub struct Order {
    /// The customer.
    pub customer_id: String,
    /// The order, unique for the customer.
    pub order_id: String,
    /// The amount, in cents.
    pub total_cents: i64,
}

/// The counters of one customer.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "customer_counters", hash_key = "customer_id")]
pub struct CustomerCounters {
    /// The customer.
    pub customer_id: String,
    /// How many orders the customer has.
    pub orders: i64,
    /// The total of those orders, in cents.
    pub total_cents: i64,
}

/// The mark of a stream record already applied.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "applied_records", hash_key = "sequence_number")]
pub struct AppliedRecord {
    /// The record's sequence number.
    pub sequence_number: String,
    /// When DynamoDB may delete the mark.
    #[dynamo(ttl)]
    pub expires: Option<SystemTime>,
}

/// How long a mark is kept: a stream keeps records for 24 hours.
const MARK_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Creates the three tables (for a local run and the tests; in AWS, your infrastructure
/// code does).
///
/// # Errors
///
/// What `CreateTable` returns.
pub async fn create_tables(db: &Dynamo) -> Result<(), Error> {
    db.create_table::<Order>().await?;
    db.create_table::<CustomerCounters>().await?;
    db.create_table::<AppliedRecord>().await?;
    Ok(())
}

/// The function: applies each change of the event to its customer's counters, and
/// reports the first record it could not apply.
pub async fn handle(db: &Dynamo, event: &StreamEvent) -> StreamEventResponse {
    let handled = db
        .handle_changes::<Order, _, _, Error>(event, |change| apply(db, change))
        .await;
    if let Some(failure) = &handled.failure {
        let cause = match &failure.cause {
            FailureCause::Decode(error) | FailureCause::Handler(error) => error,
        };
        eprintln!(
            "record {} failed, {} handled before it: {cause}",
            failure.sequence_number, handled.handled
        );
    }
    handled.response()
}

/// What one change does to its customer's counters: orders and cents to add.
fn delta(event: &ChangeEvent<Order>) -> (&str, i64, i64) {
    match event {
        ChangeEvent::Insert { new } => (&new.customer_id, 1, new.total_cents),
        ChangeEvent::Modify { old, new } => {
            (&new.customer_id, 0, new.total_cents - old.total_cents)
        }
        ChangeEvent::Remove { old, .. } => (&old.customer_id, -1, -old.total_cents),
    }
}

/// Applies one change once, whatever the number of deliveries.
async fn apply(db: &Dynamo, change: Change<Order>) -> Result<(), Error> {
    let mark = AppliedRecord {
        sequence_number: change.sequence_number().to_owned(),
        expires: Some(SystemTime::now() + MARK_LIFETIME),
    };
    let event = change.into_event()?;
    let (customer, orders, cents) = delta(&event);
    let counters = CustomerCounters::fields();
    let applied = db
        .transact_write()
        .put_with(&mark, |p| {
            p.condition(AppliedRecord::fields().sequence_number.not_exists())
        })
        .upsert::<CustomerCounters>(customer, |u| {
            // ADD starts a missing number at zero, so the first change creates the item.
            u.add(&counters.orders, orders)
                .add(&counters.total_cents, cents)
        })
        .await;
    match applied {
        Ok(()) => Ok(()),
        // The mark is there: this record was applied by an earlier delivery.
        Err(error) if already_applied(&error) => Ok(()),
        Err(error) => Err(error),
    }
}

/// True when the transaction was cancelled by the mark's condition alone.
fn already_applied(error: &Error) -> bool {
    let reasons = error.reasons();
    reasons
        .first()
        .is_some_and(|mark| mark.is_conditional_check_failed())
        && reasons[1..].iter().all(|other| other.is_none())
}
