//! A distributed lock on a DynamoDB table: conditional writes and leases.
//!
//! Each lock is one item (`lock_key`) holding its owner, a record version that changes on
//! every write, and the time its lease ends. Acquiring writes the item only if there is
//! none or its lease has ended; a heartbeat extends the lease only if the item still has
//! this owner's record version; a release deletes it on the same condition. A holder whose
//! heartbeat or release finds another record version has lost the lock
//! ([`ErrorKind::LockLost`]). Lease ends are wall-clock times, so hosts' clocks must agree
//! to well within a lease.
//!
//! ```
//! # use std::time::Duration;
//! # use dynamo_model::{Dynamo, lock::LockClient};
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let db = Dynamo::memory();
//! let locks = LockClient::new(&db, "locks").lease(Duration::from_secs(10));
//! locks.create_table().await?;
//! let lock = locks.acquire("nightly-report", Duration::from_secs(5)).await?;
//! // ... the work, calling lock.heartbeat() more often than the lease ...
//! lock.release().await?;
//! # Ok::<(), dynamo_model::Error>(())
//! # }).unwrap();
//! ```
//!
//! Every call is an operation: on a blocking client, `wait()` runs it, and `keep_alive`'s
//! heartbeat runs on the blocking client's worker thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::operation::{create_table, delete_item, put_item, update_item};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};

use crate::client::{spawn_background, Dynamo, Steps};
use crate::error::{Error, ErrorKind, Result};

const KEY: &str = "lock_key";
const OWNER: &str = "owner";
const VERSION: &str = "record_version";
const LEASE_END: &str = "lease_end_ms";

/// Locks in one table; see the [module docs](self).
#[derive(Clone)]
pub struct LockClient {
    db: Dynamo,
    table: String,
    owner: String,
    lease: Duration,
    retry_every: Duration,
}

impl std::fmt::Debug for LockClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockClient")
            .field("table", &self.table)
            .field("owner", &self.owner)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

impl LockClient {
    /// Locks stored in `table` (with the client's table prefix), owned by a new random
    /// owner id, with 10-second leases.
    pub fn new(db: &Dynamo, table: &str) -> Self {
        LockClient {
            db: db.clone(),
            table: db.prefixed(table),
            owner: format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
            lease: Duration::from_secs(10),
            retry_every: Duration::from_millis(50),
        }
    }

    /// How long a lease lasts without a heartbeat.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long an acquire waits between attempts while the lock is taken (50 ms).
    pub fn retry_every(mut self, interval: Duration) -> Self {
        self.retry_every = interval;
        self
    }

