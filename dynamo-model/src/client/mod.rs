//! The async client: one `Dynamo`, cheap to clone, on any [`Backend`].

mod admin;
mod batch;
mod batch_stream;
mod builder;
mod connect;
mod item;
mod lifecycle;
mod measure;
#[cfg(feature = "s3")]
mod offload;
mod prepare;
mod query;
mod retry;
mod runtime;
mod schema;
mod seal;
mod search;
pub(crate) mod table;
mod tracked;
mod transact;
mod transact_get;

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;

use crate::backend::{AwsBackend, Backend};

use crate::model::Table;

pub use admin::{Steps, TableRequest, TtlRequest};
pub use batch::{
    BatchGet, BatchGetOutcome, BatchWrite, BatchWriteOutcome, DEFAULT_BATCH_CONCURRENCY,
    MAX_BATCH_GET, MAX_BATCH_WRITE,
};
pub use batch_stream::{GetStream, PutStream, StreamOutcome};
pub use builder::{DynamoBuilder, RetryQuota};
pub(crate) use item::BoxFuture;
pub use item::{returns, Delete, Get, Put, UpdateItem, UpdateReturn};
pub(crate) use lifecycle::parse_epoch_seconds;
pub use measure::Measure;
#[cfg(feature = "s3")]
pub use offload::S3Store;
pub(crate) use prepare::{
    delete as prepare_delete, key_item, prepared_item, update as prepare_update, Existing,
    UpdateOptions,
};
pub use query::{Page, Query, Scan, MAX_SEGMENTS_IN_FLIGHT};
pub use retry::RetryPolicy;
pub(crate) use runtime::{spawn_background, BlockingRuntime};
pub use schema::{Billing, PlanTable, SchemaChange, Synced, TablePlan};
pub(crate) use seal::Keys;
pub use search::{Scored, Search, DEFAULT_TOP_K};
pub use table::{CreateTable, TableSet, TableStatus};
pub use tracked::{SaveChanges, SaveRequest, Saved, Tracked};
pub use transact::{TransactItem, TransactUpdate, TransactWrite, MAX_TRANSACTION_ITEMS};
pub use transact_get::{GetResults, TransactGet, TransactGetMany, TransactItems};

/// An operation builder of the client: awaited directly (`IntoFuture`), dry-run with its
/// `to_request()`, and run with [`Wait::wait`](crate::blocking::Wait::wait) on a blocking
/// client.
pub trait Operation: IntoFuture {
    /// The client that runs it.
    #[doc(hidden)]
    fn client(&self) -> &Dynamo;
}

/// The typed update actions of a builder holding an `update: Update<M>`: the single
/// `UpdateItem` and a transaction's update take the same ones.
macro_rules! update_actions {
    () => {
        /// `SET path = value` (checked by the field's validators), or a value from the item:
        /// another field (`&f.name`), a sum or difference of numbers (`&f.price + &f.tax`).
        pub fn set<T, K, Kind>(
            mut self,
            field: impl AsRef<$crate::Field<M, T, K>>,
            value: impl $crate::expr::SetTo<M, T, Kind>,
        ) -> Self {
            self.update = self.update.set(field, value);
            self
        }

        /// `SET path = if_not_exists(path, value)`; the value may be another field of the
        /// model (`&f.name`).
        pub fn set_if_not_exists<T, K, Kind>(
            mut self,
            field: impl AsRef<$crate::Field<M, T, K>>,
            value: impl $crate::expr::TermOf<M, T, Kind>,
        ) -> Self {
            self.update = self.update.set_if_not_exists(field, value);
            self
        }

        $crate::client::forward_actions! {
            /// `SET path = path + value`
            increment(by: impl $crate::expr::ValueFor<T>) where [T: $crate::expr::Numeric];
            /// `SET path = path - value`
            decrement(by: impl $crate::expr::ValueFor<T>) where [T: $crate::expr::Numeric];
            /// `SET path = list_append(if_not_exists(path, []), elements)`
            append(elements: impl $crate::expr::ListValues<T>);
            /// `SET path = list_append(elements, if_not_exists(path, []))`
            prepend(elements: impl $crate::expr::ListValues<T>);
            /// `REMOVE path` (optional fields and sets)
            remove() where [T: $crate::expr::Removable];
            /// `ADD path value` (numbers and sets)
            add(value: impl $crate::expr::AddValue<T>);
            /// `DELETE path elements` (sets)
            delete(elements: impl $crate::expr::DeleteValue<T>);
        }

        /// `REMOVE path[index]`
        pub fn remove_at<T, K>(
            mut self,
            list: impl AsRef<$crate::Field<M, Vec<T>, K>>,
            index: u32,
        ) -> Self {
            self.update = self.update.remove_at(list, index);
            self
        }

        /// Replaces the actions with `update`, built beforehand.
        pub fn with(mut self, update: $crate::expr::Update<M>) -> Self {
            self.update = update;
            self
        }
    };
}
pub(crate) use update_actions;

