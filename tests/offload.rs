//! Offloaded attributes in S3 (moto's server), on both DynamoDB backends: values under and
//! over their threshold, lazy and eager reads, presigned URLs, replace and delete leaving
//! no object behind (the bucket is listed), and a failure at each step leaving no pointer
//! without its object.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use dynamo_model::{DynamoModel, ErrorKind, OffloadProblem, Offloaded, S3Store, Tracked};
use dynamo_model_tests::conformance;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "offload_documents", hash_key = "id")]
struct Document {
    id: String,
    title: String,
    /// In the item up to 1 KB, in S3 above.
    body: Offloaded<Vec<u8>, 1024>,
    /// Always in S3.
    notes: Offloaded<String>,
}

fn document(id: &str, body_bytes: usize) -> Document {
    Document {
        id: id.into(),
        title: format!("title of {id}"),
        body: Offloaded::new((0..body_bytes).map(|n| (n % 251) as u8).collect()),
        notes: Offloaded::new(format!("notes on {id}")),
    }
}

fn s3_config() -> aws_sdk_s3::config::Builder {
    aws_sdk_s3::config::Builder::from(&dynamo_model_tests::moto_config()).force_path_style(true)
}

/// An S3 client on moto and a new bucket of its own.
async fn bucket() -> (aws_sdk_s3::Client, String) {
    let s3 = aws_sdk_s3::Client::from_conf(s3_config().build());
    let name = format!(
        "offload-{}",
        dynamo_model_tests::unique_prefix()
            .trim_end_matches('_')
            .replace('_', "-")
    );
    let name = format!("{name}-{:08x}", fastrand::u32(..));
    s3.create_bucket().bucket(&name).send().await.unwrap();
    (s3, name)
}

/// The keys of every object in `bucket`.
async fn objects(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    let listed = s3.list_objects_v2().bucket(bucket).send().await.unwrap();
    let mut keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    keys.sort();
    keys
}

/// The document's item as stored.
async fn raw(db: &dynamo_model::Dynamo, id: &str) -> Option<dynamo_model::Item> {
    db.backend()
        .get_item(
            aws_sdk_dynamodb::operation::get_item::GetItemInput::builder()
                .table_name(db.table_name::<Document>())
                .key("id", AttributeValue::S(id.into())),
        )
        .await
        .unwrap()
        .item
}

