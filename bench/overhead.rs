//! The client-side cost of dynamo-model over raw aws-sdk-dynamodb + serde_dynamo, without a
//! database: both talk to an in-process HTTP server that answers every request with a
//! canned response at once, so what differs between the two is what each client does.
//!
//! `cargo run --release -p dynamo-model-bench --bin overhead -- [--reps N]`, or
//! `-- --only PHASE ours|raw` to run one phase once (for `valgrind --tool=callgrind`).
//!
//! Each repetition runs every phase once per side, the sides in alternating order; the
//! summary gives the median wall time per operation of each side and their ratio. Then the
//! library's own work per operation, on a backend that answers without any I/O, against
//! serde_dynamo's decoding of the same item.

use std::collections::HashMap;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::Instant;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use dynamo_model::Dynamo;
use dynamo_model_tests::workload::{item, key, user_pk, BenchUser};
use futures_util::{stream, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// DynamoDB's JSON form of an attribute value.
fn wire(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Ss(ss) => json!({ "SS": ss }),
        AttributeValue::L(list) => json!({ "L": list.iter().map(wire).collect::<Vec<_>>() }),
        AttributeValue::M(map) => json!({ "M": wire_item(map) }),
        _ => json!({ "NULL": true }),
    }
}

fn wire_item(item: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(item.iter().map(|(k, v)| (k.clone(), wire(v))).collect())
}

/// The canned answers, by operation (`X-Amz-Target`).
struct Answers {
    get: Bytes,
    query: Bytes,
    empty: Bytes,
}

impl Answers {
    fn new() -> Result<Self, Failure> {
        let one = wire_item(&serde_dynamo::aws_sdk_dynamodb_1::to_item(item(
            1,
            user_pk(1),
        ))?);
        let page: Vec<Value> = (0..7u32)
            .map(|i| {
                serde_dynamo::aws_sdk_dynamodb_1::to_item(item(i, user_pk(1)))
                    .map(|m| wire_item(&m))
            })
            .collect::<Result<_, _>>()?;
        Ok(Answers {
            get: Bytes::from(json!({ "Item": one }).to_string()),
            query: Bytes::from(json!({ "Items": page, "Count": 7, "ScannedCount": 7 }).to_string()),
            empty: Bytes::from_static(b"{}"),
        })
    }

    fn for_target(&self, target: &str) -> Bytes {
        match target.rsplit('.').next().unwrap_or_default() {
            "GetItem" => self.get.clone(),
            "Query" => self.query.clone(),
            _ => self.empty.clone(),
        }
    }
}

async fn serve(answers: std::sync::Arc<Answers>) -> Result<SocketAddr, Failure> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let answers = std::sync::Arc::clone(&answers);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    let answers = std::sync::Arc::clone(&answers);
                    async move {
                        let target = request
                            .headers()
                            .get("x-amz-target")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        // Read the request through, as a server does.
                        let _ = request.into_body().collect().await;
                        let body = answers.for_target(&target);
                        Response::builder()
                            .header("content-type", "application/x-amz-json-1.0")
                            .body(Full::new(body))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(address)
}

const PHASES: [(&str, u32); 5] = [
    ("put", 2000),
    ("get", 2000),
    ("query", 2000),
    ("update", 1000),
    ("concurrent_get", 2000),
];

async fn ours(db: &Dynamo, phase: &str) -> Result<(), Failure> {
    let f = BenchUser::fields();
    match phase {
        "put" => {
            for i in 0..2000 {
                db.put(&item(i, user_pk(i))).await?;
            }
        }
        "get" => {
            for i in 0..2000 {
                db.get::<BenchUser>(key(i)).await?.ok_or("no item")?;
            }
        }
        "query" => {
            for p in 0..100 {
                for _ in 0..3 {
                    // Each canned page holds 7 items and no next key: 3 requests a partition.
                    let page = db
                        .query::<BenchUser>(format!("USER#{p}"))
                        .page_size(7)
                        .page()
                        .await?;
                    assert_eq!(page.items.len(), 7);
                }
            }
        }
        "update" => {
            for i in 0..1000 {
                db.update::<BenchUser>(key(i))
                    .increment(&f.age, 1)
                    .add(&f.tags, ["x"])
                    .await?;
            }
        }
        _ => {
            let found: Vec<_> = stream::iter(0..2000)
                .map(|i| db.get::<BenchUser>(key(i)).into_future())
                .buffer_unordered(32)
                .collect()
                .await;
            for user in found {
                user?.ok_or("no item")?;
            }
        }
    }
    Ok(())
}

