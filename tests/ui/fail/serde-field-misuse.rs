use dynamo_model::DynamoModel;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Address {
    pub city: String,
}

#[derive(DynamoModel)]
#[dynamo(table = "orders", hash_key = "id")]
pub struct Order {
    #[dynamo(serde)]
    pub id: String,
    #[dynamo(serde, encrypt)]
    pub address: Address,
    #[dynamo(serde, version)]
    pub revision: u64,
}

fn main() {}
