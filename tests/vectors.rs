//! Vector search: exact top-k on the memory backend for each distance function, checked
//! against a plain reference computation over random vectors; search-schema filters;
//! dimension errors; and the typed "unsupported" error of DynamoDB Local, which has no
//! `SearchVectors`.

use dynamo_model::{Dynamo, DynamoModel, ErrorKind, Scored};

const DIMENSIONS: usize = 8;

#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "vector_docs",
    hash_key = "id",
    vector_index(name = "by_cosine", attribute = "embedding", dimensions = 8, distance = "cosine"),
    vector_index(
        name = "by_distance",
        attribute = "embedding",
        dimensions = 8,
        distance = "euclidean",
        partition = "tenant",
        filters = ["year", "kind"]
    ),
    vector_index(name = "by_dot", attribute = "embedding", dimensions = 8, distance = "dot_product")
)]
struct Doc {
    id: String,
    tenant: String,
    year: u32,
    kind: String,
    embedding: Vec<f32>,
}

/// Vectors in an array: their length is part of the type.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "vector_points",
    hash_key = "id",
    vector_index(
        name = "by_point",
        attribute = "point",
        dimensions = 3,
        distance = "euclidean"
    )
)]
struct Point {
    id: u32,
    point: [f32; 3],
}

fn random_vector(rng: &mut fastrand::Rng) -> Vec<f32> {
    (0..DIMENSIONS).map(|_| rng.f32() * 2.0 - 1.0).collect()
}

fn docs(rng: &mut fastrand::Rng, count: usize) -> Vec<Doc> {
    (0..count)
        .map(|i| Doc {
            id: format!("d{i:03}"),
            tenant: format!("t{}", i % 3),
            year: 2000 + u32::try_from(i % 25).unwrap(),
            kind: if i % 2 == 0 { "a".into() } else { "b".into() },
            embedding: random_vector(rng),
        })
        .collect()
}

async fn stored(db: &Dynamo, docs: &[Doc]) {
    db.create_table::<Doc>().await.unwrap();
    for doc in docs {
        db.put(doc).await.unwrap();
    }
}

/// The reference: every score computed the plain way, in f64, from the f32 values.
fn reference(docs: &[&Doc], query: &[f32], function: &str, k: usize) -> Vec<(String, f64)> {
    let score = |v: &[f32]| -> f64 {
        let dot: f64 = v
            .iter()
            .zip(query)
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum();
        let norm = |x: &[f32]| x.iter().map(|a| f64::from(*a).powi(2)).sum::<f64>().sqrt();
        match function {
            "cosine" => 1.0 - dot / (norm(v) * norm(query)),
            "euclidean" => v
                .iter()
                .zip(query)
                .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
                .sum::<f64>()
                .sqrt(),
            _ => dot,
        }
    };
    let mut scored: Vec<(String, f64)> = docs
        .iter()
        .map(|d| (d.id.clone(), score(&d.embedding)))
        .collect();
    scored.sort_by(|a, b| {
        let order = a.1.partial_cmp(&b.1).unwrap();
        if function == "dot_product" {
            order.reverse()
        } else {
            order
        }
    });
    scored.truncate(k);
    scored
}

fn hits(found: &[Scored<Doc>]) -> Vec<(String, f64)> {
    found.iter().map(|s| (s.item.id.clone(), s.score)).collect()
}

fn assert_same(found: &[(String, f64)], expected: &[(String, f64)]) {
    let ids = |v: &[(String, f64)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(found), ids(expected));
    for ((_, a), (_, b)) in found.iter().zip(expected) {
        assert!((a - b).abs() < 1e-9, "score {a} against {b}");
    }
}

