use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "my users!", hash_key = "id")]
struct User {
    id: String,
}

fn main() {}