fn decode(item: HashMap<String, AttributeValue>) -> Result<BenchUser, Failure> {
    Ok(serde_dynamo::aws_sdk_dynamodb_1::from_item(item)?)
}

async fn raw(client: &Client, phase: &str) -> Result<(), Failure> {
    let get = |i: u32| {
        let (pk, sk) = key(i);
        client
            .get_item()
            .table_name("bench_users")
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(sk))
            .send()
    };
    match phase {
        "put" => {
            for i in 0..2000 {
                let item = serde_dynamo::aws_sdk_dynamodb_1::to_item(item(i, user_pk(i)))?;
                client
                    .put_item()
                    .table_name("bench_users")
                    .set_item(Some(item))
                    .send()
                    .await?;
            }
        }
        "get" => {
            for i in 0..2000 {
                decode(get(i).await?.item.ok_or("no item")?)?;
            }
        }
        "query" => {
            for p in 0..100 {
                for _ in 0..3 {
                    let output = client
                        .query()
                        .table_name("bench_users")
                        .key_condition_expression("pk = :pk")
                        .expression_attribute_values(":pk", AttributeValue::S(format!("USER#{p}")))
                        .limit(7)
                        .send()
                        .await?;
                    let items: Vec<BenchUser> = output
                        .items
                        .unwrap_or_default()
                        .into_iter()
                        .map(decode)
                        .collect::<Result<_, _>>()?;
                    assert_eq!(items.len(), 7);
                }
            }
        }
        "update" => {
            for i in 0..1000 {
                let (pk, sk) = key(i);
                client
                    .update_item()
                    .table_name("bench_users")
                    .key("pk", AttributeValue::S(pk))
                    .key("sk", AttributeValue::S(sk))
                    .update_expression("SET age = age + :one ADD tags :x")
                    .condition_expression("attribute_exists(pk)")
                    .expression_attribute_values(":one", AttributeValue::N("1".into()))
                    .expression_attribute_values(":x", AttributeValue::Ss(vec!["x".into()]))
                    .send()
                    .await?;
            }
        }
        _ => {
            let found: Vec<_> = stream::iter(0..2000)
                .map(get)
                .buffer_unordered(32)
                .collect()
                .await;
            for output in found {
                decode(output?.item.ok_or("no item")?)?;
            }
        }
    }
    Ok(())
}

/// A backend that answers at once, with no I/O: what remains is the library's own work.
#[derive(Debug)]
struct NoIo(HashMap<String, AttributeValue>);

impl dynamo_model::backend::Backend for NoIo {
    fn update_item(
        &self,
        _input: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemInputBuilder,
    ) -> dynamo_model::backend::BackendFuture<
        '_,
        aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
    > {
        let output = aws_sdk_dynamodb::operation::update_item::UpdateItemOutput::builder().build();
        Box::pin(std::future::ready(Ok(output)))
    }

    fn get_item(
        &self,
        _input: aws_sdk_dynamodb::operation::get_item::builders::GetItemInputBuilder,
    ) -> dynamo_model::backend::BackendFuture<
        '_,
        aws_sdk_dynamodb::operation::get_item::GetItemOutput,
    > {
        let output = aws_sdk_dynamodb::operation::get_item::GetItemOutput::builder()
            .set_item(Some(self.0.clone()))
            .build();
        Box::pin(std::future::ready(Ok(output)))
    }
}

