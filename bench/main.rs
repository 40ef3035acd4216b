//! The benchmark workload of `shared/WORKLOAD.md`, run in one process against one DynamoDB
//! Local: dynamo-model and plain aws-sdk-dynamodb + serde_dynamo (hand-written expressions),
//! alternating which goes first each round, then dynamo-model on its memory backend.
//!
//! `cargo run --release -p dynamo-model-bench -- [--endpoint URL] [--rounds N] [--csv PATH]`
//!
//! Without `--endpoint` (or `AWS_ENDPOINT_URL_DYNAMODB`), DynamoDB Local is started on a free
//! loopback port. Prints `RESULT` lines and a summary; writes every measurement as CSV.

use std::collections::HashMap;
use std::future::IntoFuture;
use std::time::Instant;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, PutRequest, ScalarAttributeType, Select, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use dynamo_model::Dynamo;
use dynamo_model_tests::workload::{batch_pk, item, key, raw_batch_write, user_pk, BenchUser};
use futures_util::{stream, StreamExt};

type Failure = Box<dyn std::error::Error + Send + Sync>;

const TABLE: &str = "bench_users";

/// CPU seconds (user + system) of a process, from `/proc/PID/stat`.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / clock_ticks())
}

fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// The pid of the DynamoDB Local JVM listening on `port`, if it runs on this machine.
fn server_pid(port: &str) -> Option<String> {
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(Result::ok)
        .find_map(|entry| {
            let pid = entry.file_name().into_string().ok()?;
            let cmdline = std::fs::read_to_string(entry.path().join("cmdline")).ok()?;
            let args: Vec<&str> = cmdline.split('\0').collect();
            let is_local = args.iter().any(|a| a.ends_with("DynamoDBLocal.jar"));
            let on_port = args.windows(2).any(|w| w[0] == "-port" && w[1] == port);
            (is_local && on_port).then_some(pid)
        })
}

/// One measured phase.
#[derive(Debug, Clone)]
struct Measure {
    side: &'static str,
    round: u32,
    phase: &'static str,
    ops: u32,
    wall: f64,
    client_cpu: f64,
    server_cpu: Option<f64>,
}

struct Meter {
    server: Option<String>,
    results: Vec<Measure>,
}

impl Meter {
    async fn measure<F, Fut>(
        &mut self,
        side: &'static str,
        round: u32,
        phase: &'static str,
        ops: u32,
        run: F,
    ) -> Result<(), Failure>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(), Failure>>,
    {
        let server_before = self.server.as_deref().and_then(cpu_seconds);
        let client_before = cpu_seconds("self").unwrap_or(0.0);
        let started = Instant::now();
        run().await?;
        let wall = started.elapsed().as_secs_f64();
        let client_cpu = cpu_seconds("self").unwrap_or(0.0) - client_before;
        let server_cpu = match (server_before, self.server.as_deref().and_then(cpu_seconds)) {
            (Some(before), Some(after)) => Some(after - before),
            _ => None,
        };
        println!(
            "RESULT,{side},{round},{phase},{ops},{wall:.4},{:.0}",
            f64::from(ops) / wall
        );
        self.results.push(Measure {
            side,
            round,
            phase,
            ops,
            wall,
            client_cpu,
            server_cpu,
        });
        Ok(())
    }
}

async fn create_raw_table(client: &Client, name: &str) -> Result<(), Failure> {
    let _ = client.delete_table().table_name(name).send().await;
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(n)
            .key_type(t)
            .build()
    };
    let def = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    client
        .create_table()
        .table_name(name)
        .key_schema(key("pk", KeyType::Hash)?)
        .key_schema(key("sk", KeyType::Range)?)
        .attribute_definitions(def("pk")?)
        .attribute_definitions(def("sk")?)
        .attribute_definitions(def("email")?)
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by_email")
                .key_schema(key("email", KeyType::Hash)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()?,
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await?;
    Ok(())
}