/// One forwarding method per update action.
macro_rules! forward_actions {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) $(where [$($bound:tt)*])?;)*) => {$(
        $(#[$doc])*
        pub fn $name<T, K>(mut self, field: impl AsRef<$crate::Field<M, T, K>>, $($arg: $ty),*) -> Self
        $(where $($bound)*)?
        {
            self.update = self.update.$name(field, $($arg),*);
            self
        }
    )*};
}
pub(crate) use forward_actions;

/// Makes a builder an [`Operation`], with a `Debug` that names it (the request itself is
/// what `to_request()` shows). Invoked next to each builder.
macro_rules! operation {
    ($builder:ident) => {
        $crate::client::operation!($builder<>);
    };
    ($builder:ident<$($param:ident),*>) => {
        impl<$($param),*> std::fmt::Debug for $builder<'_, $($param),*> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($builder)).finish_non_exhaustive()
            }
        }

        impl<$($param),*> $crate::client::Operation for $builder<'_, $($param),*>
        where
            Self: std::future::IntoFuture,
        {
            fn client(&self) -> &$crate::client::Dynamo {
                self.db
            }
        }
    };
}
pub(crate) use operation;

/// The DynamoDB client: every operation, on DynamoDB through `aws-sdk-dynamodb` or on any
/// other [`Backend`].
///
/// Clones share one backend (an `Arc`); they are cheap and safe to send across tasks.
#[derive(Clone)]
pub struct Dynamo {
    backend: Arc<dyn Backend>,
    table_prefix: Arc<str>,
    retry: RetryPolicy,
    /// The runtime `wait()` runs operations on, for clients made by
    /// [`blocking::Dynamo`](crate::blocking::Dynamo).
    runtime: Option<Arc<BlockingRuntime>>,
    /// Whether requests are logged with their values ([`Dynamo::trace_values`]).
    #[cfg(feature = "tracing")]
    values: Arc<std::sync::atomic::AtomicBool>,
    /// The key providers of encrypted attributes (feature `encryption`).
    keys: seal::Keys,
    /// What the requests of this client and its clones cost.
    meter: Arc<crate::backend::Meter>,
    /// Where the change streams of its tables are read from.
    changes: Option<Arc<dyn crate::backend::changes::ChangeSource>>,
}

impl fmt::Debug for Dynamo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dynamo")
            .field("backend", &self.backend)
            .field("table_prefix", &self.table_prefix)
            .field("retry", &self.retry)
            .field("keys", &self.keys)
            .finish()
    }
}

impl Dynamo {
    /// A client on an SDK client you configured (retries, timeouts, endpoint, credentials).
    pub fn new(client: aws_sdk_dynamodb::Client) -> Self {
        Dynamo::with_backend(AwsBackend::new(client))
    }

    /// A client on the embedded in-memory backend: DynamoDB's semantics in process, empty,
    /// with no server and no credentials. Clones share the store.
    pub fn memory() -> Self {
        Dynamo::with_backend(crate::backend::MemoryBackend::new())
    }

