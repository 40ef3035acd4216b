//! Fuzzing with proptest, so that it runs in CI on the pinned stable toolchain (the
//! coverage-guided cargo-fuzz targets in `fuzz/` run locally): arbitrary input never
//! panics, never recurses without bound, and either decodes or returns a typed error.
//!
//! Targets: `from_item` on arbitrary attribute maps (nested up to 40 levels, past
//! DynamoDB's 32), the memory backend's expression parser on arbitrary and near-valid
//! strings, and cursor / start-key decoding. `FUZZ_CASES` sets the cases per target (CI
//! runs the default, 2,000).

use std::collections::{BTreeMap, HashMap};

use dynamo_model::cursor;
use dynamo_model::value::{AttributeValue, Item};
use dynamo_model::{Dynamo, DynamoModel};
use proptest::collection::{hash_map, vec};
use proptest::prelude::*;

mod fuzz_inputs;
use fuzz_inputs::{parse_everywhere, Fuzzed, Kind, Node, Thing, NAMES};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(NAMES).prop_map(str::to_owned),
        1 => ".{0,8}",
    ]
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        "-?[0-9]{0,45}(\\.[0-9]{0,10})?(e-?[0-9]{1,4})?",
        ".{0,6}",
    ]
}

fn scalar() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        ".{0,12}".prop_map(AttributeValue::S),
        "[0-9a-f-]{36}".prop_map(AttributeValue::S),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z"
            .prop_map(AttributeValue::S),
        proptest::sample::select(&["Small", "Large", "small"][..])
            .prop_map(|s| AttributeValue::S(s.to_owned())),
        number_text().prop_map(AttributeValue::N),
        vec(any::<u8>(), 0..8).prop_map(|b| AttributeValue::B(b.into())),
        any::<bool>().prop_map(AttributeValue::Bool),
        any::<bool>().prop_map(AttributeValue::Null),
        vec(".{0,4}", 0..4).prop_map(AttributeValue::Ss),
        vec(number_text(), 0..4).prop_map(AttributeValue::Ns),
        vec(vec(any::<u8>(), 0..4), 0..3)
            .prop_map(|b| AttributeValue::Bs(b.into_iter().map(Into::into).collect())),
    ]
}

/// Any attribute value, lists and maps nesting up to 40 levels.
fn value() -> impl Strategy<Value = AttributeValue> {
    scalar().prop_recursive(40, 200, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            hash_map(name(), inner, 0..4).prop_map(AttributeValue::M),
        ]
    })
}

fn item() -> impl Strategy<Value = Item> {
    hash_map(name(), value(), 0..12)
}

/// A value nested `levels` deep, alternating lists and maps.
fn nested(levels: usize) -> AttributeValue {
    let mut value = AttributeValue::S("leaf".into());
    for level in 0..levels {
        value = if level % 2 == 0 {
            AttributeValue::L(vec![value])
        } else {
            AttributeValue::M(Item::from([("label".to_owned(), value)]))
        };
    }
    value
}

/// Tokens of DynamoDB expressions, for strings close enough to valid to reach the parser's
/// deeper paths.
const TOKENS: &[&str] = &[
    "#n0",
    "#n1",
    "#nx",
    ":v0",
    ":v1",
    ":vs",
    ":vl",
    ":vx",
    "id",
    "rank",
    "a.b",
    "c[0]",
    "[",
    "]",
    "(",
    ")",
    ",",
    ".",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    "size(",
    "attribute_exists(",
    "attribute_not_exists(",
    "attribute_type(",
    "begins_with(",
    "contains(",
    "if_not_exists(",
    "list_append(",
    "0",
    "99999999999999999999",
    "\u{e9}",
    "\"",
    " ",
];

