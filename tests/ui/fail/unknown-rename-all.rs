use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(rename_all = "camelcase")]
struct Address {
    street_name: String,
}

fn main() {}
