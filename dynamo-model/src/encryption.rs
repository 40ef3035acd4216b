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

/// The first format: the key id and wrapped key unauthenticated, the attribute name as AAD.
const MAGIC_V1: &[u8; 4] = b"DME1";
/// The current format: the header (magic, key id, wrapped key, nonce) carries a checksum,
/// so a changed byte reads as tampered, and the whole header is authenticated with the
/// attribute name.
const MAGIC: &[u8; 4] = b"DME2";
/// A value bound to its item: as `DME2`, with the table and the item's key also
/// authenticated, so it opens only in the item it was written to.
const MAGIC_BOUND: &[u8; 4] = b"DME3";
/// A value the write path seals once the item's key is final (never stored).
const PENDING: &[u8; 4] = b"DMP0";

/// The checksum's length and domain.
const CHECK_BYTES: usize = 8;
const CHECK_DOMAIN: &[u8] = b"dynamo-model encrypted header v2\0";

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
    /// Wraps data keys: AES-256-GCM under a key derived from the given bytes (HKDF).
    cipher: Aes256Gcm,
    /// The given bytes used as they are, which the first format wrapped with: it still
    /// unwraps what it wrapped.
    legacy: Aes256Gcm,
}

impl LocalKey {
    /// The key `bytes`, known as `id`. Data keys are wrapped under a key derived from it
    /// (HKDF-SHA-256, bound to the id), never under the bytes themselves; the bytes given
    /// here are zeroized once the ciphers hold their schedules.
    pub fn new(id: impl Into<String>, bytes: [u8; 32]) -> Self {
        let id = id.into();
        let mut bytes = zeroize::Zeroizing::new(bytes);
        let mut derived = zeroize::Zeroizing::new(derive_key(bytes.as_ref(), &id));
        let key = LocalKey {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(derived.as_ref())),
            legacy: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(bytes.as_ref())),
            id,
        };
        zeroize::Zeroize::zeroize(&mut *derived);
        zeroize::Zeroize::zeroize(&mut *bytes);
        key
    }
}

/// HKDF-SHA-256 (RFC 5869) of `secret` for one 32-byte key, bound to the key's `id`.
/// Written on the `hmac` crate this one already uses, not on a second HMAC version.
fn derive_key(secret: &[u8], id: &str) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    type HmacSha256 = hmac::Hmac<sha2::Sha256>;
    let extract = |salt: &[u8], input: &[u8]| {
        let mut mac =
            <HmacSha256 as KeyInit>::new_from_slice(salt).expect("HMAC takes any key length");
        mac.update(input);
        mac.finalize().into_bytes()
    };
    let prk = extract(b"dynamo-model LocalKey v2", secret);
    let mut info = b"dynamo-model data key wrapping\0".to_vec();
    info.extend_from_slice(id.as_bytes());
    info.push(1);
    let okm = extract(prk.as_slice(), &info);
    let mut key = [0u8; 32];
    key.copy_from_slice(&okm[..32]);
    key
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
        let nonce = Nonce::from_slice(nonce);
        let opened = zeroize::Zeroizing::new(
            self.cipher
                .decrypt(nonce, sealed)
                .or_else(|_| self.legacy.decrypt(nonce, sealed))
                .map_err(|_| UnwrapError::WrongKey)?,
        );
        opened
            .as_slice()
            .try_into()
            .map_err(|_| UnwrapError::WrongKey)
    }
}

/// Keys by id, for rotation: new data keys are wrapped with the current key, and a data
/// key wrapped with any key of the ring still unwraps, so values written before a rotation
/// stay readable.
///
/// ```
/// use dynamo_model::encryption::{set_key_provider, KeyRing, LocalKey};
///
/// let ring = KeyRing::new(LocalKey::new("key-2026", [8u8; 32]))
///     .with(LocalKey::new("key-2025", [7u8; 32]));
/// set_key_provider(ring);
/// ```
#[derive(Debug)]
pub struct KeyRing {
    current: Box<dyn KeyProvider>,
    older: Vec<Box<dyn KeyProvider>>,
}

