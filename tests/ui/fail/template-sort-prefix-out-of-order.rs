use dynamo_model::{Dynamo, DynamoModel};

#[derive(DynamoModel)]
#[dynamo(table = "shop", pk = "USER#{user_id}", sk = "ORDER#{created_at:10}#{order_id}")]
struct Order {
    user_id: String,
    order_id: String,
    created_at: u64,
}

async fn orders(db: &Dynamo) {
    // `order_id` comes after `created_at` in the sort key: it cannot be the prefix.
    let _ = db
        .query(Order::query_by_user_id("u1").sk_begins_with(("o1",)))
        .all()
        .await;
    // Three values for a two-field sort key.
    let _ = db
        .query(Order::query_by_user_id("u1").sk_begins_with((5u64, "o1", 3u8)))
        .all()
        .await;
}

fn main() {}
