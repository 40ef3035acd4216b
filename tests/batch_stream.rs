//! Batches from iterators and streams (`batch_put`, `batch_put_stream`) on both backends:
//! items encoded as they are sent, at the concurrency asked for, every write not done
//! returned, and reading stopped by an error that retrying cannot fix.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo_model::{DynamoModel, ErrorKind};
use dynamo_model_tests::conformance;
use futures_util::stream::{self, StreamExt, TryStreamExt};

fn short(label: &str) -> Result<(), String> {
    if label.len() > 10 {
        Err("a label has at most 10 characters".into())
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "streamed_events", hash_key = "id")]
struct Event {
    id: String,
    #[dynamo(validate = "short")]
    label: String,
    n: u32,
}

fn event(n: u32) -> Event {
    Event {
        id: format!("e{n:05}"),
        label: format!("l{n}"),
        n,
    }
}

/// A model whose hooks count saves (in a field the items share) and refuse one item.
#[derive(Debug, Clone, DynamoModel)]
#[dynamo(table = "streamed_hooked", hash_key = "id", hooks)]
struct Hooked {
    id: String,
    #[dynamo(skip)]
    saved: Arc<AtomicUsize>,
}

impl dynamo_model::Hooks for Hooked {
    fn before_save(&self) -> dynamo_model::Result<()> {
        if self.id == "h13" {
            return Err(dynamo_model::Error::invalid_request(
                "Hooked",
                "h13 is not saved",
            ));
        }
        Ok(())
    }

    fn after_save(&self) {
        self.saved.fetch_add(1, Ordering::Relaxed);
    }
}

