//! Reliability under faults: DynamoDB Local behind a fault-injecting proxy that throttles,
//! fails, drops connections, answers slowly and trims batches. Nothing may be lost, retries
//! may not apply a write twice, and what is left after the budget comes back.
//!
//! Each test prints what the proxy did (`cargo test --test faults -- --nocapture`); the
//! README's reliability table comes from those lines.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use dynamo_model::expr::Projection;
use dynamo_model::{Dynamo, DynamoModel, ErrorKind, Measure, RetryPolicy};
use dynamo_model_tests::fault_proxy::{FaultProxy, Faults};
use dynamo_model_tests::{endpoint, sdk_client, unique_prefix};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "events", hash_key = "id")]
struct Event {
    id: String,
    n: u32,
    payload: String,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "accounts", hash_key = "id")]
struct Account {
    id: String,
    balance: i64,
    transfers: u32,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "readings", hash_key = "id")]
struct Reading {
    id: String,
    value: f64,
}

fn events(count: u32) -> Vec<Event> {
    (0..count)
        .map(|n| Event {
            id: format!("e{n:05}"),
            n,
            payload: "x".repeat(64),
        })
        .collect()
}

/// 30% of requests fail (throttling of both kinds, HTTP 500, dropped connections) and 30%
/// of the batch requests that get through are trimmed.
fn thirty_percent() -> Faults {
    Faults {
        provisioned_throughput: 0.10,
        throttling: 0.08,
        server_error: 0.06,
        drop_connection: 0.06,
        trim: 0.30,
        ..Faults::default()
    }
}

/// Our own retries for unprocessed items and failed batch requests: short delays, and a
/// budget for long runs of bad luck.
fn patient() -> RetryPolicy {
    RetryPolicy {
        max_retries: 20,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(200),
    }
}

/// A client on DynamoDB Local directly and one through `proxy`, both with `prefix`.
fn clients(proxy: &FaultProxy, sdk_attempts: u32) -> (Dynamo, Dynamo) {
    let prefix = unique_prefix();
    let direct = Dynamo::new(sdk_client()).with_table_prefix(&prefix);
    let proxied = proxy
        .client(sdk_attempts)
        .with_table_prefix(&prefix)
        .with_retry(patient());
    (direct, proxied)
}

