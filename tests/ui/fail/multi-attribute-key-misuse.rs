//! Each misuse of a multi-attribute index key: a missing partition attribute, a sort
//! attribute out of order (a gap), a sort attribute after a range comparison, the key of
//! a one-attribute index given to it, and `range` on a multi-attribute sort key.

use dynamo_model::{Dynamo, DynamoModel};

#[derive(Debug, DynamoModel)]
#[dynamo(
    table = "events",
    hash_key = "id",
    gsi(
        name = "by_place",
        hash_key = ["tenant", "region"],
        range_key = ["status", "at", "seq"]
    )
)]
pub struct Event {
    pub id: String,
    pub tenant: String,
    pub region: String,
    pub status: String,
    pub at: u64,
    pub seq: u32,
}

async fn misuse(db: &Dynamo) {
    let f = Event::fields();
    // The partition needs `tenant` and `region`.
    let _ = Event::BY_PLACE.key("t1");
    // `at` comes after `status`: no gap.
    let _ = Event::BY_PLACE.key("t1", "eu").sort(f.at.gt(5u64));
    let _ = Event::BY_PLACE.key("t1", "eu").sort_eq(&f.seq, 5u32);
    // A range comparison ends the key condition.
    let _ = Event::BY_PLACE
        .key("t1", "eu")
        .sort(f.status.begins_with("o"))
        .sort_eq(&f.at, 5u64);
    // The partition is every attribute, through `key(..)`.
    let _ = db.query((Event::BY_PLACE, "t1"));
    // `range` names the one sort attribute of other keys.
    let _ = db.query(Event::BY_PLACE.key("t1", "eu")).range(f.status.eq("open"));
}

fn main() {
    let _ = misuse;
}
