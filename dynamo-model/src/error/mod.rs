//! The one error type of the crate.

mod redact;

use std::fmt;

use std::sync::Arc;

pub use crate::value::FieldError;
use crate::value::ProblemReason;

use aws_sdk_dynamodb::types::WriteRequest;

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in dynamo-model.
///
/// The error is opaque: match on [`Error::kind`] or use the `is_*()` predicates. It is
/// `Clone` (a service error's source is shared).
#[derive(Clone)]
pub struct Error {
    kind: Box<ErrorKind>,
}

/// The error the SDK (or another backend) returned, kept as the source of a service error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The underlying error of a service or transport failure, shared so that [`Error`] is
/// `Clone`. It displays as the error it holds, whose own source continues the chain.
#[derive(Clone)]
pub struct ErrorSource(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl ErrorSource {
    /// Keeps `error` as the source.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        ErrorSource(Arc::new(error))
    }

    /// The error it holds.
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self.0.as_ref()
    }
}

impl From<BoxError> for ErrorSource {
    fn from(error: BoxError) -> Self {
        ErrorSource(Arc::from(error))
    }
}

impl From<String> for ErrorSource {
    fn from(message: String) -> Self {
        ErrorSource::from(BoxError::from(message))
    }
}

impl From<&str> for ErrorSource {
    fn from(message: &str) -> Self {
        ErrorSource::from(message.to_owned())
    }
}

