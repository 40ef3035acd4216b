//! The sealing step of the write pipeline, and its mirror on reads.
//!
//! An item encoded for writing leaves its encrypted values pending. Before any request is
//! rendered from it, they are sealed under one fresh data key that the model's key
//! provider wraps (the model's own, else the client's, else the process's), bound to the
//! item's table and key. Before the items a read returns are decoded, the data key of each
//! is unwrapped, each once. Both wait for the provider (a KMS call) without blocking a
//! thread. Dry runs (`to_request`), which cannot wait, take a provider's answer only when it
//! has one at once, as a [`LocalKey`](crate::encryption::LocalKey) does.
//!
//! Without the `encryption` feature nothing is ever pending, and these steps do nothing.

#![cfg_attr(
    not(all(feature = "encryption", feature = "s3")),
    allow(
        dead_code,
        unused_variables,
        unused_mut,
        clippy::extra_unused_type_parameters
    )
)]

use crate::error::{Error, ErrorKind, Result};
use crate::value::Item;

/// The key providers of a client (nothing without the `encryption` feature), and its S3
/// store of offloaded values (feature `s3`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Keys {
    #[cfg(feature = "encryption")]
    providers: crate::encryption::KeyProviders,
    #[cfg(feature = "s3")]
    pub(super) s3: Option<std::sync::Arc<super::offload::S3Store>>,
}

/// The objects a sealed write uploaded (none without the `s3` feature): removed again if
/// the write fails.
#[cfg(feature = "s3")]
pub(crate) type Uploaded = Vec<crate::value::offloaded::S3Pointer>;
/// The objects a sealed write uploaded: none without the `s3` feature.
#[cfg(not(feature = "s3"))]
pub(crate) type Uploaded = Vec<()>;

/// Encodes with `encode` as the write path does: encrypted values and values to offload
/// left pending; also whether any was.
pub(crate) fn encode_pending<R>(encode: impl FnOnce() -> R) -> (R, bool, bool) {
    #[cfg(feature = "encryption")]
    let encode = || crate::encryption::deferring(encode);
    #[cfg(not(feature = "encryption"))]
    let encode = || (encode(), 0);
    #[cfg(feature = "s3")]
    let ((result, encrypted), offloaded) = crate::value::offloaded::offloading(encode);
    #[cfg(not(feature = "s3"))]
    let ((result, encrypted), offloaded) = (encode(), 0);
    (result, encrypted > 0, offloaded > 0)
}

/// Encrypted values and values to offload an encoded item left pending, and what sealing
/// them needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sealing {
    /// The model's type name, which picks its key provider.
    model_type: &'static str,
    /// The model's Rust name, for messages.
    model: &'static str,
    /// The model's table as the model names it (without the client's prefix): bound into
    /// each value.
    table: &'static str,
    /// The item's size limit, checked again once the values are sealed (they grow).
    limit: usize,
    /// Encrypted values are pending.
    encrypted: bool,
    /// Values to upload to S3 are pending.
    offloads: bool,
}

impl Sealing {
    /// What sealing an item of `M` needs, when anything is pending.
    pub(crate) fn of<M: crate::model::Table>(
        limit: usize,
        encrypted: bool,
        offloads: bool,
    ) -> Option<Self> {
        (encrypted || offloads).then(|| Sealing {
            model_type: std::any::type_name::<M>(),
            model: M::NAME,
            table: M::meta().table,
            limit,
            encrypted,
            offloads,
        })
    }

    /// Uploads the values to offload of `item`, whose key is `key`, then seals its
    /// encrypted values, waiting for S3 and the key provider; resolves to the objects
    /// uploaded, which the caller removes if its write fails.
    ///
    /// # Errors
    ///
    /// `Offload` (no store, an upload failed: nothing stays uploaded), `Encryption` naming
    /// the attributes (no provider, the provider failed), and `ItemTooLarge` when the
    /// sealed item is over its limit.
    pub(crate) async fn seal(self, keys: &Keys, item: &mut Item, key: &Item) -> Result<Uploaded> {
        let mut uploaded = Uploaded::new();
        #[cfg(feature = "s3")]
        if self.offloads {
            let store = keys.s3.as_deref();
            let uploads = super::offload::Uploads::plan(store, self.model, self.table, key, item)?;
            // The pointers are in place: the item's size is known but for encryption.
            self.check_size(item)?;
            uploaded = uploads.send(store).await?;
        }
        let sealed = self.seal_encrypted(keys, item, key).await;
        if sealed.is_err() {
            keys.discard(std::mem::take(&mut uploaded)).await;
        }
        sealed.map(|()| uploaded)
    }

