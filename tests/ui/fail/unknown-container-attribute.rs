use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(tabel = "users", hash_key = "id")]
struct User {
    id: String,
}

fn main() {}
