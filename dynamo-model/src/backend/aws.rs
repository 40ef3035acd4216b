//! The backend on `aws-sdk-dynamodb`: each request is sent as built, and SDK errors become
//! [`ErrorKind`](crate::ErrorKind)s with the SDK error kept as the source.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::{execute_statement, transact_get_items, transact_write_items};
use aws_sdk_dynamodb::Client;

use super::{operations, Backend, BackendFuture};
use crate::error::{CancellationReason, Error, ErrorKind, ErrorSource};
use crate::value::Item;

/// The backend that sends requests to DynamoDB (or DynamoDB Local) with the SDK.
#[derive(Debug, Clone)]
pub struct AwsBackend {
    client: Client,
}

impl AwsBackend {
    /// A backend on an SDK client.
    pub fn new(client: Client) -> Self {
        AwsBackend { client }
    }

    /// The SDK client, for calls this crate does not wrap.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// What an operation's error may carry beyond its code: the item of a failed condition,
/// the reasons of a cancelled transaction.
trait ErrorDetails {
    fn condition_item(&self) -> Option<Item> {
        None
    }

    fn cancellation_reasons(&self) -> Option<Vec<CancellationReason>> {
        None
    }
}

macro_rules! condition_item {
    ($($error:ty),*) => {$(
        impl ErrorDetails for $error {
            fn condition_item(&self) -> Option<Item> {
                match self {
                    Self::ConditionalCheckFailedException(e) => e.item().cloned(),
                    _ => None,
                }
            }
        }
    )*};
}

fn reasons(reasons: &[aws_sdk_dynamodb::types::CancellationReason]) -> Vec<CancellationReason> {
    reasons
        .iter()
        .map(|r| CancellationReason {
            code: r.code().unwrap_or("None").to_owned(),
            message: r.message().map(str::to_owned),
            item: r.item().cloned(),
        })
        .collect()
}

impl ErrorDetails for transact_write_items::TransactWriteItemsError {
    fn cancellation_reasons(&self) -> Option<Vec<CancellationReason>> {
        match self {
            Self::TransactionCanceledException(e) => Some(reasons(e.cancellation_reasons())),
            _ => None,
        }
    }
}

impl ErrorDetails for transact_get_items::TransactGetItemsError {
    fn cancellation_reasons(&self) -> Option<Vec<CancellationReason>> {
        match self {
            Self::TransactionCanceledException(e) => Some(reasons(e.cancellation_reasons())),
            _ => None,
        }
    }
}

macro_rules! no_details {
    ($($error:ty),*) => {$(impl ErrorDetails for $error {})*};
}

/// What each class's errors carry: a failed condition's item for item writes, nothing
/// for the classes whose details are written out above (transactions, statements) or have
/// none.
macro_rules! details_of {
    (item_write, $error:ty) => {
        condition_item!($error);
    };
    (transact_read, $error:ty) => {};
    (transact_write, $error:ty) => {};
    (statement, $error:ty) => {};
    ($class:ident, $error:ty) => {
        no_details!($error);
    };
}

macro_rules! details_by_class {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {$(details_of!($class, $error);)*};
}

operations!(details_by_class);

impl ErrorDetails for execute_statement::ExecuteStatementError {
    fn condition_item(&self) -> Option<Item> {
        match self {
            Self::ConditionalCheckFailedException(e) => e.item().cloned(),
            _ => None,
        }
    }
}

/// Classifies an SDK error by its code.
fn classify<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> Error
where
    E: ErrorDetails + ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = error.code().map(str::to_owned);
    let message = error
        .message()
        .map(str::to_owned)
        .unwrap_or_else(|| error.to_string());
    if let Some(service_error) = error.as_service_error() {
        if let Some(reasons) = service_error.cancellation_reasons() {
            return ErrorKind::TransactionCanceled { reasons }.into();
        }
    }
    if did_not_complete(&error) {
        return ErrorKind::Unavailable {
            operation,
            message,
            source: ErrorSource::new(error),
        }
        .into();
    }
    match code.as_deref() {
        Some("ConditionalCheckFailedException") => ErrorKind::ConditionalCheckFailed {
            operation,
            item: error
                .as_service_error()
                .and_then(ErrorDetails::condition_item),
        }
        .into(),
        Some("ResourceNotFoundException") => {
            ErrorKind::ResourceNotFound { operation, message }.into()
        }
        Some(
            "ProvisionedThroughputExceededException"
            | "ThrottlingException"
            | "RequestLimitExceeded",
        ) => ErrorKind::Throttled { operation, message }.into(),
        _ => ErrorKind::Service {
            operation,
            code,
            message,
            source: ErrorSource::new(error),
        }
        .into(),
    }
}

/// True when the request did not complete: no connection, a dropped one, a timeout, an
/// unreadable response, or a server error (HTTP 5xx).
fn did_not_complete<E>(error: &SdkError<E, HttpResponse>) -> bool {
    match error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(service) => service.raw().status().is_server_error(),
        _ => false,
    }
}

macro_rules! implement_backend {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {
        impl Backend for AwsBackend {
            $(
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    Box::pin(async move {
                        input.send_with(&self.client).await.map_err(|e| classify($name, e))
                    })
                }
            )*
        }
    };
}

operations!(implement_backend);
