//! Shared by the examples: the DynamoDB they run on.

use std::time::{SystemTime, UNIX_EPOCH};

use dynamo_model::Dynamo;

/// The embedded memory backend; or, when `AWS_ENDPOINT_URL_DYNAMODB` is set (loopback
/// only, such as DynamoDB Local on `http://127.0.0.1:8000`), that DynamoDB, with a table
/// prefix of this run's own, so the examples can run again against the same server.
///
/// # Panics
///
/// When the endpoint is not on this machine (the examples never touch a real account), or
/// the client cannot be configured: the message says why.
pub async fn database() -> Dynamo {
    let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB") else {
        println!(
            "on the embedded memory backend (set AWS_ENDPOINT_URL_DYNAMODB to use a DynamoDB)"
        );
        return Dynamo::memory();
    };
    let host = endpoint.split("://").nth(1).unwrap_or(&endpoint);
    assert!(
        ["127.", "localhost", "[::1]"]
            .iter()
            .any(|local| host.starts_with(local)),
        "AWS_ENDPOINT_URL_DYNAMODB={endpoint}: the examples only run against a DynamoDB on this machine"
    );
    // A loopback endpoint needs no region or credentials: `from_env` fills them in.
    let db = match Dynamo::from_env().await {
        Ok(db) => db,
        Err(error) => panic!("cannot connect to {endpoint}: {error}"),
    };
    println!("on DynamoDB at {endpoint}");
    db.with_table_prefix(run_prefix())
}

/// `ex1a2b3c_`: a table prefix for this run.
fn run_prefix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("ex{:x}_", nanos ^ std::process::id())
}
