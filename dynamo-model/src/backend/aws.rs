//! The backend on `aws-sdk-dynamodb`: each request is sent as built, and SDK errors become
//! [`ErrorKind`](crate::ErrorKind)s with the SDK error kept as the source.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::{execute_statement, transact_get_items, transact_write_items};
use aws_sdk_dynamodb::Client;

use super::tables::Tables;
use super::{operations, Backend, BackendFuture};
use crate::error::{CancellationReason, Error, ErrorKind, ErrorSource};
use crate::value::Item;

/// What to do when no region is configured.
pub(crate) const NO_REGION: &str = "no AWS region is configured: set AWS_REGION (for DynamoDB Local any region works, such as us-east-1), or `.region(..)` on the SDK config";

/// What to do when no credentials are found.
pub(crate) const NO_CREDENTIALS: &str = "no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values for DynamoDB Local), or AWS_PROFILE, or `.credentials_provider(..)` on the SDK config";

/// What to do when the endpoint refuses connections.
const REFUSED: &str = "the DynamoDB endpoint refused the connection: start the server (DynamoDB Local), or set AWS_ENDPOINT_URL_DYNAMODB (or `.endpoint_url(..)` on the SDK config) to its address";

/// The backend that sends requests to DynamoDB (or DynamoDB Local) with the SDK.
#[derive(Debug, Clone)]
pub struct AwsBackend {
    client: Client,
    /// The same client with an interceptor counting the SDK's retries: for measured
    /// operations (and every request, with feature `metrics`). Every interceptor costs each
    /// request about 1% of the SDK's work, so requests nobody measures go without it.
    counting: Client,
    /// What keeps the client from sending, found in its configuration: every request
    /// fails with it, before sending.
    unusable: Option<&'static str>,
}

impl AwsBackend {
    /// A backend on an SDK client. A client without a region fails every request with
    /// [`ErrorKind::Configuration`], before sending it.
    pub fn new(client: Client) -> Self {
        let unusable = client.config().region().is_none().then_some(NO_REGION);
        // The SDK's own retries (throttling, server errors) count in measured operations.
        let config = client
            .config()
            .to_builder()
            .interceptor(CountRetries)
            .build();
        let counting = Client::from_conf(config);
        AwsBackend {
            client,
            counting,
            unusable,
        }
    }

    /// The client a request is sent with: the counting one when its retries are counted.
    fn sender(&self) -> &Client {
        if cfg!(feature = "metrics") || super::metered::measuring() {
            &self.counting
        } else {
            &self.client
        }
    }

    /// The SDK client, for calls this crate does not wrap.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// Counts each attempt of a request after its first as a retry of the measured operation
/// it belongs to.
#[derive(Debug)]
struct CountRetries;

impl aws_sdk_dynamodb::config::Intercept for CountRetries {
    fn name(&self) -> &'static str {
        "dynamo_model::CountRetries"
    }

    fn read_before_attempt(
        &self,
        _: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_sdk_dynamodb::config::RuntimeComponents,
        cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        use aws_smithy_runtime_api::client::retries::RequestAttempts;
        if cfg
            .load::<RequestAttempts>()
            .is_some_and(|a| a.attempts() > 1)
        {
            super::record_sdk_retry();
        }
        Ok(())
    }
}

/// What an operation's error may carry beyond its code: the item of a failed condition,
/// the reasons of a cancelled transaction.
pub(super) trait ErrorDetails {
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

/// Classifies an SDK error: a configuration that cannot send, then by its code.
pub(super) fn classify<E>(
    operation: &'static str,
    table: String,
    error: SdkError<E, HttpResponse>,
) -> Error
where
    E: ErrorDetails + ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let Some(message) = configuration_cause(&error) {
        return ErrorKind::Configuration {
            operation,
            message: message.to_owned(),
            source: Some(ErrorSource::new(error)),
        }
        .into();
    }
    let code = error.code().map(str::to_owned);
    let message = error
        .message()
        .map(without_values)
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
            model: None,
            key: None,
        }
        .into(),
        // A server without the operation (DynamoDB Local has no SearchVectors).
        Some("UnknownOperationException") => ErrorKind::Unsupported {
            operation,
            server_message: Some(message),
        }
        .into(),
        Some("ResourceNotFoundException") => ErrorKind::ResourceNotFound {
            operation,
            table,
            message,
        }
        .into(),
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

/// A service message with the values it quotes left out: DynamoDB quotes a set's members
/// in brackets (`Input collection [..] contains duplicates`). Other brackets
/// (document paths: `path one: [a]`) stay.
fn without_values(message: &str) -> String {
    const QUOTING: &str = "collection [";
    let mut kept = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(QUOTING) {
        kept.push_str(&rest[..start + QUOTING.len()]);
        let after = &rest[start + QUOTING.len()..];
        // The quoted members end at the bracket that closes this one.
        let mut depth = 1usize;
        let end = after.char_indices().find_map(|(i, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        });
        match end {
            Some(end) => {
                kept.push_str("..]");
                rest = &after[end + 1..];
            }
            None => {
                kept.push_str("..]");
                rest = "";
            }
        }
    }
    kept.push_str(rest);
    kept
}

/// Why a request could not be sent, when the cause is the client's configuration: no
/// credentials, or an endpoint that refuses connections. Found by the types in the error's
/// chain of sources (and one message, where the SDK's type is private).
fn configuration_cause<E, R>(error: &SdkError<E, R>) -> Option<&'static str>
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if !matches!(error, SdkError::DispatchFailure(_)) {
        return None;
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if current
            .downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
            .is_some()
        {
            return Some(NO_CREDENTIALS);
        }
        // A client built with no credentials provider at all: the SDK's error type for it
        // is private, so its text is the only sign.
        if current.to_string().contains("no identity resolver") {
            return Some(NO_CREDENTIALS);
        }
        if current
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return Some(REFUSED);
        }
        cause = current.source();
    }
    None
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
                    if let Some(message) = self.unusable {
                        return Box::pin(std::future::ready(Err(ErrorKind::Configuration {
                            operation: $name,
                            message: message.to_owned(),
                            source: None,
                        }
                        .into())));
                    }
                    let table = input.tables();
                    // The SDK's future is large: boxed where it is made, it is copied once.
                    let sending = Box::pin(input.send_with(self.sender()));
                    Box::pin(async move { sending.await.map_err(|e| classify($name, table, e)) })
                }
            )*
        }
    };
}

operations!(implement_backend);

#[cfg(test)]
mod tests {
    use super::without_values;

    #[test]
    fn quoted_values_are_left_out_of_service_messages() {
        assert_eq!(
            without_values("One or more parameter values were invalid: Input collection [4111, 4111.0] of type NS contains duplicates."),
            "One or more parameter values were invalid: Input collection [..] of type NS contains duplicates."
        );
        assert_eq!(
            without_values("Input collection [[1], [2]] of type L, and collection [x"),
            "Input collection [..] of type L, and collection [..]"
        );
        let paths = "Two document paths overlap; path one: [a], path two: [a, b]";
        assert_eq!(without_values(paths), paths);
    }
}
