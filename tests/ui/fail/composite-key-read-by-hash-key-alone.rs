use dynamo_model::{DynamoModel, Table};

#[derive(DynamoModel)]
#[dynamo(table = "orders", hash_key = "customer_id", range_key = "order_id")]
struct Order {
    customer_id: String,
    order_id: String,
}

fn main() {
    let _key = Order::key_item("c1");
}
