//! Change streams: typed changes read from DynamoDB Streams (on DynamoDB Local) and from the
//! memory backend's feed, with the same assertions; resuming from checkpoints; every view
//! type; shard splits through a scripted source; TTL expiry on the memory backend.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use dynamo_model::backend::changes::{
    ChangeSource, RecordKind, RecordPage, Shard, ShardStart, StreamRecord,
};
use dynamo_model::backend::{BackendFuture, MemoryBackend};
use dynamo_model::changes::{Change, ChangeEvent, ChangeKind, Checkpoint};
use dynamo_model::{AttributeValue, Dynamo, DynamoCollection, DynamoModel, ErrorKind};
use dynamo_model_tests::conformance;
use futures_util::{StreamExt, TryStreamExt};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "stream_orders",
    hash_key = "id",
    stream = "new_and_old_images",
    hooks
)]
struct Order {
    id: String,
    total: u32,
    note: String,
}

/// Notes are read back upper-cased: images go through `after_load`.
impl dynamo_model::Hooks for Order {
    fn after_load(&mut self) -> dynamo_model::Result<()> {
        self.note = self.note.to_uppercase();
        Ok(())
    }
}

fn order(id: &str, total: u32) -> Order {
    Order {
        id: id.into(),
        total,
        note: format!("order {id}"),
    }
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "stream_keys_only", hash_key = "id", stream = "keys_only")]
struct KeysOnly {
    id: String,
    total: u32,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "stream_new_image", hash_key = "id", stream = "new_image")]
struct NewImage {
    id: String,
    total: u32,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "stream_old_image", hash_key = "id", stream = "old_image")]
struct OldImage {
    id: String,
    total: u32,
}

/// A model with an encrypted attribute: its images are opened with the client's key.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "stream_secrets",
    hash_key = "id",
    stream = "new_and_old_images"
)]
struct Secret {
    id: String,
    #[dynamo(encrypt)]
    pin: String,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "stream_none", hash_key = "id")]
struct NoStream {
    id: String,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "stream_shop",
    pk = "USER#{user_id}",
    sk = "PROFILE",
    entity = "user",
    stream = "new_and_old_images"
)]
struct User {
    user_id: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "stream_shop",
    pk = "USER#{user_id}",
    sk = "CART#{sku}",
    entity = "cart_line",
    stream = "new_and_old_images"
)]
struct CartLine {
    user_id: String,
    sku: String,
    quantity: u32,
}

#[derive(Debug, Clone, PartialEq, DynamoCollection)]
enum Shop {
    User(User),
    Line(CartLine),
}

/// Every change the stream holds now.
async fn read_all<M>(db: &Dynamo) -> Vec<Change<M>>
where
    M: dynamo_model::Table + Send + 'static,
{
    db.changes::<M>()
        .poll_interval(Duration::from_millis(50))
        .until_caught_up()
        .stream()
        .try_collect()
        .await
        .expect("the stream is read")
}

/// `(kind, id, old total, new total)` of each change.
fn summary(changes: &[Change<Order>]) -> Vec<(ChangeKind, String, Option<u32>, Option<u32>)> {
    changes
        .iter()
        .map(|change| {
            let id = match change.keys().get("id") {
                Some(AttributeValue::S(id)) => id.clone(),
                other => panic!("a key `id`, not {other:?}"),
            };
            (
                change.kind(),
                id,
                change.old_image().ok().map(|o| o.total),
                change.new_image().ok().map(|o| o.total),
            )
        })
        .collect()
}

/// The changes of one item, in stream order.
fn of_item<'a>(
    all: &'a [(ChangeKind, String, Option<u32>, Option<u32>)],
    id: &str,
) -> Vec<&'a (ChangeKind, String, Option<u32>, Option<u32>)> {
    all.iter().filter(|(_, item, _, _)| item == id).collect()
}

