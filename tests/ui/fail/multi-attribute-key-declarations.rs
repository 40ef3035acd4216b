//! Declaring a multi-attribute key wrongly: more than four attributes, on a local index,
//! with a key template, a field named twice, and a field that does not exist.

use dynamo_model::DynamoModel;

#[derive(DynamoModel)]
#[dynamo(
    table = "events",
    hash_key = "id",
    range_key = "at",
    gsi(name = "too_many", hash_key = ["a", "b", "c", "d", "e"]),
    lsi(name = "local", range_key = ["a", "b"]),
    gsi(name = "templated", pk = "T#{a}", range_key = ["b", "c"]),
    gsi(name = "twice", hash_key = ["a", "b", "a"]),
    gsi(name = "unknown", hash_key = ["a", "regoin"])
)]
pub struct Event {
    pub id: String,
    pub at: u64,
    pub a: String,
    pub b: String,
    pub c: String,
    pub d: String,
    pub e: String,
    pub region: String,
}

fn main() {}
