//! The embedded backend: DynamoDB's semantics in process, on the same requests the SDK
//! sends (expression strings with their names and values), for tests and a zero-setup start.
//!
//! One lock guards the whole store and no request awaits while holding it, so conditional
//! writes and transactions are atomic across tasks.

mod admin;
mod batch;
mod eval;
mod feed;

mod parse;
mod partiql;
#[cfg(feature = "serde_json")]
mod snapshot;
mod table;
mod vector;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound::{Excluded, Unbounded};
use std::sync::{Arc, Mutex, MutexGuard};

use aws_sdk_dynamodb::operation::{delete_item, get_item, put_item, query, scan, update_item};
use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, ReturnConsumedCapacity, ReturnValue,
    ReturnValuesOnConditionCheckFailure, Select,
};

use self::parse::{Placeholders, UpdateAction};
use self::table::{IndexDef, KeyDef, KeyValue, PrimaryKey, Table};
use super::{operations, Backend, BackendFuture};
use crate::error::{Error, ErrorKind, Result};
use crate::value::decimal::Number;
use crate::value::{item_size, Item, MAX_ITEM_SIZE};

/// Consumed capacity as DynamoDB counts it, when the request asked for it: writes in 1 KB
/// units, reads in 4 KB units (half for eventually consistent reads).
pub(super) fn capacity(
    table: &Option<String>,
    asked: &Option<ReturnConsumedCapacity>,
    bytes: usize,
    write: bool,
    consistent: bool,
) -> Option<ConsumedCapacity> {
    if !matches!(
        asked,
        Some(ReturnConsumedCapacity::Total | ReturnConsumedCapacity::Indexes)
    ) {
        return None;
    }
    let units = if write {
        bytes.div_ceil(1024).max(1) as f64
    } else {
        let reads = bytes.div_ceil(4096).max(1) as f64;
        if consistent {
            reads
        } else {
            reads / 2.0
        }
    };
    Some(
        ConsumedCapacity::builder()
            .set_table_name(table.clone())
            .capacity_units(units)
            .build(),
    )
}

/// The largest page a query or scan returns, 1 MB.
const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// DynamoDB in process: tables, items, indexes, conditions, transactions.
#[derive(Debug, Clone, Default)]
pub struct MemoryBackend {
    store: Arc<Mutex<Store>>,
}

#[derive(Default)]
struct Store {
    tables: BTreeMap<String, Table>,
    /// Each transaction's client request token, with the items it applied (a token used
    /// again for other items is refused, as DynamoDB does).
    tokens: HashMap<String, Vec<aws_sdk_dynamodb::types::TransactWriteItem>>,
}

/// Names the tables and counts their items: never an item value.
impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut tables = f.debug_map();
        for (name, table) in &self.tables {
            let items: usize = table.items.values().map(BTreeMap::len).sum();
            tables.entry(name, &format_args!("{items} items"));
        }
        tables.finish()
    }
}

fn validation(operation: &'static str, message: impl Into<String>) -> Error {
    let message = message.into();
    ErrorKind::Service {
        operation,
        code: Some("ValidationException".to_owned()),
        source: message.clone().into(),
        message,
    }
    .into()
}

fn not_found(operation: &'static str, table: &Option<String>) -> Error {
    ErrorKind::ResourceNotFound {
        operation,
        table: table.clone().unwrap_or_default(),
        message: "Cannot do operations on a non-existent table".to_owned(),
    }
    .into()
}

/// Numbers as DynamoDB stores them (normal form), everywhere in a value.
fn normalize(value: AttributeValue) -> AttributeValue {
    let canonical = |n: String| Number::parse(&n).map_or(n, |v| v.canonical());
    match value {
        AttributeValue::N(n) => AttributeValue::N(canonical(n)),
        AttributeValue::Ns(set) => AttributeValue::Ns(set.into_iter().map(canonical).collect()),
        AttributeValue::L(list) => AttributeValue::L(list.into_iter().map(normalize).collect()),
        AttributeValue::M(map) => {
            AttributeValue::M(map.into_iter().map(|(k, v)| (k, normalize(v))).collect())
        }
        other => other,
    }
}

fn normalize_item(item: Item) -> Item {
    item.into_iter().map(|(k, v)| (k, normalize(v))).collect()
}

/// DynamoDB's message for a string set with duplicates, its members left out.
const QUOTED_DUPLICATES: &str =
    "One or more parameter values were invalid: Input collection [..] contains duplicates";

