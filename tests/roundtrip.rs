//! Property tests: every supported type survives `to_item` -> `from_item` unchanged,
//! including edge values (integer limits, empty and unicode strings, empty collections,
//! deep nesting).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use dynamo_model::{DynamoAttribute, DynamoModel};
use proptest::collection::{btree_map, btree_set, hash_map, hash_set, vec};
use proptest::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, DynamoAttribute)]
struct Tag(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, DynamoAttribute)]
enum Colour {
    Red,
    Green,
    Blue,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Leaf {
    label: String,
    weight: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Tree {
    leaf: Leaf,
    #[dynamo(default)]
    branches: Vec<Tree>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "everything", hash_key = "id", range_key = "rank")]
struct Everything {
    id: String,
    rank: i64,
    i8: i8,
    i16: i16,
    i32: i32,
    i128: i128,
    isize: isize,
    u8: u8,
    u16: u16,
    u32: u32,
    u64: u64,
    u128: u128,
    usize: usize,
    f32: f32,
    f64: f64,
    flag: bool,
    bytes: Vec<u8>,
    list: Vec<String>,
    optional: Option<u16>,
    optional_list: Vec<Option<i32>>,
    string_set: HashSet<String>,
    number_set: BTreeSet<i64>,
    binary_set: BTreeSet<Vec<u8>>,
    tag_set: BTreeSet<Tag>,
    colours: BTreeSet<Colour>,
    hash_map: HashMap<String, i32>,
    tree_map: BTreeMap<String, Vec<bool>>,
    colour: Colour,
    tag: Tag,
    uuid: uuid::Uuid,
    decimal: rust_decimal::Decimal,
    tree: Tree,
}

fn finite_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(-1.5e-300),
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
    ]
}

fn finite_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        Just(f32::MAX),
        Just(f32::MIN_POSITIVE),
        any::<f32>().prop_filter("finite", |v| v.is_finite()),
    ]
}

/// Unicode text, often empty.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), any::<String>(), "[a-z.#: ]{0,8}"]
}

fn colour() -> impl Strategy<Value = Colour> {
    prop_oneof![Just(Colour::Red), Just(Colour::Green), Just(Colour::Blue)]
}

fn leaf() -> impl Strategy<Value = Leaf> {
    (text(), proptest::option::of(finite_f64())).prop_map(|(label, weight)| Leaf { label, weight })
}

/// Trees up to 15 trees deep: each is a list and a map, so the item nests up to 32 levels
/// (DynamoDB's limit).
fn tree() -> impl Strategy<Value = Tree> {
    leaf()
        .prop_map(|leaf| Tree {
            leaf,
            branches: vec![],
        })
        .prop_recursive(15, 64, 3, |inner| {
            (leaf(), vec(inner, 0..3)).prop_map(|(leaf, branches)| Tree { leaf, branches })
        })
}

fn decimal() -> impl Strategy<Value = rust_decimal::Decimal> {
    (any::<i64>(), 0_u32..=28)
        .prop_map(|(mantissa, scale)| rust_decimal::Decimal::new(mantissa, scale))
}

prop_compose! {
    fn integers()(
        rank in any::<i64>(), i8 in any::<i8>(), i16 in any::<i16>(), i32 in any::<i32>(),
        // DynamoDB numbers hold 38 significant digits: 128-bit integers within them.
        i128 in -(10_i128.pow(38) - 1)..10_i128.pow(38), isize in any::<isize>(), u8 in any::<u8>(), u16 in any::<u16>(),
        u32 in any::<u32>(), u64 in any::<u64>(), u128 in 0..10_u128.pow(38), usize in any::<usize>(),
    ) -> (i64, i8, i16, i32, i128, isize, u8, u16, u32, u64, u128, usize) {
        (rank, i8, i16, i32, i128, isize, u8, u16, u32, u64, u128, usize)
    }
}

