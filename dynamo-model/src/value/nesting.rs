//! DynamoDB's nesting limit: 32 levels counting the item, so lists and maps hold each other
//! at most 31 deep below an attribute (DynamoDB Local 3.3.1 stores 31, refuses 32). Items
//! are measured without recursion, so an item of any depth (from a server, a file or a
//! fuzzer) is refused rather than overflowing the stack of a decoder.

use aws_sdk_dynamodb::types::AttributeValue;

use super::Item;

/// The deepest nesting of lists and maps DynamoDB stores below an attribute (its 32 levels,
/// counting the item).
pub const MAX_NESTING: usize = 31;

/// How deeply the lists and maps of `item` nest: 0 for an item of scalars and sets, 1 when
/// an attribute is a list or map of scalars, and so on. Stops counting past `MAX_NESTING`
/// + 1, so its cost is bounded by the item's size either way.
pub fn nesting_depth(item: &Item) -> usize {
    let mut deepest = 0;
    // Scalars need no look; an item without lists or maps allocates nothing.
    let mut pending: Vec<(&AttributeValue, usize)> = item
        .values()
        .filter(|v| matches!(v, AttributeValue::L(_) | AttributeValue::M(_)))
        .map(|v| (v, 1))
        .collect();
    while let Some((value, depth)) = pending.pop() {
        let children: Box<dyn Iterator<Item = &AttributeValue>> = match value {
            AttributeValue::L(list) => Box::new(list.iter()),
            AttributeValue::M(map) => Box::new(map.values()),
            _ => continue,
        };
        deepest = deepest.max(depth);
        if deepest > MAX_NESTING {
            return deepest;
        }
        pending.extend(children.map(|child| (child, depth + 1)));
    }
    deepest
}

/// The problem with an item nested deeper than DynamoDB allows, if it is.
pub(crate) fn nesting_problem(item: &Item) -> Option<String> {
    let depth = nesting_depth(item);
    (depth > MAX_NESTING).then(|| {
        format!(
            "lists and maps nest more than {MAX_NESTING} deep below an attribute, past DynamoDB's 32 levels"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> Item {
        let mut value = AttributeValue::S("leaf".into());
        for level in 0..levels {
            value = if level % 2 == 0 {
                AttributeValue::L(vec![value])
            } else {
                AttributeValue::M(Item::from([("m".to_owned(), value)]))
            };
        }
        Item::from([("a".to_owned(), value)])
    }

    #[test]
    fn depth_counts_lists_and_maps() {
        assert_eq!(nesting_depth(&Item::new()), 0);
        assert_eq!(nesting_depth(&nested(0)), 0);
        assert_eq!(nesting_depth(&nested(1)), 1);
        assert_eq!(nesting_depth(&nested(32)), 32);
        // DynamoDB Local 3.3.1 stores 31 nested maps below an attribute and refuses 32.
        assert!(nesting_problem(&nested(31)).is_none());
        assert!(nesting_problem(&nested(32)).is_some());
    }

    #[test]
    fn a_very_deep_item_is_measured_without_recursion() {
        // Dropping this item recurses; build and drop it on a thread with a big stack.
        std::thread::Builder::new()
            .stack_size(256 * 1024 * 1024)
            .spawn(|| assert_eq!(nesting_depth(&nested(100_000)), MAX_NESTING + 1))
            .expect("a thread")
            .join()
            .expect("no panic");
    }
}
