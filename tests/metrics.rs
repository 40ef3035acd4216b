//! What operations cost: `.measured()` on each operation kind, the client's totals per
//! table and model, and the `metrics` facade's counters and histograms, read back through
//! a recording recorder, on both backends.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use dynamo_model::{Dynamo, DynamoModel, Measure};
use dynamo_model_tests::conformance;
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "metered_readings", hash_key = "sensor", range_key = "at")]
struct Reading {
    sensor: String,
    at: u32,
    value: f64,
}

fn reading(sensor: &str, at: u32) -> Reading {
    Reading {
        sensor: sensor.into(),
        at,
        value: f64::from(at) / 2.0,
    }
}

/// A counter or a histogram of the recording recorder.
#[derive(Debug, Default)]
struct Recorded {
    count: AtomicU64,
    values: Mutex<Vec<f64>>,
}

impl metrics::CounterFn for Recorded {
    fn increment(&self, value: u64) {
        self.count.fetch_add(value, Ordering::Relaxed);
    }
    fn absolute(&self, value: u64) {
        self.count.store(value, Ordering::Relaxed);
    }
}

impl metrics::HistogramFn for Recorded {
    fn record(&self, value: f64) {
        self.values.lock().unwrap().push(value);
    }
}

/// Every counter and histogram, by name and labels (`name{k=v,..}`, labels sorted).
#[derive(Debug, Default)]
struct Recording {
    series: Mutex<BTreeMap<String, Arc<Recorded>>>,
}

impl Recording {
    fn series(&self, key: &Key) -> Arc<Recorded> {
        let mut labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        labels.sort();
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        Arc::clone(self.series.lock().unwrap().entry(name).or_default())
    }

    /// A counter's value (0 when never recorded).
    fn counter(&self, name: &str) -> u64 {
        self.series
            .lock()
            .unwrap()
            .get(name)
            .map_or(0, |s| s.count.load(Ordering::Relaxed))
    }

    /// A histogram's values.
    fn histogram(&self, name: &str) -> Vec<f64> {
        self.series
            .lock()
            .unwrap()
            .get(name)
            .map_or_else(Vec::new, |s| s.values.lock().unwrap().clone())
    }
}

#[derive(Debug)]
struct RecordingRecorder(Arc<Recording>);

impl Recorder for RecordingRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.0.series(key))
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.0.series(key))
    }
}

/// The process's recorder, installed by the first test that asks.
fn recording() -> &'static Recording {
    static RECORDING: OnceLock<Arc<Recording>> = OnceLock::new();
    RECORDING.get_or_init(|| {
        let recording = Arc::new(Recording::default());
        metrics::set_global_recorder(RecordingRecorder(Arc::clone(&recording)))
            .expect("no other recorder");
        recording
    })
}

