use dynamo_model::{DynamoModel, Table};

#[derive(DynamoModel)]
struct Address {
    city: String,
}

fn main() {
    let _meta = <Address as Table>::meta();
}