conformance! {
    async fn hooks_run_for_streamed_items_unless_skipped(db: Dynamo) {
        db.create_table::<Hooked>().await.unwrap();
        let saved = Arc::new(AtomicUsize::new(0));
        let items = |saved: &Arc<AtomicUsize>| {
            let saved = Arc::clone(saved);
            (0..60).map(move |n| Hooked { id: format!("h{n}"), saved: Arc::clone(&saved) })
        };
        let outcome = db.batch_put(items(&saved)).outcome().await.unwrap();
        assert_eq!(outcome.written, 59);
        assert_eq!(outcome.refused.iter().map(|r| r.position).collect::<Vec<_>>(), [14]);
        assert_eq!(saved.load(Ordering::Relaxed), 59, "after_save once per item written");

        let skipped = Arc::new(AtomicUsize::new(0));
        let written = db.batch_put(items(&skipped)).skip_hooks().await.unwrap();
        assert_eq!(written, 60, "without hooks, h13 is saved too");
        assert_eq!(skipped.load(Ordering::Relaxed), 0);
    }

    async fn an_iterator_is_written_at_any_concurrency(db: Dynamo) {
        db.create_table::<Event>().await.unwrap();
        let written = db.batch_put((0..600).map(event)).concurrency(1).await.unwrap();
        assert_eq!(written, 600);
        let written = db.batch_put((600..1000).map(event)).concurrency(16).await.unwrap();
        assert_eq!(written, 400);
        assert_eq!(db.scan::<Event>().count().await.unwrap(), 1000);
        assert_eq!(db.get::<Event>("e00999").await.unwrap(), Some(event(999)));

        // The batch builders take a concurrency too; 0 is refused before sending.
        let items: Vec<Event> = (1000..1100).map(event).collect();
        db.batch_write().put_all(&items).concurrency(1).await.unwrap();
        let keys: Vec<String> = (1000..1100).map(|n| format!("e{n:05}")).collect();
        let read = db.batch_get::<Event>(keys.iter().map(String::as_str)).concurrency(2).await.unwrap();
        assert_eq!(read.len(), 100);
        let refused = db.batch_put((2000..2010).map(event)).concurrency(0).await.unwrap_err();
        assert!(refused.is_invalid_request(), "{refused}");
        assert!(db.get::<Event>("e02000").await.unwrap().is_none(), "nothing was written");
    }

    async fn a_stream_is_read_as_it_is_written(db: Dynamo) {
        db.create_table::<Event>().await.unwrap();
        // Items made as the batch asks for them.
        let made = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&made);
        let items = stream::iter(0..300).then(move |n| {
            counter.fetch_add(1, Ordering::Relaxed);
            async move { event(n) }
        });
        let outcome = db.batch_put_stream(items).concurrency(3).outcome().await.unwrap();
        assert_eq!(outcome.written, 300);
        assert!(outcome.unprocessed.is_empty() && outcome.refused.is_empty());
        assert_eq!(made.load(Ordering::Relaxed), 300);
        assert_eq!(db.scan::<Event>().count().await.unwrap(), 300);
    }

    async fn refused_items_come_back_and_the_others_are_written(db: Dynamo) {
        db.create_table::<Event>().await.unwrap();
        let mut items: Vec<Event> = (0..60).map(event).collect();
        items[10].label = "far too long a label".into();
        items[20] = event(19); // the same key as item 20's neighbour, in one request
        let outcome = db.batch_put(items.clone()).outcome().await.unwrap();
        assert_eq!(outcome.written, 58);
        let positions: Vec<usize> = outcome.refused.iter().map(|r| r.position).collect();
        assert_eq!(positions, [11, 21]);
        assert!(outcome.refused[0].error.to_string().contains("label: a label has at most 10 characters"));
        assert!(outcome.refused[1].error.to_string().contains("the same item"));

        // Awaited, the refusal is an error that says what was written and lists each item.
        let error = db.batch_put(items).await.unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::StreamRefused { written: 58, .. }), "{error:?}");
        assert_eq!(error.refused_writes().len(), 2);
        assert!(error.to_string().starts_with("BatchWriteItem: 2 writes refused before sending, 58 other writes done"), "{error}");
    }

    async fn keys_from_a_stream_are_read_as_they_come(db: Dynamo) {
        db.create_table::<Event>().await.unwrap();
        db.batch_put((0..250).map(event)).await.unwrap();
        // 300 keys, 50 of them absent, each of the first ten twice.
        let keys = (0..300).chain(0..10).map(|n| format!("e{n:05}"));
        for concurrency in [1, 8] {
            let mut found: Vec<Event> = db
                .batch_get_stream::<Event>(stream::iter(keys.clone()))
                .concurrency(concurrency)
                .stream()
                .try_collect()
                .await
                .unwrap();
            found.sort_by_key(|e| e.n);
            found.dedup();
            assert_eq!(found.len(), 250, "at concurrency {concurrency}");
            assert_eq!(found[249], event(249));
        }
        // A key that cannot be one is an error item of the stream; the others are read.
        let results: Vec<_> = db
            .batch_get_stream::<Event>(stream::iter(["e00001".to_owned(), String::new(), "e00002".to_owned()]))
            .stream()
            .collect()
            .await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
        let bad = results.iter().find_map(|r| r.as_ref().err()).expect("the empty key is refused");
        assert!(bad.is_invalid_request(), "{bad}");

        // An item that does not decode is an error item; the others of its request come.
        let broken: std::collections::HashMap<String, AttributeValue> = [
            ("id", AttributeValue::S("e00003".into())),
            ("label", AttributeValue::N("3".into())),
            ("n", AttributeValue::N("3".into())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        dynamo_model_tests::put_raw::<Event>(&db, broken).await;
        let keys = ["e00002", "e00003", "e00004"].map(str::to_owned);
        let results: Vec<_> = db.batch_get_stream::<Event>(stream::iter(keys)).stream().collect().await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
        let undecodable = results.iter().find_map(|r| r.as_ref().err()).expect("e00003 does not decode");
        assert!(undecodable.to_string().contains("label: expected S, found N"), "{undecodable}");
    }

    async fn an_error_retrying_cannot_fix_stops_reading_keys(db: Dynamo) {
        let read = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&read);
        let keys = stream::iter(0..10_000).map(move |n| {
            counter.fetch_add(1, Ordering::Relaxed);
            format!("e{n:05}")
        });
        let results: Vec<_> = db.batch_get_stream::<Event>(keys).concurrency(2).stream().collect().await;
        assert!(results.iter().all(|r| r.is_err()), "no table: nothing is read");
        let read = read.load(Ordering::Relaxed);
        assert!(read < 2_000, "stopped after the requests in flight, read {read}");
    }

    async fn an_error_retrying_cannot_fix_stops_reading(db: Dynamo) {
        // No table: every request fails the same way, so the batch stops reading.
        let read = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&read);
        let items = (0..10_000).map(move |n| {
            counter.fetch_add(1, Ordering::Relaxed);
            let mut item = event(n);
            if n == 0 {
                item.label = "far too long a label".into();
            }
            item
        });
        let error = db.batch_put(items).concurrency(2).outcome().await.unwrap_err();
        let ErrorKind::Unprocessed { writes, .. } = error.kind() else { panic!("{error:?}") };
        assert!(!writes.is_empty(), "the writes in flight come back");
        // And the item refused before the stop, with its position: nothing is lost.
        let refused: Vec<usize> = error.refused_writes().iter().map(|r| r.position).collect();
        assert_eq!(refused, [1], "{error}");
        assert!(error.to_string().contains("1 write refused before sending"), "{error}");
        let read = read.load(Ordering::Relaxed);
        assert!(read < 1_000, "stopped after the requests in flight, read {read}");
    }
}
