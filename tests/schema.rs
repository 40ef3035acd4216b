//! Schema plans on both backends: a model that gained or lost indexes, time to live, a
//! change stream or settings is compared with its live table, and the plan applied; applied twice, nothing
//! is left to do. What cannot change in place is refused before anything changes. Tags are
//! set and removed through the tagging operations.

use dynamo_model::meta::StreamView;
use dynamo_model::{DynamoModel, SchemaChange};
use dynamo_model_tests::conformance;

/// The table as first deployed: no index, no time to live.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "tickets", hash_key = "id")]
struct TicketV1 {
    id: String,
    status: String,
    owner: String,
    expires: Option<u64>,
}

/// The next version: an index on the status, time to live, and a change stream.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "tickets",
    hash_key = "id",
    gsi(name = "by_status", hash_key = "status"),
    stream = "new_and_old_images"
)]
struct TicketV2 {
    id: String,
    status: String,
    owner: String,
    #[dynamo(ttl)]
    expires: Option<u64>,
}

/// Then: the status index keeps keys only, an owner index is new, time to live is gone, and
/// the stream carries keys only.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "tickets",
    hash_key = "id",
    gsi(name = "by_status", hash_key = "status", projection = "keys_only"),
    gsi(name = "by_owner", hash_key = "owner"),
    stream = "keys_only"
)]
struct TicketV3 {
    id: String,
    status: String,
    owner: String,
    expires: Option<u64>,
}

/// A local index cannot be added to a table that exists.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "tickets",
    hash_key = "id",
    range_key = "owner",
    lsi(name = "by_time", range_key = "status")
)]
struct TicketLocal {
    id: String,
    owner: String,
    status: String,
}

/// A table of its own, created by a sync.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "labels", hash_key = "id")]
struct Label {
    id: String,
}

