//! The wire form of every supported type, and the problems reported for wrong input.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use aws_sdk_dynamodb::primitives::Blob;
use dynamo_model::value::ScalarType;
use dynamo_model::{AttributeValue, FromAttributeValue, KeyAttribute, ToAttributeValue};

fn encode<T: ToAttributeValue + ?Sized>(value: &T) -> Option<AttributeValue> {
    value.to_attribute_value()
}

fn decode<T: FromAttributeValue>(value: AttributeValue) -> Result<T, Vec<String>> {
    T::from_attribute_value(value)
        .map_err(|p| p.into_vec().iter().map(ToString::to_string).collect())
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.into())
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.into())
}

#[test]
fn integers_are_exact_at_every_width() {
    assert_eq!(encode(&i64::MIN), Some(n("-9223372036854775808")));
    assert_eq!(
        encode(&u128::MAX),
        Some(n("340282366920938463463374607431768211455"))
    );
    assert_eq!(decode::<u64>(n("18446744073709551615")), Ok(u64::MAX));
    assert_eq!(decode::<i8>(n("-128")), Ok(-128));
    assert_eq!(
        decode::<u16>(n("1E+3")),
        Ok(1000),
        "canonical exponent form"
    );
    assert_eq!(
        decode::<u16>(n("65536")),
        Err(vec!["the stored number does not fit u16".into()])
    );
    assert_eq!(
        decode::<u32>(n("1.5")),
        Err(vec!["the stored number does not fit u32".into()])
    );
    assert_eq!(
        decode::<i32>(s("1")),
        Err(vec!["expected N, found S".into()])
    );
    // 2^53 + 1 survives: no float round trip.
    assert_eq!(
        decode::<i64>(n("9007199254740993")),
        Ok(9_007_199_254_740_993)
    );
}

#[test]
fn floats_use_the_shortest_exact_form() {
    assert_eq!(encode(&1.5_f64), Some(n("1.5")));
    assert_eq!(encode(&0.1_f32), Some(n("0.1")));
    assert_eq!(decode::<f64>(n("3")), Ok(3.0));
    assert_eq!(decode::<f64>(n("-2.5E-3")), Ok(-0.0025));
    assert_eq!(
        decode::<f64>(n("1e400")),
        Err(vec!["the stored number does not fit f64".into()])
    );
    assert_eq!(
        decode::<f32>(n("1e39")),
        Err(vec!["the stored number does not fit f32".into()])
    );
}

#[test]
fn strings_booleans_and_binary() {
    assert_eq!(encode("héllo ✓"), Some(s("héllo ✓")));
    assert_eq!(encode(&Cow::Borrowed("c")), Some(s("c")));
    assert_eq!(decode::<String>(s("")), Ok(String::new()));
    assert_eq!(encode(&true), Some(AttributeValue::Bool(true)));
    assert_eq!(
        decode::<bool>(n("1")),
        Err(vec!["expected BOOL, found N".into()])
    );
    assert_eq!(
        encode(&vec![0_u8, 255]),
        Some(AttributeValue::B(Blob::new(vec![0, 255])))
    );
    assert_eq!(
        decode::<Vec<u8>>(AttributeValue::B(Blob::new(vec![7]))),
        Ok(vec![7])
    );
    assert_eq!(
        decode::<Vec<u8>>(AttributeValue::L(vec![])),
        Err(vec!["expected B, found L".into()])
    );
    let bytes = bytes::Bytes::from_static(b"xyz");
    assert_eq!(decode::<bytes::Bytes>(encode(&bytes).unwrap()), Ok(bytes));
    assert_eq!(<Vec<u8> as KeyAttribute>::SCALAR_TYPE, ScalarType::B);
}

#[test]
fn lists_keep_positions_and_report_indexes() {
    let list = vec![Some(1_i32), None, Some(3)];
    assert_eq!(
        encode(&list),
        Some(AttributeValue::L(vec![
            n("1"),
            AttributeValue::Null(true),
            n("3")
        ]))
    );
    assert_eq!(decode::<Vec<Option<i32>>>(encode(&list).unwrap()), Ok(list));
    assert_eq!(
        encode(&Vec::<String>::new()),
        Some(AttributeValue::L(vec![]))
    );
    let nested = vec![vec!["a".to_string()], vec![]];
    assert_eq!(
        decode::<Vec<Vec<String>>>(encode(&nested).unwrap()),
        Ok(nested)
    );
    assert_eq!(
        decode::<Vec<Vec<i32>>>(AttributeValue::L(vec![
            AttributeValue::L(vec![n("1"), s("x")]),
            s("y"),
        ])),
        Err(vec![
            "[0][1]: expected N, found S".into(),
            "[1]: expected L, found S".into()
        ])
    );
}

#[test]
fn sets_are_typed_and_empty_sets_are_absent() {
    let tags = BTreeSet::from(["a".to_string(), "b".to_string()]);
    assert_eq!(
        encode(&tags),
        Some(AttributeValue::Ss(vec!["a".into(), "b".into()]))
    );
    assert_eq!(encode(&BTreeSet::<String>::new()), None);
    assert_eq!(
        BTreeSet::<String>::from_missing_attribute(),
        Some(BTreeSet::new())
    );
    assert_eq!(
        decode::<BTreeSet<String>>(AttributeValue::Null(true)),
        Ok(BTreeSet::new())
    );
    let numbers: HashSet<u64> = HashSet::from([1, u64::MAX]);
    let Some(AttributeValue::Ns(mut encoded)) = encode(&numbers) else {
        panic!("NS expected")
    };
    encoded.sort();
    assert_eq!(encoded, ["1", "18446744073709551615"]);
    assert_eq!(
        decode::<HashSet<u64>>(encode(&numbers).unwrap()),
        Ok(numbers)
    );
    let blobs = BTreeSet::from([vec![1_u8], vec![2]]);
    assert!(matches!(encode(&blobs), Some(AttributeValue::Bs(ref b)) if b.len() == 2));
    assert_eq!(
        decode::<BTreeSet<Vec<u8>>>(encode(&blobs).unwrap()),
        Ok(blobs)
    );
    assert_eq!(
        decode::<BTreeSet<u8>>(AttributeValue::Ns(vec!["1".into(), "300".into()])),
        Err(vec!["[1]: the stored number does not fit u8".into()])
    );
    assert_eq!(
        decode::<BTreeSet<String>>(AttributeValue::Ns(vec![])),
        Err(vec!["expected SS, found NS".into()])
    );
}

