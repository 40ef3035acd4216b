//! The README's first command: `cargo run --example quickstart`.
//!
//! A model, its item, validation that reports every problem, and the table metadata that
//! table creation and queries are built from. (The async client and the embedded backend
//! build on exactly these pieces.)

use std::collections::BTreeSet;

use dynamo_model::{DynamoAttribute, DynamoModel, Table};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "user_id",
    gsi(name = "by_email", hash_key = "email")
)]
struct User {
    user_id: UserId,
    #[dynamo(validate = "looks_like_email")]
    email: String,
    #[dynamo(rename = "fullName")]
    name: String,
    #[dynamo(default)]
    age: u32,
    #[dynamo(default)]
    tags: BTreeSet<String>,
    plan: Plan,
    address: Option<Address>,
}

/// A nested document: no `table`, stored as a map.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
struct Address {
    city: String,
    zip: String,
}

/// A newtype key: stored as its inner string.
#[derive(Debug, Clone, PartialEq, DynamoAttribute)]
struct UserId(String);

/// A unit enum: stored as a string.
#[derive(Debug, Clone, Copy, PartialEq, DynamoAttribute)]
#[dynamo(rename_all = "lowercase")]
enum Plan {
    Free,
    Pro,
}

fn looks_like_email(email: &str) -> Result<(), String> {
    if email.contains('@') {
        Ok(())
    } else {
        Err(format!("`{email}` is not an email address"))
    }
}

fn main() -> Result<(), dynamo_model::Error> {
    let user = User {
        user_id: UserId("u1".into()),
        email: "ada@example.com".into(),
        name: "Ada Lovelace".into(),
        age: 36,
        tags: BTreeSet::from(["admin".to_string()]),
        plan: Plan::Pro,
        address: Some(Address {
            city: "London".into(),
            zip: "N1".into(),
        }),
    };

    // The item is the SDK's own HashMap<String, AttributeValue>: it goes to PutItem as is.
    let item = user.try_to_item()?;
    let mut names: Vec<_> = item.keys().collect();
    names.sort();
    println!("item attributes: {names:?}");
    println!("fullName = {:?}", item["fullName"]);
    assert_eq!(User::from_item(item)?, user);
    println!("round trip: ok");

    // Validation reports every problem at once, each with its path.
    let bad = User {
        email: "nobody".into(),
        ..user.clone()
    };
    if let Err(error) = bad.try_to_item() {
        println!("{error}");
    }

    // Metadata for table creation, keys and indexes.
    let meta = User::meta();
    println!(
        "table `{}`: hash key `{}` ({}), index `{}`",
        meta.table,
        meta.hash_key.attribute,
        meta.hash_key.scalar_type.as_str(),
        User::BY_EMAIL.name(),
    );
    println!("key item: {:?}", User::key_item(user.key()));
    println!("typed path: {}", User::fields().address().city().path());
    Ok(())
}
