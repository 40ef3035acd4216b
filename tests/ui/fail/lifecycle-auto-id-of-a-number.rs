use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(table = "tickets", hash_key = "id")]
struct Ticket {
    #[dynamo(auto_id = "uuid_v4")]
    id: u64,
}

fn main() {}
