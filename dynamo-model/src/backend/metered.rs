//! What each request cost: latency, consumed capacity, items read and written, requests
//! and retries. A backend wrapper measures every call and adds it up in three places:
//!
//! - the [`OperationMetrics`] of a measured operation (`.measured()`), kept in a task-local
//!   scope, so concurrent operations never mix;
//! - the client's totals per table and operation ([`MetricsTotals`]);
//! - with the `metrics` feature, counters and histograms of the `metrics` facade, labelled
//!   by operation, table and outcome.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::ops::AddAssign;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::ConsumedCapacity;

use super::capacity::{Capacity, Reported};
use super::tables::Tables;
use super::{operations, Backend, BackendFuture};
use crate::error::{Error, ErrorKind};

/// What one operation (or a total of many) cost. Read units and write units come from the
/// capacity DynamoDB reports, which it reports when asked: inside `.measured()`, or on a
/// client with [`Dynamo::measure_capacity`](crate::Dynamo::measure_capacity) on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OperationMetrics {
    /// Wall time: of the whole operation for `.measured()`, the sum of the requests' for
    /// totals.
    pub latency: Duration,
    /// Read capacity units consumed.
    pub read_units: f64,
    /// Write capacity units consumed.
    pub write_units: f64,
    /// Items returned (found by a get, in a query's or a scan's pages, in a batch or a
    /// transaction read, by a PartiQL read).
    pub items_read: u64,
    /// Items written or deleted (a put, update or delete; the processed writes of a batch;
    /// the writes of a transaction; a PartiQL write).
    pub items_written: u64,
    /// Requests sent: pages of a query, chunks of a batch, attempts of a transaction.
    pub requests: u32,
    /// Requests that failed.
    pub failed_requests: u32,
    /// Retries: the SDK's (of throttled requests, server errors, timeouts, on the AWS
    /// backend), and the client's own (of unprocessed batch items and of transactions
    /// cancelled by conflicts).
    pub retries: u32,
}

impl AddAssign<&OperationMetrics> for OperationMetrics {
    fn add_assign(&mut self, other: &OperationMetrics) {
        self.latency += other.latency;
        self.read_units += other.read_units;
        self.write_units += other.write_units;
        self.items_read += other.items_read;
        self.items_written += other.items_written;
        self.requests += other.requests;
        self.failed_requests += other.failed_requests;
        self.retries += other.retries;
    }
}

/// The totals of a client, per table and DynamoDB operation (`GetItem`, `Query`...),
/// since the client was made or its totals were reset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsTotals {
    /// Each table's totals, by operation.
    by_table: BTreeMap<String, BTreeMap<&'static str, OperationMetrics>>,
}

impl MetricsTotals {
    /// The totals of every operation on `table` (the full name, prefix included; a batch
    /// or transaction over several tables counts under their names joined by commas).
    pub fn table(&self, table: &str) -> OperationMetrics {
        self.sum(|name, _| name == table)
    }

    /// The totals of one DynamoDB operation (`"Query"`) over every table.
    pub fn operation(&self, operation: &str) -> OperationMetrics {
        self.sum(|_, name| name == operation)
    }

    /// The totals of one operation on one table.
    pub fn of(&self, table: &str, operation: &str) -> OperationMetrics {
        self.sum(|t, o| t == table && o == operation)
    }

    /// Everything this client sent.
    pub fn all(&self) -> OperationMetrics {
        self.sum(|_, _| true)
    }

    /// Each table and operation with its totals.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &'static str, &OperationMetrics)> {
        self.by_table.iter().flat_map(|(table, operations)| {
            operations
                .iter()
                .map(move |(operation, metrics)| (table.as_str(), *operation, metrics))
        })
    }

    fn sum(&self, keep: impl Fn(&str, &str) -> bool) -> OperationMetrics {
        let mut total = OperationMetrics::default();
        for (table, operation, metrics) in self.iter() {
            if keep(table, operation) {
                total += metrics;
            }
        }
        total
    }
}

