use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "customers", hash_key = "id")]
pub struct Customer {
    pub id: String,
    #[dynamo(flatten)]
    pub tags: Vec<String>,
}

fn main() {}
