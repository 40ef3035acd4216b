//! Run-pass tests of `#[derive(DynamoModel)]` and `#[derive(DynamoAttribute)]`: the items they
//! write, the metadata they declare, and the accessors they generate.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use dynamo_model::meta::{IndexKind, KeyMeta, Projection};
use dynamo_model::value::ScalarType;
use dynamo_model::{AttributeValue, DynamoAttribute, DynamoModel, Item, Table};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "user_id",
    gsi(name = "by_email", hash_key = "email")
)]
struct User {
    user_id: String,
    email: String,
    #[dynamo(rename = "fullName")]
    name: String,
    #[dynamo(default)]
    age: u32,
    #[dynamo(default)]
    tags: BTreeSet<String>,
    address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Address {
    street: String,
    city: String,
    zip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "orders",
    hash_key = "customer_id",
    range_key = "order_id",
    lsi(name = "by_created", range_key = "created_at"),
    gsi(
        name = "by-status",
        hash_key = "status",
        range_key = "total",
        projection = "keys_only"
    ),
    gsi(
        name = "by_sku",
        hash_key = "sku",
        projection(include("total", "created_at"))
    )
)]
struct Order {
    customer_id: String,
    order_id: String,
    created_at: String,
    total: f64,
    status: Status,
    sku: Sku,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, DynamoAttribute)]
#[dynamo(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    Pending,
    OnHold,
    #[dynamo(rename = "done")]
    Shipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, DynamoAttribute)]
struct Sku(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, DynamoAttribute)]
struct Counter(u64);

#[derive(Debug, Clone, PartialEq, Eq, DynamoAttribute)]
struct Blob(Vec<u8>);

fn user() -> User {
    User {
        user_id: "u1".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
        age: 36,
        tags: BTreeSet::from(["admin".to_string(), "ops".to_string()]),
        address: Some(Address {
            street: "1 Main St".into(),
            city: "London".into(),
            zip: None,
        }),
    }
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.into())
}

#[test]
fn item_has_the_declared_attributes_and_types() {
    let item = user().to_item();
    let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["address", "age", "email", "fullName", "tags", "user_id"]
    );
    assert_eq!(item["user_id"], s("u1"));
    assert_eq!(item["age"], n("36"));
    assert_eq!(
        item["tags"],
        AttributeValue::Ss(vec!["admin".into(), "ops".into()])
    );
    let AttributeValue::M(address) = &item["address"] else {
        panic!("address is not a map: {:?}", item["address"]);
    };
    assert_eq!(address.len(), 2, "None is not written: {address:?}");
    assert_eq!(address["city"], s("London"));
}

#[test]
fn round_trip_keeps_every_value() {
    let original = user();
    assert_eq!(User::from_item(original.to_item()).unwrap(), original);
    let bare = User {
        tags: BTreeSet::new(),
        address: None,
        ..original
    };
    let item = bare.to_item();
    assert!(!item.contains_key("tags"), "an empty set is not written");
    assert!(!item.contains_key("address"), "None is not written");
    assert_eq!(User::from_item(item).unwrap(), bare);
}

#[test]
fn defaults_fill_missing_attributes() {
    let item: Item = HashMap::from([
        ("user_id".to_string(), s("u2")),
        ("email".to_string(), s("b@example.com")),
        ("fullName".to_string(), s("Bo")),
        ("address".to_string(), AttributeValue::Null(true)),
    ]);
    let user = User::from_item(item).unwrap();
    assert_eq!(user.age, 0);
    assert!(user.tags.is_empty());
    assert_eq!(user.address, None, "NULL reads as None");
}

