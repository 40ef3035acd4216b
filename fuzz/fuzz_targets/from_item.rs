//! `from_item` on arbitrary attribute maps: the proptest target's models (every kind of
//! field, and a recursive one) either decode or return a decode / validation error, never
//! panic, and items nested past DynamoDB's 32 levels are refused without recursion.
#![no_main]

use arbitrary::Arbitrary;
use dynamo_model::value::{nesting_depth, AttributeValue, Item, MAX_NESTING};
use dynamo_model::DynamoModel;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_inputs.rs"]
mod fuzz_inputs;
use fuzz_inputs::{Fuzzed, Node, NAMES};

/// An attribute name: one of the models' (most of the time) or any string.
#[derive(Debug, Arbitrary)]
enum Name {
    Known(u8),
    Other(String),
}

impl Name {
    fn text(self) -> String {
        match self {
            Name::Known(n) => NAMES[usize::from(n) % NAMES.len()].to_owned(),
            Name::Other(text) => text,
        }
    }
}

/// A number's text: an integer, a float, or any string (DynamoDB sends text).
#[derive(Debug, Arbitrary)]
enum Number {
    Integer(i64),
    Float(f64),
    Text(String),
}

impl Number {
    fn text(self) -> String {
        match self {
            Number::Integer(n) => n.to_string(),
            Number::Float(n) => n.to_string(),
            Number::Text(text) => text,
        }
    }
}

/// An attribute value as the fuzzer builds it.
#[derive(Debug, Arbitrary)]
enum Value {
    S(String),
    N(Number),
    B(Vec<u8>),
    Bool(bool),
    Null(bool),
    Ss(Vec<String>),
    Ns(Vec<Number>),
    Bs(Vec<Vec<u8>>),
    L(Vec<Value>),
    M(Vec<(Name, Value)>),
}

impl Value {
    fn into_attribute(self) -> AttributeValue {
        match self {
            Value::S(s) => AttributeValue::S(s),
            Value::N(n) => AttributeValue::N(n.text()),
            Value::B(b) => AttributeValue::B(b.into()),
            Value::Bool(b) => AttributeValue::Bool(b),
            Value::Null(b) => AttributeValue::Null(b),
            Value::Ss(s) => AttributeValue::Ss(s),
            Value::Ns(n) => AttributeValue::Ns(n.into_iter().map(Number::text).collect()),
            Value::Bs(b) => AttributeValue::Bs(b.into_iter().map(Into::into).collect()),
            Value::L(l) => AttributeValue::L(l.into_iter().map(Value::into_attribute).collect()),
            Value::M(m) => AttributeValue::M(
                m.into_iter()
                    .map(|(k, v)| (k.text(), v.into_attribute()))
                    .collect(),
            ),
        }
    }
}

fuzz_target!(|attributes: Vec<(Name, Value)>| {
    let item: Item = attributes
        .into_iter()
        .map(|(name, value)| (name.text(), value.into_attribute()))
        .collect();
    let too_deep = nesting_depth(&item) > MAX_NESTING;
    for result in [
        Fuzzed::from_item(item.clone()).map(|_| ()),
        Node::from_item(item).map(|_| ()),
    ] {
        match result {
            Ok(()) => assert!(!too_deep, "an item nested past 32 levels decoded"),
            Err(error) => {
                assert!(error.is_decode() || error.is_validation(), "{error}");
                assert!(!error.to_string().is_empty());
            }
        }
    }
});
