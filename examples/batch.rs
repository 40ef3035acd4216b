//! Batches of any size: chunked, concurrent, retried, and nothing dropped.
//! `cargo run --example batch`

use dynamo_model::DynamoModel;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "events", hash_key = "id")]
struct Event {
    id: String,
    kind: String,
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db = dynamo_model_examples::database().await;
    db.create_table::<Event>().await?;
    let events: Vec<Event> = (0..2_000)
        .map(|n| Event {
            id: format!("e{n}"),
            kind: "click".into(),
        })
        .collect();

    // 2,000 puts become 80 requests of 25, four in flight; leftovers are retried with
    // jittered backoff, and whatever remains after the budget comes back in `outcome`.
    let outcome = db.batch_write().put_all(&events).outcome().await?;
    println!(
        "written; unprocessed after retries: {}",
        outcome.unprocessed.len()
    );

    let keys: Vec<String> = (0..500).map(|n| format!("e{}", n * 4)).collect();
    let got = db.batch_get::<Event>(&keys).outcome().await?;
    println!(
        "read {} events; unprocessed keys: {}",
        got.items.len(),
        got.unprocessed_keys.len()
    );

    let deletes = keys
        .iter()
        .fold(db.batch_write(), |batch, key| batch.delete::<Event>(key));
    deletes.await?;
    println!(
        "left after deleting 500: {}",
        db.scan::<Event>().count().await?
    );
    Ok(())
}
