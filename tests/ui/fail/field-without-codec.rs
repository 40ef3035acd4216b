use dynamo_model::DynamoModel;

struct Money {
    cents: i64,
}

#[derive(DynamoModel)]
#[dynamo(table = "wallets", hash_key = "id")]
struct Wallet {
    id: String,
    balance: Money,
}

fn main() {}