    /// Whether values to upload are pending.
    pub(crate) fn offloads(self) -> bool {
        self.offloads
    }

    async fn seal_encrypted(self, keys: &Keys, item: &mut Item, key: &Item) -> Result<()> {
        #[cfg(feature = "encryption")]
        if self.encrypted {
            let provider = keys.providers.for_writing(self.model_type);
            crate::encryption::seal_pending(item, provider, self.table, key)
                .await
                .map_err(|failure| self.failed(failure))?;
        }
        self.check_size(item)
    }

    /// [`Sealing::seal`] without waiting: `Ok(false)` when the provider would wait.
    ///
    /// # Errors
    ///
    /// As [`Sealing::seal`]. Values to offload always wait (for S3).
    pub(crate) fn seal_now(self, keys: &Keys, item: &mut Item, key: &Item) -> Result<bool> {
        if self.offloads {
            return Ok(false);
        }
        #[cfg(feature = "encryption")]
        if self.encrypted {
            let provider = keys.providers.for_writing(self.model_type);
            match crate::encryption::seal_pending_now(item, provider, self.table, key) {
                None => return Ok(false),
                Some(done) => done.map_err(|failure| self.failed(failure))?,
            }
        }
        self.check_size(item).map(|()| true)
    }

    /// [`Sealing::seal_now`] for a dry run, where a provider that would wait is an error.
    ///
    /// # Errors
    ///
    /// As [`Sealing::seal`], and a provider that answers asynchronously.
    pub(crate) fn seal_for_dry_run(self, keys: &Keys, item: &mut Item, key: &Item) -> Result<()> {
        #[cfg(feature = "s3")]
        if self.offloads {
            // The request as it would be sent, pointing at objects not uploaded.
            super::offload::Uploads::plan(keys.s3.as_deref(), self.model, self.table, key, item)?;
        }
        let this = Sealing {
            offloads: false,
            ..self
        };
        if this.seal_now(keys, item, key)? {
            return Ok(());
        }
        Err(Error::invalid_request(
            self.model,
            "its key provider answers asynchronously, so a dry run (to_request) cannot encrypt its values: send the operation instead",
        ))
    }

    fn failed(self, (attribute, message): (String, String)) -> Error {
        ErrorKind::Encryption {
            model: self.model,
            attribute,
            message,
        }
        .into()
    }

    fn check_size(self, item: &Item) -> Result<()> {
        super::prepare::check_size_of(self.model, self.limit, item)
    }
}

/// Data keys unwrapped ahead of a decode (nothing without the `encryption` feature).
#[derive(Default)]
pub(crate) struct Opened {
    #[cfg(feature = "encryption")]
    keys: crate::encryption::Opened,
}

impl Opened {
    /// Runs `decode` with these keys at hand.
    pub(crate) fn scope<R>(self, decode: impl FnOnce() -> R) -> R {
        #[cfg(feature = "encryption")]
        return self.keys.scope(decode);
        #[cfg(not(feature = "encryption"))]
        decode()
    }
}

impl Keys {
    /// Whether writes ask for the item they replace: to remove the S3 objects it pointed
    /// at (with an S3 store).
    pub(crate) fn wants_replaced_items(&self) -> bool {
        #[cfg(feature = "s3")]
        return self.s3.is_some();
        #[cfg(not(feature = "s3"))]
        false
    }

    /// The objects `item` points at (none without the `s3` feature), to keep when the
    /// item it replaces is cleaned up.
    pub(crate) fn objects_in(&self, item: Option<&Item>) -> Uploaded {
        #[cfg(feature = "s3")]
        if self.s3.is_some() {
            return item.map(super::offload::pointers_in).unwrap_or_default();
        }
        Uploaded::new()
    }

    /// Removes objects a failed write uploaded.
    pub(crate) async fn discard(&self, uploaded: Uploaded) {
        #[cfg(feature = "s3")]
        if let (Some(store), false) = (&self.s3, uploaded.is_empty()) {
            store.discard(uploaded).await;
        }
    }

