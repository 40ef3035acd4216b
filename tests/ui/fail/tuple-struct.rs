use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "pairs", hash_key = "0")]
struct Pair(String, u32);

fn main() {}