impl fmt::Debug for ErrorSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ErrorSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ErrorSource {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// What went wrong; see [`Error::kind`].
///
/// Its `Debug` output names attributes and types but never prints item values (a stored
/// item, a key, a write): read those from the fields themselves when you want them.
#[derive(Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An item read from DynamoDB (or handed to `from_item`) does not fit the model.
    ///
    /// Every problem of the item is listed, each with its attribute path.
    #[error("cannot decode `{model}`{}{}{}", read_with_key(key.as_ref()), list(problems), missing_hint(problems))]
    #[non_exhaustive]
    Decode {
        /// The Rust name of the model.
        model: &'static str,
        /// One entry per attribute that could not be decoded.
        problems: Vec<FieldError>,
        /// The key attributes of the item read from DynamoDB, when the item came from a
        /// read (`from_item` on an item of your own leaves it `None`).
        key: Option<crate::value::Item>,
    },
    /// A model value failed validation (a validator, or a value DynamoDB cannot store).
    ///
    /// Every failure is listed, each with its field path, like Pydantic's `ValidationError`.
    #[error("`{model}` failed validation{}", list(problems))]
    #[non_exhaustive]
    Validation {
        /// The Rust name of the model.
        model: &'static str,
        /// One entry per failed check.
        problems: Vec<FieldError>,
    },
    /// An expression or request that DynamoDB would reject, caught before sending it: an
    /// empty update, overlapping update paths, a NaN value, `IN` with over 100 values...
    #[error("invalid expression for `{model}`: {message}")]
    InvalidExpression {
        /// The model (Rust type) the expression is for.
        model: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A request refused before sending: an empty or missing key, an item over 400 KB,
    /// over 100 transaction items, the same item twice in a transaction or batch...
    #[error("invalid request{}: {message}", subject(*model, *operation))]
    #[non_exhaustive]
    InvalidRequest {
        /// The model (Rust type) the request is for, when it is about one model.
        model: Option<&'static str>,
        /// The operation or part of the client refused, when the request is about no one
        /// model (`TransactWriteItems`, `BatchGetItem`, `blocking client`...).
        operation: Option<&'static str>,
        /// What is wrong.
        message: String,
    },
    /// A conditional write's condition did not hold.
    #[error("{operation}: the condition did not hold{}", condition_subject(*model, key.as_ref()))]
    #[non_exhaustive]
    ConditionalCheckFailed {
        /// The operation (`PutItem`, `UpdateItem`, `DeleteItem`).
        operation: &'static str,
        /// The item as it was, when the request asked for it on failure.
        item: Option<crate::value::Item>,
        /// The model written, when the client knows it (a single write).
        model: Option<&'static str>,
        /// The key of the item written, when the client knows it (a single write).
        key: Option<crate::value::Item>,
    },
    /// The backend does not implement this operation: a server without it (DynamoDB Local
    /// has no `SearchVectors` and no tagging), or a [`Backend`](crate::backend::Backend)
    /// written before the operation existed, or a test double.
    #[error("{}", unsupported(operation, server_message.as_deref()))]
    #[non_exhaustive]
    Unsupported {
        /// The DynamoDB operation (`DescribeTable`, ...).
        operation: &'static str,
        /// What the server answered (`UnknownOperationException`), when it was a server.
        server_message: Option<String>,
    },
    /// An update (not an upsert) found no item with its key: an update never creates a
    /// partial item the model cannot read.
    #[error("{operation}: no `{model}` item has this key ({}); an update changes an existing item: use `upsert()` to create one", names(key))]
    #[non_exhaustive]
    ItemNotFound {
        /// The model.
        model: &'static str,
        /// The operation (`UpdateItem`, or `TransactWriteItems` for a transaction's update).
        operation: &'static str,
        /// The key that named no item.
        key: crate::value::Item,
    },
    /// An optimistic-locking write found another version than the one it expected: someone
    /// else wrote the item since it was read (`#[dynamo(version)]`).
    #[error("{operation}: `{model}` version conflict: expected version {expected}, found {} (the item was written since it was read)", found.map_or("none".to_owned(), |v| v.to_string()))]
    #[non_exhaustive]
    VersionConflict {
        /// The model.
        model: &'static str,
        /// The operation (`PutItem`, `UpdateItem`, `DeleteItem`).
        operation: &'static str,
        /// The version the write expected (0: that the item did not exist yet).
        expected: u64,
        /// The version stored now (`None`: no item, or no version attribute).
        found: Option<u64>,
        /// The item as it is now, when there is one.
        item: Option<crate::value::Item>,
    },
    /// A transaction was cancelled: one reason per item, in request order.
    #[error("transaction canceled ({})", failed_items(reasons))]
    TransactionCanceled {
        /// One entry per item of the transaction.
        reasons: Vec<CancellationReason>,
    },
    /// The table or index does not exist (or is not active yet).
    #[error("{operation}: {}: {message}", missing_table(table))]
    #[non_exhaustive]
    ResourceNotFound {
        /// The operation.
        operation: &'static str,
        /// The table the request named, with the client's prefix (several, comma-separated,
        /// for a batch or transaction; empty when the request named none).
        table: String,
        /// The service's message.
        message: String,
    },
    /// An attribute marked `#[dynamo(encrypt)]` could not be encrypted: no key provider,
    /// the provider failed (a KMS outage), or its key id is too long. Nothing was written.
    #[error("`{model}` was not written: `{attribute}` could not be encrypted: {message}")]
    #[non_exhaustive]
    Encryption {
        /// The model.
        model: &'static str,
        /// The attribute that could not be encrypted; when the key provider failed, every
        /// encrypted attribute of the item, joined by `` `, ` ``.
        attribute: String,
        /// Why.
        message: String,
    },
    /// The S3 object of an offloaded attribute (feature `s3`) could not be written, read,
    /// checked or removed, or no S3 store is configured. A write that failed this way wrote
    /// no item.
    #[error("{subject}: s3://{bucket}/{key}: {problem}: {message}")]
    #[non_exhaustive]
    Offload {
        /// The model and attribute (`Document.body`), or the operation when no model is
        /// known.
        subject: String,
        /// The bucket (empty when no store is configured).
        bucket: String,
        /// The object's key (empty before one was chosen).
        key: String,
        /// What failed.
        problem: OffloadProblem,
        /// Why, and the fix when one is known.
        message: String,
    },
    /// A change read from a table's stream lacks the image asked for: the kind of change
    /// has none (an insert has no old image, a removal no new one), or the stream's view
    /// type does not record it.
    #[error("the {change} change of `{table}` (key {}) has no {image} image: {}", names(key), missing_image(change, image, *view))]
    #[non_exhaustive]
    MissingImage {
        /// The table whose stream the change was read from.
        table: String,
        /// `INSERT`, `MODIFY` or `REMOVE`.
        change: &'static str,
        /// `old` or `new`.
        image: &'static str,
        /// The stream's view type (`KEYS_ONLY`, `NEW_IMAGE`, ...), when the record names it.
        view: Option<&'static str>,
        /// The key attributes of the changed item.
        key: crate::value::Item,
    },
    /// Writes of a batch refused before anything was sent, every one with its position, its
    /// key and why: nothing of the batch was written.
    #[error("{operation}: {} refused before sending, nothing written: {}", count_writes(writes.len()), refused_list(writes))]
    #[non_exhaustive]
    BatchRefused {
        /// `BatchWriteItem`.
        operation: &'static str,
        /// Every refused write.
        writes: Vec<RefusedWrite>,
    },
    /// Writes of a streamed batch refused before sending, every one with its position, its
    /// key and why; the batch's other writes were sent, and `written` of them were done.
    #[error("{operation}: {} refused before sending, {written} other writes done: {}", count_writes(writes.len()), refused_list(writes))]
    #[non_exhaustive]
    StreamRefused {
        /// `BatchWriteItem`.
        operation: &'static str,
        /// The writes done.
        written: usize,
        /// Every refused write.
        writes: Vec<RefusedWrite>,
    },
    /// The client cannot send requests as it is configured: no region, no credentials, or
    /// an endpoint that refuses connections. Not retried; the message says what to set.
    #[error("{operation}: {message}")]
    #[non_exhaustive]
    Configuration {
        /// The operation that could not be sent (`DynamoDB client` when found at set-up).
        operation: &'static str,
        /// What is missing, and what to set.
        message: String,
        /// The SDK's error, when the cause came from it.
        source: Option<ErrorSource>,
    },
    /// The request was throttled (provisioned throughput, request limits).
    #[error("{operation}: {message}")]
    Throttled {
        /// The operation.
        operation: &'static str,
        /// The service's message.
        message: String,
    },
    /// A batch left keys or writes unprocessed after the retry budget, or stopped by an
    /// error: every key not read and every write not done is here.
    #[error("{operation}: {} keys and {} writes not done{}, {}", keys.len(), writes.len(), also_refused(refused), stopped_by(cause.as_deref()))]
    #[non_exhaustive]
    Unprocessed {
        /// `BatchGetItem` or `BatchWriteItem`.
        operation: &'static str,
        /// Keys not read (batch get).
        keys: Vec<crate::value::Item>,
        /// Writes not done (batch write).
        writes: Vec<UnprocessedWrite>,
        /// Writes of a streamed batch refused before sending, each with its position, key
        /// and why (a batch that is not streamed refuses before sending anything, with
        /// [`ErrorKind::BatchRefused`]).
        refused: Vec<RefusedWrite>,
        /// The error that stopped a request of the batch, when one did (otherwise DynamoDB
        /// kept returning the items as unprocessed until the budget ran out).
        #[source]
        cause: Option<Box<Error>>,
    },
    /// The request did not complete, after the SDK's own retries: the connection dropped,
    /// an attempt timed out, or the service answered with a server error (HTTP 5xx).
    /// Retrying an idempotent request is safe ([`Error::is_retryable`]).
    #[error("{operation} did not complete: {message}")]
    Unavailable {
        /// The operation.
        operation: &'static str,
        /// What happened.
        message: String,
        /// The underlying error.
        source: ErrorSource,
    },
    /// An item larger than DynamoDB's 400 KB limit, or than the model's `max_size`.
    #[error("{}", too_large(model, *size, *limit, largest))]
    ItemTooLarge {
        /// The model.
        model: &'static str,
        /// The item's size in DynamoDB's accounting.
        size: usize,
        /// The limit it passed: 409600 bytes, or the model's `max_size`.
        limit: usize,
        /// The largest attributes and their sizes, largest first (at most 3).
        largest: Vec<(String, usize)>,
    },
    /// A distributed lock was not acquired before the timeout: another owner held an
    /// unexpired lease all along.
    #[error("the lock `{lock}` was not acquired within {waited:?}: another owner holds its lease")]
    LockTimeout {
        /// The lock's name.
        lock: String,
        /// How long the acquire waited.
        waited: std::time::Duration,
    },
    /// A lock's lease was lost: it expired and another owner took the lock (or removed it)
    /// before this owner's heartbeat or release.
    #[error("the lock `{lock}` was lost: its lease expired and another owner took it, or it was removed")]
    LockLost {
        /// The lock's name.
        lock: String,
    },
    /// Any other error of the service or the transport; the SDK error is the source.
    #[error("{operation} failed: {}{message}", code.as_ref().map(|c| format!("{c}: ")).unwrap_or_default())]
    #[non_exhaustive]
    Service {
        /// The operation.
        operation: &'static str,
        /// The service's error code (`ValidationException`...), when it sent one.
        code: Option<String>,
        /// The service's message.
        message: String,
        /// The underlying error.
        source: ErrorSource,
    },
}

/// What failed with the S3 object of an offloaded attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OffloadProblem {
    /// The client has no S3 store (`Dynamo::with_s3`).
    NoStore,
    /// `PutObject` failed: nothing was written.
    Upload,
    /// `GetObject` failed.
    Download,
    /// The object read is not the one the item points at: its size or SHA-256 differ.
    Checksum,
    /// `DeleteObject` failed: the object stays as an orphan, under the key given.
    Delete,
    /// A presigned URL could not be made.
    Presign,
    /// The object holds no value the attribute can read back.
    Decode,
}

