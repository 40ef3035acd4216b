//! Connecting, and the first errors a newcomer meets: a client that cannot send as
//! configured (no region, no credentials, an endpoint that refuses connections) fails with a
//! typed configuration error that names what to set, is not retried, and sends nothing; a
//! local endpoint needs neither region nor credentials; a missing table and a failed
//! condition name their subject.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::config::Region;
use dynamo_model::{Dynamo, DynamoModel, Error};

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "connect_probe", hash_key = "id")]
struct Probe {
    id: String,
}

fn credentials() -> Credentials {
    Credentials::new("x", "x", None, None, "connect tests")
}

/// A credentials provider that finds none, as the default chain does on a machine
/// without any.
#[derive(Debug)]
struct NoCredentials;

impl aws_credential_types::provider::ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let none =
            aws_credential_types::provider::error::CredentialsError::not_loaded("none found");
        aws_credential_types::provider::future::ProvideCredentials::ready(Err(none))
    }
}

/// A loopback port nothing listens on.
fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn assert_configuration(error: &Error, names: &str) {
    assert!(error.is_configuration(), "{error:?}");
    assert!(!error.is_retryable(), "{error:?}");
    assert!(error.to_string().contains(names), "{error}");
}

#[tokio::test]
async fn a_client_without_a_region_fails_every_request_before_sending() {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .credentials_provider(credentials())
        .endpoint_url(dynamo_model_tests::endpoint())
        .build();
    let db = Dynamo::new(aws_sdk_dynamodb::Client::from_conf(config));
    let error = db.get::<Probe>("p").await.unwrap_err();
    assert_configuration(&error, "AWS_REGION");
    // A batch stops at once on it, with every write reported, instead of retrying.
    let batch = db
        .batch_write()
        .put(&Probe { id: "p".into() })
        .await
        .unwrap_err();
    assert!(batch.is_unprocessed(), "{batch:?}");
    assert!(batch.to_string().contains("AWS_REGION"), "{batch}");
}

#[tokio::test]
async fn a_client_whose_credentials_fail_reports_what_to_set() {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(NoCredentials)
        .endpoint_url(dynamo_model_tests::endpoint())
        .build();
    let db = Dynamo::new(aws_sdk_dynamodb::Client::from_conf(config));
    let error = db.get::<Probe>("p").await.unwrap_err();
    assert_configuration(&error, "AWS_ACCESS_KEY_ID");
    // No provider at all.
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(dynamo_model_tests::endpoint())
        .build();
    let db = Dynamo::new(aws_sdk_dynamodb::Client::from_conf(config));
    let error = db.get::<Probe>("p").await.unwrap_err();
    assert_configuration(&error, "AWS_ACCESS_KEY_ID");
}

#[tokio::test]
async fn an_endpoint_that_refuses_connections_is_a_configuration_error() {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials())
        .endpoint_url(closed_endpoint())
        .build();
    let db = Dynamo::new(aws_sdk_dynamodb::Client::from_conf(config));
    let error = db.get::<Probe>("p").await.unwrap_err();
    assert_configuration(&error, "AWS_ENDPOINT_URL_DYNAMODB");
}

#[tokio::test]
async fn from_sdk_config_checks_region_and_credentials_at_set_up() {
    // No endpoint: it would be AWS; nothing is sent, the checks fail first.
    let no_region = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials()),
        )
        .build();
    let error = Dynamo::from_sdk_config(&no_region).await.unwrap_err();
    assert_configuration(&error, "AWS_REGION");
    let no_credentials = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .build();
    let error = Dynamo::from_sdk_config(&no_credentials).await.unwrap_err();
    assert_configuration(&error, "AWS_ACCESS_KEY_ID");
}

/// A client made by `from_sdk_config` from a config naming only the local endpoint (no
/// region, no credentials), with a table prefix of its own.
async fn from_local_sdk_config() -> Dynamo {
    let local = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(dynamo_model_tests::endpoint())
        .build();
    Dynamo::from_sdk_config(&local)
        .await
        .unwrap()
        .with_table_prefix(dynamo_model_tests::unique_prefix())
}

#[tokio::test]
async fn a_local_endpoint_needs_neither_region_nor_credentials() {
    let db = from_local_sdk_config().await;
    db.create_table::<Probe>().await.unwrap();
    db.put(&Probe { id: "p".into() }).await.unwrap();
    assert_eq!(
        db.get::<Probe>("p").await.unwrap(),
        Some(Probe { id: "p".into() })
    );
}

/// A table with a stream, read through the client `from_sdk_config` made.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "probes_streamed", hash_key = "id", stream = "new_image")]
struct StreamedProbe {
    id: String,
}

#[tokio::test]
async fn a_local_endpoint_reads_change_streams_with_the_same_defaults() {
    use futures_util::TryStreamExt;
    let db = from_local_sdk_config().await;
    db.create_table::<StreamedProbe>().await.unwrap();
    db.put(&StreamedProbe { id: "s".into() }).await.unwrap();
    let changes: Vec<_> = db
        .changes::<StreamedProbe>()
        .until_caught_up()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].new_image().unwrap().id, "s");
}

#[tokio::test]
async fn a_missing_table_is_named_with_the_fix() {
    for db in [
        dynamo_model_tests::local(),
        Dynamo::memory().with_table_prefix("mem_"),
    ] {
        let error = db.get::<Probe>("p").await.unwrap_err();
        assert!(error.is_not_found(), "{error:?}");
        let text = error.to_string();
        assert!(
            text.contains("connect_probe`") && text.contains("create_table"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_failed_condition_names_the_model_and_the_key() {
    for db in [dynamo_model_tests::local(), Dynamo::memory()] {
        db.create_table::<Probe>().await.unwrap();
        db.put(&Probe { id: "p".into() }).await.unwrap();
        let error = db
            .put(&Probe { id: "p".into() })
            .condition(Probe::fields().id.not_exists())
            .await
            .unwrap_err();
        assert!(error.is_conditional_check_failed(), "{error:?}");
        assert_eq!(
            error.to_string(),
            "PutItem: the condition did not hold for the `Probe` item with key (id)"
        );
    }
}

dynamo_model_tests::conformance! {
    async fn a_service_start_up_creates_its_table_if_missing(db: Dynamo) {
        assert!(!db.table_exists::<Probe>().await.unwrap());
        db.create_table::<Probe>().if_not_exists().await.unwrap();
        assert!(db.table_exists::<Probe>().await.unwrap());
        db.put(&Probe { id: "kept".into() }).await.unwrap();
        // Every later start: the table and its items stay.
        db.create_table::<Probe>().if_not_exists().await.unwrap();
        assert!(db.get::<Probe>("kept").await.unwrap().is_some());
        // Without it, creating an existing table is still an error.
        assert!(db.create_table::<Probe>().await.is_err());
    }
}
