//! A blocking client, for scripts, CLIs and sync code: the same operations and builders as
//! the async [`Dynamo`](crate::Dynamo), finished with [`wait()`](Wait::wait) instead of
//! `.await` (like `reqwest::blocking`).
//!
//! ```
//! use dynamo_model::blocking::{Dynamo, Iterate, Wait};
//! use dynamo_model::DynamoModel;
//!
//! #[derive(Debug, PartialEq, DynamoModel)]
//! #[dynamo(table = "users", hash_key = "id")]
//! struct User { id: String, age: u32 }
//!
//! let db = Dynamo::memory()?;
//! db.create_table::<User>().wait()?;
//! db.put(&User { id: "u1".into(), age: 36 }).wait()?;
//! db.update::<User>("u1").increment(User::fields().age, 1).wait()?;
//! assert_eq!(db.get::<User>("u1").wait()?, Some(User { id: "u1".into(), age: 37 }));
//! let page = db.query::<User>("u1").page().wait()?;
//! assert_eq!(page.items.len(), 1);
//! for user in db.scan::<User>().iter() {   // pages fetched as the loop reaches them
//!     println!("{}", user?.id);
//! }
//! # Ok::<(), dynamo_model::Error>(())
//! ```
//!
//! Each client owns a small tokio runtime with one worker thread (for background work such
//! as a lock's heartbeat), shared by its clones. Calling `wait()` from inside an async
//! runtime is an error (await the operation there instead).

use std::future::IntoFuture;
use std::ops::Deref;
use std::sync::Arc;

use futures_util::stream::{BoxStream, StreamExt};

use crate::client::{BlockingRuntime, Operation, Query, RetryPolicy, Scan, TableSet};
use crate::error::{Error, Result};
use crate::expr::KeySchema;
use crate::model::collection::Load;
use crate::model::Table;

/// The blocking client: every builder of the async [`crate::Dynamo`] (through `Deref`), and
/// [`Wait::wait`] to run one.
///
/// Clones share the backend and the runtime.
#[derive(Debug, Clone)]
pub struct Dynamo {
    inner: crate::Dynamo,
}

impl Deref for Dynamo {
    type Target = crate::Dynamo;

    fn deref(&self) -> &crate::Dynamo {
        &self.inner
    }
}

impl Dynamo {
    /// A blocking client on the embedded in-memory backend.
    ///
    /// # Errors
    ///
    /// When the runtime cannot start (the OS refused a thread or an event queue).
    pub fn memory() -> Result<Self> {
        Dynamo::from_async(crate::Dynamo::memory())
    }

    /// A blocking client on an SDK client you configured.
    ///
    /// # Errors
    ///
    /// As [`Dynamo::memory`].
    pub fn new(client: aws_sdk_dynamodb::Client) -> Result<Self> {
        Dynamo::from_async(crate::Dynamo::new(client))
    }

    /// A blocking client configured by the standard AWS chain, as
    /// [`crate::Dynamo::from_env`].
    ///
    /// # Errors
    ///
    /// As [`Dynamo::memory`].
    pub fn from_env() -> Result<Self> {
        let runtime = Arc::new(BlockingRuntime::new()?);
        let inner = runtime.block_on(crate::Dynamo::from_env())??;
        Ok(Dynamo {
            inner: inner.with_runtime(runtime),
        })
    }

    /// A blocking client on the backend of an async client (a memory store, a configured
    /// SDK client), with a runtime of its own.
    ///
    /// # Errors
    ///
    /// As [`Dynamo::memory`].
    pub fn from_async(client: crate::Dynamo) -> Result<Self> {
        let runtime = Arc::new(BlockingRuntime::new()?);
        Ok(Dynamo {
            inner: client.with_runtime(runtime),
        })
    }

    /// A blocking client on the embedded backend with the tables of `T` created.
    ///
    /// # Errors
    ///
    /// As [`Dynamo::memory`], and table creation errors.
    pub fn memory_with<T: TableSet>() -> Result<Self> {
        let db = Dynamo::memory()?;
        db.block_on(db.inner.create_tables::<T>())??;
        Ok(db)
    }

    /// The same client with table names prefixed by `prefix`.
    pub fn with_table_prefix(&self, prefix: impl AsRef<str>) -> Self {
        Dynamo {
            inner: self.inner.with_table_prefix(prefix),
        }
    }

