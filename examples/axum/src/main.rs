//! `cargo run -p dynamo-model-example-axum`: the task service on 127.0.0.1:3000, on the
//! embedded memory backend, or on the DynamoDB in `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB
//! Local on this machine). `CURSOR_SECRET` signs its cursors (a random one otherwise).

use dynamo_model::cursor::CursorKey;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = dynamo_model_examples::database().await;
    db.create_table::<dynamo_model_example_axum::Task>().await?;
    let secret = std::env::var("CURSOR_SECRET").unwrap_or_else(|_| {
        (0..4)
            .map(|_| format!("{:016x}", random()))
            .collect::<String>()
    });
    let app = dynamo_model_example_axum::app(db, CursorKey::new(secret.as_bytes())?);
    let address = std::env::var("ADDRESS").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("tasks service on http://{address}");
    axum::serve(listener, app).await?;
    Ok(())
}

/// A number no one can guess from outside the process: the hash of a new random state.
fn random() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}
