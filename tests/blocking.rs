//! The blocking client on both backends: the same builders, finished with `wait()`.

use std::future::IntoFuture;
use std::time::Duration;

use dynamo_model::blocking::{Dynamo, Iterate, Wait};
use dynamo_model::lock::LockClient;
use dynamo_model::partiql::IntoStatement;
use dynamo_model::{DynamoModel, ErrorKind, TtlState};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "accounts", hash_key = "owner", range_key = "name")]
struct Account {
    owner: String,
    name: String,
    balance: i64,
    #[dynamo(version)]
    version: u64,
}

fn account(name: &str, balance: i64) -> Account {
    Account {
        owner: "ada".into(),
        name: name.into(),
        balance,
        version: 0,
    }
}

/// Every kind of operation, blocking.
fn every_operation(db: &Dynamo) {
    let f = Account::fields();
    db.create_table::<Account>().wait().unwrap();
    let mut checking = account("checking", 100);
    db.save(&mut checking).unwrap();
    assert_eq!(checking.version, 1);
    db.put(&account("savings", 500)).wait().unwrap();
    assert_eq!(
        db.get::<Account>(("ada", "checking")).wait().unwrap(),
        Some(checking.clone())
    );
    let updated = db
        .update::<Account>(("ada", "checking"))
        .increment(&f.balance, 25)
        .condition(f.balance.ge(0))
        .return_all_new()
        .wait()
        .unwrap();
    assert_eq!((updated.balance, updated.version), (125, 2));
    assert!(db.put(&checking).wait().unwrap_err().is_version_conflict());

    let all = db.query::<Account>("ada").wait().unwrap();
    assert_eq!(all.len(), 2);
    let names: Vec<String> = db
        .query::<Account>("ada")
        .page_size(1)
        .iter()
        .map(|account| account.unwrap().name)
        .collect();
    assert_eq!(names, ["checking", "savings"]);
    assert_eq!(db.scan::<Account>().iter().count(), 2);
    assert_eq!(db.query::<Account>("ada").count().wait().unwrap(), 2);
    let page = db.query::<Account>("ada").limit(1).page().wait().unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.last_evaluated_key.is_some());
    assert_eq!(
        db.scan::<Account>()
            .filter(f.balance.gt(200))
            .wait()
            .unwrap()
            .len(),
        1
    );

    let batch: Vec<Account> = (0..30).map(|i| account(&format!("pot{i:02}"), i)).collect();
    db.batch_write().put_all(&batch).wait().unwrap();
    let keys: Vec<(&str, String)> = (0..30).map(|i| ("ada", format!("pot{i:02}"))).collect();
    assert_eq!(db.batch_get::<Account>(keys).wait().unwrap().len(), 30);

    db.transact_write()
        .update::<Account>(("ada", "savings"), |u| u.decrement(&f.balance, 100))
        .update::<Account>(("ada", "checking"), |u| u.increment(&f.balance, 100))
        .wait()
        .unwrap();
    let (savings, checking) = db
        .transact_get()
        .get::<Account>(("ada", "savings"))
        .get::<Account>(("ada", "checking"))
        .wait()
        .unwrap();
    assert_eq!(
        (savings.unwrap().balance, checking.unwrap().balance),
        (400, 225)
    );
    db.delete_by_key::<Account>(("ada", "savings"))
        .wait()
        .unwrap();
    assert_eq!(db.get::<Account>(("ada", "savings")).wait().unwrap(), None);

    // The operations that were plain `async fn`s are builders too: each waits.
    assert_eq!(db.query::<Account>("ada").count().wait().unwrap(), 31);
    assert_eq!(
        db.scan::<Account>()
            .page_size(5)
            .page()
            .wait()
            .unwrap()
            .items
            .len(),
        5
    );
    let raw = db
        .get::<Account>(("ada", "checking"))
        .item()
        .wait()
        .unwrap();
    assert!(raw.is_some_and(|item| item.contains_key("balance")));
    let outcome = db
        .batch_get::<Account>([("ada", "checking")])
        .outcome()
        .wait()
        .unwrap();
    assert_eq!(outcome.items.len(), 1);
    let written = db
        .batch_write()
        .put(&account("fourth", 4))
        .outcome()
        .wait()
        .unwrap();
    assert!(written.unprocessed.is_empty());
    let many = db
        .transact_get_many::<Account>([("ada", "checking"), ("ada", "none")])
        .wait()
        .unwrap();
    assert_eq!(many.len(), 2);
    db.enable_ttl::<Account>("expires").wait().unwrap();
    let info = db.describe::<Account>().wait().unwrap();
    assert!(matches!(
        info.ttl,
        TtlState::Enabled { .. } | TtlState::Enabling { .. }
    ));
    assert!(db
        .describe_table::<Account>()
        .wait()
        .unwrap()
        .table_name()
        .is_some());
    db.wait_until_active::<Account>(Duration::from_secs(5))
        .wait()
        .unwrap();
    let mut third = account("third", 3);
    db.as_async().save(&mut third).wait().unwrap();
    assert_eq!(third.version, 1);
    let f = Account::fields();
    let statements = db.statements::<Account>();
    let third_only = f.owner.eq("ada") & f.name.eq("third");
    let results = db
        .batch_execute::<Account>([statements.select().filter(third_only)])
        .wait();
    assert_eq!(results.unwrap().len(), 1);
    db.delete_table::<Account>().wait().unwrap();
    db.create_tables::<Account>().wait().unwrap();

    // The lock client: every call waits, and the heartbeat runs between waits.
    let locks = LockClient::new(db, "blocking-locks").lease(Duration::from_millis(600));
    locks.create_table().wait().unwrap();
    let lock = locks
        .acquire("job", Duration::ZERO)
        .wait()
        .unwrap()
        .keep_alive(Duration::from_millis(100))
        .unwrap();
    lock.heartbeat().wait().unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let other = LockClient::new(db, "blocking-locks");
    let taken = other.acquire("job", Duration::ZERO).wait().unwrap_err();
    assert!(
        matches!(taken.kind(), ErrorKind::LockTimeout { .. }),
        "{taken:?}"
    );
    assert!(lock.is_held());
    lock.release().wait().unwrap();
    other
        .acquire("job", Duration::ZERO)
        .wait()
        .unwrap()
        .release()
        .wait()
        .unwrap();
}

