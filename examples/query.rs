//! Queries: key conditions, filters, pages, streams, counts, a local and a global index,
//! and a parallel scan. `cargo run --example query`

use dynamo_model::DynamoModel;
use futures_util::TryStreamExt;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "orders",
    hash_key = "customer_id",
    range_key = "order_id",
    lsi(name = "by_created", range_key = "created_at"),
    gsi(name = "by_status", hash_key = "status", range_key = "total")
)]
struct Order {
    customer_id: String,
    order_id: String,
    created_at: String,
    total: f64,
    status: String,
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db = dynamo_model_examples::database().await;
    db.create_table::<Order>().await?;
    let orders: Vec<Order> = (0..20)
        .map(|n| Order {
            customer_id: "c1".into(),
            order_id: format!("2026-{:02}-{n:03}", 1 + n % 12),
            created_at: format!("2026-11-{:02}", 1 + n),
            total: f64::from(n) * 4.5,
            status: if n % 3 == 0 {
                "open".into()
            } else {
                "shipped".into()
            },
        })
        .collect();
    db.batch_write().put_all(&orders).await?;
    let f = Order::fields();

    let march = db
        .query::<Order>("c1")
        .range(f.order_id.begins_with("2026-03"))
        .await?;
    println!("orders of March: {}", march.len());

    let page = db
        .query::<Order>("c1")
        .page_size(7)
        .scan_forward(false)
        .page()
        .await?;
    println!(
        "first page, newest first: {} items, more: {}",
        page.items.len(),
        page.last_evaluated_key.is_some()
    );

    let big: Vec<Order> = db
        .query::<Order>("c1")
        .filter(f.total.between(40.0, 80.0))
        .stream()
        .try_collect()
        .await?;
    println!("orders between 40 and 80: {}", big.len());

    let recent = db
        .query::<Order>("c1")
        .index(Order::BY_CREATED)
        .range(f.created_at.ge("2026-11-15"))
        .count()
        .await?;
    println!("created since Nov 15 (local index): {recent}");

    let open = db
        .query((Order::BY_STATUS, "open"))
        .range(f.total.gt(20.0))
        .all()
        .await?;
    println!("open orders over 20 (global index): {}", open.len());

    let everything = db.scan::<Order>().segments(4).all().await?;
    println!("parallel scan in 4 segments: {} items", everything.len());
    Ok(())
}
