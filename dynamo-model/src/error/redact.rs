//! `Debug` for errors without item values: attribute names and types only, so an error
//! logged with `{:?}` never prints what a user stored.

use std::fmt;

use aws_sdk_dynamodb::types::WriteRequest;

use super::{CancellationReason, ErrorKind};
use super::{RefusedWrite, UnprocessedWrite};
use crate::value::{type_name, Item};

/// An item shown as `{name: S, age: N}`, values left out.
struct Redacted<'a>(&'a Item);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<(&String, TypeTag)> = self
            .0
            .iter()
            .map(|(k, v)| (k, TypeTag(type_name(v))))
            .collect();
        names.sort_unstable_by_key(|(k, _)| *k);
        f.debug_map().entries(names).finish()
    }
}

/// A DynamoDB type name, printed bare (`S`, not `"S"`).
struct TypeTag(&'static str);

impl fmt::Debug for TypeTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// An optional item, redacted.
struct MaybeRedacted<'a>(Option<&'a Item>);

impl fmt::Debug for MaybeRedacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(item) => f.debug_tuple("Some").field(&Redacted(item)).finish(),
            None => f.write_str("None"),
        }
    }
}

/// Items, redacted.
struct RedactedItems<'a>(&'a [Item]);

impl fmt::Debug for RedactedItems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter().map(Redacted)).finish()
    }
}

/// A put or a delete, its item or key redacted.
struct RedactedWrite<'a>(&'a WriteRequest);

impl fmt::Debug for RedactedWrite<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(put) = self.0.put_request() {
            f.debug_tuple("Put").field(&Redacted(put.item())).finish()
        } else if let Some(delete) = self.0.delete_request() {
            f.debug_tuple("Delete")
                .field(&Redacted(delete.key()))
                .finish()
        } else {
            f.write_str("Empty")
        }
    }
}

impl fmt::Debug for UnprocessedWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnprocessedWrite")
            .field("table", &self.table)
            .field("request", &RedactedWrite(&self.request))
            .finish()
    }
}

impl fmt::Debug for RefusedWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefusedWrite")
            .field("position", &self.position)
            .field("key", &MaybeRedacted(self.key.as_ref()))
            .field("error", &self.error)
            .finish()
    }
}

impl fmt::Debug for CancellationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancellationReason")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("item", &MaybeRedacted(self.item.as_ref()))
            .finish()
    }
}

impl fmt::Debug for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Decode {
                model,
                problems,
                key,
            } => f
                .debug_struct("Decode")
                .field("model", model)
                .field("problems", problems)
                .field("key", &MaybeRedacted(key.as_ref()))
                .finish(),
            ErrorKind::MissingImage {
                table,
                change,
                image,
                view,
                key,
            } => f
                .debug_struct("MissingImage")
                .field("table", table)
                .field("change", change)
                .field("image", image)
                .field("view", view)
                .field("key", &Redacted(key))
                .finish(),
            ErrorKind::Validation { model, problems } => f
                .debug_struct("Validation")
                .field("model", model)
                .field("problems", problems)
                .finish(),
            ErrorKind::InvalidExpression { model, message } => f
                .debug_struct("InvalidExpression")
                .field("model", model)
                .field("message", message)
                .finish(),
            ErrorKind::InvalidRequest {
                model,
                operation,
                message,
            } => f
                .debug_struct("InvalidRequest")
                .field("model", model)
                .field("operation", operation)
                .field("message", message)
                .finish(),
            ErrorKind::ConditionalCheckFailed {
                operation,
                item,
                model,
                key,
            } => f
                .debug_struct("ConditionalCheckFailed")
                .field("operation", operation)
                .field("item", &MaybeRedacted(item.as_ref()))
                .field("model", model)
                .field("key", &MaybeRedacted(key.as_ref()))
                .finish(),
            ErrorKind::Unsupported {
                operation,
                server_message,
            } => f
                .debug_struct("Unsupported")
                .field("operation", operation)
                .field("server_message", server_message)
                .finish(),
            ErrorKind::ItemNotFound {
                model,
                operation,
                key,
            } => f
                .debug_struct("ItemNotFound")
                .field("model", model)
                .field("operation", operation)
                .field("key", &MaybeRedacted(Some(key)))
                .finish(),
            ErrorKind::VersionConflict {
                model,
                operation,
                expected,
                found,
                item,
            } => f
                .debug_struct("VersionConflict")
                .field("model", model)
                .field("operation", operation)
                .field("expected", expected)
                .field("found", found)
                .field("item", &MaybeRedacted(item.as_ref()))
                .finish(),
            ErrorKind::TransactionCanceled { reasons } => f
                .debug_struct("TransactionCanceled")
                .field("reasons", reasons)
                .finish(),
            ErrorKind::ResourceNotFound {
                operation,
                table,
                message,
            } => f
                .debug_struct("ResourceNotFound")
                .field("operation", operation)
                .field("table", table)
                .field("message", message)
                .finish(),
            ErrorKind::BatchRefused { operation, writes } => f
                .debug_struct("BatchRefused")
                .field("operation", operation)
                .field("writes", writes)
                .finish(),
            ErrorKind::StreamRefused {
                operation,
                written,
                writes,
            } => f
                .debug_struct("StreamRefused")
                .field("operation", operation)
                .field("written", written)
                .field("writes", writes)
                .finish(),
            ErrorKind::Encryption {
                model,
                attribute,
                message,
            } => f
                .debug_struct("Encryption")
                .field("model", model)
                .field("attribute", attribute)
                .field("message", message)
                .finish(),
            ErrorKind::Offload {
                subject,
                bucket,
                key,
                problem,
                message,
            } => f
                .debug_struct("Offload")
                .field("subject", subject)
                .field("bucket", bucket)
                .field("key", key)
                .field("problem", problem)
                .field("message", message)
                .finish(),
            ErrorKind::Configuration {
                operation,
                message,
                source,
            } => f
                .debug_struct("Configuration")
                .field("operation", operation)
                .field("message", message)
                .field("source", source)
                .finish(),
            ErrorKind::Throttled { operation, message } => f
                .debug_struct("Throttled")
                .field("operation", operation)
                .field("message", message)
                .finish(),
            ErrorKind::Unprocessed {
                operation,
                keys,
                writes,
                refused,
                cause,
            } => f
                .debug_struct("Unprocessed")
                .field("operation", operation)
                .field("keys", &RedactedItems(keys))
                .field("writes", writes)
                .field("refused", refused)
                .field("cause", cause)
                .finish(),
            ErrorKind::Unavailable {
                operation,
                message,
                source,
            } => f
                .debug_struct("Unavailable")
                .field("operation", operation)
                .field("message", message)
                .field("source", source)
                .finish(),
            ErrorKind::ItemTooLarge {
                model,
                size,
                limit,
                largest,
            } => f
                .debug_struct("ItemTooLarge")
                .field("model", model)
                .field("size", size)
                .field("limit", limit)
                .field("largest", largest)
                .finish(),
            ErrorKind::LockTimeout { lock, waited } => f
                .debug_struct("LockTimeout")
                .field("lock", lock)
                .field("waited", waited)
                .finish(),
            ErrorKind::LockLost { lock } => f.debug_struct("LockLost").field("lock", lock).finish(),
            ErrorKind::Service {
                operation,
                code,
                message,
                source,
            } => f
                .debug_struct("Service")
                .field("operation", operation)
                .field("code", code)
                .field("message", message)
                .field("source", source)
                .finish(),
        }
    }
}
