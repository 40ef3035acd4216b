//! Encrypted attributes (feature `encryption`): `#[dynamo(encrypt)]` stores a field's value
//! encrypted client-side with AES-256-GCM envelope encryption, as B.
//!
//! Every write of the attribute makes a fresh 256-bit data key and nonce, encrypts the
//! value's [binary form](crate::value) with it (the attribute name as associated data, so
//! a ciphertext moved to another attribute fails), and stores the data key wrapped by the
//! [`KeyProvider`] set with [`set_key_provider`]: a [`LocalKey`] here, or your own (AWS
//! KMS `GenerateDataKey`/`Decrypt`, an HSM). Reads unwrap and decrypt; a wrong key and
//! altered data fail differently ([`Error::is_wrong_key`](crate::Error::is_wrong_key),
//! [`Error::is_tampered`](crate::Error::is_tampered)). Encrypted fields have no typed
//! accessor, so no condition or update can compare their plaintext by mistake, and no
//! error or `Debug` output of this crate prints it.
//!
//! ```
//! use dynamo_model::encryption::{set_key_provider, LocalKey};
//! use dynamo_model::DynamoModel;
//!
//! #[derive(Debug, PartialEq, DynamoModel)]
//! #[dynamo(table = "patients", hash_key = "id")]
//! struct Patient {
//!     id: String,
//!     #[dynamo(encrypt)]
//!     diagnosis: String,
//! }
//!
//! set_key_provider(LocalKey::new("key-2026", [7u8; 32]));
//! let patient = Patient { id: "p1".into(), diagnosis: "flu".into() };
//! let item = patient.try_to_item()?;
//! assert!(item["diagnosis"].as_b().is_ok(), "stored as ciphertext");
//! assert_eq!(Patient::from_item(item)?, patient);
//! # Ok::<(), dynamo_model::Error>(())
//! ```

use std::fmt;
use std::sync::{Arc, RwLock};

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::value::{FromAttributeValue, ProblemReason, Problems, ToAttributeValue};

/// The message of an encrypted attribute a wrong key cannot open.
const WRONG_KEY: &str = "cannot be decrypted: wrong key";
/// The message of an encrypted attribute whose ciphertext was altered.
const TAMPERED: &str = "cannot be decrypted: the data was tampered with";

const MAGIC: &[u8; 4] = b"DME1";

/// Why a key provider could not unwrap a data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnwrapError {
    /// The provider does not have the key the data key was wrapped with, or that key
    /// does not open it.
    WrongKey,
    /// The provider failed for another reason (a KMS call...).
    Failed(String),
}

/// Wraps and unwraps data keys with a key-encryption key.
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// The id of the key new data keys are wrapped with (stored beside each value).
    fn key_id(&self) -> &str;

    /// Wraps a fresh data key.
    ///
    /// # Errors
    ///
    /// When the provider cannot (the write is refused).
    fn wrap(&self, data_key: &[u8; 32]) -> Result<Vec<u8>, String>;

    /// Unwraps a data key wrapped with key `key_id`.
    ///
    /// # Errors
    ///
    /// [`UnwrapError::WrongKey`] when this provider cannot open it.
    fn unwrap(&self, key_id: &str, wrapped: &[u8]) -> Result<[u8; 32], UnwrapError>;
}

/// A key-encryption key held in process (for tests, or a key from your secret store):
/// data keys are wrapped with AES-256-GCM. Its `Debug` output hides the key.
pub struct LocalKey {
    id: String,
    cipher: Aes256Gcm,
}

impl LocalKey {
    /// The key `bytes`, known as `id`.
    pub fn new(id: impl Into<String>, bytes: [u8; 32]) -> Self {
        LocalKey {
            id: id.into(),
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)),
        }
    }
}

impl fmt::Debug for LocalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl KeyProvider for LocalKey {
    fn key_id(&self) -> &str {
        &self.id
    }

    fn wrap(&self, data_key: &[u8; 32]) -> Result<Vec<u8>, String> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, data_key.as_slice())
            .map_err(|_| "the data key could not be wrapped".to_owned())?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    fn unwrap(&self, key_id: &str, wrapped: &[u8]) -> Result<[u8; 32], UnwrapError> {
        if key_id != self.id || wrapped.len() < 12 {
            return Err(UnwrapError::WrongKey);
        }
        let (nonce, sealed) = wrapped.split_at(12);
        let opened = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| UnwrapError::WrongKey)?;
        opened.try_into().map_err(|_| UnwrapError::WrongKey)
    }
}

static PROVIDER: RwLock<Option<Arc<dyn KeyProvider>>> = RwLock::new(None);

/// Sets the key provider every encrypted attribute of the process uses (replacing the
/// previous one; values written under an old key stay readable only through a provider
/// that still has it).
pub fn set_key_provider(provider: impl KeyProvider + 'static) {
    let provider: Arc<dyn KeyProvider> = Arc::new(provider);
    *PROVIDER
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(provider);
}

