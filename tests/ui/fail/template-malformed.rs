use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(
    table = "shop",
    pk = "USER#{user_id",
    sk = "{created_at}{order_id}",
    gsi(name = "by_status", hash_key = "status", pk = "STATUS#{status}")
)]
struct Order {
    user_id: String,
    order_id: String,
    created_at: u64,
    status: String,
}

fn main() {}
