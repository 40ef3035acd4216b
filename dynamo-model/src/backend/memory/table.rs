//! One table in memory: its schema, its items ordered by key, and reading them in key order
//! for queries and scans (with indexes computed from the items).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{AttributeValue, ProjectionType, ScalarAttributeType};

use crate::value::decimal::Number;
use crate::value::Item;

/// A key attribute's value, ordered as DynamoDB orders keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyValue {
    S(String),
    N(Number),
    B(Vec<u8>),
}

impl Ord for KeyValue {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (KeyValue::S(a), KeyValue::S(b)) => a.as_bytes().cmp(b.as_bytes()),
            (KeyValue::N(a), KeyValue::N(b)) => a.cmp(b),
            (KeyValue::B(a), KeyValue::B(b)) => a.cmp(b),
            (a, b) => rank(a).cmp(&rank(b)),
        }
    }
}

fn rank(key: &KeyValue) -> u8 {
    match key {
        KeyValue::S(_) => 0,
        KeyValue::N(_) => 1,
        KeyValue::B(_) => 2,
    }
}

impl PartialOrd for KeyValue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A key attribute of the table or an index.
#[derive(Debug, Clone)]
pub(crate) struct KeyDef {
    pub(crate) name: String,
    pub(crate) ty: ScalarAttributeType,
}

impl KeyDef {
    /// The key value of `item`, or why it is not a valid key.
    pub(crate) fn value_of(&self, item: &Item) -> Result<Option<KeyValue>, String> {
        let Some(value) = item.get(&self.name) else {
            return Ok(None);
        };
        let key = match (&self.ty, value) {
            (ScalarAttributeType::S, AttributeValue::S(s)) => KeyValue::S(s.clone()),
            (ScalarAttributeType::N, AttributeValue::N(n)) => {
                KeyValue::N(Number::parse(n).ok_or_else(|| format!("The parameter cannot be converted to a numeric value: {n}"))?)
            }
            (ScalarAttributeType::B, AttributeValue::B(b)) => KeyValue::B(b.as_ref().to_vec()),
            (expected, _) => {
                return Err(format!(
                    "One or more parameter values were invalid: Type mismatch for key {} expected: {} actual: {}",
                    self.name,
                    expected.as_str(),
                    crate::value::type_name(value)
                ))
            }
        };
        let empty = match &key {
            KeyValue::S(s) => s.is_empty(),
            KeyValue::B(b) => b.is_empty(),
            KeyValue::N(_) => false,
        };
        if empty {
            return Err(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: {}",
                self.name
            ));
        }
        Ok(Some(key))
    }
}

/// A secondary index.
#[derive(Debug, Clone)]
pub(crate) struct IndexDef {
    pub(crate) name: String,
    pub(crate) hash: KeyDef,
    pub(crate) range: Option<KeyDef>,
    /// The partition attributes after the first (a multi-attribute key of a global index).
    pub(crate) more_hash: Vec<KeyDef>,
    /// The sort attributes after the first.
    pub(crate) more_range: Vec<KeyDef>,
    pub(crate) projection: ProjectionType,
    pub(crate) non_key_attributes: Vec<String>,
    pub(crate) global: bool,
}

impl IndexDef {
    /// Every partition attribute, in order.
    pub(crate) fn partition_keys(&self) -> impl Iterator<Item = &KeyDef> {
        std::iter::once(&self.hash).chain(&self.more_hash)
    }

    /// Every sort attribute, in order.
    pub(crate) fn sort_keys(&self) -> impl Iterator<Item = &KeyDef> {
        self.range.iter().chain(&self.more_range)
    }