/// Dry runs of the batch operations: the requests they send first.
#[test]
fn batches_and_table_operations_have_dry_runs() {
    let db = Dynamo::memory().unwrap();
    let pots: Vec<Account> = (0..30).map(|i| account(&format!("pot{i:02}"), i)).collect();
    let writes = db.batch_write().put_all(&pots).to_request().unwrap();
    let sizes: Vec<usize> = writes
        .iter()
        .map(|r| {
            r.get_request_items()
                .as_ref()
                .unwrap()
                .values()
                .map(Vec::len)
                .sum()
        })
        .collect();
    assert_eq!(sizes, [25, 5]);
    let keys: Vec<(&str, String)> = (0..150).map(|i| ("ada", format!("pot{i:03}"))).collect();
    let reads = db.batch_get::<Account>(keys).to_request().unwrap();
    assert_eq!(reads.len(), 2);
    let statements = db.statements::<Account>();
    let f = Account::fields();
    let batch = db
        .batch_execute::<Account>([
            statements.delete(("ada", "a")).into_statement(),
            statements
                .update(("ada", "b"))
                .set(&f.balance, 1)
                .into_statement(),
        ])
        .to_request()
        .unwrap();
    assert_eq!(batch.get_statements().as_ref().unwrap().len(), 2);
    let delete = db.delete_table::<Account>().to_request().unwrap();
    assert_eq!(delete.get_table_name().as_deref(), Some("accounts"));
    let ttl = db.enable_ttl::<Account>("expires").to_request().unwrap();
    assert_eq!(ttl.get_table_name().as_deref(), Some("accounts"));
}

#[test]
fn every_operation_on_memory() {
    every_operation(&Dynamo::memory().unwrap());
}

#[test]
fn every_operation_on_dynamodb_local() {
    every_operation(&Dynamo::from_async(dynamo_model_tests::local()).unwrap());
}

#[test]
fn clones_share_the_store_and_the_runtime() {
    let db = Dynamo::memory_with::<Account>().unwrap();
    let clone = db.clone();
    let prefixed = db.with_table_prefix("other_");
    clone.put(&account("checking", 1)).wait().unwrap();
    assert!(db
        .get::<Account>(("ada", "checking"))
        .wait()
        .unwrap()
        .is_some());
    // Another prefix is another table, which was never created.
    let error = prefixed
        .get::<Account>(("ada", "checking"))
        .wait()
        .unwrap_err();
    assert!(error.is_not_found(), "{error}");
}

#[test]
fn wait_on_an_async_client_is_an_error_not_a_hang() {
    let db = dynamo_model::Dynamo::memory();
    let error = db.get::<Account>(("ada", "x")).wait().unwrap_err();
    assert!(
        error.to_string().contains("dynamo_model::blocking::Dynamo"),
        "{error}"
    );
    let mut items = db.scan::<Account>().iter();
    let error = items.next().expect("the error").unwrap_err();
    assert!(
        error.to_string().contains("dynamo_model::blocking::Dynamo"),
        "{error}"
    );
    assert!(items.next().is_none(), "the error ends the iteration");
    // A lock's heartbeat needs a runtime: an error outside one, not a panic.
    let locks = LockClient::new(&db, "locks");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(locks.create_table().into_future())
        .unwrap();
    let lock = runtime
        .block_on(locks.acquire("job", Duration::ZERO).into_future())
        .unwrap();
    let error = lock.keep_alive(Duration::from_secs(1)).unwrap_err();
    assert!(error.to_string().contains("no async runtime"), "{error}");
}

#[tokio::test]
async fn wait_inside_an_async_runtime_is_an_error_not_a_panic() {
    let db = Dynamo::memory_with::<Account>();
    // Creating tables blocks, so even that reports the runtime instead of panicking.
    let error = db.unwrap_err();
    assert!(
        error.to_string().contains("inside an async runtime"),
        "{error}"
    );
    let db = Dynamo::memory().unwrap();
    let error = db.get::<Account>(("ada", "x")).wait().unwrap_err();
    assert!(
        error.to_string().contains("`.await` the operation"),
        "{error}"
    );
    // Dropping the blocking client here does not panic either.
    drop(db);
}
