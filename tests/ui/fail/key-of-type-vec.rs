use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "lists", hash_key = "id", range_key = "tags")]
struct Tagged {
    id: String,
    tags: Vec<String>,
}

fn main() {}
