use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "flags", hash_key = "enabled")]
struct Flag {
    enabled: bool,
}

fn main() {}
