//! The runtime that the blocking client's `wait()` runs operations on.

use std::future::Future;

use crate::error::{Error, ErrorKind, Result};

/// The runtime a blocking client runs operations on. It has one worker thread, so that
/// background tasks (a lock's heartbeat) run between the caller's `wait()`s. Dropped
/// without blocking, so a blocking client may be dropped anywhere, inside an async task too.
#[derive(Debug)]
pub(crate) struct BlockingRuntime(Option<tokio::runtime::Runtime>);

impl BlockingRuntime {
    pub(crate) fn new() -> Result<Self> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("dynamo-model-blocking")
            .enable_all()
            .build()
            .map(|runtime| BlockingRuntime(Some(runtime)))
            .map_err(|e| {
                ErrorKind::Service {
                    operation: "blocking client",
                    code: None,
                    message: format!("cannot start its runtime: {e}"),
                    source: crate::error::ErrorSource::new(e),
                }
                .into()
            })
    }

    pub(crate) fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::invalid_operation(
                "blocking client",
                "`wait()` was called inside an async runtime, where it would block the runtime's thread: `.await` the operation instead",
            ));
        }
        match &self.0 {
            Some(runtime) => Ok(runtime.block_on(future)),
            None => Err(Error::invalid_operation(
                "blocking client",
                "its runtime was shut down",
            )),
        }
    }
}

/// Spawns a background task on the ambient runtime, or else on the blocking client's
/// runtime of `db`.
pub(crate) fn spawn_background<F>(
    db: &crate::client::Dynamo,
    task: F,
) -> Result<tokio::task::JoinHandle<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        return Ok(handle.spawn(task));
    }
    match db.runtime().and_then(|runtime| runtime.0.as_ref()) {
        Some(runtime) => Ok(runtime.spawn(task)),
        None => Err(Error::invalid_operation(
            "background task",
            "no async runtime runs here: call it inside one, or use a client made by `dynamo_model::blocking::Dynamo`",
        )),
    }
}

impl Drop for BlockingRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}
