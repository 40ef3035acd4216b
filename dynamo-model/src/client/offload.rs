//! The S3 steps of the write and read pipelines (feature `s3`): values of
//! [`Offloaded`](crate::value::offloaded::Offloaded) fields left pending by the encoding are
//! uploaded before the item is written, each under a new key; objects are removed when the
//! write that needed them fails, and when the item that pointed at them is replaced or
//! deleted; pointers are followed on reads, eagerly or when asked.
//!
//! Failures leave no pointer without its object: an upload that fails writes no item, and
//! an object is removed only once no item points at it. An object that cannot be removed
//! is kept in [`S3Store::orphans`] with its key.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use futures_util::{StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};

use super::Dynamo;
use crate::error::{ErrorKind, OffloadProblem, Result};
use crate::value::offloaded::{Offloaded, Pending, S3Pointer};
use crate::value::{AttributeValue, FromAttributeValue, Item};

/// How many objects move at once for one operation.
const OBJECTS_IN_FLIGHT: usize = 8;

/// Where a client stores offloaded values: an S3 client, a bucket and a key prefix; and
/// whether reads fetch the objects with the items. Attach it with [`Dynamo::with_s3`].
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    prefix: String,
    eager: bool,
    orphans: Mutex<Vec<S3Pointer>>,
}

impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Store")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("eager", &self.eager)
            .finish_non_exhaustive()
    }
}