conformance! {
    async fn each_operation_kind_reports_what_it_cost(db: Dynamo) {
        db.create_table::<Reading>().await.unwrap();

        let (written, put) = db.put(&reading("s1", 1)).measured().await;
        written.unwrap();
        assert_eq!((put.items_written, put.items_read, put.requests), (1, 0, 1));
        assert!(put.write_units > 0.0, "{put:?}");
        assert!(put.latency > std::time::Duration::ZERO);

        let (found, get) = db.get::<Reading>(("s1", 1)).measured().await;
        assert!(found.unwrap().is_some());
        assert_eq!((get.items_read, get.items_written, get.requests), (1, 0, 1));
        assert!(get.read_units > 0.0, "{get:?}");
        let (missing, get) = db.get::<Reading>(("s1", 2)).measured().await;
        assert!(missing.unwrap().is_none());
        assert_eq!(get.items_read, 0);

        let readings: Vec<Reading> = (0..60).map(|n| reading("s2", n)).collect();
        let (batch, batched) = db.batch_write().put_all(&readings).measured().await;
        batch.unwrap();
        assert_eq!((batched.items_written, batched.requests, batched.retries), (60, 3, 0));

        let (all, queried) = db.query::<Reading>("s2").page_size(25).measured().await;
        assert_eq!(all.unwrap().len(), 60);
        assert_eq!((queried.items_read, queried.requests), (60, 3));
        assert!(queried.read_units > 0.0);

        let f = Reading::fields();
        let (transaction, transacted) = db
            .transact_write()
            .put(&reading("s3", 1))
            .update::<Reading>(("s1", 1), |u| u.set(&f.value, 9.0))
            .condition_check::<Reading>(("s2", 0), f.value.ge(0.0))
            .measured()
            .await;
        transaction.unwrap();
        assert_eq!((transacted.items_written, transacted.requests), (2, 1));

        let (refused, failed) = db
            .put(&reading("s1", 1))
            .condition(f.sensor.not_exists())
            .measured()
            .await;
        assert!(refused.unwrap_err().is_conditional_check_failed());
        assert_eq!((failed.requests, failed.failed_requests, failed.items_written), (1, 1, 0));

        let (scanned, scan) = db.scan::<Reading>().measured().await;
        assert_eq!(scanned.unwrap().len(), 62);
        assert_eq!(scan.items_read, 62);
    }

    async fn totals_add_up_per_table_operation_and_model(db: Dynamo) {
        db.create_table::<Reading>().await.unwrap();
        db.reset_metrics();
        db.measure_capacity(true);
        for n in 0..3 {
            db.put(&reading("s1", n)).await.unwrap();
        }
        let _ = db.get::<Reading>(("s1", 0)).await.unwrap();
        let clone = db.clone();
        clone.delete_by_key::<Reading>(("s1", 2)).await.unwrap();

        let table = db.table_name::<Reading>();
        let totals = db.metrics();
        let puts = totals.of(&table, "PutItem");
        assert_eq!((puts.requests, puts.items_written), (3, 3));
        assert!(puts.write_units >= 3.0, "{puts:?}");
        assert_eq!(totals.operation("GetItem").items_read, 1);
        assert_eq!(totals.operation("DeleteItem").items_written, 1);
        let model = db.metrics_of::<Reading>();
        assert_eq!((model.requests, model.items_written, model.items_read), (5, 4, 1));
        assert_eq!(totals.table(&table), model);

        db.reset_metrics();
        assert_eq!(db.metrics().all().requests, 0);
        db.put(&reading("s1", 9)).await.unwrap();
        assert_eq!(db.metrics_of::<Reading>().requests, 1);
    }

    async fn the_metrics_facade_counts_requests_by_operation_table_and_outcome(db: Dynamo) {
        let recording = recording();
        // Labels carry the table, unique to this test.
        let db = db.with_table_prefix(dynamo_model_tests::unique_prefix());
        db.measure_capacity(true);
        db.create_table::<Reading>().await.unwrap();
        let table = db.table_name::<Reading>();
        let f = Reading::fields();
        db.put(&reading("s1", 1)).await.unwrap();
        db.put(&reading("s1", 2)).await.unwrap();
        let _ = db.put(&reading("s1", 1)).condition(f.sensor.not_exists()).await.unwrap_err();
        let _ = db.get::<Reading>(("s1", 1)).await.unwrap();
        let readings: Vec<Reading> = (10..40).map(|n| reading("s1", n)).collect();
        db.batch_write().put_all(&readings).await.unwrap();
        let _ = db.query::<Reading>("s1").await.unwrap();
        db.update::<Reading>(("s1", 10)).set(&f.value, 3.0).await.unwrap();
        db.delete_by_key::<Reading>(("s1", 11)).await.unwrap();
        assert_eq!(db.scan::<Reading>().await.unwrap().len(), 31);
        let found = db.batch_get::<Reading>([("s1", 1), ("s1", 12), ("s1", 99)]).await.unwrap();
        assert_eq!(found.len(), 2);
        db.transact_write().put(&reading("s2", 1)).await.unwrap();
        let canceled = db
            .transact_write()
            .put(&reading("s2", 2))
            .condition_check::<Reading>(("s1", 1), f.value.lt(0.0))
            .await
            .unwrap_err();
        assert!(canceled.is_transaction_canceled(), "{canceled}");
        let (got,) = db.transact_get().get::<Reading>(("s2", 1)).await.unwrap();
        assert!(got.is_some());
        let statements = db.statements::<Reading>();
        let selected = db.execute::<Reading>(statements.select().filter(f.sensor.eq("s2"))).await.unwrap();
        assert_eq!(selected.items.len(), 1);
        let missing = db.with_table_prefix(dynamo_model_tests::unique_prefix());
        let error = missing.get::<Reading>(("s1", 1)).await.unwrap_err();
        assert!(matches!(error.kind(), dynamo_model::ErrorKind::ResourceNotFound { .. }), "{error}");

        let labels = |operation: &str| format!("operation={operation},table={table}");
        let requests = |operation: &str, outcome: &str| {
            recording.counter(&format!(
                "dynamodb_requests_total{{operation={operation},outcome={outcome},table={table}}}"
            ))
        };
        assert_eq!(requests("PutItem", "ok"), 2);
        assert_eq!(requests("PutItem", "condition_failed"), 1);
        assert_eq!(requests("GetItem", "ok"), 1);
        assert_eq!(requests("BatchWriteItem", "ok"), 2);
        assert_eq!(requests("Query", "ok"), 1);
        assert_eq!(requests("CreateTable", "ok"), 1);
        assert_eq!(requests("UpdateItem", "ok"), 1);
        assert_eq!(requests("DeleteItem", "ok"), 1);
        assert_eq!(requests("Scan", "ok"), 1);
        assert_eq!(requests("BatchGetItem", "ok"), 1);
        assert_eq!(requests("TransactWriteItems", "ok"), 1);
        assert_eq!(requests("TransactWriteItems", "transaction_canceled"), 1);
        assert_eq!(requests("TransactGetItems", "ok"), 1);
        assert_eq!(requests("ExecuteStatement", "ok"), 1);
        let missing_table = missing.table_name::<Reading>();
        assert_eq!(
            recording.counter(&format!(
                "dynamodb_requests_total{{operation=GetItem,outcome=not_found,table={missing_table}}}"
            )),
            1
        );
        let durations = recording.histogram(&format!(
            "dynamodb_request_duration_seconds{{operation=PutItem,outcome=ok,table={table}}}"
        ));
        assert_eq!(durations.len(), 2);
        assert!(durations.iter().all(|d| *d > 0.0));
        let counter = |name: &str, operation: &str| {
            recording.counter(&format!("{name}{{{}}}", labels(operation)))
        };
        assert_eq!(counter("dynamodb_items_written_total", "PutItem"), 2);
        assert_eq!(counter("dynamodb_items_written_total", "BatchWriteItem"), 30);
        assert_eq!(counter("dynamodb_items_read_total", "GetItem"), 1);
        assert_eq!(counter("dynamodb_items_read_total", "Query"), 32);
        assert_eq!(counter("dynamodb_items_written_total", "UpdateItem"), 1);
        assert_eq!(counter("dynamodb_items_written_total", "DeleteItem"), 1);
        assert_eq!(counter("dynamodb_items_read_total", "Scan"), 31);
        assert_eq!(counter("dynamodb_items_read_total", "BatchGetItem"), 2);
        assert_eq!(counter("dynamodb_items_written_total", "TransactWriteItems"), 1);
        assert_eq!(counter("dynamodb_items_read_total", "TransactGetItems"), 1);
        assert_eq!(counter("dynamodb_items_read_total", "ExecuteStatement"), 1);
        let units = recording.histogram(&format!("dynamodb_consumed_write_units{{{}}}", labels("PutItem")));
        assert_eq!(units.len(), 2, "a failed condition reports no capacity here");
        assert!(units.iter().all(|u| *u >= 1.0));
    }
}

#[tokio::test]
async fn retries_of_unprocessed_items_and_conflicts_are_counted() {
    use dynamo_model::RetryPolicy;
    use dynamo_model_tests::flaky::Flaky;

    let backend = Arc::new(Flaky::default());
    let db = Dynamo::with_backend(Arc::clone(&backend)).with_retry(RetryPolicy {
        base_delay: std::time::Duration::from_millis(1),
        ..RetryPolicy::default()
    });
    db.create_table::<Reading>().await.unwrap();
    let readings: Vec<Reading> = (0..20).map(|n| reading("s1", n)).collect();
    // Each request processes half of what it sends: 20 → 10 → 5 → 3 → 2 → 1 → 0.
    let (written, batch) = db.batch_write().put_all(&readings).measured().await;
    written.unwrap();
    assert_eq!(
        (batch.items_written, batch.requests, batch.retries),
        (20, 5, 4)
    );

    backend.conflicts.store(2, Ordering::SeqCst);
    let (done, transaction) = db.transact_write().put(&reading("s2", 1)).measured().await;
    done.unwrap();
    assert_eq!(
        (
            transaction.requests,
            transaction.failed_requests,
            transaction.retries,
            transaction.items_written
        ),
        (3, 2, 2, 1)
    );
}
