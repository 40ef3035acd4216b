//! The seam between the client and a DynamoDB: one trait, taking the SDK's own request
//! builders (`PutItemInputBuilder`, ...) and returning the SDK's own outputs.
//!
//! [`AwsBackend`] sends them with `aws-sdk-dynamodb`; the embedded memory backend evaluates
//! the same requests in process. A test double can implement [`Backend`] too.

mod aws;
mod capacity;
pub(crate) mod memory;
mod rate;
mod refusing;
mod tables;
#[cfg(feature = "tracing")]
mod traced;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::{
    batch_execute_statement, batch_get_item, batch_write_item, create_table, delete_item,
    delete_table, describe_table, execute_statement, get_item, put_item, query, scan,
    transact_get_items, transact_write_items, update_item, update_table, update_time_to_live,
};

use crate::error::Result;

pub use aws::AwsBackend;
pub use capacity::CapacityObserver;
pub(crate) use capacity::ObservedBackend;
pub use memory::MemoryBackend;
pub use rate::{RateLimit, RateLimitedBackend};
pub(crate) use refusing::RefusingBackend;
#[cfg(feature = "tracing")]
pub(crate) use traced::TracedBackend;
/// The `tracing` target that carries request values (feature `tracing`): off unless the
/// subscriber enables it at TRACE level.
pub const VALUES_TARGET: &str = "dynamo_model::values";

/// A boxed future of a backend call.
pub type BackendFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// Declares the backend trait from one list of operations (and the AWS implementation from
/// the same list, in `aws.rs`).
macro_rules! operations {
    ($callback:ident) => {
        $callback! {
            /// `PutItem`
            put_item("PutItem"): put_item::builders::PutItemInputBuilder => put_item::PutItemOutput;
            /// `GetItem`
            get_item("GetItem"): get_item::builders::GetItemInputBuilder => get_item::GetItemOutput;
            /// `DeleteItem`
            delete_item("DeleteItem"): delete_item::builders::DeleteItemInputBuilder => delete_item::DeleteItemOutput;
            /// `UpdateItem`
            update_item("UpdateItem"): update_item::builders::UpdateItemInputBuilder => update_item::UpdateItemOutput;
            /// `Query`
            query("Query"): query::builders::QueryInputBuilder => query::QueryOutput;
            /// `Scan`
            scan("Scan"): scan::builders::ScanInputBuilder => scan::ScanOutput;
            /// `BatchGetItem`
            batch_get_item("BatchGetItem"): batch_get_item::builders::BatchGetItemInputBuilder => batch_get_item::BatchGetItemOutput;
            /// `BatchWriteItem`
            batch_write_item("BatchWriteItem"): batch_write_item::builders::BatchWriteItemInputBuilder => batch_write_item::BatchWriteItemOutput;
            /// `TransactWriteItems`
            transact_write_items("TransactWriteItems"): transact_write_items::builders::TransactWriteItemsInputBuilder => transact_write_items::TransactWriteItemsOutput;
            /// `TransactGetItems`
            transact_get_items("TransactGetItems"): transact_get_items::builders::TransactGetItemsInputBuilder => transact_get_items::TransactGetItemsOutput;
            /// `CreateTable`
            create_table("CreateTable"): create_table::builders::CreateTableInputBuilder => create_table::CreateTableOutput;
            /// `DeleteTable`
            delete_table("DeleteTable"): delete_table::builders::DeleteTableInputBuilder => delete_table::DeleteTableOutput;
            /// `DescribeTable`
            describe_table("DescribeTable"): describe_table::builders::DescribeTableInputBuilder => describe_table::DescribeTableOutput;
            /// `UpdateTable`
            update_table("UpdateTable"): update_table::builders::UpdateTableInputBuilder => update_table::UpdateTableOutput;
            /// `UpdateTimeToLive`
            update_time_to_live("UpdateTimeToLive"): update_time_to_live::builders::UpdateTimeToLiveInputBuilder => update_time_to_live::UpdateTimeToLiveOutput;
            /// `ExecuteStatement` (PartiQL)
            execute_statement("ExecuteStatement"): execute_statement::builders::ExecuteStatementInputBuilder => execute_statement::ExecuteStatementOutput;
            /// `BatchExecuteStatement` (PartiQL)
            batch_execute_statement("BatchExecuteStatement"): batch_execute_statement::builders::BatchExecuteStatementInputBuilder => batch_execute_statement::BatchExecuteStatementOutput;
        }
    };
}
pub(crate) use operations;

macro_rules! declare_backend {
    ($($(#[$doc:meta])* $method:ident($name:literal): $input:ty => $output:ty;)*) => {
        /// A DynamoDB: every operation the client runs, on the SDK's request and response
        /// types. Errors are already classified into [`Error`](crate::Error).
        ///
        /// Every method has a default that answers [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported),
        /// so an implementation outside this crate keeps compiling when an operation is added;
        /// implement the ones your backend serves.
        pub trait Backend: Send + Sync + fmt::Debug + 'static {
            $(
                $(#[$doc])*
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    let _ = input;
                    Box::pin(std::future::ready(Err(crate::error::Error::unsupported($name))))
                }
            )*
        }

        /// A shared backend is a backend: keep an `Arc` of a test double to inspect it
        /// while a client uses it.
        impl<B: Backend + ?Sized> Backend for std::sync::Arc<B> {
            $(
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    B::$method(self, input)
                }
            )*
        }
    };
}

operations!(declare_backend);
