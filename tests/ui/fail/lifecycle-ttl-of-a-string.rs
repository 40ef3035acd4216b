use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "sessions", hash_key = "id")]
struct Session {
    id: String,
    #[dynamo(ttl)]
    expires: String,
}

fn main() {}