impl std::fmt::Display for OffloadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OffloadProblem::NoStore => "no S3 store",
            OffloadProblem::Upload => "upload failed",
            OffloadProblem::Download => "download failed",
            OffloadProblem::Checksum => "checksum mismatch",
            OffloadProblem::Delete => "delete failed, object orphaned",
            OffloadProblem::Presign => "presigning failed",
            OffloadProblem::Decode => "unreadable object",
        })
    }
}

/// Why one item of a cancelled transaction failed (DynamoDB's `CancellationReason`).
///
/// Its `Debug` output leaves the item's values out.
#[derive(Clone, PartialEq)]
pub struct CancellationReason {
    /// `None` (the item was fine), `ConditionalCheckFailed`, `TransactionConflict`,
    /// `ItemCollectionSizeLimitExceeded`, `ThrottlingError`, `ValidationError`...
    pub code: String,
    /// The service's message.
    pub message: Option<String>,
    /// The item as it was, when the request asked for it on a failed condition.
    pub item: Option<crate::value::Item>,
}

impl CancellationReason {
    /// True when this item did not cause the cancellation (code `None`).
    pub fn is_none(&self) -> bool {
        self.code == "None"
    }

    /// True when this item's condition failed.
    pub fn is_conditional_check_failed(&self) -> bool {
        self.code == "ConditionalCheckFailed"
    }

