//! Lifecycle attributes on both backends: optimistic locking, timestamps, TTL, counters and
//! generated ids.

use std::time::{Duration, SystemTime};

use dynamo_model::{DynamoModel, ErrorKind};
use dynamo_model_tests::conformance;

/// A document edited by several writers: versioned, stamped, counted.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "documents", hash_key = "id")]
struct Document {
    id: String,
    title: String,
    #[dynamo(version)]
    version: u64,
    #[dynamo(created_at)]
    created_at: String,
    #[dynamo(updated_at)]
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
    #[dynamo(counter, default)]
    edits: u64,
}

fn document(id: &str, title: &str) -> Document {
    Document {
        id: id.into(),
        title: title.into(),
        version: 0,
        created_at: String::new(),
        updated_at: None,
        edits: 0,
    }
}

/// A session that expires.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "sessions", hash_key = "user", range_key = "token")]
struct Session {
    user: String,
    token: String,
    #[dynamo(ttl)]
    expires: Option<SystemTime>,
}

fn session(token: &str, expires: Option<SystemTime>) -> Session {
    Session {
        user: "ada".into(),
        token: token.into(),
        expires,
    }
}

/// Ids the client generates.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "tickets", hash_key = "id")]
struct Ticket {
    #[dynamo(auto_id = "uuid_v7")]
    id: String,
    #[dynamo(auto_id = "uuid_v4")]
    request: Option<uuid::Uuid>,
    #[dynamo(auto_id = "ulid")]
    trace: String,
    subject: String,
}

