use std::collections::HashMap;

use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "docs", hash_key = "id", gsi(name = "by_meta", hash_key = "meta"))]
struct Doc {
    id: String,
    meta: HashMap<String, String>,
}

fn main() {}
