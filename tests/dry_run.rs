//! Dry runs: `to_request()` returns the exact SDK request an operation would send; these
//! snapshots pin what the client sends for each operation, lifecycle attributes included.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::{Dynamo, DynamoModel};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "orders",
    hash_key = "customer",
    range_key = "order",
    gsi(name = "by_status", hash_key = "status", range_key = "total")
)]
struct Order {
    customer: String,
    order: String,
    status: String,
    total: f64,
    #[dynamo(version)]
    version: u64,
    #[dynamo(counter, default)]
    changes: u32,
}

fn order() -> Order {
    Order {
        customer: "c1".into(),
        order: "o1".into(),
        status: "open".into(),
        total: 12.5,
        version: 3,
        changes: 0,
    }
}

/// `{name: value}` in name order, values in DynamoDB's JSON-ish notation.
fn item(map: Option<&HashMap<String, AttributeValue>>) -> String {
    let Some(map) = map else { return "-".into() };
    let sorted: BTreeMap<_, _> = map.iter().collect();
    let fields: Vec<String> = sorted
        .iter()
        .map(|(k, v)| format!("{k}: {}", value(v)))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

fn value(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(s) => format!("S {s:?}"),
        AttributeValue::N(n) => format!("N {n}"),
        AttributeValue::Bool(b) => format!("BOOL {b}"),
        AttributeValue::L(l) => format!(
            "L [{}]",
            l.iter().map(self::value).collect::<Vec<_>>().join(", ")
        ),
        AttributeValue::M(m) => format!("M {}", item(Some(m))),
        other => format!("{other:?}"),
    }
}

fn names(map: Option<&HashMap<String, String>>) -> String {
    let Some(map) = map else { return "-".into() };
    let sorted: BTreeMap<_, _> = map.iter().collect();
    format!("{sorted:?}")
}

fn text(value: Option<&String>) -> String {
    value.cloned().unwrap_or_else(|| "-".into())
}

fn debug<T: std::fmt::Debug>(value: Option<&T>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{v:?}"))
}

/// A request as text, one line per part that is set, maps in key order.
trait Render {
    fn render(&self) -> String;
}

macro_rules! renders {
    ($($ty:ty { $($label:literal: $getter:ident as $kind:ident),* $(,)? })*) => {$(
        impl Render for $ty {
            fn render(&self) -> String {
                let mut out = String::new();
                $(
                    let shown = $kind(self.$getter().as_ref());
                    if shown != "-" {
                        writeln!(out, "{}: {}", $label, shown).unwrap();
                    }
                )*
                out
            }
        }
    )*};
}

use aws_sdk_dynamodb::operation::{delete_item, get_item, put_item, query, scan, update_item};

renders! {
    put_item::builders::PutItemInputBuilder {
        "TableName": get_table_name as text,
        "Item": get_item as item,
        "ConditionExpression": get_condition_expression as text,
        "ExpressionAttributeNames": get_expression_attribute_names as names,
        "ExpressionAttributeValues": get_expression_attribute_values as item,
        "ReturnValues": get_return_values as debug,
        "ReturnValuesOnConditionCheckFailure": get_return_values_on_condition_check_failure as debug,
    }
    get_item::builders::GetItemInputBuilder {
        "TableName": get_table_name as text,
        "Key": get_key as item,
        "ProjectionExpression": get_projection_expression as text,
        "ExpressionAttributeNames": get_expression_attribute_names as names,
        "ConsistentRead": get_consistent_read as debug,
    }
    delete_item::builders::DeleteItemInputBuilder {
        "TableName": get_table_name as text,
        "Key": get_key as item,
        "ConditionExpression": get_condition_expression as text,
        "ExpressionAttributeNames": get_expression_attribute_names as names,
        "ExpressionAttributeValues": get_expression_attribute_values as item,
        "ReturnValuesOnConditionCheckFailure": get_return_values_on_condition_check_failure as debug,
    }
    update_item::builders::UpdateItemInputBuilder {
        "TableName": get_table_name as text,
        "Key": get_key as item,
        "UpdateExpression": get_update_expression as text,
        "ConditionExpression": get_condition_expression as text,
        "ExpressionAttributeNames": get_expression_attribute_names as names,
        "ExpressionAttributeValues": get_expression_attribute_values as item,
        "ReturnValues": get_return_values as debug,
        "ReturnValuesOnConditionCheckFailure": get_return_values_on_condition_check_failure as debug,
    }
    query::builders::QueryInputBuilder {
        "TableName": get_table_name as text,
        "IndexName": get_index_name as text,
        "KeyConditionExpression": get_key_condition_expression as text,
        "FilterExpression": get_filter_expression as text,
        "ProjectionExpression": get_projection_expression as text,
        "ExpressionAttributeNames": get_expression_attribute_names as names,
        "ExpressionAttributeValues": get_expression_attribute_values as item,
        "Limit": get_limit as debug,
        "ScanIndexForward": get_scan_index_forward as debug,
    }
    scan::builders::ScanInputBuilder {
        "TableName": get_table_name as text,
        "FilterExpression": get_filter_expression as text,
        "ExpressionAttributeNames": get_expression_attribute_names as names,
        "ExpressionAttributeValues": get_expression_attribute_values as item,
        "Segment": get_segment as debug,
        "TotalSegments": get_total_segments as debug,
    }
}

