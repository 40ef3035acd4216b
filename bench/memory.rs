//! Throughput of the embedded memory backend on the item of the project's benchmark
//! workload: `cargo run --release -p dynamo-model-bench --bin memory-bench`.

use std::time::Instant;

use dynamo_model::Dynamo;
use dynamo_model_tests::workload::{item, key, user_pk, BenchUser};

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
        db.put(&item(i, user_pk(i))).await?;
    }
    report("put", n, started);

    let started = Instant::now();
    for i in 0..n {
        let found = db.get::<BenchUser>(key(i)).await?;
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
                .page_size(7)
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
        db.update::<BenchUser>(key(i))
            .increment(&f.age, 1)
            .add(&f.tags, ["x"])
            .condition(f.pk.exists())
            .await?;
    }
    report("update", n / 2, started);
    Ok(())
}