    /// This client's owner id, written into the locks it holds.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Creates the lock table (on-demand, key `lock_key`).
    ///
    /// # Errors
    ///
    /// As `CreateTable`'s, for example when the table exists.
    pub fn create_table(&self) -> Steps<'_, ()> {
        Steps::new(&self.db, self.create_table_now())
    }

    async fn create_table_now(&self) -> Result<()> {
        let request = create_table::CreateTableInput::builder()
            .table_name(&self.table)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(KEY)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(|e| Error::invalid_operation("LockClient", e.to_string()))?,
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(KEY)
                    .key_type(KeyType::Hash)
                    .build()
                    .map_err(|e| Error::invalid_operation("LockClient", e.to_string()))?,
            )
            .billing_mode(BillingMode::PayPerRequest);
        self.db.backend().create_table(request).await?;
        Ok(())
    }

    /// Takes the lock `name`, waiting up to `timeout` while another owner's lease lasts.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LockTimeout`] when the lock stayed taken; an empty name is refused;
    /// service errors as they come.
    pub fn acquire(&self, name: &str, timeout: Duration) -> Steps<'_, Lock> {
        Steps::new(&self.db, self.acquire_now(name.to_owned(), timeout))
    }

    async fn acquire_now(&self, name: String, timeout: Duration) -> Result<Lock> {
        let name = name.as_str();
        if name.is_empty() {
            return Err(Error::invalid_operation(
                "LockClient",
                "a lock name is empty",
            ));
        }
        let started = Instant::now();
        loop {
            let version = record_version();
            let now = epoch_ms(SystemTime::now());
            let request = put_item::PutItemInput::builder()
                .table_name(&self.table)
                .item(KEY, s(name))
                .item(OWNER, s(&self.owner))
                .item(VERSION, s(&version))
                .item(LEASE_END, n(now + self.lease.as_millis()))
                .condition_expression("attribute_not_exists(#key) OR #end < :now")
                .expression_attribute_names("#key", KEY)
                .expression_attribute_names("#end", LEASE_END)
                .expression_attribute_values(":now", n(now));
            match self.db.backend().put_item(request).await {
                Ok(_) => {
                    return Ok(Lock {
                        locks: self.clone(),
                        name: name.to_owned(),
                        version: Arc::new(std::sync::Mutex::new(version)),
                        lost: Arc::new(AtomicBool::new(false)),
                        heartbeat: None,
                    })
                }
                Err(error) if error.is_conditional_check_failed() => {
                    let waited = started.elapsed();
                    if waited >= timeout {
                        return Err(ErrorKind::LockTimeout {
                            lock: name.to_owned(),
                            waited,
                        }
                        .into());
                    }
                    tokio::time::sleep(self.retry_every.min(timeout - waited)).await;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// A held lock. Call [`Lock::heartbeat`] more often than the lease (or start
/// [`Lock::keep_alive`]), and [`Lock::release`] when done; a lock dropped without release
/// is free again when its lease ends.
#[derive(Debug)]
pub struct Lock {
    locks: LockClient,
    name: String,
    /// The record version this holder last wrote.
    version: Arc<std::sync::Mutex<String>>,
    lost: Arc<AtomicBool>,
    heartbeat: Option<KeepAlive>,
}

/// The background heartbeat of [`Lock::keep_alive`].
#[derive(Debug)]
struct KeepAlive {
    /// Dropped to stop the task between heartbeats.
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Lock {
    /// The lock's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// False once a heartbeat (this holder's or the background one's) found the lock
    /// taken by another owner.
    pub fn is_held(&self) -> bool {
        !self.lost.load(Ordering::SeqCst)
    }

    /// Extends the lease by a full lease from now.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LockLost`] when another owner took the lock since.
    pub fn heartbeat(&self) -> Steps<'_, ()> {
        Steps::new(
            &self.locks.db,
            extend(&self.locks, &self.name, &self.version, &self.lost),
        )
    }

    /// Sends a heartbeat every `interval` in the background until release or drop; a lost
    /// lease shows in [`Lock::is_held`]. The heartbeat runs on the async runtime of the
    /// caller, or on a blocking client's own.
    ///
    /// # Errors
    ///
    /// When no runtime can run it: an async client called outside any async runtime.
    pub fn keep_alive(mut self, interval: Duration) -> Result<Self> {
        let (locks, name) = (self.locks.clone(), self.name.clone());
        let (version, lost) = (Arc::clone(&self.version), Arc::clone(&self.lost));
        let (stop, mut stopped) = tokio::sync::oneshot::channel();
        let task = spawn_background(&self.locks.db, async move {
            // Stops only while waiting: a heartbeat in flight finishes and records its
            // version, which a release right after needs.
            while tokio::time::timeout(interval, &mut stopped).await.is_err() {
                if let Err(error) = extend(&locks, &name, &version, &lost).await {
                    if matches!(error.kind(), ErrorKind::LockLost { .. }) {
                        return;
                    }
                }
            }
        })?;
        self.heartbeat = Some(KeepAlive { stop, task });
        Ok(self)
    }

    /// Gives the lock up (deletes its item, if this holder still has it).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LockLost`] when another owner had taken the lock already.
    pub fn release(self) -> Steps<'static, ()> {
        Steps::owning(self.locks.db.clone(), self.release_now())
    }

    async fn release_now(mut self) -> Result<()> {
        if let Some(KeepAlive { stop, task }) = self.heartbeat.take() {
            // Aborting could cut a heartbeat the server applied before its new version
            // was recorded, and the release would then find a version it does not know.
            drop(stop);
            let _ = task.await;
        }
        let version = current(&self.version);
        let request = delete_item::DeleteItemInput::builder()
            .table_name(&self.locks.table)
            .key(KEY, s(&self.name))
            .condition_expression("#owner = :owner AND #version = :version")
            .expression_attribute_names("#owner", OWNER)
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":owner", s(&self.locks.owner))
            .expression_attribute_values(":version", s(&version));
        match self.locks.db.backend().delete_item(request).await {
            Err(error) if error.is_conditional_check_failed() => {
                self.lost.store(true, Ordering::SeqCst);
                Err(ErrorKind::LockLost {
                    lock: self.name.clone(),
                }
                .into())
            }
            other => other.map(|_| ()),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(keep_alive) = self.heartbeat.take() {
            keep_alive.task.abort();
        }
    }
}

/// One heartbeat: a new record version and lease end, if the item still has ours.
async fn extend(
    locks: &LockClient,
    name: &str,
    version: &std::sync::Mutex<String>,
    lost: &AtomicBool,
) -> Result<()> {
    let expected = current(version);
    let next = record_version();
    let now = epoch_ms(SystemTime::now());
    let request = update_item::UpdateItemInput::builder()
        .table_name(&locks.table)
        .key(KEY, s(name))
        .update_expression("SET #version = :next, #end = :end")
        .condition_expression("#owner = :owner AND #version = :version")
        .expression_attribute_names("#owner", OWNER)
        .expression_attribute_names("#version", VERSION)
        .expression_attribute_names("#end", LEASE_END)
        .expression_attribute_values(":owner", s(&locks.owner))
        .expression_attribute_values(":version", s(&expected))
        .expression_attribute_values(":next", s(&next))
        .expression_attribute_values(":end", n(now + locks.lease.as_millis()));
    match locks.db.backend().update_item(request).await {
        Ok(_) => {
            *version
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = next;
            Ok(())
        }
        Err(error) if error.is_conditional_check_failed() => {
            lost.store(true, Ordering::SeqCst);
            Err(ErrorKind::LockLost {
                lock: name.to_owned(),
            }
            .into())
        }
        Err(error) => Err(error),
    }
}

fn current(version: &std::sync::Mutex<String>) -> String {
    version
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

fn record_version() -> String {
    format!("{:016x}", fastrand::u64(..))
}

fn epoch_ms(time: SystemTime) -> u128 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn n(number: u128) -> AttributeValue {
    AttributeValue::N(number.to_string())
}