#[test]
fn decode_errors_list_every_problem_with_paths() {
    let item: Item = HashMap::from([
        ("user_id".to_string(), s("u3")),
        ("fullName".to_string(), n("7")),
        ("age".to_string(), s("old")),
        (
            "address".to_string(),
            AttributeValue::M(HashMap::from([
                ("street".to_string(), s("x")),
                ("city".to_string(), n("5")),
            ])),
        ),
    ]);
    let error = User::from_item(item).unwrap_err();
    assert!(error.is_decode());
    let mut problems: Vec<String> = error
        .field_errors()
        .iter()
        .map(ToString::to_string)
        .collect();
    problems.sort();
    assert_eq!(
        problems,
        [
            "address.city: expected S, found N",
            "age: expected N, found S",
            "email: missing required attribute",
            "fullName: expected S, found N",
        ]
    );
    let message = error.to_string();
    assert!(
        message.starts_with("cannot decode `User`: 4 problems"),
        "{message}"
    );
    // A missing attribute is typed, and the message suggests the usual fix.
    let missing: Vec<&str> = error
        .field_errors()
        .iter()
        .filter(|p| p.reason == dynamo_model::value::ProblemReason::Missing)
        .map(|p| p.path.as_str())
        .collect();
    assert_eq!(missing, ["email"]);
    assert!(message.contains("`#[dynamo(default)]`"), "{message}");
}

#[test]
fn table_meta_describes_keys_and_indexes() {
    let meta = User::meta();
    assert_eq!(meta.table, "users");
    assert_eq!(meta.model, "User");
    assert_eq!(
        meta.hash_key,
        KeyMeta {
            attribute: "user_id",
            scalar_type: ScalarType::S,
            template: None
        }
    );
    assert_eq!(meta.range_key, None);
    assert_eq!(
        meta.attributes,
        ["user_id", "email", "fullName", "age", "tags", "address"]
    );
    assert_eq!(User::BY_EMAIL.name(), "by_email");
    assert_eq!(User::BY_EMAIL.meta().kind, IndexKind::Global);

    let meta = Order::meta();
    assert_eq!(meta.range_key.map(|k| k.attribute), Some("order_id"));
    let created = Order::BY_CREATED.meta();
    assert_eq!(created.kind, IndexKind::Local);
    assert_eq!(created.hash_key.attribute, "customer_id");
    assert_eq!(created.range_key.map(|k| k.attribute), Some("created_at"));
    let status = Order::BY_STATUS.meta();
    assert_eq!(status.name, "by-status");
    assert_eq!(status.projection, Projection::KeysOnly);
    assert_eq!(
        status.hash_key.scalar_type,
        ScalarType::S,
        "a unit enum key is S"
    );
    assert_eq!(status.range_key.map(|k| k.scalar_type), Some(ScalarType::N));
    let sku = Order::BY_SKU.meta();
    assert_eq!(
        sku.projection,
        Projection::Include(&["total", "created_at"])
    );
    assert_eq!(
        sku.hash_key.scalar_type,
        ScalarType::S,
        "a newtype key follows its inner type"
    );
    assert_eq!(meta.index("by_sku"), Some(sku));
    let mut definitions: Vec<_> = meta.key_attributes().iter().map(|k| k.attribute).collect();
    definitions.sort_unstable();
    assert_eq!(
        definitions,
        [
            "created_at",
            "customer_id",
            "order_id",
            "sku",
            "status",
            "total"
        ]
    );
}

#[test]
fn keys_come_from_the_model_or_from_plain_values() {
    let order = Order {
        customer_id: "c1".into(),
        order_id: "o1".into(),
        created_at: "2026-01-01".into(),
        total: 9.5,
        status: Status::OnHold,
        sku: Sku("sku-1".into()),
    };
    assert_eq!(order.key(), ("c1".to_string(), "o1".to_string()));
    let key = Order::key_item(("c1", "o1"));
    assert_eq!(
        key,
        HashMap::from([
            ("customer_id".to_string(), s("c1")),
            ("order_id".to_string(), s("o1")),
        ])
    );
    assert_eq!(Order::key_item(order.key()), key);
    assert_eq!(
        User::key_item("u1"),
        HashMap::from([("user_id".to_string(), s("u1"))])
    );
    let owned = String::from("u1");
    assert_eq!(User::key_item(&owned), User::key_item("u1"));
    let item = order.to_item();
    assert_eq!(item["status"], s("ON_HOLD"));
    assert_eq!(item["sku"], s("sku-1"));
    assert_eq!(Order::from_item(item).unwrap(), order);
}

#[derive(Debug, PartialEq, DynamoModel)]
#[dynamo(table = "counters", hash_key = "id")]
struct Numbered {
    id: Counter,
    blob: Blob,
    statuses: BTreeSet<Status>,
    skus: HashSet<Sku>,
}