/// Checks what DynamoDB checks of any written attribute value: no empty set, no duplicate
/// set member, numbers it can store.
fn check_values(item: &Item) -> std::result::Result<(), String> {
    fn check(value: &AttributeValue) -> std::result::Result<(), String> {
        match value {
            AttributeValue::Ss(v) if v.is_empty() => Err(
                "One or more parameter values were invalid: An string set  may not be empty".into(),
            ),
            AttributeValue::Ns(v) if v.is_empty() => Err(
                "One or more parameter values were invalid: An number set  may not be empty".into(),
            ),
            AttributeValue::Bs(v) if v.is_empty() => Err(
                "One or more parameter values were invalid: Binary sets should not be empty".into(),
            ),
            AttributeValue::N(n) => number(n).map(|_| ()),
            AttributeValue::Ns(members) => {
                let numbers = members.iter().map(|n| number(n).map(|v| v.canonical()));
                let numbers = numbers.collect::<std::result::Result<Vec<_>, _>>()?;
                no_duplicates("Input collection contains duplicates", numbers)
            }
            AttributeValue::Ss(members) => no_duplicates(QUOTED_DUPLICATES, members.iter()),
            AttributeValue::Bs(members) => no_duplicates(
                "One or more parameter values were invalid: Input collection of type BS contains duplicates.",
                members.iter().map(|b| b.as_ref()),
            ),
            AttributeValue::L(list) => list.iter().try_for_each(check),
            AttributeValue::M(map) => map.values().try_for_each(check),
            _ => Ok(()),
        }
    }
    /// A number DynamoDB stores: parsed, at most 38 digits, within its range.
    fn number(text: &str) -> std::result::Result<Number, String> {
        let parsed = Number::parse(text).ok_or_else(|| {
            format!("The parameter cannot be converted to a numeric value: {text}")
        })?;
        match parsed.unstorable() {
            Some(why) => Err(why.to_owned()),
            None => Ok(parsed),
        }
    }
    /// A set's members, each once (DynamoDB refuses duplicates, numbers compared by value).
    /// (DynamoDB Local's messages: a string set's quotes its members, which the client
    /// leaves out of its errors, as here; the others quote none.)
    fn no_duplicates<T: Ord>(
        message: &str,
        members: impl IntoIterator<Item = T>,
    ) -> std::result::Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for member in members {
            if !seen.insert(member) {
                return Err(message.to_owned());
            }
        }
        Ok(())
    }
    item.values().try_for_each(check)
}

/// The expressions of one request, parsed with its placeholders.
struct Expressions<'a> {
    placeholders: Placeholders<'a>,
}

impl<'a> Expressions<'a> {
    fn new(
        names: &'a HashMap<String, String>,
        values: &'a HashMap<String, AttributeValue>,
    ) -> Self {
        Expressions {
            placeholders: Placeholders::new(names, values),
        }
    }

    /// A condition (`ConditionExpression`); errors name the expression, as DynamoDB's do.
    fn condition(
        &mut self,
        text: Option<&str>,
    ) -> std::result::Result<Option<parse::Condition>, String> {
        self.condition_of("ConditionExpression", text)
    }

    /// A condition of another kind (`FilterExpression`, `KeyConditionExpression`).
    fn condition_of(
        &mut self,
        kind: &str,
        text: Option<&str>,
    ) -> std::result::Result<Option<parse::Condition>, String> {
        text.map(|t| parse::condition(t, &mut self.placeholders).map_err(|m| invalid(kind, m)))
            .transpose()
    }

    fn projection(
        &mut self,
        text: Option<&str>,
    ) -> std::result::Result<Option<Vec<parse::Path>>, String> {
        text.map(|t| {
            parse::projection(t, &mut self.placeholders)
                .map_err(|m| invalid("ProjectionExpression", m))
        })
        .transpose()
    }

    fn update(
        &mut self,
        text: Option<&str>,
    ) -> std::result::Result<Option<Vec<UpdateAction>>, String> {
        text.map(|t| {
            parse::update(t, &mut self.placeholders).map_err(|m| invalid("UpdateExpression", m))
        })
        .transpose()
    }

    fn finish(self) -> std::result::Result<(), String> {
        self.placeholders.check_all_used()
    }
}

