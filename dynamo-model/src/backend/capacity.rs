//! Consumed capacity of every response, reported to an observer: a backend wrapper that asks
//! for `ReturnConsumedCapacity = TOTAL` on every data operation and hands each response's
//! consumed capacity to a callback.

use std::fmt;
use std::sync::Arc;

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

/// How each class of operation reports capacity: single-table data operations one entry,
/// batches and transactions one per table, table administration none.
macro_rules! capacity_of {
    (item_read, $input:ty, $output:ty) => { one!($input => $output); };
    (item_write, $input:ty, $output:ty) => { one!($input => $output); };
    (statement, $input:ty, $output:ty) => { one!($input => $output); };
    (batch_read, $input:ty, $output:ty) => { many!($input => $output); };
    (batch_write, $input:ty, $output:ty) => { many!($input => $output); };
    (transact_read, $input:ty, $output:ty) => { many!($input => $output); };
    (transact_write, $input:ty, $output:ty) => { many!($input => $output); };
    (batch_statement, $input:ty, $output:ty) => { many!($input => $output); };
    (table, $input:ty, $output:ty) => { none!($input => $output); };
    (vector_read, $input:ty, $output:ty) => { none!($input => $output); };
    (resource, $input:ty, $output:ty) => { none!($input => $output); };
}

macro_rules! capacity_by_class {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {$(capacity_of!($class, $input, $output);)*};
}

operations!(capacity_by_class);

macro_rules! implement_observed {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {
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
