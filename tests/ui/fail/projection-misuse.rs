use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "user_id")]
pub struct User {
    pub user_id: String,
}

#[derive(DynamoModel)]
#[dynamo(projection_of = "User", table = "cards", hash_key = "user_id")]
pub struct UserCard {
    pub user_id: String,
}

#[derive(DynamoModel)]
#[dynamo(projection_of = "User", extra = "forbid")]
pub struct StrictCard {
    pub user_id: String,
}

fn main() {}
