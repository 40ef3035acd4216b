//! Lifecycle attributes on the write and read paths: ids and timestamps filled, versions
//! checked and bumped, counters counted, expired items hidden.

use std::borrow::Cow;
use std::time::SystemTime;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, ErrorKind, Result};
use crate::expr::{Condition, Update};
use crate::lifecycle::epoch_seconds;
use crate::model::Table;
use crate::value::Item;

/// The version a write expects to find, and the attribute holding it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VersionGuard {
    attribute: &'static str,
    /// 0: the item must not have a version yet (it is new).
    expected: u64,
}

impl VersionGuard {
    /// `version = expected`, or `attribute_not_exists(version)` for a new item.
    pub(crate) fn condition<M>(self) -> Condition<M> {
        if self.expected == 0 {
            Condition::attribute_absent(self.attribute)
        } else {
            Condition::attribute_equals(self.attribute, number(self.expected))
        }
    }

    /// Joins the guard's condition to the caller's (borrowed as is without a guard).
    pub(crate) fn and<M>(
        guard: Option<Self>,
        condition: Option<&Condition<M>>,
    ) -> Option<Cow<'_, Condition<M>>> {
        match (guard.map(VersionGuard::condition), condition) {
            (Some(guard), Some(condition)) => Some(Cow::Owned(condition.clone().and(guard))),
            (Some(guard), None) => Some(Cow::Owned(guard)),
            (None, condition) => condition.map(Cow::Borrowed),
        }
    }

    /// [`VersionGuard::classify`] when there is a guard.
    pub(crate) fn explain<M: Table>(guard: Option<Self>, error: Error) -> Error {
        match guard {
            Some(guard) => guard.classify::<M>(error),
            None => error,
        }
    }

    /// A failed condition becomes a version conflict when the stored version is not the
    /// expected one (the item returned on failure says); otherwise the caller's own condition
    /// failed and the error stays as it was.
    pub(crate) fn classify<M: Table>(self, error: Error) -> Error {
        let ErrorKind::ConditionalCheckFailed {
            operation, item, ..
        } = error.kind()
        else {
            return error;
        };
        let found = item
            .as_ref()
            .and_then(|item| item.get(self.attribute))
            .and_then(|value| match value {
                AttributeValue::N(text) => text.parse::<u64>().ok(),
                _ => None,
            });
        if found == Some(self.expected) || (self.expected == 0 && found.is_none()) {
            return error;
        }
        ErrorKind::VersionConflict {
            model: M::NAME,
            operation,
            expected: self.expected,
            found,
            item: item.clone().filter(|item| !item.is_empty()),
        }
        .into()
    }
}