/// The metering state a client and its clones share.
#[derive(Debug, Default)]
pub(crate) struct Meter {
    /// Ask for consumed capacity on every data operation.
    capacity: AtomicBool,
    totals: Mutex<MetricsTotals>,
}

impl Meter {
    /// Turns capacity reporting on or off.
    pub(crate) fn measure_capacity(&self, on: bool) {
        self.capacity.store(on, Ordering::Relaxed);
    }

    /// A copy of the totals.
    pub(crate) fn totals(&self) -> MetricsTotals {
        self.totals
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets the totals.
    pub(crate) fn reset(&self) {
        *self.totals.lock().unwrap_or_else(PoisonError::into_inner) = MetricsTotals::default();
    }

    fn add(&self, table: &str, operation: &'static str, metrics: &OperationMetrics) {
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        // A table seen before is found without allocating its name.
        let operations = match totals.by_table.get_mut(table) {
            Some(operations) => operations,
            None => totals.by_table.entry(table.to_owned()).or_default(),
        };
        *operations.entry(operation).or_default() += metrics;
    }
}

tokio::task_local! {
    /// The metrics of the measured operation this task runs, if any.
    static MEASURED: Arc<Mutex<OperationMetrics>>;
}

/// Whether the current task runs a measured operation.
pub(super) fn measuring() -> bool {
    MEASURED.try_with(|_| ()).is_ok()
}

fn add_to_measured(metrics: &OperationMetrics) {
    let _ = MEASURED.try_with(|measured| {
        *measured.lock().unwrap_or_else(PoisonError::into_inner) += metrics;
    });
}

/// Runs `future` as a measured operation: what its requests cost, and its wall time. A
/// measured operation inside another adds its metrics to the outer one as well.
pub(crate) async fn measure<F: Future>(future: F) -> (F::Output, OperationMetrics) {
    let metrics = Arc::new(Mutex::new(OperationMetrics::default()));
    let started = Instant::now();
    let output = MEASURED.scope(Arc::clone(&metrics), future).await;
    let mut measured = metrics
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let requests_latency = std::mem::replace(&mut measured.latency, started.elapsed());
    // The outer operation adds the inner one's requests, whose time it measures itself.
    add_to_measured(&OperationMetrics {
        latency: requests_latency,
        ..measured.clone()
    });
    (output, measured)
}

/// Counts a retry of `operation` the client made itself.
pub(crate) fn record_retry(operation: &'static str) {
    add_to_measured(&OperationMetrics {
        retries: 1,
        ..OperationMetrics::default()
    });
    #[cfg(feature = "metrics")]
    metrics::counter!("dynamodb_retries_total", "operation" => operation).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = operation;
}

/// Counts a retry the SDK made of a request of the measured operation (throttling, a
/// server error, a timeout).
pub(crate) fn record_sdk_retry() {
    add_to_measured(&OperationMetrics {
        retries: 1,
        ..OperationMetrics::default()
    });
    #[cfg(feature = "metrics")]
    metrics::counter!("dynamodb_retries_total", "operation" => "sdk").increment(1);
}

/// The label of a request's outcome.
fn outcome(result: Result<(), &Error>) -> &'static str {
    match result.err().map(Error::kind) {
        None => "ok",
        Some(ErrorKind::ConditionalCheckFailed { .. }) => "condition_failed",
        Some(ErrorKind::TransactionCanceled { .. }) => "transaction_canceled",
        Some(ErrorKind::Throttled { .. }) => "throttled",
        Some(ErrorKind::Unavailable { .. }) => "unavailable",
        Some(ErrorKind::ResourceNotFound { .. }) => "not_found",
        Some(_) => "error",
    }
}

