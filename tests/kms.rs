//! Encrypted attributes with data keys from AWS KMS (moto's server), on both DynamoDB
//! backends: envelope round trips, the data-key cache counted by the requests KMS
//! received, and a disabled key refusing writes before anything is stored.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_kms::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_kms::config::{ConfigBag, Intercept, RuntimeComponents};
use dynamo_model::kms::{KmsCache, KmsKeyProvider};
use dynamo_model::{DynamoModel, ErrorKind};
use dynamo_model_tests::conformance;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "kms_patients", hash_key = "id")]
struct Patient {
    id: String,
    #[dynamo(encrypt)]
    diagnosis: String,
}

fn patient(n: u32) -> Patient {
    Patient {
        id: format!("p{n}"),
        diagnosis: format!("diagnosis {n}"),
    }
}

/// The KMS operations a client sent (`GenerateDataKey`, `Decrypt`...), as KMS received
/// them.
#[derive(Debug, Clone, Default)]
struct Sent(Arc<Mutex<Vec<String>>>);

impl Sent {
    fn count(&self, operation: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|o| *o == operation)
            .count()
    }
}

impl Intercept for Sent {
    fn name(&self) -> &'static str {
        "Sent"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or_default();
        let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
        self.0.lock().unwrap().push(operation);
        Ok(())
    }
}

/// A KMS client on moto, and what it sends.
fn kms() -> (aws_sdk_kms::Client, Sent) {
    let sent = Sent::default();
    let config = aws_sdk_kms::config::Builder::from(&dynamo_model_tests::moto_config())
        .interceptor(sent.clone())
        .build();
    (aws_sdk_kms::Client::from_conf(config), sent)
}

/// A new symmetric KMS key's id.
async fn new_key(kms: &aws_sdk_kms::Client) -> String {
    let key = kms.create_key().send().await.unwrap();
    key.key_metadata().unwrap().key_id().to_owned()
}

