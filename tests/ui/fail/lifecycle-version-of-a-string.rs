use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "documents", hash_key = "id")]
struct Document {
    id: String,
    #[dynamo(version)]
    version: String,
}

fn main() {}
