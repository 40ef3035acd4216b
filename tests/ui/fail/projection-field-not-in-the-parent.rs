use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "user_id")]
pub struct User {
    pub user_id: String,
    pub email: String,
    pub age: u32,
}

// `nickname` is not a field of `User`, and `age` is a `u32` there.
#[derive(DynamoModel)]
#[dynamo(projection_of = "User")]
pub struct UserCard {
    pub user_id: String,
    pub nickname: String,
    pub age: String,
}

fn main() {}