conformance! {
    async fn a_new_item_gets_version_one_and_save_keeps_the_struct_current(db: Dynamo) {
        db.create_table::<Document>().await.unwrap();
        let mut doc = document("d1", "Draft");
        db.save(&mut doc).await.unwrap();
        assert_eq!(doc.version, 1);
        let stored = db.get::<Document>("d1").await.unwrap().unwrap();
        assert_eq!(stored, doc);
        doc.title = "Second draft".into();
        db.save(&mut doc).await.unwrap();
        assert_eq!(doc.version, 2);
        assert_eq!(db.get::<Document>("d1").await.unwrap().unwrap().version, 2);
    }

    async fn a_stale_writer_gets_a_version_conflict(db: Dynamo) {
        db.create_table::<Document>().await.unwrap();
        let mut doc = document("d1", "Draft");
        db.save(&mut doc).await.unwrap();
        let mut alice = db.get::<Document>("d1").await.unwrap().unwrap();
        let mut bob = alice.clone();
        alice.title = "Alice's".into();
        db.save(&mut alice).await.unwrap();
        bob.title = "Bob's".into();
        let error = db.save(&mut bob).await.unwrap_err();
        assert!(error.is_version_conflict(), "{error}");
        assert!(error.is_conditional_check_failed());
        match error.kind() {
            ErrorKind::VersionConflict { model, expected, found, item, .. } => {
                assert_eq!((*model, *expected, *found), ("Document", 1, Some(2)));
                let current = Document::from_item(item.clone().unwrap()).unwrap();
                assert_eq!(current.title, "Alice's");
            }
            other => panic!("not a version conflict: {other:?}"),
        }
        assert!(error.to_string().contains("expected version 1, found 2"), "{error}");
        // Bob's plain put and delete of his stale copy fail the same way.
        assert!(db.put(&bob).await.unwrap_err().is_version_conflict());
        assert!(db.delete(&bob).await.unwrap_err().is_version_conflict());
        assert_eq!(db.get::<Document>("d1").await.unwrap().unwrap().title, "Alice's");
        db.delete(&alice).await.unwrap();
        assert_eq!(db.get::<Document>("d1").await.unwrap(), None);
    }

    async fn creating_an_item_twice_is_a_conflict(db: Dynamo) {
        db.create_table::<Document>().await.unwrap();
        db.put(&document("d1", "First")).await.unwrap();
        let error = db.put(&document("d1", "Second")).await.unwrap_err();
        match error.kind() {
            ErrorKind::VersionConflict { expected, found, .. } => {
                assert_eq!((*expected, *found), (0, Some(1)));
            }
            other => panic!("not a version conflict: {other:?}"),
        }
    }

    async fn of_two_concurrent_writers_exactly_one_wins(db: Dynamo) {
        db.create_table::<Document>().await.unwrap();
        db.put(&document("d1", "Draft")).await.unwrap();
        let read = db.get::<Document>("d1").await.unwrap().unwrap();
        let writers = ["Alice", "Bob"].map(|who| {
            let db = db.clone();
            let mut copy = read.clone();
            tokio::spawn(async move {
                copy.title = who.into();
                db.save(&mut copy).await
            })
        });
        let mut wins = 0;
        let mut conflicts = 0;
        for writer in writers {
            match writer.await.unwrap() {
                Ok(()) => wins += 1,
                Err(e) if e.is_version_conflict() => conflicts += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!((wins, conflicts), (1, 1));
        assert_eq!(db.get::<Document>("d1").await.unwrap().unwrap().version, 2);
    }

    async fn updates_move_the_version_on_and_can_expect_one(db: Dynamo) {
        db.create_table::<Document>().await.unwrap();
        db.put(&document("d1", "Draft")).await.unwrap();
        let f = Document::fields();
        let doc = db.update::<Document>("d1").set(&f.title, "Edited").return_all_new().await.unwrap();
        assert_eq!(doc.version, 2);
        let error = db.update::<Document>("d1").set(&f.title, "Stale").expect_version(1).await.unwrap_err();
        assert!(error.is_version_conflict(), "{error}");
        let doc = db
            .update::<Document>("d1")
            .set(&f.title, "Current")
            .expect_version(2)
            .return_all_new()
            .await
            .unwrap();
        assert_eq!((doc.title.as_str(), doc.version), ("Current", 3));
        // A failed condition of the caller's own stays a plain condition failure.
        let error = db
            .update::<Document>("d1")
            .set(&f.title, "Never")
            .condition(f.title.eq("Other"))
            .expect_version(3)
            .await
            .unwrap_err();
        assert!(error.is_conditional_check_failed() && !error.is_version_conflict(), "{error}");
    }

    async fn transactions_check_and_move_versions(db: Dynamo) {
        db.create_table::<Document>().await.unwrap();
        let mut doc = document("d1", "Draft");
        db.save(&mut doc).await.unwrap();
        let stale = doc.clone();
        db.transact_write().put(&doc).await.unwrap();
        assert_eq!(db.get::<Document>("d1").await.unwrap().unwrap().version, 2);
        let error = db.transact_write().put(&stale).await.unwrap_err();
        assert!(error.is_transaction_canceled(), "{error}");
        assert!(error.reasons()[0].is_conditional_check_failed());
        db.transact_write()
            .update::<Document>("d1", |u| u.set(Document::fields().title, "Via transaction"))
            .await
            .unwrap();
        let stored = db.get::<Document>("d1").await.unwrap().unwrap();
        assert_eq!((stored.version, stored.edits), (3, 1));
    }

    async fn created_at_stays_fixed_and_updated_at_moves(db: Dynamo) {
        db.create_table::<Document>().await.unwrap();
        let mut doc = document("d1", "Draft");
        db.save(&mut doc).await.unwrap();
        let created = doc.created_at.clone();
        let first_update = doc.updated_at.unwrap();
        assert_eq!(created.len(), "2026-11-22T10:04:05.123Z".len(), "{created}");
        assert!(!created.is_empty());
        tokio::time::sleep(Duration::from_millis(20)).await;
        doc.title = "Saved again".into();
        db.save(&mut doc).await.unwrap();
        assert_eq!(doc.created_at, created);
        assert!(doc.updated_at.unwrap() > first_update);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let updated = db
            .update::<Document>("d1")
            .set(Document::fields().title, "Updated")
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(updated.created_at, created);
        assert!(updated.updated_at > doc.updated_at);
        // An update that creates the item (an upsert) stamps it.
        let fresh = db
            .update::<Document>("d2")
            .upsert()
            .set(Document::fields().title, "Upserted")
            .return_all_new()
            .await
            .unwrap();
        assert!(!fresh.created_at.is_empty());
        assert!(fresh.updated_at.is_some());
        assert_eq!(fresh.version, 1);
    }

    async fn counters_are_exact_under_concurrent_updates(db: Dynamo) {
        db.create_table::<Document>().await.unwrap();
        db.put(&document("d1", "Draft")).await.unwrap();
        let updates: Vec<_> = (0..16)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.update::<Document>("d1")
                        .set(Document::fields().title, format!("edit {i}"))
                        .await
                })
            })
            .collect();
        for update in updates {
            update.await.unwrap().unwrap();
        }
        let doc = db.get::<Document>("d1").await.unwrap().unwrap();
        assert_eq!((doc.edits, doc.version), (16, 17));
    }

    async fn expired_items_are_hidden_unless_asked_for(db: Dynamo) {
        // Without TTL enabled (`no_wait` skips it): DynamoDB Local's own TTL sweep would
        // otherwise delete the expired item mid-test, and this test is about the items
        // DynamoDB has not deleted yet.
        db.create_table::<Session>().no_wait().await.unwrap();
        let hour = Duration::from_secs(3600);
        let past = session("old", Some(SystemTime::now() - hour));
        let future = session("new", Some(SystemTime::now() + hour));
        let forever = session("kept", None);
        db.batch_write().put_all(&[past.clone(), future.clone(), forever.clone()]).await.unwrap();

        assert_eq!(db.get::<Session>(("ada", "old")).await.unwrap(), None);
        let expired = db.get::<Session>(("ada", "old")).include_expired().await.unwrap().unwrap();
        assert_eq!(expired.token, "old");
        assert!(db.get::<Session>(("ada", "new")).await.unwrap().is_some());

        let tokens = |sessions: Vec<Session>| {
            let mut tokens: Vec<String> = sessions.into_iter().map(|s| s.token).collect();
            tokens.sort();
            tokens
        };
        assert_eq!(tokens(db.query::<Session>("ada").all().await.unwrap()), ["kept", "new"]);
        assert_eq!(tokens(db.query::<Session>("ada").page().await.unwrap().items), ["kept", "new"]);
        assert_eq!(tokens(db.scan::<Session>().all().await.unwrap()), ["kept", "new"]);
        assert_eq!(
            tokens(db.query::<Session>("ada").include_expired().all().await.unwrap()),
            ["kept", "new", "old"]
        );
        let keys = [("ada", "old"), ("ada", "new"), ("ada", "kept")];
        assert_eq!(tokens(db.batch_get::<Session>(keys).await.unwrap()), ["kept", "new"]);
        // Transaction reads hide them too.
        let read = db.transact_get_many::<Session>(keys).await.unwrap();
        assert_eq!(read.iter().map(Option::is_some).collect::<Vec<_>>(), [false, true, true]);
        let (old, new) = db
            .transact_get()
            .get::<Session>(("ada", "old"))
            .get::<Session>(("ada", "new"))
            .await
            .unwrap();
        assert!(old.is_none() && new.is_some());
        // Stored as epoch seconds, as DynamoDB's TTL needs.
        let raw = db.get::<Session>(("ada", "new")).item().await.unwrap().unwrap();
        let seconds = future.expires.unwrap().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(raw["expires"], dynamo_model::AttributeValue::N(seconds.to_string()));
    }

    async fn empty_ids_are_generated_on_put(db: Dynamo) {
        db.create_table::<Ticket>().await.unwrap();
        let mut first = Ticket { id: String::new(), request: None, trace: String::new(), subject: "Printer".into() };
        db.save(&mut first).await.unwrap();
        assert_eq!(uuid::Uuid::parse_str(&first.id).unwrap().get_version_num(), 7);
        assert_eq!(first.request.unwrap().get_version_num(), 4);
        assert_eq!(first.trace.len(), 26, "a ULID: {}", first.trace);
        assert!(first.trace.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(db.get::<Ticket>(first.id.as_str()).await.unwrap(), Some(first.clone()));
        tokio::time::sleep(Duration::from_millis(2)).await;
        let mut second = Ticket { id: String::new(), request: None, trace: String::new(), subject: "Coffee".into() };
        db.save(&mut second).await.unwrap();
        assert!(second.id > first.id, "UUIDv7 ids sort by creation time");
        assert!(second.trace > first.trace, "ULIDs sort by creation time");
        // A set id is kept.
        let mut named = Ticket { id: "T-1".into(), request: None, trace: "01ARZ3NDEKTSV4RRFFQ69G5FAV".into(), subject: "Named".into() };
        db.save(&mut named).await.unwrap();
        assert_eq!((named.id.as_str(), named.trace.as_str()), ("T-1", "01ARZ3NDEKTSV4RRFFQ69G5FAV"));
    }
}

#[tokio::test]
async fn create_table_enables_ttl_on_the_ttl_attribute() {
    let db = dynamo_model_tests::local();
    db.create_table::<Session>().await.unwrap();
    let described = dynamo_model_tests::sdk_client()
        .describe_time_to_live()
        .table_name(db.table_name::<Session>())
        .send()
        .await
        .unwrap();
    let ttl = described.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some("expires"));
}

#[test]
fn lifecycle_metadata_names_each_attribute() {
    let lifecycle = Document::meta().lifecycle;
    assert_eq!(lifecycle.version, Some("version"));
    assert_eq!(
        lifecycle.created_at.map(|g| g.attribute),
        Some("created_at")
    );
    assert_eq!(
        lifecycle.updated_at.map(|g| g.attribute),
        Some("updated_at")
    );
    assert_eq!(lifecycle.counters, ["edits"]);
    assert_eq!(Session::meta().lifecycle.ttl, Some("expires"));
    assert_eq!(Ticket::meta().lifecycle.auto_ids.len(), 3);
    assert!(dynamo_model::meta::Lifecycle::NONE.is_empty());
}
