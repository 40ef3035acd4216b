//! A fault-injecting HTTP proxy on loopback, in front of DynamoDB Local.
//!
//! Each request is answered with a fault drawn from a [`Faults`] plan (throttling, a server
//! error, a dropped connection, a slow answer) or forwarded; a forwarded `BatchWriteItem` or
//! `BatchGetItem` may be trimmed: part of its writes or keys is held back and returned as
//! `UnprocessedItems` / `UnprocessedKeys`, as DynamoDB does under load. The first
//! transactions can be cancelled with `TransactionConflict`. Counters say what happened.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_dynamodb::config::retry::{RetryConfig, RetryPartition, TokenBucket};
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Region};
use dynamo_model::Dynamo;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to requests: each share is a probability per request, drawn in the
/// order of the fields; what is not a fault is forwarded.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer `ProvisionedThroughputExceededException` (HTTP 400).
    pub provisioned_throughput: f64,
    /// Answer `ThrottlingException` (HTTP 400).
    pub throttling: f64,
    /// Answer `InternalServerError` (HTTP 500).
    pub server_error: f64,
    /// Close the connection without answering.
    pub drop_connection: f64,
    /// Forward, then close the connection instead of answering: the request was done but
    /// the client cannot know.
    pub lose_answer: f64,
    /// Forward after `slow_delay`.
    pub slow: f64,
    /// How long a slow answer waits.
    pub slow_delay: Duration,
    /// Of the forwarded batch requests, the share trimmed: about half their writes or keys
    /// are held back and returned as unprocessed. Trims are spread evenly rather than drawn,
    /// starting with the first batch request, so a short run is trimmed too.
    pub trim: f64,
    /// Cancel this many transactions (`TransactWriteItems`) with `TransactionConflict`
    /// before forwarding any.
    pub conflicts: usize,
    /// Apply faults only to these operations (`BatchWriteItem`...); all when empty.
    pub only: Vec<&'static str>,
}

/// What the proxy did, by kind.
#[derive(Debug, Default)]
pub struct Counts {
    /// Requests received.
    pub requests: AtomicUsize,
    /// Requests forwarded to DynamoDB Local.
    pub forwarded: AtomicUsize,
    /// Throttling answers (both kinds).
    pub throttled: AtomicUsize,
    /// HTTP 500 answers.
    pub server_errors: AtomicUsize,
    /// Connections closed without an answer.
    pub dropped: AtomicUsize,
    /// Requests done whose answer was dropped.
    pub lost_answers: AtomicUsize,
    /// Slow answers.
    pub slowed: AtomicUsize,
    /// Batch requests trimmed.
    pub trimmed: AtomicUsize,
    /// Writes or keys held back as unprocessed.
    pub held_back: AtomicUsize,
    /// Transactions cancelled with a conflict.
    pub conflicts: AtomicUsize,
}

impl Counts {
    /// Every counter by name, for a report.
    pub fn snapshot(&self) -> BTreeMap<&'static str, usize> {
        let get = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        BTreeMap::from([
            ("requests", get(&self.requests)),
            ("forwarded", get(&self.forwarded)),
            ("throttled", get(&self.throttled)),
            ("server_errors", get(&self.server_errors)),
            ("dropped", get(&self.dropped)),
            ("lost_answers", get(&self.lost_answers)),
            ("slowed", get(&self.slowed)),
            ("trimmed", get(&self.trimmed)),
            ("held_back", get(&self.held_back)),
            ("conflicts", get(&self.conflicts)),
        ])
    }
}

/// The proxy's shared state.
#[derive(Debug)]
struct State {
    upstream: SocketAddr,
    faults: Mutex<Faults>,
    counts: Counts,
    /// The `ClientRequestToken` of every transaction received, in order.
    tokens: Mutex<Vec<String>>,
    /// Batch requests that reached the trimming step.
    batches: AtomicUsize,
}

/// A running proxy; it stops when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    address: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why the proxy closes a connection without answering (hyper closes it on a service error).
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the fault proxy")
    }
}

