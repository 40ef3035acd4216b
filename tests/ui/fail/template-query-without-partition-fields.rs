use dynamo_model::{Dynamo, DynamoModel};

#[derive(DynamoModel)]
#[dynamo(table = "shop", pk = "TENANT#{tenant}#USER#{user_id}", sk = "ORDER#{order_id}")]
struct Order {
    tenant: String,
    user_id: String,
    order_id: String,
}

async fn orders(db: &Dynamo) {
    // The access pattern takes every field of the partition key's template.
    let _ = db.query(Order::query_by_tenant_and_user_id("t1")).all().await;
    // A templated partition has no single value to query with.
    let _ = db.query::<Order>("USER#u1").all().await;
}

fn main() {}
