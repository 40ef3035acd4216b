use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "usr_id")]
struct User {
    user_id: String,
}

fn main() {}
