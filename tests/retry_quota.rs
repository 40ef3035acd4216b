//! The SDK's retry quota as `Dynamo::builder().retry_quota(..)` sets it, through the fault
//! proxy answering every request with HTTP 500: a quota of its own stops the retries when
//! it runs dry, no quota lets every request use all its attempts.
//!
//! The builder reads credentials from the AWS chain, so this binary sets dummy ones in the
//! environment; it holds one test so that nothing else runs while it does.

use std::sync::atomic::Ordering;

use dynamo_model::{Dynamo, DynamoModel, RetryQuota};
use dynamo_model_tests::endpoint;
use dynamo_model_tests::fault_proxy::{FaultProxy, Faults};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "quota", hash_key = "id")]
struct Entry {
    id: String,
}

/// Requests one read made with 4 SDK attempts under `quota` while every answer is a 500.
async fn requests_for_one_read(quota: RetryQuota) -> usize {
    let every_request_fails = Faults {
        server_error: 1.0,
        ..Faults::default()
    };
    let proxy = FaultProxy::start(endpoint(), every_request_fails).await;
    let db = Dynamo::builder()
        .region("us-east-1")
        .endpoint_url(proxy.url())
        .max_attempts(4)
        .retry_quota(quota)
        .build()
        .await;
    let error = db.get::<Entry>("a").await.unwrap_err();
    assert!(error.is_retryable(), "{quota:?}: {error}");
    proxy.counts().requests.load(Ordering::SeqCst)
}

#[tokio::test]
async fn the_builder_sets_what_sdk_retries_may_spend() {
    std::env::set_var("AWS_ACCESS_KEY_ID", "retry-quota-test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "retry-quota-test");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");

    // A retry after a 500 costs 10 tokens: 25 pay for two, 9 for none.
    assert_eq!(requests_for_one_read(RetryQuota::Own(25)).await, 3);
    assert_eq!(requests_for_one_read(RetryQuota::Own(9)).await, 1);
    assert_eq!(requests_for_one_read(RetryQuota::Unlimited).await, 4);
    // The shared default still has tokens in a fresh process.
    assert_eq!(requests_for_one_read(RetryQuota::Shared).await, 4);
}