conformance! {
    async fn every_write_arrives_once_in_order_with_both_images(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        db.put(&order("a", 1)).await.unwrap();
        db.put(&order("b", 10)).await.unwrap();
        db.update::<Order>("a").set(Order::fields().total, 2).await.unwrap();
        db.delete_by_key::<Order>("b").await.unwrap();
        db.put(&order("a", 3)).await.unwrap();
        db.transact_write()
            .put(&order("c", 30))
            .delete::<Order>("a")
            .await
            .unwrap();
        db.batch_write().put(&order("d", 40)).await.unwrap();

        let changes = read_all::<Order>(&db).await;
        let all = summary(&changes);
        assert_eq!(all.len(), 8, "one change per write: {all:?}");
        use ChangeKind::{Insert, Modify, Remove};
        let item = |id: &str| of_item(&all, id).into_iter().cloned().collect::<Vec<_>>();
        let s = |id: &str| id.to_owned();
        assert_eq!(
            item("a"),
            vec![
                (Insert, s("a"), None, Some(1)),
                (Modify, s("a"), Some(1), Some(2)),
                (Modify, s("a"), Some(2), Some(3)),
                (Remove, s("a"), Some(3), None),
            ]
        );
        assert_eq!(item("b"), vec![(Insert, s("b"), None, Some(10)), (Remove, s("b"), Some(10), None)]);
        assert_eq!(item("c"), vec![(Insert, s("c"), None, Some(30))]);
        assert_eq!(item("d"), vec![(Insert, s("d"), None, Some(40))]);

        let first = &changes[0];
        assert_eq!(first.new_image().unwrap().note, "ORDER A", "images run after_load");
        assert!(!first.is_expiry());
        assert_eq!(first.table(), db.table_name::<Order>());
        assert!(first.shard_id().is_some());
        assert!(!first.sequence_number().is_empty());
        let age = SystemTime::now().duration_since(first.created_at()).unwrap_or_default();
        assert!(age < Duration::from_secs(600), "created just now: {age:?}");
        let error = first.old_image().unwrap_err();
        assert!(error.is_missing_image());
        assert!(error.to_string().contains("an insert has no old image"), "{error}");

        let events: Vec<ChangeEvent<Order>> = changes
            .into_iter()
            .map(|change| change.into_event().unwrap())
            .collect();
        assert!(events.iter().any(|event| matches!(
            event,
            ChangeEvent::Remove { old, expired: false } if old.id == "b"
        )));
    }

    async fn resuming_from_a_checkpoint_delivers_nothing_twice_and_misses_nothing(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        for i in 0..5 {
            db.put(&order(&format!("o{i}"), i)).await.unwrap();
        }
        // Read two, stop, and keep the checkpoint as a service would (serialized).
        let mut first = db.changes::<Order>().until_caught_up().stream();
        let mut seen = Vec::new();
        for _ in 0..2 {
            seen.push(first.next().await.unwrap().unwrap().new_image().unwrap().total);
        }
        let stored = serde_json::to_string(&first.checkpoint()).unwrap();
        drop(first);
        for i in 5..8 {
            db.put(&order(&format!("o{i}"), i)).await.unwrap();
        }
        let checkpoint: Checkpoint = serde_json::from_str(&stored).unwrap();
        assert!(checkpoint.stream_arn().is_some());
        let mut second = db.changes::<Order>().resume(&checkpoint).until_caught_up().stream();
        while let Some(change) = second.next().await {
            seen.push(change.unwrap().new_image().unwrap().total);
        }
        assert_eq!(seen, (0..8).collect::<Vec<_>>(), "each write once, in order");

        // Resuming from the end delivers nothing until something new is written.
        let end = second.checkpoint();
        let rest: Vec<_> = db.changes::<Order>().resume(&end).until_caught_up().stream().collect().await;
        assert!(rest.is_empty(), "{rest:?}");
        db.update::<Order>("o0").set(Order::fields().total, 100).await.unwrap();
        let rest = db
            .changes::<Order>()
            .resume(&end)
            .until_caught_up()
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap();
        assert_eq!(summary(&rest), vec![(ChangeKind::Modify, "o0".to_owned(), Some(0), Some(100))]);
    }

    async fn a_checkpoint_advanced_per_handled_change_resumes_after_it(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        for i in 0..3 {
            db.put(&order(&format!("o{i}"), i)).await.unwrap();
        }
        let mut checkpoint = Checkpoint::default();
        let mut stream = db.changes::<Order>().until_caught_up().stream();
        let change = stream.next().await.unwrap().unwrap();
        checkpoint.advance(&change);
        // The second is delivered but not handled: the checkpoint does not pass it.
        let _unhandled = stream.next().await.unwrap().unwrap();
        drop(stream);
        let rest = db
            .changes::<Order>()
            .resume(&checkpoint)
            .until_caught_up()
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap();
        let totals: Vec<u32> = rest.iter().map(|c| c.new_image().unwrap().total).collect();
        assert_eq!(totals, vec![1, 2]);
    }

    async fn each_view_type_records_its_images(db: Dynamo) {
        db.create_table::<KeysOnly>().await.unwrap();
        db.create_table::<NewImage>().await.unwrap();
        db.create_table::<OldImage>().await.unwrap();
        db.put(&KeysOnly { id: "k".into(), total: 1 }).await.unwrap();
        db.put(&KeysOnly { id: "k".into(), total: 2 }).await.unwrap();
        db.delete_by_key::<KeysOnly>("k").await.unwrap();
        db.put(&NewImage { id: "n".into(), total: 1 }).await.unwrap();
        db.put(&NewImage { id: "n".into(), total: 2 }).await.unwrap();
        db.delete_by_key::<NewImage>("n").await.unwrap();
        db.put(&OldImage { id: "o".into(), total: 1 }).await.unwrap();
        db.put(&OldImage { id: "o".into(), total: 2 }).await.unwrap();
        db.delete_by_key::<OldImage>("o").await.unwrap();

        let keys = read_all::<KeysOnly>(&db).await;
        let kinds: Vec<ChangeKind> = keys.iter().map(Change::kind).collect();
        assert_eq!(kinds, [ChangeKind::Insert, ChangeKind::Modify, ChangeKind::Remove]);
        for change in &keys {
            assert_eq!(change.keys().get("id"), Some(&AttributeValue::S("k".into())));
            assert!(change.new_image().unwrap_err().is_missing_image());
            assert!(change.old_image().unwrap_err().is_missing_image());
        }
        let error = keys.into_iter().nth(1).unwrap().into_event().unwrap_err();
        let message = error.to_string();
        assert!(message.contains("the MODIFY change of"), "{message}");
        assert!(message.contains("(key id) has no old image"), "{message}");
        assert!(message.contains("KEYS_ONLY"), "{message}");
        assert!(message.contains("new_and_old_images"), "the fix: {message}");

        let new: Vec<(Option<u32>, Option<u32>)> = read_all::<NewImage>(&db)
            .await
            .iter()
            .map(|c| (c.old_image().ok().map(|o| o.total), c.new_image().ok().map(|o| o.total)))
            .collect();
        assert_eq!(new, [(None, Some(1)), (None, Some(2)), (None, None)]);

        let old: Vec<(Option<u32>, Option<u32>)> = read_all::<OldImage>(&db)
            .await
            .iter()
            .map(|c| (c.old_image().ok().map(|o| o.total), c.new_image().ok().map(|o| o.total)))
            .collect();
        assert_eq!(old, [(None, None), (Some(1), None), (Some(2), None)]);
    }

    async fn collections_decode_changes_by_entity_type(db: Dynamo) {
        db.create_table::<User>().await.unwrap();
        db.put(&User { user_id: "u1".into(), name: "Ann".into() }).await.unwrap();
        db.put(&CartLine { user_id: "u1".into(), sku: "s1".into(), quantity: 2 }).await.unwrap();
        let changes: Vec<Change<Shop>> = db
            .changes::<User>()
            .collection::<Shop>()
            .until_caught_up()
            .stream()
            .try_collect()
            .await
            .unwrap();
        let images: Vec<&Shop> = changes.iter().map(|c| c.new_image().unwrap()).collect();
        assert!(matches!(images[0], Shop::User(user) if user.name == "Ann"));
        assert!(matches!(images[1], Shop::Line(line) if line.quantity == 2));
    }

    async fn a_reader_from_the_latest_record_sees_only_later_changes(db: Dynamo) {
        db.create_table::<Order>().await.unwrap();
        db.put(&order("before", 1)).await.unwrap();
        let mut stream = db
            .changes::<Order>()
            .from_latest()
            .poll_interval(Duration::from_millis(50))
            .stream();
        // The first poll finds the shards and starts after their newest record.
        assert!(tokio::time::timeout(Duration::from_millis(500), stream.next()).await.is_err());
        db.put(&order("after", 2)).await.unwrap();
        let change = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("the new change arrives")
            .unwrap()
            .unwrap();
        assert_eq!(change.new_image().unwrap().id, "after");
    }

    async fn encrypted_attributes_are_opened_in_images(db: Dynamo) {
        let db = db.with_key_provider(dynamo_model::encryption::LocalKey::new("stream-key", [7u8; 32]));
        db.create_table::<Secret>().await.unwrap();
        db.put(&Secret { id: "s".into(), pin: "1234".into() }).await.unwrap();
        db.put(&Secret { id: "s".into(), pin: "5678".into() }).await.unwrap();
        let changes = read_all::<Secret>(&db).await;
        let pins: Vec<(Option<String>, Option<String>)> = changes
            .iter()
            .map(|c| (c.old_image().ok().map(|s| s.pin.clone()), c.new_image().ok().map(|s| s.pin.clone())))
            .collect();
        assert_eq!(pins, [(None, Some("1234".into())), (Some("1234".into()), Some("5678".into()))]);

        // Without the key, the image does not open: an error naming the item, not garbage.
        let other = db.with_key_provider(dynamo_model::encryption::LocalKey::new("other-key", [8u8; 32]));
        let results: Vec<_> = other.changes::<Secret>().until_caught_up().stream().collect().await;
        assert!(results.iter().all(Result::is_err), "{results:?}");
    }

    async fn a_table_without_a_stream_is_a_clear_error(db: Dynamo) {
        db.create_table::<NoStream>().await.unwrap();
        let mut stream = db.changes::<NoStream>().stream();
        let error = stream.next().await.unwrap().unwrap_err();
        let message = error.to_string();
        assert!(error.is_invalid_request(), "{error:?}");
        assert!(message.contains("has no stream"), "{message}");
        assert!(message.contains("stream = \"new_and_old_images\""), "the fix: {message}");
        assert!(stream.next().await.is_none(), "the stream ends");
    }
}

