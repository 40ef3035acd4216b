//! Change tracking on both backends: a tracked model saves only the attributes that
//! changed (checked on the dry run), puts when new, keeps concurrent writes to other
//! attributes, and honours versions; item sizes and a model's `max_size`.

use dynamo_model::{DynamoModel, ErrorKind, SaveRequest, Saved, Tracked};
use dynamo_model_tests::conformance;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "profiles", hash_key = "id")]
struct Profile {
    id: String,
    name: String,
    visits: u32,
    nickname: Option<String>,
    tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "accounts", hash_key = "id")]
struct Account {
    id: String,
    balance: i64,
    #[dynamo(version)]
    version: u64,
}

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "notes", hash_key = "id", max_size = 200)]
struct Note {
    id: String,
    title: String,
    body: String,
}

fn profile(id: &str) -> Profile {
    Profile {
        id: id.into(),
        name: "Ada".into(),
        visits: 1,
        nickname: Some("ada".into()),
        tags: vec!["a".into()],
    }
}

/// The update expression and the attribute names a save request sets or removes.
fn update_of(request: SaveRequest) -> (String, Vec<String>) {
    let SaveRequest::Update(update) = request else {
        panic!("expected an update, got {request:?}");
    };
    let mut names: Vec<String> = update
        .get_expression_attribute_names()
        .clone()
        .unwrap_or_default()
        .into_values()
        .collect();
    names.sort();
    names.dedup();
    (
        update.get_update_expression().clone().unwrap_or_default(),
        names,
    )
}

conformance! {
    async fn only_changed_attributes_are_sent(db: Dynamo) {
        db.create_table::<Profile>().await.unwrap();
        let mut tracked = Tracked::new(profile("p1"));
        assert!(tracked.is_new() && tracked.is_dirty());
        assert!(matches!(db.save_changes(&mut tracked).to_request().unwrap(), SaveRequest::Put(_)));
        assert_eq!(db.save_changes(&mut tracked).await.unwrap(), Saved::Put);
        assert!(!tracked.is_dirty());
        assert!(tracked.changed_fields().is_empty());
        assert_eq!(db.save_changes(&mut tracked).await.unwrap(), Saved::Unchanged);

        let mut loaded = Tracked::loaded(db.get::<Profile>("p1").await.unwrap().unwrap());
        loaded.visits += 1;
        loaded.nickname = None;
        assert!(loaded.is_dirty());
        assert_eq!(loaded.changed_fields(), ["visits", "nickname"]);
        let (expression, names) = update_of(db.save_changes(&mut loaded).to_request().unwrap());
        assert_eq!(names, ["id", "nickname", "visits"], "{expression}");
        assert!(expression.starts_with("SET ") && expression.contains(" REMOVE "), "{expression}");

        // Someone else renames the profile meanwhile: the save keeps that change.
        db.update::<Profile>("p1")
            .set(Profile::fields().name, "Grace")
            .await
            .unwrap();
        let saved = db.save_changes(&mut loaded).await.unwrap();
        assert_eq!(saved, Saved::Updated(vec!["visits", "nickname"]));
        assert!(!loaded.is_dirty());
        assert_eq!(loaded.name, "Grace", "the save returns the stored item");
        let stored = db.get::<Profile>("p1").await.unwrap().unwrap();
        assert_eq!(
            stored,
            Profile { name: "Grace".into(), visits: 2, nickname: None, ..profile("p1") }
        );

        // `full()` puts the whole item, changed or not.
        assert!(matches!(
            db.save_changes(&mut loaded).full().to_request().unwrap(),
            SaveRequest::Put(_)
        ));
        assert_eq!(db.save_changes(&mut loaded).full().await.unwrap(), Saved::Put);
    }

    async fn a_save_refuses_a_changed_key_and_a_deleted_item(db: Dynamo) {
        db.create_table::<Profile>().await.unwrap();
        db.put(&profile("p2")).await.unwrap();
        let mut moved = Tracked::loaded(profile("p2"));
        moved.id = "p3".into();
        let error = db.save_changes(&mut moved).await.unwrap_err();
        assert!(error.to_string().contains("key attribute `id` changed"), "{error}");
        assert!(db.get::<Profile>("p3").await.unwrap().is_none());

        let mut gone = Tracked::loaded(profile("p2"));
        db.delete_by_key::<Profile>("p2").await.unwrap();
        gone.visits = 9;
        let error = db.save_changes(&mut gone).await.unwrap_err();
        assert!(error.is_conditional_check_failed(), "{error}");
        assert!(db.get::<Profile>("p2").await.unwrap().is_none(), "no partial item appears");
        assert!(gone.is_dirty(), "a failed save keeps the changes");
    }

    async fn a_tracked_save_checks_the_loaded_version(db: Dynamo) {
        db.create_table::<Account>().await.unwrap();
        let mut first = Tracked::new(Account { id: "a1".into(), balance: 10, version: 0 });
        db.save_changes(&mut first).await.unwrap();
        assert_eq!(first.version, 1);
        let mut second = Tracked::loaded(db.get::<Account>("a1").await.unwrap().unwrap());

        first.balance = 20;
        let (expression, names) = update_of(db.save_changes(&mut first).to_request().unwrap());
        assert_eq!(names, ["balance", "id", "version"], "{expression}");
        db.save_changes(&mut first).await.unwrap();
        assert_eq!(first.version, 2);

        second.balance = 30;
        let error = db.save_changes(&mut second).await.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::VersionConflict { expected: 1, found: Some(2), .. }),
            "{error:?}"
        );
        let stored = db.get::<Account>("a1").await.unwrap().unwrap();
        assert_eq!((stored.balance, stored.version), (20, 2));
    }

    async fn max_size_is_checked_before_sending(db: Dynamo) {
        db.create_table::<Note>().await.unwrap();
        let small = Note { id: "n1".into(), title: "t".into(), body: "short".into() };
        db.put(&small).await.unwrap();
        let big = Note { id: "n2".into(), body: "x".repeat(300), ..small.clone() };
        let error = db.put(&big).await.unwrap_err();
        let ErrorKind::ItemTooLarge { size, limit, largest, .. } = error.kind() else {
            panic!("{error:?}");
        };
        assert_eq!((*size, *limit), (big.size().total, 200));
        assert_eq!(largest[0], ("body".to_string(), 304));
        assert!(error.to_string().contains("max_size of 200") && error.to_string().contains("`body` 304"), "{error}");
        assert!(db.get::<Note>("n2").await.unwrap().is_none());
        let mut tracked = Tracked::loaded(small);
        tracked.body = "y".repeat(300);
        assert!(matches!(
            db.save_changes(&mut tracked).full().await.unwrap_err().kind(),
            ErrorKind::ItemTooLarge { .. }
        ));
    }
}

#[test]
fn size_counts_names_and_values_per_attribute() {
    let note = Note {
        id: "n1".into(),
        title: "hello".into(),
        body: "abc".into(),
    };
    let size = note.size();
    assert_eq!(size.total, (2 + 2) + (5 + 5) + (4 + 3));
    assert_eq!(size.attributes[0], ("title".to_string(), 10));
    assert_eq!(size.attribute("body"), 7);
    assert_eq!(size.total, dynamo_model::value::item_size(&note.to_item()));
    let numbers = Account {
        id: "a".into(),
        balance: 123456,
        version: 1,
    };
    // N: (significant digits + 1) / 2 + 1 bytes.
    assert_eq!(numbers.size().attribute("balance"), 7 + 4);
}