impl KeyRing {
    /// A ring whose `current` key wraps every new data key.
    pub fn new(current: impl KeyProvider + 'static) -> Self {
        KeyRing {
            current: Box::new(current),
            older: Vec::new(),
        }
    }

    /// Also unwraps what `older` (an earlier current key) wrapped.
    #[must_use]
    pub fn with(mut self, older: impl KeyProvider + 'static) -> Self {
        self.older.push(Box::new(older));
        self
    }
}

impl KeyProvider for KeyRing {
    fn key_id(&self) -> &str {
        self.current.key_id()
    }

    fn wrap(&self, data_key: &[u8; 32]) -> Result<Vec<u8>, String> {
        self.current.wrap(data_key)
    }

    fn unwrap(&self, key_id: &str, wrapped: &[u8]) -> Result<[u8; 32], UnwrapError> {
        let keys = std::iter::once(&self.current).chain(&self.older);
        match keys.into_iter().find(|key| key.key_id() == key_id) {
            Some(key) => key.unwrap(key_id, wrapped),
            None => Err(UnwrapError::WrongKey),
        }
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
    /// Inside the write path: encrypted attributes are left pending, to be sealed bound to
    /// the item once its key is final ([`seal_pending`]).
    static DEFERRED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// How many values were left pending since the write path began encoding.
    static PENDING_VALUES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Inside the read path: the table and key of the item being decoded (made into bytes
    /// only when a bound value is opened).
    static READING: std::cell::RefCell<Option<(&'static str, crate::value::Item)>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `encode` with encrypted attributes left pending, for [`seal_pending`] to bind to
/// the item once its key is known.
pub(crate) fn deferring<R>(encode: impl FnOnce() -> R) -> R {
    PENDING_VALUES.with(|count| count.set(0));
    let before = DEFERRED.with(|deferred| deferred.replace(true));
    let result = encode();
    DEFERRED.with(|deferred| deferred.set(before));
    result
}

/// Runs `decode` for an item of `table` with `key`: bound values open only there.
pub(crate) fn reading<R>(
    table: &'static str,
    key: crate::value::Item,
    decode: impl FnOnce() -> R,
) -> R {
    let before = READING.with(|reading| reading.replace(Some((table, key))));
    let result = decode();
    READING.with(|reading| *reading.borrow_mut() = before);
    result
}

/// What binds a value to its item: the table and the key attributes, names sorted, each
/// value in the wire form.
fn context_bytes(table: &str, key: &crate::value::Item) -> Vec<u8> {
    let mut names: Vec<&String> = key.keys().collect();
    names.sort();
    let mut bytes = Vec::with_capacity(64);
    bytes.extend_from_slice(table.as_bytes());
    bytes.push(0);
    for name in names {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&crate::value::wire::encode(&key[name]));
        bytes.push(0);
    }
    bytes
}

/// Seals every value left pending in `item` (at any depth), bound to `table` and the key
/// `key` finds in the item; does nothing when none was left pending.
///
/// # Errors
///
/// The attribute that could not be encrypted, and why.
pub(crate) fn seal_pending(
    item: &mut crate::value::Item,
    table: &str,
    key: impl FnOnce(&crate::value::Item) -> crate::value::Item,
) -> Result<(), (String, String)> {
    if PENDING_VALUES.with(|count| count.replace(0)) == 0 {
        return Ok(());
    }
    let context = context_bytes(table, &key(item));
    let mut pending: Vec<(&String, &mut AttributeValue)> = item.iter_mut().collect();
    while let Some((name, value)) = pending.pop() {
        match value {
            AttributeValue::B(blob) if blob.as_ref().starts_with(PENDING) => {
                let plain = &blob.as_ref()[PENDING.len()..];
                let sealed =
                    seal_bytes(plain, name, Some(&context)).map_err(|why| (name.clone(), why))?;
                *value = sealed;
            }
            AttributeValue::M(map) => pending.extend(map.iter_mut()),
            AttributeValue::L(list) => {
                for member in list.iter_mut() {
                    if let AttributeValue::M(map) = member {
                        pending.extend(map.iter_mut());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Encrypts `value` for attribute `attribute`; `None` (nothing written) when the value
/// writes nothing. Inside the client's write path the value is left pending and sealed by
/// the write path once the item's key is final, which refuses the whole write when it
/// cannot be encrypted: the client never stores an item without one of its encrypted
/// attributes. Outside it (`to_item` called directly), a value that cannot be encrypted (no
/// provider, the provider failed, a key id over 255 bytes) is left out.
pub fn encrypt_value<T: ToAttributeValue + ?Sized>(
    value: &T,
    attribute: &str,
) -> Option<AttributeValue> {
    let plain = value.to_attribute_value()?;
    if DEFERRED.with(std::cell::Cell::get) {
        PENDING_VALUES.with(|count| count.set(count.get() + 1));
        let mut pending = PENDING.to_vec();
        pending.extend_from_slice(&crate::value::wire::encode(&plain));
        return Some(AttributeValue::B(Blob::new(pending)));
    }
    seal(&plain, attribute).ok()
}

/// The stored form of `plain`, bound to no item.
fn seal(plain: &AttributeValue, attribute: &str) -> Result<AttributeValue, String> {
    let plain = zeroize::Zeroizing::new(crate::value::wire::encode(plain));
    seal_bytes(&plain, attribute, None)
}

/// The stored form of a value in the wire form: magic, key id, wrapped data key, nonce,
/// checksum, ciphertext; bound to its item when `context` is given.
fn seal_bytes(
    plain: &[u8],
    attribute: &str,
    context: Option<&[u8]>,
) -> Result<AttributeValue, String> {
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
        .wrap(data_key.as_ref())
        .map_err(|why| format!("the key provider could not wrap a data key: {why}"))?;
    let wrapped_len = u16::try_from(wrapped.len()).map_err(|_| {
        format!(
            "the wrapped data key is {} bytes; at most 65535 are stored",
            wrapped.len()
        )
    })?;
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let mut stored = Vec::with_capacity(4 + 1 + key_id.len() + 2 + wrapped.len() + 12 + 8);
    stored.extend_from_slice(if context.is_some() {
        MAGIC_BOUND
    } else {
        MAGIC
    });
    stored.push(key_id_len);
    stored.extend_from_slice(key_id);
    stored.extend_from_slice(&wrapped_len.to_le_bytes());
    stored.extend_from_slice(&wrapped);
    stored.extend_from_slice(&nonce);
    let check = header_check(&stored);
    stored.extend_from_slice(&check);
    let payload = Payload {
        msg: plain,
        aad: &aad(&stored, context, attribute),
    };
    let mut cipher_key = data_key;
    let sealed = Aes256Gcm::new(&cipher_key)
        .encrypt(&nonce, payload)
        .map_err(|_| "AES-GCM refused the value".to_owned())?;
    zeroize::Zeroize::zeroize(cipher_key.as_mut_slice());
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
    let bound = stored.starts_with(MAGIC_BOUND);
    let version_2 = bound || stored.starts_with(MAGIC);
    if !version_2 && !stored.starts_with(MAGIC_V1) {
        return Err(tampered());
    }
    let context = if bound {
        let context = READING.with(|reading| {
            reading
                .borrow()
                .as_ref()
                .map(|(table, key)| context_bytes(table, key))
        });
        Some(context.ok_or_else(|| {
            (
                ProblemReason::Invalid,
                "is bound to its item: read it through the client (get, query, scan...), which knows its table and key".to_owned(),
            )
        })?)
    } else {
        None
    };
    let mut rest = &stored[MAGIC.len()..];
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
    let header_len = MAGIC.len() + 1 + id_len + 2 + wrapped_len + 12;
    let aad_v2;
    let aad: &[u8] = if version_2 {
        let check = take(CHECK_BYTES)?;
        if header_check(&stored[..header_len]) != check {
            return Err(tampered());
        }
        aad_v2 = aad(
            &stored[..header_len + CHECK_BYTES],
            context.as_deref(),
            attribute,
        );
        &aad_v2
    } else {
        attribute.as_bytes()
    };
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
    let data_key = zeroize::Zeroizing::new(data_key);
    let sealed = rest;
    let payload = Payload { msg: sealed, aad };
    let bytes = zeroize::Zeroizing::new(
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.as_ref()))
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| tampered())?,
    );
    crate::value::wire::decode(&bytes).map_err(|_| tampered())
}

/// The checksum of a stored value's header: a changed byte there reads as tampered, not as
/// a wrong key.
fn header_check(header: &[u8]) -> [u8; CHECK_BYTES] {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    hash.update(CHECK_DOMAIN);
    hash.update(header);
    let digest = hash.finalize();
    let mut check = [0u8; CHECK_BYTES];
    check.copy_from_slice(&digest[..CHECK_BYTES]);
    check
}

/// What the ciphertext authenticates besides itself: the whole header, the item (table and
/// key) for a bound value, and the attribute.
fn aad(header: &[u8], context: Option<&[u8]>, attribute: &str) -> Vec<u8> {
    let context = context.unwrap_or_default();
    let mut aad = Vec::with_capacity(header.len() + 2 + context.len() + attribute.len());
    aad.extend_from_slice(header);
    aad.push(0);
    aad.extend_from_slice(context);
    aad.push(0);
    aad.extend_from_slice(attribute.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(value: &AttributeValue) -> Vec<u8> {
        match value {
            AttributeValue::B(blob) => blob.as_ref().to_vec(),
            other => panic!("not stored as B: {other:?}"),
        }
    }

    #[test]
    fn values_of_the_first_format_still_open() {
        // A DME1 value: the data key wrapped under the raw key bytes, the attribute as AAD.
        set_key_provider(LocalKey::new("k1", [3u8; 32]));
        let raw = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&[3u8; 32]));
        let data_key = [5u8; 32];
        let wrap_nonce = [1u8; 12];
        let wrapped = [
            wrap_nonce.as_slice(),
            &raw.encrypt(Nonce::from_slice(&wrap_nonce), data_key.as_slice())
                .unwrap(),
        ]
        .concat();
        let nonce = [2u8; 12];
        let plain = crate::value::wire::encode(&AttributeValue::S("old secret".into()));
        let sealed = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&data_key))
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: b"secret",
                },
            )
            .unwrap();
        let mut v1 = MAGIC_V1.to_vec();
        v1.push(2);
        v1.extend_from_slice(b"k1");
        v1.extend_from_slice(&u16::try_from(wrapped.len()).unwrap().to_le_bytes());
        v1.extend_from_slice(&wrapped);
        v1.extend_from_slice(&nonce);
        v1.extend_from_slice(&sealed);
        assert_eq!(
            open(&v1, "secret").unwrap(),
            AttributeValue::S("old secret".into())
        );
    }

    #[test]
    fn a_changed_header_byte_reads_as_tampered_not_as_a_wrong_key() {
        set_key_provider(LocalKey::new("k1", [3u8; 32]));
        let value = encrypt_value("the secret", "secret").unwrap();
        let bytes = stored(&value);
        assert!(bytes.starts_with(MAGIC));
        assert!(open(&bytes, "secret").is_ok());
        // Every header byte after the magic: the id's length, the id, the wrapped key's
        // length, the wrapped key, the nonce, the checksum.
        let header = MAGIC.len() + 1 + 2 + 2 + 60 + 12 + CHECK_BYTES;
        for at in MAGIC.len()..header {
            let mut changed = bytes.clone();
            changed[at] ^= 0x01;
            let (reason, _) = open(&changed, "secret").unwrap_err();
            assert_eq!(reason, ProblemReason::Tampered, "byte {at}");
        }
    }

    #[test]
    fn wrapping_keys_are_derived_not_the_bytes_given() {
        let given = [3u8; 32];
        let derived = derive_key(&given, "k1");
        assert_ne!(derived, given);
        assert_ne!(derived, derive_key(&given, "k2"), "bound to the key id");
    }
}
