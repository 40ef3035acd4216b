use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(hash_key = "street", gsi(name = "by_city", hash_key = "city"))]
struct Address {
    street: String,
    city: String,
}

fn main() {}
