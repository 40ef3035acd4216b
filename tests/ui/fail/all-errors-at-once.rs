use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "usr_id",
    rename_all = "kebab",
    gsi(name = "by_email", hash_key = "emial"),
)]
struct User {
    user_id: String,
    email: String,
    #[dynamo(skip, with = "codec")]
    cache: Vec<u8>,
}

fn main() {}
