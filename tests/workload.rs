//! The item of the benchmark workload (`shared/WORKLOAD.md`), shared by the workload bench
//! and the memory-backend example. Serde-serializable too, for the serde_dynamo side.

use std::collections::HashSet;

use dynamo_model::DynamoModel;
use serde::{Deserialize, Serialize};

/// Item `i` of the workload.
#[derive(Debug, Clone, PartialEq, DynamoModel, Serialize, Deserialize)]
#[dynamo(
    table = "bench_users",
    hash_key = "pk",
    range_key = "sk",
    gsi(name = "by_email", hash_key = "email")
)]
pub struct BenchUser {
    /// `USER#{i % 100}` (or `BATCH#{i % 50}` in the batch phase).
    pub pk: String,
    /// `PROFILE#{i:06}`.
    pub sk: String,
    /// `user{i}@example.com`.
    pub email: String,
    /// `name-{i:015}`.
    pub name: String,
    /// `20 + i % 50`.
    pub age: u32,
    /// `1.5 * i`.
    pub score: f64,
    /// `i % 2 == 0`.
    pub active: bool,
    /// `{"tag-a", "tag-b", "tag-{i % 10}"}` (a string set).
    #[serde(with = "serde_dynamo::string_set")]
    pub tags: HashSet<String>,
    /// A nested map.
    pub address: Address,
    /// `[i, i+1, i+2, i+3, i+4]`.
    pub history: Vec<i64>,
}

/// The nested map of a workload item.
#[derive(Debug, Clone, PartialEq, DynamoModel, Serialize, Deserialize)]
pub struct Address {
    /// `{i} Main St`.
    pub street: String,
    /// `Springfield`.
    pub city: String,
    /// `{i % 100000:05}`.
    pub zip: String,
}

/// Item `i` with partition key `pk`.
pub fn item(i: u32, pk: String) -> BenchUser {
    BenchUser {
        pk,
        sk: format!("PROFILE#{i:06}"),
        email: format!("user{i}@example.com"),
        name: format!("name-{i:015}"),
        age: 20 + i % 50,
        score: 1.5 * f64::from(i),
        active: i.is_multiple_of(2),
        tags: HashSet::from(["tag-a".into(), "tag-b".into(), format!("tag-{}", i % 10)]),
        address: Address {
            street: format!("{i} Main St"),
            city: "Springfield".into(),
            zip: format!("{:05}", i % 100_000),
        },
        history: (0..5).map(|k| i64::from(i) + k).collect(),
    }
}

/// The partition key of item `i` in the single-item phases.
pub fn user_pk(i: u32) -> String {
    format!("USER#{}", i % 100)
}

/// The partition key of item `i` in the batch phase.
pub fn batch_pk(i: u32) -> String {
    format!("BATCH#{}", i % 50)
}

/// The key of item `i` in the single-item phases.
pub fn key(i: u32) -> (String, String) {
    (user_pk(i), format!("PROFILE#{i:06}"))
}

/// The raw SDK side of the batch phase: one `BatchWriteItem` of `writes` to `table`, sent
/// again with what DynamoDB left unprocessed until nothing is left.
///
/// # Errors
///
/// The SDK's error, as soon as a request fails.
pub async fn raw_batch_write(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    writes: Vec<aws_sdk_dynamodb::types::WriteRequest>,
) -> Result<(), aws_sdk_dynamodb::Error> {
    let mut pending = std::collections::HashMap::from([(table.to_owned(), writes)]);
    while !pending.is_empty() {
        let output = client
            .batch_write_item()
            .set_request_items(Some(pending))
            .send()
            .await?;
        pending = output.unprocessed_items.unwrap_or_default();
        pending.retain(|_, requests| !requests.is_empty());
    }
    Ok(())
}
