use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(extra = "forbidden")]
struct Address {
    street: String,
}

fn main() {}