#[test]
fn newtypes_and_enums_as_keys_and_set_members() {
    assert_eq!(Numbered::meta().hash_key.scalar_type, ScalarType::N);
    let value = Numbered {
        id: Counter(7),
        blob: Blob(vec![1, 2, 3]),
        statuses: BTreeSet::from([Status::Pending, Status::Shipped]),
        skus: HashSet::from([Sku("a".into())]),
    };
    let item = value.to_item();
    assert_eq!(item["id"], n("7"));
    assert!(matches!(item["blob"], AttributeValue::B(_)));
    assert_eq!(
        item["statuses"],
        AttributeValue::Ss(vec!["PENDING".into(), "done".into()])
    );
    assert_eq!(item["skus"], AttributeValue::Ss(vec!["a".into()]));
    assert_eq!(Numbered::from_item(item).unwrap(), value);
    assert_eq!(
        Numbered::key_item(Counter(7)),
        HashMap::from([("id".to_string(), n("7"))])
    );

    let mut bad = value.to_item();
    bad.insert(
        "statuses".into(),
        AttributeValue::Ss(vec!["PENDING".into(), "LOST".into()]),
    );
    let error = Numbered::from_item(bad).unwrap_err();
    assert_eq!(
        error.field_errors()[0].to_string(),
        "statuses[1]: the stored text is no variant of the enum: expected one of `PENDING`, `ON_HOLD`, `done`"
    );
}

mod serde_models {
    use super::*;

    fn three() -> u8 {
        3
    }

    /// Attributes serde users already wrote are honoured: no edits to move over.
    #[derive(Debug, PartialEq, DynamoModel, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[dynamo(table = "people", hash_key = "person_id")]
    pub(super) struct Person {
        pub(super) person_id: String,
        #[serde(rename = "given")]
        pub(super) first_name: String,
        pub(super) last_name: String,
        #[serde(skip)]
        pub(super) cache: Vec<u8>,
        #[dynamo(skip, default = "three")]
        #[serde(skip)]
        pub(super) retries: u8,
    }
}

#[test]
fn serde_rename_and_skip_are_honoured() {
    use serde_models::Person;
    let person = Person {
        person_id: "p1".into(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        cache: vec![9],
        retries: 9,
    };
    let item = person.to_item();
    let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["given", "lastName", "personId"]);
    assert_eq!(Person::meta().hash_key.attribute, "personId");
    let back = Person::from_item(item).unwrap();
    assert_eq!(
        back.cache,
        Vec::<u8>::new(),
        "skipped fields take their default"
    );
    assert_eq!(
        back.retries, 3,
        "`default = \"path\"` fills a skipped field"
    );
}

/// A custom codec: a `u32` stored as a zero-padded string.
mod padded {
    use dynamo_model::{AttributeValue, Problems};

    pub(super) fn to_attribute_value(value: &u32) -> Option<AttributeValue> {
        Some(AttributeValue::S(format!("{value:010}")))
    }

    pub(super) fn from_attribute_value(value: AttributeValue) -> Result<u32, Problems> {
        match value {
            AttributeValue::S(text) => text
                .parse()
                .map_err(|_| Problems::single(format!("`{text}` is not a padded number"))),
            other => Err(Problems::mismatch("S", &other)),
        }
    }
}

#[derive(Debug, PartialEq, DynamoModel)]
#[dynamo(rename_all = "PascalCase", extra = "forbid")]
struct Strict {
    #[dynamo(with = "padded")]
    rank: u32,
    #[dynamo(with = "padded", default)]
    spare: u32,
    prefs: BTreeMap<String, Option<bool>>,
    history: Vec<i64>,
}

