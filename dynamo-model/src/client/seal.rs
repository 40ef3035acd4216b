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
    not(feature = "encryption"),
    allow(dead_code, unused_variables, clippy::extra_unused_type_parameters)
)]

use crate::error::{Error, ErrorKind, Result};
use crate::value::Item;

/// The key providers of a client (nothing without the `encryption` feature).
#[derive(Debug, Clone, Default)]
pub(crate) struct Keys {
    #[cfg(feature = "encryption")]
    providers: crate::encryption::KeyProviders,
}

/// Encrypted values an encoded item left pending, and what sealing them needs.
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
}

impl Sealing {
    /// What sealing an item of `M` needs.
    pub(crate) fn of<M: crate::model::Table>(limit: usize) -> Self {
        Sealing {
            model_type: std::any::type_name::<M>(),
            model: M::NAME,
            table: M::meta().table,
            limit,
        }
    }

    /// Seals the pending values of `item`, whose key is `key`, waiting for the provider.
    ///
    /// # Errors
    ///
    /// `Encryption` naming the attributes (no provider, the provider failed), and
    /// `ItemTooLarge` when the sealed item is over its limit.
    pub(crate) async fn seal(self, keys: &Keys, item: &mut Item, key: &Item) -> Result<()> {
        #[cfg(feature = "encryption")]
        {
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
    /// As [`Sealing::seal`].
    pub(crate) fn seal_now(self, keys: &Keys, item: &mut Item, key: &Item) -> Result<bool> {
        #[cfg(feature = "encryption")]
        {
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
        if self.seal_now(keys, item, key)? {
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
        items: Vec<Item>,
        hooks: bool,
    ) -> Result<Vec<O>> {
        let opened = self.open::<O>(&items).await;
        opened.scope(|| items.into_iter().map(|item| O::load(item, hooks)).collect())
    }

    /// [`Keys::load_all`] of at most one item.
    pub(crate) async fn load_one<O: crate::model::collection::Load>(
        &self,
        item: Option<Item>,
        hooks: bool,
    ) -> Result<Option<O>> {
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