fn report(test: &str, proxy: &FaultProxy) {
    eprintln!("{test}: {:?}", proxy.counts().snapshot());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_writes_under_throttling_and_trimming_lose_nothing() {
    let proxy = FaultProxy::start(endpoint(), thirty_percent()).await;
    let (direct, proxied) = clients(&proxy, 3);
    direct.create_table::<Event>().await.unwrap();
    let all = events(10_000);
    proxied.batch_write().put_all(&all).await.unwrap();
    report("batch_write 10000", &proxy);
    let stored: BTreeSet<String> = direct
        .scan::<Event>()
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(stored.len(), 10_000, "every item stored, none twice");
    assert!(all.iter().all(|e| stored.contains(&e.id)));
    let counts = proxy.counts();
    assert!(counts.throttled.load(Ordering::Relaxed) > 0);
    assert!(counts.server_errors.load(Ordering::Relaxed) > 0);
    assert!(counts.dropped.load(Ordering::Relaxed) > 0);
    assert!(counts.trimmed.load(Ordering::Relaxed) > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_reads_under_throttling_and_trimming_return_every_item() {
    let proxy = FaultProxy::start(endpoint(), thirty_percent()).await;
    let (direct, proxied) = clients(&proxy, 3);
    direct.create_table::<Event>().await.unwrap();
    let all = events(1_000);
    direct.batch_write().put_all(&all).await.unwrap();
    let keys: Vec<String> = all.iter().map(|e| e.id.clone()).collect();
    let mut got = proxied.batch_get::<Event>(&keys).await.unwrap();
    report("batch_get 1000", &proxy);
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, all, "every key read once");
    assert!(proxy.counts().trimmed.load(Ordering::Relaxed) > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_retried_after_conflicts_and_lost_answers_commits_once() {
    let proxy = FaultProxy::start(
        endpoint(),
        Faults {
            conflicts: 3,
            only: vec!["TransactWriteItems"],
            ..Faults::default()
        },
    )
    .await;
    let (direct, proxied) = clients(&proxy, 3);
    direct.create_table::<Account>().await.unwrap();
    for id in ["a", "b"] {
        direct
            .put(&Account {
                id: id.into(),
                balance: 100,
                transfers: 0,
            })
            .await
            .unwrap();
    }
    async fn transfer(db: &Dynamo) -> dynamo_model::Result<()> {
        let f = Account::fields();
        db.transact_write()
            .update::<Account>("a", |u| u.add(&f.balance, -10_i64).add(&f.transfers, 1_u32))
            .update::<Account>("b", |u| u.add(&f.balance, 10_i64).add(&f.transfers, 1_u32))
            .await
    }
    transfer(&proxied).await.unwrap();
    let tokens = proxy.tokens();
    assert_eq!(tokens.len(), 4, "three conflicts, then the commit");
    assert!(
        tokens.iter().all(|t| *t == tokens[0]),
        "one token: {tokens:?}"
    );

    // The commit done, its answer lost: the SDK sends it again with the same token, and
    // DynamoDB answers from the first commit instead of applying it twice.
    proxy.set_faults(Faults {
        lose_answer: 1.0,
        only: vec!["TransactWriteItems"],
        ..Faults::default()
    });
    let lost = transfer(&proxy.client(1).with_table_prefix(prefix_of(&direct))).await;
    assert!(lost.unwrap_err().is_retryable());
    proxy.set_faults(Faults::default());
    report("transactions", &proxy);
    let a = direct.get::<Account>("a").await.unwrap().unwrap();
    let b = direct.get::<Account>("b").await.unwrap().unwrap();
    assert_eq!(
        (a.balance, a.transfers),
        (80, 2),
        "each transfer applied once"
    );
    assert_eq!((b.balance, b.transfers), (120, 2));
}

/// The prefix of a client made by [`clients`].
fn prefix_of(db: &Dynamo) -> String {
    db.table_name::<Account>()
        .trim_end_matches("accounts")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_budget_the_error_comes_back_with_every_item_not_done() {
    let proxy = FaultProxy::start(
        endpoint(),
        Faults {
            trim: 1.0,
            only: vec!["BatchWriteItem", "BatchGetItem"],
            ..Faults::default()
        },
    )
    .await;
    let (direct, _) = clients(&proxy, 3);
    let proxied = proxy
        .client(2)
        .with_table_prefix(prefix_of(&direct))
        .with_retry(RetryPolicy {
            max_retries: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        });
    direct.create_table::<Event>().await.unwrap();
    let all = events(200);

    // Every batch trimmed: some writes are left after the budget, and they come back.
    let outcome = proxied.batch_write().put_all(&all).outcome().await.unwrap();
    assert!(!outcome.unprocessed.is_empty());
    let stored = direct.scan::<Event>().count().await.unwrap();
    assert_eq!(
        stored as usize + outcome.unprocessed.len(),
        200,
        "stored or returned, none lost"
    );

    // Every request throttled: the error says so and carries every write.
    proxy.set_faults(Faults {
        provisioned_throughput: 1.0,
        ..Faults::default()
    });
    let error = proxied.batch_write().put_all(&all).await.unwrap_err();
    match error.kind() {
        ErrorKind::Unprocessed { writes, cause, .. } => {
            assert_eq!(writes.len(), 200);
            assert!(cause.as_ref().is_some_and(|c| c.is_throttled()), "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("200 writes not done, stopped by"),
        "{error}"
    );
    let keys: Vec<String> = all.iter().map(|e| e.id.clone()).collect();
    let error = proxied.batch_get::<Event>(&keys).await.unwrap_err();
    match error.kind() {
        ErrorKind::Unprocessed { keys, .. } => assert_eq!(keys.len(), 200),
        other => panic!("{other:?}"),
    }

    // A transaction past its budget returns the last error.
    proxy.set_faults(Faults {
        conflicts: usize::MAX,
        ..Faults::default()
    });
    let error = proxied.transact_write().put(&all[0]).await.unwrap_err();
    assert!(
        error.reasons().iter().any(|r| r.is_transaction_conflict()),
        "{error}"
    );
    assert_eq!(proxy.tokens().len(), 2, "the first try and one retry");
    report("past the budget", &proxy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_item_operations_ride_out_faults_and_slow_answers_on_sdk_retries() {
    let proxy = FaultProxy::start(
        endpoint(),
        Faults {
            slow: 0.05,
            slow_delay: Duration::from_millis(1500),
            ..thirty_percent()
        },
    )
    .await;
    // 35% of attempts fail, so 20 attempts leave about one operation in 10^9 failing.
    let (direct, proxied) = clients(&proxy, 20);
    direct.create_table::<Event>().await.unwrap();
    let all = events(200);
    let gave_up = |operation: &str, error: dynamo_model::Error| -> ! {
        let counts = proxy.counts().snapshot();
        panic!("{operation} failed after the SDK's attempts: {error:?}; proxy: {counts:?}")
    };
    // Every attempt the proxy received beyond one per operation is a retry the operation
    // reports.
    let mut retries = 0;
    for event in &all {
        let (put, metrics) = proxied.put(event).measured().await;
        if let Err(error) = put {
            gave_up("put", error);
        }
        retries += metrics.retries;
    }
    for event in &all {
        let (found, metrics) = proxied.get::<Event>(&event.id).measured().await;
        match found {
            Ok(found) => assert_eq!(found.as_ref(), Some(event)),
            Err(error) => gave_up("get", error),
        }
        retries += metrics.retries;
    }
    assert!(retries > 0);
    let received = proxy.counts().requests.load(Ordering::Relaxed);
    assert_eq!(
        received,
        400 + retries as usize,
        "retries reported: {retries}"
    );
    report("single items", &proxy);
    assert_eq!(direct.scan::<Event>().count().await.unwrap(), 200);
    assert!(proxy.counts().slowed.load(Ordering::Relaxed) > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_never_reaches_the_network() {
    let proxy = FaultProxy::start(endpoint(), Faults::default()).await;
    let db = proxy.client(1);
    let f = Event::fields();
    let event = |id: &str| Event {
        id: id.into(),
        n: 1,
        payload: String::new(),
    };
    let events: Vec<Event> = (0..101).map(|n| event(&format!("e{n}"))).collect();
    let mut big = event("big");
    big.payload = "x".repeat(400 * 1024);
    let errors = vec![
        ("empty key", db.put(&event("")).await.unwrap_err()),
        (
            "empty key read",
            db.get::<Event>("").await.map(|_| ()).unwrap_err(),
        ),
        ("item over 400 KB", db.put(&big).await.unwrap_err()),
        (
            "an infinite number",
            db.put(&Reading {
                id: "r".into(),
                value: f64::INFINITY,
            })
            .await
            .unwrap_err(),
        ),
        (
            "NaN in an update",
            db.update::<Reading>("r")
                .set(&Reading::fields().value, f64::NAN)
                .await
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "a projection naming nothing",
            db.get::<Event>("a")
                .projection(Projection::new())
                .item()
                .await
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "101 transaction items",
            events
                .iter()
                .fold(db.transact_write(), |t, e| t.put(e))
                .await
                .unwrap_err(),
        ),
        (
            "one item twice in a transaction",
            db.transact_write()
                .put(&event("a"))
                .delete::<Event>("a")
                .await
                .unwrap_err(),
        ),
        (
            "one item twice in a batch",
            db.batch_write()
                .put(&event("a"))
                .put(&event("a"))
                .await
                .unwrap_err(),
        ),
        (
            "empty update",
            db.update::<Event>("a").await.map(|_| ()).unwrap_err(),
        ),
        (
            "overlapping update paths",
            db.update::<Event>("a")
                .set(&f.n, 1_u32)
                .add(&f.n, 2_u32)
                .await
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "is_in with 101 values",
            db.scan::<Event>()
                .filter(f.n.is_in(0..101_u32))
                .all()
                .await
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "a start key of the wrong type",
            db.query::<Event>("a")
                .start_from(Some(dynamo_model::value::Item::from([(
                    "id".to_owned(),
                    dynamo_model::value::AttributeValue::N("1".into()),
                )])))
                .page()
                .await
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "a table name DynamoDB rejects",
            db.with_table_prefix("bad prefix/")
                .get::<Event>("a")
                .await
                .map(|_| ())
                .unwrap_err(),
        ),
        (
            "a prefix that makes a table name over 255 characters",
            db.with_table_prefix("p".repeat(250))
                .get::<Event>("a")
                .await
                .map(|_| ())
                .unwrap_err(),
        ),
    ];
    for (case, error) in &errors {
        assert!(
            error.is_invalid_request()
                || error.is_invalid_expression()
                || error.is_validation()
                || matches!(error.kind(), ErrorKind::ItemTooLarge { .. }),
            "{case}: {error}"
        );
    }
    assert_eq!(
        proxy.counts().requests.load(Ordering::Relaxed),
        0,
        "no bad request was sent"
    );
    // A good request does reach the proxy (and fails: there is no table).
    assert!(db.get::<Event>("a").await.unwrap_err().is_not_found());
    assert_eq!(proxy.counts().requests.load(Ordering::Relaxed), 1);
}
