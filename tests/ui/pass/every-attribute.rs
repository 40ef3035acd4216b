//! Every attribute of `#[derive(DynamoModel)]` and `#[derive(DynamoAttribute)]`, once.

use std::collections::BTreeSet;

use dynamo_model::{DynamoAttribute, DynamoModel, Problems};

fn check_model(_: &Account) -> Result<(), Problems> {
    Ok(())
}

fn check_email(email: &str) -> Result<(), String> {
    if email.contains('@') { Ok(()) } else { Err("needs an @".into()) }
}

fn one() -> u32 {
    1
}

mod as_text {
    use dynamo_model::{AttributeValue, FromAttributeValue, Problems};

    pub fn to_attribute_value(value: &u32) -> Option<AttributeValue> {
        Some(AttributeValue::S(value.to_string()))
    }

    pub fn from_attribute_value(value: AttributeValue) -> Result<u32, Problems> {
        let text = String::from_attribute_value(value)?;
        text.parse().map_err(|_| Problems::single("not a number"))
    }
}

#[derive(Clone, Copy, DynamoAttribute)]
#[dynamo(rename_all = "lowercase", crate = "::dynamo_model")]
enum Plan {
    Free,
    #[dynamo(rename = "pro-plan")]
    Pro,
}

#[derive(Clone, DynamoAttribute)]
struct AccountId(String);

#[derive(DynamoModel)]
#[dynamo(
    table = "accounts",
    hash_key = "id",
    range_key = "region",
    gsi(name = "by_email", hash_key = "email", range_key = "created", projection = "all"),
    gsi(name = "by_plan", hash_key = "plan", projection = "keys_only"),
    gsi(name = "by_referrer", hash_key = "referrer", projection(include("email", "created"))),
    lsi(name = "by_created", range_key = "created", projection = "keys_only"),
    rename_all = "camelCase",
    extra = "forbid",
    validate = "check_model",
    crate = "::dynamo_model"
)]
struct Account {
    id: AccountId,
    region: String,
    #[dynamo(validate = "check_email")]
    email: String,
    created: u64,
    plan: Plan,
    referrer: Option<String>,
    #[dynamo(rename = "tagSet", default)]
    tags: BTreeSet<String>,
    #[dynamo(default = "one")]
    seats: u32,
    #[dynamo(with = "as_text")]
    legacy_code: u32,
    #[dynamo(skip)]
    session: Option<String>,
    address: Option<Address>,
}

#[derive(DynamoModel)]
#[dynamo(extra = "ignore")]
struct Address {
    city: String,
}

fn main() {
    let _ = Account::BY_EMAIL;
    let _ = Account::BY_CREATED;
    let _ = Account::fields().address().city;
}
