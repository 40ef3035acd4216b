//! The behaviour matrix of the write pipeline: every write path against every policy, on
//! both backends. Each cell asserts the policy's effect, or its documented absence.
//!
//! Write paths: put, update, upsert, delete (by item and by key), transaction put / update /
//! delete / condition check, batch put / delete, PartiQL insert / update / delete.
//! Policies: validation, size limits, hooks (and `skip_hooks`), the existence rule of
//! updates, and the item returned on a failed condition.

use std::collections::HashMap;
use std::sync::Mutex;

use dynamo_model::value::Item;
use dynamo_model::{AttributeValue, Dynamo, DynamoModel, ErrorKind, Hooks};
use dynamo_model_tests::conformance;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "guarded", hash_key = "id", hooks, max_size = 400)]
struct Guarded {
    id: String,
    #[dynamo(validate = "at_most_100_bytes")]
    note: String,
    #[dynamo(default)]
    count: u32,
    blob: Option<String>,
    tags: Option<std::collections::BTreeSet<String>>,
}

/// Lifecycle attributes and a templated index key, for the PartiQL rows of the matrix.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "ledgers",
    pk = "LEDGER#{id}",
    sk = "LEDGER",
    gsi(name = "by_owner", pk = "OWNER#{owner}", sk = "{id}")
)]
struct Ledger {
    id: String,
    owner: String,
    #[dynamo(version)]
    version: u64,
    #[dynamo(updated_at)]
    updated: u64,
    #[dynamo(counter)]
    edits: u64,
}

#[allow(clippy::ptr_arg)] // a validator takes the field by reference
fn at_most_100_bytes(note: &String) -> Result<(), String> {
    if note.len() > 100 {
        return Err("a note holds at most 100 bytes".into());
    }
    Ok(())
}

/// What each hook saw, by item id (tests run concurrently, each with its own ids).
static CALLS: Mutex<Option<HashMap<String, Vec<&'static str>>>> = Mutex::new(None);

fn record(id: &str, hook: &'static str) {
    let mut calls = CALLS.lock().unwrap();
    calls
        .get_or_insert_with(HashMap::new)
        .entry(id.to_owned())
        .or_default()
        .push(hook);
}

fn calls(id: &str) -> Vec<&'static str> {
    let calls = CALLS.lock().unwrap();
    calls
        .as_ref()
        .and_then(|c| c.get(id).cloned())
        .unwrap_or_default()
}

fn id_of(key: &Item) -> String {
    match key.get("id") {
        Some(AttributeValue::S(id)) => id.clone(),
        _ => String::new(),
    }
}

fn refused(id: &str) -> dynamo_model::Result<()> {
    if id.starts_with("refuse") {
        return Err(dynamo_model::Error::invalid_request(
            "Guarded",
            "refused by a hook",
        ));
    }
    Ok(())
}

impl Hooks for Guarded {
    fn before_save(&self) -> dynamo_model::Result<()> {
        record(&self.id, "before_save");
        refused(&self.id)
    }
    fn after_save(&self) {
        record(&self.id, "after_save");
    }
    fn before_delete(&self) -> dynamo_model::Result<()> {
        record(&self.id, "before_delete");
        refused(&self.id)
    }
    fn after_delete(&self) {
        record(&self.id, "after_delete");
    }
    fn before_update(key: &Item) -> dynamo_model::Result<()> {
        record(&id_of(key), "before_update");
        refused(&id_of(key))
    }
    fn after_update(key: &Item) {
        record(&id_of(key), "after_update");
    }
    fn before_delete_key(key: &Item) -> dynamo_model::Result<()> {
        record(&id_of(key), "before_delete_key");
        refused(&id_of(key))
    }
    fn after_delete_key(key: &Item) {
        record(&id_of(key), "after_delete_key");
    }
}

fn guarded(id: &str) -> Guarded {
    Guarded {
        id: id.into(),
        note: "fine".into(),
        count: 0,
        blob: None,
        tags: None,
    }
}

fn too_long(id: &str) -> Guarded {
    Guarded {
        note: "x".repeat(101),
        ..guarded(id)
    }
}

fn too_large(id: &str) -> Guarded {
    Guarded {
        blob: Some("x".repeat(500)),
        ..guarded(id)
    }
}

