//! What operations cost, as the caller sees it: one operation's metrics with
//! [`Measure::measured`], and the client's totals with [`Dynamo::metrics`].

use std::future::Future;

use super::{Dynamo, Operation};
use crate::backend::{MetricsTotals, OperationMetrics};
use crate::model::Table;

/// Runs an operation and reports what it cost with its result: latency, consumed read
/// and write units, items read and written, requests (pages, chunks, attempts) and the
/// client's retries. Implemented by every operation builder.
///
/// ```
/// use dynamo_model::{Dynamo, DynamoModel, Measure};
///
/// #[derive(DynamoModel)]
/// #[dynamo(table = "users", hash_key = "id")]
/// struct User { id: String }
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let db = Dynamo::memory();
/// db.create_table::<User>().await?;
/// let (written, metrics) = db.put(&User { id: "u1".into() }).measured().await;
/// written?;
/// assert_eq!((metrics.items_written, metrics.requests), (1, 1));
/// assert!(metrics.write_units > 0.0);
/// # Ok::<(), dynamo_model::Error>(())
/// # }).unwrap();
/// ```
pub trait Measure: Operation + Sized {
    /// The operation's output (its `Result` too: a failed operation has metrics as well),
    /// and what it cost. Consumed capacity is asked for on each of its requests.
    fn measured(self) -> impl Future<Output = (Self::Output, OperationMetrics)> + Send
    where
        Self::IntoFuture: Send,
    {
        crate::backend::measure(self.into_future())
    }
}

impl<O: Operation> Measure for O {}

impl Dynamo {
    /// Asks for consumed capacity on every data operation of this client and its clones,
    /// so that [`metrics`](Dynamo::metrics) (and the `metrics` feature's counters) carry
    /// read and write units; off by default, as DynamoDB's own default. A measured
    /// operation asks for it whatever this says, and so does every request with the
    /// `tracing` feature (its spans carry the capacity).
    pub fn measure_capacity(&self, on: bool) {
        self.meter.measure_capacity(on);
    }

    /// What this client and its clones sent since they were made (or since
    /// [`reset_metrics`](Dynamo::reset_metrics)), per table and DynamoDB operation.
    pub fn metrics(&self) -> MetricsTotals {
        self.meter.totals()
    }

    /// The totals of model `M`'s table, over every operation. Models that share a table
    /// (single-table design) share its totals.
    pub fn metrics_of<M: Table>(&self) -> OperationMetrics {
        self.meter.totals().table(&self.table_name::<M>())
    }

    /// Forgets the totals of this client and its clones.
    pub fn reset_metrics(&self) {
        self.meter.reset();
    }
}
