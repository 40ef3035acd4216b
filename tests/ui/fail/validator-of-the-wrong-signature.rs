use dynamo_model::DynamoModel;

fn long_enough(name: String) -> bool {
    name.len() > 2
}

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "id")]
pub struct User {
    pub id: String,
    #[dynamo(validate = "long_enough")]
    pub name: String,
}

fn main() {}
