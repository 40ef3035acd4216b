//! An AWS KMS key provider for encrypted attributes (feature `kms`): data keys made by KMS
//! `GenerateDataKey` and opened by `Decrypt`, through `aws-sdk-kms`, with a small cache
//! bounded by count and age, as the AWS Encryption SDK's caching does.
//!
//! A data key encrypts the values of up to [`KmsCache::max_uses`] items written within
//! [`KmsCache::max_age`]; after that KMS makes a new one. Keys opened for reads stay
//! cached for the same age, at most [`KmsCache::max_keys`] of them, so reading items
//! written under one data key asks KMS once. Cached keys are erased from memory when they
//! leave the cache.
//!
//! ```no_run
//! use dynamo_model::kms::KmsKeyProvider;
//! use dynamo_model::Dynamo;
//!
//! # async fn run() {
//! let config = aws_config::load_from_env().await;
//! let kms = aws_sdk_kms::Client::new(&config);
//! let db = Dynamo::new(aws_sdk_dynamodb::Client::new(&config))
//!     .with_key_provider(KmsKeyProvider::new(kms, "alias/patients"));
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use zeroize::Zeroizing;

use crate::encryption::{KeyFuture, KeyProvider, NewDataKey, UnwrapError};

/// How long and how much a [`KmsKeyProvider`] reuses data keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsCache {
    /// How long a data key is used for writes, and an opened one kept for reads.
    pub max_age: Duration,
    /// How many items one data key encrypts before KMS makes another.
    pub max_uses: u64,
    /// How many opened data keys are kept for reads (the oldest leaves first).
    pub max_keys: usize,
}

impl Default for KmsCache {
    /// Five minutes, 10,000 items per data key, 100 opened keys.
    fn default() -> Self {
        KmsCache {
            max_age: Duration::from_secs(300),
            max_uses: 10_000,
            max_keys: 100,
        }
    }
}

impl KmsCache {
    /// No reuse: a `GenerateDataKey` per item written and a `Decrypt` per data key read.
    pub fn none() -> Self {
        KmsCache {
            max_age: Duration::ZERO,
            max_uses: 0,
            max_keys: 0,
        }
    }
}

/// A data key in the cache.
struct Cached {
    plain: Zeroizing<[u8; 32]>,
    made: Instant,
}

/// The data key writes use now, and how often it was used.
struct Current {
    key: Cached,
    wrapped: Vec<u8>,
    uses: u64,
}

#[derive(Default)]
struct Cache {
    current: Option<Current>,
    opened: HashMap<Vec<u8>, Cached>,
}

/// A [`KeyProvider`] on an AWS KMS key: see the [module](self).
pub struct KmsKeyProvider {
    client: aws_sdk_kms::Client,
    key_id: String,
    limits: KmsCache,
    cache: Mutex<Cache>,
}

impl fmt::Debug for KmsKeyProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsKeyProvider")
            .field("key_id", &self.key_id)
            .field("cache", &self.limits)
            .finish_non_exhaustive()
    }
}

