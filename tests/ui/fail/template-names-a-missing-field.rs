use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "shop", pk = "USER#{user_id}", sk = "ORDER#{created}#{order_id}")]
struct Order {
    user_id: String,
    order_id: String,
    created_at: u64,
}

fn main() {}
