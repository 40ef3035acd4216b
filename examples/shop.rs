//! A small shop in one table: users, their orders and the orders' lines share a partition
//! (`USER#<id>`), each told apart by its entity type and sort-key template; a global index
//! finds orders by status, and a sparse one only the orders with a coupon.
//! `cargo run --example shop`

use dynamo_model::cursor::CursorKey;
use dynamo_model::{DynamoCollection, DynamoModel};

/// `pk = USER#u1`, `sk = PROFILE`; findable by email.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "shop",
    pk = "USER#{user_id}",
    sk = "PROFILE",
    entity = "user",
    gsi(name = "by_email", pk = "EMAIL#{email}", sk = "USER")
)]
struct User {
    user_id: String,
    email: String,
    name: String,
}

/// `sk = ORDER#0001764000000#o1`: a user's orders sort by time (zero-padded to 13 digits).
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "shop",
    pk = "USER#{user_id}",
    sk = "ORDER#{placed_at:13}#{order_id}",
    entity = "order",
    gsi(
        name = "by_status",
        pk = "STATUS#{status}",
        sk = "{placed_at:13}#{order_id}"
    ),
    gsi(name = "by_coupon", pk = "COUPON#{coupon}", sk = "{order_id}")
)]
struct Order {
    user_id: String,
    order_id: String,
    /// Milliseconds since the epoch.
    placed_at: u64,
    status: String,
    total_cents: u64,
    /// Orders without a coupon are not in `by_coupon` (a sparse index).
    coupon: Option<String>,
}

/// `sk = LINE#o1#001`: the lines of an order, in order.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "shop",
    pk = "USER#{user_id}",
    sk = "LINE#{order_id}#{line:3}",
    entity = "order_line"
)]
struct OrderLine {
    user_id: String,
    order_id: String,
    line: u16,
    sku: String,
    quantity: u32,
}

/// Everything in a user's partition, decoded by entity type.
#[derive(Debug, DynamoCollection)]
enum Account {
    User(User),
    Order(Order),
    Line(OrderLine),
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db = dynamo_model_examples::database().await;
    // One table; each entity declares its own indexes, the table holds them all.
    db.create_table::<Order>().with_indexes_of::<User>().await?;

    db.put(&User {
        user_id: "ada".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
    })
    .await?;
    for (n, (order_id, status, coupon)) in [
        ("o1", "shipped", None),
        ("o2", "paid", Some("WELCOME")),
        ("o3", "paid", None),
    ]
    .into_iter()
    .enumerate()
    {
        let placed_at = 1_764_000_000_000 + 60_000 * n as u64;
        db.put(&Order {
            user_id: "ada".into(),
            order_id: order_id.into(),
            placed_at,
            status: status.into(),
            total_cents: 1_250 * (n as u64 + 1),
            coupon: coupon.map(str::to_owned),
        })
        .await?;
        for line in 1..=2 {
            db.put(&OrderLine {
                user_id: "ada".into(),
                order_id: order_id.into(),
                line,
                sku: format!("sku-{order_id}-{line}"),
                quantity: 1,
            })
            .await?;
        }
    }

    // The whole partition, one query, each item in its own variant.
    let account: Vec<Account> = db
        .query(User::query_by_user_id("ada"))
        .collection::<Account>()
        .all()
        .await?;
    for entry in &account {
        match entry {
            Account::User(user) => println!("user {} <{}>", user.name, user.email),
            Account::Order(order) => println!(
                "order {} ({}), {} cents",
                order.order_id, order.status, order.total_cents
            ),
            Account::Line(line) => println!(
                "  line {} of {}: {} x {}",
                line.line, line.order_id, line.quantity, line.sku
            ),
        }
    }

    // Typed access patterns: the partition takes the template's fields, the sort key a
    // prefix of its fields in order.
    let latest = db
        .query(Order::query_by_user_id("ada"))
        .scan_forward(false)
        .limit(1)
        .page()
        .await?;
    println!("latest order: {}", latest.items[0].order_id);
    let lines_of_o2 = db
        .query(OrderLine::query_by_user_id("ada").sk_begins_with(("o2",)))
        .all()
        .await?;
    println!("o2 has {} lines", lines_of_o2.len());

    // Paying an order moves it between `by_status` partitions: the update recomputes the
    // index key from the new status.
    db.update::<Order>(("ada", 1_764_000_120_000u64, "o3"))
        .set(Order::fields().status, "shipped".to_owned())
        .await?;
    let shipped = db.query(Order::query_by_status("shipped")).all().await?;
    println!(
        "shipped: {:?}",
        shipped.iter().map(|o| &o.order_id).collect::<Vec<_>>()
    );

    let with_coupon = db.scan::<Order>().index(Order::BY_COUPON).all().await?;
    println!("orders with a coupon: {}", with_coupon.len());
    let by_email = db
        .query(User::query_by_email("ada@example.com"))
        .all()
        .await?;
    println!("found by email: {}", by_email[0].name);

    // A signed cursor for an API response: clients can hand it back, not forge one.
    let key = CursorKey::new(b"an example secret of 32 bytes...")?;
    let page = db
        .query(Order::query_by_user_id("ada"))
        .limit(2)
        .page()
        .await?;
    if let Some(cursor) = page.signed_cursor(&key) {
        let rest = db
            .query(Order::query_by_user_id("ada"))
            .start_from_signed_cursor(&cursor, &key)
            .page()
            .await?;
        println!("next page after the cursor: {} order(s)", rest.items.len());
    }

    // A key string parses back into its typed parts.
    let (user, placed_at, order) = Order::parse_key("USER#ada", "ORDER#1764000000000#o1")?;
    println!("parsed key: {user} {placed_at} {order}");
    Ok(())
}
