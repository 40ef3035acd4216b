//! A backend that refuses every request with one error, before any network call: what a
//! client with an unusable setting (a table prefix DynamoDB would reject) runs on.

use aws_sdk_dynamodb::operation::{
    batch_execute_statement, batch_get_item, batch_write_item, create_table, delete_item,
    delete_table, describe_table, execute_statement, get_item, put_item, query, scan,
    transact_get_items, transact_write_items, update_item, update_table, update_time_to_live,
};

use super::{operations, Backend, BackendFuture};
use crate::error::Error;

/// Answers every request with an invalid-request error carrying `message`.
#[derive(Debug, Clone)]
pub(crate) struct RefusingBackend {
    pub(crate) message: String,
}

macro_rules! implement_refusing {
    ($($(#[$doc:meta])* $method:ident($name:literal): $input:ty => $output:ty;)*) => {
        impl Backend for RefusingBackend {
            $(
                fn $method(&self, _input: $input) -> BackendFuture<'_, $output> {
                    let error = Error::invalid_request($name, self.message.clone());
                    Box::pin(std::future::ready(Err(error)))
                }
            )*
        }
    };
}

operations!(implement_refusing);