/// Records one request into the facade's counters and histograms.
#[cfg(feature = "metrics")]
fn record_in_facade(
    operation: &'static str,
    table: &str,
    outcome: &'static str,
    metrics: &OperationMetrics,
) {
    let labels = [
        ("operation", operation.to_owned()),
        ("table", table.to_owned()),
        ("outcome", outcome.to_owned()),
    ];
    metrics::counter!("dynamodb_requests_total", &labels).increment(1);
    metrics::histogram!("dynamodb_request_duration_seconds", &labels)
        .record(metrics.latency.as_secs_f64());
    let labels = &labels[..2];
    if metrics.items_read > 0 {
        metrics::counter!("dynamodb_items_read_total", labels).increment(metrics.items_read);
    }
    if metrics.items_written > 0 {
        metrics::counter!("dynamodb_items_written_total", labels).increment(metrics.items_written);
    }
    if metrics.read_units > 0.0 {
        metrics::histogram!("dynamodb_consumed_read_units", labels).record(metrics.read_units);
    }
    if metrics.write_units > 0.0 {
        metrics::histogram!("dynamodb_consumed_write_units", labels).record(metrics.write_units);
    }
}

/// Read and write units of the capacity a response reports.
fn units(consumed: &[ConsumedCapacity], writes: bool) -> (f64, f64) {
    let mut read = 0.0;
    let mut write = 0.0;
    for capacity in consumed {
        match (
            capacity.read_capacity_units(),
            capacity.write_capacity_units(),
        ) {
            (None, None) => {
                let total = capacity.capacity_units().unwrap_or(0.0);
                if writes {
                    write += total;
                } else {
                    read += total;
                }
            }
            (r, w) => {
                read += r.unwrap_or(0.0);
                write += w.unwrap_or(0.0);
            }
        }
    }
    (read, write)
}

/// What a request will write, known before it is sent.
pub(super) trait Planned {
    /// Items it writes if it succeeds (for a batch, before subtracting unprocessed ones).
    fn planned_writes(&self) -> u64 {
        0
    }
    /// Whether its consumed capacity is write capacity.
    fn writes(&self) -> bool {
        false
    }
}

/// The items a response returned and the writes it did, given what was planned.
pub(super) trait Counted {
    fn counted_items(&self, planned_writes: u64) -> (u64, u64);
}

/// A backend that measures every call of `inner`.
pub(crate) struct MeteredBackend {
    pub(crate) inner: Arc<dyn Backend>,
    pub(crate) meter: Arc<Meter>,
}

impl fmt::Debug for MeteredBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl MeteredBackend {
    /// Adds one finished request to every place that counts it.
    fn finish(
        &self,
        operation: &'static str,
        table: &str,
        result: Result<(), &Error>,
        metrics: &OperationMetrics,
    ) {
        add_to_measured(metrics);
        self.meter.add(table, operation, metrics);
        #[cfg(feature = "metrics")]
        record_in_facade(operation, table, outcome(result), metrics);
        #[cfg(not(feature = "metrics"))]
        let _ = outcome(result);
    }
}

macro_rules! implement_metered {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {
        impl Backend for MeteredBackend {
            $(
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    let input = if measuring() || self.meter.capacity.load(Ordering::Relaxed) {
                        input.ask()
                    } else {
                        input
                    };
                    let table = input.tables();
                    let planned = input.planned_writes();
                    let writes = input.writes();
                    Box::pin(async move {
                        let started = Instant::now();
                        let result = self.inner.$method(input).await;
                        let mut metrics = OperationMetrics {
                            latency: started.elapsed(),
                            requests: 1,
                            ..OperationMetrics::default()
                        };
                        match &result {
                            Ok(output) => {
                                (metrics.read_units, metrics.write_units) =
                                    units(output.consumed(), writes);
                                (metrics.items_read, metrics.items_written) =
                                    output.counted_items(planned);
                                self.finish($name, &table, Ok(()), &metrics);
                            }
                            Err(error) => {
                                metrics.failed_requests = 1;
                                self.finish($name, &table, Err(error), &metrics);
                            }
                        }
                        result
                    })
                }
            )*
        }
    };
}

