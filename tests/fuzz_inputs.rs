//! What the proptest targets (`tests/fuzz.rs`) and the cargo-fuzz targets (`fuzz/`) share:
//! the models `from_item` decodes into, the names that get inputs past "missing attribute",
//! and the four places the memory backend parses an expression. Each includes this file as
//! a module and uses the part it needs.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_dynamodb::operation::{get_item, put_item, query, update_item};
use dynamo_model::value::{AttributeValue, Item};
use dynamo_model::{Dynamo, DynamoAttribute, DynamoModel};

/// A unit enum (stored as its variant name).
#[derive(Debug, Clone, PartialEq, DynamoAttribute)]
pub(crate) enum Kind {
    /// One variant.
    Small,
    /// Another.
    Large,
}

/// A recursive model: nesting is bounded only by the data.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
pub(crate) struct Node {
    pub(crate) label: String,
    #[dynamo(default)]
    pub(crate) children: Vec<Node>,
}

/// Every kind of field the codec has: scalars, sets, maps, options, enums, nested models,
/// JSON, dates, UUIDs, decimals and a compressed attribute.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "fuzzed", hash_key = "id", range_key = "rank")]
pub(crate) struct Fuzzed {
    pub(crate) id: String,
    pub(crate) rank: i64,
    pub(crate) small: u8,
    pub(crate) ratio: f64,
    pub(crate) flag: bool,
    pub(crate) bytes: Vec<u8>,
    pub(crate) tags: BTreeSet<String>,
    pub(crate) counts: HashMap<String, i32>,
    pub(crate) maybe: Option<String>,
    pub(crate) kind: Kind,
    pub(crate) node: Node,
    pub(crate) json: serde_json::Value,
    pub(crate) when: chrono::DateTime<chrono::Utc>,
    pub(crate) id2: uuid::Uuid,
    pub(crate) amount: rust_decimal::Decimal,
    pub(crate) nested: BTreeMap<String, Vec<Option<u16>>>,
    #[dynamo(compress = "zstd", compress_min = 8)]
    pub(crate) packed: Vec<String>,
}

/// The attribute names the models read, and one they do not.
pub(crate) const NAMES: &[&str] = &[
    "id", "rank", "small", "ratio", "flag", "bytes", "tags", "counts", "maybe", "kind", "node",
    "json", "when", "id2", "amount", "nested", "packed", "label", "children", "x",
];

/// The table the expression targets run on.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "things", hash_key = "id")]
pub(crate) struct Thing {
    pub(crate) id: String,
    pub(crate) a: u32,
}

/// `#n0`, `#n1`: the names an expression under test may use.
pub(crate) fn expression_names() -> HashMap<String, String> {
    HashMap::from([("#n0".into(), "a".into()), ("#n1".into(), "id".into())])
}

/// `:v0`, `:v1`, `:vs`, `:vl`: the values an expression under test may use.
pub(crate) fn expression_values() -> HashMap<String, AttributeValue> {
    HashMap::from([
        (":v0".into(), AttributeValue::N("1".into())),
        (":v1".into(), AttributeValue::S("x".into())),
        (":vs".into(), AttributeValue::Ss(vec!["a".into()])),
        (
            ":vl".into(),
            AttributeValue::L(vec![AttributeValue::Bool(true)]),
        ),
    ])
}

/// Sends `text` to the memory backend (a `things` table must exist) as an update, a
/// condition, a key condition and a projection expression. Answers and errors are both
/// fine; a panic is the failure the callers look for.
pub(crate) async fn parse_everywhere(db: &Dynamo, text: &str) {
    let backend = db.backend();
    let key = Item::from([("id".to_owned(), AttributeValue::S("k".into()))]);
    let _ = backend
        .update_item(
            update_item::UpdateItemInput::builder()
                .table_name("things")
                .set_key(Some(key.clone()))
                .update_expression(text)
                .set_expression_attribute_names(Some(expression_names()))
                .set_expression_attribute_values(Some(expression_values())),
        )
        .await;
    let _ = backend
        .put_item(
            put_item::PutItemInput::builder()
                .table_name("things")
                .set_item(Some(key.clone()))
                .condition_expression(text)
                .set_expression_attribute_names(Some(expression_names()))
                .set_expression_attribute_values(Some(expression_values())),
        )
        .await;
    let _ = backend
        .query(
            query::QueryInput::builder()
                .table_name("things")
                .key_condition_expression(text)
                .set_expression_attribute_names(Some(expression_names()))
                .set_expression_attribute_values(Some(expression_values())),
        )
        .await;
    let _ = backend
        .get_item(
            get_item::GetItemInput::builder()
                .table_name("things")
                .set_key(Some(key))
                .projection_expression(text)
                .set_expression_attribute_names(Some(expression_names())),
        )
        .await;
}
