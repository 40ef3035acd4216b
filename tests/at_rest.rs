//! Compressed and encrypted attributes on both backends: transparent round trips, what is
//! stored (B past the threshold, the plain value below it, no plaintext in a ciphertext),
//! a tampered ciphertext and a wrong key refused with distinct errors, and compressed data
//! that claims more than it can hold refused before anything is allocated.

use aws_smithy_types::Blob;
use dynamo_model::compress::{compress_value, decompress_value, Compression};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dynamo_model::encryption::{
    set_key_provider, KeyFuture, KeyProvider, KeyRing, LocalKey, UnwrapError,
};
use dynamo_model::{AttributeValue, Dynamo, DynamoModel, Item, Saved, Tracked};
use dynamo_model_tests::conformance;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "documents", hash_key = "id")]
struct Document {
    id: String,
    #[dynamo(compress = "zstd")]
    body: String,
    #[dynamo(compress = "lz4", compress_min = 0)]
    lines: Vec<String>,
    #[dynamo(compress = "gzip")]
    appendix: Option<String>,
    #[dynamo(encrypt)]
    secret: String,
    #[dynamo(encrypt)]
    card: Option<u64>,
}

/// Another table with an encrypted attribute of the same name.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "copies", hash_key = "id")]
struct Duplicate {
    id: String,
    #[dynamo(encrypt)]
    secret: String,
}

/// An encrypted attribute beside plain bytes.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "attachments", hash_key = "id")]
struct Attachment {
    id: String,
    #[dynamo(encrypt)]
    secret: String,
    raw: Vec<u8>,
}

/// The key provider is process-wide: tests that change it take turns.
static PROVIDER_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn document(id: &str) -> Document {
    Document {
        id: id.into(),
        body: "lorem ipsum dolor sit amet ".repeat(200),
        lines: vec!["one".into(), "two".into()],
        appendix: Some("short".into()),
        secret: "the plaintext secret".into(),
        card: Some(4_111_111_111_111_111),
    }
}

async fn stored(db: &Dynamo, id: &str) -> Item {
    let output = db
        .backend()
        .get_item(
            aws_sdk_dynamodb::operation::get_item::GetItemInput::builder()
                .table_name(db.table_name::<Document>())
                .key("id", AttributeValue::S(id.into())),
        )
        .await
        .unwrap();
    output.item.unwrap()
}

