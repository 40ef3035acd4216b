use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "id")]
struct User {
    #[dynamo(skip)]
    id: String,
    name: String,
}

fn main() {}
