//! Encrypted attributes (feature `encryption`): `#[dynamo(encrypt)]` stores a field's value
//! encrypted client-side with AES-256-GCM envelope encryption, as B.
//!
//! Every write of an item makes a fresh 256-bit data key, encrypts each encrypted value's
//! [binary form](crate::value) with it under its own nonce, and stores the data key wrapped
//! by a [`KeyProvider`]: a [`LocalKey`] here, or your own (AWS KMS
//! `GenerateDataKey`/`Decrypt`, an HSM). Providers are asynchronous, so a KMS call never
//! blocks a worker thread, and attach to a client ([`Dynamo::with_key_provider`]), to one
//! model of a client ([`Dynamo::with_model_key_provider`]), or to the whole process
//! ([`set_key_provider`], also used by `to_item` and `from_item` called directly).
//!
//! Reads unwrap each item's data key once, before decoding; a wrong key and altered data
//! fail differently ([`Error::is_wrong_key`](crate::Error::is_wrong_key),
//! [`Error::is_tampered`](crate::Error::is_tampered)). Encrypted fields have no typed
//! accessor, so no condition or update can compare their plaintext by mistake, and no
//! error or `Debug` output of this crate prints it.
//!
//! ```
//! use dynamo_model::encryption::LocalKey;
//! use dynamo_model::{Dynamo, DynamoModel};
//!
//! #[derive(Debug, PartialEq, DynamoModel)]
//! #[dynamo(table = "patients", hash_key = "id")]
//! struct Patient {
//!     id: String,
//!     #[dynamo(encrypt)]
//!     diagnosis: String,
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let db = Dynamo::memory().with_key_provider(LocalKey::new("key-2026", [7u8; 32]));
//! db.create_table::<Patient>().await?;
//! let patient = Patient { id: "p1".into(), diagnosis: "flu".into() };
//! db.put(&patient).await?;
//! assert_eq!(db.get::<Patient>("p1").await?, Some(patient));
//! # Ok::<(), dynamo_model::Error>(())
//! # }).unwrap();
//! ```
//!
//! What it protects: the plaintext from anyone who can read the table, its backups or its
//! streams without the key; a value moved to another attribute, item or table (it then
//! fails as tampered). What it does not: a whole item rolled back to an older version of
//! itself (an old ciphertext of the same item still opens; pair it with a version
//! attribute and conditions when that matters), the length of each value, and any search,
//! condition or index over encrypted values, which the service never sees in the clear.
//!
//! [`Dynamo::with_key_provider`]: crate::Dynamo::with_key_provider
//! [`Dynamo::with_model_key_provider`]: crate::Dynamo::with_model_key_provider

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll, Waker};

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
/// The start of a value the write path seals once the item's key is final (never
/// stored): `DMP0` and 16 random bytes drawn once per process, so no value of a binary
/// attribute that is not encrypted can pass for one and be sealed by mistake.
fn pending_tag() -> &'static [u8; 20] {
    static TAG: std::sync::OnceLock<[u8; 20]> = std::sync::OnceLock::new();
    TAG.get_or_init(|| {
        use aes_gcm::aead::rand_core::RngCore;
        let mut tag = [0u8; 20];
        tag[..4].copy_from_slice(b"DMP0");
        OsRng.fill_bytes(&mut tag[4..]);
        tag
    })
}

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

/// What a [`KeyProvider`]'s methods return: a boxed future, so providers can be shared
/// as `dyn KeyProvider`. A provider that answers at once returns
/// `Box::pin(std::future::ready(answer))`.
pub type KeyFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Wraps and unwraps data keys with a key-encryption key, asynchronously (a KMS call, an
/// HSM): the client awaits it, once per item written and once per item read, and never
/// blocks a thread on it.
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// The id of the key new data keys are wrapped with (stored beside each value, at most
    /// 255 bytes).
    fn key_id(&self) -> &str;

    /// Whether this provider can unwrap a data key wrapped with key `key_id`; by default,
    /// only its own. A ring of keys says yes to each of them.
    fn can_unwrap(&self, key_id: &str) -> bool {
        key_id == self.key_id()
    }

    /// Wraps a fresh data key.
    ///
    /// # Errors
    ///
    /// When the provider cannot (the write is refused, naming the model and attribute).
    fn wrap<'a>(&'a self, data_key: &'a [u8; 32]) -> KeyFuture<'a, Result<Vec<u8>, String>>;

    /// Unwraps a data key wrapped with key `key_id`.
    ///
    /// # Errors
    ///
    /// [`UnwrapError::WrongKey`] when this provider cannot open it.
    fn unwrap<'a>(
        &'a self,
        key_id: &'a str,
        wrapped: &'a [u8],
    ) -> KeyFuture<'a, Result<[u8; 32], UnwrapError>>;

    /// A data key for the next item written, in the clear and wrapped. By default a fresh
    /// random key, wrapped by [`wrap`](KeyProvider::wrap); a provider that makes data keys
    /// itself (KMS `GenerateDataKey`), or reuses one for a while (a cache), overrides it.
    ///
    /// # Errors
    ///
    /// When the provider cannot (the write is refused, naming the model and attribute).
    fn data_key(&self) -> KeyFuture<'_, Result<NewDataKey, String>> {
        Box::pin(async move {
            let plain = random_key();
            let wrapped = self.wrap(&plain).await?;
            Ok(NewDataKey { plain, wrapped })
        })
    }
}

