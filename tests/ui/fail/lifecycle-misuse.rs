use dynamo_model::DynamoModel;

// Every misuse of a lifecycle attribute the derive reports, all at once.
#[derive(DynamoModel)]
#[dynamo(table = "documents", hash_key = "version")]
struct Document {
    #[dynamo(version)]
    version: u64,
    #[dynamo(version)]
    revision: u64,
    #[dynamo(created_at, updated_at)]
    stamped: String,
    #[dynamo(auto_id = "uuid_v6")]
    request: String,
    #[dynamo(ttl, skip)]
    expires: Option<u64>,
}

#[derive(DynamoModel)]
struct Nested {
    #[dynamo(counter)]
    hits: u64,
}

fn main() {}