fn provider() -> Option<Arc<dyn KeyProvider>> {
    PROVIDER
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// Reports a missing key provider on the write path (before anything is sent).
pub fn check_provider(problems: &mut Problems) {
    if provider().is_none() {
        problems.push(
            "is encrypted, but no key provider is set (dynamo_model::encryption::set_key_provider)",
        );
    }
}

thread_local! {
    /// The attributes this thread failed to encrypt since the write path last looked:
    /// encoding an item cannot fail, so the failure waits here for the write to refuse it.
    static FAILURES: std::cell::RefCell<Vec<(String, String)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Forgets earlier failures: the write path calls it before encoding an item.
pub(crate) fn clear_failures() {
    FAILURES.with(|failures| failures.borrow_mut().clear());
}

/// The attributes that could not be encrypted since [`clear_failures`], with why.
pub(crate) fn take_failures() -> Vec<(String, String)> {
    FAILURES.with(|failures| std::mem::take(&mut *failures.borrow_mut()))
}

/// Encrypts `value` for attribute `attribute`; `None` (nothing written) when the value
/// writes nothing. When it cannot be encrypted (no provider, the provider failed, a key id
/// over 255 bytes), nothing is written either, and the failure is recorded for the write
/// path, which then refuses the whole item: an item is never stored without one of its
/// encrypted attributes.
pub fn encrypt_value<T: ToAttributeValue + ?Sized>(
    value: &T,
    attribute: &str,
) -> Option<AttributeValue> {
    let plain = value.to_attribute_value()?;
    match seal(&plain, attribute) {
        Ok(sealed) => Some(sealed),
        Err(why) => {
            FAILURES.with(|failures| failures.borrow_mut().push((attribute.to_owned(), why)));
            None
        }
    }
}

/// The stored form of `plain`: magic, key id, wrapped data key, nonce, ciphertext.
fn seal(plain: &AttributeValue, attribute: &str) -> Result<AttributeValue, String> {
    let provider = provider().ok_or_else(|| {
        "no key provider is set (dynamo_model::encryption::set_key_provider)".to_owned()
    })?;
    let key_id = provider.key_id().as_bytes();
    let key_id_len = u8::try_from(key_id.len()).map_err(|_| {
        format!(
            "the key id is {} bytes; at most 255 are stored",
            key_id.len()
        )
    })?;
    let data_key = Aes256Gcm::generate_key(&mut OsRng);
    let wrapped = provider
        .wrap(&data_key.into())
        .map_err(|why| format!("the key provider could not wrap a data key: {why}"))?;
    let wrapped_len = u16::try_from(wrapped.len()).map_err(|_| {
        format!(
            "the wrapped data key is {} bytes; at most 65535 are stored",
            wrapped.len()
        )
    })?;
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let payload = Payload {
        msg: &crate::value::wire::encode(plain),
        aad: attribute.as_bytes(),
    };
    let sealed = Aes256Gcm::new(&data_key)
        .encrypt(&nonce, payload)
        .map_err(|_| "AES-GCM refused the value".to_owned())?;
    let mut stored =
        Vec::with_capacity(4 + 1 + key_id.len() + 2 + wrapped.len() + 12 + sealed.len());
    stored.extend_from_slice(MAGIC);
    stored.push(key_id_len);
    stored.extend_from_slice(key_id);
    stored.extend_from_slice(&wrapped_len.to_le_bytes());
    stored.extend_from_slice(&wrapped);
    stored.extend_from_slice(&nonce);
    stored.extend_from_slice(&sealed);
    Ok(AttributeValue::B(Blob::new(stored)))
}

/// Decrypts a value [`encrypt_value`] stored for `attribute`.
///
/// # Errors
///
/// A wrong key, altered data, a missing provider, or a value that does not fit `T`.
pub fn decrypt_value<T: FromAttributeValue>(
    value: AttributeValue,
    attribute: &str,
) -> Result<T, Problems> {
    let AttributeValue::B(blob) = value else {
        return Err(Problems::single("is encrypted, so it is stored as B"));
    };
    let plain = open(blob.as_ref(), attribute)
        .map_err(|(reason, message)| Problems::single_of(reason, message))?;
    T::from_attribute_value(plain)
}

/// Why a stored value could not be opened, and the message to report.
type OpenError = (ProblemReason, String);

fn tampered() -> OpenError {
    (ProblemReason::Tampered, TAMPERED.to_owned())
}

fn open(stored: &[u8], attribute: &str) -> Result<AttributeValue, OpenError> {
    let provider = provider().ok_or_else(|| {
        (
            ProblemReason::Invalid,
            "is encrypted, but no key provider is set (dynamo_model::encryption::set_key_provider)"
                .to_owned(),
        )
    })?;
    let mut rest = stored.strip_prefix(MAGIC.as_slice()).ok_or_else(tampered)?;
    let mut take = |count: usize| -> Result<&[u8], OpenError> {
        if rest.len() < count {
            return Err(tampered());
        }
        let (taken, after) = rest.split_at(count);
        rest = after;
        Ok(taken)
    };
    let id_len = usize::from(*take(1)?.first().ok_or_else(tampered)?);
    let key_id = std::str::from_utf8(take(id_len)?).map_err(|_| tampered())?;
    let wrapped_len = take(2)?;
    let wrapped_len = usize::from(u16::from_le_bytes([wrapped_len[0], wrapped_len[1]]));
    let wrapped = take(wrapped_len)?;
    let nonce = take(12)?;
    let data_key = provider
        .unwrap(key_id, wrapped)
        .map_err(|error| match error {
            UnwrapError::WrongKey => (
                ProblemReason::WrongKey,
                format!("{WRONG_KEY} (the data key was wrapped with `{key_id}`)"),
            ),
            UnwrapError::Failed(why) => (
                ProblemReason::Invalid,
                format!("cannot be decrypted: the key provider failed: {why}"),
            ),
        })?;
    let sealed = rest;
    let payload = Payload {
        msg: sealed,
        aad: attribute.as_bytes(),
    };
    let bytes = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&data_key))
        .decrypt(Nonce::from_slice(nonce), payload)
        .map_err(|_| tampered())?;
    crate::value::wire::decode(&bytes).map_err(|_| tampered())
}