/// A data key made by a [`KeyProvider`]: the 256-bit key itself, erased from memory when
/// dropped, and the same key wrapped by the provider's key. Its `Debug` output hides the
/// key.
pub struct NewDataKey {
    /// The key that encrypts the item's values.
    pub plain: zeroize::Zeroizing<[u8; 32]>,
    /// The key wrapped by the provider's key, stored beside each value.
    pub wrapped: Vec<u8>,
}

impl fmt::Debug for NewDataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewDataKey")
            .field("wrapped", &self.wrapped.len())
            .finish_non_exhaustive()
    }
}

/// A fresh random 256-bit key.
fn random_key() -> zeroize::Zeroizing<[u8; 32]> {
    let mut generated = Aes256Gcm::generate_key(&mut OsRng);
    let mut plain = zeroize::Zeroizing::new([0u8; 32]);
    plain.copy_from_slice(generated.as_slice());
    zeroize::Zeroize::zeroize(generated.as_mut_slice());
    plain
}

/// A shared or boxed provider is a provider (`Arc<dyn KeyProvider>`, `Box<dyn KeyProvider>`).
macro_rules! forward_provider {
    ($($pointer:ident),*) => {$(
        impl<P: KeyProvider + ?Sized> KeyProvider for $pointer<P> {
            fn key_id(&self) -> &str {
                (**self).key_id()
            }
            fn can_unwrap(&self, key_id: &str) -> bool {
                (**self).can_unwrap(key_id)
            }
            fn wrap<'a>(&'a self, data_key: &'a [u8; 32]) -> KeyFuture<'a, Result<Vec<u8>, String>> {
                (**self).wrap(data_key)
            }
            fn unwrap<'a>(
                &'a self,
                key_id: &'a str,
                wrapped: &'a [u8],
            ) -> KeyFuture<'a, Result<[u8; 32], UnwrapError>> {
                (**self).unwrap(key_id, wrapped)
            }
            fn data_key(&self) -> KeyFuture<'_, Result<NewDataKey, String>> {
                (**self).data_key()
            }
        }
    )*};
}

forward_provider!(Arc, Box);

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

impl LocalKey {
    fn wrap_now(&self, data_key: &[u8; 32]) -> Result<Vec<u8>, String> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, data_key.as_slice())
            .map_err(|_| "the data key could not be wrapped".to_owned())?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    fn unwrap_now(&self, key_id: &str, wrapped: &[u8]) -> Result<[u8; 32], UnwrapError> {
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

/// Answers at once: wrapping is one AES-GCM operation in process.
impl KeyProvider for LocalKey {
    fn key_id(&self) -> &str {
        &self.id
    }

    fn wrap<'a>(&'a self, data_key: &'a [u8; 32]) -> KeyFuture<'a, Result<Vec<u8>, String>> {
        Box::pin(std::future::ready(self.wrap_now(data_key)))
    }

    fn unwrap<'a>(
        &'a self,
        key_id: &'a str,
        wrapped: &'a [u8],
    ) -> KeyFuture<'a, Result<[u8; 32], UnwrapError>> {
        Box::pin(std::future::ready(self.unwrap_now(key_id, wrapped)))
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

impl KeyRing {
    /// The key of the ring with id `key_id`.
    fn find(&self, key_id: &str) -> Option<&dyn KeyProvider> {
        std::iter::once(&self.current)
            .chain(&self.older)
            .find(|key| key.can_unwrap(key_id))
            .map(|key| &**key)
    }
}

impl KeyProvider for KeyRing {
    fn key_id(&self) -> &str {
        self.current.key_id()
    }

    fn can_unwrap(&self, key_id: &str) -> bool {
        self.find(key_id).is_some()
    }

    fn wrap<'a>(&'a self, data_key: &'a [u8; 32]) -> KeyFuture<'a, Result<Vec<u8>, String>> {
        self.current.wrap(data_key)
    }

    fn data_key(&self) -> KeyFuture<'_, Result<NewDataKey, String>> {
        self.current.data_key()
    }

    fn unwrap<'a>(
        &'a self,
        key_id: &'a str,
        wrapped: &'a [u8],
    ) -> KeyFuture<'a, Result<[u8; 32], UnwrapError>> {
        match self.find(key_id) {
            Some(key) => key.unwrap(key_id, wrapped),
            None => Box::pin(std::future::ready(Err(UnwrapError::WrongKey))),
        }
    }
}