/// The untimed warm-up of WORKLOAD.md, on its own table.
async fn warm_up(client: &Client) -> Result<(), Failure> {
    let table = "bench_warmup";
    create_raw_table(client, table).await?;
    for i in 0..1000 {
        let item = serde_dynamo::aws_sdk_dynamodb_1::to_item(item(i, user_pk(i)))?;
        client
            .put_item()
            .table_name(table)
            .set_item(Some(item))
            .send()
            .await?;
    }
    for i in 0..1000 {
        let (pk, sk) = key(i);
        client
            .get_item()
            .table_name(table)
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(sk))
            .send()
            .await?;
    }
    for p in 0..100 {
        client
            .query()
            .table_name(table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(format!("USER#{p}")))
            .limit(7)
            .send()
            .await?;
    }
    for i in 0..500 {
        let (pk, sk) = key(i);
        client
            .update_item()
            .table_name(table)
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(sk))
            .update_expression("SET age = age + :one")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await?;
    }
    let writes: Vec<WriteRequest> = (0..2000)
        .map(|i| -> Result<WriteRequest, Failure> {
            let item = serde_dynamo::aws_sdk_dynamodb_1::to_item(item(i, batch_pk(i)))?;
            Ok(WriteRequest::builder()
                .put_request(PutRequest::builder().set_item(Some(item)).build()?)
                .build())
        })
        .collect::<Result<_, _>>()?;
    for chunk in writes.chunks(25) {
        client
            .batch_write_item()
            .request_items(table, chunk.to_vec())
            .send()
            .await?;
    }
    client.delete_table().table_name(table).send().await?;
    Ok(())
}

async fn run_ours(
    db: &Dynamo,
    meter: &mut Meter,
    side: &'static str,
    round: u32,
) -> Result<(), Failure> {
    let _ = db.delete_table::<BenchUser>().await;
    db.create_table::<BenchUser>().await?;
    meter
        .measure(side, round, "put", 2000, || async {
            for i in 0..2000 {
                db.put(&item(i, user_pk(i))).await?;
            }
            Ok(())
        })
        .await?;
    meter
        .measure(side, round, "get", 2000, || async {
            for i in 0..2000 {
                let user = db.get::<BenchUser>(key(i)).await?;
                assert!(user.is_some());
            }
            Ok(())
        })
        .await?;
    meter
        .measure(side, round, "query", 2000, || async {
            let mut seen = 0;
            for p in 0..100 {
                let mut start = None;
                loop {
                    let page = db
                        .query::<BenchUser>(format!("USER#{p}"))
                        .page_size(7)
                        .start_from(start)
                        .page()
                        .await?;
                    seen += page.items.len();
                    start = page.last_evaluated_key;
                    if start.is_none() {
                        break;
                    }
                }
            }
            println!("VERIFY,{side},query_items,{seen}");
            Ok(())
        })
        .await?;
    let f = BenchUser::fields();
    meter
        .measure(side, round, "update", 1000, || async {
            for i in 0..1000 {
                // An update requires the item by default: `attribute_exists(pk)`.
                db.update::<BenchUser>(key(i))
                    .increment(&f.age, 1)
                    .add(&f.tags, ["x"])
                    .await?;
            }
            Ok(())
        })
        .await?;
    meter
        .measure(side, round, "batch_write", 10_000, || async {
            let items: Vec<BenchUser> = (0..10_000).map(|i| item(i, batch_pk(i))).collect();
            db.batch_write().put_all(&items).await?;
            Ok(())
        })
        .await?;
    let mut total = 0;
    for p in 0..50 {
        total += db.query::<BenchUser>(format!("BATCH#{p}")).count().await?;
    }
    println!("VERIFY,{side},batch_count,{total}");
    meter
        .measure(side, round, "concurrent_get", 2000, || async {
            let found: Vec<_> = stream::iter(0..2000)
                .map(|i| db.get::<BenchUser>(key(i)).into_future())
                .buffer_unordered(32)
                .collect()
                .await;
            for user in found {
                assert!(user?.is_some());
            }
            Ok(())
        })
        .await?;
    db.delete_table::<BenchUser>().await?;
    Ok(())
}

