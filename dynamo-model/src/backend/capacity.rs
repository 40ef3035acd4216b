//! Consumed capacity of every response, reported to an observer: a backend wrapper that asks
//! for `ReturnConsumedCapacity = TOTAL` on every data operation and hands each response's
//! consumed capacity to a callback.

use std::fmt;
use std::sync::Arc;

use aws_sdk_dynamodb::operation::{
    batch_execute_statement, batch_get_item, batch_write_item, create_table, delete_item,
    delete_table, describe_table, execute_statement, get_item, put_item, query, scan,
    transact_get_items, transact_write_items, update_item, update_table, update_time_to_live,
};
use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};

use super::{operations, Backend, BackendFuture};

/// Receives the consumed capacity of each response: the operation name and the capacity
/// (one per table for batches and transactions).
pub type CapacityObserver = Arc<dyn Fn(&'static str, &ConsumedCapacity) + Send + Sync>;

/// A backend that reports consumed capacity; see `Dynamo::with_capacity_observer`.
pub(crate) struct ObservedBackend {
    pub(crate) inner: Arc<dyn Backend>,
    pub(crate) observer: CapacityObserver,
}

impl fmt::Debug for ObservedBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObservedBackend")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// How each operation asks for its consumed capacity.
pub(super) trait Capacity {
    fn ask(self) -> Self;
}

/// The consumed capacity a response carries (one per table for batches and transactions).
pub(super) trait Reported {
    fn consumed(&self) -> &[ConsumedCapacity];
}

macro_rules! one {
    ($($input:ty => $output:ty),*) => {$(
        impl Capacity for $input {
            fn ask(self) -> Self {
                self.return_consumed_capacity(ReturnConsumedCapacity::Total)
            }
        }
        impl Reported for $output {
            fn consumed(&self) -> &[ConsumedCapacity] {
                self.consumed_capacity.as_slice()
            }
        }
    )*};
}

macro_rules! many {
    ($($input:ty => $output:ty),*) => {$(
        impl Capacity for $input {
            fn ask(self) -> Self {
                self.return_consumed_capacity(ReturnConsumedCapacity::Total)
            }
        }
        impl Reported for $output {
            fn consumed(&self) -> &[ConsumedCapacity] {
                self.consumed_capacity.as_deref().unwrap_or_default()
            }
        }
    )*};
}

macro_rules! none {
    ($($input:ty => $output:ty),*) => {$(
        impl Capacity for $input {
            fn ask(self) -> Self {
                self
            }
        }
        impl Reported for $output {
            fn consumed(&self) -> &[ConsumedCapacity] {
                &[]
            }
        }
    )*};
}

one!(
    put_item::builders::PutItemInputBuilder => put_item::PutItemOutput,
    get_item::builders::GetItemInputBuilder => get_item::GetItemOutput,
    delete_item::builders::DeleteItemInputBuilder => delete_item::DeleteItemOutput,
    update_item::builders::UpdateItemInputBuilder => update_item::UpdateItemOutput,
    query::builders::QueryInputBuilder => query::QueryOutput,
    scan::builders::ScanInputBuilder => scan::ScanOutput,
    execute_statement::builders::ExecuteStatementInputBuilder => execute_statement::ExecuteStatementOutput
);
many!(
    batch_get_item::builders::BatchGetItemInputBuilder => batch_get_item::BatchGetItemOutput,
    batch_write_item::builders::BatchWriteItemInputBuilder => batch_write_item::BatchWriteItemOutput,
    transact_write_items::builders::TransactWriteItemsInputBuilder => transact_write_items::TransactWriteItemsOutput,
    transact_get_items::builders::TransactGetItemsInputBuilder => transact_get_items::TransactGetItemsOutput,
    batch_execute_statement::builders::BatchExecuteStatementInputBuilder => batch_execute_statement::BatchExecuteStatementOutput
);
none!(
    create_table::builders::CreateTableInputBuilder => create_table::CreateTableOutput,
    delete_table::builders::DeleteTableInputBuilder => delete_table::DeleteTableOutput,
    describe_table::builders::DescribeTableInputBuilder => describe_table::DescribeTableOutput,
    update_table::builders::UpdateTableInputBuilder => update_table::UpdateTableOutput,
    update_time_to_live::builders::UpdateTimeToLiveInputBuilder => update_time_to_live::UpdateTimeToLiveOutput
);

macro_rules! implement_observed {
    ($($(#[$doc:meta])* $method:ident($name:literal): $input:ty => $output:ty;)*) => {
        impl Backend for ObservedBackend {
            $(
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    Box::pin(async move {
                        let output = self.inner.$method(input.ask()).await?;
                        for capacity in output.consumed() {
                            (self.observer)($name, capacity);
                        }
                        Ok(output)
                    })
                }
            )*
        }
    };
}

operations!(implement_observed);
