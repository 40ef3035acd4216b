use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "shop", pk = "USER#{user_id}", sk = "PROFILE")]
struct User {
    user_id: String,
    // The client writes `pk`, `sk` and `_type` itself.
    pk: String,
    #[dynamo(rename = "_type")]
    kind: String,
}

fn main() {}