    /// True when another transaction touched this item at the same time.
    pub fn is_transaction_conflict(&self) -> bool {
        self.code == "TransactionConflict"
    }
}

/// A write of a batch refused before anything was sent: its position among the writes
/// added (from 1), the item's key when it is known, and why (its `Debug` output leaves
/// the key's values out).
#[derive(Clone)]
#[non_exhaustive]
pub struct RefusedWrite {
    /// The write's position in the batch, from 1, counting every write added.
    pub position: usize,
    /// The key of the item, when it could be made.
    pub key: Option<crate::value::Item>,
    /// Why it was refused.
    pub error: Error,
}

/// One write of a batch: the table and the put or delete request (its `Debug` output
/// leaves the values out).
#[derive(Clone, PartialEq)]
pub struct UnprocessedWrite {
    /// The table name.
    pub table: String,
    /// The put or delete.
    pub request: WriteRequest,
}

impl Error {
    /// The kind of failure, for `match`.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Consumes the error and returns its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    /// A decode error of `model` listing `problems`.
    pub fn decode(model: &'static str, problems: Vec<FieldError>) -> Self {
        ErrorKind::Decode {
            model,
            problems,
            key: None,
        }
        .into()
    }

    /// The same error, naming the key of the item it is about when it is a decode error
    /// (the key's values stay in the error's kind, out of its message).
    pub(crate) fn for_item_key(mut self, item_key: crate::value::Item) -> Self {
        if let ErrorKind::Decode { key, .. } = &mut *self.kind {
            *key = Some(item_key);
        }
        self
    }

    /// The key of the item a decode error is about, when it came from a read.
    pub fn item_key(&self) -> Option<&crate::value::Item> {
        match &*self.kind {
            ErrorKind::Decode { key, .. } => key.as_ref(),
            ErrorKind::ItemNotFound { key, .. } => Some(key),
            _ => None,
        }
    }

    /// A validation error of `model` listing `problems`.
    pub fn validation(model: &'static str, problems: Vec<FieldError>) -> Self {
        ErrorKind::Validation { model, problems }.into()
    }