impl S3Store {
    /// A store writing to `bucket`, objects under `{table}/{item}/{attribute}/{id}`, read
    /// lazily.
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        S3Store {
            client,
            bucket: bucket.into(),
            prefix: String::new(),
            eager: false,
            orphans: Mutex::new(Vec::new()),
        }
    }

    /// Puts every object key under `prefix` (`"offloaded/"`).
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Reads fetch the objects of the items they return before decoding them (`true`), or
    /// leave pointers for [`Dynamo::load`] (`false`, the default).
    #[must_use]
    pub fn eager(mut self, eager: bool) -> Self {
        self.eager = eager;
        self
    }

    /// The bucket new objects go to.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Objects no item points at any more that could not be removed (a failed
    /// `DeleteObject`): remove them later, or let a bucket lifecycle rule do it.
    pub fn orphans(&self) -> Vec<S3Pointer> {
        self.orphans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn failure(
        subject: &str,
        pointer: &S3Pointer,
        problem: OffloadProblem,
        message: String,
    ) -> crate::Error {
        ErrorKind::Offload {
            subject: subject.to_owned(),
            bucket: pointer.bucket.clone(),
            key: pointer.key.clone(),
            problem,
            message,
        }
        .into()
    }

    async fn upload(&self, subject: &str, pointer: &S3Pointer, body: Vec<u8>) -> Result<()> {
        self.client
            .put_object()
            .bucket(&pointer.bucket)
            .key(&pointer.key)
            .content_type(&pointer.content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map(drop)
            .map_err(|error| {
                let fix = match error.as_service_error().map(|e| e.meta().code()) {
                    Some(Some("NoSuchBucket")) => {
                        ": create the bucket, or give the S3Store an existing one"
                    }
                    _ => "",
                };
                let message = format!("S3 PutObject failed: {}{fix}", DisplayErrorContext(&error));
                Self::failure(subject, pointer, OffloadProblem::Upload, message)
            })
    }

    /// The value the object `pointer` names holds, checked against its size and SHA-256.
    async fn download(&self, subject: &str, pointer: &S3Pointer) -> Result<AttributeValue> {
        let output = self
            .client
            .get_object()
            .bucket(&pointer.bucket)
            .key(&pointer.key)
            .send()
            .await
            .map_err(|error| {
                let message = format!("S3 GetObject failed: {}", DisplayErrorContext(&error));
                Self::failure(subject, pointer, OffloadProblem::Download, message)
            })?;
        let body = output.body.collect().await.map_err(|error| {
            let message = format!("reading the object failed: {error}");
            Self::failure(subject, pointer, OffloadProblem::Download, message)
        })?;
        let body = body.into_bytes().to_vec();
        let sha256 = hex(&Sha256::digest(&body));
        if body.len() as u64 != pointer.size || sha256 != pointer.sha256 {
            let message = format!(
                "the item points at {} bytes with SHA-256 {}, the object has {} bytes with SHA-256 {sha256}: it was changed or replaced outside this client",
                pointer.size,
                pointer.sha256,
                body.len()
            );
            return Err(Self::failure(
                subject,
                pointer,
                OffloadProblem::Checksum,
                message,
            ));
        }
        pointer
            .form
            .value_of(body)
            .map_err(|why| Self::failure(subject, pointer, OffloadProblem::Decode, why))
    }

    async fn delete(&self, pointer: &S3Pointer) -> Result<()> {
        self.client
            .delete_object()
            .bucket(&pointer.bucket)
            .key(&pointer.key)
            .send()
            .await
            .map(drop)
            .map_err(|error| {
                let message = format!("S3 DeleteObject failed: {}", DisplayErrorContext(&error));
                Self::failure("DeleteObject", pointer, OffloadProblem::Delete, message)
            })
    }

    /// Removes objects no item points at; those that cannot be removed become orphans.
    pub(crate) async fn discard(&self, pointers: Vec<S3Pointer>) {
        let failed: Vec<S3Pointer> = futures_util::stream::iter(pointers)
            .map(|pointer| async move { self.delete(&pointer).await.err().map(|_| pointer) })
            .buffer_unordered(OBJECTS_IN_FLIGHT)
            .filter_map(std::future::ready)
            .collect()
            .await;
        if !failed.is_empty() {
            #[cfg(feature = "tracing")]
            for orphan in &failed {
                tracing::warn!(bucket = %orphan.bucket, key = %orphan.key, "S3 object orphaned: DeleteObject failed");
            }
            self.orphans
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend(failed);
        }
    }

    /// Whether reads fetch objects with their items.
    pub(crate) fn is_eager(&self) -> bool {
        self.eager
    }

    /// Removes the objects `old` pointed at, but those in `kept`.
    pub(crate) async fn discard_replaced(&self, old: &Item, kept: &[S3Pointer]) {
        let kept: HashSet<(&str, &str)> = kept
            .iter()
            .map(|p| (p.bucket.as_str(), p.key.as_str()))
            .collect();
        let gone: Vec<S3Pointer> = pointers_in(old)
            .into_iter()
            .filter(|p| !kept.contains(&(p.bucket.as_str(), p.key.as_str())))
            .collect();
        if !gone.is_empty() {
            self.discard(gone).await;
        }
    }

    /// Replaces the pointers in `items` with pointers that carry their object's value, so
    /// that decoding reads them as loaded.
    pub(crate) async fn fetch_into(&self, model: &str, items: &mut [Item]) -> Result<()> {
        let mut wanted: Vec<(String, S3Pointer)> = Vec::new();
        for item in items.iter() {
            for (name, value) in item {
                each_pointer(name, value, &mut |path, pointer| {
                    wanted.push((format!("{model}.{path}"), pointer));
                });
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let fetched: Vec<(S3Pointer, AttributeValue)> = futures_util::stream::iter(wanted)
            .map(|(subject, pointer)| async move {
                let value = self.download(&subject, &pointer).await?;
                Ok::<_, crate::Error>((pointer, value))
            })
            .buffer_unordered(OBJECTS_IN_FLIGHT)
            .try_collect()
            .await?;
        let fetched: std::collections::HashMap<String, AttributeValue> = fetched
            .into_iter()
            .map(|(pointer, value)| (format!("{}/{}", pointer.bucket, pointer.key), value))
            .collect();
        for item in items.iter_mut() {
            for value in item.values_mut() {
                replace_pointers(value, &mut |pointer| {
                    fetched
                        .get(&format!("{}/{}", pointer.bucket, pointer.key))
                        .map(|loaded| pointer.with_loaded(loaded.clone()))
                });
            }
        }
        Ok(())
    }
}

/// Every pointer in `item`, at any depth.
pub(crate) fn pointers_in(item: &Item) -> Vec<S3Pointer> {
    let mut found = Vec::new();
    for (name, value) in item {
        each_pointer(name, value, &mut |_, pointer| found.push(pointer));
    }
    found
}

fn each_pointer(path: &str, value: &AttributeValue, found: &mut impl FnMut(&str, S3Pointer)) {
    if let Some(pointer) = S3Pointer::from_value(value) {
        found(path, pointer);
        return;
    }
    match value {
        AttributeValue::M(map) => {
            for (name, value) in map {
                each_pointer(&format!("{path}.{name}"), value, found);
            }
        }
        AttributeValue::L(list) => {
            for (index, value) in list.iter().enumerate() {
                each_pointer(&format!("{path}[{index}]"), value, found);
            }
        }
        _ => {}
    }
}

fn replace_pointers(
    value: &mut AttributeValue,
    replace: &mut impl FnMut(&S3Pointer) -> Option<AttributeValue>,
) {
    if let Some(pointer) = S3Pointer::from_value(value) {
        if let Some(loaded) = replace(&pointer) {
            *value = loaded;
        }
        return;
    }
    match value {
        AttributeValue::M(map) => map.values_mut().for_each(|v| replace_pointers(v, replace)),
        AttributeValue::L(list) => list.iter_mut().for_each(|v| replace_pointers(v, replace)),
        _ => {}
    }
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// A path segment safe in an object key.
fn key_segment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The uploads a write needs: each pending value replaced by the pointer to its new
/// object, and the bodies still to send.
#[derive(Debug, Default)]
pub(crate) struct Uploads {
    bodies: Vec<(String, S3Pointer, Vec<u8>)>,
}

impl Uploads {
    /// Replaces every pending value in `item` (the model `model`'s, in `table`, with key
    /// `key`) by the pointer to a new object in `store`.
    ///
    /// # Errors
    ///
    /// No store is configured.
    pub(crate) fn plan(
        store: Option<&S3Store>,
        model: &'static str,
        table: &str,
        key: &Item,
        item: &mut Item,
    ) -> Result<Uploads> {
        let mut names: Vec<&String> = key.keys().collect();
        names.sort();
        let mut hasher = Sha256::new();
        for name in names {
            hasher.update(name.as_bytes());
            hasher.update(crate::value::wire::encode(&key[name]));
        }
        let item_id = hex(&hasher.finalize()[..12]);
        let mut uploads = Uploads::default();
        let mut missing_store = None;
        for (name, value) in item.iter_mut() {
            plan_value(name, value, &mut |path, pending| {
                let Some(store) = store else {
                    missing_store = Some(path.to_owned());
                    return None;
                };
                let object_key = format!(
                    "{}{}/{item_id}/{}/{:016x}{:016x}",
                    store.prefix,
                    key_segment(table),
                    key_segment(path),
                    fastrand::u64(..),
                    fastrand::u64(..)
                );
                let pointer = S3Pointer {
                    bucket: store.bucket.clone(),
                    key: object_key,
                    size: pending.body.len() as u64,
                    sha256: hex(&Sha256::digest(&pending.body)),
                    content_type: pending.content_type,
                    form: pending.form,
                };
                let stored = pointer.to_value();
                uploads
                    .bodies
                    .push((format!("{model}.{path}"), pointer, pending.body));
                Some(stored)
            });
        }
        if let Some(path) = missing_store {
            return Err(ErrorKind::Offload {
                subject: format!("{model}.{path}"),
                bucket: String::new(),
                key: String::new(),
                problem: OffloadProblem::NoStore,
                message: "the value is over its size threshold and this client has no S3 store: give it one (Dynamo::with_s3)".to_owned(),
            }
            .into());
        }
        Ok(uploads)
    }

    /// Sends every planned object; when one fails, removes those sent and fails.
    ///
    /// # Errors
    ///
    /// The first upload that failed.
    pub(crate) async fn send(self, store: Option<&S3Store>) -> Result<Vec<S3Pointer>> {
        let Some(store) = store else {
            return Ok(Vec::new());
        };
        let results: Vec<(S3Pointer, Result<()>)> = futures_util::stream::iter(self.bodies)
            .map(|(subject, pointer, body)| async move {
                let sent = store.upload(&subject, &pointer, body).await;
                (pointer, sent)
            })
            .buffer_unordered(OBJECTS_IN_FLIGHT)
            .collect()
            .await;
        let mut sent = Vec::new();
        let mut failure = None;
        for (pointer, result) in results {
            match result {
                Ok(()) => sent.push(pointer),
                Err(error) => failure = failure.or(Some(error)),
            }
        }
        match failure {
            None => Ok(sent),
            Some(error) => {
                store.discard(sent).await;
                Err(error)
            }
        }
    }
}

fn plan_value(
    path: &str,
    value: &mut AttributeValue,
    plan: &mut impl FnMut(&str, Pending) -> Option<AttributeValue>,
) {
    if let Some(pending) = Pending::parse(value) {
        if let Some(pointer) = plan(path, pending) {
            *value = pointer;
        }
        return;
    }
    match value {
        AttributeValue::M(map) => {
            for (name, value) in map.iter_mut() {
                plan_value(&format!("{path}.{name}"), value, plan);
            }
        }
        AttributeValue::L(list) => {
            for (index, value) in list.iter_mut().enumerate() {
                plan_value(&format!("{path}[{index}]"), value, plan);
            }
        }
        _ => {}
    }
}

impl Dynamo {
    /// The same client, storing [`Offloaded`] values over their threshold in `store`.
    /// Clones share it.
    pub fn with_s3(&self, store: S3Store) -> Self {
        let mut client = self.clone();
        client.keys.s3 = Some(Arc::new(store));
        client
    }

    /// The client's S3 store.
    pub fn s3(&self) -> Option<&S3Store> {
        self.keys.s3.as_deref()
    }

    /// Reads an offloaded value from its object when it was read as a pointer (a lazy
    /// read), keeps it in `value`, and returns it; a value at hand is returned as it is.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Offload`]: no store, the object cannot be read, or it is not the one
    /// the item points at (size or SHA-256, [`OffloadProblem::Checksum`]).
    pub async fn load<'v, T: FromAttributeValue, const OVER: usize>(
        &self,
        value: &'v mut Offloaded<T, OVER>,
    ) -> Result<&'v T> {
        if let Some(pointer) = value.pointer().filter(|_| !value.is_loaded()).cloned() {
            let store = self.store_for("load")?;
            let subject = format!("load of {}", std::any::type_name::<T>());
            let read = store.download(&subject, &pointer).await?;
            let decoded = T::from_attribute_value(read).map_err(|problems| {
                let why: Vec<String> = problems
                    .into_vec()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                let message = format!("the object does not decode: {}", why.join("; "));
                S3Store::failure(&subject, &pointer, OffloadProblem::Decode, message)
            })?;
            value.loaded(decoded);
        }
        value.value().ok_or_else(|| {
            ErrorKind::Offload {
                subject: "load".to_owned(),
                bucket: String::new(),
                key: String::new(),
                problem: OffloadProblem::Decode,
                message: "the value is neither at hand nor in S3".to_owned(),
            }
            .into()
        })
    }

    /// A URL that lets anyone holding it `GET` the object of an offloaded value for
    /// `expires_in` (at most 7 days): to serve a file without passing it through the
    /// service.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Offload`]: the value is not in S3 (held in the item, or not written
    /// yet), no store, or the duration is refused.
    pub async fn presigned_url<T, const OVER: usize>(
        &self,
        value: &Offloaded<T, OVER>,
        expires_in: Duration,
    ) -> Result<String> {
        let store = self.store_for("presigned_url")?;
        let Some(pointer) = value.pointer() else {
            return Err(ErrorKind::Offload {
                subject: "presigned_url".to_owned(),
                bucket: store.bucket.clone(),
                key: String::new(),
                problem: OffloadProblem::Presign,
                message: "the value is not in S3: it is held in the item (at most its threshold), or was not written yet".to_owned(),
            }
            .into());
        };
        let failed = |message: String| {
            S3Store::failure("presigned_url", pointer, OffloadProblem::Presign, message)
        };
        let config = PresigningConfig::expires_in(expires_in).map_err(|e| failed(e.to_string()))?;
        let request = store
            .client
            .get_object()
            .bucket(&pointer.bucket)
            .key(&pointer.key)
            .presigned(config)
            .await
            .map_err(|e| failed(DisplayErrorContext(&e).to_string()))?;
        Ok(request.uri().to_owned())
    }

    fn store_for(&self, operation: &str) -> Result<&S3Store> {
        self.s3().ok_or_else(|| {
            ErrorKind::Offload {
                subject: operation.to_owned(),
                bucket: String::new(),
                key: String::new(),
                problem: OffloadProblem::NoStore,
                message: "this client has no S3 store: give it one (Dynamo::with_s3)".to_owned(),
            }
            .into()
        })
    }
}
