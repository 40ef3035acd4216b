//! Table administration as operations: each is a builder, awaited directly, with
//! `to_request()` where it sends one request, and `wait()` on a blocking client.

use std::future::{Future, IntoFuture};
use std::time::Duration;

use aws_sdk_dynamodb::operation::{
    delete_table, describe_table, update_table, update_time_to_live,
};
use aws_sdk_dynamodb::types::{TableDescription, TableStatus, TimeToLiveSpecification};

use super::item::BoxFuture;
use super::Dynamo;
use crate::backend::{Backend, BackendFuture};
use crate::error::{Error, Result};
use crate::model::Table;

/// A table operation of one request (`DeleteTable`, `DescribeTable`, `UpdateTimeToLive`,
/// `UpdateTable`): its request `I`, the backend call that sends it, and what its output `O`
/// resolves to.
#[must_use = "an operation does nothing until awaited"]
pub struct TableRequest<'a, I, O, T> {
    pub(crate) db: &'a Dynamo,
    request: Result<I>,
    send: for<'b> fn(&'b dyn Backend, I) -> BackendFuture<'b, O>,
    finish: fn(O) -> Result<T>,
}

/// `UpdateTimeToLive`: [`Dynamo::enable_ttl`] and [`Dynamo::disable_ttl`].
pub type TtlRequest<'a> = TableRequest<
    'a,
    update_time_to_live::builders::UpdateTimeToLiveInputBuilder,
    update_time_to_live::UpdateTimeToLiveOutput,
    (),
>;

impl<I: Clone, O, T> TableRequest<'_, I, O, T> {
    /// The request this sends (a dry run).
    ///
    /// # Errors
    ///
    /// What building the request found wrong, as the send would report it.
    pub fn to_request(&self) -> Result<I> {
        self.request.clone()
    }
}

impl<'a, I, O, T> IntoFuture for TableRequest<'a, I, O, T>
where
    I: Send + 'a,
    O: Send + 'a,
    T: Send + 'a,
{
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'a, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let output = (self.send)(self.db.backend(), self.request?).await?;
            (self.finish)(output)
        })
    }
}

impl<I, O, T> std::fmt::Debug for TableRequest<'_, I, O, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableRequest").finish_non_exhaustive()
    }
}

impl<I, O, T> super::Operation for TableRequest<'_, I, O, T>
where
    Self: IntoFuture,
{
    fn client(&self) -> &Dynamo {
        self.db
    }
}

/// An operation of several steps (polling until a table is active, creating several
/// tables, a save that copies generated values back): awaited directly, `wait()` on a
/// blocking client.
#[must_use = "an operation does nothing until awaited"]
pub struct Steps<'a, T> {
    /// The client whose blocking runtime `wait()` uses: borrowed, or a clone when the steps
    /// own what they run on (a lock's release).
    db: std::borrow::Cow<'a, Dynamo>,
    run: BoxFuture<'a, Result<T>>,
}

impl<'a, T> Steps<'a, T> {
    pub(crate) fn new(db: &'a Dynamo, run: impl Future<Output = Result<T>> + Send + 'a) -> Self {
        Steps {
            db: std::borrow::Cow::Borrowed(db),
            run: Box::pin(run),
        }
    }

    /// Steps that keep a clone of the client (which shares its backend and runtime).
    pub(crate) fn owning(db: Dynamo, run: impl Future<Output = Result<T>> + Send + 'a) -> Self {
        Steps {
            db: std::borrow::Cow::Owned(db),
            run: Box::pin(run),
        }
    }
}

impl<'a, T: 'a> IntoFuture for Steps<'a, T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'a, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        self.run
    }
}

impl<T> std::fmt::Debug for Steps<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Steps").finish_non_exhaustive()
    }
}

impl<'a, T: 'a> super::Operation for Steps<'a, T> {
    fn client(&self) -> &Dynamo {
        &self.db
    }
}

fn done<O>(_: O) -> Result<()> {
    Ok(())
}