static PROVIDER: RwLock<Option<Arc<dyn KeyProvider>>> = RwLock::new(None);

/// Sets the process's key provider: the one clients fall back on when neither they nor the
/// model have one ([`Dynamo::with_key_provider`](crate::Dynamo::with_key_provider)), and
/// the one `to_item` and `from_item` use when called directly (replacing the previous one;
/// values written under an old key stay readable only through a provider that still has
/// it).
pub fn set_key_provider(provider: impl KeyProvider + 'static) {
    let provider: Arc<dyn KeyProvider> = Arc::new(provider);
    *PROVIDER
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(provider);
}

fn global_provider() -> Option<Arc<dyn KeyProvider>> {
    PROVIDER
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// The key providers a client holds: its own, and one per model, by the model's type name.
#[derive(Clone, Default)]
pub(crate) struct KeyProviders {
    client: Option<Arc<dyn KeyProvider>>,
    models: Arc<HashMap<&'static str, Arc<dyn KeyProvider>>>,
}

impl fmt::Debug for KeyProviders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut models: Vec<(&str, &str)> = self
            .models
            .iter()
            .map(|(model, provider)| (*model, provider.key_id()))
            .collect();
        models.sort_unstable();
        f.debug_struct("KeyProviders")
            .field("client", &self.client.as_ref().map(|p| p.key_id()))
            .field("models", &models)
            .finish()
    }
}

impl KeyProviders {
    /// These providers, with `provider` for every model that has none of its own.
    pub(crate) fn with_client(&self, provider: Arc<dyn KeyProvider>) -> Self {
        KeyProviders {
            client: Some(provider),
            models: Arc::clone(&self.models),
        }
    }

    /// These providers, with `provider` for the model whose type name is `model`.
    pub(crate) fn with_model(&self, model: &'static str, provider: Arc<dyn KeyProvider>) -> Self {
        let mut models = (*self.models).clone();
        models.insert(model, provider);
        KeyProviders {
            client: self.client.clone(),
            models: Arc::new(models),
        }
    }

    /// The provider that wraps the data keys of `model` (a type name): the model's own,
    /// else the client's, else the process's.
    pub(crate) fn for_writing(&self, model: &str) -> Option<Arc<dyn KeyProvider>> {
        self.models
            .get(model)
            .or(self.client.as_ref())
            .cloned()
            .or_else(global_provider)
    }

    /// The providers that may open values read as `model`, in order: the model's own, the
    /// client's, every other model's (a collection reads many models), the process's.
    fn for_reading(&self, model: &str) -> Vec<Arc<dyn KeyProvider>> {
        let own = self.models.get(model).cloned();
        let others = self
            .models
            .iter()
            .filter(|(name, _)| **name != model)
            .map(|(_, provider)| Arc::clone(provider));
        own.into_iter()
            .chain(self.client.clone())
            .chain(others)
            .chain(global_provider())
            .collect()
    }
}

/// `future`'s answer when it has one at once (a [`LocalKey`]'s), `None` when it would wait.
fn now<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(answer) => Some(answer),
        Poll::Pending => None,
    }
}

/// What a provider that would wait is told on a path that cannot wait.
const WOULD_WAIT: &str = "the key provider answers asynchronously, and this path cannot wait for it: write and read through the client's operations";

