use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::*;
use crate::value::{FromAttributeValue, ProblemReason, ToAttributeValue};

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.to_owned())
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Reading {
    sensor: String,
    values: Vec<f64>,
}

#[test]
fn a_nan_is_refused_at_its_path() {
    let reading = Reading {
        sensor: "t1".into(),
        values: vec![1.0, f64::NAN],
    };
    let error = to_value(&reading).unwrap_err();
    assert_eq!(
        error.to_string(),
        "values[1]: NaN cannot be stored: DynamoDB numbers are finite"
    );
    let infinite = to_value(&f32::INFINITY).unwrap_err();
    assert!(infinite.to_string().contains("inf"), "{infinite}");
}

#[test]
fn map_keys_must_be_text_or_integers() {
    let by_number: BTreeMap<u32, bool> = BTreeMap::from([(7, true)]);
    let value = to_value(&by_number).unwrap();
    assert_eq!(
        value,
        AttributeValue::M(HashMap::from([(
            "7".to_owned(),
            AttributeValue::Bool(true)
        )]))
    );
    assert_eq!(from_value::<BTreeMap<u32, bool>>(value).unwrap(), by_number);

    let by_flag: BTreeMap<bool, u8> = BTreeMap::from([(true, 1)]);
    let error = to_value(&by_flag).unwrap_err();
    assert_eq!(
        error.to_string(),
        "a map key must be a string, a char or an integer, found a bool"
    );
}

#[test]
fn a_wrong_type_names_its_path_and_both_types() {
    let stored = AttributeValue::M(HashMap::from([
        ("sensor".to_owned(), s("t1")),
        (
            "values".to_owned(),
            AttributeValue::L(vec![n("1"), s("two")]),
        ),
    ]));
    let error = from_value::<Reading>(stored).unwrap_err();
    assert_eq!(error.to_string(), "values[1]: expected N, found S");

    let error = from_value::<u8>(n("300")).unwrap_err();
    assert_eq!(error.to_string(), "expected a u8, found the number 300");
}

#[test]
fn a_missing_field_is_named() {
    let stored = AttributeValue::M(HashMap::from([("sensor".to_owned(), s("t1"))]));
    let error = from_value::<Reading>(stored).unwrap_err();
    assert_eq!(error.to_string(), "missing field `values`");
}

#[test]
fn sets_and_binary_read_as_sequences() {
    let strings = AttributeValue::Ss(vec!["a".into(), "b".into()]);
    assert_eq!(from_value::<Vec<String>>(strings).unwrap(), ["a", "b"]);
    let numbers = AttributeValue::Ns(vec!["1".into(), "2.5".into()]);
    assert_eq!(from_value::<Vec<f64>>(numbers).unwrap(), [1.0, 2.5]);
    let bytes = AttributeValue::B(aws_smithy_types::Blob::new(vec![1, 2, 255]));
    assert_eq!(from_value::<Vec<u8>>(bytes).unwrap(), [1, 2, 255]);
}

#[test]
fn wide_integers_are_numbers() {
    let big = i128::MIN;
    let value = to_value(&big).unwrap();
    assert_eq!(value, n(&big.to_string()));
    assert_eq!(from_value::<i128>(value).unwrap(), big);
}

#[test]
fn items_are_maps() {
    let reading = Reading {
        sensor: "t1".into(),
        values: vec![0.5],
    };
    let item = to_item(&reading).unwrap();
    assert_eq!(item["sensor"], s("t1"));
    assert_eq!(from_item::<Reading>(item).unwrap(), reading);
    let error = to_item(&5u8).unwrap_err();
    assert_eq!(
        error.to_string(),
        "an item must be a map (a struct or a map), found N"
    );
}

#[test]
fn an_enum_reads_from_a_name_or_a_map_of_one_entry() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Step {
        Stop,
        Move(i32, i32),
    }
    assert_eq!(from_value::<Step>(s("Stop")).unwrap(), Step::Stop);
    let moved = to_value(&Step::Move(1, -2)).unwrap();
    assert_eq!(from_value::<Step>(moved).unwrap(), Step::Move(1, -2));
    let two = AttributeValue::M(HashMap::from([
        ("Stop".to_owned(), AttributeValue::Null(true)),
        ("Move".to_owned(), AttributeValue::L(vec![])),
    ]));
    let error = from_value::<Step>(two).unwrap_err();
    assert!(
        error.to_string().starts_with("expected an enum variant"),
        "{error}"
    );
    let bad = AttributeValue::M(HashMap::from([(
        "Move".to_owned(),
        AttributeValue::L(vec![n("1"), s("x")]),
    )]));
    assert_eq!(
        from_value::<Step>(bad).unwrap_err().to_string(),
        "Move[1]: expected N, found S"
    );
}

#[test]
fn the_wrapper_reads_a_missing_option_as_none_and_reports_anything_else_as_missing() {
    assert_eq!(
        Serde::<Option<Reading>>::from_missing_attribute(),
        Some(Serde(None))
    );
    assert_eq!(Serde::<Reading>::from_missing_attribute(), None);
    let problems = decode_field::<Reading>(None, None).unwrap_err().into_vec();
    assert_eq!(problems[0].reason, ProblemReason::Missing);
}

#[test]
fn the_wrapper_reports_what_does_not_serialize() {
    let bad = Serde(vec![f32::NAN]);
    assert_eq!(bad.to_attribute_value(), None);
    let mut problems = Problems::new();
    bad.check_value(&mut problems);
    assert_eq!(
        problems.into_vec()[0].to_string(),
        "[0]: NaN cannot be stored: DynamoDB numbers are finite"
    );
    let mut problems = Problems::new();
    check_field(&mut problems, "scores", &vec![f64::NAN]);
    assert_eq!(
        problems.into_vec()[0].to_string(),
        "scores[0]: NaN cannot be stored: DynamoDB numbers are finite"
    );
}
