use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "id", lsi(name = "by_created", range_key = "created_at"))]
struct User {
    id: String,
    created_at: String,
}

fn main() {}