conformance! {
    async fn kms_data_keys_encrypt_and_decrypt_items(db: Dynamo) {
        let (kms, _) = kms();
        let key = new_key(&kms).await;
        let writer = db.with_key_provider(KmsKeyProvider::new(kms.clone(), &key));
        writer.create_table::<Patient>().await.unwrap();
        for n in 0..3 {
            writer.put(&patient(n)).await.unwrap();
        }

        // Stored encrypted: the plaintext appears nowhere in the item.
        let raw = db.backend().get_item(
            aws_sdk_dynamodb::operation::get_item::GetItemInput::builder()
                .table_name(db.table_name::<Patient>())
                .key("id", AttributeValue::S("p1".into())),
        ).await.unwrap().item.unwrap();
        let AttributeValue::B(stored) = &raw["diagnosis"] else { panic!("{raw:?}") };
        assert!(!stored.as_ref().windows(11).any(|w| w == b"diagnosis 1"));

        // A reader with its own provider on the same key opens them through KMS.
        let reader = db.with_key_provider(KmsKeyProvider::new(kms.clone(), &key));
        assert_eq!(reader.get::<Patient>("p1").await.unwrap(), Some(patient(1)));
        let mut all = reader.scan::<Patient>().await.unwrap();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(all, vec![patient(0), patient(1), patient(2)]);

        // A provider on another KMS key cannot open them: a typed wrong-key error.
        let other = db.with_key_provider(KmsKeyProvider::new(kms.clone(), new_key(&kms).await));
        let error = other.get::<Patient>("p1").await.unwrap_err();
        assert!(error.is_wrong_key(), "{error}");
    }

    async fn kms_data_keys_are_cached_by_count_and_age(db: Dynamo) {
        let (kms, sent) = kms();
        let key = new_key(&kms).await;
        db.create_table::<Patient>().await.unwrap();

        // One data key encrypts many items; it opens them again without asking KMS.
        let cached = db.with_key_provider(KmsKeyProvider::new(kms.clone(), &key));
        for n in 0..10 {
            cached.put(&patient(n)).await.unwrap();
        }
        assert_eq!(sent.count("GenerateDataKey"), 1);
        for n in 0..10 {
            assert_eq!(cached.get::<Patient>(format!("p{n}")).await.unwrap(), Some(patient(n)));
        }
        assert_eq!(sent.count("Decrypt"), 0);

        // A new reader asks once for the shared data key, however many items it reads.
        let reader = db.with_key_provider(KmsKeyProvider::new(kms.clone(), &key));
        for n in 0..10 {
            assert_eq!(reader.get::<Patient>(format!("p{n}")).await.unwrap(), Some(patient(n)));
        }
        assert_eq!(sent.count("Decrypt"), 1);

        // Bounded by count: 4 items per data key makes 3 keys for 10 items.
        let by_count = db.with_key_provider(KmsKeyProvider::new(kms.clone(), &key).cache(KmsCache {
            max_uses: 4,
            ..KmsCache::default()
        }));
        for n in 10..20 {
            by_count.put(&patient(n)).await.unwrap();
        }
        assert_eq!(sent.count("GenerateDataKey"), 1 + 3);

        // Bounded by age: a key older than max_age is replaced.
        let by_age = db.with_key_provider(KmsKeyProvider::new(kms.clone(), &key).cache(KmsCache {
            max_age: Duration::from_millis(200),
            ..KmsCache::default()
        }));
        by_age.put(&patient(20)).await.unwrap();
        by_age.put(&patient(21)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        by_age.put(&patient(22)).await.unwrap();
        assert_eq!(sent.count("GenerateDataKey"), 4 + 2);

        // No cache: a request per item written and per item read.
        let uncached = db.with_key_provider(KmsKeyProvider::new(kms.clone(), &key).cache(KmsCache::none()));
        for n in 30..33 {
            uncached.put(&patient(n)).await.unwrap();
        }
        assert_eq!(sent.count("GenerateDataKey"), 6 + 3);
        let decrypts = sent.count("Decrypt");
        for n in 30..33 {
            uncached.get::<Patient>(format!("p{n}")).await.unwrap().unwrap();
        }
        assert_eq!(sent.count("Decrypt"), decrypts + 3);
    }

    async fn a_missing_kms_key_refuses_the_write_and_stores_nothing(db: Dynamo) {
        let (kms, _) = kms();
        db.create_table::<Patient>().await.unwrap();
        let missing = "11111111-2222-3333-4444-555555555555";
        let writer = db.with_key_provider(KmsKeyProvider::new(kms, missing));
        let error = writer.put(&patient(1)).await.unwrap_err();
        let ErrorKind::Encryption { model, attribute, message, .. } = error.kind() else {
            panic!("not an encryption error: {error:?}");
        };
        assert_eq!((*model, attribute.as_str()), ("Patient", "diagnosis"));
        assert!(message.contains("NotFoundException") && message.contains(missing), "{message}");
        assert!(message.contains("check the key id"), "{message}");
        assert_eq!(db.scan::<Patient>().raw().await.unwrap().len(), 0, "nothing was stored");
    }

    async fn a_disabled_kms_key_refuses_writes_and_reads(db: Dynamo) {
        let (kms, _) = kms();
        let key = new_key(&kms).await;
        db.create_table::<Patient>().await.unwrap();
        db.with_key_provider(KmsKeyProvider::new(kms.clone(), &key)).put(&patient(1)).await.unwrap();
        kms.disable_key().key_id(&key).send().await.unwrap();

        // moto records the key as disabled but still serves it; KMS answers as below.
        let disabled = aws_sdk_kms::config::Builder::from(&dynamo_model_tests::moto_config())
            .interceptor(AnswerDisabled)
            .build();
        let provider = KmsKeyProvider::new(aws_sdk_kms::Client::from_conf(disabled), &key);
        let db = db.with_key_provider(provider);
        let error = db.put(&patient(2)).await.unwrap_err();
        let ErrorKind::Encryption { model, attribute, message, .. } = error.kind() else {
            panic!("not an encryption error: {error:?}");
        };
        assert_eq!((*model, attribute.as_str()), ("Patient", "diagnosis"));
        assert!(message.contains("DisabledException") && message.contains("enable the key"), "{message}");
        assert_eq!(db.scan::<Patient>().raw().await.unwrap().len(), 1, "nothing more was stored");

        let error = db.get::<Patient>("p1").await.unwrap_err();
        assert!(error.to_string().contains("DisabledException"), "{error}");
        assert!(!error.is_wrong_key(), "a disabled key is not a wrong key: {error}");
    }
}

/// Answers every KMS call the way KMS does for a disabled key.
#[derive(Debug, Default)]
struct AnswerDisabled;

impl Intercept for AnswerDisabled {
    fn name(&self) -> &'static str {
        "AnswerDisabled"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_kms::config::interceptors::BeforeDeserializationInterceptorContextMut<
            '_,
        >,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let response = context.response_mut();
        *response.status_mut() = 400.try_into()?;
        *response.body_mut() = aws_smithy_types::body::SdkBody::from(
            r#"{"__type":"DisabledException","message":"The key is disabled."}"#,
        );
        Ok(())
    }
}