    /// Every key attribute: the partition's, then the sort's.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &KeyDef> {
        self.partition_keys().chain(self.sort_keys())
    }

    /// The values of `keys` in `item`; `None` when one is missing (or mistyped): the item
    /// is not in the index.
    fn values_of<'a>(keys: impl Iterator<Item = &'a KeyDef>, item: &Item) -> Option<Vec<KeyValue>> {
        keys.map(|key| key.value_of(item).ok().flatten()).collect()
    }

    /// The partition values of `item` in this index.
    pub(crate) fn partition_of(&self, item: &Item) -> Option<Vec<KeyValue>> {
        Self::values_of(self.partition_keys(), item)
    }

    /// The sort values of `item` in this index.
    pub(crate) fn sort_of(&self, item: &Item) -> Option<Vec<KeyValue>> {
        Self::values_of(self.sort_keys(), item)
    }
}

/// DynamoDB's message about key sizes.
const SIZE_LIMIT: &str = "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes";

/// DynamoDB's key sizes: 2048 bytes for a partition key value, 1024 for a sort key value.
fn check_sizes(hash: &KeyValue, range: Option<&KeyValue>) -> Result<(), String> {
    let bytes = |key: &KeyValue| match key {
        KeyValue::S(s) => s.len(),
        KeyValue::B(b) => b.len(),
        KeyValue::N(_) => 0,
    };
    use crate::value::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
    if bytes(hash) > MAX_PARTITION_KEY_BYTES || range.is_some_and(|r| bytes(r) > MAX_SORT_KEY_BYTES)
    {
        return Err(SIZE_LIMIT.to_owned());
    }
    Ok(())
}

/// The primary key of an item: partition value and (for composite tables) sort value.
pub(crate) type PrimaryKey = (KeyValue, Option<KeyValue>);

/// One table.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) hash: KeyDef,
    pub(crate) range: Option<KeyDef>,
    pub(crate) indexes: Vec<IndexDef>,
    pub(crate) description: aws_sdk_dynamodb::types::TableDescription,
    /// The time-to-live setting (`UpdateTimeToLive`), `None` until one was made.
    pub(crate) ttl: Option<aws_sdk_dynamodb::types::TimeToLiveSpecification>,
    /// The table's tags (`CreateTable`, `TagResource`), by key.
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) items: BTreeMap<KeyValue, BTreeMap<Option<KeyValue>, Item>>,
    /// The records of the table's streams.
    pub(crate) feed: super::feed::Feed,
    /// The table's vector indexes, each with its vectors.
    pub(crate) vector_indexes: Vec<super::vector::VectorDef>,
}

impl Table {
    /// The primary key of `item` (a full item or a key), checked against the schema.
    pub(crate) fn key_of(&self, item: &Item) -> Result<PrimaryKey, String> {
        let missing = |name: &str| {
            format!("One or more parameter values were invalid: Missing the key {name} in the item")
        };
        let hash = self
            .hash
            .value_of(item)?
            .ok_or_else(|| missing(&self.hash.name))?;
        let range = match &self.range {
            Some(range) => Some(range.value_of(item)?.ok_or_else(|| missing(&range.name))?),
            None => None,
        };
        check_sizes(&hash, range.as_ref())?;
        Ok((hash, range))
    }

    /// A `Key` parameter: exactly the key attributes.
    pub(crate) fn key_param(&self, key: &Item) -> Result<PrimaryKey, String> {
        let expected = 1 + usize::from(self.range.is_some());
        if key.len() != expected {
            return Err("The provided key element does not match the schema".to_owned());
        }
        match self.key_of(key) {
            Err(size) if size.contains(SIZE_LIMIT) => Err(size),
            Err(_) => Err("The provided key element does not match the schema".to_owned()),
            Ok(key) => Ok(key),
        }
    }

    /// The key attributes of `item`.
    pub(crate) fn key_item(&self, item: &Item) -> Item {
        std::iter::once(&self.hash)
            .chain(&self.range)
            .filter_map(|k| item.get(&k.name).map(|v| (k.name.clone(), v.clone())))
            .collect()
    }

    pub(crate) fn get(&self, key: &PrimaryKey) -> Option<&Item> {
        self.items.get(&key.0)?.get(&key.1)
    }