    /// A client on an embedded store you hold, to share it or to save it
    /// ([`MemoryBackend::save`](crate::backend::MemoryBackend::save), feature `serde_json`).
    pub fn with_memory(store: &crate::backend::MemoryBackend) -> Self {
        Dynamo::with_backend(store.clone())
    }

    /// A client on any backend.
    ///
    /// With the `tracing` feature, every call runs in a `dynamodb` span (operation, table,
    /// latency, consumed capacity, error) and ends with an event: DEBUG when it succeeded
    /// (or a condition failed), WARN when it was throttled or did not complete, ERROR
    /// otherwise. Request values are never logged, unless `trace_values`
    /// turned them on.
    pub fn with_backend(backend: impl Backend) -> Self {
        let meter = Arc::new(crate::backend::Meter::default());
        let changes = backend.change_source();
        let backend: Arc<dyn Backend> = Arc::new(crate::backend::MeteredBackend {
            inner: Arc::new(backend),
            meter: Arc::clone(&meter),
        });
        #[cfg(feature = "tracing")]
        let values = Arc::new(std::sync::atomic::AtomicBool::new(false));
        #[cfg(feature = "tracing")]
        let backend: Arc<dyn Backend> = Arc::new(crate::backend::TracedBackend {
            inner: backend,
            values: Arc::clone(&values),
        });
        Dynamo {
            backend,
            table_prefix: Arc::from(""),
            retry: RetryPolicy::default(),
            runtime: None,
            #[cfg(feature = "tracing")]
            values,
            keys: seal::Keys::default(),
            meter,
            changes,
        }
    }

    /// The same client, reading the change streams of its tables
    /// ([`changes`](Dynamo::changes)) from `source`: a test double, or
    /// [`AwsStreams`](crate::backend::AwsStreams) (feature `streams`).
    pub fn with_change_source(&self, source: impl crate::backend::changes::ChangeSource) -> Self {
        Dynamo {
            changes: Some(Arc::new(source)),
            ..self.clone()
        }
    }

    /// The same client, reading the change streams of its tables
    /// ([`changes`](Dynamo::changes)) with a DynamoDB Streams client (feature `streams`).
    /// Give it the same endpoint, region and credentials as the DynamoDB client.
    #[cfg(feature = "streams")]
    pub fn with_streams(&self, client: aws_sdk_dynamodbstreams::Client) -> Self {
        self.with_change_source(crate::backend::AwsStreams::new(client))
    }

    /// Where the change streams of this client's tables are read from.
    pub(crate) fn change_source(&self) -> Option<Arc<dyn crate::backend::changes::ChangeSource>> {
        self.changes.clone()
    }

