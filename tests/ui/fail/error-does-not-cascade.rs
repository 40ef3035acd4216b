use dynamo_model::{DynamoModel, Table};

#[derive(DynamoModel)]
#[dynamo(table = "users", hash_key = "id", typo = true)]
struct User {
    id: String,
}

fn main() {
    // The stub impl emitted with the error keeps these uses free of further errors.
    let user = User { id: "u1".into() };
    let _item = user.to_item();
    let _meta = <User as Table>::meta();
}
