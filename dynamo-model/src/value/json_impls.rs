//! serde_json::Value: any JSON value as the matching DynamoDB type (objects as M, arrays as L).
//!
//! Sets read back as arrays; binary attributes have no JSON form and are a decode error.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use super::{
    leaf_attribute, AttributeValue, FromAttributeValue, PathStep, Problems, ToAttributeValue,
};

impl ToAttributeValue for Value {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(match self {
            Value::Null => AttributeValue::Null(true),
            Value::Bool(b) => AttributeValue::Bool(*b),
            Value::Number(n) => AttributeValue::N(n.to_string()),
            Value::String(s) => AttributeValue::S(s.clone()),
            Value::Array(values) => AttributeValue::L(
                values
                    .iter()
                    .filter_map(Value::to_attribute_value)
                    .collect(),
            ),
            Value::Object(map) => AttributeValue::M(
                map.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.to_attribute_value()?)))
                    .collect::<HashMap<_, _>>(),
            ),
        })
    }
}

fn number(text: &str) -> Result<Value, Problems> {
    text.parse::<Number>()
        .map(Value::Number)
        .map_err(|_| Problems::single("the stored number does not fit a JSON number"))
}

fn collect<I: IntoIterator<Item = (PathStep<'static>, Result<Value, Problems>)>>(
    entries: I,
) -> Result<Vec<Value>, Problems> {
    let mut problems = Problems::new();
    let values: Vec<Value> = entries
        .into_iter()
        .filter_map(|(step, decoded)| decoded.map_err(|child| problems.absorb(step, child)).ok())
        .collect();
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

impl FromAttributeValue for Value {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        match value {
            AttributeValue::Null(_) => Ok(Value::Null),
            AttributeValue::Bool(b) => Ok(Value::Bool(b)),
            AttributeValue::S(s) => Ok(Value::String(s)),
            AttributeValue::N(n) => number(&n),
            AttributeValue::Ss(members) => Ok(Value::Array(
                members.into_iter().map(Value::String).collect(),
            )),
            AttributeValue::Ns(members) => collect(
                members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| (PathStep::Index(i), number(m))),
            )
            .map(Value::Array),
            AttributeValue::L(values) => collect(
                values
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (PathStep::Index(i), Value::from_attribute_value(v))),
            )
            .map(Value::Array),
            AttributeValue::M(map) => {
                let mut problems = Problems::new();
                let mut object = Map::new();
                for (key, value) in map {
                    match Value::from_attribute_value(value) {
                        Ok(v) => {
                            object.insert(key, v);
                        }
                        Err(child) => problems.absorb(PathStep::Name(&key), child),
                    }
                }
                if problems.is_empty() {
                    Ok(Value::Object(object))
                } else {
                    Err(problems)
                }
            }
            other => Err(Problems::mismatch(
                "a JSON-compatible type (not binary)",
                &other,
            )),
        }
    }

    fn from_missing_attribute() -> Option<Self> {
        Some(Value::Null)
    }
}

leaf_attribute!(Value);