#[test]
fn a_versioned_put_expects_the_version_and_stores_the_next() {
    let db = Dynamo::memory();
    let request = db.put(&order()).return_old().to_request().unwrap();
    insta::assert_snapshot!(request.render());
}

#[test]
fn a_new_versioned_item_expects_no_version() {
    let db = Dynamo::memory();
    let new = Order {
        version: 0,
        ..order()
    };
    insta::assert_snapshot!(db.put(&new).to_request().unwrap().render());
}

#[test]
fn an_update_counts_changes_and_moves_the_version() {
    let db = Dynamo::memory();
    let f = Order::fields();
    let request = db
        .update::<Order>(("c1", "o1"))
        .set(&f.status, "shipped")
        .condition(f.total.gt(10.0))
        .expect_version(3)
        .return_all_new()
        .to_request()
        .unwrap();
    insta::assert_snapshot!(request.render());
}

#[test]
fn a_delete_of_a_loaded_item_expects_its_version() {
    let db = Dynamo::memory();
    insta::assert_snapshot!(db.delete(&order()).to_request().unwrap().render());
}

#[test]
fn a_get_with_a_projection() {
    let db = Dynamo::memory().with_table_prefix("dev_");
    let f = Order::fields();
    let request = db
        .get::<Order>(("c1", "o1"))
        .projection(
            dynamo_model::expr::Projection::new()
                .field(&f.status)
                .field(&f.total),
        )
        .consistent_read(true)
        .to_request()
        .unwrap();
    insta::assert_snapshot!(request.render());
}

#[test]
fn an_index_query_with_range_and_filter() {
    let db = Dynamo::memory();
    let f = Order::fields();
    let request = db
        .query((Order::BY_STATUS, "open"))
        .range(f.total.between(10.0, 100.0))
        .filter(f.changes.lt(5_u32))
        .page_size(25)
        .scan_forward(false)
        .to_request()
        .unwrap();
    insta::assert_snapshot!(request.render());
}

#[test]
fn a_scan_with_a_filter() {
    let db = Dynamo::memory();
    let f = Order::fields();
    let request = db
        .scan::<Order>()
        .filter(f.status.ne("closed") & f.total.ge(1.0))
        .to_request()
        .unwrap();
    insta::assert_snapshot!(request.render());
}

/// A typed projection of `Order`: its fields are `Order`'s, of the same types.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(projection_of = "Order")]
struct OrderStatus {
    status: String,
    total: f64,
}

#[test]
fn a_get_of_a_typed_projection() {
    let db = Dynamo::memory();
    let request = db
        .get::<Order>(("c1", "o1"))
        .project::<OrderStatus>()
        .to_request()
        .unwrap();
    insta::assert_snapshot!(request.render());
}

#[test]
fn an_index_query_of_a_typed_projection() {
    let db = Dynamo::memory();
    let f = Order::fields();
    let request = db
        .query((Order::BY_STATUS, "open"))
        .range(f.total.gt(10.0))
        .project::<OrderStatus>()
        .to_request()
        .unwrap();
    insta::assert_snapshot!(request.render());
}

