use dynamo_model::{Dynamo, DynamoModel};

#[derive(DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "user_id",
    gsi(name = "by_email", hash_key = "email", projection = "keys_only")
)]
pub struct User {
    pub user_id: String,
    pub email: String,
    pub bio: String,
}

#[derive(DynamoModel)]
#[dynamo(projection_of = "User")]
pub struct UserBio {
    pub user_id: String,
    pub bio: String,
}

async fn read(db: &Dynamo) {
    // `by_email` projects only the keys: it cannot return `bio`.
    let _ = db
        .query((User::BY_EMAIL, "ada@example.com"))
        .project::<UserBio>()
        .await;
}

fn main() {
    let _ = read;
}