operations!(implement_metered);

mod counts {
    //! What each operation plans to write and what its response returned.

    use aws_sdk_dynamodb::operation::{
        batch_execute_statement, batch_get_item, batch_write_item, delete_item, execute_statement,
        get_item, put_item, query, scan, search_vectors, transact_get_items, transact_write_items,
        update_item,
    };

    use super::{Counted, Planned};

    /// Whether a PartiQL statement writes.
    fn writes(statement: &str) -> bool {
        let verb = statement.trim_start().get(..6).unwrap_or_default();
        ["insert", "update", "delete"]
            .iter()
            .any(|w| verb.eq_ignore_ascii_case(w))
    }

    /// Items that are only read; writes are planned as one.
    macro_rules! single {
        ($($module:ident: $input:ident => $output:ident, read: $read:expr, writes: $writes:expr;)*) => {$(
            impl Planned for $module::builders::$input {
                fn planned_writes(&self) -> u64 {
                    u64::from($writes)
                }
                fn writes(&self) -> bool {
                    $writes
                }
            }
            impl Counted for $module::$output {
                fn counted_items(&self, planned_writes: u64) -> (u64, u64) {
                    #[allow(clippy::redundant_closure_call)]
                    (($read)(self), planned_writes)
                }
            }
        )*};
    }

    single! {
        get_item: GetItemInputBuilder => GetItemOutput,
            read: |o: &get_item::GetItemOutput| u64::from(o.item.is_some()), writes: false;
        query: QueryInputBuilder => QueryOutput,
            read: |o: &query::QueryOutput| u64::try_from(o.count).unwrap_or(0), writes: false;
        scan: ScanInputBuilder => ScanOutput,
            read: |o: &scan::ScanOutput| u64::try_from(o.count).unwrap_or(0), writes: false;
        search_vectors: SearchVectorsInputBuilder => SearchVectorsOutput,
            read: |o: &search_vectors::SearchVectorsOutput| o.search_results.as_ref().map_or(0, |r| r.len() as u64), writes: false;
        put_item: PutItemInputBuilder => PutItemOutput, read: |_| 0, writes: true;
        delete_item: DeleteItemInputBuilder => DeleteItemOutput, read: |_| 0, writes: true;
        update_item: UpdateItemInputBuilder => UpdateItemOutput, read: |_| 0, writes: true;
    }

    impl Planned for batch_get_item::builders::BatchGetItemInputBuilder {}
    impl Counted for batch_get_item::BatchGetItemOutput {
        fn counted_items(&self, _: u64) -> (u64, u64) {
            let found = self.responses.iter().flat_map(|r| r.values()).map(Vec::len);
            (found.sum::<usize>() as u64, 0)
        }
    }

    impl Planned for batch_write_item::builders::BatchWriteItemInputBuilder {
        fn planned_writes(&self) -> u64 {
            let requests = self.get_request_items().iter().flat_map(|r| r.values());
            requests.map(Vec::len).sum::<usize>() as u64
        }
        fn writes(&self) -> bool {
            true
        }
    }
    impl Counted for batch_write_item::BatchWriteItemOutput {
        fn counted_items(&self, planned_writes: u64) -> (u64, u64) {
            let left = self.unprocessed_items.iter().flat_map(|r| r.values());
            let left = left.map(Vec::len).sum::<usize>() as u64;
            (0, planned_writes.saturating_sub(left))
        }
    }

    impl Planned for transact_get_items::builders::TransactGetItemsInputBuilder {}
    impl Counted for transact_get_items::TransactGetItemsOutput {
        fn counted_items(&self, _: u64) -> (u64, u64) {
            let found = self.responses.iter().flatten().filter(|r| r.item.is_some());
            (found.count() as u64, 0)
        }
    }