#[tokio::test]
async fn a_client_without_a_streams_client_says_how_to_get_one() {
    let db = Dynamo::new(dynamo_model_tests::sdk_client());
    let error = db
        .changes::<Order>()
        .stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(error.is_configuration(), "{error:?}");
    assert!(error.to_string().contains("with_streams"), "{error}");
}

#[tokio::test]
async fn writes_that_change_nothing_make_no_record() {
    let db = Dynamo::memory();
    db.create_table::<Order>().await.unwrap();
    db.put(&order("a", 1)).await.unwrap();
    db.put(&order("a", 1)).await.unwrap();
    db.delete_by_key::<Order>("missing").await.unwrap();
    assert_eq!(read_all::<Order>(&db).await.len(), 1);
}

#[tokio::test]
async fn ttl_expiry_removals_are_flagged_on_the_memory_backend() {
    #[derive(Debug, Clone, PartialEq, DynamoModel)]
    #[dynamo(
        table = "stream_sessions",
        hash_key = "id",
        stream = "new_and_old_images"
    )]
    struct Session {
        id: String,
        #[dynamo(ttl)]
        expires: Option<SystemTime>,
    }
    let store = MemoryBackend::new();
    let db = Dynamo::with_memory(&store);
    db.create_table::<Session>().await.unwrap();
    db.enable_ttl::<Session>("expires").await.unwrap();
    let now = SystemTime::now();
    let past = now - Duration::from_secs(60);
    let future = now + Duration::from_secs(3600);
    db.put(&Session {
        id: "old".into(),
        expires: Some(past),
    })
    .await
    .unwrap();
    db.put(&Session {
        id: "live".into(),
        expires: Some(future),
    })
    .await
    .unwrap();
    db.delete_by_key::<Session>("live").await.unwrap();
    assert_eq!(store.expire_items(now), 1);
    assert_eq!(store.expire_items(now), 0, "nothing left to expire");

    let changes = read_all::<Session>(&db).await;
    let removals: Vec<(String, bool)> = changes
        .into_iter()
        .filter(|c| c.kind() == ChangeKind::Remove)
        .map(|c| {
            let expired = c.is_expiry();
            match c.into_event().unwrap() {
                ChangeEvent::Remove {
                    old,
                    expired: flagged,
                } => {
                    assert_eq!(flagged, expired);
                    (old.id, expired)
                }
                other => panic!("a removal, not {other:?}"),
            }
        })
        .collect();
    assert_eq!(
        removals,
        [("live".to_owned(), false), ("old".to_owned(), true)]
    );
}

