//! rust_decimal: N, exact in both directions.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::set::decode_number_set;
use super::{
    leaf_attribute, AttributeValue, FromAttributeValue, KeyAttribute, Problems, ScalarType,
    SetElement, ToAttributeValue,
};

fn parse(text: &str) -> Result<Decimal, Problems> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| Problems::single("the stored number does not fit rust_decimal::Decimal"))
}

impl ToAttributeValue for Decimal {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(AttributeValue::N(self.normalize().to_string()))
    }
}

impl FromAttributeValue for Decimal {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        match value {
            AttributeValue::N(text) => parse(&text),
            other => Err(Problems::mismatch("N", &other)),
        }
    }
}

impl KeyAttribute for Decimal {
    const SCALAR_TYPE: ScalarType = ScalarType::N;
}

impl SetElement for Decimal {
    fn encode_set<'a>(members: impl Iterator<Item = &'a Self>) -> AttributeValue {
        AttributeValue::Ns(members.map(|m| m.normalize().to_string()).collect())
    }

    fn decode_set<C: FromIterator<Self>>(value: AttributeValue) -> Result<C, Problems> {
        decode_number_set(value, parse)
    }
}

leaf_attribute!(Decimal);
