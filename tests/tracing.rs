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
/// `values`: the subscriber enables the values target and the client opts in.
fn traced(values: bool, work: impl FnOnce(&Dynamo)) -> Seen {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let recorder = Recorder::new(Arc::clone(&seen), values);
    let db = Dynamo::memory().unwrap();
    db.trace_values(values);
    tracing::subscriber::with_default(recorder, || work(&db));
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

/// Each request ends with an event a plain `fmt()` subscriber shows: DEBUG when done,
/// with the latency to a tenth of a millisecond; a failed condition at DEBUG too; ERROR
/// for a failure.
#[test]
fn every_request_ends_with_an_event_at_a_level_that_says_how_it_went() {
    let seen = traced(false, |db| {
        db.get::<Secret>("s1").wait().unwrap_err();
        db.create_table::<Secret>().wait().unwrap();
        db.put(&secret()).wait().unwrap();
        db.put(&secret())
            .condition(Secret::fields().id.not_exists())
            .wait()
            .unwrap_err();
    });
    let ends: Vec<(&str, &str, &str)> = seen
        .events
        .iter()
        .filter(|(_, f)| f.get("message").is_some_and(|m| m.starts_with("dynamodb")))
        .map(|(_, f)| {
            (
                f["level"].as_str(),
                f["operation"].as_str(),
                f["message"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        ends.first(),
        Some(&("ERROR", "GetItem", "dynamodb request failed"))
    );
    assert_eq!(
        ends.last(),
        Some(&("DEBUG", "PutItem", "dynamodb condition failed"))
    );
    assert!(
        ends.contains(&("DEBUG", "PutItem", "dynamodb request")),
        "{ends:?}"
    );
    for (_, fields) in &seen.events {
        if let Some(latency) = fields.get("latency_ms") {
            let tenths = latency.split_once('.').map_or(0, |(_, d)| d.len());
            assert!(tenths <= 1, "{latency}");
            assert_eq!(fields["table"], "secrets");
        }
    }
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
    // A subscriber that enables everything (`RUST_LOG=trace`) still sees no value unless
    // the client opted in.
    let seen = Arc::new(Mutex::new(Seen::default()));
    let everything = Recorder::new(Arc::clone(&seen), true);
    tracing::subscriber::with_default(everything, || work(&Dynamo::memory().unwrap()));
    let everything = seen.lock().unwrap().everything();
    assert!(!everything.contains("hunter2"), "{everything}");
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
    let levels: Vec<&str> = seen
        .events
        .iter()
        .filter(|(_, fields)| fields.get("message").is_some_and(|m| m == "retry"))
        .map(|(_, fields)| fields["level"].as_str())
        .collect();
    assert_eq!(levels, ["WARN"; 3]);
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

#[test]
fn credentials_and_values_never_reach_logs_or_debug_output() {
    const ACCESS_KEY: &str = "AKIDEXAMPLELEAKCHECK";
    const SECRET_KEY: &str = "wJalrXUtnFEMI-secret-key-leak-check";
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::Credentials::new(
            ACCESS_KEY,
            SECRET_KEY,
            None,
            None,
            "leak-check",
        ))
        .endpoint_url(dynamo_model_tests::endpoint())
        .build();
    let client = dynamo_model::Dynamo::new(aws_sdk_dynamodb::Client::from_conf(config))
        .with_table_prefix(dynamo_model_tests::unique_prefix());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let recorder = Recorder::new(Arc::clone(&seen), false);
    let mut debug_output = Vec::new();
    tracing::subscriber::with_default(recorder, || {
        let db = Dynamo::from_async(client).unwrap();
        debug_output.push(format!("{db:?}"));
        db.create_table::<Secret>().wait().unwrap();
        db.put(&secret()).wait().unwrap();
        db.get::<Secret>("s1").wait().unwrap();
        let failed = db
            .put(&secret())
            .condition(Secret::fields().value.ne("hunter2-do-not-log"))
            .return_item_on_condition_failure()
            .wait()
            .unwrap_err();
        assert!(
            failed.current_item().is_some(),
            "the value is there to read"
        );
        debug_output.push(format!("{failed:?} {failed}"));
        let batch = db
            .batch_write()
            .put(&secret())
            .put(&secret())
            .wait()
            .unwrap_err();
        debug_output.push(format!("{batch:?}"));
    });
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    // Everything recorded, our spans and events and the SDK's own at every level: the
    // secret key nowhere (the SDK redacts it too).
    let logged = seen.everything();
    assert!(logged.contains("PutItem"), "the recorder saw the requests");
    assert!(!logged.contains(SECRET_KEY), "secret key in {logged}");
    // Item values in none of our output. (The SDK's own TRACE events print response
    // bodies, values included: the README says to keep `aws_smithy_runtime` below TRACE.)
    let ours: Vec<String> = seen
        .events
        .iter()
        .filter(|(target, _)| target.starts_with("dynamo_model"))
        .map(|event| format!("{event:?}"))
        .chain([format!("{:?}", seen.spans)])
        .collect();
    assert!(ours.iter().any(|text| text.contains("dynamodb")));
    for text in debug_output.iter().chain(&ours) {
        assert!(!text.contains(SECRET_KEY), "secret key in {text}");
        assert!(!text.contains("hunter2"), "item value in {text}");
    }
}

/// The memory backend's `Debug` names its tables and counts their items, and prints no
/// stored value.
#[test]
fn the_memory_backend_debug_prints_no_stored_value() {
    let db = Dynamo::memory().unwrap();
    db.create_table::<Secret>().wait().unwrap();
    db.put(&secret()).wait().unwrap();
    let printed = format!("{db:?} {:?}", db.backend());
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(printed.contains("\"secrets\": 1 items"), "{printed}");
}
