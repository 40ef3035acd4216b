//! Saving the whole store to a file and loading it back (behind the `serde_json` feature), so
//! the embedded backend can serve local development across restarts.
//!
//! The file is JSON: per table, its schema (keys with types, indexes with projections) and
//! its items in DynamoDB's JSON form (`{"S": "..."}`, `{"N": "1"}`, binary as byte arrays).

use std::collections::HashMap;
use std::path::Path;

use aws_sdk_dynamodb::operation::create_table::CreateTableInput;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType,
};
use serde_json::{json, Map, Value};

use super::table::{KeyDef, Table};
use super::{validation, MemoryBackend};
use crate::error::{Error, Result};
use crate::value::Item;

fn io_error(path: &Path, error: impl std::fmt::Display) -> Error {
    Error::invalid_operation(
        "MemoryBackend",
        format!("snapshot `{}`: {error}", path.display()),
    )
}

fn value_to_json(value: &AttributeValue) -> Value {
    let bytes = |b: &Blob| Value::Array(b.as_ref().iter().map(|x| json!(x)).collect());
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": bytes(b) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::Ss(v) => json!({ "SS": v }),
        AttributeValue::Ns(v) => json!({ "NS": v }),
        AttributeValue::Bs(v) => json!({ "BS": v.iter().map(bytes).collect::<Vec<_>>() }),
        AttributeValue::L(v) => json!({ "L": v.iter().map(value_to_json).collect::<Vec<_>>() }),
        AttributeValue::M(m) => json!({ "M": item_to_json(m) }),
        _ => Value::Null,
    }
}

fn item_to_json(item: &Item) -> Map<String, Value> {
    item.iter()
        .map(|(k, v)| (k.clone(), value_to_json(v)))
        .collect()
}

fn json_to_bytes(value: &Value) -> Option<Blob> {
    let bytes: Option<Vec<u8>> = value
        .as_array()?
        .iter()
        .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
        .collect();
    bytes.map(Blob::new)
}

