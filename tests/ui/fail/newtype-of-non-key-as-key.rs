use dynamo_model::{DynamoAttribute, DynamoModel};

#[derive(Clone, DynamoAttribute)]
struct Enabled(bool);

#[derive(DynamoModel)]
#[dynamo(table = "flags", hash_key = "id")]
struct Flag {
    id: Enabled,
}

fn main() {}
