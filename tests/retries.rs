//! Retries of what the SDK does not retry, against a backend that trims every batch to half
//! and cancels transactions with conflicts: nothing is lost, leftovers come back, a
//! conflicting transaction commits once with one token, and one whose condition failed is
//! never retried.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use dynamo_model::{Dynamo, DynamoModel, ErrorKind, RetryPolicy};
use dynamo_model_tests::flaky::Flaky;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "events", hash_key = "id")]
struct Event {
    id: String,
    n: u32,
}

fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

fn events(count: u32) -> Vec<Event> {
    (0..count)
        .map(|n| Event {
            id: format!("e{n:04}"),
            n,
        })
        .collect()
}

#[tokio::test]
async fn trimmed_batches_lose_nothing() {
    let db = Dynamo::with_backend(Flaky::default()).with_retry(fast_retries(10));
    db.create_table::<Event>().await.unwrap();
    let all = events(1000);
    db.batch_write().put_all(&all).await.unwrap();
    assert_eq!(
        db.scan::<Event>().count().await.unwrap(),
        1000,
        "every item stored"
    );
    let keys: Vec<String> = all.iter().map(|e| e.id.clone()).collect();
    let mut got = db.batch_get::<Event>(&keys).await.unwrap();
    got.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got, all, "every key read");
}

#[tokio::test]
async fn leftovers_past_the_retry_budget_come_back() {
    let db = Dynamo::with_backend(Flaky::default()).with_retry(fast_retries(1));
    db.create_table::<Event>().await.unwrap();
    // 25 writes, halved twice (first try, one retry): 6 left over.
    let outcome = db
        .batch_write()
        .put_all(&events(25))
        .outcome()
        .await
        .unwrap();
    assert_eq!(outcome.unprocessed.len(), 6);
    assert_eq!(db.scan::<Event>().count().await.unwrap(), 19);
    let error = db.batch_write().put_all(&events(25)).await.unwrap_err();
    assert!(error.is_unprocessed(), "{error}");
    match error.kind() {
        ErrorKind::Unprocessed { writes, .. } => assert_eq!(writes.len(), 6),
        other => panic!("{other:?}"),
    }
    let keys: Vec<String> = (0..25).map(|n| format!("e{n:04}")).collect();
    let outcome = db.batch_get::<Event>(&keys).outcome().await.unwrap();
    assert_eq!(outcome.items.len() + outcome.unprocessed_keys.len(), 25);
    assert_eq!(outcome.unprocessed_keys.len(), 6);
}

#[tokio::test]
async fn a_transaction_retried_after_conflicts_commits_once_with_one_token() {
    let flaky = std::sync::Arc::new(Flaky {
        conflicts: AtomicUsize::new(3),
        ..Flaky::default()
    });
    let db = Dynamo::with_backend(flaky.clone()).with_retry(fast_retries(5));
    db.create_table::<Event>().await.unwrap();
    db.put(&Event {
        id: "counter".into(),
        n: 0,
    })
    .await
    .unwrap();
    let f = Event::fields();
    db.transact_write()
        .update::<Event>("counter", |u| u.increment(&f.n, 1))
        .put(&Event {
            id: "log".into(),
            n: 1,
        })
        .await
        .unwrap();
    assert_eq!(
        db.get::<Event>("counter").await.unwrap().unwrap().n,
        1,
        "applied once"
    );
    let tokens = flaky.tokens.lock().unwrap().clone();
    assert_eq!(tokens.len(), 4, "three conflicts, then the commit");
    assert!(
        tokens.iter().all(|t| t == &tokens[0] && !t.is_empty()),
        "one token for every attempt: {tokens:?}"
    );

    // Past the budget, the cancellation is returned; a failed condition is never retried.
    flaky.conflicts.store(10, Ordering::SeqCst);
    let error = db
        .transact_write()
        .update::<Event>("counter", |u| u.increment(&f.n, 1))
        .await
        .unwrap_err();
    assert!(
        error.reasons().iter().any(|r| r.is_transaction_conflict()),
        "{error}"
    );
    assert_eq!(db.get::<Event>("counter").await.unwrap().unwrap().n, 1);
}

#[tokio::test]
async fn a_transaction_with_a_failed_condition_is_not_retried_even_beside_a_conflict() {
    let flaky = std::sync::Arc::new(Flaky {
        conflicts: AtomicUsize::new(3),
        with_failed_condition: true.into(),
        ..Flaky::default()
    });
    let db = Dynamo::with_backend(flaky.clone()).with_retry(fast_retries(5));
    db.create_table::<Event>().await.unwrap();
    let f = Event::fields();
    let error = db
        .transact_write()
        .update::<Event>("counter", |u| u.increment(&f.n, 1))
        .put(&Event {
            id: "log".into(),
            n: 1,
        })
        .await
        .unwrap_err();
    let codes: Vec<&str> = error.reasons().iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["TransactionConflict", "ConditionalCheckFailed"]);
    assert_eq!(
        flaky.tokens.lock().unwrap().len(),
        1,
        "a cancellation with a failed condition is returned, not retried"
    );
    assert_eq!(flaky.conflicts.load(Ordering::SeqCst), 2);
    assert_eq!(
        db.scan::<Event>().count().await.unwrap(),
        0,
        "nothing applied"
    );
}