async fn overwrite(db: &Dynamo, item: Item) {
    db.backend()
        .put_item(
            aws_sdk_dynamodb::operation::put_item::PutItemInput::builder()
                .table_name(db.table_name::<Document>())
                .set_item(Some(item)),
        )
        .await
        .unwrap();
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

conformance! {
    async fn compressed_and_encrypted_attributes_round_trip(db: Dynamo) {
        let _turn = PROVIDER_TURN.lock().await;
        set_key_provider(LocalKey::new("k1", [1u8; 32]));
        db.create_table::<Document>().await.unwrap();
        let original = document("d1");
        db.put(&original).await.unwrap();
        assert_eq!(db.get::<Document>("d1").await.unwrap().unwrap(), original);

        let item = stored(&db, "d1").await;
        let body = item["body"].as_b().expect("a long body is compressed");
        assert!(body.as_ref().len() < 400, "{} bytes for 5400 characters", body.as_ref().len());
        assert!(item["lines"].as_b().is_ok(), "compress_min = 0 compresses anything");
        assert_eq!(item["appendix"], AttributeValue::S("short".into()), "under the threshold");
        let secret = item["secret"].as_b().expect("ciphertext");
        assert!(!contains(secret.as_ref(), b"plaintext"));
        assert!(!contains(item["card"].as_b().unwrap().as_ref(), b"4111111111111111"));
        assert!(!format!("{item:?}").contains("the plaintext secret"));

        // Two writes of the same value give different ciphertexts (fresh key and nonce).
        db.put(&original).await.unwrap();
        assert_ne!(stored(&db, "d1").await["secret"], item["secret"]);

        // A value written without compression (an older threshold) still reads.
        let mut plain = stored(&db, "d1").await;
        plain.insert("body".into(), AttributeValue::S("plain".into()));
        overwrite(&db, plain).await;
        assert_eq!(db.get::<Document>("d1").await.unwrap().unwrap().body, "plain");

        let empty = Document { card: None, appendix: None, ..document("d2") };
        db.put(&empty).await.unwrap();
        assert_eq!(db.get::<Document>("d2").await.unwrap().unwrap(), empty);
    }

    async fn a_tampered_ciphertext_and_a_wrong_key_are_refused(db: Dynamo) {
        let _turn = PROVIDER_TURN.lock().await;
        set_key_provider(LocalKey::new("k1", [1u8; 32]));
        db.create_table::<Document>().await.unwrap();
        db.put(&document("d1")).await.unwrap();
        let item = stored(&db, "d1").await;

        let mut tampered = item.clone();
        let mut bytes = tampered["secret"].as_b().unwrap().as_ref().to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        tampered.insert("secret".into(), AttributeValue::B(Blob::new(bytes)));
        overwrite(&db, tampered).await;
        let error = db.get::<Document>("d1").await.unwrap_err();
        assert!(error.is_tampered() && !error.is_wrong_key(), "{error}");
        assert!(error.to_string().contains("secret"), "{error}");

        // A ciphertext moved to another encrypted attribute fails authentication too.
        let mut moved = item.clone();
        moved.insert("card".into(), item["secret"].clone());
        overwrite(&db, moved).await;
        assert!(db.get::<Document>("d1").await.unwrap_err().is_tampered());

        overwrite(&db, item.clone()).await;
        set_key_provider(LocalKey::new("k1", [2u8; 32]));
        let error = db.get::<Document>("d1").await.unwrap_err();
        assert!(error.is_wrong_key() && !error.is_tampered(), "{error}");
        set_key_provider(LocalKey::new("k2", [1u8; 32]));
        assert!(db.get::<Document>("d1").await.unwrap_err().is_wrong_key());
        assert!(!format!("{error:?}").contains("the plaintext secret"));

        set_key_provider(LocalKey::new("k1", [1u8; 32]));
        assert_eq!(db.get::<Document>("d1").await.unwrap().unwrap(), document("d1"));
    }

    async fn a_key_ring_rotates_without_losing_what_older_keys_wrote(db: Dynamo) {
        let _turn = PROVIDER_TURN.lock().await;
        db.create_table::<Document>().await.unwrap();
        set_key_provider(LocalKey::new("k-2025", [4u8; 32]));
        db.put(&document("before")).await.unwrap();
        set_key_provider(KeyRing::new(LocalKey::new("k-2026", [5u8; 32])).with(LocalKey::new("k-2025", [4u8; 32])));
        db.put(&document("after")).await.unwrap();
        assert_eq!(db.get::<Document>("before").await.unwrap().unwrap(), document("before"));
        assert_eq!(db.get::<Document>("after").await.unwrap().unwrap(), document("after"));
        let key_id = |item: &Item| {
            let bytes = item["secret"].as_b().unwrap().as_ref().to_vec();
            String::from_utf8(bytes[5..5 + usize::from(bytes[4])].to_vec()).unwrap()
        };
        assert_eq!(key_id(&stored(&db, "before").await), "k-2025");
        assert_eq!(key_id(&stored(&db, "after").await), "k-2026", "new values use the current key");
        // Once the old key leaves the ring, what it wrapped reads as a wrong key.
        set_key_provider(KeyRing::new(LocalKey::new("k-2026", [5u8; 32])));
        assert!(db.get::<Document>("before").await.unwrap_err().is_wrong_key());
        set_key_provider(LocalKey::new("k1", [1u8; 32]));
    }

    async fn an_encrypted_value_opens_only_in_its_own_item(db: Dynamo) {
        let _turn = PROVIDER_TURN.lock().await;
        set_key_provider(LocalKey::new("k1", [1u8; 32]));
        db.create_table::<Document>().await.unwrap();
        db.create_table::<Duplicate>().await.unwrap();
        db.put(&document("mine")).await.unwrap();
        db.put(&document("yours")).await.unwrap();
        let mine = stored(&db, "mine").await;
        assert!(mine["secret"].as_b().unwrap().as_ref().starts_with(b"DME3"), "bound to its item");

        // Into another item of the same table, same attribute: refused as tampered.
        let mut yours = stored(&db, "yours").await;
        yours.insert("secret".into(), mine["secret"].clone());
        overwrite(&db, yours).await;
        let error = db.get::<Document>("yours").await.unwrap_err();
        assert!(error.is_tampered(), "{error}");

        // Into another table's attribute of the same name, same key: refused too.
        db.put(&Duplicate { id: "mine".into(), secret: "other".into() }).await.unwrap();
        let mut copied = Item::new();
        copied.insert("id".into(), AttributeValue::S("mine".into()));
        copied.insert("secret".into(), mine["secret"].clone());
        db.backend()
            .put_item(
                aws_sdk_dynamodb::operation::put_item::PutItemInput::builder()
                    .table_name(db.table_name::<Duplicate>())
                    .set_item(Some(copied)),
            )
            .await
            .unwrap();
        assert!(db.get::<Duplicate>("mine").await.unwrap_err().is_tampered());

        // A value sealed bound to no item (written before, or by `to_item`) still opens.
        let mut unbound = stored(&db, "yours").await;
        unbound.insert("secret".into(), dynamo_model::__private::encrypt_value("plain old", "secret").unwrap());
        overwrite(&db, unbound).await;
        assert_eq!(db.get::<Document>("yours").await.unwrap().unwrap().secret, "plain old");
        // Items a write returns go through the same read step, bound values included.
        let mut changed = document("mine");
        changed.secret = "changed".into();
        let old = db.put(&changed).return_old().await.unwrap();
        assert_eq!(old, Some(document("mine")));
        let gone = db.delete(&changed).return_old().await.unwrap();
        assert_eq!(gone.map(|d| d.secret), Some("changed".to_owned()));
        db.put(&document("mine")).await.unwrap();
        // Outside the client, a bound value cannot be opened: it names the way to read it.
        let error = Document::from_item(mine).unwrap_err();
        assert!(error.to_string().contains("read it through the client"), "{error}");
    }

    async fn a_provider_that_cannot_wrap_fails_the_write_and_stores_nothing(db: Dynamo) {
        let _turn = PROVIDER_TURN.lock().await;
        db.create_table::<Document>().await.unwrap();
        let long_id = "k".repeat(256);
        for provider in [Outage::boxed("KMS is unreachable"), Box::new(LocalKey::new(long_id, [1u8; 32]))] {
            set_provider_box(provider);
            let put = db.put(&document("lost")).await.unwrap_err();
            assert!(
                matches!(put.kind(), dynamo_model::ErrorKind::Encryption { attribute, .. } if attribute.contains("secret") && attribute.contains("card")),
                "{put:?}"
            );
            assert!(put.to_string().contains("`Document` was not written"), "{put}");
            let tx = db.transact_write().put(&document("lost")).await.unwrap_err();
            assert!(matches!(tx.kind(), dynamo_model::ErrorKind::Encryption { .. }), "{tx:?}");
            let batch = db.batch_write().put(&document("lost")).await.unwrap_err();
            let refused = batch.refused_writes();
            assert!(matches!(refused[0].error.kind(), dynamo_model::ErrorKind::Encryption { .. }), "{batch:?}");
            assert_eq!(db.get::<Document>("lost").await.ok().flatten(), None, "nothing was stored");
        }
        set_key_provider(LocalKey::new("k1", [1u8; 32]));
        db.put(&document("kept")).await.unwrap();
        assert_eq!(db.get::<Document>("kept").await.unwrap().unwrap(), document("kept"));
    }
}

/// A key provider whose key service is down.
#[derive(Debug)]
struct Outage(&'static str);

impl Outage {
    fn boxed(why: &'static str) -> Box<dyn KeyProvider> {
        Box::new(Outage(why))
    }
}

impl KeyProvider for Outage {
    fn key_id(&self) -> &str {
        "kms-key"
    }

    fn wrap<'a>(&'a self, _: &'a [u8; 32]) -> KeyFuture<'a, Result<Vec<u8>, String>> {
        Box::pin(std::future::ready(Err(self.0.to_owned())))
    }

    fn unwrap<'a>(
        &'a self,
        _: &'a str,
        _: &'a [u8],
    ) -> KeyFuture<'a, Result<[u8; 32], UnwrapError>> {
        Box::pin(std::future::ready(Err(UnwrapError::Failed(
            self.0.to_owned(),
        ))))
    }
}