fn decode(item: HashMap<String, AttributeValue>) -> Result<BenchUser, Failure> {
    Ok(serde_dynamo::aws_sdk_dynamodb_1::from_item(item)?)
}

async fn run_raw(client: &Client, meter: &mut Meter, round: u32) -> Result<(), Failure> {
    let side = "raw_sdk";
    create_raw_table(client, TABLE).await?;
    meter
        .measure(side, round, "put", 2000, || async {
            for i in 0..2000 {
                let item = serde_dynamo::aws_sdk_dynamodb_1::to_item(item(i, user_pk(i)))?;
                client
                    .put_item()
                    .table_name(TABLE)
                    .set_item(Some(item))
                    .send()
                    .await?;
            }
            Ok(())
        })
        .await?;
    let get = |i: u32| {
        let (pk, sk) = key(i);
        client
            .get_item()
            .table_name(TABLE)
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(sk))
            .send()
    };
    meter
        .measure(side, round, "get", 2000, || async {
            for i in 0..2000 {
                let output = get(i).await?;
                decode(output.item.ok_or("missing item")?)?;
            }
            Ok(())
        })
        .await?;
    meter
        .measure(side, round, "query", 2000, || async {
            let mut seen = 0;
            for p in 0..100 {
                let mut start = None;
                loop {
                    let output = client
                        .query()
                        .table_name(TABLE)
                        .key_condition_expression("pk = :pk")
                        .expression_attribute_values(":pk", AttributeValue::S(format!("USER#{p}")))
                        .limit(7)
                        .set_exclusive_start_key(start)
                        .send()
                        .await?;
                    for item in output.items.unwrap_or_default() {
                        decode(item)?;
                        seen += 1;
                    }
                    start = output.last_evaluated_key;
                    if start.is_none() {
                        break;
                    }
                }
            }
            println!("VERIFY,{side},query_items,{seen}");
            Ok(())
        })
        .await?;
    meter
        .measure(side, round, "update", 1000, || async {
            for i in 0..1000 {
                let (pk, sk) = key(i);
                client
                    .update_item()
                    .table_name(TABLE)
                    .key("pk", AttributeValue::S(pk))
                    .key("sk", AttributeValue::S(sk))
                    .update_expression("SET age = age + :one ADD tags :x")
                    .condition_expression("attribute_exists(pk)")
                    .expression_attribute_values(":one", AttributeValue::N("1".into()))
                    .expression_attribute_values(":x", AttributeValue::Ss(vec!["x".into()]))
                    .send()
                    .await?;
            }
            Ok(())
        })
        .await?;
    meter
        .measure(side, round, "batch_write", 10_000, || async {
            let writes: Vec<WriteRequest> = (0..10_000)
                .map(|i| -> Result<WriteRequest, Failure> {
                    let item = serde_dynamo::aws_sdk_dynamodb_1::to_item(item(i, batch_pk(i)))?;
                    Ok(WriteRequest::builder()
                        .put_request(PutRequest::builder().set_item(Some(item)).build()?)
                        .build())
                })
                .collect::<Result<_, _>>()?;
            for chunk in writes.chunks(25) {
                raw_batch_write(client, TABLE, chunk.to_vec()).await?;
            }
            Ok(())
        })
        .await?;
    let mut total = 0;
    for p in 0..50 {
        let output = client
            .query()
            .table_name(TABLE)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(format!("BATCH#{p}")))
            .select(Select::Count)
            .send()
            .await?;
        total += output.count;
    }
    println!("VERIFY,{side},batch_count,{total}");
    meter
        .measure(side, round, "concurrent_get", 2000, || async {
            let found: Vec<_> = stream::iter(0..2000)
                .map(get)
                .buffer_unordered(32)
                .collect()
                .await;
            for output in found {
                decode(output?.item.ok_or("missing item")?)?;
            }
            Ok(())
        })
        .await?;
    client.delete_table().table_name(TABLE).send().await?;
    Ok(())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.is_empty() {
        0.0
    } else if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

