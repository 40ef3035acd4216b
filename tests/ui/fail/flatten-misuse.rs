use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
pub struct Address {
    pub city: String,
}

#[derive(DynamoModel)]
#[dynamo(table = "customers", hash_key = "address", extra = "forbid")]
pub struct Customer {
    #[dynamo(flatten)]
    pub address: Address,
    #[dynamo(flatten, rename = "home")]
    pub home: Address,
}

fn main() {}