/// A fresh data key, and the same key wrapped by a provider.
pub(crate) struct DataKey {
    plain: zeroize::Zeroizing<[u8; 32]>,
    key_id: String,
    wrapped: Vec<u8>,
}

/// A fresh data key wrapped by `provider`.
async fn data_key(provider: &dyn KeyProvider) -> Result<DataKey, String> {
    let key_id = provider.key_id().to_owned();
    if key_id.len() > usize::from(u8::MAX) {
        return Err(format!(
            "the key id is {} bytes; at most 255 are stored",
            key_id.len()
        ));
    }
    let NewDataKey { plain, wrapped } = provider
        .data_key()
        .await
        .map_err(|why| format!("the key provider could not make a data key: {why}"))?;
    if wrapped.len() > usize::from(u16::MAX) {
        return Err(format!(
            "the wrapped data key is {} bytes; at most 65535 are stored",
            wrapped.len()
        ));
    }
    Ok(DataKey {
        plain,
        key_id,
        wrapped,
    })
}

/// Reports a missing key provider when a model is encoded outside the client's write path
/// (which reports it itself, knowing the client's providers); never while an item is read.
pub fn check_provider(problems: &mut Problems) {
    let inside_client =
        DEFERRED.with(std::cell::Cell::get) || READING.with(|reading| reading.borrow().is_some());
    if !inside_client && global_provider().is_none() {
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
    static READING: std::cell::RefCell<Option<(&'static str, crate::value::KeyParts)>> =
        const { std::cell::RefCell::new(None) };
    /// Inside a client's decode: the data keys unwrapped for it ([`Opened::scope`]).
    static OPENED: std::cell::RefCell<Option<Opened>> = const { std::cell::RefCell::new(None) };
}

/// Runs `encode` with encrypted attributes left pending, for [`seal_pending`] to bind to
/// the item once its key is known; also how many values it left pending.
pub(crate) fn deferring<R>(encode: impl FnOnce() -> R) -> (R, usize) {
    PENDING_VALUES.with(|count| count.set(0));
    let before = DEFERRED.with(|deferred| deferred.replace(true));
    let result = encode();
    DEFERRED.with(|deferred| deferred.set(before));
    (result, PENDING_VALUES.with(|count| count.replace(0)))
}

/// Runs `decode` for an item of `table` with key `key`: bound values open only there. The
/// key is moved in and handed back, never copied: most items hold no bound value.
pub(crate) fn reading<R>(
    table: &'static str,
    key: crate::value::KeyParts,
    decode: impl FnOnce() -> R,
) -> (R, crate::value::KeyParts) {
    let before = READING.with(|reading| reading.replace(Some((table, key))));
    let result = decode();
    let key = READING.with(|reading| std::mem::replace(&mut *reading.borrow_mut(), before));
    (result, key.map(|(_, key)| key).unwrap_or_default())
}

/// What binds a value to its item: the table and the key attributes, names sorted, each
/// value in the wire form.
fn context_bytes<'k>(
    table: &str,
    key: impl IntoIterator<Item = (&'k str, &'k AttributeValue)>,
) -> Vec<u8> {
    let mut parts: Vec<(&str, &AttributeValue)> = key.into_iter().collect();
    parts.sort_by_key(|(name, _)| *name);
    let mut bytes = Vec::with_capacity(64);
    bytes.extend_from_slice(table.as_bytes());
    bytes.push(0);
    for (name, value) in parts {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&crate::value::wire::encode(value));
        bytes.push(0);
    }
    bytes
}

/// Every value of `item` (at any depth: in maps, and in maps held in lists), with the name
/// of the attribute holding it.
fn each_value<'i>(
    item: &'i mut crate::value::Item,
    mut visit: impl FnMut(&'i String, &'i mut AttributeValue),
) {
    let mut pending: Vec<(&String, &mut AttributeValue)> = item.iter_mut().collect();
    while let Some((name, value)) = pending.pop() {
        match value {
            AttributeValue::M(map) => pending.extend(map.iter_mut()),
            AttributeValue::L(list) => {
                for member in list.iter_mut() {
                    if let AttributeValue::M(map) = member {
                        pending.extend(map.iter_mut());
                    }
                }
            }
            other => visit(name, other),
        }
    }
}

/// The attributes holding values left pending in `item`, sorted, for a message.
fn pending_attributes(item: &mut crate::value::Item) -> String {
    let mut names = Vec::new();
    each_value(item, |name, value| {
        if matches!(value, AttributeValue::B(blob) if blob.as_ref().starts_with(pending_tag())) {
            names.push(name.clone());
        }
    });
    names.sort();
    names.dedup();
    names.join("`, `")
}

