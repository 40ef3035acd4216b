//! An index key names at least one field.

use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "events", hash_key = "id", gsi(name = "empty", hash_key = []))]
pub struct Event {
    pub id: String,
}

fn main() {}
