//! A tour for a newcomer, one capability per step, in the order they are usually needed:
//! `cargo run --example tour` (on the embedded memory backend; set
//! `AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000` for DynamoDB Local).
//!
//! 1. a model and its table   2. put, get, delete   3. conditions   4. updates
//! 5. queries and indexes     6. batches            7. transactions 8. errors

use dynamo_model::{Dynamo, DynamoModel};
use futures_util::TryStreamExt;

/// Step 1: a model is a struct; its table, keys and indexes are attributes.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "tour_orders",
    hash_key = "customer",
    range_key = "order_id",
    gsi(name = "by_status", hash_key = "status", range_key = "order_id")
)]
struct Order {
    customer: String,
    order_id: String,
    status: String,
    #[dynamo(validate = "positive")]
    total: f64,
    #[dynamo(version)]
    version: u64,
}

fn positive(total: &f64) -> Result<(), String> {
    if *total > 0.0 {
        Ok(())
    } else {
        Err(format!("a total is positive, not {total}"))
    }
}

fn order(customer: &str, id: &str, status: &str, total: f64) -> Order {
    Order {
        customer: customer.into(),
        order_id: id.into(),
        status: status.into(),
        total,
        version: 0,
    }
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db: Dynamo = dynamo_model_examples::database().await;
    let f = Order::fields();

    println!("1. the table, from the model (again at every start: if_not_exists)");
    db.create_table::<Order>().if_not_exists().await?;

    println!("2. put, get, delete: a composite key is a (hash, range) pair");
    db.put(&order("ann", "o1", "open", 20.0)).await?;
    let got = db.get::<Order>(("ann", "o1")).await?;
    println!("   got {got:?}");
    db.delete_by_key::<Order>(("ann", "o1")).await?;

    println!("3. conditions: versions checked for you, and your own, typed by model");
    let mut first = order("ann", "o2", "open", 35.0);
    db.save(&mut first).await?; // a versioned save: version 1, written back
    let stale = Order {
        total: 1.0,
        ..first.clone()
    };
    db.save(&mut first.clone()).await?; // someone else saved since: version 2
    let conflict = db.put(&stale).await.expect_err("a stale version");
    println!("   {conflict}");
    let refused = db
        .delete_by_key::<Order>(("ann", "o2"))
        .condition(f.status.eq("shipped"))
        .await
        .expect_err("the status is not shipped");
    println!("   {refused}");

    println!("4. updates: typed actions; an update needs the item unless upsert()");
    let updated = db
        .update::<Order>(("ann", "o2"))
        .set(&f.status, "paid")
        .increment(&f.total, 5.0)
        .return_all_new()
        .await?;
    println!(
        "   now {} at {}, version {}",
        updated.status, updated.total, updated.version
    );
    let missing = db
        .update::<Order>(("ann", "nope"))
        .set(&f.status, "paid")
        .await
        .expect_err("no such order");
    println!("   {missing}");

    println!("5. queries: a partition, an index, a limit, a stream");
    for (id, status, total) in [
        ("o3", "open", 12.0),
        ("o4", "open", 8.0),
        ("o5", "paid", 40.0),
    ] {
        db.put(&order("ann", id, status, total)).await?;
    }
    let all: Vec<Order> = db.query::<Order>("ann").await?;
    let open: Vec<Order> = db.query((Order::BY_STATUS, "open")).await?;
    let first_two: Vec<Order> = db.query::<Order>("ann").limit(2).await?;
    let big: Vec<Order> = db
        .query::<Order>("ann")
        .filter(f.total.gt(10.0))
        .stream()
        .try_collect()
        .await?;
    println!(
        "   {} orders, {} open, first two {:?}, {} over 10",
        all.len(),
        open.len(),
        first_two.iter().map(|o| &o.order_id).collect::<Vec<_>>(),
        big.len()
    );

    println!("6. batches: any size, split and retried for you");
    let many: Vec<Order> = (0..60)
        .map(|i| order("bob", &format!("b{i:02}"), "open", 1.0 + f64::from(i)))
        .collect();
    db.batch_write().put_all(&many).await?;
    let keys: Vec<(&str, String)> = (0..60).map(|i| ("bob", format!("b{i:02}"))).collect();
    let read: Vec<Order> = db.batch_get::<Order>(keys).await?;
    println!("   wrote and read {} orders", read.len());

    println!("7. transactions: all or nothing, each item with its own condition");
    let refund = order("bob", "refund-b00", "open", 1.0);
    let done = db
        .transact_write()
        .update::<Order>(("bob", "b00"), |u| {
            u.set(&f.status, "refunded").condition(f.status.eq("open"))
        })
        .put_with(&refund, |p| p.condition(f.order_id.not_exists()))
        .await;
    println!("   refund: {:?}", done.map(|()| "committed"));
    let again = db
        .transact_write()
        .update::<Order>(("bob", "b00"), |u| {
            u.set(&f.status, "refunded").condition(f.status.eq("open"))
        })
        .await
        .expect_err("b00 is refunded already");
    println!("   again: {again}");

    println!("8. errors say what is wrong, where, and the fix when there is one");
    let invalid = db
        .put(&order("ann", "o9", "open", -3.0))
        .await
        .expect_err("a negative total");
    println!("   {invalid}");
    let no_table = db
        .with_table_prefix("missing_")
        .get::<Order>(("ann", "o1"))
        .await
        .expect_err("no such table");
    println!("   {no_table}");
    println!("done");
    Ok(())
}
