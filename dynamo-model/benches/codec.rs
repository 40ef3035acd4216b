//! The item codec against serde_dynamo and hand-written `AttributeValue` code, on the item of
//! `shared/WORKLOAD.md`, in one run: `cargo bench -p dynamo-model --bench codec`.
//!
//! Each side converts the same item the same way on the wire (SS tags, M address, L of N
//! history), so the three `to_item` results are equal and checked to be before measuring.

use std::collections::{HashMap, HashSet};
use std::hint::black_box;

use aws_sdk_dynamodb::types::AttributeValue;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use dynamo_model::{DynamoModel, Item};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, DynamoModel, Serialize, Deserialize)]
#[dynamo(table = "bench_users", hash_key = "pk", range_key = "sk")]
struct BenchUser {
    pk: String,
    sk: String,
    email: String,
    name: String,
    age: u32,
    score: f64,
    active: bool,
    #[serde(with = "serde_dynamo::string_set")]
    tags: HashSet<String>,
    address: Address,
    history: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel, Serialize, Deserialize)]
struct Address {
    street: String,
    city: String,
    zip: String,
}

fn workload_item(i: u32) -> BenchUser {
    BenchUser {
        pk: format!("USER#{}", i % 100),
        sk: format!("PROFILE#{i:06}"),
        email: format!("user{i}@example.com"),
        name: format!("name-{i:015}"),
        age: 20 + i % 50,
        score: 1.5 * f64::from(i),
        active: i.is_multiple_of(2),
        tags: HashSet::from(["tag-a".into(), "tag-b".into(), format!("tag-{}", i % 10)]),
        address: Address {
            street: format!("{i} Main St"),
            city: "Springfield".into(),
            zip: format!("{:05}", i % 100_000),
        },
        history: (0..5).map(|k| i64::from(i) + k).collect(),
    }
}

/// What a careful engineer writes by hand with the SDK's types.
mod hand_written {
    use super::*;

    fn s(value: &str) -> AttributeValue {
        AttributeValue::S(value.to_owned())
    }

    pub(super) fn to_item(user: &BenchUser) -> Item {
        let mut item = HashMap::with_capacity(10);
        item.insert("pk".to_owned(), s(&user.pk));
        item.insert("sk".to_owned(), s(&user.sk));
        item.insert("email".to_owned(), s(&user.email));
        item.insert("name".to_owned(), s(&user.name));
        item.insert("age".to_owned(), AttributeValue::N(user.age.to_string()));
        item.insert(
            "score".to_owned(),
            AttributeValue::N(user.score.to_string()),
        );
        item.insert("active".to_owned(), AttributeValue::Bool(user.active));
        item.insert(
            "tags".to_owned(),
            AttributeValue::Ss(user.tags.iter().cloned().collect()),
        );
        let mut address = HashMap::with_capacity(3);
        address.insert("street".to_owned(), s(&user.address.street));
        address.insert("city".to_owned(), s(&user.address.city));
        address.insert("zip".to_owned(), s(&user.address.zip));
        item.insert("address".to_owned(), AttributeValue::M(address));
        item.insert(
            "history".to_owned(),
            AttributeValue::L(
                user.history
                    .iter()
                    .map(|h| AttributeValue::N(h.to_string()))
                    .collect(),
            ),
        );
        item
    }

    fn take_s(item: &mut Item, name: &str) -> Option<String> {
        match item.remove(name)? {
            AttributeValue::S(v) => Some(v),
            _ => None,
        }
    }

    fn take_n<T: std::str::FromStr>(item: &mut Item, name: &str) -> Option<T> {
        match item.remove(name)? {
            AttributeValue::N(v) => v.parse().ok(),
            _ => None,
        }
    }

    pub(super) fn from_item(mut item: Item) -> Option<BenchUser> {
        let AttributeValue::M(mut address) = item.remove("address")? else {
            return None;
        };
        let AttributeValue::Ss(tags) = item.remove("tags")? else {
            return None;
        };
        let AttributeValue::L(history) = item.remove("history")? else {
            return None;
        };
        let AttributeValue::Bool(active) = item.remove("active")? else {
            return None;
        };
        Some(BenchUser {
            pk: take_s(&mut item, "pk")?,
            sk: take_s(&mut item, "sk")?,
            email: take_s(&mut item, "email")?,
            name: take_s(&mut item, "name")?,
            age: take_n(&mut item, "age")?,
            score: take_n(&mut item, "score")?,
            active,
            tags: tags.into_iter().collect(),
            address: Address {
                street: take_s(&mut address, "street")?,
                city: take_s(&mut address, "city")?,
                zip: take_s(&mut address, "zip")?,
            },
            history: history
                .into_iter()
                .map(|h| match h {
                    AttributeValue::N(n) => n.parse().ok(),
                    _ => None,
                })
                .collect::<Option<Vec<i64>>>()?,
        })
    }
}

fn same_wire_form(user: &BenchUser) {
    let ours = user.to_item();
    let serde: Item =
        serde_dynamo::aws_sdk_dynamodb_1::to_item(user).expect("serde_dynamo encodes");
    let hand = hand_written::to_item(user);
    let normalize = |item: &Item| {
        let mut item = item.clone();
        if let Some(AttributeValue::Ss(tags)) = item.get_mut("tags") {
            tags.sort();
        }
        if let Some(AttributeValue::N(score)) = item.get_mut("score") {
            *score = score.parse::<f64>().expect("a number").to_string();
        }
        item
    };
    assert_eq!(normalize(&ours), normalize(&serde), "ours vs serde_dynamo");
    assert_eq!(normalize(&ours), normalize(&hand), "ours vs hand-written");
    assert_eq!(BenchUser::from_item(ours.clone()).expect("decodes"), *user);
    assert_eq!(hand_written::from_item(ours.clone()).as_ref(), Some(user));
    let decoded: BenchUser = serde_dynamo::aws_sdk_dynamodb_1::from_item(ours).expect("decodes");
    assert_eq!(decoded, *user);
}

fn codec(c: &mut Criterion) {
    let user = workload_item(1234);
    same_wire_form(&user);
    let item = user.to_item();

    let mut to_item = c.benchmark_group("to_item");
    to_item.bench_function("dynamo_model", |b| b.iter(|| black_box(&user).to_item()));
    to_item.bench_function("serde_dynamo", |b| {
        b.iter(|| {
            let item: Item =
                serde_dynamo::aws_sdk_dynamodb_1::to_item(black_box(&user)).expect("encodes");
            item
        })
    });
    to_item.bench_function("hand_written", |b| {
        b.iter(|| hand_written::to_item(black_box(&user)))
    });
    to_item.finish();

    let mut from_item = c.benchmark_group("from_item");
    from_item.bench_function("dynamo_model", |b| {
        b.iter_batched(
            || item.clone(),
            |item| BenchUser::from_item(item).expect("decodes"),
            BatchSize::SmallInput,
        )
    });
    from_item.bench_function("serde_dynamo", |b| {
        b.iter_batched(
            || item.clone(),
            |item| -> BenchUser {
                serde_dynamo::aws_sdk_dynamodb_1::from_item(item).expect("decodes")
            },
            BatchSize::SmallInput,
        )
    });
    from_item.bench_function("hand_written", |b| {
        b.iter_batched(
            || item.clone(),
            |item| hand_written::from_item(item).expect("decodes"),
            BatchSize::SmallInput,
        )
    });
    from_item.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
