use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "states", hash_key = "id")]
enum State {
    On,
    Off,
}

fn main() {}
