//! The workload's batch phase (10,000 items, 25 per request) in bounded memory: the raw SDK
//! loop, `batch_write().put_all(..)` of a collection, and `batch_put(..)` streamed at the
//! default concurrency and at 1, 4 and 16, each in a process of its own so that its peak
//! RSS is its own, against one DynamoDB Local.
//!
//! `cargo run --release -p dynamo-model-bench --bin batch-memory -- [--rounds N]`

use std::collections::HashMap;
use std::time::Instant;

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use dynamo_model::Dynamo;
use dynamo_model_tests::workload::{batch_pk, item, raw_batch_write, BenchUser};

type Failure = Box<dyn std::error::Error + Send + Sync>;

const ITEMS: u32 = 10_000;

/// The sides, each run in a child process: `raw`, `put_all`, `stream`, `stream:N`.
const SIDES: [&str; 6] = [
    "raw",
    "put_all",
    "stream",
    "stream:1",
    "stream:4",
    "stream:16",
];

/// Peak resident memory of this process, in MiB (`VmHWM`).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The raw loop of the workload: 25 items encoded, sent, unprocessed ones sent again.
async fn raw(client: &aws_sdk_dynamodb::Client, table: &str) -> Result<(), Failure> {
    for start in (0..ITEMS).step_by(25) {
        let writes: Vec<WriteRequest> = (start..(start + 25).min(ITEMS))
            .map(|i| -> Result<WriteRequest, Failure> {
                let item = serde_dynamo::aws_sdk_dynamodb_1::to_item(item(i, batch_pk(i)))?;
                Ok(WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build()?)
                    .build())
            })
            .collect::<Result<_, _>>()?;
        raw_batch_write(client, table, writes).await?;
    }
    Ok(())
}

/// One side, in this (child) process: prints `RESULT,side,wall_s,peak_rss_mib`.
async fn child(side: &str) -> Result<(), Failure> {
    let client = dynamo_model_tests::sdk_client();
    let prefix = format!("m{}_", std::process::id());
    let db = Dynamo::new(client.clone()).with_table_prefix(&prefix);
    db.create_table::<BenchUser>().await?;
    let table = db.table_name::<BenchUser>();
    let baseline = peak_rss_mib();
    let started = Instant::now();
    match side {
        "raw" => raw(&client, &table).await?,
        "put_all" => {
            let items: Vec<BenchUser> = (0..ITEMS).map(|i| item(i, batch_pk(i))).collect();
            db.batch_write().put_all(&items).await?;
        }
        streamed => {
            let items = (0..ITEMS).map(|i| item(i, batch_pk(i)));
            let mut batch = db.batch_put(items);
            if let Some(requests) = streamed.strip_prefix("stream:") {
                batch = batch.concurrency(requests.parse()?);
            }
            assert_eq!(batch.await?, ITEMS as usize);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    println!(
        "RESULT,{side},{wall:.4},{:.1},{baseline:.1}",
        peak_rss_mib()
    );
    db.delete_table::<BenchUser>().await?;
    Ok(())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| args.windows(2).find(|w| w[0] == name).map(|w| w[1].clone());
    if let Some(side) = option("--child") {
        return child(&side).await;
    }
    let rounds: usize = option("--rounds").and_then(|r| r.parse().ok()).unwrap_or(3);
    // One DynamoDB Local for every child, started (or found) here.
    let endpoint = dynamo_model_tests::endpoint().to_owned();
    let me = std::env::current_exe()?;
    let mut results: HashMap<&str, Vec<(f64, f64)>> = HashMap::new();
    // An untimed round first warms the JVM.
    for round in 0..=rounds {
        for side in SIDES {
            let output = std::process::Command::new(&me)
                .args(["--child", side])
                .env("AWS_ENDPOINT_URL_DYNAMODB", &endpoint)
                .output()?;
            let text = String::from_utf8_lossy(&output.stdout);
            let Some(line) = text.lines().find(|l| l.starts_with("RESULT,")) else {
                return Err(
                    format!("{side} failed: {}", String::from_utf8_lossy(&output.stderr)).into(),
                );
            };
            let fields: Vec<&str> = line.split(',').collect();
            let (wall, rss): (f64, f64) = (fields[2].parse()?, fields[3].parse()?);
            if round > 0 {
                results.entry(side).or_default().push((wall, rss));
            }
        }
    }
    let raw_wall = median(results["raw"].iter().map(|r| r.0).collect());
    let raw_rss = median(results["raw"].iter().map(|r| r.1).collect());
    println!(
        "{:<10} {:>10} {:>9} {:>14} {:>9}",
        "side", "items/s", "wall", "peak RSS MiB", "RSS"
    );
    for side in SIDES {
        let wall = median(results[side].iter().map(|r| r.0).collect());
        let rss = median(results[side].iter().map(|r| r.1).collect());
        println!(
            "{side:<10} {:>10.0} {:>8.3}x {rss:>14.1} {:>8.2}x",
            f64::from(ITEMS) / wall,
            wall / raw_wall,
            rss / raw_rss
        );
    }
    println!(
        "(medians over {rounds} rounds after a warm-up round; wall and RSS against the raw loop)"
    );
    Ok(())
}
