//! The README's first command: `cargo run --example quickstart`.
//!
//! A model, its table, and the item operations, on the embedded memory backend, or on the
//! DynamoDB in `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB Local on this machine).

use std::collections::BTreeSet;

use dynamo_model::{DynamoAttribute, DynamoModel};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "users",
    hash_key = "user_id",
    gsi(name = "by_email", hash_key = "email")
)]
struct User {
    user_id: String,
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

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db = dynamo_model_examples::database().await;
    db.create_table::<User>().await?;

    let ada = User {
        user_id: "u1".into(),
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
    db.put(&ada)
        .condition(User::fields().user_id.not_exists())
        .await?;
    println!("put {}", ada.user_id);

    let read = db.get::<User>("u1").await?;
    assert_eq!(read.as_ref(), Some(&ada));
    println!("get: {read:?}");

    let f = User::fields();
    let older: User = db
        .update::<User>("u1")
        .increment(&f.age, 1)
        .add(&f.tags, ["speaker"])
        .condition(f.age.lt(100))
        .return_all_new()
        .await?;
    println!("update: age {} tags {:?}", older.age, older.tags);

    let by_email = db.query((User::BY_EMAIL, "ada@example.com")).all().await?;
    println!("query by_email: {} item(s)", by_email.len());

    // Validation reports every problem before any request.
    let bad = User {
        email: "nobody".into(),
        ..ada.clone()
    };
    if let Err(error) = db.put(&bad).await {
        println!("refused: {error}");
    }

    db.delete(&ada).await?;
    assert_eq!(db.get::<User>("u1").await?, None);
    println!("deleted; done");
    Ok(())
}