impl Dynamo {
    /// Deletes the table of `M`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::ResourceNotFound`](crate::ErrorKind::ResourceNotFound) when it does not
    /// exist, and service errors.
    pub fn delete_table<M: Table>(
        &self,
    ) -> TableRequest<
        '_,
        delete_table::builders::DeleteTableInputBuilder,
        delete_table::DeleteTableOutput,
        (),
    > {
        TableRequest {
            db: self,
            request: Ok(
                delete_table::DeleteTableInput::builder().table_name(self.table_name::<M>())
            ),
            send: |backend, input| backend.delete_table(input),
            finish: done,
        }
    }

    /// Describes the table of `M`, as the SDK gives it ([`Dynamo::describe`] is typed).
    ///
    /// # Errors
    ///
    /// Not found and service errors.
    pub fn describe_table<M: Table>(
        &self,
    ) -> TableRequest<
        '_,
        describe_table::builders::DescribeTableInputBuilder,
        describe_table::DescribeTableOutput,
        TableDescription,
    > {
        TableRequest {
            db: self,
            request: Ok(
                describe_table::DescribeTableInput::builder().table_name(self.table_name::<M>())
            ),
            send: |backend, input| backend.describe_table(input),
            finish: |output| {
                output.table.ok_or_else(|| {
                    Error::invalid_operation("DescribeTable", "no table in the answer")
                })
            },
        }
    }

    /// Waits until the table of `M` is active (polling `DescribeTable`, up to `timeout`).
    ///
    /// # Errors
    ///
    /// Not found, service errors, or the timeout passing first.
    pub fn wait_until_active<M: Table>(&self, timeout: Duration) -> Steps<'_, ()> {
        Steps::new(self, async move {
            let deadline = tokio::time::Instant::now() + timeout;
            loop {
                let status = self.describe_table::<M>().await?.table_status;
                if status == Some(TableStatus::Active) {
                    return Ok(());
                }
                if tokio::time::Instant::now() >= deadline {
                    return Err(Error::invalid_request(
                        M::NAME,
                        format!(
                            "table `{}` was not active after {timeout:?}",
                            self.table_name::<M>()
                        ),
                    ));
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    }

    /// Enables time to live on the table of `M`, with `attribute` holding epoch seconds.
    ///
    /// # Errors
    ///
    /// Not found and service errors.
    pub fn enable_ttl<M: Table>(&self, attribute: &str) -> TtlRequest<'_> {
        self.ttl_request::<M>(attribute, true)
    }

    /// Disables time to live on the table of `M` (`attribute` is the one it uses now).
    ///
    /// # Errors
    ///
    /// Not found and service errors.
    pub fn disable_ttl<M: Table>(&self, attribute: &str) -> TtlRequest<'_> {
        self.ttl_request::<M>(attribute, false)
    }

    fn ttl_request<M: Table>(&self, attribute: &str, enabled: bool) -> TtlRequest<'_> {
        let request = TimeToLiveSpecification::builder()
            .attribute_name(attribute)
            .enabled(enabled)
            .build()
            .map_err(|e| Error::invalid_request(M::NAME, e.to_string()))
            .map(|spec| {
                update_time_to_live::UpdateTimeToLiveInput::builder()
                    .table_name(self.table_name::<M>())
                    .time_to_live_specification(spec)
            });
        TableRequest {
            db: self,
            request,
            send: |backend, input| backend.update_time_to_live(input),
            finish: done,
        }
    }

    /// Adds replicas of the table of `M` in `regions` (a global table, version
    /// 2019.11.21).
    ///
    /// # Errors
    ///
    /// Service errors (DynamoDB Local does not support global tables).
    pub fn add_replicas<M: Table>(
        &self,
        regions: &[&str],
    ) -> TableRequest<
        '_,
        update_table::builders::UpdateTableInputBuilder,
        update_table::UpdateTableOutput,
        (),
    > {
        TableRequest {
            db: self,
            request: Ok(self.replica_request::<M>(regions)),
            send: |backend, input| backend.update_table(input),
            finish: done,
        }
    }
}
