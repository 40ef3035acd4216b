//! Throughput of the embedded memory backend on the item of the project's benchmark
//! workload: `cargo run --release --example memory_bench`.

use std::collections::HashSet;
use std::time::Instant;

use dynamo_model::{Dynamo, DynamoModel};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "bench_users",
    hash_key = "pk",
    range_key = "sk",
    gsi(name = "by_email", hash_key = "email")
)]
struct BenchUser {
    pk: String,
    sk: String,
    email: String,
    name: String,
    age: u32,
    score: f64,
    active: bool,
    tags: HashSet<String>,
    address: Address,
    history: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Address {
    street: String,
    city: String,
    zip: String,
}

fn item(i: u32) -> BenchUser {
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

fn report(phase: &str, ops: u32, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "RESULT,{phase},{ops},{seconds:.4},{:.0}",
        f64::from(ops) / seconds
    );
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db = Dynamo::memory_with::<BenchUser>().await?;
    let n = 20_000;

    let started = Instant::now();
    for i in 0..n {
        db.put(&item(i)).await?;
    }
    report("put", n, started);

    let started = Instant::now();
    for i in 0..n {
        let key = (format!("USER#{}", i % 100), format!("PROFILE#{i:06}"));
        let found = db.get::<BenchUser>(key).await?;
        assert!(found.is_some());
    }
    report("get", n, started);

    let started = Instant::now();
    let mut items = 0;
    for p in 0..100 {
        let mut start = None;
        loop {
            let page = db
                .query::<BenchUser>(format!("USER#{p}"))
                .limit(7)
                .start_from(start)
                .page()
                .await?;
            items += page.items.len() as u32;
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
    }
    assert_eq!(items, n);
    report("query_items", items, started);

    let f = BenchUser::fields();
    let started = Instant::now();
    for i in 0..n / 2 {
        db.update::<BenchUser>((format!("USER#{}", i % 100), format!("PROFILE#{i:06}")))
            .increment(&f.age, 1)
            .add(&f.tags, ["x"])
            .condition(f.pk.exists())
            .await?;
    }
    report("update", n / 2, started);
    Ok(())
}
