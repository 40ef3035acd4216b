//! The `tracing` feature: one `dynamodb` span per request with operation, table, latency,
//! consumed capacity and error, and no item value unless the values target is enabled.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use dynamo_model::blocking::{Dynamo, Wait};
use dynamo_model::DynamoModel;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "secrets", hash_key = "id")]
struct Secret {
    id: String,
    value: String,
}

/// What the subscriber saw: each span's name and fields, and each event's target and fields.
#[derive(Debug, Default)]
struct Seen {
    spans: BTreeMap<u64, (String, BTreeMap<String, String>)>,
    events: Vec<(String, BTreeMap<String, String>)>,
}

impl Seen {
    fn spans_named(&self, name: &str) -> Vec<&BTreeMap<String, String>> {
        self.spans
            .values()
            .filter(|(n, _)| n == name)
            .map(|(_, f)| f)
            .collect()
    }

    fn everything(&self) -> String {
        format!("{:?} {:?}", self.spans, self.events)
    }
}

/// A subscriber that records everything, with the values target on or off.
struct Recorder {
    seen: Arc<Mutex<Seen>>,
    next: AtomicU64,
    values: bool,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.values || metadata.target() != dynamo_model::backend::VALUES_TARGET
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = BTreeMap::new();
        attributes.record(&mut Fields(&mut fields));
        let name = attributes.metadata().name().to_owned();
        self.seen.lock().unwrap().spans.insert(id, (name, fields));
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some((_, fields)) = self.seen.lock().unwrap().spans.get_mut(&span.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let target = event.metadata().target().to_owned();
        self.seen.lock().unwrap().events.push((target, fields));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Runs `work` on a blocking client (same thread, so the thread's subscriber sees it).
fn traced(values: bool, work: impl FnOnce(&Dynamo)) -> Seen {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let recorder = Recorder {
        seen: Arc::clone(&seen),
        next: AtomicU64::new(0),
        values,
    };
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