prop_compose! {
    fn everything()(
        id in text(),
        ints in integers(),
        f32 in finite_f32(),
        f64 in finite_f64(),
        flag in any::<bool>(),
        bytes in vec(any::<u8>(), 0..16),
        list in vec(text(), 0..4),
        optional in proptest::option::of(any::<u16>()),
        optional_list in vec(proptest::option::of(any::<i32>()), 0..4),
        string_set in hash_set(text(), 0..4),
        number_set in btree_set(any::<i64>(), 0..4),
        binary_set in btree_set(vec(any::<u8>(), 0..4), 0..4),
        tag_set in btree_set(text().prop_map(Tag), 0..3),
        colours in btree_set(colour(), 0..3),
        hash_map in hash_map(text(), any::<i32>(), 0..4),
        tree_map in btree_map(text(), vec(any::<bool>(), 0..3), 0..4),
        colour in colour(),
        tag in text().prop_map(Tag),
        uuid in any::<u128>().prop_map(uuid::Uuid::from_u128),
        decimal in decimal(),
        tree in tree(),
    ) -> Everything {
        let (rank, i8, i16, i32, i128, isize, u8, u16, u32, u64, u128, usize) = ints;
        Everything {
            id, rank, i8, i16, i32, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, flag,
            bytes, list, optional, optional_list, string_set, number_set, binary_set, tag_set,
            colours, hash_map, tree_map, colour, tag, uuid, decimal, tree,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_type_round_trips(value in everything()) {
        let item = value.try_to_item().expect("valid values encode");
        let back = Everything::from_item(item).expect("encoded items decode");
        // Decimal equality ignores scale; compare the stored text too.
        prop_assert_eq!(back.decimal.normalize().to_string(), value.decimal.normalize().to_string());
        prop_assert_eq!(back, value);
    }

    #[test]
    fn integer_limits_round_trip(pick in 0_usize..4) {
        let mut value = Everything::from_item(sample().to_item()).expect("sample decodes");
        match pick {
            0 => { value.rank = i64::MIN; value.i128 = -(10_i128.pow(38) - 1); }
            1 => { value.rank = i64::MAX; value.u128 = 10_u128.pow(38) - 1; }
            2 => { value.u64 = u64::MAX; value.i8 = i8::MIN; }
            _ => { value.usize = usize::MAX; value.isize = isize::MIN; }
        }
        prop_assert_eq!(Everything::from_item(value.to_item()).expect("decodes"), value);
    }
}

/// 128-bit integers past DynamoDB's 38 significant digits cannot be stored: refused when
/// written, and when read.
#[test]
fn integers_past_38_digits_are_refused_both_ways() {
    for value in [
        Everything {
            i128: i128::MIN,
            ..sample()
        },
        Everything {
            u128: u128::MAX,
            ..sample()
        },
    ] {
        let written = value.try_to_item().unwrap_err();
        assert!(written.is_validation(), "{written}");
        let read = Everything::from_item(value.to_item()).unwrap_err();
        assert!(read.to_string().contains("38"), "{read}");
    }
}

fn sample() -> Everything {
    Everything {
        id: "id".into(),
        rank: 0,
        i8: 0,
        i16: 0,
        i32: 0,
        i128: 0,
        isize: 0,
        u8: 0,
        u16: 0,
        u32: 0,
        u64: 0,
        u128: 0,
        usize: 0,
        f32: 0.0,
        f64: 0.0,
        flag: false,
        bytes: vec![],
        list: vec![],
        optional: None,
        optional_list: vec![],
        string_set: HashSet::new(),
        number_set: BTreeSet::new(),
        binary_set: BTreeSet::new(),
        tag_set: BTreeSet::new(),
        colours: BTreeSet::new(),
        hash_map: HashMap::new(),
        tree_map: BTreeMap::new(),
        colour: Colour::Red,
        tag: Tag(String::new()),
        uuid: uuid::Uuid::nil(),
        decimal: rust_decimal::Decimal::ZERO,
        tree: Tree {
            leaf: Leaf {
                label: String::new(),
                weight: None,
            },
            branches: vec![],
        },
    }
}

/// A tree `levels` trees deep below the top one: each level is a list and a map, and the
/// deepest leaf one more map, so the item nests 2 + 2 * levels deep.
fn tree_of_depth(levels: usize) -> Tree {
    let mut tree = Tree {
        leaf: Leaf {
            label: "bottom".into(),
            weight: Some(1.0),
        },
        branches: vec![],
    };
    for depth in 0..levels {
        tree = Tree {
            leaf: Leaf {
                label: depth.to_string(),
                weight: None,
            },
            branches: vec![tree],
        };
    }
    tree
}

#[test]
fn deep_nesting_round_trips_up_to_dynamodbs_32_levels() {
    // 32 levels counting the item: at most 31 nested lists and maps below an attribute.
    let value = Everything {
        tree: tree_of_depth(14),
        ..sample()
    };
    assert_eq!(dynamo_model::value::nesting_depth(&value.to_item()), 30);
    assert_eq!(Everything::from_item(value.to_item()).unwrap(), value);
    let too_deep = Everything {
        tree: tree_of_depth(15),
        ..sample()
    };
    assert_eq!(dynamo_model::value::nesting_depth(&too_deep.to_item()), 32);
    let error = Everything::from_item(too_deep.to_item()).unwrap_err();
    assert!(
        error.to_string().contains("past DynamoDB's 32 levels"),
        "{error}"
    );
}