    /// The same client with another retry policy.
    pub fn with_retry(&self, retry: RetryPolicy) -> Self {
        Dynamo {
            inner: self.inner.with_retry(retry),
        }
    }

    /// The async client underneath (sharing backend and runtime).
    pub fn as_async(&self) -> &crate::Dynamo {
        &self.inner
    }

    /// Runs any future of this client to completion: the async-only calls
    /// (`query(..).page()`, `describe_table`, `delete_table`...).
    ///
    /// # Errors
    ///
    /// When called inside an async runtime.
    pub fn block_on<F: IntoFuture>(&self, future: F) -> Result<F::Output> {
        self.runtime()?.block_on(future.into_future())
    }

    /// [`crate::Dynamo::save`], blocking.
    ///
    /// # Errors
    ///
    /// As `save`.
    pub fn save<M: Table + Send + Sync>(&self, model: &mut M) -> Result<()> {
        self.inner.save(model).wait()
    }

    fn runtime(&self) -> Result<&BlockingRuntime> {
        runtime_of(&self.inner)
    }
}

fn runtime_of(client: &crate::Dynamo) -> Result<&BlockingRuntime> {
    client.runtime().map(Arc::as_ref).ok_or_else(not_blocking)
}

/// Runs an operation to completion on the blocking client's runtime.
pub trait Wait {
    /// What the operation resolves to.
    type Output;

    /// Sends the operation and blocks until it is done.
    ///
    /// # Errors
    ///
    /// The operation's own errors; also an error when the builder comes from an async client
    /// or `wait()` runs inside an async runtime.
    fn wait(self) -> Result<Self::Output>;
}

/// Every operation builder of the client runs with `wait()` on a blocking client.
impl<O, T> Wait for O
where
    O: Operation + IntoFuture<Output = Result<T>>,
{
    type Output = T;

    fn wait(self) -> Result<T> {
        let runtime = self.client().runtime().cloned().ok_or_else(not_blocking)?;
        runtime.block_on(self.into_future())?
    }
}

/// Reads a query's or a scan's items one at a time on a blocking client, as
/// [`Query::stream`] and [`Scan::stream`] do on an async one.
pub trait Iterate<'a> {
    /// What each item decodes to.
    type Item;

    /// The items, each page fetched when the iteration reaches it. An error (a service
    /// error, a decode error, an async client) is the last item.
    fn iter(self) -> Items<'a, Self::Item>;
}

impl<'a, M, S, O> Iterate<'a> for Query<'a, M, S, O>
where
    M: Table + Send + 'a,
    S: KeySchema<Model = M> + 'a,
    O: Load + Send + 'a,
{
    type Item = O;

    fn iter(self) -> Items<'a, O> {
        Items::new(self.client().runtime().cloned(), self.stream())
    }
}

impl<'a, M: Table + Send + 'a, O: Load + Send + 'a> Iterate<'a> for Scan<'a, M, O> {
    type Item = O;

    fn iter(self) -> Items<'a, O> {
        Items::new(self.client().runtime().cloned(), self.stream())
    }
}

/// The items of a query or a scan on a blocking client; see [`Iterate`].
#[must_use = "an iterator does nothing until read"]
pub struct Items<'a, T> {
    runtime: Option<Arc<BlockingRuntime>>,
    stream: BoxStream<'a, Result<T>>,
    done: bool,
}

impl<'a, T> Items<'a, T> {
    fn new(runtime: Option<Arc<BlockingRuntime>>, stream: BoxStream<'a, Result<T>>) -> Self {
        Items {
            runtime,
            stream,
            done: false,
        }
    }
}

impl<T> std::fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T> Iterator for Items<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        if self.done {
            return None;
        }
        let next = match &self.runtime {
            Some(runtime) => runtime.block_on(self.stream.next()),
            None => Err(not_blocking()),
        };
        match next {
            Ok(Some(Ok(item))) => Some(Ok(item)),
            Ok(None) => {
                self.done = true;
                None
            }
            Ok(Some(Err(error))) | Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

fn not_blocking() -> Error {
    Error::invalid_operation(
        "blocking client",
        "`wait()` needs a client made by `dynamo_model::blocking::Dynamo`; with the async client, `.await` the operation",
    )
}
