use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
struct Profile {
    #[dynamo(rename = "name")]
    display_name: String,
    name: String,
}

fn main() {}
