//! Shared by the examples: the DynamoDB they run on.

use dynamo_model::Dynamo;

/// The embedded memory backend, or, when `AWS_ENDPOINT_URL_DYNAMODB` is set (loopback only),
/// that DynamoDB (DynamoDB Local, say), with a fresh table prefix.
pub fn database() -> Dynamo {
    if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some() {
        let db = dynamo_model_tests::local();
        println!("on DynamoDB at {}", dynamo_model_tests::endpoint());
        db
    } else {
        println!(
            "on the embedded memory backend (set AWS_ENDPOINT_URL_DYNAMODB to use a DynamoDB)"
        );
        Dynamo::memory()
    }
}