fn json_to_value(value: &Value) -> Option<AttributeValue> {
    let (tag, inner) = value.as_object()?.iter().next()?;
    let strings = |v: &Value| -> Option<Vec<String>> {
        v.as_array()?
            .iter()
            .map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    Some(match tag.as_str() {
        "S" => AttributeValue::S(inner.as_str()?.to_owned()),
        "N" => AttributeValue::N(inner.as_str()?.to_owned()),
        "B" => AttributeValue::B(json_to_bytes(inner)?),
        "BOOL" => AttributeValue::Bool(inner.as_bool()?),
        "NULL" => AttributeValue::Null(true),
        "SS" => AttributeValue::Ss(strings(inner)?),
        "NS" => AttributeValue::Ns(strings(inner)?),
        "BS" => AttributeValue::Bs(
            inner
                .as_array()?
                .iter()
                .map(json_to_bytes)
                .collect::<Option<_>>()?,
        ),
        "L" => AttributeValue::L(
            inner
                .as_array()?
                .iter()
                .map(json_to_value)
                .collect::<Option<_>>()?,
        ),
        "M" => AttributeValue::M(json_to_item(inner)?),
        _ => return None,
    })
}

fn json_to_item(value: &Value) -> Option<Item> {
    value
        .as_object()?
        .iter()
        .map(|(k, v)| Some((k.clone(), json_to_value(v)?)))
        .collect()
}

fn key_json(key: &KeyDef) -> Value {
    json!({ "name": key.name, "type": key.ty.as_str() })
}

fn table_json(name: &str, table: &Table) -> Value {
    let indexes: Vec<Value> = table
        .indexes
        .iter()
        .map(|i| {
            json!({
                "name": i.name,
                "global": i.global,
                "hash": key_json(&i.hash),
                "range": i.range.as_ref().map(key_json),
                "more_hash": i.more_hash.iter().map(key_json).collect::<Vec<_>>(),
                "more_range": i.more_range.iter().map(key_json).collect::<Vec<_>>(),
                "projection": i.projection.as_str(),
                "non_key_attributes": i.non_key_attributes,
            })
        })
        .collect();
    let vector_indexes: Vec<Value> = table
        .vector_indexes
        .iter()
        .map(|v| {
            let d = &v.description;
            let schema: Vec<Value> = d
                .search_schema
                .iter()
                .flatten()
                .map(|e| json!({ "name": e.attribute_name, "type": e.search_schema_element_type.as_str() }))
                .collect();
            json!({
                "name": d.index_name,
                "attribute": d.vector_attribute.as_ref().map(|a| a.attribute_name.clone()),
                "dimensions": d.dimensions,
                "distance": d.distance_function.as_ref().map(|f| f.as_str().to_owned()),
                "search_schema": schema,
            })
        })
        .collect();
    let items: Vec<Value> = table
        .all_items()
        .map(|i| Value::Object(item_to_json(i)))
        .collect();
    json!({
        "name": name,
        "hash": key_json(&table.hash),
        "range": table.range.as_ref().map(key_json),
        "indexes": indexes,
        "vector_indexes": vector_indexes,
        "items": items,
    })
}

/// The `CreateTable` request that rebuilds a saved table's schema.
fn create_request(table: &Value) -> Option<CreateTableInput> {
    let key = |v: &Value| -> Option<(String, ScalarAttributeType)> {
        Some((
            v.get("name")?.as_str()?.to_owned(),
            ScalarAttributeType::from(v.get("type")?.as_str()?),
        ))
    };
    // The multi-attribute keys of an index: absent in snapshots of older versions.
    let more = |index: &Value, field: &str| -> Vec<Value> {
        index
            .get(field)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let element = |v: &Value, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(key(v)?.0)
            .key_type(kind)
            .build()
            .ok()
    };
    let schema = |hash: &Value, range: &Value, more_hash: &[Value], more_range: &[Value]| {
        let hashes = std::iter::once(hash).chain(more_hash);
        let ranges = std::iter::once(range)
            .filter(|r| !r.is_null())
            .chain(more_range);
        hashes
            .map(|h| element(h, KeyType::Hash))
            .chain(ranges.map(|r| element(r, KeyType::Range)))
            .collect::<Option<Vec<KeySchemaElement>>>()
    };
    let mut definitions: HashMap<String, ScalarAttributeType> = HashMap::new();
    let mut remember = |v: &Value| {
        if let Some((name, ty)) = key(v) {
            definitions.insert(name, ty);
        }
    };
    remember(table.get("hash")?);
    remember(table.get("range")?);
    let mut globals = Vec::new();
    let mut locals = Vec::new();
    for index in table.get("indexes")?.as_array()? {
        remember(index.get("hash")?);
        remember(index.get("range")?);
        let (more_hash, more_range) = (more(index, "more_hash"), more(index, "more_range"));
        more_hash.iter().chain(&more_range).for_each(&mut remember);
        let projection = Projection::builder()
            .projection_type(ProjectionType::from(index.get("projection")?.as_str()?))
            .set_non_key_attributes(
                index
                    .get("non_key_attributes")?
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect::<Vec<_>>()
                    })
                    .filter(|a| !a.is_empty()),
            )
            .build();
        let name = index.get("name")?.as_str()?;
        let keys = schema(
            index.get("hash")?,
            index.get("range")?,
            &more_hash,
            &more_range,
        )?;
        if index.get("global")?.as_bool()? {
            globals.push(
                GlobalSecondaryIndex::builder()
                    .index_name(name)
                    .set_key_schema(Some(keys))
                    .projection(projection)
                    .build()
                    .ok()?,
            );
        } else {
            locals.push(
                LocalSecondaryIndex::builder()
                    .index_name(name)
                    .set_key_schema(Some(keys))
                    .projection(projection)
                    .build()
                    .ok()?,
            );
        }
    }
    let definitions = definitions
        .into_iter()
        .map(|(name, ty)| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ty)
                .build()
                .ok()
        })
        .collect::<Option<Vec<_>>>()?;
    // Absent in snapshots of older versions.
    let vector_indexes = table
        .get("vector_indexes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(vector_index)
        .collect::<Option<Vec<_>>>()?;
    CreateTableInput::builder()
        .set_vector_indexes((!vector_indexes.is_empty()).then_some(vector_indexes))
        .table_name(table.get("name")?.as_str()?)
        .set_key_schema(Some(schema(
            table.get("hash")?,
            table.get("range")?,
            &[],
            &[],
        )?))
        .set_attribute_definitions(Some(definitions))
        .set_global_secondary_indexes((!globals.is_empty()).then_some(globals))
        .set_local_secondary_indexes((!locals.is_empty()).then_some(locals))
        .billing_mode(BillingMode::PayPerRequest)
        .build()
        .ok()
}