/// Seals every value left pending in `item` (at any depth) under one fresh data key that
/// `provider` wraps, bound to `table` and the item's `key`.
///
/// # Errors
///
/// The attributes that could not be encrypted, and why: no provider, or the provider
/// failed.
pub(crate) async fn seal_pending(
    item: &mut crate::value::Item,
    provider: Option<Arc<dyn KeyProvider>>,
    table: &str,
    key: &crate::value::Item,
) -> Result<(), (String, String)> {
    let Some(provider) = provider else {
        return Err((
            pending_attributes(item),
            "no key provider is set: give the client one (Dynamo::with_key_provider) or set the process's (dynamo_model::encryption::set_key_provider)".to_owned(),
        ));
    };
    let data_key = match data_key(&*provider).await {
        Ok(data_key) => data_key,
        Err(why) => return Err((pending_attributes(item), why)),
    };
    let context = context_bytes(
        table,
        key.iter().map(|(name, value)| (name.as_str(), value)),
    );
    let mut failed = None;
    each_value(item, |name, value| {
        let AttributeValue::B(blob) = value else {
            return;
        };
        let Some(plain) = blob.as_ref().strip_prefix(pending_tag().as_slice()) else {
            return;
        };
        match seal_bytes(plain, name, Some(&context), &data_key) {
            Ok(sealed) => *value = sealed,
            Err(why) => failed = Some((name.clone(), why)),
        }
    });
    failed.map_or(Ok(()), Err)
}

/// [`seal_pending`] without waiting: `None` when the provider would wait.
pub(crate) fn seal_pending_now(
    item: &mut crate::value::Item,
    provider: Option<Arc<dyn KeyProvider>>,
    table: &str,
    key: &crate::value::Item,
) -> Option<Result<(), (String, String)>> {
    now(seal_pending(item, provider, table, key))
}

/// Encrypts `value` for attribute `attribute`; `None` (nothing written) when the value
/// writes nothing. Inside the client's write path the value is left pending and sealed by
/// the write path once the item's key is final, which refuses the whole write when it
/// cannot be encrypted: the client never stores an item without one of its encrypted
/// attributes. Outside it (`to_item` called directly), the process's provider
/// ([`set_key_provider`]) seals it, and a value that cannot be encrypted (no provider, a
/// provider that fails or would wait, a key id over 255 bytes) is left out.
pub fn encrypt_value<T: ToAttributeValue + ?Sized>(
    value: &T,
    attribute: &str,
) -> Option<AttributeValue> {
    let plain = value.to_attribute_value()?;
    if DEFERRED.with(std::cell::Cell::get) {
        PENDING_VALUES.with(|count| count.set(count.get() + 1));
        let mut pending = pending_tag().to_vec();
        pending.extend_from_slice(&crate::value::wire::encode(&plain));
        return Some(AttributeValue::B(Blob::new(pending)));
    }
    seal(&plain, attribute).ok()
}

/// The stored form of `plain`, bound to no item, under the process's provider.
fn seal(plain: &AttributeValue, attribute: &str) -> Result<AttributeValue, String> {
    let provider = global_provider().ok_or_else(|| {
        "no key provider is set (dynamo_model::encryption::set_key_provider)".to_owned()
    })?;
    let data_key = now(data_key(&*provider)).ok_or_else(|| WOULD_WAIT.to_owned())??;
    let plain = zeroize::Zeroizing::new(crate::value::wire::encode(plain));
    seal_bytes(&plain, attribute, None, &data_key)
}

/// The stored form of a value in the wire form: magic, key id, wrapped data key, nonce,
/// checksum, ciphertext; bound to its item when `context` is given.
fn seal_bytes(
    plain: &[u8],
    attribute: &str,
    context: Option<&[u8]>,
    data_key: &DataKey,
) -> Result<AttributeValue, String> {
    let key_id = data_key.key_id.as_bytes();
    let wrapped = &data_key.wrapped;
    let key_id_len = u8::try_from(key_id.len()).map_err(|_| {
        format!(
            "the key id is {} bytes; at most 255 are stored",
            key_id.len()
        )
    })?;
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
    stored.extend_from_slice(wrapped);
    stored.extend_from_slice(&nonce);
    let check = header_check(&stored);
    stored.extend_from_slice(&check);
    let payload = Payload {
        msg: plain,
        aad: &aad(&stored, context, attribute),
    };
    let sealed = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.plain.as_ref()))
        .encrypt(&nonce, payload)
        .map_err(|_| "AES-GCM refused the value".to_owned())?;
    stored.extend_from_slice(&sealed);
    Ok(AttributeValue::B(Blob::new(stored)))
}

