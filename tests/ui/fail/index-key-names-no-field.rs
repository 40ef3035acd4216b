use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "id", gsi(name = "by_email", hash_key = "mail"))]
struct User {
    id: String,
    email: String,
}

fn main() {}