fn expression() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => vec(proptest::sample::select(TOKENS), 0..24).prop_map(|t| t.join(" ")),
        1 => ".{0,40}",
        1 => (1_usize..80).prop_map(|n| format!("{}#n0 = :v0{}", "(".repeat(n), ")".repeat(n))),
        1 => (1_usize..80).prop_map(|n| format!("{}#n0 = :v0", "NOT ".repeat(n))),
        1 => (1_usize..40).prop_map(|n| format!("SET #n0 = {}:v0{}", "if_not_exists(#n1, ".repeat(n), ")".repeat(n))),
        1 => (0_usize..9000).prop_map(|n| format!("#n0 = :v0{}", " AND #n1 = :v1".repeat(n / 14))),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn from_item_never_panics(item in item()) {
        let shape = format!("{item:?}");
        for result in [
            Fuzzed::from_item(item.clone()).map(|_| ()),
            Node::from_item(item.clone()).map(|_| ()),
        ] {
            if let Err(error) = result {
                prop_assert!(error.is_decode() || error.is_validation(), "{error} for {shape}");
                prop_assert!(!error.to_string().is_empty());
            }
        }
    }

    #[test]
    fn memory_expressions_never_panic(text in expression()) {
        let db = Dynamo::memory();
        runtime().block_on(async {
            db.create_table::<Thing>().await.expect("a table");
            parse_everywhere(&db, &text).await;
        });
    }

    #[test]
    fn cursors_decode_or_refuse_and_round_trip(
        text in prop_oneof![".{0,64}", "[A-Za-z0-9_-]{0,64}"],
        bytes in vec(any::<u8>(), 0..64),
        key in hash_map(name().prop_filter("DynamoDB names are not empty", |n| !n.is_empty()), prop_oneof![
            ".{0,12}".prop_map(AttributeValue::S),
            number_text().prop_map(AttributeValue::N),
            vec(any::<u8>(), 0..12).prop_map(|b| AttributeValue::B(b.into())),
        ], 1..5),
    ) {
        let _ = cursor::decode(&text);
        // Arbitrary bytes behind the version byte reach the binary reader.
        let mut raw = vec![1_u8];
        raw.extend(bytes);
        let encoded = aws_smithy_types::base64::encode(raw).replace('+', "-").replace('/', "_");
        let _ = cursor::decode(encoded.trim_end_matches('='));
        prop_assert_eq!(cursor::decode(&cursor::encode(&key)).expect("a cursor"), key.clone());
        // Any decoded key is checked against the schema before it is sent.
        let db = Dynamo::memory();
        let page = runtime().block_on(async {
            db.create_table::<Thing>().await.expect("a table");
            db.scan::<Thing>().start_from_cursor(&cursor::encode(&key)).page().await
        });
        let fits = key.len() == 1 && matches!(key.get("id"), Some(AttributeValue::S(s)) if !s.is_empty());
        prop_assert_eq!(page.is_ok(), fits, "{:?}", page);
    }
}

#[test]
fn items_nested_past_32_levels_are_refused_not_overflowed() {
    // Deep enough to overflow a recursive decoder's stack many times over; built and
    // dropped on a thread with room for the (recursive) drop.
    std::thread::Builder::new()
        .stack_size(512 * 1024 * 1024)
        .spawn(|| {
            let deep = Item::from([("node".to_owned(), nested(200_000))]);
            let error = Node::from_item(deep).unwrap_err();
            assert!(
                error.to_string().contains("past DynamoDB's 32 levels"),
                "{error}"
            );
            let ok = Item::from([("label".to_owned(), AttributeValue::S("x".into()))]);
            assert!(Node::from_item(ok).is_ok());
        })
        .expect("a thread")
        .join()
        .expect("no panic");
}

#[test]
fn writes_nested_past_32_levels_are_refused_before_sending() {
    let mut node = Node {
        label: "leaf".into(),
        children: Vec::new(),
    };
    for _ in 0..40 {
        node = Node {
            label: "branch".into(),
            children: vec![node],
        };
    }
    let thing = Fuzzed {
        id: "a".into(),
        rank: 1,
        small: 1,
        ratio: 1.0,
        flag: true,
        bytes: Vec::new(),
        tags: Default::default(),
        counts: HashMap::new(),
        maybe: None,
        kind: Kind::Small,
        node,
        json: serde_json::json!({}),
        when: chrono::DateTime::UNIX_EPOCH,
        id2: uuid::Uuid::nil(),
        amount: rust_decimal::Decimal::ONE,
        nested: BTreeMap::new(),
        packed: Vec::new(),
    };
    let db = Dynamo::memory();
    let error = runtime()
        .block_on(async { db.put(&thing).await })
        .unwrap_err();
    assert!(error.is_invalid_request(), "{error}");
    assert!(
        error.to_string().contains("past DynamoDB's 32 levels"),
        "{error}"
    );
}

#[test]
fn deep_expressions_are_refused_at_the_nesting_limit() {
    let db = Dynamo::memory();
    runtime().block_on(async {
        db.create_table::<Thing>().await.unwrap();
        let put = |text: String| {
            db.backend().put_item(
                aws_sdk_dynamodb::operation::put_item::PutItemInput::builder()
                    .table_name("things")
                    .set_item(Some(Item::from([(
                        "id".to_owned(),
                        AttributeValue::S("k".into()),
                    )])))
                    .condition_expression(text)
                    .expression_attribute_names("#n0", "a")
                    .expression_attribute_values(":v0", AttributeValue::N("1".into())),
            )
        };
        let deep = |n: usize| format!("{}#n0 <> :v0{}", "(".repeat(n), ")".repeat(n));
        put(deep(30)).await.unwrap();
        let error = put(deep(2000)).await.unwrap_err();
        assert!(
            error.to_string().contains("nests more than 32 levels"),
            "{error}"
        );
        let long = format!("#n0 <> :v0{}", " AND #n0 <> :v0".repeat(400));
        let error = put(long).await.unwrap_err();
        assert!(
            error.to_string().contains("maximum allowed size"),
            "{error}"
        );
    });
}
