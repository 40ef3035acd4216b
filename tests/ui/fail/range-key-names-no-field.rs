use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "orders", hash_key = "customer_id", range_key = "order")]
struct Order {
    customer_id: String,
    order_id: String,
}

fn main() {}