/// A stream of three shards, listed children first: `parent` was split into `left` and
/// `right`. Records are scripted per shard.
#[derive(Debug, Default, Clone)]
struct SplitStream {
    records: Arc<BTreeMap<String, Vec<StreamRecord>>>,
    reads: Arc<Mutex<Vec<String>>>,
}

fn record(kind: RecordKind, id: &str, total: u32, sequence: &str) -> StreamRecord {
    let keys = [("id".to_owned(), AttributeValue::S(id.into()))]
        .into_iter()
        .collect();
    let mut record = StreamRecord::new(kind, keys, sequence);
    let mut image: dynamo_model::Item = [
        ("id".to_owned(), AttributeValue::S(id.into())),
        ("total".to_owned(), AttributeValue::N(total.to_string())),
        ("note".to_owned(), AttributeValue::S("n".into())),
    ]
    .into_iter()
    .collect();
    if kind == RecordKind::Remove {
        record.old_image = Some(std::mem::take(&mut image));
    } else {
        record.new_image = Some(image);
    }
    record
}

impl ChangeSource for SplitStream {
    fn shards(&self, _: String) -> BackendFuture<'_, Vec<Shard>> {
        let shards = vec![
            Shard::new("left", Some("parent".into())),
            Shard::new("right", Some("parent".into())),
            Shard::new("parent", Some("trimmed-long-ago".into())),
        ];
        Box::pin(std::future::ready(Ok(shards)))
    }

    fn shard_iterator(
        &self,
        _: String,
        shard: String,
        start: ShardStart,
    ) -> BackendFuture<'_, String> {
        let from = match start {
            ShardStart::Oldest => 0,
            ShardStart::Latest => self.records[&shard].len(),
            ShardStart::After(sequence) => {
                self.records[&shard]
                    .iter()
                    .position(|r| r.sequence_number == sequence)
                    .unwrap()
                    + 1
            }
        };
        Box::pin(std::future::ready(Ok(format!("{shard}|{from}"))))
    }

    fn records(&self, iterator: String) -> BackendFuture<'_, RecordPage> {
        let (shard, from) = iterator.split_once('|').unwrap();
        let from: usize = from.parse().unwrap();
        self.reads.lock().unwrap().push(shard.to_owned());
        let records = &self.records[shard];
        // One record per page; every shard is closed (it ends after its records).
        let page = match records.get(from) {
            Some(record) => {
                RecordPage::new(vec![record.clone()], Some(format!("{shard}|{}", from + 1)))
            }
            None => RecordPage::new(Vec::new(), None),
        };
        Box::pin(std::future::ready(Ok(page)))
    }
}

