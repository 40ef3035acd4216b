//! A span per backend call (feature `tracing`): operation, table, latency, consumed
//! capacity and the error, never an item value; and an event when it ends, at a level a
//! plain `fmt()` subscriber shows. Request values are logged only when the client opted in
//! (`Dynamo::trace_values`) and the subscriber enables the target `dynamo_model::values`.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tracing::field::Empty;
use tracing::Instrument;

use super::capacity::{Capacity, Reported};
use super::tables::Tables;
use super::{operations, Backend, BackendFuture, VALUES_TARGET};
use crate::error::{Error, ErrorKind};

/// Wraps every call of `inner` in a `dynamodb` span.
pub(crate) struct TracedBackend {
    pub(crate) inner: Arc<dyn Backend>,
    /// Log requests with their values (the client's opt-in).
    pub(crate) values: Arc<AtomicBool>,
}

/// Milliseconds, to a tenth: `8.8`, not `8.789952999999999`.
fn millis(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0
}

/// The event that ends a failed call: DEBUG for an outcome the caller asked about (a
/// condition that did not hold), WARN for one that may pass when retried, ERROR otherwise.
fn failed(operation: &'static str, table: &str, latency_ms: f64, error: &Error) {
    match error.kind() {
        ErrorKind::ConditionalCheckFailed { .. } | ErrorKind::TransactionCanceled { .. } => {
            tracing::debug!(operation, table, latency_ms, error = %error, "dynamodb condition failed");
        }
        ErrorKind::Throttled { .. } | ErrorKind::Unavailable { .. } => {
            tracing::warn!(operation, table, latency_ms, error = %error, "dynamodb request not done");
        }
        _ => {
            tracing::error!(operation, table, latency_ms, error = %error, "dynamodb request failed")
        }
    }
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
                    let table = input.tables();
                    let span = tracing::info_span!(
                        "dynamodb",
                        db.system = "dynamodb",
                        db.operation = $name,
                        table = %table,
                        latency_ms = Empty,
                        consumed_capacity = Empty,
                        error = Empty,
                    );
                    if self.values.load(Ordering::Relaxed) {
                        tracing::trace!(target: VALUES_TARGET, parent: &span, request = ?input);
                    }
                    let recorded = span.clone();
                    Box::pin(
                        async move {
                            let started = Instant::now();
                            let result = self.inner.$method(input.ask()).await;
                            let span = recorded;
                            let latency_ms = millis(started);
                            span.record("latency_ms", latency_ms);
                            match &result {
                                Ok(output) => {
                                    let units: Option<f64> = (!output.consumed().is_empty()).then(|| {
                                        output
                                            .consumed()
                                            .iter()
                                            .filter_map(|c| c.capacity_units())
                                            .sum()
                                    });
                                    if let Some(units) = units {
                                        span.record("consumed_capacity", units);
                                    }
                                    tracing::debug!(
                                        operation = $name,
                                        table = %table,
                                        latency_ms,
                                        consumed_capacity = units,
                                        "dynamodb request"
                                    );
                                }
                                Err(error) => {
                                    span.record("error", tracing::field::display(error));
                                    failed($name, &table, latency_ms, error);
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
