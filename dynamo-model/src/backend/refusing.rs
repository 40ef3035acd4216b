//! A backend that refuses every request with one error, before any network call: what a
//! client with an unusable setting (a table prefix DynamoDB would reject) runs on.

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