#[test]
fn maps_keep_keys_and_report_them_in_paths() {
    let map = HashMap::from([("a.b".to_string(), 1_u8), ("#c".to_string(), 2)]);
    assert_eq!(
        decode::<HashMap<String, u8>>(encode(&map).unwrap()),
        Ok(map)
    );
    let tree = BTreeMap::from([("k".to_string(), vec![true])]);
    assert_eq!(
        decode::<BTreeMap<String, Vec<bool>>>(encode(&tree).unwrap()),
        Ok(tree)
    );
    assert_eq!(
        decode::<BTreeMap<String, u8>>(AttributeValue::M(HashMap::from([(
            "k".to_string(),
            s("x")
        )]))),
        Err(vec!["k: expected N, found S".into()])
    );
}

#[test]
fn options_and_pointers() {
    assert_eq!(encode(&None::<String>), None);
    assert_eq!(
        decode::<Option<String>>(AttributeValue::Null(true)),
        Ok(None)
    );
    assert_eq!(Option::<String>::from_missing_attribute(), Some(None));
    assert_eq!(String::from_missing_attribute(), None);
    assert_eq!(decode::<Box<u8>>(n("1")), Ok(Box::new(1)));
    assert_eq!(encode(&Arc::new("x".to_string())), Some(s("x")));
    let raw = AttributeValue::Ss(vec!["raw".into()]);
    assert_eq!(decode::<AttributeValue>(raw.clone()), Ok(raw));
}

#[test]
fn chrono_dates_sort_as_strings() {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
    let early = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    let later = early + chrono::Duration::nanoseconds(1);
    assert_eq!(encode(&early), Some(s("2026-01-02T03:04:05.000000000Z")));
    let (Some(AttributeValue::S(a)), Some(AttributeValue::S(b))) = (encode(&early), encode(&later))
    else {
        panic!("dates are strings")
    };
    assert!(a < b, "fixed-width fractions sort");
    assert_eq!(decode::<DateTime<Utc>>(encode(&later).unwrap()), Ok(later));
    assert_eq!(
        decode::<DateTime<Utc>>(s("2026-01-02T04:04:05+01:00")),
        Ok(early)
    );
    let date = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    assert_eq!(encode(&date), Some(s("2026-11-22")));
    let local: NaiveDateTime = date.and_hms_nano_opt(1, 2, 3, 4).unwrap();
    assert_eq!(decode::<NaiveDateTime>(encode(&local).unwrap()), Ok(local));
    assert_eq!(
        decode::<NaiveDate>(s("22/11/2026")),
        Err(vec!["the stored text is not a date (YYYY-MM-DD)".into()])
    );
    assert_eq!(<DateTime<Utc> as KeyAttribute>::SCALAR_TYPE, ScalarType::S);
}

#[test]
fn time_dates_are_utc_rfc3339() {
    use time::macros::{date, datetime};
    use time::{Date, OffsetDateTime, PrimitiveDateTime};
    let at = datetime!(2026-01-02 03:04:05.5 +02:00);
    assert_eq!(encode(&at), Some(s("2026-01-02T01:04:05.500000000Z")));
    assert_eq!(decode::<OffsetDateTime>(encode(&at).unwrap()), Ok(at));
    let local = datetime!(2026-01-02 03:04:05);
    assert_eq!(
        decode::<PrimitiveDateTime>(encode(&local).unwrap()),
        Ok(local)
    );
    assert_eq!(
        decode::<Date>(encode(&date!(2026 - 11 - 22)).unwrap()),
        Ok(date!(2026 - 11 - 22))
    );
}

#[test]
fn uuids_decimals_and_json() {
    let id = uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0);
    assert_eq!(encode(&id), Some(s("12345678-9abc-def0-1234-56789abcdef0")));
    assert_eq!(decode::<uuid::Uuid>(encode(&id).unwrap()), Ok(id));
    assert_eq!(
        decode::<uuid::Uuid>(s("nope")),
        Err(vec!["the stored text is not a UUID".into()])
    );

    let price: rust_decimal::Decimal = "12345678901234567890.123456789".parse().unwrap();
    assert_eq!(encode(&price), Some(n("12345678901234567890.123456789")));
    assert_eq!(
        decode::<rust_decimal::Decimal>(n("1.50E+2")),
        Ok(rust_decimal::Decimal::from(150))
    );

    let json = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3}});
    assert_eq!(
        decode::<serde_json::Value>(encode(&json).unwrap()),
        Ok(json)
    );
    assert_eq!(
        decode::<serde_json::Value>(AttributeValue::Ss(vec!["s".into()])),
        Ok(serde_json::json!(["s"]))
    );
    assert_eq!(
        decode::<serde_json::Value>(AttributeValue::L(vec![AttributeValue::B(Blob::new(vec![
            1
        ]))])),
        Err(vec![
            "[0]: expected a JSON-compatible type (not binary), found B".into()
        ])
    );
}
