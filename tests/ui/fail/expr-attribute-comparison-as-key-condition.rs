#![allow(unused_imports)]

use std::collections::BTreeSet;

use dynamo_model::expr::{Condition, KeyCondition, Update};
use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "id",
    range_key = "joined",
    gsi(name = "by_email", hash_key = "email", range_key = "age"),
    lsi(name = "by_name", range_key = "name")
)]
pub struct User {
    pub id: String,
    pub joined: u64,
    pub email: String,
    pub name: String,
    pub age: u32,
    pub tags: BTreeSet<String>,
    pub log: Vec<String>,
    pub nickname: Option<String>,
}

#[derive(DynamoModel)]
#[dynamo(table = "orders", hash_key = "id")]
pub struct Order {
    pub id: String,
    pub total: f64,
}

fn main() {
    let f = User::fields();
    let _ = KeyCondition::<User>::hash("u1").range(f.joined.lt(&f.joined));
}
