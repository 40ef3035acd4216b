use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "id")]
struct User {
    id: Option<String>,
}

fn main() {}
