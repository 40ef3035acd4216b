//! The seam between the client and a DynamoDB: one trait, taking the SDK's own request
//! builders (`PutItemInputBuilder`, ...) and returning the SDK's own outputs.
//!
//! [`AwsBackend`] sends them with `aws-sdk-dynamodb`; the embedded memory backend evaluates
//! the same requests in process. A test double can implement [`Backend`] too.

mod aws;
mod capacity;
pub mod changes;
pub(crate) mod memory;
mod metered;
mod rate;
mod refusing;
#[cfg(feature = "streams")]
mod streams;
mod tables;
#[cfg(feature = "tracing")]
mod traced;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::error::Result;

pub use aws::AwsBackend;
pub(crate) use aws::{NO_CREDENTIALS, NO_REGION};
pub use capacity::CapacityObserver;
pub(crate) use capacity::ObservedBackend;
pub use memory::MemoryBackend;
pub(crate) use metered::{measure, record_retry, record_sdk_retry, Meter, MeteredBackend};
pub use metered::{MetricsTotals, OperationMetrics};
pub use rate::{RateLimit, RateLimitedBackend};
pub(crate) use refusing::{RefusingBackend, TableNameLimit};
#[cfg(feature = "streams")]
pub use streams::AwsStreams;
pub(crate) use tables::table_of_arn;
#[cfg(feature = "tracing")]
pub(crate) use traced::TracedBackend;
/// The `tracing` target that carries request values (feature `tracing`): off unless the
/// subscriber enables it at TRACE level.
pub const VALUES_TARGET: &str = "dynamo_model::values";