#[tokio::test]
async fn a_split_shard_is_read_to_its_end_before_its_children() {
    let split = SplitStream {
        records: Arc::new(
            [
                (
                    "parent".to_owned(),
                    vec![
                        record(RecordKind::Insert, "a", 1, "100"),
                        record(RecordKind::Insert, "b", 1, "101"),
                    ],
                ),
                (
                    "left".to_owned(),
                    vec![record(RecordKind::Remove, "a", 1, "200")],
                ),
                (
                    "right".to_owned(),
                    vec![record(RecordKind::Modify, "b", 2, "300")],
                ),
            ]
            .into_iter()
            .collect(),
        ),
        reads: Arc::default(),
    };
    let db = Dynamo::memory();
    db.create_table::<Order>().await.unwrap();
    let db = db.with_change_source(split.clone());
    let changes = read_all::<Order>(&db).await;
    let order: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| (c.shard_id().unwrap(), c.sequence_number()))
        .collect();
    assert_eq!(
        order,
        [
            ("parent", "100"),
            ("parent", "101"),
            ("left", "200"),
            ("right", "300")
        ]
    );
    let reads = split.reads.lock().unwrap().clone();
    let first_child = reads.iter().position(|s| s != "parent").unwrap();
    assert!(
        reads[first_child..].iter().all(|s| s != "parent"),
        "children after the parent's end: {reads:?}"
    );

    // A checkpoint taken mid-way resumes in the child, the finished parent skipped.
    let mut stream = db.changes::<Order>().until_caught_up().stream();
    for _ in 0..3 {
        stream.next().await.unwrap().unwrap();
    }
    let checkpoint = stream.checkpoint();
    assert!(checkpoint.is_finished("parent"));
    assert_eq!(checkpoint.last_sequence_number("left"), Some("200"));
    let rest: Vec<Change<Order>> = db
        .changes::<Order>()
        .resume(&checkpoint)
        .until_caught_up()
        .stream()
        .try_collect()
        .await
        .unwrap();
    let rest: Vec<&str> = rest.iter().map(Change::sequence_number).collect();
    assert_eq!(rest, ["300"]);
}