fn number(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The version stored in `item` (0 when absent).
fn stored_version<M: Table>(item: &Item, attribute: &'static str) -> Result<u64> {
    match item.get(attribute) {
        None | Some(AttributeValue::Null(_)) => Ok(0),
        Some(AttributeValue::N(text)) => text.parse::<u64>().map_err(|_| {
            Error::invalid_request(
                M::NAME,
                format!("the version attribute `{attribute}` holds `{text}`, not a version number"),
            )
        }),
        Some(_) => Err(Error::invalid_request(
            M::NAME,
            format!("the version attribute `{attribute}` is not a number"),
        )),
    }
}

/// Prepares an item for a put: fills empty generated ids and `created_at`, sets
/// `updated_at`, and moves the version on by one, returning the version to expect.
pub(crate) fn on_put<M: Table>(item: &mut Item) -> Result<Option<VersionGuard>> {
    let lifecycle = &M::meta().lifecycle;
    if lifecycle.is_empty() {
        return Ok(None);
    }
    let created = lifecycle.created_at.iter();
    for generated in lifecycle.auto_ids.iter().chain(created) {
        if (generated.is_empty)(item.get(generated.attribute)) {
            item.insert(generated.attribute.to_owned(), (generated.generate)());
        }
    }
    if let Some(updated) = &lifecycle.updated_at {
        item.insert(updated.attribute.to_owned(), (updated.generate)());
    }
    let Some(attribute) = lifecycle.version else {
        return Ok(None);
    };
    let expected = stored_version::<M>(item, attribute)?;
    let next = expected.checked_add(1).ok_or_else(|| {
        Error::invalid_request(
            M::NAME,
            format!("the version `{attribute}` cannot grow past {expected}"),
        )
    })?;
    item.insert(attribute.to_owned(), number(next));
    Ok(Some(VersionGuard {
        attribute,
        expected,
    }))
}

/// The version a delete of `item` (a whole model's item) expects.
pub(crate) fn on_delete<M: Table>(item: &Item) -> Result<Option<VersionGuard>> {
    let Some(attribute) = M::meta().lifecycle.version else {
        return Ok(None);
    };
    Ok(Some(VersionGuard {
        attribute,
        expected: stored_version::<M>(item, attribute)?,
    }))
}

/// The guard for an update or delete by key that states the version it expects.
pub(crate) fn expecting<M: Table>(expected: u64) -> Result<VersionGuard> {
    match M::meta().lifecycle.version {
        Some(attribute) => Ok(VersionGuard {
            attribute,
            expected,
        }),
        None => Err(Error::invalid_request(
            M::NAME,
            "`expect_version` needs a `#[dynamo(version)]` field",
        )),
    }
}

/// Adds the lifecycle actions to an update: `updated_at` set, `created_at` set if absent,
/// counters and the version counted up. An attribute the update already changes is left to
/// it; an empty update stays empty (and is reported as such).
pub(crate) fn on_update<M: Table>(mut update: Update<M>, existing: Existing) -> Update<M> {
    let lifecycle = &M::meta().lifecycle;
    if lifecycle.is_empty() || update.is_empty() {
        return update;
    }
    if let Some(updated) = &lifecycle.updated_at {
        if !update.changes_attribute(updated.attribute) {
            update = update.set_attribute(updated.attribute, (updated.generate)());
        }
    }
    if let Some(created) = &lifecycle.created_at {
        if !update.changes_attribute(created.attribute) && existing == Existing::MayBeAbsent {
            update = update.set_attribute_once(created.attribute, (created.generate)());
        }
    }
    for &counter in lifecycle.counters.iter().chain(&lifecycle.version) {
        if !update.changes_attribute(counter) {
            update = match existing {
                Existing::MayBeAbsent => update.count_up(counter),
                Existing::Stored => update.add_one(counter),
            };
        }
    }
    update
}

/// What an update may assume of the item's lifecycle attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    /// They may be absent (an upsert, or an item written before they existed): set
    /// `created_at` once, start counters at 0 (`if_not_exists`).
    MayBeAbsent,
    /// They were stored with the item, as a put stores them, and the write can only change
    /// a stored item (PartiQL's `UPDATE`, a language without `if_not_exists`): counters
    /// count up from the stored value, `created_at` is left alone, and no existence
    /// condition is needed.
    Stored,
}

/// Reads `N` epoch seconds as DynamoDB's TTL does (a fraction is ignored).
pub(crate) fn parse_epoch_seconds(text: &str) -> Option<i64> {
    let whole = text.split_once('.').map_or(text, |(whole, _)| whole);
    whole.parse::<i64>().ok()
}

/// Hides items whose TTL has passed but which DynamoDB has not deleted yet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExpiryFilter {
    attribute: Option<&'static str>,
    now: i64,
}

impl ExpiryFilter {
    /// The filter for model `M`, or one that keeps everything when `include_expired`.
    pub(crate) fn of<M: Table>(include_expired: bool) -> Self {
        let attribute = M::meta().lifecycle.ttl.filter(|_| !include_expired);
        ExpiryFilter {
            attribute,
            // Only a model with a TTL needs the clock.
            now: attribute.map_or(0, |_| epoch_seconds(SystemTime::now())),
        }
    }

    /// True when `item` has expired (its TTL lies in the past).
    pub(crate) fn is_expired(&self, item: &Item) -> bool {
        let Some(attribute) = self.attribute else {
            return false;
        };
        match item.get(attribute) {
            Some(AttributeValue::N(text)) => {
                parse_epoch_seconds(text).is_some_and(|ttl| ttl < self.now)
            }
            _ => false,
        }
    }

    /// `item` unless it has expired.
    pub(crate) fn keep(&self, item: Option<Item>) -> Option<Item> {
        item.filter(|item| !self.is_expired(item))
    }
}