    /// An invalid-expression error for `model` (a Rust type name; its path is shortened).
    pub fn invalid_expression(model: &'static str, message: String) -> Self {
        let model = model.rsplit("::").next().unwrap_or(model);
        ErrorKind::InvalidExpression { model, message }.into()
    }

    /// True when an expression was refused before sending.
    pub fn is_invalid_expression(&self) -> bool {
        matches!(*self.kind, ErrorKind::InvalidExpression { .. })
    }

    /// An invalid-request error for `model` (a Rust type name; its path is shortened).
    pub fn invalid_request(model: &'static str, message: impl Into<String>) -> Self {
        let model = model.rsplit("::").next().unwrap_or(model);
        ErrorKind::InvalidRequest {
            model: Some(model),
            operation: None,
            message: message.into(),
        }
        .into()
    }

    /// An invalid-request error of a request about no one model: an `operation` of
    /// several models (`TransactWriteItems`) or a part of the client (`blocking client`).
    pub fn invalid_operation(operation: &'static str, message: impl Into<String>) -> Self {
        ErrorKind::InvalidRequest {
            model: None,
            operation: Some(operation),
            message: message.into(),
        }
        .into()
    }

    /// True when a request was refused before sending (bad key, too many items...), a
    /// batch whose writes were refused ([`Error::refused_writes`]) included.
    pub fn is_invalid_request(&self) -> bool {
        matches!(
            *self.kind,
            ErrorKind::InvalidRequest { .. }
                | ErrorKind::BatchRefused { .. }
                | ErrorKind::StreamRefused { .. }
        )
    }

    /// An error for an operation the backend does not implement.
    pub fn unsupported(operation: &'static str) -> Self {
        ErrorKind::Unsupported {
            operation,
            server_message: None,
        }
        .into()
    }

    /// True when the backend does not implement the operation.
    pub fn is_unsupported(&self) -> bool {
        matches!(*self.kind, ErrorKind::Unsupported { .. })
    }

    /// True when an update found no item with its key ([`ErrorKind::ItemNotFound`]).
    pub fn is_item_not_found(&self) -> bool {
        matches!(*self.kind, ErrorKind::ItemNotFound { .. })
    }

    /// True when a conditional write's condition did not hold, a version check and an
    /// update's existence check ([`ErrorKind::ItemNotFound`]) included.
    pub fn is_conditional_check_failed(&self) -> bool {
        matches!(
            *self.kind,
            ErrorKind::ConditionalCheckFailed { .. }
                | ErrorKind::VersionConflict { .. }
                | ErrorKind::ItemNotFound { .. }
        )
    }

    /// True when an encrypted attribute could not be decrypted because the key provider
    /// does not have (or is not) the key its data key was wrapped with.
    pub fn is_wrong_key(&self) -> bool {
        self.has_problem(ProblemReason::WrongKey)
    }

    /// True when an encrypted attribute's stored bytes were altered (or moved from another
    /// attribute): authentication failed.
    pub fn is_tampered(&self) -> bool {
        self.has_problem(ProblemReason::Tampered)
    }

    fn has_problem(&self, reason: ProblemReason) -> bool {
        match &*self.kind {
            ErrorKind::Decode { problems, .. } => problems.iter().any(|p| p.reason == reason),
            _ => false,
        }
    }

    /// True when a PartiQL `INSERT` found an item with its key already there
    /// (`DuplicateItemException`; DynamoDB Local says `DuplicateItem`).
    pub fn is_duplicate_item(&self) -> bool {
        matches!(
            &*self.kind,
            ErrorKind::Service { code: Some(code), .. }
                if code == "DuplicateItemException" || code == "DuplicateItem"
        )
    }

    /// True when an optimistic-locking write found another version than it expected.
    pub fn is_version_conflict(&self) -> bool {
        matches!(*self.kind, ErrorKind::VersionConflict { .. })
    }

    /// True when a transaction was cancelled; see [`Error::reasons`].
    pub fn is_transaction_canceled(&self) -> bool {
        matches!(*self.kind, ErrorKind::TransactionCanceled { .. })
    }