#[tokio::test]
async fn a_record_that_does_not_decode_names_its_key_and_the_stream_goes_on() {
    let split = SplitStream {
        records: Arc::new(
            [
                (
                    "parent".to_owned(),
                    vec![
                        {
                            let mut bad = record(RecordKind::Insert, "bad", 1, "1");
                            if let Some(image) = &mut bad.new_image {
                                image.insert("total".into(), AttributeValue::S("many".into()));
                            }
                            bad
                        },
                        record(RecordKind::Insert, "good", 2, "2"),
                    ],
                ),
                ("left".to_owned(), Vec::new()),
                ("right".to_owned(), Vec::new()),
            ]
            .into_iter()
            .collect(),
        ),
        reads: Arc::default(),
    };
    let db = Dynamo::memory();
    db.create_table::<Order>().await.unwrap();
    let db = db.with_change_source(split);
    let results: Vec<_> = db
        .changes::<Order>()
        .until_caught_up()
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    let error = results[0].as_ref().unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Decode { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.item_key().and_then(|key| key.get("id")),
        Some(&AttributeValue::S("bad".into()))
    );
    assert_eq!(results[1].as_ref().unwrap().new_image().unwrap().id, "good");
}

#[tokio::test]
async fn skip_hooks_decodes_images_without_after_load() {
    let db = Dynamo::memory();
    db.create_table::<Order>().await.unwrap();
    db.put(&order("a", 1)).await.unwrap();
    let raw: Vec<Change<Order>> = db
        .changes::<Order>()
        .skip_hooks()
        .until_caught_up()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(raw[0].new_image().unwrap().note, "order a");
}