/// Fails unless `result` is the pipeline's refusal `expected`, and nothing was stored.
async fn assert_refused<T: std::fmt::Debug>(
    db: &Dynamo,
    id: &str,
    result: dynamo_model::Result<T>,
    expected: fn(&ErrorKind) -> bool,
) {
    let error = result.expect_err("the pipeline must refuse this write");
    // A batch reports each refused write with its own error.
    let kind = match error.refused_writes() {
        [write, ..] => write.error.kind(),
        [] => error.kind(),
    };
    assert!(expected(kind), "unexpected error: {error}");
    assert_eq!(
        db.get::<Guarded>(id).await.unwrap(),
        None,
        "nothing may be stored"
    );
}

fn validation(kind: &ErrorKind) -> bool {
    matches!(kind, ErrorKind::Validation { .. })
}

fn too_large_kind(kind: &ErrorKind) -> bool {
    matches!(kind, ErrorKind::ItemTooLarge { limit: 400, .. })
}

fn hook_refusal(kind: &ErrorKind) -> bool {
    matches!(kind, ErrorKind::InvalidRequest { message, .. } if message == "refused by a hook")
}

conformance! {
    async fn validation_holds_on_every_write_of_a_whole_item(db: Dynamo) {
        db.create_table::<Guarded>().await.unwrap();
        assert_refused(&db, "v-put", db.put(&too_long("v-put")).await, validation).await;
        let tx = db.transact_write().put(&too_long("v-tx")).await;
        assert_refused(&db, "v-tx", tx, validation).await;
        let batch = db.batch_write().put(&too_long("v-batch")).await;
        assert_refused(&db, "v-batch", batch, validation).await;
        let insert = db.statements::<Guarded>().insert(&too_long("v-partiql"));
        assert_refused(&db, "v-partiql", insert, validation).await;
        // The values a typed update sets go through the field's validators too, in a single
        // update, a transaction's, an upsert and a PartiQL UPDATE.
        db.put(&guarded("v-update")).await.unwrap();
        let f = Guarded::fields();
        let long = || "y".repeat(101);
        let single = db.update::<Guarded>("v-update").set(&f.note, long()).await;
        assert!(validation(single.unwrap_err().kind()));
        let tx = db.transact_write().update::<Guarded>("v-update", |u| u.set(&f.note, long())).await;
        assert!(validation(tx.unwrap_err().kind()));
        let statement = db.statements::<Guarded>().update("v-update").set(&f.note, long());
        assert!(validation(db.execute::<Item>(statement).await.unwrap_err().kind()));
        assert_eq!(db.get::<Guarded>("v-update").await.unwrap(), Some(guarded("v-update")));
        let upsert = db.update::<Guarded>("v-upsert").upsert().set_if_not_exists(&f.note, long()).await;
        assert_refused(&db, "v-upsert", upsert, validation).await;
        // Partial changes (append, add, delete) are not whole values: validators judge
        // whole items only, so they pass here as DynamoDB applies them.
    }

    async fn size_limits_hold_on_puts_and_on_what_an_update_writes(db: Dynamo) {
        db.create_table::<Guarded>().await.unwrap();
        let f = Guarded::fields();
        assert_refused(&db, "s-put", db.put(&too_large("s-put")).await, too_large_kind).await;
        let tx = db.transact_write().put(&too_large("s-tx")).await;
        assert_refused(&db, "s-tx", tx, too_large_kind).await;
        let batch = db.batch_write().put(&too_large("s-batch")).await;
        assert_refused(&db, "s-batch", batch, too_large_kind).await;
        let upsert = db
            .update::<Guarded>("s-upsert")
            .upsert()
            .set(&f.note, "fine")
            .set(&f.blob, "x".repeat(500))
            .await;
        assert_refused(&db, "s-upsert", upsert, too_large_kind).await;
        db.put(&guarded("s-update")).await.unwrap();
        let update = db.update::<Guarded>("s-update").set(&f.blob, "x".repeat(500)).await;
        let error = update.unwrap_err();
        assert!(too_large_kind(error.kind()), "{error}");
        let tx = db
            .transact_write()
            .update::<Guarded>("s-update", |u| u.set(&f.blob, "x".repeat(500)))
            .await
            .unwrap_err();
        assert!(too_large_kind(tx.kind()), "{tx}");
        // Members added to a set count too: the set holds at least them afterwards.
        let tags: std::collections::BTreeSet<String> = (0..10).map(|i| format!("{i:0>60}")).collect();
        let add = db.update::<Guarded>("s-update").add(&f.tags, tags).await.unwrap_err();
        assert!(too_large_kind(add.kind()), "{add}");
        assert_eq!(db.get::<Guarded>("s-update").await.unwrap(), Some(guarded("s-update")));
    }

    async fn hooks_run_around_every_write_and_skip_hooks_stops_them(db: Dynamo) {
        db.create_table::<Guarded>().await.unwrap();
        let f = Guarded::fields();
        // The hook log is shared by the process: ids of this run only.
        let run = fastrand::u64(..);
        let id = |name: &str| format!("{name}-{run}");
        let item = guarded(&id("h-item"));
        db.put(&item).await.unwrap();
        db.update::<Guarded>(id("h-item")).increment(&f.count, 1).await.unwrap();
        db.delete(&item).await.unwrap();
        assert_eq!(
            calls(&id("h-item")),
            ["before_save", "after_save", "before_update", "after_update", "before_delete", "after_delete"]
        );

        db.put(&guarded(&id("h-key"))).skip_hooks().await.unwrap();
        db.update::<Guarded>(id("h-key")).increment(&f.count, 1).skip_hooks().await.unwrap();
        db.delete_by_key::<Guarded>(id("h-key")).await.unwrap();
        assert_eq!(calls(&id("h-key")), ["before_delete_key", "after_delete_key"]);

        db.transact_write().put(&guarded(&id("h-tx-put"))).await.unwrap();
        db.transact_write()
            .update::<Guarded>(id("h-tx-put"), |u| u.increment(&f.count, 1))
            .delete::<Guarded>(id("h-tx-other"))
            .await
            .unwrap();
        assert_eq!(
            calls(&id("h-tx-put")),
            ["before_save", "after_save", "before_update", "after_update"]
        );
        assert_eq!(calls(&id("h-tx-other")), ["before_delete_key", "after_delete_key"]);
        db.transact_write()
            .put_with(&guarded(&id("h-tx-quiet")), |p| p.skip_hooks())
            .update::<Guarded>(id("h-tx-quiet-u"), |u| u.set(&f.note, "n").upsert().skip_hooks())
            .delete_with::<Guarded>(id("h-tx-quiet-d"), |d| d.skip_hooks())
            .await
            .unwrap();
        for quiet in ["h-tx-quiet", "h-tx-quiet-u", "h-tx-quiet-d"] {
            assert_eq!(calls(&id(quiet)), Vec::<&str>::new(), "{quiet}");
        }
        // A cancelled transaction runs no `after_*` hook.
        db.transact_write()
            .put(&guarded(&id("h-tx-cancelled")))
            .condition_check::<Guarded>(id("h-absent"), f.count.gt(1))
            .await
            .unwrap_err();
        assert_eq!(calls(&id("h-tx-cancelled")), ["before_save"]);

        db.batch_write()
            .put(&guarded(&id("h-batch")))
            .delete::<Guarded>(id("h-batch-gone"))
            .await
            .unwrap();
        assert_eq!(calls(&id("h-batch")), ["before_save", "after_save"]);
        assert_eq!(calls(&id("h-batch-gone")), ["before_delete_key", "after_delete_key"]);
    }

    async fn a_hook_that_refuses_stops_the_write_on_every_path(db: Dynamo) {
        db.create_table::<Guarded>().await.unwrap();
        let f = Guarded::fields();
        assert_refused(&db, "refuse-put", db.put(&guarded("refuse-put")).await, hook_refusal).await;
        let tx = db.transact_write().put(&guarded("refuse-tx")).await;
        assert_refused(&db, "refuse-tx", tx, hook_refusal).await;
        let batch = db.batch_write().put(&guarded("refuse-batch")).await;
        assert_refused(&db, "refuse-batch", batch, hook_refusal).await;
        let insert = db.statements::<Guarded>().insert(&guarded("refuse-partiql"));
        assert_refused(&db, "refuse-partiql", insert, hook_refusal).await;
        let upsert = db.update::<Guarded>("refuse-up").upsert().set(&f.note, "x").await;
        assert_refused(&db, "refuse-up", upsert, hook_refusal).await;

        // Stored without hooks, then refused by the delete hooks: still there.
        db.put(&guarded("refuse-del")).skip_hooks().await.unwrap();
        let by_item = db.delete(&guarded("refuse-del")).await.unwrap_err();
        assert!(hook_refusal(by_item.kind()), "{by_item}");
        let by_key = db.delete_by_key::<Guarded>("refuse-del").await.unwrap_err();
        assert!(hook_refusal(by_key.kind()), "{by_key}");
        assert!(db.get::<Guarded>("refuse-del").await.unwrap().is_some());
        db.delete_by_key::<Guarded>("refuse-del").skip_hooks().await.unwrap();
        assert_eq!(db.get::<Guarded>("refuse-del").await.unwrap(), None);
    }

    async fn partiql_updates_and_deletes_go_through_the_pipeline(db: Dynamo) {
        db.create_table::<Ledger>().await.unwrap();
        let mut ledger = Ledger { id: "l1".into(), owner: "ann".into(), version: 0, updated: 0, edits: 0 };
        db.save(&mut ledger).await.unwrap();
        let stored = db.get::<Ledger>("l1").await.unwrap().unwrap();
        let f = Ledger::fields();
        let statement = db.statements::<Ledger>().update("l1").set(&f.owner, "bob");
        db.execute::<Ledger>(statement).await.unwrap();
        let updated = db.get::<Ledger>("l1").await.unwrap().unwrap();
        // The version and the counter counted up, `updated_at` set, the index key moved.
        assert_eq!((updated.version, updated.edits), (stored.version + 1, stored.edits + 1));
        assert!(updated.updated >= stored.updated && updated.updated > 0);
        let by_owner = db.query(Ledger::query_by_owner("bob")).all().await.unwrap();
        assert_eq!(by_owner, std::slice::from_ref(&updated));
        assert!(db.query(Ledger::query_by_owner("ann")).all().await.unwrap().is_empty());

        db.create_table::<Guarded>().await.unwrap();
        let run = fastrand::u64(..);
        let id = |name: &str| format!("{name}-{run}");
        let g = Guarded::fields();
        let statements = db.statements::<Guarded>();
        db.put(&guarded(&id("p-update"))).skip_hooks().await.unwrap();
        db.execute::<Guarded>(statements.update(id("p-update")).set(&g.note, "n")).await.unwrap();
        db.execute::<Guarded>(statements.delete(id("p-update"))).await.unwrap();
        // Before hooks run when the statement is built; a statement carries no after hook.
        assert_eq!(calls(&id("p-update")), ["before_update", "before_delete_key"]);
        db.put(&guarded(&id("p-quiet"))).skip_hooks().await.unwrap();
        db.execute::<Guarded>(statements.update(id("p-quiet")).set(&g.note, "n").skip_hooks())
            .await
            .unwrap();
        db.execute::<Guarded>(statements.delete(id("p-quiet")).skip_hooks()).await.unwrap();
        assert_eq!(calls(&id("p-quiet")), Vec::<&str>::new());

        db.put(&guarded("refuse-partiql-key")).skip_hooks().await.unwrap();
        let update = db.execute::<Guarded>(statements.update("refuse-partiql-key").set(&g.note, "x")).await;
        assert!(hook_refusal(update.unwrap_err().kind()));
        let delete = db.execute::<Guarded>(statements.delete("refuse-partiql-key")).await;
        assert!(hook_refusal(delete.unwrap_err().kind()));
        assert_eq!(db.get::<Guarded>("refuse-partiql-key").await.unwrap(), Some(guarded("refuse-partiql-key")));
    }

    async fn an_update_never_leaves_an_item_the_model_cannot_read(db: Dynamo) {
        db.create_table::<Guarded>().await.unwrap();
        let f = Guarded::fields();
        // Not an upsert: a missing item is an error naming the model and key, and nothing
        // is written.
        let error = db.update::<Guarded>("e-missing").increment(&f.count, 1).await.unwrap_err();
        assert!(error.is_item_not_found(), "{error}");
        assert!(error.to_string().contains("`Guarded`") && error.to_string().contains("(id)"), "{error}");
        assert_eq!(db.get::<Guarded>("e-missing").await.unwrap(), None);
        // With a condition of the caller's, a missing item is still told apart.
        let error = db
            .update::<Guarded>("e-missing")
            .increment(&f.count, 1)
            .condition(f.count.gt(5))
            .await
            .unwrap_err();
        assert!(error.is_item_not_found(), "{error}");
        // The caller's own failed condition stays a failed condition.
        db.put(&guarded("e-there")).await.unwrap();
        let error = db
            .update::<Guarded>("e-there")
            .increment(&f.count, 1)
            .condition(f.count.gt(5))
            .await
            .unwrap_err();
        assert!(error.is_conditional_check_failed() && !error.is_item_not_found(), "{error}");
        // An upsert must set every attribute the model requires (`note`), before sending.
        let error = db.update::<Guarded>("e-upsert").upsert().increment(&f.count, 1).await.unwrap_err();
        assert!(error.is_invalid_request() && error.to_string().contains("note"), "{error}");
        assert_eq!(db.get::<Guarded>("e-upsert").await.unwrap(), None);
        let created: Guarded = db
            .update::<Guarded>("e-upsert")
            .upsert()
            .set(&f.note, "made")
            .return_all_new()
            .await
            .unwrap();
        assert_eq!(created, Guarded { note: "made".into(), ..guarded("e-upsert") });
        // In a transaction too: an update of a missing item cancels it, an upsert creates.
        let error = db
            .transact_write()
            .update::<Guarded>("e-tx", |u| u.increment(&f.count, 1))
            .await
            .unwrap_err();
        assert!(error.is_transaction_canceled(), "{error}");
        assert_eq!(db.get::<Guarded>("e-tx").await.unwrap(), None);
        db.transact_write()
            .upsert::<Guarded>("e-tx", |u| u.set(&f.note, "made"))
            .await
            .unwrap();
        assert_eq!(db.get::<Guarded>("e-tx").await.unwrap(), Some(Guarded { note: "made".into(), ..guarded("e-tx") }));
    }

    async fn transaction_options_apply_whatever_the_call_order(db: Dynamo) {
        db.create_table::<Guarded>().await.unwrap();
        let f = Guarded::fields();
        db.put(&guarded("o-1")).await.unwrap();
        // Called last, as the README shows it: the reason still carries the item.
        let error = db
            .transact_write()
            .condition_check::<Guarded>("o-1", f.count.gt(5))
            .return_items_on_condition_failure()
            .await
            .unwrap_err();
        let reason = &error.reasons()[0];
        assert_eq!(reason.code, "ConditionalCheckFailed");
        let item = reason.item.clone().expect("the item as it was");
        assert_eq!(Guarded::from_item(item).unwrap(), guarded("o-1"));
    }

    async fn transaction_items_take_conditions_as_single_operations_do(db: Dynamo) {
        db.create_table::<Guarded>().await.unwrap();
        let f = Guarded::fields();
        db.put(&guarded("c-1")).await.unwrap();
        let replaced = Guarded { note: "replaced".into(), ..guarded("c-1") };
        let error = db
            .transact_write()
            .put_with(&replaced, |p| p.condition(f.id.not_exists()))
            .delete_with::<Guarded>("c-1-other", |d| d.condition(f.id.exists()))
            .await
            .unwrap_err();
        let codes: Vec<&str> = error.reasons().iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["ConditionalCheckFailed", "ConditionalCheckFailed"]);
        assert_eq!(db.get::<Guarded>("c-1").await.unwrap(), Some(guarded("c-1")));

        db.transact_write()
            .put_with(&replaced, |p| p.condition(f.note.eq("fine")))
            .await
            .unwrap();
        assert_eq!(db.get::<Guarded>("c-1").await.unwrap(), Some(replaced));
        db.transact_write()
            .delete_with::<Guarded>("c-1", |d| d.condition(f.note.eq("replaced")))
            .await
            .unwrap();
        assert_eq!(db.get::<Guarded>("c-1").await.unwrap(), None);
    }

    async fn put_and_delete_return_what_was_asked_for(db: Dynamo) {
        db.create_table::<Guarded>().await.unwrap();
        let () = db.put(&guarded("r-1")).await.unwrap();
        let old: Option<Guarded> = db
            .put(&Guarded { note: "second".into(), ..guarded("r-1") })
            .return_old()
            .await
            .unwrap();
        assert_eq!(old, Some(guarded("r-1")));
        let gone: Option<Guarded> = db.delete_by_key::<Guarded>("r-1").return_old().await.unwrap();
        assert_eq!(gone.map(|g| g.note), Some("second".to_owned()));
        let () = db.delete_by_key::<Guarded>("r-1").await.unwrap();
    }
}
