//! A span per backend call (feature `tracing`): operation, table, latency, consumed
//! capacity and the error, never an item value. Request values are logged only when the
//! subscriber enables the target `dynamo_model::values` at TRACE level: an explicit opt-in.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use tracing::field::Empty;
use tracing::Instrument;

use super::capacity::{Capacity, Reported};
use super::tables::Tables;
use super::{operations, Backend, BackendFuture, VALUES_TARGET};

/// Wraps every call of `inner` in a `dynamodb` span.
pub(crate) struct TracedBackend {
    pub(crate) inner: Arc<dyn Backend>,
}

impl fmt::Debug for TracedBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TracedBackend")
            .field("inner", &self.inner)
            .finish()
    }
}

macro_rules! implement_traced {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {
        impl Backend for TracedBackend {
            $(
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    let span = tracing::info_span!(
                        "dynamodb",
                        db.system = "dynamodb",
                        db.operation = $name,
                        table = %input.tables(),
                        latency_ms = Empty,
                        consumed_capacity = Empty,
                        error = Empty,
                    );
                    tracing::trace!(target: VALUES_TARGET, parent: &span, request = ?input);
                    let recorded = span.clone();
                    Box::pin(
                        async move {
                            let started = Instant::now();
                            let result = self.inner.$method(input.ask()).await;
                            let span = recorded;
                            span.record("latency_ms", started.elapsed().as_secs_f64() * 1000.0);
                            match &result {
                                Ok(output) if !output.consumed().is_empty() => {
                                    let units: f64 = output
                                        .consumed()
                                        .iter()
                                        .filter_map(|c| c.capacity_units())
                                        .sum();
                                    span.record("consumed_capacity", units);
                                }
                                Ok(_) => {}
                                Err(error) => {
                                    span.record("error", tracing::field::display(error));
                                }
                            }
                            result
                        }
                        .instrument(span),
                    )
                }
            )*
        }
    };
}

operations!(implement_traced);