#[tokio::test]
async fn the_top_k_of_each_distance_function_is_exact() {
    let mut rng = fastrand::Rng::with_seed(21);
    let all = docs(&mut rng, 400);
    let db = Dynamo::memory();
    stored(&db, &all).await;
    let every: Vec<&Doc> = all.iter().collect();
    for round in 0..20 {
        let query = random_vector(&mut rng);
        let k = 1 + round % 9;
        let cosine = db
            .search(Doc::BY_COSINE, &query)
            .top_k(i32::try_from(k).unwrap())
            .await
            .unwrap();
        assert_same(&hits(&cosine), &reference(&every, &query, "cosine", k));
        let dot = db
            .search(Doc::BY_DOT, &query)
            .top_k(i32::try_from(k).unwrap())
            .await
            .unwrap();
        assert_same(&hits(&dot), &reference(&every, &query, "dot_product", k));
        let tenant = format!("t{}", round % 3);
        let f = Doc::fields();
        let near = db
            .search(Doc::BY_DISTANCE, &query)
            .partition(&f.tenant, tenant.as_str())
            .top_k(i32::try_from(k).unwrap())
            .await
            .unwrap();
        let of_tenant: Vec<&Doc> = all.iter().filter(|d| d.tenant == tenant).collect();
        assert_same(&hits(&near), &reference(&of_tenant, &query, "euclidean", k));
    }
}

#[tokio::test]
async fn inline_filters_narrow_the_search() {
    let mut rng = fastrand::Rng::with_seed(7);
    let all = docs(&mut rng, 300);
    let db = Dynamo::memory();
    stored(&db, &all).await;
    let f = Doc::fields();
    let query = random_vector(&mut rng);
    let found = db
        .search(Doc::BY_DISTANCE, &query)
        .partition(&f.tenant, "t1")
        .filter(f.year.between(2005u32, 2015u32))
        .filter(f.kind.eq("b"))
        .top_k(12)
        .await
        .unwrap();
    let wanted: Vec<&Doc> = all
        .iter()
        .filter(|d| d.tenant == "t1" && (2005..=2015).contains(&d.year) && d.kind == "b")
        .collect();
    assert!(wanted.len() > 12, "enough candidates: {}", wanted.len());
    assert_same(&hits(&found), &reference(&wanted, &query, "euclidean", 12));
    assert!(found
        .iter()
        .all(|s| s.item.tenant == "t1" && s.item.kind == "b"));
    // Fewer matches than k: every match.
    let few = db
        .search(Doc::BY_DISTANCE, &query)
        .partition(&f.tenant, "t2")
        .filter(f.year.eq(2003u32))
        .top_k(50)
        .await
        .unwrap();
    let expected = all
        .iter()
        .filter(|d| d.tenant == "t2" && d.year == 2003)
        .count();
    assert_eq!(few.len(), expected);
}

