//! The runtime that the blocking client's `wait()` runs operations on.

use std::future::Future;

use crate::error::{Error, ErrorKind, Result};

/// The runtime a blocking client runs operations on. Dropped without blocking, so a
/// blocking client may be dropped anywhere, inside an async task too.
#[derive(Debug)]
pub(crate) struct BlockingRuntime(Option<tokio::runtime::Runtime>);

impl BlockingRuntime {
    pub(crate) fn new() -> Result<Self> {
        tokio::runtime::Builder::new_current_thread()
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

impl Drop for BlockingRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}