/// A model with a vector index, for the `SearchVectors` and `CreateTable` snapshots.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "docs",
    hash_key = "id",
    vector_index(
        name = "by_embedding",
        attribute = "embedding",
        dimensions = 3,
        distance = "cosine",
        partition = "tenant",
        filters = ["year"]
    ),
    gsi(name = "by_place", hash_key = ["tenant", "region"], range_key = ["year", "id"])
)]
struct Doc {
    id: String,
    tenant: String,
    region: String,
    year: u32,
    embedding: [f32; 3],
}

#[test]
fn a_vector_search_with_partition_and_filter() {
    let db = Dynamo::memory();
    let f = Doc::fields();
    let request = db
        .search(Doc::BY_EMBEDDING, &[0.25f32, -1.0, 3.5])
        .partition(&f.tenant, "t1")
        .filter(f.year.ge(2020u32))
        .top_k(5)
        .to_request()
        .unwrap();
    let vector: Vec<String> = request
        .get_search_vector()
        .iter()
        .flatten()
        .map(value)
        .collect();
    let rendered = format!(
        "TableName: {}\nIndexName: {}\nSearchVector: [{}]\nTopK: {}\nSearchConditionExpression: {}\nExpressionAttributeNames: {}\nExpressionAttributeValues: {}\n",
        text(request.get_table_name().as_ref()),
        text(request.get_index_name().as_ref()),
        vector.join(", "),
        debug(request.get_top_k().as_ref()),
        text(request.get_search_condition_expression().as_ref()),
        names(request.get_expression_attribute_names().as_ref()),
        item(request.get_expression_attribute_values().as_ref()),
    );
    insta::assert_snapshot!(rendered);
}

#[test]
fn a_create_table_with_a_vector_index_and_a_multi_attribute_index() {
    let request = Dynamo::memory()
        .create_table::<Doc>()
        .to_request()
        .unwrap()
        .build()
        .unwrap();
    let mut out = String::new();
    for key in request.key_schema() {
        writeln!(
            out,
            "KeySchema: {} {}",
            key.attribute_name(),
            key.key_type().as_str()
        )
        .unwrap();
    }
    let mut definitions: Vec<_> = request
        .attribute_definitions()
        .iter()
        .map(|d| format!("{} {}", d.attribute_name(), d.attribute_type().as_str()))
        .collect();
    definitions.sort();
    writeln!(out, "AttributeDefinitions: {}", definitions.join(", ")).unwrap();
    for index in request.global_secondary_indexes() {
        let keys: Vec<String> = index
            .key_schema()
            .iter()
            .map(|k| format!("{} {}", k.attribute_name(), k.key_type().as_str()))
            .collect();
        writeln!(
            out,
            "GlobalSecondaryIndex {}: {}",
            index.index_name(),
            keys.join(", ")
        )
        .unwrap();
    }
    for index in request.vector_indexes() {
        let schema: Vec<String> = index
            .search_schema()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e.attribute_name(),
                    e.search_schema_element_type().as_str()
                )
            })
            .collect();
        writeln!(
            out,
            "VectorIndex {}: {} x{} {} [{}] projection {:?}",
            index.index_name(),
            index
                .vector_attribute()
                .map(|a| a.attribute_name())
                .unwrap_or_default(),
            index.dimensions(),
            index.distance_function().as_str(),
            schema.join(", "),
            index
                .projection()
                .and_then(|p| p.projection_type())
                .map(|p| p.as_str()),
        )
        .unwrap();
    }
    insta::assert_snapshot!(out);
}

#[test]
fn an_update_asks_for_the_old_item_only_when_its_condition_is_the_callers() {
    use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
    use dynamo_model_tests::workload::{key, BenchUser};
    let db = Dynamo::memory();
    let f = BenchUser::fields();
    let plain = db
        .update::<BenchUser>(key(1))
        .increment(&f.age, 1)
        .to_request()
        .unwrap();
    assert_eq!(
        plain.get_condition_expression().as_deref(),
        Some("attribute_exists(#c0)")
    );
    assert_eq!(plain.get_return_values_on_condition_check_failure(), &None);
    let guarded = db
        .update::<BenchUser>(key(1))
        .increment(&f.age, 1)
        .condition(f.active.eq(true))
        .to_request()
        .unwrap();
    assert_eq!(
        guarded.get_return_values_on_condition_check_failure(),
        &Some(ReturnValuesOnConditionCheckFailure::AllOld)
    );
}
