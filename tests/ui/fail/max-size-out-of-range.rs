use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "notes", hash_key = "id", max_size = 500000)]
struct Note {
    id: String,
}

#[derive(DynamoModel)]
#[dynamo(max_size = 100)]
struct Nested {
    id: String,
}

fn main() {}
