use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "id",
    gsi(name = "by_email", hash_key = "email"),
    gsi(name = "by_email", hash_key = "name")
)]
struct User {
    id: String,
    email: String,
    name: String,
}

fn main() {}