    /// Removes the objects the replaced or deleted item `old` pointed at, but those in
    /// `kept` (what the new item points at).
    pub(crate) async fn discard_replaced(&self, old: Option<&Item>, kept: &Uploaded) {
        #[cfg(feature = "s3")]
        if let (Some(store), Some(old)) = (&self.s3, old) {
            store.discard_replaced(old, kept).await;
        }
    }

    /// Reads the objects of `items` into them, when the store reads eagerly.
    async fn fetch<O>(&self, items: &mut [Item]) -> Result<()> {
        #[cfg(feature = "s3")]
        if let Some(store) = self.s3.as_deref().filter(|s| s.is_eager()) {
            let model = std::any::type_name::<O>()
                .rsplit("::")
                .next()
                .unwrap_or("item");
            store.fetch_into(model, items).await?;
        }
        Ok(())
    }

    /// Unwraps the data keys of the encrypted values in `items`, read as `O`, each once.
    pub(crate) async fn open<'i, O>(&self, items: impl IntoIterator<Item = &'i Item>) -> Opened {
        #[cfg(feature = "encryption")]
        return Opened {
            keys: crate::encryption::open_keys(&self.providers, std::any::type_name::<O>(), items)
                .await,
        };
        #[cfg(not(feature = "encryption"))]
        Opened::default()
    }

    /// Decodes `items` as `O` (running `after_load` when `hooks`), their data keys
    /// unwrapped first.
    pub(crate) async fn load_all<O: crate::model::collection::Load>(
        &self,
        mut items: Vec<Item>,
        hooks: bool,
    ) -> Result<Vec<O>> {
        self.fetch::<O>(&mut items).await?;
        let opened = self.open::<O>(&items).await;
        opened.scope(|| items.into_iter().map(|item| O::load(item, hooks)).collect())
    }

    /// As [`Keys::load_all`], each item decoded on its own.
    ///
    /// # Errors
    ///
    /// An object of an eager read could not be read.
    pub(crate) async fn load_each<O: crate::model::collection::Load>(
        &self,
        mut items: Vec<Item>,
        hooks: bool,
    ) -> Result<Vec<Result<O>>> {
        self.fetch::<O>(&mut items).await?;
        let opened = self.open::<O>(&items).await;
        Ok(opened.scope(|| items.into_iter().map(|item| O::load(item, hooks)).collect()))
    }

    /// [`Keys::load_all`] of at most one item.
    pub(crate) async fn load_one<O: crate::model::collection::Load>(
        &self,
        mut item: Option<Item>,
        hooks: bool,
    ) -> Result<Option<O>> {
        if let Some(item) = &mut item {
            self.fetch::<O>(std::slice::from_mut(item)).await?;
        }
        let opened = self.open::<O>(&item).await;
        opened.scope(|| item.map(|item| O::load(item, hooks)).transpose())
    }
}

#[cfg(feature = "encryption")]
impl super::Dynamo {
    /// The same client, encrypting with `provider` the values of every model that has no
    /// provider of its own
    /// ([`with_model_key_provider`](crate::Dynamo::with_model_key_provider)); the process's
    /// provider ([`set_key_provider`](crate::encryption::set_key_provider)) is used only
    /// when neither has one. Clones share it.
    ///
    /// Reading, a value opens with the first provider that has its key, in this order: the
    /// model's, the client's, the other models', the process's.
    pub fn with_key_provider(
        &self,
        provider: impl crate::encryption::KeyProvider + 'static,
    ) -> Self {
        let mut client = self.clone();
        client.keys.providers = self
            .keys
            .providers
            .with_client(std::sync::Arc::new(provider));
        client
    }

    /// The same client, encrypting with `provider` the values of model `M` (a tenant's
    /// key, a model under stricter rules), whatever the client's provider.
    pub fn with_model_key_provider<M: crate::model::Table>(
        &self,
        provider: impl crate::encryption::KeyProvider + 'static,
    ) -> Self {
        let mut client = self.clone();
        client.keys.providers = self
            .keys
            .providers
            .with_model(std::any::type_name::<M>(), std::sync::Arc::new(provider));
        client
    }
}
