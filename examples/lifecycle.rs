//! Lifecycle attributes: generated ids, optimistic locking, timestamps, counters and TTL,
//! all maintained by the client. `cargo run --example lifecycle`

use std::time::{Duration, SystemTime};

use dynamo_model::DynamoModel;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "documents", hash_key = "id")]
struct Document {
    #[dynamo(auto_id = "uuid_v7")]
    id: String,
    title: String,
    #[dynamo(version)]
    version: u64,
    #[dynamo(created_at)]
    created_at: String,
    #[dynamo(updated_at)]
    updated_at: String,
    #[dynamo(counter, default)]
    edits: u64,
    #[dynamo(ttl)]
    expires: Option<SystemTime>,
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db = dynamo_model_examples::database().await;
    db.create_table::<Document>().await?;
    let f = Document::fields();

    let mut doc = Document {
        id: String::new(),
        title: "Draft".into(),
        version: 0,
        created_at: String::new(),
        updated_at: String::new(),
        edits: 0,
        expires: None,
    };
    db.save(&mut doc).await?;
    println!(
        "saved {} as version {}, created {}",
        doc.id, doc.version, doc.created_at
    );

    // Two copies of version 1: the first save wins, the second is told why it lost.
    let mut stale = doc.clone();
    doc.title = "Final".into();
    db.save(&mut doc).await?;
    stale.title = "Overwritten?".into();
    match db.save(&mut stale).await {
        Err(error) if error.is_version_conflict() => println!("stale save refused: {error}"),
        other => println!("unexpected: {other:?}"),
    }

    // Updates count edits and move the version on; created_at stays.
    let updated = db
        .update::<Document>(doc.id.as_str())
        .set(&f.title, "Final, reviewed")
        .expect_version(doc.version)
        .return_all_new()
        .await?;
    println!(
        "updated: version {}, {} edit(s), created {} (unchanged: {})",
        updated.version,
        updated.edits,
        updated.created_at,
        updated.created_at == doc.created_at
    );

    // An expired item reads as absent until DynamoDB deletes it.
    let mut old = Document {
        id: String::new(),
        expires: Some(SystemTime::now() - Duration::from_secs(60)),
        ..updated
    };
    old.version = 0;
    db.save(&mut old).await?;
    let hidden = db.get::<Document>(old.id.as_str()).await?;
    let shown = db
        .get::<Document>(old.id.as_str())
        .include_expired()
        .await?;
    println!(
        "expired item: hidden = {}, with include_expired = {}",
        hidden.is_none(),
        shown.is_some()
    );
    Ok(())
}