/// A data key as stored: the id of the key that wrapped it, and the wrapped bytes.
type WrappedKey = (String, Vec<u8>);

/// Data keys unwrapped ahead of a decode, by key id and wrapped key; and the providers
/// asked, for a value met only while decoding.
#[derive(Default)]
pub(crate) struct Opened {
    keys: HashMap<WrappedKey, Result<zeroize::Zeroizing<[u8; 32]>, UnwrapError>>,
    providers: Vec<Arc<dyn KeyProvider>>,
}

impl Opened {
    /// Runs `decode` with these keys at hand.
    pub(crate) fn scope<R>(self, decode: impl FnOnce() -> R) -> R {
        let before = OPENED.with(|opened| opened.replace(Some(self)));
        let result = decode();
        OPENED.with(|opened| *opened.borrow_mut() = before);
        result
    }
}

/// Unwraps the data key of every encrypted value in `items`, each once, with the
/// providers that may open values read as `model` (a type name); at most 16 at a time.
pub(crate) async fn open_keys<'i>(
    providers: &KeyProviders,
    model: &str,
    items: impl IntoIterator<Item = &'i crate::value::Item>,
) -> Opened {
    use futures_util::StreamExt;
    let mut wanted: Vec<WrappedKey> = Vec::new();
    let mut values: Vec<&AttributeValue> = Vec::new();
    for item in items {
        values.extend(item.values());
        while let Some(value) = values.pop() {
            match value {
                AttributeValue::B(blob) => {
                    if let Ok(header) = Header::parse(blob.as_ref()) {
                        wanted.push((header.key_id.to_owned(), header.wrapped.to_vec()));
                    }
                }
                AttributeValue::M(map) => values.extend(map.values()),
                AttributeValue::L(list) => values.extend(list.iter()),
                _ => {}
            }
        }
    }
    // Most reads hold no encrypted value: they ask no provider and allocate nothing more.
    if wanted.is_empty() {
        return Opened::default();
    }
    let providers = providers.for_reading(model);
    if providers.is_empty() {
        return Opened::default();
    }
    wanted.sort_unstable();
    wanted.dedup();
    let providers_ref = &providers;
    let keys = futures_util::stream::iter(wanted)
        .map(|(key_id, wrapped)| async move {
            let opened = match providers_ref.iter().find(|p| p.can_unwrap(&key_id)) {
                Some(provider) => provider
                    .unwrap(&key_id, &wrapped)
                    .await
                    .map(zeroize::Zeroizing::new),
                None => Err(UnwrapError::WrongKey),
            };
            ((key_id, wrapped), opened)
        })
        .buffer_unordered(16)
        .collect()
        .await;
    Opened { keys, providers }
}

/// The data key of a value wrapped with `key_id`: unwrapped ahead of the decode, or else
/// now by a provider that answers at once.
fn data_key_for(key_id: &str, wrapped: &[u8]) -> Result<zeroize::Zeroizing<[u8; 32]>, OpenError> {
    let unwrap_error = |error: UnwrapError| match error {
        UnwrapError::WrongKey => (
            ProblemReason::WrongKey,
            format!("{WRONG_KEY} (the data key was wrapped with `{key_id}`)"),
        ),
        UnwrapError::Failed(why) => (
            ProblemReason::Invalid,
            format!("cannot be decrypted: the key provider failed: {why}"),
        ),
    };
    let ahead = OPENED.with(|opened| {
        let opened = opened.borrow();
        let opened = opened.as_ref()?;
        let found = opened
            .keys
            .get(&(key_id.to_owned(), wrapped.to_vec()))
            .cloned();
        Some(found.ok_or_else(|| opened.providers.clone()))
    });
    let providers = match ahead {
        Some(Ok(found)) => return found.map_err(unwrap_error),
        Some(Err(providers)) => providers,
        None => global_provider().into_iter().collect(),
    };
    let Some(provider) = providers
        .iter()
        .find(|p| p.can_unwrap(key_id))
        .or(providers.first())
    else {
        return Err((
            ProblemReason::Invalid,
            "is encrypted, but no key provider is set: give the client one (Dynamo::with_key_provider)".to_owned(),
        ));
    };
    match now(provider.unwrap(key_id, wrapped)) {
        Some(answer) => answer.map(zeroize::Zeroizing::new).map_err(unwrap_error),
        None => Err((
            ProblemReason::Invalid,
            format!("cannot be decrypted: {WOULD_WAIT}"),
        )),
    }
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

/// The parts of a stored value before its ciphertext.
struct Header<'s> {
    /// Which format: `MAGIC_V1`, `MAGIC` or `MAGIC_BOUND`.
    magic: &'s [u8],
    key_id: &'s str,
    wrapped: &'s [u8],
    nonce: &'s [u8],
    /// The header's bytes, magic to nonce (the checksum covers them).
    covered: &'s [u8],
    /// What follows the nonce: the checksum (not in the first format), then the ciphertext.
    rest: &'s [u8],
}

