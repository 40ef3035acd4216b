//! Item size in DynamoDB's accounting: attribute names plus values, per the service's
//! documented rules (strings and binaries by length, numbers by significant digits, one or
//! three bytes of overhead for booleans, nulls, lists and maps).

use aws_sdk_dynamodb::types::AttributeValue;

use super::Item;

/// DynamoDB's largest item: 400 KB.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// The largest partition key value DynamoDB takes, in bytes.
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;

/// The largest sort key value DynamoDB takes, in bytes.
pub const MAX_SORT_KEY_BYTES: usize = 1024;

/// The size of an item as DynamoDB counts it.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

/// An item's size in DynamoDB's accounting, attribute by attribute
/// ([`DynamoModel::size`](crate::DynamoModel::size)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSize {
    /// Bytes in all: what counts against the 400 KB limit and towards capacity units.
    pub total: usize,
    /// Each attribute's bytes (its name plus its value), largest first.
    pub attributes: Vec<(String, usize)>,
}

impl ItemSize {
    /// The size of `item`.
    pub fn of(item: &Item) -> Self {
        let mut attributes: Vec<(String, usize)> = item
            .iter()
            .map(|(name, value)| (name.clone(), name.len() + value_size(value)))
            .collect();
        attributes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ItemSize {
            total: attributes.iter().map(|(_, size)| size).sum(),
            attributes,
        }
    }

    /// The bytes of attribute `name` (0 when the item does not have it).
    pub fn attribute(&self, name: &str) -> usize {
        self.attributes
            .iter()
            .find(|(attribute, _)| attribute == name)
            .map_or(0, |(_, size)| *size)
    }

    /// Write capacity units a standard `PutItem` of the item consumes (1 per KB, rounded up).
    pub fn write_units(&self) -> usize {
        self.total.div_ceil(1024).max(1)
    }

    /// Read capacity units a strongly consistent `GetItem` of the item consumes (1 per 4 KB,
    /// rounded up; half for an eventually consistent read).
    pub fn read_units(&self) -> usize {
        self.total.div_ceil(4096).max(1)
    }
}

/// The size of one attribute value.
pub fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        // A value waiting for its upload to S3 is stored as a pointer of at most this.
        #[cfg(feature = "s3")]
        AttributeValue::B(b) if super::offloaded::is_pending(b.as_ref()) => {
            super::offloaded::POINTER_SIZE
        }
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(members) => members.iter().map(String::len).sum(),
        AttributeValue::Ns(members) => members.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(members) => members.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(values) => 3 + values.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(name, v)| 1 + name.len() + value_size(v))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// Numbers: one byte per two significant digits, counted in pairs on either side of the
/// decimal point (`1.5` is `01.50`: two bytes), plus one.
fn number_size(text: &str) -> usize {
    match super::decimal::Number::parse(text) {
        Some(number) => number.base_100_digits() + 1,
        None => {
            // Not a number DynamoDB takes (refused elsewhere): an estimate.
            text.len().div_ceil(2) + 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_documented_rules() {
        let item: Item = [
            ("name".to_string(), AttributeValue::S("abc".into())),
            ("n".to_string(), AttributeValue::N("12345".into())),
            ("ok".to_string(), AttributeValue::Bool(true)),
        ]
        .into_iter()
        .collect();
        assert_eq!(item_size(&item), (4 + 3) + (1 + 4) + (2 + 1));
        // Digits pair up on either side of the decimal point, as DynamoDB stores them.
        for (number, bytes) in [
            ("1.5", 3),
            ("15", 2),
            ("150", 3),
            ("1500", 2),
            ("0.5", 2),
            ("0.05", 2),
            ("-1.5", 3),
            ("1e3", 2),
            ("0", 2),
        ] {
            assert_eq!(
                value_size(&AttributeValue::N(number.into())),
                bytes,
                "{number}"
            );
        }
        assert_eq!(
            value_size(&AttributeValue::L(vec![AttributeValue::Null(true)])),
            3 + 2
        );
        let size = ItemSize::of(&item);
        assert_eq!(size.total, item_size(&item));
        assert_eq!(size.attributes[0], ("name".to_string(), 7));
        assert_eq!(size.attribute("ok"), 3);
        assert_eq!(size.attribute("missing"), 0);
        assert_eq!((size.write_units(), size.read_units()), (1, 1));
    }
}