#[tokio::test]
async fn arrays_are_vectors_too_and_an_index_follows_updates_and_deletes() {
    let db = Dynamo::memory();
    db.create_table::<Point>().await.unwrap();
    for (id, point) in [
        (1, [0.0, 0.0, 0.0]),
        (2, [1.0, 0.0, 0.0]),
        (3, [5.0, 5.0, 5.0]),
    ] {
        db.put(&Point { id, point }).await.unwrap();
    }
    let near = |db: &Dynamo| {
        let db = db.clone();
        async move {
            db.search(Point::BY_POINT, &[0.9f32, 0.0, 0.0])
                .top_k(2)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.item.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(near(&db).await, [2, 1]);
    db.put(&Point {
        id: 3,
        point: [0.9, 0.0, 0.1],
    })
    .await
    .unwrap();
    assert_eq!(near(&db).await, [3, 2]);
    db.delete_by_key::<Point>(3u32).await.unwrap();
    assert_eq!(near(&db).await, [2, 1]);
    let stored = db.get::<Point>(2u32).await.unwrap().unwrap();
    assert_eq!(stored.point, [1.0, 0.0, 0.0]);
}

#[tokio::test]
async fn dimensions_and_search_schema_are_checked_before_sending() {
    let db = Dynamo::memory();
    stored(&db, &[]).await;
    let f = Doc::fields();
    let short = vec![0.5f32; 3];
    let error = db.search(Doc::BY_COSINE, &short).await.unwrap_err();
    assert!(error.is_invalid_request(), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("the query vector has 3 dimensions; vector index `by_cosine` has 8"),
        "{error}"
    );

    let missing = db.search(Doc::BY_DISTANCE, &[0.0f32; 8]).await.unwrap_err();
    assert!(
        missing.to_string().contains("partitioned by `tenant`"),
        "{missing}"
    );

    let zero = db
        .search(Doc::BY_COSINE, &[0.0f32; 8])
        .top_k(0)
        .await
        .unwrap_err();
    assert!(zero.to_string().contains("top_k is 0"), "{zero}");

    let wrong = Doc {
        id: "x".into(),
        tenant: "t".into(),
        year: 1,
        kind: "a".into(),
        embedding: vec![1.0; 5],
    };
    let refused = db.put(&wrong).await.unwrap_err();
    assert!(
        matches!(refused.kind(), ErrorKind::Validation { .. }),
        "{refused:?}"
    );
    assert!(
        refused
            .to_string()
            .contains("the vector has 5 dimensions; vector index `by_cosine` takes 8"),
        "{refused}"
    );
    assert!(
        db.get::<Doc>("x").await.unwrap().is_none(),
        "nothing written"
    );
    let _ = f;
}

#[tokio::test]
async fn dynamodb_local_answers_a_search_with_a_typed_unsupported_error() {
    let db = dynamo_model_tests::local();
    db.create_table::<Doc>().await.unwrap();
    let error = db.search(Doc::BY_COSINE, &[0.1f32; 8]).await.unwrap_err();
    assert!(error.is_unsupported(), "{error:?}");
    assert!(
        error.to_string().contains("SearchVectors is not supported"),
        "{error}"
    );
}

#[tokio::test]
async fn a_schema_plan_adds_and_drops_a_vector_index() {
    #[derive(Debug, Clone, PartialEq, DynamoModel)]
    #[dynamo(table = "vector_plans", hash_key = "id")]
    struct Before {
        id: u32,
        point: [f32; 2],
    }
    #[derive(Debug, Clone, PartialEq, DynamoModel)]
    #[dynamo(
        table = "vector_plans",
        hash_key = "id",
        vector_index(
            name = "by_point",
            attribute = "point",
            dimensions = 2,
            distance = "euclidean"
        )
    )]
    struct After {
        id: u32,
        point: [f32; 2],
    }
    let db = Dynamo::memory();
    db.create_table::<Before>().await.unwrap();
    for id in 0..5u32 {
        db.put(&Before {
            id,
            point: [id as f32, 0.0],
        })
        .await
        .unwrap();
    }
    let plan = db.plan_table::<After>().await.unwrap();
    assert_eq!(
        plan.to_string(),
        "table `vector_plans`:\n  - add vector index `by_point`\n"
    );
    plan.apply(&db).await.unwrap();
    assert!(db.plan_table::<After>().await.unwrap().is_empty());
    // The new index holds the items written before it.
    let nearest = db
        .search(After::BY_POINT, &[3.2f32, 0.0])
        .top_k(2)
        .await
        .unwrap();
    let ids: Vec<u32> = nearest.iter().map(|s| s.item.id).collect();
    assert_eq!(ids, [3, 4]);
    let back = db.plan_table::<Before>().await.unwrap();
    assert_eq!(
        back.to_string(),
        "table `vector_plans`:\n  - drop vector index `by_point`\n"
    );
    back.apply(&db).await.unwrap();
    assert!(db.plan_table::<Before>().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_memory_snapshot_keeps_vector_indexes() {
    let store = dynamo_model::backend::MemoryBackend::new();
    let db = Dynamo::with_memory(&store);
    db.create_table::<Point>().await.unwrap();
    for (id, point) in [
        (1, [0.0, 0.0, 0.0]),
        (2, [1.0, 0.0, 0.0]),
        (3, [5.0, 5.0, 5.0]),
    ] {
        db.put(&Point { id, point }).await.unwrap();
    }
    let path = std::env::temp_dir().join(format!("vector-snapshot-{}.json", std::process::id()));
    store.save(&path).unwrap();
    let loaded = Dynamo::with_memory(&dynamo_model::backend::MemoryBackend::load(&path).unwrap());
    std::fs::remove_file(&path).unwrap();
    let found = loaded
        .search(Point::BY_POINT, &[4.0f32, 4.0, 4.0])
        .top_k(1)
        .await
        .unwrap();
    assert_eq!(found[0].item.id, 3);
    assert!((found[0].score - 3.0f64.sqrt()).abs() < 1e-6);
}
