use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "user_id", rename_all = "camelCase")]
pub struct User {
    pub user_id: String,
    pub display_name: String,
}

// The parent stores `displayName`; this projection would read `display_name`.
#[derive(DynamoModel)]
#[dynamo(projection_of = "User")]
pub struct UserCard {
    pub display_name: String,
}

fn main() {}