const PHASES: [&str; 6] = [
    "put",
    "get",
    "query",
    "update",
    "batch_write",
    "concurrent_get",
];

fn summary(results: &[Measure]) {
    let of = |side: &str, phase: &str| -> Vec<&Measure> {
        results
            .iter()
            .filter(|m| m.side == side && m.phase == phase)
            .collect()
    };
    println!();
    println!(
        "{:<15} {:>12} {:>12} {:>8} {:>14} {:>14} {:>8} {:>12}",
        "phase",
        "ours ops/s",
        "raw ops/s",
        "wall",
        "ours cpu/op",
        "raw cpu/op",
        "cpu",
        "memory ops/s"
    );
    for phase in PHASES {
        let ours = of("dynamo_model", phase);
        let raw = of("raw_sdk", phase);
        let memory = of("memory", phase);
        let ops = f64::from(ours.first().map_or(1, |m| m.ops));
        let wall = |m: &[&Measure]| median(m.iter().map(|x| x.wall).collect());
        let cpu = |m: &[&Measure]| median(m.iter().map(|x| x.client_cpu).collect()) / ops * 1e6;
        let (ours_wall, raw_wall) = (wall(&ours), wall(&raw));
        let (ours_cpu, raw_cpu) = (cpu(&ours), cpu(&raw));
        println!(
            "{:<15} {:>12.0} {:>12.0} {:>7.3}x {:>11.1} us {:>11.1} us {:>7.3}x {:>12.0}",
            phase,
            ops / ours_wall,
            ops / raw_wall,
            ours_wall / raw_wall,
            ours_cpu,
            raw_cpu,
            ours_cpu / raw_cpu,
            if memory.is_empty() {
                0.0
            } else {
                ops / wall(&memory)
            },
        );
    }
    println!("(wall and cpu columns: ours / raw; medians over rounds; cpu is this process's user+system time per op)");
}

fn write_csv(path: &str, results: &[Measure]) -> Result<(), Failure> {
    let mut text =
        String::from("side,round,phase,ops,wall_s,ops_per_s,client_cpu_s,server_cpu_s\n");
    for m in results {
        text.push_str(&format!(
            "{},{},{},{},{:.6},{:.1},{:.3},{}\n",
            m.side,
            m.round,
            m.phase,
            m.ops,
            m.wall,
            f64::from(m.ops) / m.wall,
            m.client_cpu,
            m.server_cpu.map_or(String::new(), |s| format!("{s:.3}")),
        ));
    }
    std::fs::write(path, text)?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone());
    if let Some(endpoint) = option("--endpoint") {
        // The harness reads it (and refuses anything but loopback).
        std::env::set_var("AWS_ENDPOINT_URL_DYNAMODB", endpoint);
    }
    let rounds: u32 = option("--rounds").and_then(|r| r.parse().ok()).unwrap_or(2);
    let csv = option("--csv").unwrap_or_else(|| "bench/results.csv".into());

    let endpoint = dynamo_model_tests::endpoint();
    let port = endpoint
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned();
    let client = dynamo_model_tests::sdk_client();
    let db = Dynamo::new(client.clone());
    let mut meter = Meter {
        server: server_pid(&port),
        results: Vec::new(),
    };
    println!(
        "DynamoDB at {endpoint} (server pid {:?}); warming up",
        meter.server
    );
    warm_up(&client).await?;

    for round in 1..=rounds {
        if round % 2 == 1 {
            run_ours(&db, &mut meter, "dynamo_model", round).await?;
            run_raw(&client, &mut meter, round).await?;
        } else {
            run_raw(&client, &mut meter, round).await?;
            run_ours(&db, &mut meter, "dynamo_model", round).await?;
        }
    }
    let server = meter.server.take();
    let memory = Dynamo::memory();
    for round in 1..=rounds {
        run_ours(&memory, &mut meter, "memory", round).await?;
    }
    meter.server = server;
    summary(&meter.results);
    write_csv(&csv, &meter.results)?;
    println!("CSV written to {csv}");
    Ok(())
}