impl std::error::Error for DropConnection {}

type Answer = Result<Response<Full<Bytes>>, DropConnection>;

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream` (`http://127.0.0.1:P`).
    ///
    /// # Panics
    ///
    /// When the upstream is not a loopback address or no port can be bound.
    pub async fn start(upstream: &str, faults: Faults) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .parse()
            .expect("the upstream is http://127.0.0.1:PORT");
        assert!(
            upstream.ip().is_loopback(),
            "the proxy only forwards to loopback"
        );
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("the bound address");
        let state = Arc::new(State {
            upstream,
            faults: Mutex::new(faults),
            counts: Counts::default(),
            tokens: Mutex::new(Vec::new()),
            batches: AtomicUsize::new(0),
        });
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        answer(Arc::clone(&state), request)
                    });
                    // A dropped connection ends here with the service's error: intended.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FaultProxy {
            address,
            state,
            task,
        }
    }

    /// The proxy's endpoint, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// What the proxy did so far.
    pub fn counts(&self) -> &Counts {
        &self.state.counts
    }

    /// The client request tokens of the transactions received, in order.
    pub fn tokens(&self) -> Vec<String> {
        self.state.tokens.lock().expect("tokens").clone()
    }

    /// Changes the faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        *self.state.faults.lock().expect("faults") = faults;
    }

    /// An SDK client through the proxy: `max_attempts` SDK attempts with short backoffs, a
    /// 1 s attempt timeout, and a retry partition of its own with no retry quota.
    ///
    /// The SDK's standard quota (500 tokens per partition, 5 or 10 spent on each retry and
    /// lost when the retry fails too) is a circuit breaker: at the 30% fault rates these tests
    /// inject for minutes, it may run dry and return an error the attempts would have ridden
    /// out. The tests measure what the client does with the attempts it is given, so the
    /// quota is lifted here; `past_the_budget` checks what comes back when retries run out.
    pub fn sdk_client(&self, max_attempts: u32) -> aws_sdk_dynamodb::Client {
        static PARTITION: AtomicUsize = AtomicUsize::new(0);
        let partition = format!("fault-proxy-{}", PARTITION.fetch_add(1, Ordering::Relaxed));
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("x", "x", None, None, "fault-proxy"))
            .endpoint_url(self.url())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(max_attempts)
                    .with_initial_backoff(Duration::from_millis(5))
                    .with_max_backoff(Duration::from_millis(50)),
            )
            .retry_partition(
                RetryPartition::custom(partition)
                    .token_bucket(TokenBucket::unlimited())
                    .build(),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_attempt_timeout(Duration::from_secs(1))
                    .build(),
            )
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// A dynamo-model client through the proxy ([`FaultProxy::sdk_client`]).
    pub fn client(&self, max_attempts: u32) -> Dynamo {
        Dynamo::new(self.sdk_client(max_attempts))
    }
}

/// The DynamoDB operation of a request, from its `X-Amz-Target` header.
fn operation(request: &Request<Incoming>) -> String {
    request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or_default()
        .to_owned()
}

/// A DynamoDB JSON answer.
fn json_answer(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response")
}

/// Whether the next request counted by `seen` is one of the `share` picked: the n-th request
/// is picked when `n * share` passes a whole number, so picks are spread evenly and the
/// first request is one of them.
fn takes_turn(seen: &AtomicUsize, share: f64) -> bool {
    let n = seen.fetch_add(1, Ordering::Relaxed) as f64;
    share > 0.0 && ((n + 1.0) * share).ceil() > (n * share).ceil()
}

/// A DynamoDB JSON error answer.
fn error_answer(status: StatusCode, kind: &str, message: &str) -> Response<Full<Bytes>> {
    json_answer(status, &json!({ "__type": kind, "message": message }))
}