/// Sets a boxed provider.
fn set_provider_box(provider: Box<dyn KeyProvider>) {
    set_key_provider(provider);
}

/// A provider behind a network call, as KMS is: it answers only after yielding to the
/// runtime (so nothing can take its answer without waiting), and counts its calls.
#[derive(Debug)]
struct Remote {
    key: LocalKey,
    down: bool,
    wraps: AtomicUsize,
    unwraps: AtomicUsize,
}

impl Remote {
    fn new(id: &str, bytes: [u8; 32]) -> Arc<Self> {
        Arc::new(Remote {
            key: LocalKey::new(id, bytes),
            down: false,
            wraps: AtomicUsize::new(0),
            unwraps: AtomicUsize::new(0),
        })
    }

    fn down(id: &str) -> Arc<Self> {
        Arc::new(Remote {
            down: true,
            ..Arc::into_inner(Remote::new(id, [0u8; 32])).unwrap()
        })
    }

    fn wraps(&self) -> usize {
        self.wraps.load(Ordering::SeqCst)
    }

    fn unwraps(&self) -> usize {
        self.unwraps.load(Ordering::SeqCst)
    }
}

impl KeyProvider for Remote {
    fn key_id(&self) -> &str {
        self.key.key_id()
    }

    fn wrap<'a>(&'a self, data_key: &'a [u8; 32]) -> KeyFuture<'a, Result<Vec<u8>, String>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            self.wraps.fetch_add(1, Ordering::SeqCst);
            if self.down {
                return Err("the key service timed out".to_owned());
            }
            self.key.wrap(data_key).await
        })
    }

    fn unwrap<'a>(
        &'a self,
        key_id: &'a str,
        wrapped: &'a [u8],
    ) -> KeyFuture<'a, Result<[u8; 32], UnwrapError>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            self.unwraps.fetch_add(1, Ordering::SeqCst);
            self.key.unwrap(key_id, wrapped).await
        })
    }
}