    /// Writes `item` at `key`, recording the change in the table's stream.
    pub(crate) fn put(&mut self, key: PrimaryKey, item: Item) {
        if !self.feed.is_open() {
            return self.restore(key, item);
        }
        for index in &mut self.vector_indexes {
            index.follow(&key, Some(&item));
        }
        let keys = self.key_item(&item);
        let new = item.clone();
        let old = self.items.entry(key.0).or_default().insert(key.1, item);
        self.feed.record(keys, old.as_ref(), Some(&new));
    }

    /// Writes `item` at `key` as it was before (a snapshot loaded): no stream record.
    pub(crate) fn restore(&mut self, key: PrimaryKey, item: Item) {
        for index in &mut self.vector_indexes {
            index.follow(&key, Some(&item));
        }
        self.items.entry(key.0).or_default().insert(key.1, item);
    }

    /// Deletes the item at `key`, recording the removal in the table's stream.
    pub(crate) fn remove(&mut self, key: &PrimaryKey) -> Option<Item> {
        self.remove_as(key, false)
    }

    /// As [`Table::remove`]; `expired` marks a removal by TTL expiry.
    pub(crate) fn remove_as(&mut self, key: &PrimaryKey, expired: bool) -> Option<Item> {
        let partition = self.items.get_mut(&key.0)?;
        let removed = partition.remove(&key.1);
        if partition.is_empty() {
            self.items.remove(&key.0);
        }
        for index in &mut self.vector_indexes {
            index.follow(key, None);
        }
        if let Some(old) = &removed {
            self.feed
                .record_as(self.key_item(old), Some(old), None, expired);
        }
        removed
    }

    /// Index key attributes of a written item must have the declared types.
    pub(crate) fn check_index_keys(&self, item: &Item) -> Result<(), String> {
        for index in &self.indexes {
            for key in index.keys() {
                key.value_of(item).map_err(|_| {
                    format!(
                        "One or more parameter values were invalid: Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                        key.name,
                        key.ty.as_str(),
                        item.get(&key.name).map_or("NULL", crate::value::type_name),
                        index.name
                    )
                })?;
            }
        }
        Ok(())
    }

    pub(crate) fn index(&self, name: &str) -> Option<&IndexDef> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// Every item in scan order (partition by partition, sort key order within).
    pub(crate) fn all_items(&self) -> impl Iterator<Item = &Item> {
        self.items.values().flat_map(BTreeMap::values)
    }

    /// The attributes an index holds of `item`.
    pub(crate) fn index_projection(&self, index: &IndexDef, item: &Item) -> Item {
        match index.projection {
            ProjectionType::All => item.clone(),
            _ => {
                let table_keys = [Some(&self.hash), self.range.as_ref()];
                item.iter()
                    .filter(|(name, _)| {
                        table_keys.iter().flatten().any(|k| &k.name == *name)
                            || index.keys().any(|k| &k.name == *name)
                            || (index.projection == ProjectionType::Include
                                && index.non_key_attributes.contains(name))
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            }
        }
    }

    /// The items of an index (those with its key attributes), ordered by index sort key,
    /// then by table key, each with the key of its position.
    pub(crate) fn index_items(
        &self,
        index: &IndexDef,
        hash: Option<&KeyValue>,
    ) -> Vec<(Vec<KeyValue>, Item)> {
        let mut entries: Vec<(Vec<KeyValue>, Item)> = self
            .all_items()
            .filter_map(|item| {
                let partition = index.partition_of(item)?;
                if hash.is_some_and(|h| *h != partition[0]) {
                    return None;
                }
                let mut position = index.sort_of(item)?;
                if hash.is_none() {
                    position.splice(0..0, partition);
                }
                let (table_hash, table_range) = self.key_of(item).ok()?;
                position.push(table_hash);
                position.extend(table_range);
                Some((position, self.index_projection(index, item)))
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    }
}