#[test]
fn with_codecs_rename_all_and_forbidden_extras() {
    let strict = Strict {
        rank: 42,
        spare: 1,
        prefs: BTreeMap::from([("dark".to_string(), Some(true)), ("beta".to_string(), None)]),
        history: vec![-1, 0, 1],
    };
    let mut item = strict.to_item();
    assert_eq!(item["Rank"], s("0000000042"));
    assert_eq!(
        item["Prefs"],
        AttributeValue::M(HashMap::from([
            ("dark".to_string(), AttributeValue::Bool(true)),
            ("beta".to_string(), AttributeValue::Null(true)),
        ])),
        "None inside a map is kept as NULL"
    );
    assert_eq!(Strict::from_item(item.clone()).unwrap(), strict);

    item.remove("Spare");
    assert_eq!(Strict::from_item(item.clone()).unwrap().spare, 0);

    item.insert("Rank".into(), s("x"));
    item.insert("Unknown".into(), n("1"));
    item.insert("History".into(), AttributeValue::L(vec![n("1"), s("2")]));
    let error = Strict::from_item(item).unwrap_err();
    let mut problems: Vec<String> = error
        .field_errors()
        .iter()
        .map(ToString::to_string)
        .collect();
    problems.sort();
    assert_eq!(
        problems,
        [
            "History[1]: expected N, found S",
            "Rank: `x` is not a padded number",
            "Unknown: unknown attribute (the model forbids extra attributes)",
        ]
    );
}

#[test]
fn extra_attributes_are_ignored_by_default() {
    let mut item = user().to_item();
    item.insert("legacy".into(), n("1"));
    assert_eq!(User::from_item(item).unwrap(), user());
}

#[test]
fn field_accessors_carry_paths() {
    let fields = User::fields();
    assert_eq!(fields.user_id.path().to_string(), "user_id");
    assert_eq!(fields.name.path().to_string(), "fullName");
    assert_eq!(fields.address.path().to_string(), "address");
    assert_eq!(fields.address().city.path().to_string(), "address.city");
    assert_eq!(
        User::fields().address().city().path().to_string(),
        "address.city"
    );
    assert_eq!(fields.age().path().to_string(), "age");
    let strict = Strict::fields();
    assert_eq!(strict.history.at(2).path().to_string(), "History[2]");
    assert_eq!(strict.prefs.key("dark").path().to_string(), "Prefs.dark");
    let zip: dynamo_model::Field<User, Option<String>> = User::fields().address().zip;
    assert_eq!(zip.path().elements().len(), 2);
}

/// A model nested in a list, several levels deep.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Category {
    name: String,
    #[dynamo(default)]
    children: Vec<Category>,
}

#[test]
fn recursive_models_nest_and_report_deep_paths() {
    let tree = Category {
        name: "root".into(),
        children: vec![Category {
            name: "a".into(),
            children: vec![Category {
                name: "b".into(),
                children: vec![],
            }],
        }],
    };
    assert_eq!(Category::from_item(tree.to_item()).unwrap(), tree);
    let path = Category::fields()
        .children
        .at(0)
        .fields()
        .children
        .at(0)
        .fields()
        .name;
    assert_eq!(path.path().to_string(), "children[0].children[0].name");

    let mut item = tree.to_item();
    let AttributeValue::L(children) = item.get_mut("children").unwrap() else {
        unreachable!()
    };
    let AttributeValue::M(first) = &mut children[0] else {
        unreachable!()
    };
    first.insert(
        "children".into(),
        AttributeValue::L(vec![AttributeValue::M(HashMap::new())]),
    );
    let error = Category::from_item(item).unwrap_err();
    assert_eq!(
        error.field_errors()[0].to_string(),
        "children[0].children[0].name: missing required attribute"
    );
}

/// A sparse index: only items with a `referrer` are in `by_referrer`.
#[derive(Debug, PartialEq, DynamoModel)]
#[dynamo(
    table = "signups",
    hash_key = "id",
    gsi(name = "by_referrer", hash_key = "referrer")
)]
struct Signup {
    id: String,
    referrer: Option<String>,
}

#[test]
fn optional_index_keys_make_sparse_indexes() {
    let meta = Signup::BY_REFERRER.meta();
    assert_eq!(
        meta.hash_key.scalar_type,
        ScalarType::S,
        "Option<String> is an S index key"
    );
    let without = Signup {
        id: "s1".into(),
        referrer: None,
    };
    assert!(
        !without.to_item().contains_key("referrer"),
        "no index key: not in the index"
    );
    let with = Signup {
        id: "s2".into(),
        referrer: Some("u1".into()),
    };
    assert_eq!(with.to_item()["referrer"], s("u1"));
}