impl KmsKeyProvider {
    /// A provider on KMS key `key_id` (a key id, key ARN, alias name or alias ARN), with
    /// the default cache.
    pub fn new(client: aws_sdk_kms::Client, key_id: impl Into<String>) -> Self {
        KmsKeyProvider {
            client,
            key_id: key_id.into(),
            limits: KmsCache::default(),
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The same provider with other cache limits ([`KmsCache::none`] to ask KMS every time).
    #[must_use]
    pub fn cache(mut self, limits: KmsCache) -> Self {
        self.limits = limits;
        self
    }

    /// Forgets every cached data key.
    pub fn clear_cache(&self) {
        *self.lock() = Cache::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fresh(&self, cached: &Cached) -> bool {
        cached.made.elapsed() < self.limits.max_age
    }

    /// The current data key, when it may encrypt one more item.
    fn reuse(&self) -> Option<NewDataKey> {
        let mut cache = self.lock();
        let fresh = cache
            .current
            .as_ref()
            .is_some_and(|c| self.fresh(&c.key) && c.uses < self.limits.max_uses);
        if !fresh {
            cache.current = None;
            return None;
        }
        let current = cache.current.as_mut()?;
        current.uses += 1;
        Some(NewDataKey {
            plain: current.key.plain.clone(),
            wrapped: current.wrapped.clone(),
        })
    }

    /// Keeps an opened data key for later reads, within the cache's limits.
    fn keep_opened(&self, wrapped: &[u8], plain: &[u8; 32]) {
        if self.limits.max_keys == 0 || self.limits.max_age.is_zero() {
            return;
        }
        let mut cache = self.lock();
        cache.opened.retain(|_, cached| self.fresh(cached));
        while cache.opened.len() >= self.limits.max_keys {
            let oldest = cache
                .opened
                .iter()
                .min_by_key(|(_, cached)| cached.made)
                .map(|(wrapped, _)| wrapped.clone());
            match oldest {
                Some(oldest) => cache.opened.remove(&oldest),
                None => break,
            };
        }
        cache.opened.insert(
            wrapped.to_vec(),
            Cached {
                plain: Zeroizing::new(*plain),
                made: Instant::now(),
            },
        );
    }

    fn opened(&self, wrapped: &[u8]) -> Option<[u8; 32]> {
        let cache = self.lock();
        let cached = cache.opened.get(wrapped)?;
        self.fresh(cached).then(|| *cached.plain)
    }

    async fn generate(&self) -> Result<NewDataKey, String> {
        if let Some(reused) = self.reuse() {
            return Ok(reused);
        }
        let output = self
            .client
            .generate_data_key()
            .key_id(&self.key_id)
            .key_spec(DataKeySpec::Aes256)
            .send()
            .await
            .map_err(|error| failure("GenerateDataKey", &self.key_id, &error))?;
        let plain = output
            .plaintext()
            .and_then(|blob| <[u8; 32]>::try_from(blob.as_ref()).ok())
            .map(Zeroizing::new)
            .ok_or_else(|| {
                format!(
                    "KMS GenerateDataKey with key `{}` answered without a 32-byte key",
                    self.key_id
                )
            })?;
        let wrapped = output
            .ciphertext_blob()
            .map(|blob| blob.as_ref().to_vec())
            .ok_or_else(|| {
                format!(
                    "KMS GenerateDataKey with key `{}` answered without the wrapped key",
                    self.key_id
                )
            })?;
        if self.limits.max_uses > 0 && !self.limits.max_age.is_zero() {
            self.keep_opened(&wrapped, &plain);
            self.lock().current = Some(Current {
                key: Cached {
                    plain: plain.clone(),
                    made: Instant::now(),
                },
                wrapped: wrapped.clone(),
                uses: 1,
            });
        }
        Ok(NewDataKey { plain, wrapped })
    }

    async fn decrypt(&self, wrapped: &[u8]) -> Result<[u8; 32], UnwrapError> {
        if let Some(plain) = self.opened(wrapped) {
            return Ok(plain);
        }
        let output = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(wrapped))
            .send()
            .await
            .map_err(|error| match error.code() {
                // Wrapped under another key, or not a KMS ciphertext: another provider may.
                Some("IncorrectKeyException" | "InvalidCiphertextException") => {
                    UnwrapError::WrongKey
                }
                _ => UnwrapError::Failed(failure("Decrypt", &self.key_id, &error)),
            })?;
        let plain = output
            .plaintext()
            .and_then(|blob| <[u8; 32]>::try_from(blob.as_ref()).ok())
            .ok_or(UnwrapError::WrongKey)?;
        self.keep_opened(wrapped, &plain);
        Ok(plain)
    }

    async fn encrypt(&self, data_key: &[u8; 32]) -> Result<Vec<u8>, String> {
        let output = self
            .client
            .encrypt()
            .key_id(&self.key_id)
            .plaintext(Blob::new(data_key.as_slice()))
            .send()
            .await
            .map_err(|error| failure("Encrypt", &self.key_id, &error))?;
        output
            .ciphertext_blob()
            .map(|blob| blob.as_ref().to_vec())
            .ok_or_else(|| {
                format!(
                    "KMS Encrypt with key `{}` answered without a ciphertext",
                    self.key_id
                )
            })
    }
}

/// What a failed KMS call says: the operation, the key, KMS's code and message, and the
/// fix when one is known.
fn failure<E, R>(operation: &str, key_id: &str, error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug,
{
    let Some(code) = error.code() else {
        return format!(
            "KMS {operation} with key `{key_id}` failed: {}",
            DisplayErrorContext(error)
        );
    };
    let message = error.message().unwrap_or("no message");
    let fix = match code {
        "DisabledException" => ": enable the key (kms:EnableKey) or use another",
        "NotFoundException" => ": check the key id, alias and region",
        "AccessDeniedException" => {
            ": allow kms:GenerateDataKey and kms:Decrypt on the key to the caller"
        }
        "KMSInvalidStateException" => ": the key is pending deletion or import",
        _ => "",
    };
    format!("KMS {operation} with key `{key_id}` failed ({code}: {message}){fix}")
}

impl KeyProvider for KmsKeyProvider {
    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn wrap<'a>(&'a self, data_key: &'a [u8; 32]) -> KeyFuture<'a, Result<Vec<u8>, String>> {
        Box::pin(self.encrypt(data_key))
    }

    fn unwrap<'a>(
        &'a self,
        _key_id: &'a str,
        wrapped: &'a [u8],
    ) -> KeyFuture<'a, Result<[u8; 32], UnwrapError>> {
        Box::pin(self.decrypt(wrapped))
    }

    fn data_key(&self) -> KeyFuture<'_, Result<NewDataKey, String>> {
        Box::pin(self.generate())
    }
}