    impl Planned for transact_write_items::builders::TransactWriteItemsInputBuilder {
        fn planned_writes(&self) -> u64 {
            let items = self.get_transact_items().iter().flatten();
            items.filter(|i| i.condition_check.is_none()).count() as u64
        }
        fn writes(&self) -> bool {
            true
        }
    }
    impl Counted for transact_write_items::TransactWriteItemsOutput {
        fn counted_items(&self, planned_writes: u64) -> (u64, u64) {
            (0, planned_writes)
        }
    }

    impl Planned for execute_statement::builders::ExecuteStatementInputBuilder {
        fn planned_writes(&self) -> u64 {
            u64::from(self.get_statement().as_deref().is_some_and(writes))
        }
        fn writes(&self) -> bool {
            self.planned_writes() > 0
        }
    }
    impl Counted for execute_statement::ExecuteStatementOutput {
        fn counted_items(&self, planned_writes: u64) -> (u64, u64) {
            (
                self.items.as_ref().map_or(0, Vec::len) as u64,
                planned_writes,
            )
        }
    }

    impl Planned for batch_execute_statement::builders::BatchExecuteStatementInputBuilder {
        fn planned_writes(&self) -> u64 {
            let statements = self.get_statements().iter().flatten();
            statements.filter(|s| writes(s.statement())).count() as u64
        }
        fn writes(&self) -> bool {
            self.planned_writes() > 0
        }
    }
    impl Counted for batch_execute_statement::BatchExecuteStatementOutput {
        fn counted_items(&self, planned_writes: u64) -> (u64, u64) {
            let responses = self.responses.iter().flatten();
            let (mut read, mut failed) = (0, 0);
            for response in responses {
                read += u64::from(response.item.is_some());
                failed += u64::from(response.error.is_some());
            }
            (read, planned_writes.saturating_sub(failed))
        }
    }

    /// Table administration reads and writes no items.
    macro_rules! no_items {
        ($($module:ident: $input:ident => $output:ident;)*) => {$(
            impl Planned for aws_sdk_dynamodb::operation::$module::builders::$input {}
            impl Counted for aws_sdk_dynamodb::operation::$module::$output {
                fn counted_items(&self, _: u64) -> (u64, u64) {
                    (0, 0)
                }
            }
        )*};
    }

    no_items! {
        create_table: CreateTableInputBuilder => CreateTableOutput;
        delete_table: DeleteTableInputBuilder => DeleteTableOutput;
        describe_table: DescribeTableInputBuilder => DescribeTableOutput;
        update_table: UpdateTableInputBuilder => UpdateTableOutput;
        update_time_to_live: UpdateTimeToLiveInputBuilder => UpdateTimeToLiveOutput;
        describe_time_to_live: DescribeTimeToLiveInputBuilder => DescribeTimeToLiveOutput;
        tag_resource: TagResourceInputBuilder => TagResourceOutput;
        untag_resource: UntagResourceInputBuilder => UntagResourceOutput;
        list_tags_of_resource: ListTagsOfResourceInputBuilder => ListTagsOfResourceOutput;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_splits_into_reads_and_writes() {
        let both = ConsumedCapacity::builder()
            .read_capacity_units(1.5)
            .write_capacity_units(2.0)
            .capacity_units(3.5)
            .build();
        let total_only = ConsumedCapacity::builder().capacity_units(4.0).build();
        assert_eq!(units(std::slice::from_ref(&both), false), (1.5, 2.0));
        assert_eq!(units(std::slice::from_ref(&total_only), true), (0.0, 4.0));
        assert_eq!(units(&[total_only, both], false), (5.5, 2.0));
    }

    #[test]
    fn a_measured_operation_inside_another_adds_to_it() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let ((_, inner), outer) = runtime.block_on(measure(async {
            measure(async { record_retry("BatchWriteItem") }).await
        }));
        assert_eq!(inner.retries, 1);
        assert_eq!(outer.retries, 1);
    }
}
