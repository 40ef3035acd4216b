//! Schema plans: a model that gained an index and time to live, compared with the table
//! its first version created, and the difference applied. `cargo run --example migrate`

use dynamo_model::DynamoModel;

/// The first version of the model: a table keyed by id.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(table = "articles", hash_key = "id")]
struct ArticleV1 {
    id: String,
    author: String,
    expires: Option<u64>,
}

/// The next version: articles by author, and expiry.
#[derive(Debug, Clone, PartialEq, DynamoModel)]
#[dynamo(
    table = "articles",
    hash_key = "id",
    gsi(name = "by_author", hash_key = "author")
)]
struct Article {
    id: String,
    author: String,
    #[dynamo(ttl)]
    expires: Option<u64>,
}

#[tokio::main]
async fn main() -> Result<(), dynamo_model::Error> {
    let db = dynamo_model_examples::database().await;

    // Deploy version 1, with a few items.
    db.plan_table::<ArticleV1>().await?.apply(&db).await?;
    for (id, author) in [("a1", "ada"), ("a2", "grace"), ("a3", "ada")] {
        let article = ArticleV1 {
            id: id.into(),
            author: author.into(),
            expires: None,
        };
        db.put(&article).await?;
    }

    // Version 2: what differs, as a dry run, then applied.
    let plan = db.plan_table::<Article>().await?;
    print!("{plan}");
    plan.apply(&db).await?;

    // The new index is backfilled from the items already there.
    let by_ada: Vec<Article> = db.query((Article::BY_AUTHOR, "ada")).await?;
    println!("articles by ada: {}", by_ada.len());
    assert_eq!(by_ada.len(), 2);

    // Applied, the plan finds nothing left to do.
    let again = db.plan_table::<Article>().await?;
    println!("{again}");
    assert!(again.is_empty());

    db.delete_table::<Article>().await?;
    Ok(())
}