    /// True when the table or index does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(*self.kind, ErrorKind::ResourceNotFound { .. })
    }

    /// True when the client cannot send as configured ([`ErrorKind::Configuration`]): no
    /// region, no credentials, an endpoint that refuses connections.
    pub fn is_configuration(&self) -> bool {
        matches!(*self.kind, ErrorKind::Configuration { .. })
    }

    /// The writes of a batch refused before sending ([`ErrorKind::BatchRefused`]), each
    /// with its position, key and error; empty for other errors.
    pub fn refused_writes(&self) -> &[RefusedWrite] {
        match &*self.kind {
            ErrorKind::BatchRefused { writes, .. } | ErrorKind::StreamRefused { writes, .. } => {
                writes
            }
            ErrorKind::Unprocessed { refused, .. } => refused,
            _ => &[],
        }
    }

    /// True when a batch left keys or writes unprocessed (they are in the error's kind).
    pub fn is_unprocessed(&self) -> bool {
        matches!(*self.kind, ErrorKind::Unprocessed { .. })
    }

    /// True when the request was throttled.
    pub fn is_throttled(&self) -> bool {
        matches!(*self.kind, ErrorKind::Throttled { .. })
    }

    /// True when the request was throttled or did not complete ([`ErrorKind::Unavailable`]):
    /// sending it again later may succeed. The client retries these itself for batch
    /// requests and transactions.
    pub fn is_retryable(&self) -> bool {
        matches!(
            *self.kind,
            ErrorKind::Throttled { .. } | ErrorKind::Unavailable { .. }
        )
    }

    /// The cancellation reasons of a cancelled transaction, one per item in request order
    /// (empty for other errors).
    pub fn reasons(&self) -> &[CancellationReason] {
        match &*self.kind {
            ErrorKind::TransactionCanceled { reasons } => reasons,
            _ => &[],
        }
    }

    /// The item as it was when a condition failed, if the request asked for it.
    pub fn current_item(&self) -> Option<&crate::value::Item> {
        match &*self.kind {
            ErrorKind::ConditionalCheckFailed { item, .. }
            | ErrorKind::VersionConflict { item, .. } => item.as_ref(),
            _ => None,
        }
    }

    /// True when a change read from a stream lacks the image asked for.
    pub fn is_missing_image(&self) -> bool {
        matches!(*self.kind, ErrorKind::MissingImage { .. })
    }

    /// True when an item did not fit the model.
    pub fn is_decode(&self) -> bool {
        matches!(*self.kind, ErrorKind::Decode { .. })
    }

    /// True when a model value failed validation.
    pub fn is_validation(&self) -> bool {
        matches!(*self.kind, ErrorKind::Validation { .. })
    }

    /// The per-field problems of a decode or validation error (empty for other kinds).
    pub fn field_errors(&self) -> &[FieldError] {
        match &*self.kind {
            ErrorKind::Decode { problems, .. } | ErrorKind::Validation { problems, .. } => problems,
            _ => &[],
        }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error {
            kind: Box::new(kind),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.kind, f)
    }
}

/// `: one problem`, or `: N problems` and one line each.
fn list(problems: &[FieldError]) -> String {
    match problems {
        [one] => format!(": {one}"),
        many => {
            let mut text = format!(": {} problems", many.len());
            for problem in many {
                text.push_str(&format!("\n  {problem}"));
            }
            text
        }
    }
}

/// ` for the `User` item with key (id)`: what a failed condition was about.
fn condition_subject(model: Option<&str>, key: Option<&crate::value::Item>) -> String {
    match (model, key) {
        (Some(model), Some(key)) => format!(" for the `{model}` item with key ({})", names(key)),
        (Some(model), None) => format!(" for a `{model}` item"),
        _ => String::new(),
    }
}

/// `1 write` or `3 writes`.
fn count_writes(count: usize) -> String {
    if count == 1 {
        "1 write".to_owned()
    } else {
        format!("{count} writes")
    }
}

/// `, 2 writes refused before sending: write 3 ...`, or nothing.
fn also_refused(refused: &[RefusedWrite]) -> String {
    if refused.is_empty() {
        String::new()
    } else {
        format!(
            ", {} refused before sending: {}",
            count_writes(refused.len()),
            refused_list(refused)
        )
    }
}

