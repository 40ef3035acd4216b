use dynamo_model::{Dynamo, DynamoModel};

#[derive(DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "id",
    gsi(name = "by_email", hash_key = "email")
)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
}

#[derive(DynamoModel)]
#[dynamo(table = "orders", hash_key = "id", gsi(name = "by_status", hash_key = "status"))]
pub struct Order {
    pub id: String,
    pub status: String,
}

async fn reads(db: Dynamo) {
    // `User` declares no index `by_name`.
    let _ = db.query((User::BY_NAME, "ada")).all().await;
    // `by_status` is an index of `Order`, not of `User`.
    let _ = db.scan::<User>().index(Order::BY_STATUS).all().await;
    let _ = db.query::<User>("u1").index(Order::BY_STATUS).all().await;
}

fn main() {
    let _ = reads;
}