    /// Logs every request in full, item values included, as TRACE events of the target
    /// [`VALUES_TARGET`](crate::backend::VALUES_TARGET) (feature `tracing`), for this client
    /// and its clones. Off by default, whatever the subscriber enables: values may be
    /// personal data.
    #[cfg(feature = "tracing")]
    pub fn trace_values(&self, on: bool) {
        self.values.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// The same client, with table names prefixed by `prefix` (`dev_` + `users`): one
    /// account or one DynamoDB Local for several environments or parallel tests.
    ///
    /// A prefix DynamoDB would reject in a table name (characters other than `a-z A-Z 0-9
    /// _ - .`, or longer than 252) makes every request of the new client fail with an
    /// invalid-request error, before sending anything; so does a request whose prefixed
    /// table name is over 255 characters.
    pub fn with_table_prefix(&self, prefix: impl AsRef<str>) -> Self {
        let prefix = prefix.as_ref();
        let client = Dynamo {
            table_prefix: Arc::from(prefix),
            ..self.clone()
        };
        match table_prefix_problem(prefix) {
            None if prefix.is_empty() => client,
            // With a prefix, a long table name can pass DynamoDB's 255 characters.
            None => Dynamo {
                backend: Arc::new(crate::backend::TableNameLimit {
                    inner: Arc::clone(&self.backend),
                }),
                ..client
            },
            Some(message) => Dynamo {
                backend: Arc::new(crate::backend::RefusingBackend { message }),
                ..client
            },
        }
    }

    /// The same client with another retry policy for unprocessed batch items and
    /// conflicting transactions (transient errors are retried by the SDK).
    pub fn with_retry(&self, retry: RetryPolicy) -> Self {
        Dynamo {
            retry,
            ..self.clone()
        }
    }

    /// The same client, reporting the consumed capacity of every response to `observer`
    /// (it asks for `ReturnConsumedCapacity = TOTAL` on every data operation).
    ///
    /// ```no_run
    /// # async fn run(db: dynamo_model::Dynamo) {
    /// use std::sync::{Arc, Mutex};
    /// let units = Arc::new(Mutex::new(0.0));
    /// let counter = Arc::clone(&units);
    /// let db = db.with_capacity_observer(move |operation, capacity| {
    ///     *counter.lock().unwrap() += capacity.capacity_units().unwrap_or(0.0);
    /// });
    /// # }
    /// ```
    pub fn with_capacity_observer(
        &self,
        observer: impl Fn(&'static str, &aws_sdk_dynamodb::types::ConsumedCapacity)
            + Send
            + Sync
            + 'static,
    ) -> Self {
        Dynamo {
            backend: Arc::new(crate::backend::ObservedBackend {
                inner: Arc::clone(&self.backend),
                observer: Arc::new(observer),
            }),
            ..self.clone()
        }
    }

    /// The same client, waiting for `limit` before every data operation: reads draw on
    /// its RCU, writes on its WCU, by the capacity each response reports. Clients given
    /// the same limit (or clones of it) share it.
    ///
    /// ```
    /// # use dynamo_model::{Dynamo, backend::RateLimit};
    /// let db = Dynamo::memory().with_rate_limit(&RateLimit::fixed(100.0, 25.0));
    /// ```
    pub fn with_rate_limit(&self, limit: &crate::backend::RateLimit) -> Self {
        self.limited(limit, Vec::new())
    }

    /// The same client, limiting only the operations on model `M`'s table (its other
    /// tables keep whatever limit this client has).
    pub fn with_rate_limit_for<M: Table>(&self, limit: &crate::backend::RateLimit) -> Self {
        self.limited(limit, vec![self.table_name::<M>()])
    }

    fn limited(&self, limit: &crate::backend::RateLimit, tables: Vec<String>) -> Self {
        Dynamo {
            backend: Arc::new(crate::backend::RateLimitedBackend::new(
                Arc::clone(&self.backend),
                limit.clone(),
                tables,
            )),
            ..self.clone()
        }
    }

    /// The backend, for calls this crate does not wrap.
    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    /// The table name model `M` is stored in, with this client's prefix.
    pub fn table_name<M: Table>(&self) -> String {
        format!("{}{}", self.table_prefix, M::meta().table)
    }

    /// A table name with this client's prefix.
    pub(crate) fn prefixed(&self, table: &str) -> String {
        format!("{}{table}", self.table_prefix)
    }

    /// The key providers this client encrypts with (none without the `encryption`
    /// feature).
    pub(crate) fn keys(&self) -> &seal::Keys {
        &self.keys
    }

    pub(crate) fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The same client, running `wait()` on `runtime`.
    pub(crate) fn with_runtime(&self, runtime: Arc<BlockingRuntime>) -> Self {
        Dynamo {
            runtime: Some(runtime),
            ..self.clone()
        }
    }

    /// The runtime of a blocking client.
    pub(crate) fn runtime(&self) -> Option<&Arc<BlockingRuntime>> {
        self.runtime.as_ref()
    }
}

/// What makes `prefix` unusable in DynamoDB table names (3 to 255 of `a-z A-Z 0-9 _ - .`,
/// and model table names have at least 3).
fn table_prefix_problem(prefix: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if let Some(bad) = prefix.chars().find(|c| !allowed(*c)) {
        return Some(format!(
            "the table prefix `{prefix}` has {bad:?}; DynamoDB table names take only a-z A-Z 0-9 _ - ."
        ));
    }
    (prefix.len() > 252).then(|| {
        format!(
            "the table prefix is {} characters; DynamoDB table names are at most 255",
            prefix.len()
        )
    })
}