/// `write 3 (key pk, sk): why; write 7: why`.
fn refused_list(writes: &[RefusedWrite]) -> String {
    let each: Vec<String> = writes
        .iter()
        .map(|w| match &w.key {
            Some(key) => format!("write {} (key {}): {}", w.position, names(key), w.error),
            None => format!("write {}: {}", w.position, w.error),
        })
        .collect();
    each.join("; ")
}

/// The usual fix when a decode found required attributes missing.
fn missing_hint(problems: &[FieldError]) -> &'static str {
    let missing = problems
        .iter()
        .any(|p| p.reason == crate::value::ProblemReason::Missing);
    if missing {
        "\n(an item written before a field existed lacks it: give the field `#[dynamo(default)]` or `#[dynamo(default = \"path::to::fn\")]`, or make it an `Option`)"
    } else {
        ""
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.kind)
    }
}

/// ` for `User`` or ` (TransactWriteItems)`: what an invalid request was for.
fn subject(model: Option<&str>, operation: Option<&str>) -> String {
    match (model, operation) {
        (Some(model), _) => format!(" for `{model}`"),
        (None, Some(operation)) => format!(" ({operation})"),
        (None, None) => String::new(),
    }
}

/// ` (the item read with key a, b)`, for a decode error of an item read from DynamoDB.
fn read_with_key(key: Option<&crate::value::Item>) -> String {
    key.map(|key| format!(" (the item read with key {})", names(key)))
        .unwrap_or_default()
}

/// What a `ResourceNotFound` is about, and the usual fix.
fn missing_table(table: &str) -> String {
    match table {
        "" => "the table does not exist or is not active yet".to_owned(),
        table if table.contains(',') => format!(
            "one of the tables `{table}` does not exist or is not active yet (create it with `create_table`; check the client's table prefix)"
        ),
        table => format!(
            "table `{table}` does not exist or is not active yet (create it with `create_table`; check the client's table prefix)"
        ),
    }
}

/// The attribute names of an item, sorted: `a, b`.
/// What an unsupported operation's error says: the server's answer, or what to implement.
fn unsupported(operation: &str, server_message: Option<&str>) -> String {
    match server_message {
        Some(message) => format!(
            "{operation} is not supported by the server: {message} (DynamoDB Local has no SearchVectors and no tagging: use DynamoDB or the memory backend)"
        ),
        None => format!(
            "{operation} is not supported by this backend: implement it in its `Backend` impl"
        ),
    }
}

/// Why a stream record lacks an image, and what records it.
fn missing_image(change: &str, image: &str, view: Option<&str>) -> String {
    match (change, image, view) {
        ("INSERT", "old", _) => "an insert has no old image".to_owned(),
        ("REMOVE", "new", _) => "a removal has no new image".to_owned(),
        (_, _, Some(view)) => format!(
            "the stream's view type is {view}, which does not record it; `#[dynamo(stream = \"new_and_old_images\")]` records both images"
        ),
        (_, _, None) => "the record does not hold it".to_owned(),
    }
}

fn names(item: &crate::value::Item) -> String {
    let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
    names.sort_unstable();
    names.join(", ")
}

/// The failed items of a cancelled transaction: `item 2: ConditionalCheckFailed`.
fn failed_items(reasons: &[CancellationReason]) -> String {
    let failed: Vec<String> = reasons
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_none())
        .map(|(i, r)| format!("item {i}: {}", r.code))
        .collect();
    failed.join(", ")
}

/// How a batch ended: the error that stopped it, or the retry budget.
fn stopped_by(cause: Option<&Error>) -> String {
    match cause {
        Some(cause) => format!("stopped by: {cause}"),
        None => "still unprocessed after the retry budget".to_owned(),
    }
}

/// An oversized item: its size, the limit, and its largest attributes.
fn too_large(model: &str, size: usize, limit: usize, largest: &[(String, usize)]) -> String {
    let mut text = if limit == crate::value::MAX_ITEM_SIZE {
        format!("`{model}` item is {size} bytes; DynamoDB items are at most 400 KB (409600 bytes)")
    } else {
        format!("`{model}` item is {size} bytes, over the model's max_size of {limit}")
    };
    if !largest.is_empty() {
        let largest: Vec<String> = largest
            .iter()
            .map(|(name, bytes)| format!("`{name}` {bytes}"))
            .collect();
        text.push_str(&format!(" (largest: {})", largest.join(", ")));
    }
    text
}
