use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "id")]
struct User {
    id: String,
    #[dynamo(renam = "fullName")]
    name: String,
}

fn main() {}
