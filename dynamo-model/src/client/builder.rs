//! Building a client from the AWS configuration chain, with retry and timeout settings.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::retry::{RetryPartition, TokenBucket};

use super::{Dynamo, RetryPolicy};

/// Settings for [`Dynamo::builder`]: everything else comes from the standard AWS chain
/// (environment, profiles, `AWS_ENDPOINT_URL_DYNAMODB`).
///
/// ```no_run
/// # async fn run() -> dynamo_model::Result<()> {
/// use std::time::Duration;
/// let db = dynamo_model::Dynamo::builder()
///     .max_attempts(5)
///     .operation_timeout(Duration::from_secs(3))
///     .table_prefix("prod_")
///     .build()
///     .await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until built"]
pub struct DynamoBuilder {
    region: Option<String>,
    endpoint_url: Option<String>,
    max_attempts: Option<u32>,
    operation_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    table_prefix: Option<String>,
    retry_policy: Option<RetryPolicy>,
    retry_quota: RetryQuota,
}

/// What the SDK's retries of single requests may spend ([`DynamoBuilder::retry_quota`]).
///
/// Each SDK retry takes tokens from a quota (5 after throttling, 10 after an HTTP 5xx, a
/// timeout or a dropped connection; kept when the retry fails too, one back per first-try
/// success). When it runs dry, requests fail on their first error however many attempts
/// they were given: a circuit breaker for a service in an outage, and a surprise for a
/// worker that should keep trying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetryQuota {
    /// The SDK's default: 500 tokens shared by every client of the process in one region.
    #[default]
    Shared,
    /// A quota of this many tokens for this client alone.
    Own(usize),
    /// No quota: every request may use all its attempts.
    Unlimited,
}

impl Dynamo {
    /// A builder for a client from the AWS configuration chain with your settings.
    pub fn builder() -> DynamoBuilder {
        DynamoBuilder::default()
    }
}

impl DynamoBuilder {
    /// The region (otherwise from the chain).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The endpoint (otherwise `AWS_ENDPOINT_URL_DYNAMODB` or the region's).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Attempts per request for transient errors and throttling (the SDK's retries).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// The longest an operation may take, retries included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// The longest one attempt may take.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The longest a connection may take to open.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// A prefix for every table name (see [`Dynamo::with_table_prefix`]).
    pub fn table_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.table_prefix = Some(prefix.into());
        self
    }

    /// How unprocessed batch items and conflicting transactions are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// What the SDK's retries may spend (the default is the SDK's shared quota).
    pub fn retry_quota(mut self, quota: RetryQuota) -> Self {
        self.retry_quota = quota;
        self
    }

    /// Loads the AWS configuration and builds the client.
    pub async fn build(self) -> Dynamo {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = self.region {
            loader = loader.region(Region::new(region));
        }
        if let Some(url) = self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(attempts) = self.max_attempts {
            loader =
                loader.retry_config(RetryConfig::standard().with_max_attempts(attempts.max(1)));
        }
        let mut timeouts = TimeoutConfig::builder();
        if let Some(timeout) = self.operation_timeout {
            timeouts = timeouts.operation_timeout(timeout);
        }
        if let Some(timeout) = self.attempt_timeout {
            timeouts = timeouts.operation_attempt_timeout(timeout);
        }
        if let Some(timeout) = self.connect_timeout {
            timeouts = timeouts.connect_timeout(timeout);
        }
        loader = loader.timeout_config(timeouts.build());
        let config = loader.load().await;
        let mut db = Dynamo::new(client(&config, self.retry_quota));
        if let Some(prefix) = self.table_prefix {
            db = db.with_table_prefix(prefix);
        }
        if let Some(policy) = self.retry_policy {
            db = db.with_retry(policy);
        }
        db
    }
}

/// The SDK client for `config`, with a retry partition of its own unless the quota is the
/// shared one.
fn client(config: &aws_config::SdkConfig, quota: RetryQuota) -> aws_sdk_dynamodb::Client {
    let bucket = match quota {
        RetryQuota::Shared => return aws_sdk_dynamodb::Client::new(config),
        RetryQuota::Own(tokens) => TokenBucket::new(tokens),
        RetryQuota::Unlimited => TokenBucket::unlimited(),
    };
    // Partitions are named; a fresh name per client keeps its quota its own.
    static CLIENTS: AtomicUsize = AtomicUsize::new(0);
    let name = format!("dynamo-model-{}", CLIENTS.fetch_add(1, Ordering::Relaxed));
    let partition = RetryPartition::custom(name).token_bucket(bucket).build();
    let config = aws_sdk_dynamodb::config::Builder::from(config)
        .retry_partition(partition)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}
