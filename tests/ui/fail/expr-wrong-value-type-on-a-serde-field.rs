use dynamo_model::DynamoModel;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Address {
    pub city: String,
}

#[derive(DynamoModel)]
#[dynamo(table = "orders", hash_key = "id")]
pub struct Order {
    pub id: String,
    #[dynamo(serde)]
    pub address: Address,
}

fn main() {
    let f = Order::fields();
    // A serde field takes values of its own type, not another serializable type.
    let _ = f.address.eq("Lyon");
}
