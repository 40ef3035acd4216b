//! Compressed and encrypted attributes on both backends: transparent round trips, what is
//! stored (B past the threshold, the plain value below it, no plaintext in a ciphertext),
//! a tampered ciphertext and a wrong key refused with distinct errors, and compressed data
//! that claims more than it can hold refused before anything is allocated.

use aws_smithy_types::Blob;
use dynamo_model::compress::{compress_value, decompress_value, Compression};
use dynamo_model::encryption::{set_key_provider, KeyRing, LocalKey};
use dynamo_model::{AttributeValue, Dynamo, DynamoModel, Item};
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
                matches!(put.kind(), dynamo_model::ErrorKind::Encryption { attribute, .. } if attribute == "secret" || attribute == "card"),
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
    fn boxed(why: &'static str) -> Box<dyn dynamo_model::encryption::KeyProvider> {
        Box::new(Outage(why))
    }
}

impl dynamo_model::encryption::KeyProvider for Outage {
    fn key_id(&self) -> &str {
        "kms-key"
    }

    fn wrap(&self, _: &[u8; 32]) -> Result<Vec<u8>, String> {
        Err(self.0.to_owned())
    }

    fn unwrap(&self, _: &str, _: &[u8]) -> Result<[u8; 32], dynamo_model::encryption::UnwrapError> {
        Err(dynamo_model::encryption::UnwrapError::Failed(
            self.0.to_owned(),
        ))
    }
}

/// Sets a boxed provider (`set_key_provider` takes a sized one).
fn set_provider_box(provider: Box<dyn dynamo_model::encryption::KeyProvider>) {
    #[derive(Debug)]
    struct Boxed(Box<dyn dynamo_model::encryption::KeyProvider>);
    impl dynamo_model::encryption::KeyProvider for Boxed {
        fn key_id(&self) -> &str {
            self.0.key_id()
        }
        fn wrap(&self, key: &[u8; 32]) -> Result<Vec<u8>, String> {
            self.0.wrap(key)
        }
        fn unwrap(
            &self,
            id: &str,
            wrapped: &[u8],
        ) -> Result<[u8; 32], dynamo_model::encryption::UnwrapError> {
            self.0.unwrap(id, wrapped)
        }
    }
    set_key_provider(Boxed(provider));
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
