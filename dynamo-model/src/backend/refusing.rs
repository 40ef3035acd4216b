//! Backends that refuse requests before any network call: every request, for a client with
//! an unusable setting (a table prefix DynamoDB would reject); or those naming a table
//! longer than DynamoDB takes, for a client with a prefix.

use super::tables::Tables;
use super::{operations, Backend, BackendFuture};
use crate::error::Error;

/// Answers every request with an invalid-request error carrying `message`.
#[derive(Debug, Clone)]
pub(crate) struct RefusingBackend {
    pub(crate) message: String,
}

macro_rules! implement_refusing {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {
        impl Backend for RefusingBackend {
            $(
                fn $method(&self, _input: $input) -> BackendFuture<'_, $output> {
                    let error = Error::invalid_operation($name, self.message.clone());
                    Box::pin(std::future::ready(Err(error)))
                }
            )*
        }
    };
}

operations!(implement_refusing);

/// Refuses a request that names a table over DynamoDB's 255 characters (a long client
/// prefix before a long table name) before sending it; passes every other to `inner`.
#[derive(Debug, Clone)]
pub(crate) struct TableNameLimit {
    pub(crate) inner: std::sync::Arc<dyn Backend>,
}

/// The longest table name DynamoDB takes.
const MAX_TABLE_NAME: usize = 255;

macro_rules! implement_name_limit {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {
        impl Backend for TableNameLimit {
            $(
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    let tables = input.tables();
                    if let Some(long) = tables.split(',').find(|name| name.len() > MAX_TABLE_NAME) {
                        let error = Error::invalid_operation(
                            $name,
                            format!(
                                "the table name `{long}` is {} characters; DynamoDB takes at most {MAX_TABLE_NAME}: shorten the client's table prefix",
                                long.len()
                            ),
                        );
                        return Box::pin(std::future::ready(Err(error)));
                    }
                    self.inner.$method(input)
                }
            )*
        }
    };
}

operations!(implement_name_limit);