async fn answer(state: Arc<State>, request: Request<Incoming>) -> Answer {
    let counts = &state.counts;
    counts.requests.fetch_add(1, Ordering::Relaxed);
    let operation = operation(&request);
    let faults = state.faults.lock().expect("faults").clone();
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| DropConnection)?.to_bytes();
    let applies = faults.only.is_empty() || faults.only.iter().any(|o| *o == operation);
    let mut draw = if applies { fastrand::f64() } else { 1.0 };
    let mut falls_in = |share: f64| {
        let hit = draw < share;
        draw -= share;
        hit
    };
    if falls_in(faults.provisioned_throughput) {
        counts.throttled.fetch_add(1, Ordering::Relaxed);
        return Ok(error_answer(
            StatusCode::BAD_REQUEST,
            "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput for the table was exceeded (fault proxy)",
        ));
    }
    if falls_in(faults.throttling) {
        counts.throttled.fetch_add(1, Ordering::Relaxed);
        return Ok(error_answer(
            StatusCode::BAD_REQUEST,
            "com.amazon.coral.availability#ThrottlingException",
            "Rate of requests exceeds the allowed throughput (fault proxy)",
        ));
    }
    if falls_in(faults.server_error) {
        counts.server_errors.fetch_add(1, Ordering::Relaxed);
        return Ok(error_answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            "com.amazonaws.dynamodb.v20120810#InternalServerError",
            "Internal server error (fault proxy)",
        ));
    }
    if falls_in(faults.drop_connection) {
        counts.dropped.fetch_add(1, Ordering::Relaxed);
        return Err(DropConnection);
    }
    let lose_answer = falls_in(faults.lose_answer);
    if !lose_answer && falls_in(faults.slow) {
        counts.slowed.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(faults.slow_delay).await;
    }
    if operation == "TransactWriteItems" {
        if let Some(conflict) = conflict(&state, &faults, &body) {
            return Ok(conflict);
        }
    }
    let is_batch = matches!(operation.as_str(), "BatchWriteItem" | "BatchGetItem");
    let (body, held_back) = if applies && is_batch && takes_turn(&state.batches, faults.trim) {
        hold_back(&body)
    } else {
        (body, None)
    };
    let upstream = match &held_back {
        // Everything held back: DynamoDB would have processed none of it.
        Some(held) if held.everything => json_answer(StatusCode::OK, &json!({})),
        _ => forward(&state, parts, body).await?,
    };
    if lose_answer {
        counts.lost_answers.fetch_add(1, Ordering::Relaxed);
        return Err(DropConnection);
    }
    let Some(held) = held_back else {
        return Ok(upstream);
    };
    counts.trimmed.fetch_add(1, Ordering::Relaxed);
    counts.held_back.fetch_add(held.count, Ordering::Relaxed);
    Ok(merge_unprocessed(upstream, &operation, held))
}

/// Records a transaction's token, and cancels it with conflicts while the plan says so.
fn conflict(state: &State, faults: &Faults, body: &Bytes) -> Option<Response<Full<Bytes>>> {
    let request: Value = serde_json::from_slice(body).ok()?;
    if let Some(token) = request["ClientRequestToken"].as_str() {
        state.tokens.lock().expect("tokens").push(token.to_owned());
    }
    let done = state.counts.conflicts.load(Ordering::Relaxed);
    if done >= faults.conflicts {
        return None;
    }
    state.counts.conflicts.fetch_add(1, Ordering::Relaxed);
    let items = request["TransactItems"].as_array().map_or(1, Vec::len);
    let mut reasons = vec![json!({ "Code": "None" }); items];
    reasons[0] =
        json!({ "Code": "TransactionConflict", "Message": "Transaction is ongoing for the item" });
    let body = json!({
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
        "CancellationReasons": reasons,
    });
    Some(json_answer(StatusCode::BAD_REQUEST, &body))
}

/// Writes or keys held back from a batch request, by table.
struct HeldBack {
    tables: Map<String, Value>,
    count: usize,
    everything: bool,
}