impl<'s> Header<'s> {
    fn parse(stored: &'s [u8]) -> Result<Self, OpenError> {
        let magic = [MAGIC_BOUND, MAGIC, MAGIC_V1]
            .into_iter()
            .find(|magic| stored.starts_with(*magic))
            .ok_or_else(tampered)?;
        let mut rest = &stored[magic.len()..];
        let mut take = |count: usize| -> Result<&'s [u8], OpenError> {
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
        let header_len = magic.len() + 1 + id_len + 2 + wrapped_len + 12;
        Ok(Header {
            magic: magic.as_slice(),
            key_id,
            wrapped,
            nonce,
            covered: &stored[..header_len],
            rest,
        })
    }
}

fn open(stored: &[u8], attribute: &str) -> Result<AttributeValue, OpenError> {
    let header = Header::parse(stored)?;
    let bound = header.magic == MAGIC_BOUND;
    let version_2 = header.magic != MAGIC_V1;
    let context = if bound {
        let context = READING.with(|reading| {
            reading.borrow().as_ref().map(|(table, key)| {
                context_bytes(
                    table,
                    key.iter().flatten().map(|(name, value)| (*name, value)),
                )
            })
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
    let aad_v2;
    let (aad, sealed): (&[u8], &[u8]) = if version_2 {
        if header.rest.len() < CHECK_BYTES {
            return Err(tampered());
        }
        let (check, sealed) = header.rest.split_at(CHECK_BYTES);
        if header_check(header.covered) != check {
            return Err(tampered());
        }
        let checked = &stored[..header.covered.len() + CHECK_BYTES];
        aad_v2 = aad(checked, context.as_deref(), attribute);
        (&aad_v2, sealed)
    } else {
        (attribute.as_bytes(), header.rest)
    };
    let data_key = data_key_for(header.key_id, header.wrapped)?;
    let payload = Payload { msg: sealed, aad };
    let bytes = zeroize::Zeroizing::new(
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(data_key.as_ref()))
            .decrypt(Nonce::from_slice(header.nonce), payload)
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
    fn the_item_context_is_the_same_from_an_item_and_from_key_parts() {
        // Written from the prepared item's key, read from the decoded item's key parts:
        // both must give these bytes, names sorted, or bound values stop opening.
        let (a, b) = (AttributeValue::S("a".into()), AttributeValue::S("b".into()));
        let item: crate::value::Item =
            [("sk".to_owned(), b.clone()), ("pk".to_owned(), a.clone())].into();
        let parts: crate::value::KeyParts = [Some(("pk", a.clone())), Some(("sk", b.clone()))];
        let from_item = context_bytes("t", item.iter().map(|(n, v)| (n.as_str(), v)));
        let from_parts = context_bytes("t", parts.iter().flatten().map(|(n, v)| (*n, v)));
        let mut expected = b"t\0pk\0".to_vec();
        expected.extend(crate::value::wire::encode(&a));
        expected.extend(b"\0sk\0");
        expected.extend(crate::value::wire::encode(&b));
        expected.push(0);
        assert_eq!(from_item, expected);
        assert_eq!(from_parts, expected);
    }

    #[test]
    fn wrapping_keys_are_derived_not_the_bytes_given() {
        let given = [3u8; 32];
        let derived = derive_key(&given, "k1");
        assert_ne!(derived, given);
        assert_ne!(derived, derive_key(&given, "k2"), "bound to the key id");
    }
}