/// The stored item of `M` with hash key `id`, as the table holds it.
async fn raw<M: dynamo_model::Table>(db: &Dynamo, id: &str) -> Item {
    db.backend()
        .get_item(
            aws_sdk_dynamodb::operation::get_item::GetItemInput::builder()
                .table_name(db.table_name::<M>())
                .key("id", AttributeValue::S(id.into())),
        )
        .await
        .unwrap()
        .item
        .unwrap()
}

/// Providers attached to clients and models, on both backends.
mod client_keys {
    use super::*;

    conformance! {
        async fn an_asynchronous_provider_on_the_client_serves_every_path(db: Dynamo) {
            let remote = Remote::new("remote-1", [9u8; 32]);
            let db = db.with_key_provider(Arc::clone(&remote));
            db.create_table::<Document>().await.unwrap();

            db.put(&document("a")).await.unwrap();
            assert_eq!(remote.wraps(), 1, "one data key per item, for both encrypted attributes");
            assert_eq!(db.get::<Document>("a").await.unwrap().unwrap(), document("a"));
            assert_eq!(remote.unwraps(), 1, "one unwrap per item read");
            assert!(contains(raw::<Document>(&db, "a").await["secret"].as_b().unwrap().as_ref(), b"remote-1"));

            db.transact_write().put(&document("b")).await.unwrap();
            let batch = [document("c"), document("d")];
            db.batch_write().put_all(&batch).await.unwrap();
            assert_eq!(remote.wraps(), 4);

            // A tracked save compares encrypted values by what they hold: only the changed one
            // is sent, sealed.
            let mut tracked = Tracked::loaded(db.get::<Document>("a").await.unwrap().unwrap());
            tracked.secret = "changed".into();
            assert_eq!(db.save_changes(&mut tracked).await.unwrap(), Saved::Updated(vec!["secret"]));
            assert_eq!(tracked.secret, "changed");

            let mut all = db.scan::<Document>().all().await.unwrap();
            all.sort_by(|x, y| x.id.cmp(&y.id));
            let ids: Vec<&str> = all.iter().map(|d| d.id.as_str()).collect();
            assert_eq!(ids, ["a", "b", "c", "d"]);
            assert_eq!(all[0].secret, "changed");
            assert_eq!(all[3], document("d"));
            let keys = ["a", "b", "c", "d"];
            assert_eq!(db.batch_get::<Document>(keys).await.unwrap().len(), 4);
            let (b, c) = db.transact_get().get::<Document>("b").get::<Document>("c").await.unwrap();
            assert_eq!((b.unwrap(), c.unwrap()), (document("b"), document("c")));
            let old = db.delete_by_key::<Document>("d").return_old().await.unwrap();
            assert_eq!(old, Some(document("d")));

            // Paths that cannot wait say so, and send nothing.
            let dry = db.put(&document("e")).to_request().unwrap_err();
            assert!(dry.to_string().contains("asynchronously"), "{dry}");
            let insert = db.statements::<Document>().insert(&document("e")).unwrap_err();
            assert!(insert.to_string().contains("put the item instead"), "{insert}");
            assert_eq!(db.get::<Document>("e").await.unwrap(), None);

            // A provider that fails refuses the write: alone, in a transaction, in a batch.
            let down = db.with_key_provider(Remote::down("remote-down"));
            let put = down.put(&document("lost")).await.unwrap_err();
            assert!(put.to_string().contains("the key service timed out"), "{put}");
            assert!(down.transact_write().put(&document("lost")).await.is_err());
            let batch = down.batch_write().put(&document("lost")).put(&document("lost2")).await.unwrap_err();
            let refused = batch.refused_writes();
            assert_eq!(refused.iter().map(|r| r.position).collect::<Vec<_>>(), [1, 2], "{batch:?}");
            assert_eq!(db.get::<Document>("lost").await.unwrap(), None);
        }

        async fn a_tracked_model_never_shows_the_item_it_compares_against(db: Dynamo) {
        // The snapshot holds encrypted values in their pending form, plaintext inside:
        // `Debug` shows the model (as the model's own `Debug` does) and whether it is stored.
        let db = db.with_key_provider(LocalKey::new("tracked-debug", [15u8; 32]));
        db.create_table::<Attachment>().await.unwrap();
        let attachment = Attachment { id: "a2".into(), secret: "hidden".into(), raw: vec![1] };
        db.put(&attachment).await.unwrap();
        let tracked = Tracked::loaded(db.get::<Attachment>("a2").await.unwrap().unwrap());
        let shown = format!("{tracked:?}");
        assert!(shown.starts_with("Tracked { model: Attachment") && shown.ends_with("stored: true }"), "{shown}");
        assert!(!shown.contains("original") && !shown.contains("DMP0"), "{shown}");
    }

    async fn plain_bytes_that_look_pending_are_stored_as_they_are(db: Dynamo) {
        // The write path marks values it will seal; a binary attribute that is not encrypted
        // must never be taken for one, whatever its bytes.
        let db = db.with_key_provider(LocalKey::new("pending-check", [14u8; 32]));
        db.create_table::<Attachment>().await.unwrap();
        let attachment = Attachment {
            id: "a1".into(),
            secret: "hidden".into(),
            raw: b"DMP0 and more bytes".to_vec(),
        };
        db.put(&attachment).await.unwrap();
        assert_eq!(db.get::<Attachment>("a1").await.unwrap(), Some(attachment));
        let stored = raw::<Attachment>(&db, "a1").await;
        assert_eq!(stored["raw"].as_b().unwrap().as_ref(), b"DMP0 and more bytes");
    }

    async fn clients_and_models_keep_their_own_keys(db: Dynamo) {
            let tenant_a = db.with_key_provider(LocalKey::new("tenant-a", [10u8; 32]));
            let tenant_b = db.with_key_provider(LocalKey::new("tenant-b", [11u8; 32]));
            db.create_table::<Document>().await.unwrap();
            db.create_table::<Duplicate>().await.unwrap();

            tenant_a.put(&document("a1")).await.unwrap();
            assert_eq!(tenant_a.get::<Document>("a1").await.unwrap().unwrap(), document("a1"));
            let error = tenant_b.get::<Document>("a1").await.unwrap_err();
            assert!(error.is_wrong_key() && error.to_string().contains("tenant-a"), "{error}");

            // A model's own provider wins over the client's, for that model only.
            let split = tenant_a.with_model_key_provider::<Duplicate>(LocalKey::new("copies-key", [12u8; 32]));
            let copy = Duplicate { id: "c1".into(), secret: "copied".into() };
            split.put(&copy).await.unwrap();
            split.put(&document("a2")).await.unwrap();
            assert!(contains(raw::<Duplicate>(&db, "c1").await["secret"].as_b().unwrap().as_ref(), b"copies-key"));
            assert!(contains(raw::<Document>(&db, "a2").await["secret"].as_b().unwrap().as_ref(), b"tenant-a"));
            assert_eq!(split.get::<Duplicate>("c1").await.unwrap(), Some(copy));
            assert_eq!(split.get::<Document>("a2").await.unwrap(), Some(document("a2")));
            assert!(tenant_a.get::<Duplicate>("c1").await.unwrap_err().is_wrong_key());

            // Rotation on a client: the new ring writes with its current key and still reads
            // what the old key wrote.
            let rotated = db.with_key_provider(
                KeyRing::new(LocalKey::new("tenant-a-2027", [13u8; 32]))
                    .with(LocalKey::new("tenant-a", [10u8; 32])),
            );
            assert_eq!(rotated.get::<Document>("a1").await.unwrap().unwrap(), document("a1"));
            rotated.put(&document("a3")).await.unwrap();
            assert!(contains(raw::<Document>(&db, "a3").await["secret"].as_b().unwrap().as_ref(), b"tenant-a-2027"));
            assert!(tenant_a.get::<Document>("a3").await.unwrap_err().is_wrong_key());

            // The client's Debug names its key ids, never a key.
            let shown = format!("{split:?}");
            assert!(shown.contains("copies-key") && shown.contains("tenant-a"), "{shown}");
        }
    }
}