/// A boxed future of a backend call.
pub type BackendFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// Declares the backend trait from one list of operations, and every implementation and
/// decorator from the same list: each entry gives the method, DynamoDB's name, the class
/// of the operation (what capacity it reports, which table it names, which rate bucket it
/// draws on, what its errors carry), the SDK's input builder, output and error.
///
/// Classes: `item_read` (one table, reads), `vector_read` (one table, reads, capacity in
/// its own form, not reported), `item_write` (one table, writes; a failed
/// condition carries the item), `batch_read`, `batch_write`, `transact_read`,
/// `transact_write`, `statement`, `batch_statement`, `table` (table administration,
/// no capacity, never rate limited) and `resource` (as `table`, naming the table by its
/// ARN: tags). Adding an operation of an existing class is one line
/// here, its memory implementation, its client operation and its export.
macro_rules! operations {
    ($callback:ident) => {
        $callback! {
            /// `PutItem`
            put_item("PutItem", item_write):
                aws_sdk_dynamodb::operation::put_item::builders::PutItemInputBuilder
                => aws_sdk_dynamodb::operation::put_item::PutItemOutput,
                aws_sdk_dynamodb::operation::put_item::PutItemError;
            /// `GetItem`
            get_item("GetItem", item_read):
                aws_sdk_dynamodb::operation::get_item::builders::GetItemInputBuilder
                => aws_sdk_dynamodb::operation::get_item::GetItemOutput,
                aws_sdk_dynamodb::operation::get_item::GetItemError;
            /// `DeleteItem`
            delete_item("DeleteItem", item_write):
                aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemInputBuilder
                => aws_sdk_dynamodb::operation::delete_item::DeleteItemOutput,
                aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
            /// `UpdateItem`
            update_item("UpdateItem", item_write):
                aws_sdk_dynamodb::operation::update_item::builders::UpdateItemInputBuilder
                => aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
                aws_sdk_dynamodb::operation::update_item::UpdateItemError;
            /// `Query`
            query("Query", item_read):
                aws_sdk_dynamodb::operation::query::builders::QueryInputBuilder
                => aws_sdk_dynamodb::operation::query::QueryOutput,
                aws_sdk_dynamodb::operation::query::QueryError;
            /// `Scan`
            scan("Scan", item_read):
                aws_sdk_dynamodb::operation::scan::builders::ScanInputBuilder
                => aws_sdk_dynamodb::operation::scan::ScanOutput,
                aws_sdk_dynamodb::operation::scan::ScanError;
            /// `BatchGetItem`
            batch_get_item("BatchGetItem", batch_read):
                aws_sdk_dynamodb::operation::batch_get_item::builders::BatchGetItemInputBuilder
                => aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput,
                aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemError;
            /// `SearchVectors`: similarity search on a vector index.
            search_vectors("SearchVectors", vector_read):
                aws_sdk_dynamodb::operation::search_vectors::builders::SearchVectorsInputBuilder
                => aws_sdk_dynamodb::operation::search_vectors::SearchVectorsOutput,
                aws_sdk_dynamodb::operation::search_vectors::SearchVectorsError;
            /// `BatchWriteItem`
            batch_write_item("BatchWriteItem", batch_write):
                aws_sdk_dynamodb::operation::batch_write_item::builders::BatchWriteItemInputBuilder
                => aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput,
                aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemError;
            /// `TransactWriteItems`
            transact_write_items("TransactWriteItems", transact_write):
                aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsInputBuilder
                => aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsOutput,
                aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
            /// `TransactGetItems`
            transact_get_items("TransactGetItems", transact_read):
                aws_sdk_dynamodb::operation::transact_get_items::builders::TransactGetItemsInputBuilder
                => aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsOutput,
                aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsError;
            /// `CreateTable`
            create_table("CreateTable", table):
                aws_sdk_dynamodb::operation::create_table::builders::CreateTableInputBuilder
                => aws_sdk_dynamodb::operation::create_table::CreateTableOutput,
                aws_sdk_dynamodb::operation::create_table::CreateTableError;
            /// `DeleteTable`
            delete_table("DeleteTable", table):
                aws_sdk_dynamodb::operation::delete_table::builders::DeleteTableInputBuilder
                => aws_sdk_dynamodb::operation::delete_table::DeleteTableOutput,
                aws_sdk_dynamodb::operation::delete_table::DeleteTableError;
            /// `DescribeTable`
            describe_table("DescribeTable", table):
                aws_sdk_dynamodb::operation::describe_table::builders::DescribeTableInputBuilder
                => aws_sdk_dynamodb::operation::describe_table::DescribeTableOutput,
                aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
            /// `UpdateTable`
            update_table("UpdateTable", table):
                aws_sdk_dynamodb::operation::update_table::builders::UpdateTableInputBuilder
                => aws_sdk_dynamodb::operation::update_table::UpdateTableOutput,
                aws_sdk_dynamodb::operation::update_table::UpdateTableError;
            /// `UpdateTimeToLive`
            update_time_to_live("UpdateTimeToLive", table):
                aws_sdk_dynamodb::operation::update_time_to_live::builders::UpdateTimeToLiveInputBuilder
                => aws_sdk_dynamodb::operation::update_time_to_live::UpdateTimeToLiveOutput,
                aws_sdk_dynamodb::operation::update_time_to_live::UpdateTimeToLiveError;
            /// `DescribeTimeToLive`
            describe_time_to_live("DescribeTimeToLive", table):
                aws_sdk_dynamodb::operation::describe_time_to_live::builders::DescribeTimeToLiveInputBuilder
                => aws_sdk_dynamodb::operation::describe_time_to_live::DescribeTimeToLiveOutput,
                aws_sdk_dynamodb::operation::describe_time_to_live::DescribeTimeToLiveError;
            /// `TagResource`
            tag_resource("TagResource", resource):
                aws_sdk_dynamodb::operation::tag_resource::builders::TagResourceInputBuilder
                => aws_sdk_dynamodb::operation::tag_resource::TagResourceOutput,
                aws_sdk_dynamodb::operation::tag_resource::TagResourceError;
            /// `UntagResource`
            untag_resource("UntagResource", resource):
                aws_sdk_dynamodb::operation::untag_resource::builders::UntagResourceInputBuilder
                => aws_sdk_dynamodb::operation::untag_resource::UntagResourceOutput,
                aws_sdk_dynamodb::operation::untag_resource::UntagResourceError;
            /// `ListTagsOfResource`
            list_tags_of_resource("ListTagsOfResource", resource):
                aws_sdk_dynamodb::operation::list_tags_of_resource::builders::ListTagsOfResourceInputBuilder
                => aws_sdk_dynamodb::operation::list_tags_of_resource::ListTagsOfResourceOutput,
                aws_sdk_dynamodb::operation::list_tags_of_resource::ListTagsOfResourceError;
            /// `ExecuteStatement` (PartiQL)
            execute_statement("ExecuteStatement", statement):
                aws_sdk_dynamodb::operation::execute_statement::builders::ExecuteStatementInputBuilder
                => aws_sdk_dynamodb::operation::execute_statement::ExecuteStatementOutput,
                aws_sdk_dynamodb::operation::execute_statement::ExecuteStatementError;
            /// `BatchExecuteStatement` (PartiQL)
            batch_execute_statement("BatchExecuteStatement", batch_statement):
                aws_sdk_dynamodb::operation::batch_execute_statement::builders::BatchExecuteStatementInputBuilder
                => aws_sdk_dynamodb::operation::batch_execute_statement::BatchExecuteStatementOutput,
                aws_sdk_dynamodb::operation::batch_execute_statement::BatchExecuteStatementError;
        }
    };
}
pub(crate) use operations;

macro_rules! declare_backend {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {
        /// A DynamoDB: every operation the client runs, on the SDK's request and response
        /// types. Errors are already classified into [`Error`](crate::Error).
        ///
        /// Every method has a default that answers [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported),
        /// so an implementation outside this crate keeps compiling when an operation is added;
        /// implement the ones your backend serves.
        pub trait Backend: Send + Sync + fmt::Debug + 'static {
            /// Where the client reads the change streams of this backend's tables from:
            /// the memory backend serves its own; `None` (the default) when the backend has
            /// none, or when they are read through another client
            /// (`Dynamo::with_streams`, feature `streams`).
            fn change_source(&self) -> Option<std::sync::Arc<dyn changes::ChangeSource>> {
                None
            }
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
            fn change_source(&self) -> Option<std::sync::Arc<dyn changes::ChangeSource>> {
                B::change_source(self)
            }
            $(
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    B::$method(self, input)
                }
            )*
        }
    };
}

operations!(declare_backend);
