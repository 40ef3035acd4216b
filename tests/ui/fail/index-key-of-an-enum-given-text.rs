use dynamo_model::{DynamoAttribute, DynamoModel};

#[derive(Debug, Clone, Copy, PartialEq, DynamoAttribute)]
#[dynamo(rename_all = "lowercase")]
pub enum Status {
    Open,
    Closed,
}

#[derive(DynamoModel)]
#[dynamo(table = "orders", hash_key = "id", gsi(name = "by_status", hash_key = "status"))]
pub struct Order {
    pub id: String,
    pub status: Status,
}

fn main() {
    let db = dynamo_model::Dynamo::memory();
    let _ = db.query((Order::BY_STATUS, "open"));
}
