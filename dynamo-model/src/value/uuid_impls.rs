//! uuid: S, hyphenated lowercase; usable as a key.

use uuid::Uuid;

use super::{
    leaf_attribute, AttributeValue, FromAttributeValue, KeyAttribute, Problems, ScalarType,
    SetElement, ToAttributeValue,
};

impl ToAttributeValue for Uuid {
    fn to_attribute_value(&self) -> Option<AttributeValue> {
        Some(AttributeValue::S(self.hyphenated().to_string()))
    }
}

impl FromAttributeValue for Uuid {
    fn from_attribute_value(value: AttributeValue) -> Result<Self, Problems> {
        match value {
            AttributeValue::S(text) => Uuid::parse_str(&text)
                .map_err(|_| Problems::single("the stored text is not a UUID")),
            other => Err(Problems::mismatch("S", &other)),
        }
    }
}

impl KeyAttribute for Uuid {
    const SCALAR_TYPE: ScalarType = ScalarType::S;
}

impl SetElement for Uuid {
    fn encode_set<'a>(members: impl Iterator<Item = &'a Self>) -> AttributeValue {
        AttributeValue::Ss(members.map(|m| m.hyphenated().to_string()).collect())
    }

    fn decode_set<C: FromIterator<Self>>(value: AttributeValue) -> Result<C, Problems> {
        let members: Vec<String> = String::decode_set(value)?;
        super::decode_text_members(members, |m| {
            Uuid::from_attribute_value(AttributeValue::S(m))
        })
    }
}

leaf_attribute!(Uuid);
