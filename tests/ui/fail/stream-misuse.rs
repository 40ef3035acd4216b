use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "orders", hash_key = "id", stream = "new_and_old")]
pub struct Order {
    pub id: String,
}

#[derive(DynamoModel)]
#[dynamo(stream = "keys_only")]
pub struct Address {
    pub city: String,
}

fn main() {}