/// `GET` of `url` on loopback: the status and the body.
async fn http_get(url: &str) -> (u16, Vec<u8>) {
    use http_body_util::BodyExt;
    let uri: hyper::Uri = url.parse().unwrap();
    let address = format!("{}:{}", uri.host().unwrap(), uri.port_u16().unwrap());
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = hyper::Request::get(uri.path_and_query().unwrap().as_str())
        .header("host", uri.authority().unwrap().as_str())
        .body(http_body_util::Empty::<hyper::body::Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    (
        status,
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
}

/// Fails every `DeleteObject` the way S3 does when it is unavailable, and counts them.
#[derive(Debug, Clone, Default)]
struct FailDeletes(Arc<AtomicUsize>);

impl Intercept for FailDeletes {
    fn name(&self) -> &'static str {
        "FailDeletes"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        // A successful DeleteObject answers 204 with no body; only those are turned.
        if context.response().status().as_u16() == 204 {
            self.0.fetch_add(1, Ordering::SeqCst);
            let response = context.response_mut();
            *response.status_mut() = 403.try_into()?;
            *response.body_mut() = aws_smithy_types::body::SdkBody::from(
                "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
            );
        }
        Ok(())
    }
}

conformance! {
    async fn values_under_the_threshold_stay_and_values_over_it_go_to_s3(db: Dynamo) {
        let (s3, bucket) = bucket().await;
        let db = db.with_s3(S3Store::new(s3.clone(), &bucket).prefix("docs/"));
        db.create_table::<Document>().await.unwrap();

        db.put(&document("small", 100)).await.unwrap();
        let item = raw(&db, "small").await.unwrap();
        assert!(matches!(&item["body"], AttributeValue::B(b) if b.as_ref().len() == 100), "{:?}", item["body"]);
        assert!(matches!(&item["notes"], AttributeValue::M(m) if m.contains_key("$s3")));
        assert_eq!(objects(&s3, &bucket).await.len(), 1, "the notes only");

        db.put(&document("large", 300_000)).await.unwrap();
        let stored = objects(&s3, &bucket).await;
        assert_eq!(stored.len(), 3);
        assert!(stored.iter().all(|key| key.starts_with("docs/")), "{stored:?}");
        let item = raw(&db, "large").await.unwrap();
        let dynamo_model::value::AttributeValue::M(pointer) = &item["body"] else { panic!() };
        let AttributeValue::M(fields) = &pointer["$s3"] else { panic!() };
        assert_eq!(fields["size"], AttributeValue::N("300000".into()));
        assert_eq!(fields["content_type"], AttributeValue::S("application/octet-stream".into()));

        // Lazy: the pointer, read when asked, checked against its size and SHA-256.
        let mut read = db.get::<Document>("large").await.unwrap().unwrap();
        assert!(!read.body.is_loaded());
        assert_eq!(read.body.pointer().unwrap().size, 300_000);
        let expected = document("large", 300_000);
        assert_eq!(db.load(&mut read.body).await.unwrap(), expected.body.value().unwrap());
        assert_eq!(db.load(&mut read.notes).await.unwrap(), "notes on large");
        assert!(read.body.is_loaded());

        // Eager: the values come with the item, from get, query and scan alike.
        let eager = db.with_s3(S3Store::new(s3.clone(), &bucket).eager(true));
        let read = eager.get::<Document>("large").await.unwrap().unwrap();
        assert_eq!(read.body.value(), expected.body.value());
        assert_eq!(read.notes.value().map(String::as_str), Some("notes on large"));
        let all = eager.scan::<Document>().await.unwrap();
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|d| d.body.value().is_some() && d.notes.value().is_some()));
        let queried = eager.query::<Document>("small").await.unwrap();
        assert_eq!(queried[0].notes.value().map(String::as_str), Some("notes on small"));

        // Written back unchanged, a loaded value keeps its object: nothing is uploaded.
        eager.put(&read).await.unwrap();
        assert_eq!(objects(&s3, &bucket).await.len(), 3);

        // A presigned URL serves the object itself.
        let url = db.presigned_url(&read.body, Duration::from_secs(60)).await.unwrap();
        let (status, body) = http_get(&url).await;
        assert_eq!(status, 200);
        assert_eq!(Some(&body), expected.body.value());
        let inline = db.get::<Document>("small").await.unwrap().unwrap();
        let error = db.presigned_url(&inline.body, Duration::from_secs(60)).await.unwrap_err();
        assert!(error.to_string().contains("not in S3"), "{error}");
    }

    async fn replacing_and_deleting_items_leaves_no_object_behind(db: Dynamo) {
        let (s3, bucket) = bucket().await;
        let db = db.with_s3(S3Store::new(s3.clone(), &bucket));
        db.create_table::<Document>().await.unwrap();
        db.put(&document("d1", 5000)).await.unwrap();
        let first = objects(&s3, &bucket).await;
        assert_eq!(first.len(), 2);

        // A put that replaces the item replaces its objects.
        db.put(&document("d1", 6000)).await.unwrap();
        let second = objects(&s3, &bucket).await;
        assert_eq!(second.len(), 2);
        assert!(second.iter().all(|key| !first.contains(key)), "{first:?} {second:?}");

        // A tracked save that changes one value replaces that object only.
        let mut tracked = Tracked::loaded(db.get::<Document>("d1").await.unwrap().unwrap());
        tracked.body.set(vec![7; 4000]);
        db.save_changes(&mut tracked).await.unwrap();
        let third = objects(&s3, &bucket).await;
        assert_eq!(third.len(), 2);
        assert_eq!(third.iter().filter(|key| second.contains(key)).count(), 1, "the notes stay");
        let mut read = db.get::<Document>("d1").await.unwrap().unwrap();
        assert_eq!(db.load(&mut read.body).await.unwrap(), &vec![7; 4000]);

        // A typed update that sets a new value uploads it, and removes the old object.
        let f = Document::fields();
        let old_body = read.body.pointer().unwrap().key.clone();
        db.update::<Document>("d1").set(&f.body, Offloaded::new(vec![9; 3000])).await.unwrap();
        let fourth = objects(&s3, &bucket).await;
        assert_eq!(fourth.len(), 2);
        assert!(!fourth.contains(&old_body), "{fourth:?}");
        let mut read = db.get::<Document>("d1").await.unwrap().unwrap();
        assert_eq!(db.load(&mut read.body).await.unwrap(), &vec![9; 3000]);
        let request = db.update::<Document>("d1").set(&f.notes, Offloaded::new("dry".to_owned())).to_request().unwrap();
        assert!(format!("{:?}", request.get_expression_attribute_values()).contains("$s3"));
        assert_eq!(objects(&s3, &bucket).await.len(), 2, "a dry run uploads nothing");

        // A shrunk value moves back into the item, and its object goes.
        let mut tracked = Tracked::loaded(read);
        tracked.body.set(vec![1; 10]);
        db.save_changes(&mut tracked).await.unwrap();
        assert_eq!(objects(&s3, &bucket).await.len(), 1);

        db.delete_by_key::<Document>("d1").await.unwrap();
        assert_eq!(objects(&s3, &bucket).await, Vec::<String>::new());
        assert!(db.s3().unwrap().orphans().is_empty());
    }

    async fn a_failure_at_each_step_leaves_no_pointer_without_its_object(db: Dynamo) {
        let (s3, bucket) = bucket().await;
        db.create_table::<Document>().await.unwrap();

        // No store: refused before anything is sent.
        let error = db.put(&document("d0", 10)).await.unwrap_err();
        let ErrorKind::Offload { subject, problem, message, .. } = error.kind() else { panic!("{error:?}") };
        assert_eq!((subject.as_str(), *problem), ("Document.notes", OffloadProblem::NoStore));
        assert!(message.contains("Dynamo::with_s3"), "{message}");
        assert!(raw(&db, "d0").await.is_none());

        // The upload fails: no item.
        let missing = db.with_s3(S3Store::new(s3.clone(), format!("{bucket}-missing")));
        let error = missing.put(&document("d1", 5000)).await.unwrap_err();
        let ErrorKind::Offload { problem, message, .. } = error.kind() else { panic!("{error:?}") };
        assert_eq!(*problem, OffloadProblem::Upload);
        assert!(message.contains("NoSuchBucket") && message.contains("create the bucket"), "{message}");
        assert!(raw(&db, "d1").await.is_none());

        // The item write fails after the uploads: they are removed.
        let db = db.with_s3(S3Store::new(s3.clone(), &bucket));
        db.put(&document("d1", 5000)).await.unwrap();
        let before = objects(&s3, &bucket).await;
        let f = Document::fields();
        let error = db.put(&document("d1", 9000)).condition(f.id.not_exists()).await.unwrap_err();
        assert!(error.is_conditional_check_failed(), "{error}");
        assert_eq!(objects(&s3, &bucket).await, before);
        let error = db
            .transact_write()
            .put(&document("d2", 9000))
            .condition_check::<Document>("d1", f.title.eq("another title"))
            .await
            .unwrap_err();
        assert!(error.is_transaction_canceled(), "{error}");
        assert_eq!(objects(&s3, &bucket).await, before);
        assert!(raw(&db, "d2").await.is_none());

        // An object changed behind the item's back: a typed checksum error, lazy or eager.
        let mut read = db.get::<Document>("d1").await.unwrap().unwrap();
        let pointer = read.body.pointer().unwrap().clone();
        s3.put_object().bucket(&bucket).key(&pointer.key).body(vec![0u8; 5000].into()).send().await.unwrap();
        let error = db.load(&mut read.body).await.unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::Offload { problem: OffloadProblem::Checksum, .. }), "{error}");
        assert!(error.to_string().contains(&pointer.key), "{error}");
        let eager = db.with_s3(S3Store::new(s3.clone(), &bucket).eager(true));
        let error = eager.get::<Document>("d1").await.unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::Offload { problem: OffloadProblem::Checksum, .. }), "{error}");

        // A removal that fails leaves the object listed as an orphan, with its key.
        let fails = FailDeletes::default();
        let failing = aws_sdk_s3::Client::from_conf(s3_config().interceptor(fails.clone()).build());
        let db = db.with_s3(S3Store::new(failing, &bucket));
        db.delete_by_key::<Document>("d1").await.unwrap();
        assert!(raw(&db, "d1").await.is_none(), "the item is gone");
        let orphans: Vec<String> = db.s3().unwrap().orphans().into_iter().map(|p| p.key).collect();
        assert_eq!(orphans.len(), 2);
        assert!(orphans.contains(&pointer.key));
        assert!(fails.0.load(Ordering::SeqCst) >= 2);
    }

    async fn a_dry_run_shows_pointers_and_uploads_nothing(db: Dynamo) {
        let (s3, bucket) = bucket().await;
        let db = db.with_s3(S3Store::new(s3.clone(), &bucket));
        let request = db.put(&document("d1", 5000)).to_request().unwrap();
        let item = request.get_item().clone().unwrap();
        assert!(matches!(&item["body"], AttributeValue::M(m) if m.contains_key("$s3")));
        assert_eq!(objects(&s3, &bucket).await, Vec::<String>::new());
        let error = db.statements().insert(&document("d1", 5000)).unwrap_err();
        assert!(error.to_string().contains("put the item instead"), "{error}");
        let f = Document::fields();
        let statement = db.statements::<Document>().update("d1").set(&f.notes, Offloaded::new("n".to_owned()));
        let error = dynamo_model::partiql::IntoStatement::into_statement(statement).unwrap_err();
        assert!(error.to_string().contains("use an update instead"), "{error}");
    }
}
