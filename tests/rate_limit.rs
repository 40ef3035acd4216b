//! Rate limits on both backends: a fixed limit holds the consumed-capacity rate within 10%
//! of its setting (items of 1 and of 2 WCU), a per-model limit leaves other tables alone,
//! and an adaptive limit backs off when batches come back unprocessed and recovers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dynamo_model::backend::RateLimit;
use dynamo_model::{Dynamo, DynamoModel};
use dynamo_model_tests::conformance;
use dynamo_model_tests::flaky::Flaky;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "metered", hash_key = "id")]
struct Metered {
    id: String,
    body: String,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "free", hash_key = "id")]
struct Free {
    id: String,
}

/// Puts `count` items of `body_bytes` each; returns the write units the responses
/// reported and the seconds it took.
async fn put_many(db: &Dynamo, count: usize, body_bytes: usize) -> (f64, f64) {
    let units = Arc::new(Mutex::new(0.0));
    let counter = Arc::clone(&units);
    let observed = db.with_capacity_observer(move |_, capacity| {
        *counter.lock().unwrap() += capacity.capacity_units().unwrap_or(0.0);
    });
    let started = Instant::now();
    for i in 0..count {
        let item = Metered {
            id: format!("m{i}"),
            body: "x".repeat(body_bytes),
        };
        observed.put(&item).await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    let units = *units.lock().unwrap();
    (units, seconds)
}

conformance! {
    async fn a_fixed_limit_holds_the_consumed_rate(db: Dynamo) {
        db.create_table::<Metered>().await.unwrap();
        // 20 WCU/s; the bucket starts with one unit, so N units take (N - 1) / 20 s.
        let limited = db.with_rate_limit(&RateLimit::fixed(1000.0, 20.0));
        let (units, seconds) = put_many(&limited, 40, 10).await;
        assert_eq!(units, 40.0, "one WCU per small item");
        let rate = (units - 1.0) / seconds;
        assert!((18.0..=22.0).contains(&rate), "{rate:.2} WCU/s for a 20 WCU/s limit");

        // Items of 1.5 KB cost 2 WCU each: the limit counts capacity, not requests.
        let limited = db.with_rate_limit(&RateLimit::fixed(1000.0, 20.0));
        let (units, seconds) = put_many(&limited, 20, 1500).await;
        assert_eq!(units, 40.0, "two WCU per 1.5 KB item");
        let rate = (units - 2.0) / seconds;
        assert!((18.0..=22.0).contains(&rate), "{rate:.2} WCU/s for a 20 WCU/s limit");
    }

    async fn a_per_model_limit_leaves_other_tables_alone(db: Dynamo) {
        db.create_table::<Metered>().await.unwrap();
        db.create_table::<Free>().await.unwrap();
        let limited = db.with_rate_limit_for::<Metered>(&RateLimit::fixed(1.0, 1.0));
        let started = Instant::now();
        for i in 0..20 {
            limited.put(&Free { id: format!("f{i}") }).await.unwrap();
        }
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
        let started = Instant::now();
        for i in 0..3 {
            limited.put(&Metered { id: format!("m{i}"), body: String::new() }).await.unwrap();
        }
        assert!(started.elapsed() >= Duration::from_millis(1900), "{:?}", started.elapsed());
    }
}

#[tokio::test]
async fn an_adaptive_limit_backs_off_on_unprocessed_items_and_recovers() {
    let flaky = Arc::new(Flaky::default());
    let db = Dynamo::with_backend(Arc::clone(&flaky));
    db.create_table::<Metered>().await.unwrap();
    let limit = RateLimit::adaptive(1000.0, 1000.0);
    let limited = db.with_rate_limit(&limit);
    let items: Vec<Metered> = (0..16)
        .map(|i| Metered {
            id: format!("a{i}"),
            body: String::new(),
        })
        .collect();
    let mut batch = limited.batch_write();
    for item in &items {
        batch = batch.put(item);
    }
    batch.await.unwrap();
    let backed_off = limit.write_rate();
    assert!(
        backed_off <= 500.0,
        "every batch came back half done: {backed_off}"
    );
    assert!(backed_off >= 50.0, "never below a twentieth: {backed_off}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let recovered = limit.write_rate();
    assert!(
        recovered >= backed_off + 100.0,
        "{backed_off} -> {recovered}"
    );
    assert_eq!(limit.read_rate(), 1000.0, "reads were never throttled");
}