/// Microseconds per run of `op`, over `times` runs.
async fn per_op<F, Fut>(times: u32, mut op: F) -> Result<f64, Failure>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<(), Failure>>,
{
    let started = Instant::now();
    for i in 0..times {
        op(i).await?;
    }
    Ok(started.elapsed().as_secs_f64() / f64::from(times) * 1e6)
}

/// The library's work per update and per get (decoding included), and serde_dynamo's
/// decoding of the same item, with no I/O.
async fn library_work() -> Result<(), Failure> {
    let stored = serde_dynamo::aws_sdk_dynamodb_1::to_item(item(1, user_pk(1)))?;
    let db = Dynamo::with_backend(NoIo(stored.clone()));
    let f = BenchUser::fields();
    let mut rows: HashMap<&str, Vec<f64>> = HashMap::new();
    for _ in 0..5 {
        let update = per_op(20_000, |i| {
            let request = db
                .update::<BenchUser>(key(i % 1000))
                .increment(&f.age, 1)
                .add(&f.tags, ["x"]);
            async move { request.await.map_err(Failure::from) }
        })
        .await?;
        let get = per_op(20_000, |i| {
            let request = db.get::<BenchUser>(key(i % 1000));
            async move {
                request.await?.ok_or("no item")?;
                Ok(())
            }
        })
        .await?;
        let decode = per_op(20_000, |_| {
            let item = stored.clone();
            async move {
                std::hint::black_box(self::decode(item)?);
                Ok(())
            }
        })
        .await?;
        rows.entry("update").or_default().push(update);
        rows.entry("get").or_default().push(get);
        rows.entry("decode").or_default().push(decode);
    }
    let of = |name: &str, rows: &mut HashMap<&str, Vec<f64>>| {
        median(rows.remove(name).unwrap_or_default())
    };
    println!(
        "library work per op, no I/O: update {:.1} us, get {:.1} us (decode included); serde_dynamo's decode {:.1} us",
        of("update", &mut rows),
        of("get", &mut rows),
        of("decode", &mut rows),
    );
    Ok(())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = args
        .windows(2)
        .find(|w| w[0] == "--reps")
        .and_then(|w| w[1].parse().ok())
        .unwrap_or(15);
    let address = serve(std::sync::Arc::new(Answers::new()?)).await?;
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "x", "x", None, None, "overhead",
        ))
        .endpoint_url(format!("http://{address}"))
        .build();
    let client = Client::from_conf(config);
    let db = Dynamo::new(client.clone());
    // `--only PHASE SIDE`: that phase once, on that side, and nothing else, for an
    // instruction count under `valgrind --tool=callgrind` (the same total run after run).
    if let Some(only) = args.windows(3).find(|w| w[0] == "--only") {
        return match only[2].as_str() {
            "ours" => ours(&db, &only[1]).await,
            _ => raw(&client, &only[1]).await,
        };
    }
    let mut walls: HashMap<(&str, &str), Vec<f64>> = HashMap::new();
    // One untimed repetition warms both clients (connections, caches).
    for rep in 0..=reps {
        for (phase, ops) in PHASES {
            let sides: [&str; 2] = if rep % 2 == 0 {
                ["ours", "raw"]
            } else {
                ["raw", "ours"]
            };
            for side in sides {
                let started = Instant::now();
                if side == "ours" {
                    ours(&db, phase).await?;
                } else {
                    raw(&client, phase).await?;
                }
                let per_op = started.elapsed().as_secs_f64() / f64::from(ops) * 1e6;
                if rep > 0 {
                    walls.entry((phase, side)).or_default().push(per_op);
                }
            }
        }
    }
    println!(
        "{:<15} {:>12} {:>12} {:>8}",
        "phase", "ours us/op", "raw us/op", "ratio"
    );
    for (phase, _) in PHASES {
        let ours = median(walls.remove(&(phase, "ours")).unwrap_or_default());
        let raw = median(walls.remove(&(phase, "raw")).unwrap_or_default());
        println!("{phase:<15} {ours:>12.1} {raw:>12.1} {:>7.3}x", ours / raw);
    }
    println!("(medians over {reps} repetitions; a canned in-process server, so this is client work only)");
    library_work().await
}