#[test]
fn local_keys_do_not_print_their_bytes() {
    let key = LocalKey::new("k1", [0xAB; 32]);
    let shown = format!("{key:?}");
    assert!(
        shown.contains("k1") && shown.contains("redacted") && !shown.contains("171"),
        "{shown}"
    );
}

#[test]
fn every_algorithm_round_trips_its_most_compressible_input() {
    let runs = "a".repeat(1_000_000);
    for algorithm in [Compression::Zstd, Compression::Lz4, Compression::Gzip] {
        let stored = compress_value(&runs, algorithm, 0).unwrap();
        let size = stored.as_b().map(|b| b.as_ref().len()).unwrap_or_default();
        assert!(size < 10_000, "{algorithm:?}: {size} bytes");
        let read: String = decompress_value(stored).unwrap();
        assert_eq!(read, runs, "{algorithm:?}");
    }
}

#[test]
fn an_lz4_size_the_block_cannot_back_is_refused_before_allocating() {
    // 60 MB claimed from five bytes: the decoder would zero 60 MB before failing.
    let mut forged = b"DMZl".to_vec();
    forged.extend_from_slice(&60_000_000u32.to_le_bytes());
    forged.extend_from_slice(&[0; 5]);
    let problems = decompress_value::<String>(AttributeValue::B(Blob::new(forged))).unwrap_err();
    let message = format!("{problems:?}");
    assert!(
        message.contains("claims 60000000 bytes from a 5 byte LZ4 block"),
        "{message}"
    );
    let truncated = AttributeValue::B(Blob::new(b"DMZl\x01".to_vec()));
    assert!(decompress_value::<String>(truncated).is_err());
}

#[test]
fn a_zstd_frame_is_read_into_the_size_it_declares_and_no_more_than_the_limit() {
    // Magic number, a single-segment descriptor with an 8-byte content size: 100 MB.
    let mut forged = b"DMZz".to_vec();
    forged.extend_from_slice(&[0x28, 0xB5, 0x2F, 0xFD, 0xE0]);
    forged.extend_from_slice(&100_000_000u64.to_le_bytes());
    forged.extend_from_slice(&[0; 8]);
    let problems = decompress_value::<String>(AttributeValue::B(Blob::new(forged))).unwrap_err();
    assert!(
        format!("{problems:?}").contains("claims 100000000 bytes"),
        "{problems:?}"
    );
    let garbage = AttributeValue::B(Blob::new(b"DMZzgarbage".to_vec()));
    let problems = decompress_value::<String>(garbage).unwrap_err();
    assert!(
        format!("{problems:?}").contains("not a zstd frame"),
        "{problems:?}"
    );
}
