//! The examples as services: the axum task service over real HTTP on a loopback port, and
//! the Lambda counter function fed with stream events in the JSON shape AWS sends, each on
//! DynamoDB Local and on the memory backend.

use dynamo_model::cursor::CursorKey;
use dynamo_model::Dynamo;
use dynamo_model_example_lambda::{CustomerCounters, Order};
use dynamo_model_tests::conformance;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

/// The task service on a free loopback port, serving until the test ends.
async fn start_service(db: Dynamo) -> std::net::SocketAddr {
    db.create_table::<dynamo_model_example_axum::Task>()
        .await
        .unwrap();
    let key = CursorKey::new(b"a secret of the tests, 32 bytes!").unwrap();
    let app = dynamo_model_example_axum::app(db, key);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// One answer: its status, `ETag`, and JSON body (`null` when empty).
struct Answer {
    status: StatusCode,
    etag: Option<String>,
    body: Value,
}

/// Sends one request on a new connection.
async fn call(
    address: std::net::SocketAddr,
    method: &str,
    path: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", address.to_string())
        .header("content-type", "application/json");
    if let Some(etag) = if_match {
        request = request.header("if-match", etag);
    }
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let response = sender
        .send_request(request.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    Answer { status, etag, body }
}

/// A stream record of the `orders` table as Lambda delivers it.
fn record(
    name: &str,
    sequence: &str,
    old: Option<(&str, &str, Value)>,
    new: Option<(&str, &str, Value)>,
) -> Value {
    let image = |(customer, order, total): (&str, &str, Value)| json!({"customer_id": {"S": customer}, "order_id": {"S": order}, "total_cents": total});
    let keys = old
        .clone()
        .or_else(|| new.clone())
        .map(|(c, o, _)| json!({"customer_id": {"S": c}, "order_id": {"S": o}}));
    let mut change = json!({
        "ApproximateCreationDateTime": 1_765_000_000,
        "Keys": keys,
        "SequenceNumber": sequence,
        "SizeBytes": 64,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    });
    if let Some(old) = old {
        change["OldImage"] = image(old);
    }
    if let Some(new) = new {
        change["NewImage"] = image(new);
    }
    json!({
        "eventID": format!("event-{sequence}"),
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": change,
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-12-07T00:00:00.000",
    })
}

fn event(records: Vec<Value>) -> dynamo_model::changes::lambda::StreamEvent {
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn cents(total: i64) -> Value {
    json!({"N": total.to_string()})
}

async fn counters(db: &Dynamo, customer: &str) -> Option<(i64, i64)> {
    db.get::<CustomerCounters>(customer)
        .await
        .unwrap()
        .map(|c| (c.orders, c.total_cents))
}

fn failures(response: &dynamo_model::changes::lambda::StreamEventResponse) -> Vec<String> {
    response
        .batch_item_failures
        .iter()
        .filter_map(|f| f.item_identifier.clone())
        .collect()
}

conformance! {
    async fn the_task_service_answers_each_status_code(db: Dynamo) {
        let at = start_service(db).await;
        let created = call(at, "POST", "/lists/home/tasks", None, Some(json!({"task_id": "t1", "title": "milk"}))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["title"], "milk");
        let etag = created.etag.expect("an ETag");

        let again = call(at, "POST", "/lists/home/tasks", None, Some(json!({"task_id": "t1", "title": "eggs"}))).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        let invalid = call(at, "POST", "/lists/home/tasks", None, Some(json!({"task_id": "t2", "title": ""}))).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", invalid.body);
        assert!(invalid.body["error"].as_str().unwrap().contains("1 to 200 characters"));

        let read = call(at, "GET", "/lists/home/tasks/t1", None, None).await;
        assert_eq!((read.status, read.etag.as_deref()), (StatusCode::OK, Some(etag.as_str())));
        assert_eq!(call(at, "GET", "/lists/home/tasks/none", None, None).await.status, StatusCode::NOT_FOUND);

        let change = json!({"title": "oat milk", "done": true});
        let updated = call(at, "PUT", "/lists/home/tasks/t1", Some(&etag), Some(change.clone())).await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
        assert_eq!((updated.body["title"].as_str(), updated.body["done"].as_bool()), (Some("oat milk"), Some(true)));
        let new_etag = updated.etag.expect("a new ETag");
        assert_ne!(new_etag, etag);
        let stale = call(at, "PUT", "/lists/home/tasks/t1", Some(&etag), Some(change.clone())).await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
        let unconditional = call(at, "PUT", "/lists/home/tasks/t1", None, Some(change.clone())).await;
        assert_eq!(unconditional.status, StatusCode::PRECONDITION_REQUIRED);
        let missing = call(at, "PUT", "/lists/home/tasks/none", Some("\"1\""), Some(change)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);

        assert_eq!(call(at, "DELETE", "/lists/home/tasks/t1", None, None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(call(at, "DELETE", "/lists/home/tasks/t1", None, None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(call(at, "GET", "/lists/home/tasks/t1", None, None).await.status, StatusCode::NOT_FOUND);
    }

    async fn the_task_service_pages_with_signed_cursors(db: Dynamo) {
        let at = start_service(db).await;
        for i in 0..7 {
            let created = call(at, "POST", "/lists/big/tasks", None, Some(json!({"task_id": format!("t{i}"), "title": format!("task {i}")}))).await;
            assert_eq!(created.status, StatusCode::CREATED);
        }
        call(at, "POST", "/lists/other/tasks", None, Some(json!({"task_id": "x", "title": "x"}))).await;

        let mut seen = Vec::new();
        let mut pages = 0;
        let mut path = "/lists/big/tasks?limit=3".to_owned();
        let mut first_cursor = None;
        loop {
            let page = call(at, "GET", &path, None, None).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            pages += 1;
            for task in page.body["tasks"].as_array().unwrap() {
                seen.push(task["task_id"].as_str().unwrap().to_owned());
            }
            match page.body["next"].as_str() {
                Some(next) => {
                    first_cursor.get_or_insert_with(|| next.to_owned());
                    path = format!("/lists/big/tasks?limit=3&cursor={next}");
                }
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, (0..7).map(|i| format!("t{i}")).collect::<Vec<_>>());

        let cursor = first_cursor.unwrap();
        let mut tampered = cursor.clone().into_bytes();
        let at_byte = tampered.len() / 2;
        tampered[at_byte] = if tampered[at_byte] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let refused = call(at, "GET", &format!("/lists/big/tasks?limit=3&cursor={tampered}"), None, None).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        let elsewhere = call(at, "GET", &format!("/lists/other/tasks?limit=3&cursor={cursor}"), None, None).await;
        assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST, "a cursor of another list: {}", elsewhere.body);
    }

    async fn the_lambda_counter_applies_each_record_once(db: Dynamo) {
        dynamo_model_example_lambda::create_tables(&db).await.unwrap();
        let batch = event(vec![
            record("INSERT", "100", None, Some(("c1", "o1", cents(1000)))),
            record("INSERT", "101", None, Some(("c1", "o2", cents(500)))),
            record("MODIFY", "102", Some(("c1", "o1", cents(1000))), Some(("c1", "o1", cents(1200)))),
            record("REMOVE", "103", Some(("c1", "o2", cents(500))), None),
            record("INSERT", "104", None, Some(("c2", "o3", cents(70)))),
        ]);
        let response = dynamo_model_example_lambda::handle(&db, &batch).await;
        assert!(failures(&response).is_empty(), "{response:?}");
        assert_eq!(counters(&db, "c1").await, Some((1, 1200)));
        assert_eq!(counters(&db, "c2").await, Some((1, 70)));

        // Lambda delivers the batch again: nothing is counted twice.
        let response = dynamo_model_example_lambda::handle(&db, &batch).await;
        assert!(failures(&response).is_empty(), "{response:?}");
        assert_eq!(counters(&db, "c1").await, Some((1, 1200)));
        assert_eq!(counters(&db, "c2").await, Some((1, 70)));
    }

    async fn the_lambda_counter_reports_the_record_it_could_not_handle(db: Dynamo) {
        dynamo_model_example_lambda::create_tables(&db).await.unwrap();
        let bad = record("INSERT", "201", None, Some(("c3", "o5", json!({"S": "twelve"}))));
        let batch = event(vec![
            record("INSERT", "200", None, Some(("c3", "o4", cents(10)))),
            bad,
            record("INSERT", "202", None, Some(("c3", "o6", cents(30)))),
        ]);
        let response = dynamo_model_example_lambda::handle(&db, &batch).await;
        assert_eq!(failures(&response), ["201"], "the first failure, where Lambda retries from");
        assert_eq!(counters(&db, "c3").await, Some((1, 10)), "only the record before it");

        // Lambda retries from 201 (here with the record fixed upstream): 200 is not
        // counted again, 201 and 202 are.
        let retry = event(vec![
            record("INSERT", "201", None, Some(("c3", "o5", cents(20)))),
            record("INSERT", "202", None, Some(("c3", "o6", cents(30)))),
        ]);
        let response = dynamo_model_example_lambda::handle(&db, &retry).await;
        assert!(failures(&response).is_empty(), "{response:?}");
        assert_eq!(counters(&db, "c3").await, Some((3, 60)));
    }
}

#[tokio::test]
async fn lambda_records_decode_with_their_kind_images_and_ttl_flag() {
    let db = Dynamo::memory();
    let mut removal = record("REMOVE", "300", Some(("c9", "o9", cents(5))), None);
    removal["userIdentity"] = json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
    let batch = event(vec![
        removal,
        record("INSERT", "301", None, Some(("c9", "o10", cents(7)))),
    ]);
    let expiry = db
        .change_of_record::<Order>(&batch.records[0])
        .await
        .unwrap();
    assert!(expiry.is_expiry());
    assert_eq!(expiry.table(), "orders");
    assert_eq!(expiry.sequence_number(), "300");
    assert_eq!(expiry.old_image().unwrap().total_cents, 5);
    assert!(expiry.new_image().unwrap_err().is_missing_image());
    assert_eq!(
        expiry.created_at(),
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_765_000_000)
    );
    let insert = db
        .change_of_record::<Order>(&batch.records[1])
        .await
        .unwrap();
    assert!(!insert.is_expiry());
    assert_eq!(insert.new_image().unwrap().order_id, "o10");
}