/// Takes about half of each table's writes (or keys) out of a batch request.
fn hold_back(body: &Bytes) -> (Bytes, Option<HeldBack>) {
    let Ok(mut request) = serde_json::from_slice::<Value>(body) else {
        return (body.clone(), None);
    };
    let Some(tables) = request["RequestItems"].as_object_mut() else {
        return (body.clone(), None);
    };
    let mut held = HeldBack {
        tables: Map::new(),
        count: 0,
        everything: true,
    };
    let mut emptied = Vec::new();
    for (table, entry) in tables.iter_mut() {
        // BatchWriteItem: a list of writes; BatchGetItem: {Keys: [...], ...}.
        let (list, template) = match entry {
            Value::Array(writes) => (writes, None),
            Value::Object(keys_and_attributes) => {
                let template = keys_and_attributes.clone();
                match keys_and_attributes
                    .get_mut("Keys")
                    .and_then(Value::as_array_mut)
                {
                    Some(keys) => (keys, Some(template)),
                    None => continue,
                }
            }
            _ => continue,
        };
        let keep = fastrand::usize(0..=list.len() / 2);
        let taken: Vec<Value> = list.drain(keep..).collect();
        held.count += taken.len();
        if !list.is_empty() {
            held.everything = false;
        } else {
            emptied.push(table.clone());
        }
        let taken = match template {
            None => Value::Array(taken),
            Some(mut template) => {
                template.insert("Keys".into(), Value::Array(taken));
                Value::Object(template)
            }
        };
        held.tables.insert(table.clone(), taken);
    }
    for table in emptied {
        tables.remove(&table);
    }
    (Bytes::from(request.to_string()), Some(held))
}

/// Adds held-back writes or keys to a batch answer's unprocessed ones.
fn merge_unprocessed(
    answer: Response<Full<Bytes>>,
    operation: &str,
    held: HeldBack,
) -> Response<Full<Bytes>> {
    let (mut parts, body) = answer.into_parts();
    if !parts.status.is_success() {
        return Response::from_parts(parts, body);
    }
    let bytes = futures_util::FutureExt::now_or_never(body.collect())
        .and_then(Result::ok)
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    let mut value: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({}));
    let field = if operation == "BatchWriteItem" {
        "UnprocessedItems"
    } else {
        "UnprocessedKeys"
    };
    let Some(object) = value.as_object_mut() else {
        return Response::from_parts(parts, Full::new(bytes));
    };
    let unprocessed = object
        .entry(field)
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut merged = unprocessed;
    for (table, taken) in held.tables {
        match (merged.get_mut(&table), taken) {
            (Some(Value::Array(existing)), Value::Array(more)) => existing.extend(more),
            (Some(Value::Object(existing)), Value::Object(more)) => {
                if let (Some(Value::Array(keys)), Some(Value::Array(extra))) =
                    (existing.get_mut("Keys"), more.get("Keys"))
                {
                    keys.extend(extra.iter().cloned());
                }
            }
            (_, taken) => {
                merged.insert(table, taken);
            }
        }
    }
    object.insert(field.into(), Value::Object(merged));
    parts.headers.remove("content-length");
    parts.headers.remove("x-amz-crc32");
    Response::from_parts(parts, Full::new(Bytes::from(value.to_string())))
}

/// Sends a request to DynamoDB Local on a fresh connection and reads the whole answer.
async fn forward(state: &State, parts: hyper::http::request::Parts, body: Bytes) -> Answer {
    state.counts.forwarded.fetch_add(1, Ordering::Relaxed);
    let stream = TcpStream::connect(state.upstream)
        .await
        .map_err(|_| DropConnection)?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| DropConnection)?;
    tokio::spawn(connection);
    let mut request = Request::from_parts(parts, Full::new(body.clone()));
    request
        .headers_mut()
        .insert("content-length", body.len().into());
    let response = sender
        .send_request(request)
        .await
        .map_err(|_| DropConnection)?;
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.map_err(|_| DropConnection)?.to_bytes();
    Ok(Response::from_parts(parts, Full::new(bytes)))
}