/// A vector index of a snapshot, as `CreateTable` takes it.
fn vector_index(index: &Value) -> Option<aws_sdk_dynamodb::types::VectorIndex> {
    use aws_sdk_dynamodb::types::{
        SearchSchemaElement, SearchSchemaElementType, VectorAttributeDefinition, VectorIndex,
    };
    let schema = index
        .get("search_schema")?
        .as_array()?
        .iter()
        .map(|e| {
            SearchSchemaElement::builder()
                .attribute_name(e.get("name")?.as_str()?)
                .search_schema_element_type(SearchSchemaElementType::from(e.get("type")?.as_str()?))
                .build()
                .ok()
        })
        .collect::<Option<Vec<_>>>()?;
    VectorIndex::builder()
        .index_name(index.get("name")?.as_str()?)
        .vector_attribute(
            VectorAttributeDefinition::builder()
                .attribute_name(index.get("attribute")?.as_str()?)
                .build()
                .ok()?,
        )
        .set_search_schema((!schema.is_empty()).then_some(schema))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .dimensions(index.get("dimensions")?.as_i64()?)
        .distance_function(index.get("distance")?.as_str()?.into())
        .build()
        .ok()
}

impl MemoryBackend {
    /// Writes every table (schema and items) to `path`.
    ///
    /// # Errors
    ///
    /// The file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let tables: Vec<Value> = self
            .lock()
            .tables
            .iter()
            .map(|(name, table)| table_json(name, table))
            .collect();
        let text = serde_json::to_string_pretty(&json!({ "tables": tables }))
            .map_err(|e| io_error(path, e))?;
        std::fs::write(path, text).map_err(|e| io_error(path, e))
    }

    /// A store loaded from a file written by [`MemoryBackend::save`].
    ///
    /// # Errors
    ///
    /// The file cannot be read, or is not such a snapshot.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
        let snapshot: Value = serde_json::from_str(&text).map_err(|e| io_error(path, e))?;
        let backend = MemoryBackend::new();
        let invalid = || io_error(path, "not a snapshot of the memory backend");
        for table in snapshot
            .get("tables")
            .and_then(Value::as_array)
            .ok_or_else(invalid)?
        {
            let request = create_request(table).ok_or_else(invalid)?;
            let name = request.table_name.clone().unwrap_or_default();
            backend.create_table(request)?;
            let mut store = backend.lock();
            let target = store.tables.get_mut(&name).ok_or_else(invalid)?;
            for item in table
                .get("items")
                .and_then(Value::as_array)
                .ok_or_else(invalid)?
            {
                let item = json_to_item(item).ok_or_else(invalid)?;
                let key = target
                    .key_of(&item)
                    .map_err(|m| validation("MemoryBackend::load", m))?;
                target.restore(key, item);
            }
        }
        Ok(backend)
    }
}