conformance! {
    async fn sync_tables_creates_missing_tables_and_applies_plans(db: Dynamo) {
        db.create_table::<TicketV1>().await.unwrap();
        let synced = db.sync_tables::<(TicketV2, Label)>().await.unwrap();
        let changes: Vec<&[SchemaChange]> = synced.iter().map(|s| s.changes.as_slice()).collect();
        assert_eq!(
            changes,
            [
                &[
                    SchemaChange::AddIndex { index: "by_status" },
                    SchemaChange::EnableTtl { attribute: "expires" },
                    SchemaChange::EnableStream { view: StreamView::NewAndOldImages },
                ][..],
                &[SchemaChange::CreateTable][..],
            ]
        );
        assert_eq!(synced[1].table, db.table_name::<Label>());
        db.put(&Label { id: "l1".into() }).await.unwrap();
        let again = db.sync_tables::<(TicketV2, Label)>().await.unwrap();
        assert!(again.iter().all(|s| s.changes.is_empty()), "{again:?}");
        // A table that needs a new table stops the sync there, unchanged.
        let refused = db.sync_tables::<(Label, TicketLocal)>().await.unwrap_err();
        assert!(refused.to_string().contains("nothing was changed"), "{refused}");
    }

    async fn a_plan_brings_the_table_in_line_with_the_model(db: Dynamo) {
        // A table that does not exist yet: the plan creates it.
        let plan = db.plan_table::<TicketV1>().await.unwrap();
        assert_eq!(plan.changes, [SchemaChange::CreateTable]);
        plan.apply(&db).await.unwrap();
        let tickets: Vec<TicketV1> = (0..1000)
            .map(|n| TicketV1 {
                id: format!("t{n:04}"),
                status: ["open", "closed"][n % 2].into(),
                owner: format!("o{}", n % 10),
                expires: None,
            })
            .collect();
        db.batch_write().put_all(&tickets).await.unwrap();
        assert!(db.plan_table::<TicketV1>().await.unwrap().is_empty());

        // An index on a table holding 1,000 items, queried once backfilled; time to live and
        // the stream on.
        let plan = db.plan_table::<TicketV2>().await.unwrap();
        assert_eq!(
            plan.changes,
            [
                SchemaChange::AddIndex { index: "by_status" },
                SchemaChange::EnableTtl { attribute: "expires" },
                SchemaChange::EnableStream { view: StreamView::NewAndOldImages },
            ]
        );
        let shown = plan.to_string();
        assert!(shown.contains("add global index `by_status`") && shown.contains("time to live on"), "{shown}");
        assert!(shown.contains("turn the stream on, with NEW_AND_OLD_IMAGES"), "{shown}");
        plan.apply(&db).await.unwrap();
        assert_eq!(db.describe::<TicketV2>().await.unwrap().stream, Some(StreamView::NewAndOldImages));
        let open = db.query((TicketV2::BY_STATUS, "open")).count().await.unwrap();
        assert_eq!(open, 500);
        assert!(db.plan_table::<TicketV2>().await.unwrap().is_empty(), "nothing left to do");

        // A changed projection replaces the index; a new one is added; time to live goes off.
        let plan = db.plan_table::<TicketV3>().await.unwrap();
        assert!(plan.changes.contains(&SchemaChange::AddIndex { index: "by_owner" }), "{plan}");
        assert!(plan.changes.iter().any(|c| matches!(c, SchemaChange::ReplaceIndex { index: "by_status", why } if why.contains("KEYS_ONLY"))), "{plan}");
        assert!(plan.changes.contains(&SchemaChange::DisableTtl { attribute: "expires".into() }), "{plan}");
        let stream_changes: Vec<&SchemaChange> = plan
            .changes
            .iter()
            .filter(|c| matches!(c, SchemaChange::EnableStream { .. } | SchemaChange::DisableStream { .. }))
            .collect();
        assert_eq!(
            stream_changes,
            [
                &SchemaChange::DisableStream { view: StreamView::NewAndOldImages },
                &SchemaChange::EnableStream { view: StreamView::KeysOnly },
            ],
            "a view type changes by turning the stream off and on"
        );
        plan.apply(&db).await.unwrap();
        assert_eq!(db.describe::<TicketV3>().await.unwrap().stream, Some(StreamView::KeysOnly));
        assert_eq!(db.query((TicketV3::BY_OWNER, "o3")).count().await.unwrap(), 100);
        assert!(db.plan_table::<TicketV3>().await.unwrap().is_empty(), "nothing left to do");

        // Back to the first model: both indexes are dropped, the stream turned off.
        let plan = db.plan_table::<TicketV1>().await.unwrap();
        assert_eq!(
            plan.changes,
            [
                SchemaChange::DropIndex { index: "by_status".into() },
                SchemaChange::DropIndex { index: "by_owner".into() },
                SchemaChange::DisableStream { view: StreamView::KeysOnly },
            ]
        );
        plan.apply(&db).await.unwrap();
        assert_eq!(db.describe::<TicketV1>().await.unwrap().stream, None);
        assert!(db.plan_table::<TicketV1>().await.unwrap().is_empty());

        // Settings are compared only when asked for.
        let plan = db.plan_table::<TicketV1>().deletion_protection(true).await.unwrap();
        assert_eq!(plan.changes, [SchemaChange::DeletionProtection { to: true }]);
        plan.apply(&db).await.unwrap();
        assert!(db.plan_table::<TicketV1>().deletion_protection(true).await.unwrap().is_empty());
        db.plan_table::<TicketV1>().deletion_protection(false).await.unwrap().apply(&db).await.unwrap();

        // Tags: set, changed and removed; tags not named are left alone. DynamoDB Local has
        // no tagging: there the plan fails with its answer, and the memory backend, which
        // follows DynamoDB, tags.
        let tagged = db.plan_table::<TicketV1>().tag("team", "support").tag("tier", "gold").await;
        if !format!("{:?}", db.backend()).contains("Memory") {
            let error = tagged.unwrap_err();
            assert!(error.to_string().contains("Tagging is not currently supported in DynamoDB Local"), "{error}");
        } else {
            let plan = tagged.unwrap();
            assert_eq!(
                plan.changes,
                [SchemaChange::Tag { tags: vec![("team".into(), "support".into()), ("tier".into(), "gold".into())] }]
            );
            plan.apply(&db).await.unwrap();
            assert!(db.plan_table::<TicketV1>().tag("team", "support").await.unwrap().is_empty());
            let plan = db.plan_table::<TicketV1>().tag("tier", "silver").untag("team").untag("absent").await.unwrap();
            assert_eq!(
                plan.changes,
                [
                    SchemaChange::Tag { tags: vec![("tier".into(), "silver".into())] },
                    SchemaChange::Untag { keys: vec!["team".into()] },
                ]
            );
            plan.apply(&db).await.unwrap();
            assert!(db.plan_table::<TicketV1>().tag("tier", "silver").untag("team").await.unwrap().is_empty());
        }

        // A new primary key and a local index need a new table: refused, nothing changed.
        let plan = db.plan_table::<TicketLocal>().await.unwrap();
        assert!(plan.changes.iter().all(|c| matches!(c, SchemaChange::NeedsNewTable { .. })), "{plan}");
        assert_eq!(plan.changes.len(), 2, "{plan}");
        let refused = plan.apply(&db).await.unwrap_err();
        assert!(refused.to_string().contains("nothing was changed"), "{refused}");
        assert_eq!(db.scan::<TicketV1>().count().await.unwrap(), 1000);
    }
}
