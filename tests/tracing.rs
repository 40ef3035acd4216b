//! The `tracing` feature: one `dynamodb` span per request with operation, table, latency,
//! consumed capacity and error, and no item value unless the values target is enabled.

use std::sync::{Arc, Mutex};

use dynamo_model::blocking::{Dynamo, Wait};
use dynamo_model::DynamoModel;
use dynamo_model_tests::flaky::Flaky;
use dynamo_model_tests::recorder::{Recorder, Seen};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "secrets", hash_key = "id")]
struct Secret {
    id: String,
    value: String,
}

/// Runs `work` on a blocking client (same thread, so the thread's subscriber sees it).
fn traced(values: bool, work: impl FnOnce(&Dynamo)) -> Seen {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let recorder = Recorder::new(Arc::clone(&seen), values);
    tracing::subscriber::with_default(recorder, || work(&Dynamo::memory().unwrap()));
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    seen
}

fn secret() -> Secret {
    Secret {
        id: "s1".into(),
        value: "hunter2-do-not-log".into(),
    }
}

#[test]
fn every_request_has_a_span_with_table_latency_and_capacity() {
    let seen = traced(false, |db| {
        db.create_table::<Secret>().wait().unwrap();
        db.put(&secret()).wait().unwrap();
        db.get::<Secret>("s1").wait().unwrap();
    });
    let spans = seen.spans_named("dynamodb");
    let operations: Vec<&str> = spans.iter().map(|f| f["db.operation"].as_str()).collect();
    assert!(operations.starts_with(&["CreateTable"]), "{operations:?}");
    assert!(
        operations.ends_with(&["PutItem", "GetItem"]),
        "{operations:?}"
    );
    for fields in &spans {
        assert_eq!(fields["table"], "secrets");
        let latency: f64 = fields["latency_ms"].parse().unwrap();
        assert!(latency >= 0.0);
    }
    let put = spans
        .iter()
        .find(|f| f["db.operation"] == "PutItem")
        .unwrap();
    assert_eq!(put["consumed_capacity"], "1.0");
}

#[test]
fn errors_are_recorded_on_the_span() {
    let seen = traced(false, |db| {
        db.get::<Secret>("s1").wait().unwrap_err();
    });
    let spans = seen.spans_named("dynamodb");
    assert_eq!(spans.len(), 1);
    assert!(
        spans[0]["error"].contains("non-existent table"),
        "{:?}",
        spans[0]
    );
}

#[test]
fn item_values_are_never_traced_unless_the_values_target_is_enabled() {
    let work = |db: &Dynamo| {
        db.create_table::<Secret>().wait().unwrap();
        db.put(&secret()).wait().unwrap();
        db.get::<Secret>("s1").wait().unwrap();
        db.batch_write().put_all(&[secret()]).wait().unwrap();
    };
    let redacted = traced(false, work);
    assert!(
        !redacted.everything().contains("hunter2"),
        "{}",
        redacted.everything()
    );
    let opted_in = traced(true, work);
    let requests: Vec<_> = opted_in
        .events
        .iter()
        .filter(|(target, _)| target == dynamo_model::backend::VALUES_TARGET)
        .collect();
    assert!(requests
        .iter()
        .any(|(_, f)| f["request"].contains("hunter2")));
}

/// With the `tracing` feature, each batch chunk runs in a `dynamo_model` span counting its
/// retries, and each backoff is a `retry` event.
#[tokio::test]
async fn retries_are_counted_on_the_operation_span() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let recorder = Recorder::new(seen.clone(), false);
    let _guard = tracing::subscriber::set_default(recorder);
    let db = dynamo_model::Dynamo::with_backend(Flaky::default()).with_retry(
        dynamo_model::RetryPolicy {
            max_retries: 10,
            base_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(5),
        },
    );
    db.create_table::<Secret>().await.unwrap();
    // 8 writes, half of them processed per request: 4, 2, then 1 left over, then none.
    db.batch_write().put_all(&eight_secrets()).await.unwrap();
    let seen = seen.lock().unwrap();
    let spans = seen.spans_named("dynamo_model");
    assert_eq!(spans.len(), 1, "{}", seen.everything());
    assert_eq!(spans[0]["operation"], "BatchWriteItem");
    let retries: Vec<&str> = seen
        .events
        .iter()
        .filter(|(_, fields)| fields.get("message").is_some_and(|m| m == "retry"))
        .map(|(_, fields)| fields["pending"].as_str())
        .collect();
    assert_eq!(retries, ["4", "2", "1"]);
    assert_eq!(spans[0]["retries"], "3");
}

fn eight_secrets() -> Vec<Secret> {
    (0..8)
        .map(|n| Secret {
            id: format!("s{n}"),
            value: String::new(),
        })
        .collect()
}
