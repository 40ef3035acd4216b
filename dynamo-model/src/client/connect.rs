//! Connecting to DynamoDB from the environment: the checks that make a missing region or
//! missing credentials an error at set-up, naming what to set, instead of a failed request
//! later; and the defaults a local endpoint (DynamoDB Local) takes for both.

use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::config::Region;

use super::Dynamo;
use crate::backend::{NO_CREDENTIALS, NO_REGION};
use crate::error::{Error, ErrorKind, ErrorSource, Result};

/// The region a local endpoint gets when none is configured (DynamoDB Local takes any).
const LOCAL_REGION: &str = "us-east-1";

/// True for an endpoint on this machine: `http://127.0.0.1:8000`, `http://localhost:8000`,
/// `http://[::1]:8000`.
pub(crate) fn is_local(endpoint: &str) -> bool {
    let host = endpoint.split("://").nth(1).unwrap_or(endpoint);
    host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]")
}

/// The DynamoDB endpoint the environment names, as the SDK reads it.
fn endpoint_from_env() -> Option<String> {
    ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

fn configuration(message: &str, source: Option<ErrorSource>) -> Error {
    ErrorKind::Configuration {
        operation: "DynamoDB client",
        message: message.to_owned(),
        source,
    }
    .into()
}

impl Dynamo {
    /// A client configured by the standard AWS chain: region, profiles, credentials, and
    /// `AWS_ENDPOINT_URL_DYNAMODB` (or `AWS_ENDPOINT_URL`) for another endpoint.
    ///
    /// A local endpoint (DynamoDB Local on `127.0.0.1` or `localhost`) needs neither a
    /// region nor credentials: missing ones default to `us-east-1` and placeholder keys.
    /// ```no_run
    /// # async fn run() -> dynamo_model::Result<()> {
    /// // AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 cargo run
    /// let db = dynamo_model::Dynamo::from_env().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`] when no region is configured, or no credentials are
    /// found, for an endpoint that is not local; the message says what to set.
    pub async fn from_env() -> Result<Self> {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let local = config
            .endpoint_url()
            .map(str::to_owned)
            .or_else(endpoint_from_env)
            .filter(|endpoint| is_local(endpoint));
        Dynamo::from_config(&config, local).await
    }

    /// A client on an SDK configuration you loaded (`aws_config::load_defaults(..)`, or
    /// built), with the checks of [`from_env`](Self::from_env): a missing region or missing
    /// credentials are an error now, not a failed request later, unless the configuration's
    /// endpoint is local.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`], as [`from_env`](Self::from_env).
    pub async fn from_sdk_config(config: &SdkConfig) -> Result<Self> {
        let local = config
            .endpoint_url()
            .filter(|endpoint| is_local(endpoint))
            .map(str::to_owned);
        Dynamo::from_config(config, local).await
    }

    /// The client of `config`; `local_endpoint` is the endpoint when it is on this machine.
    /// With the `streams` feature, it reads change streams from the same configuration
    /// (and the same local endpoint).
    async fn from_config(config: &SdkConfig, local_endpoint: Option<String>) -> Result<Self> {
        let local = local_endpoint.is_some();
        let mut builder = aws_sdk_dynamodb::config::Builder::from(config);
        if config.region().is_none() {
            if !local {
                return Err(configuration(NO_REGION, None));
            }
            builder.set_region(Some(Region::new(LOCAL_REGION)));
        }
        let mut substitute = None;
        let found = match config.credentials_provider() {
            Some(provider) => provider.provide_credentials().await.map(|_| ()),
            None => Err(
                aws_credential_types::provider::error::CredentialsError::not_loaded(
                    "no credentials provider is configured",
                ),
            ),
        };
        match found {
            Ok(()) => {}
            Err(_) if local => {
                let placeholder = Credentials::new("local", "local", None, None, "local endpoint");
                let placeholder = SharedCredentialsProvider::new(placeholder);
                builder.set_credentials_provider(Some(placeholder.clone()));
                substitute = Some(placeholder);
            }
            Err(error) => {
                return Err(configuration(NO_CREDENTIALS, Some(ErrorSource::new(error))));
            }
        }
        let dynamo_config = builder.build();
        #[cfg(not(feature = "streams"))]
        let _ = substitute;
        #[cfg(feature = "streams")]
        let streams = {
            let mut streams = aws_sdk_dynamodbstreams::config::Builder::from(config);
            streams.set_endpoint_url(local_endpoint);
            streams.set_region(dynamo_config.region().cloned());
            if substitute.is_some() {
                streams.set_credentials_provider(substitute);
            }
            aws_sdk_dynamodbstreams::Client::from_conf(streams.build())
        };
        let db = Dynamo::new(aws_sdk_dynamodb::Client::from_conf(dynamo_config));
        #[cfg(feature = "streams")]
        let db = db.with_streams(streams);
        Ok(db)
    }
}
