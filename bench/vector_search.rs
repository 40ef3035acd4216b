//! Latency of a vector search on the embedded memory backend: top-10 over 100,000 vectors
//! of 128 dimensions, for each distance function.
//! `cargo run --release -p dynamo-model-bench --bin vector-search [-- --vectors N --queries Q]`

use std::time::{Duration, Instant};

use dynamo_model::value::vector::Dimensions;
use dynamo_model::{Dynamo, DynamoModel, VectorIndex};

// Three indexes on one attribute repeat `attribute` and `dimensions`, which clippy's
// `duplicated_attributes` takes for a mistake.
#[allow(clippy::duplicated_attributes)]
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "bench_vectors",
    hash_key = "id",
    vector_index(
        name = "by_cosine",
        attribute = "embedding",
        dimensions = 128,
        distance = "cosine"
    ),
    vector_index(
        name = "by_euclidean",
        attribute = "embedding",
        dimensions = 128,
        distance = "euclidean"
    ),
    vector_index(
        name = "by_dot",
        attribute = "embedding",
        dimensions = 128,
        distance = "dot_product"
    )
)]
struct Embedded {
    id: u32,
    embedding: [f32; 128],
}

fn vector(rng: &mut fastrand::Rng) -> [f32; 128] {
    std::array::from_fn(|_| rng.f32() * 2.0 - 1.0)
}

fn argument(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|at| args.get(at + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let vectors = argument("--vectors", 100_000);
    let queries = argument("--queries", 50);
    let db = Dynamo::memory();
    db.create_table::<Embedded>().await?;
    let mut rng = fastrand::Rng::with_seed(128);
    let started = Instant::now();
    for id in 0..vectors {
        let id = u32::try_from(id).expect("fewer than 2^32 vectors");
        db.put(&Embedded {
            id,
            embedding: vector(&mut rng),
        })
        .await?;
    }
    println!(
        "loaded {vectors} vectors of 128 dimensions in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("index          queries   p50 ms   p95 ms   max ms");
    let mut rng = fastrand::Rng::with_seed(10);
    measure(&db, "cosine", Embedded::BY_COSINE, queries, &mut rng).await?;
    measure(&db, "euclidean", Embedded::BY_EUCLIDEAN, queries, &mut rng).await?;
    measure(&db, "dot_product", Embedded::BY_DOT, queries, &mut rng).await?;
    Ok(())
}

/// Runs `queries` searches of top-10 on `index` and prints their latency percentiles.
async fn measure<V: VectorIndex<Model = Embedded> + Dimensions<128> + Send + 'static>(
    db: &Dynamo,
    name: &str,
    index: V,
    queries: usize,
    rng: &mut fastrand::Rng,
) -> Result<(), dynamo_model::Error> {
    let mut times = Vec::with_capacity(queries);
    for _ in 0..queries {
        let query = vector(rng);
        let started = Instant::now();
        let found = db.search(index, &query).top_k(10).await?;
        times.push(started.elapsed());
        assert_eq!(found.len(), 10);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<14} {queries:>7} {:>8.2} {:>8.2} {:>8.2}",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(times[times.len() - 1]),
    );
    Ok(())
}