/// `Invalid ConditionExpression: <message>`.
fn invalid(kind: &str, message: String) -> String {
    format!("Invalid {kind}: {message}")
}

static EMPTY_NAMES: std::sync::LazyLock<HashMap<String, String>> =
    std::sync::LazyLock::new(HashMap::new);
static EMPTY_VALUES: std::sync::LazyLock<HashMap<String, AttributeValue>> =
    std::sync::LazyLock::new(HashMap::new);

fn maps<'a>(
    names: &'a Option<HashMap<String, String>>,
    values: &'a Option<HashMap<String, AttributeValue>>,
) -> (
    &'a HashMap<String, String>,
    &'a HashMap<String, AttributeValue>,
) {
    (
        names.as_ref().unwrap_or(&EMPTY_NAMES),
        values.as_ref().unwrap_or(&EMPTY_VALUES),
    )
}

impl MemoryBackend {
    /// An empty store.
    pub fn new() -> Self {
        MemoryBackend::default()
    }

    /// Deletes every item whose time to live has passed at `now`, in each table with TTL
    /// enabled, as DynamoDB's TTL process does (there in the background, within a few days;
    /// here when called), and returns how many it deleted. Each deletion is recorded in the
    /// table's stream as a removal by TTL expiry.
    ///
    /// An item expires when its TTL attribute is a number of epoch seconds at or before
    /// `now`; values more than five years in the past are ignored, as DynamoDB ignores them.
    pub fn expire_items(&self, now: std::time::SystemTime) -> usize {
        const FIVE_YEARS: u64 = 5 * 365 * 24 * 60 * 60;
        let now = now
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let expired = |value: Option<&AttributeValue>| {
            let Some(AttributeValue::N(text)) = value else {
                return false;
            };
            text.parse::<f64>().is_ok_and(|at| {
                at >= 0.0 && at <= now as f64 && at >= now.saturating_sub(FIVE_YEARS) as f64
            })
        };
        let mut store = self.lock();
        let mut deleted = 0;
        for table in store.tables.values_mut() {
            let Some(attribute) = table
                .ttl
                .as_ref()
                .filter(|ttl| ttl.enabled)
                .map(|ttl| ttl.attribute_name.clone())
            else {
                continue;
            };
            let keys: Vec<PrimaryKey> = table
                .items
                .iter()
                .flat_map(|(hash, partition)| {
                    partition
                        .iter()
                        .filter(|(_, item)| expired(item.get(&attribute)))
                        .map(move |(range, _)| (hash.clone(), range.clone()))
                })
                .collect();
            for key in keys {
                if table.remove_as(&key, true).is_some() {
                    deleted += 1;
                }
            }
        }
        deleted
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves consistent data (every write is one insert).
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Store {
    fn table(&self, operation: &'static str, name: &Option<String>) -> Result<&Table> {
        name.as_ref()
            .and_then(|n| self.tables.get(n))
            .ok_or_else(|| not_found(operation, name))
    }

    fn table_mut(&mut self, operation: &'static str, name: &Option<String>) -> Result<&mut Table> {
        name.as_ref()
            .and_then(|n| self.tables.get_mut(n))
            .ok_or_else(|| not_found(operation, name))
    }
}

/// What a conditional single-item write decided.
fn condition_failed(
    operation: &'static str,
    old: Option<&Item>,
    mode: &Option<ReturnValuesOnConditionCheckFailure>,
) -> Error {
    let item = (mode == &Some(ReturnValuesOnConditionCheckFailure::AllOld))
        .then(|| old.cloned())
        .flatten();
    ErrorKind::ConditionalCheckFailed {
        operation,
        item,
        model: None,
        key: None,
    }
    .into()
}

/// Fails with `ConditionalCheckFailed` unless `condition` holds for `old` (absent: an empty
/// item), carrying `old` when the request asked for it.
fn require(
    operation: &'static str,
    condition: Option<&parse::Condition>,
    old: Option<&Item>,
    mode: &Option<ReturnValuesOnConditionCheckFailure>,
) -> Result<()> {
    match condition {
        Some(condition) if !eval::holds(old.unwrap_or(&Item::new()), condition) => {
            Err(condition_failed(operation, old, mode))
        }
        _ => Ok(()),
    }
}

/// The condition of a request that has no other expression, with its placeholders checked.
fn only_condition(
    operation: &'static str,
    names: &Option<HashMap<String, String>>,
    values: &Option<HashMap<String, AttributeValue>>,
    text: Option<&str>,
) -> Result<Option<parse::Condition>> {
    let (names, values) = maps(names, values);
    let mut expressions = Expressions::new(names, values);
    let condition = expressions
        .condition(text)
        .map_err(|m| validation(operation, m))?;
    expressions.finish().map_err(|m| validation(operation, m))?;
    Ok(condition)
}

/// DynamoDB's `Limit`: 1 or more.
fn check_limit(operation: &'static str, limit: Option<i32>) -> Result<()> {
    match limit {
        Some(limit) if limit < 1 => Err(validation(
            operation,
            "Limit must be greater than or equal to 1",
        )),
        _ => Ok(()),
    }
}

/// Validates a full item for writing into `table` and returns its key.
fn checked_item(operation: &'static str, table: &Table, item: &Item) -> Result<PrimaryKey> {
    let key = table.key_of(item).map_err(|m| validation(operation, m))?;
    check_values(item).map_err(|m| validation(operation, m))?;
    if crate::value::nesting_depth(item) > crate::value::MAX_NESTING {
        return Err(validation(
            operation,
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit",
        ));
    }
    table
        .check_index_keys(item)
        .map_err(|m| validation(operation, m))?;
    if item_size(item) > MAX_ITEM_SIZE {
        return Err(validation(
            operation,
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(key)
}

impl MemoryBackend {
    fn put(&self, input: put_item::PutItemInput) -> Result<put_item::PutItemOutput> {
        const OP: &str = "PutItem";
        let item = normalize_item(input.item.unwrap_or_default());
        let condition = only_condition(
            OP,
            &input.expression_attribute_names,
            &input.expression_attribute_values,
            input.condition_expression.as_deref(),
        )?;
        let mut store = self.lock();
        let table = store.table_mut(OP, &input.table_name)?;
        let key = checked_item(OP, table, &item)?;
        let old = table.get(&key).cloned();
        require(
            OP,
            condition.as_ref(),
            old.as_ref(),
            &input.return_values_on_condition_check_failure,
        )?;
        let consumed = capacity(
            &input.table_name,
            &input.return_consumed_capacity,
            item_size(&item),
            true,
            true,
        );
        table.put(key, item);
        let attributes = (input.return_values == Some(ReturnValue::AllOld))
            .then_some(old)
            .flatten();
        Ok(put_item::PutItemOutput::builder()
            .set_attributes(attributes)
            .set_consumed_capacity(consumed)
            .build())
    }

    fn get(&self, input: get_item::GetItemInput) -> Result<get_item::GetItemOutput> {
        const OP: &str = "GetItem";
        let (names, values) = maps(&input.expression_attribute_names, &None);
        let mut expressions = Expressions::new(names, values);
        let projection = expressions
            .projection(input.projection_expression.as_deref())
            .map_err(|m| validation(OP, m))?;
        expressions.finish().map_err(|m| validation(OP, m))?;
        let store = self.lock();
        let table = store.table(OP, &input.table_name)?;
        let key = table
            .key_param(&input.key.unwrap_or_default())
            .map_err(|m| validation(OP, m))?;
        let found = table.get(&key);
        let consumed = capacity(
            &input.table_name,
            &input.return_consumed_capacity,
            found.map_or(0, item_size),
            false,
            input.consistent_read == Some(true),
        );
        let item = found.map(|item| match &projection {
            Some(paths) => eval::project(item, paths),
            None => item.clone(),
        });
        Ok(get_item::GetItemOutput::builder()
            .set_item(item)
            .set_consumed_capacity(consumed)
            .build())
    }

    fn delete(&self, input: delete_item::DeleteItemInput) -> Result<delete_item::DeleteItemOutput> {
        const OP: &str = "DeleteItem";
        let condition = only_condition(
            OP,
            &input.expression_attribute_names,
            &input.expression_attribute_values,
            input.condition_expression.as_deref(),
        )?;
        let mut store = self.lock();
        let table = store.table_mut(OP, &input.table_name)?;
        let key = table
            .key_param(&input.key.unwrap_or_default())
            .map_err(|m| validation(OP, m))?;
        let old = table.get(&key).cloned();
        require(
            OP,
            condition.as_ref(),
            old.as_ref(),
            &input.return_values_on_condition_check_failure,
        )?;
        table.remove(&key);
        let consumed = capacity(
            &input.table_name,
            &input.return_consumed_capacity,
            old.as_ref().map_or(0, item_size),
            true,
            true,
        );
        let attributes = (input.return_values == Some(ReturnValue::AllOld))
            .then_some(old)
            .flatten();
        Ok(delete_item::DeleteItemOutput::builder()
            .set_attributes(attributes)
            .set_consumed_capacity(consumed)
            .build())
    }

    fn update(&self, input: update_item::UpdateItemInput) -> Result<update_item::UpdateItemOutput> {
        const OP: &str = "UpdateItem";
        let (names, values) = maps(
            &input.expression_attribute_names,
            &input.expression_attribute_values,
        );
        let mut expressions = Expressions::new(names, values);
        let actions = expressions
            .update(input.update_expression.as_deref())
            .map_err(|m| validation(OP, m))?
            .unwrap_or_default();
        let condition = expressions
            .condition(input.condition_expression.as_deref())
            .map_err(|m| validation(OP, m))?;
        expressions.finish().map_err(|m| validation(OP, m))?;
        let mut store = self.lock();
        let table = store.table_mut(OP, &input.table_name)?;
        let key_item = input.key.unwrap_or_default();
        let key = table.key_param(&key_item).map_err(|m| validation(OP, m))?;
        let old = table.get(&key).cloned();
        require(
            OP,
            condition.as_ref(),
            old.as_ref(),
            &input.return_values_on_condition_check_failure,
        )?;
        let new = updated(
            OP,
            table,
            old.clone().unwrap_or_else(|| key_item.clone()),
            &actions,
        )?;
        let changed = changed_attributes(&actions);
        let consumed = capacity(
            &input.table_name,
            &input.return_consumed_capacity,
            item_size(&new),
            true,
            true,
        );
        table.put(key, new.clone());
        let pick = |item: &Item| -> Item {
            item.iter()
                .filter(|(k, _)| changed.contains(k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let attributes = match input.return_values {
            Some(ReturnValue::AllNew) => Some(new),
            Some(ReturnValue::AllOld) => old,
            Some(ReturnValue::UpdatedNew) => Some(pick(&new)),
            Some(ReturnValue::UpdatedOld) => old.as_ref().map(pick),
            _ => None,
        };
        Ok(update_item::UpdateItemOutput::builder()
            .set_attributes(attributes)
            .set_consumed_capacity(consumed)
            .build())
    }

    fn query(&self, input: query::QueryInput) -> Result<query::QueryOutput> {
        const OP: &str = "Query";
        check_limit(OP, input.limit)?;
        let (names, values) = maps(
            &input.expression_attribute_names,
            &input.expression_attribute_values,
        );
        let mut expressions = Expressions::new(names, values);
        let key_condition = expressions
            .condition_of("KeyConditionExpression", input.key_condition_expression.as_deref())
            .map_err(|m| validation(OP, m))?
            .ok_or_else(|| validation(OP, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."))?;
        let filter = expressions
            .condition_of("FilterExpression", input.filter_expression.as_deref())
            .map_err(|m| validation(OP, m))?;
        let projection = expressions
            .projection(input.projection_expression.as_deref())
            .map_err(|m| validation(OP, m))?;
        expressions.finish().map_err(|m| validation(OP, m))?;
        let store = self.lock();
        let table = store.table(OP, &input.table_name)?;
        let (hash_def, index) = match &input.index_name {
            Some(name) => {
                let index = table.index(name).ok_or_else(|| {
                    validation(
                        OP,
                        format!("The table does not have the specified index: {name}"),
                    )
                })?;
                if index.global && input.consistent_read == Some(true) {
                    return Err(validation(
                        OP,
                        "Consistent reads are not supported on global secondary indexes",
                    ));
                }
                (&index.hash, Some(index))
            }
            None => (&table.hash, None),
        };
        let missed = |key: &KeyDef| {
            validation(
                OP,
                "Query condition missed key schema element: ".to_owned() + &key.name,
            )
        };
        let hash = partition_value(&key_condition, hash_def).ok_or_else(|| missed(hash_def))?;
        for more in index.iter().flat_map(|index| &index.more_hash) {
            partition_value(&key_condition, more).ok_or_else(|| missed(more))?;
        }
        let forward = input.scan_index_forward.unwrap_or(true);
        let start = input
            .exclusive_start_key
            .as_ref()
            .map(|start| start_position(table, index, start).map_err(|m| validation(OP, m)))
            .transpose()?;
        // Items in sort-key order from the start key, evaluated lazily: only what the page
        // reads is compared, and only what it returns is cloned.
        let candidates: Box<dyn Iterator<Item = &Item> + '_> = match index {
            Some(index) => {
                let entries = table.index_items(index, Some(&hash));
                let after = |p: &Vec<KeyValue>| match &start {
                    Some(s) if forward => p > s,
                    Some(s) => p < s,
                    None => true,
                };
                let mut ordered: Vec<(Vec<KeyValue>, Item)> =
                    entries.into_iter().filter(|(p, _)| after(p)).collect();
                if !forward {
                    ordered.reverse();
                }
                // Index entries are projections, built for this query: they are owned here.
                let owned: Vec<Item> = ordered.into_iter().map(|(_, item)| item).collect();
                let page = paginate(
                    table,
                    Some(index),
                    owned
                        .into_iter()
                        .filter(|item| eval::holds(item, &key_condition)),
                    input.limit,
                    &filter,
                );
                return Ok(self.query_output(&input, page, projection));
            }
            None => match table.items.get(&hash) {
                None => Box::new(std::iter::empty()),
                Some(partition) => {
                    let range = start.map(|s| s.into_iter().next());
                    match (forward, range) {
                        (true, Some(r)) => {
                            Box::new(partition.range((Excluded(r), Unbounded)).map(|(_, i)| i))
                        }
                        (true, None) => Box::new(partition.values()),
                        (false, Some(r)) => Box::new(
                            partition
                                .range((Unbounded, Excluded(r)))
                                .rev()
                                .map(|(_, i)| i),
                        ),
                        (false, None) => Box::new(partition.values().rev()),
                    }
                }
            },
        };
        let page = paginate(
            table,
            None,
            candidates
                .filter(|item| eval::holds(item, &key_condition))
                .cloned(),
            input.limit,
            &filter,
        );
        Ok(self.query_output(&input, page, projection))
    }

    fn query_output(
        &self,
        input: &query::QueryInput,
        page: PageRead,
        projection: Option<Vec<parse::Path>>,
    ) -> query::QueryOutput {
        let consumed = capacity(
            &input.table_name,
            &input.return_consumed_capacity,
            page.bytes,
            false,
            input.consistent_read == Some(true),
        );
        let mut output = page.finish(input.select.clone(), projection).into_query();
        output.consumed_capacity = consumed;
        output
    }

    fn scan(&self, input: scan::ScanInput) -> Result<scan::ScanOutput> {
        const OP: &str = "Scan";
        check_limit(OP, input.limit)?;
        let (names, values) = maps(
            &input.expression_attribute_names,
            &input.expression_attribute_values,
        );
        let mut expressions = Expressions::new(names, values);
        let filter = expressions
            .condition_of("FilterExpression", input.filter_expression.as_deref())
            .map_err(|m| validation(OP, m))?;
        let projection = expressions
            .projection(input.projection_expression.as_deref())
            .map_err(|m| validation(OP, m))?;
        expressions.finish().map_err(|m| validation(OP, m))?;
        let store = self.lock();
        let table = store.table(OP, &input.table_name)?;
        let index = match &input.index_name {
            Some(name) => Some(table.index(name).ok_or_else(|| {
                validation(
                    OP,
                    format!("The table does not have the specified index: {name}"),
                )
            })?),
            None => None,
        };
        let segment = match (input.segment, input.total_segments) {
            (Some(segment), Some(total)) if (0..total).contains(&segment) => Some((segment, total)),
            (None, None) => None,
            _ => {
                return Err(validation(
                    OP,
                    "The Segment parameter must be less than TotalSegments",
                ))
            }
        };
        let entries: Vec<(Vec<KeyValue>, Item)> = match index {
            Some(index) => table.index_items(index, None),
            None => table
                .items
                .iter()
                .flat_map(|(hash, partition)| {
                    partition.iter().map(move |(range, item)| {
                        (
                            std::iter::once(hash.clone())
                                .chain(range.iter().cloned())
                                .collect(),
                            item.clone(),
                        )
                    })
                })
                .collect(),
        };
        let in_segment = |item: &Item| match segment {
            None => true,
            Some((segment, total)) => {
                let key = format!("{:?}", table.key_of(item).ok());
                let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
                });
                hash % u64::try_from(total).unwrap_or(1) == u64::try_from(segment).unwrap_or(0)
            }
        };
        let start = match &input.exclusive_start_key {
            Some(start) => {
                let position = scan_position(table, index, start).map_err(|m| validation(OP, m))?;
                entries
                    .iter()
                    .position(|(p, _)| *p > position)
                    .unwrap_or(entries.len())
            }
            None => 0,
        };
        let items = entries
            .into_iter()
            .skip(start)
            .map(|(_, item)| item)
            .filter(|item| in_segment(item));
        let page = paginate(table, index, items, input.limit, &filter);
        let consumed = capacity(
            &input.table_name,
            &input.return_consumed_capacity,
            page.bytes,
            false,
            input.consistent_read == Some(true),
        );
        let mut output = page.finish(input.select, projection).into_scan();
        output.consumed_capacity = consumed;
        Ok(output)
    }
}

/// The partition key value a key condition requires (`hash = :v`).
fn partition_value(condition: &parse::Condition, hash: &KeyDef) -> Option<KeyValue> {
    use parse::{Comparator, Condition, Operand, Step};
    match condition {
        Condition::Compare(Operand::Path(path), Comparator::Eq, Operand::Value(value))
        | Condition::Compare(Operand::Value(value), Comparator::Eq, Operand::Path(path))
            if path.as_slice() == [Step::Name(hash.name.clone())] =>
        {
            let item: Item = [(hash.name.clone(), value.clone())].into_iter().collect();
            hash.value_of(&item).ok().flatten()
        }
        Condition::And(a, b) => partition_value(a, hash).or_else(|| partition_value(b, hash)),
        _ => None,
    }
}

/// The position key of an `ExclusiveStartKey` in a query's order.
fn start_position(
    table: &Table,
    index: Option<&IndexDef>,
    start: &Item,
) -> std::result::Result<Vec<KeyValue>, String> {
    let invalid = || "The provided starting key is invalid".to_owned();
    let (hash, range) = table.key_of(start).map_err(|_| invalid())?;
    let mut position = Vec::new();
    match index {
        Some(index) => {
            position.extend(index.sort_of(start).ok_or_else(invalid)?);
            position.push(hash);
            position.extend(range);
        }
        None => position.extend(range),
    }
    Ok(position)
}

/// The position key of an `ExclusiveStartKey` in a scan's order.
fn scan_position(
    table: &Table,
    index: Option<&IndexDef>,
    start: &Item,
) -> std::result::Result<Vec<KeyValue>, String> {
    match index {
        Some(index) => {
            let mut position = start_position(table, Some(index), start)?;
            let partition = index
                .partition_of(start)
                .ok_or("The provided starting key is invalid")?;
            position.splice(0..0, partition);
            Ok(position)
        }
        None => {
            let (hash, range) = table
                .key_of(start)
                .map_err(|_| "The provided starting key is invalid".to_owned())?;
            Ok(std::iter::once(hash).chain(range).collect())
        }
    }
}

/// A page being read: items evaluated up to `Limit` or 1 MB, then filtered.
struct PageRead {
    items: Vec<Item>,
    scanned: i32,
    last_key: Option<Item>,
    bytes: usize,
}

fn paginate(
    table: &Table,
    index: Option<&IndexDef>,
    candidates: impl Iterator<Item = Item>,
    limit: Option<i32>,
    filter: &Option<parse::Condition>,
) -> PageRead {
    let limit = limit
        .and_then(|l| usize::try_from(l).ok())
        .filter(|l| *l > 0);
    let mut candidates = candidates.peekable();
    let mut read = PageRead {
        items: Vec::new(),
        scanned: 0,
        last_key: None,
        bytes: 0,
    };
    let mut evaluated = 0;
    while let Some(item) = candidates.next() {
        evaluated += 1;
        read.scanned += 1;
        read.bytes += item_size(&item);
        let key = || {
            let mut key = table.key_item(&item);
            if let Some(index) = index {
                for k in index.keys() {
                    if let Some(v) = item.get(&k.name) {
                        key.insert(k.name.clone(), v.clone());
                    }
                }
            }
            key
        };
        let full = limit.is_some_and(|l| evaluated >= l) || read.bytes >= MAX_PAGE_BYTES;
        if full && candidates.peek().is_some() {
            read.last_key = Some(key());
        } else if full && limit.is_some_and(|l| evaluated >= l) {
            // DynamoDB returns a LastEvaluatedKey when the limit was reached, even at the end.
            read.last_key = Some(key());
        }
        if filter.as_ref().is_none_or(|f| eval::holds(&item, f)) {
            read.items.push(item);
        }
        if full {
            break;
        }
    }
    read
}

impl PageRead {
    fn finish(
        mut self,
        select: Option<Select>,
        projection: Option<Vec<parse::Path>>,
    ) -> PageOutput {
        let count = i32::try_from(self.items.len()).unwrap_or(i32::MAX);
        if select == Some(Select::Count) {
            self.items.clear();
            return PageOutput {
                items: None,
                count,
                scanned: self.scanned,
                last_key: self.last_key,
            };
        }
        if let Some(paths) = projection {
            self.items = self
                .items
                .iter()
                .map(|item| eval::project(item, &paths))
                .collect();
        }
        PageOutput {
            items: Some(self.items),
            count,
            scanned: self.scanned,
            last_key: self.last_key,
        }
    }
}

struct PageOutput {
    items: Option<Vec<Item>>,
    count: i32,
    scanned: i32,
    last_key: Option<Item>,
}

impl PageOutput {
    fn into_query(self) -> query::QueryOutput {
        query::QueryOutput::builder()
            .set_items(self.items)
            .count(self.count)
            .scanned_count(self.scanned)
            .set_last_evaluated_key(self.last_key)
            .build()
    }

    fn into_scan(self) -> scan::ScanOutput {
        scan::ScanOutput::builder()
            .set_items(self.items)
            .count(self.count)
            .scanned_count(self.scanned)
            .set_last_evaluated_key(self.last_key)
            .build()
    }
}

/// The item after `actions`, checked: key attributes unchanged, values valid, size.
fn updated(
    operation: &'static str,
    table: &Table,
    mut item: Item,
    actions: &[UpdateAction],
) -> Result<Item> {
    let key_before = table.key_item(&item);
    for action in actions {
        let (UpdateAction::Set(path, _)
        | UpdateAction::Remove(path)
        | UpdateAction::Add(path, _)
        | UpdateAction::Delete(path, _)) = action;
        if let Some(parse::Step::Name(name)) = path.first() {
            if key_before.contains_key(name) {
                return Err(validation(
                    operation,
                    format!("One or more parameter values were invalid: Cannot update attribute {name}. This attribute is part of the key"),
                ));
            }
        }
    }
    eval::apply(&mut item, actions).map_err(|m| validation(operation, m))?;
    let item = normalize_item(item);
    checked_item(operation, table, &item)?;
    Ok(item)
}

fn changed_attributes(actions: &[UpdateAction]) -> HashSet<String> {
    actions
        .iter()
        .filter_map(|action| {
            let (UpdateAction::Set(path, _)
            | UpdateAction::Remove(path)
            | UpdateAction::Add(path, _)
            | UpdateAction::Delete(path, _)) = action;
            match path.first() {
                Some(parse::Step::Name(name)) => Some(name.clone()),
                _ => None,
            }
        })
        .collect()
}

macro_rules! implement_memory {
    ($($(#[$doc:meta])* $method:ident($name:literal, $class:ident): $input:ty => $output:ty, $error:ty;)*) => {
        impl Backend for MemoryBackend {
            fn change_source(&self) -> Option<Arc<dyn crate::backend::changes::ChangeSource>> {
                Some(Arc::new(self.clone()))
            }
            $(
                fn $method(&self, input: $input) -> BackendFuture<'_, $output> {
                    let result = input
                        .build()
                        .map_err(|e| validation($name, e.to_string()))
                        .and_then(|input| self.$method(input));
                    Box::pin(std::future::ready(result))
                }
            )*
        }
    };
}

impl MemoryBackend {
    fn put_item(&self, input: put_item::PutItemInput) -> Result<put_item::PutItemOutput> {
        self.put(input)
    }
    fn get_item(&self, input: get_item::GetItemInput) -> Result<get_item::GetItemOutput> {
        self.get(input)
    }
    fn delete_item(
        &self,
        input: delete_item::DeleteItemInput,
    ) -> Result<delete_item::DeleteItemOutput> {
        self.delete(input)
    }
    fn update_item(
        &self,
        input: update_item::UpdateItemInput,
    ) -> Result<update_item::UpdateItemOutput> {
        self.update(input)
    }
}

operations!(implement_memory);
